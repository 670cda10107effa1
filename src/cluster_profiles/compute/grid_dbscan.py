"""The weighted DBSCAN of ``clustering.weighted_dbscan``, to the label, for points on the rounding grid, without
listing the pairs of points within the radius.

The pipeline's points sit on a grid of ``grid_degrees`` (``lat_i``, ``lon_i``), sorted by row then column. Seen
from a point, the points of another row within ``radius_km`` are those whose column differs by at most a width
that depends only on the two rows: one contiguous run of the sorted points. So:

- the people within the radius are sums over at most 2D+1 runs (D: the radius in rows), read off a running sum;
- the core points' clusters are the connected groups of the graph "within the radius": a core point joins every
  core point of each run it sees, which is the same grouping as joining it to the run's first core point and
  each core point of the run to the next (all of them are its neighbours, so nothing joins that should not).
  (The first-point edges alone gave the same groups in every random case tried; the chain makes it hold by
  construction, at the cost of one running sum.)
- a border point takes the lowest cluster number among the core points of its runs (a range minimum).

10^6 address rows give about 60,000 points and 4.3 million pairs per kind: the pairs' way spends 0.3 s and
hundreds of MB on them, this one a tenth of that. The widths are computed with a margin of ``BAND`` either side
of the radius; a column difference inside the margin (a pair at the radius itself, to a billionth) is decided
pair by pair with ``neighbours.within_radius``, the test the pairs' way applies, so the two agree exactly
(tests/compute/test_grid_dbscan.py compares them, and scikit-learn). Points the widths do not describe simply
(near a pole, within the radius of the antimeridian, off the grid, fractional weights, a radius over
``MAX_RADIUS_KM``) return None: the caller uses the pairs' way.
"""

from __future__ import annotations

import numpy as np

from cluster_profiles.compute.neighbours import (
    NOISE,
    km_to_radians,
    merged_components,
    number_clusters,
    to_radians,
    within_radius,
)

BAND = 1e-8  # the widths' margin, relative to the radius: far above rounding, far below a grid step
MAX_RADIUS_KM = 500.0
MAX_ABS_LAT = 80.0  # beyond, a row's width grows fast and the sphere's shape is better left to the k-d tree


def _widths(rows: np.ndarray, offsets: np.ndarray, grid: float, radians: float) -> np.ndarray:
    """The largest whole column difference between a point of row ``rows[i]`` and one of row ``rows[i] +
    offsets[j]`` within ``radians`` of each other (-1: none), by the haversine formula solved for the longitude."""
    phi1 = np.radians(rows[:, None] * grid)
    phi2 = np.radians((rows[:, None] + offsets[None, :]) * grid)
    hav_r = np.sin(radians / 2) ** 2
    hav_dphi = np.sin((phi2 - phi1) / 2) ** 2
    with np.errstate(invalid="ignore", divide="ignore"):
        hav_dlambda = (hav_r - hav_dphi) / (np.cos(phi1) * np.cos(phi2))
        dlambda = 2 * np.arcsin(np.sqrt(np.clip(hav_dlambda, 0, 1)))
    width = np.floor(np.degrees(dlambda) / grid).astype(np.int64)
    return np.where(hav_dlambda >= 0, width, -1)


def grid_dbscan(lat_i, lon_i, lat_deg, lon_deg, grid_degrees: float, people, radius_km: float,
                min_people: float) -> np.ndarray | None:
    """DBSCAN labels as ``clustering.weighted_dbscan`` gives them, or None where this way does not apply.

    ``lat_i``, ``lon_i``: the points' grid cells, sorted by (``lat_i``, ``lon_i``) without repeats; ``lat_deg``,
    ``lon_deg``: their coordinates as given to ``weighted_dbscan`` (the cells times ``grid_degrees``)."""
    lat_i, lon_i = np.asarray(lat_i, dtype=np.int64), np.asarray(lon_i, dtype=np.int64)
    lat_deg, lon_deg = np.asarray(lat_deg, dtype=float), np.asarray(lon_deg, dtype=float)
    people = np.asarray(people, dtype=float)
    n = len(people)
    if n == 0 or radius_km <= 0 or radius_km > MAX_RADIUS_KM or grid_degrees <= 0:
        return None
    key = lat_i * (1 << 32) + (lon_i + (1 << 31))
    if (np.any(np.diff(key) <= 0) or np.abs(lat_deg).max() > MAX_ABS_LAT or not np.all(people == np.round(people))
            or people.sum() >= 2**53 or not np.array_equal(lat_deg, lat_i * grid_degrees)
            or not np.array_equal(lon_deg, lon_i * grid_degrees)):  # exactly the cells (DuckDB's lat_i * grid)
        return None
    radians = km_to_radians(radius_km)
    reach = int(np.ceil(np.degrees(radians) / grid_degrees)) + 1  # rows above and below that can hold neighbours
    offsets = np.arange(-reach, reach + 1)
    rows, row_of_point = np.unique(lat_i, return_inverse=True)
    inner_widths = _widths(rows, offsets, grid_degrees, radians * (1 - BAND))  # (rows, offsets): small
    outer_widths = _widths(rows, offsets, grid_degrees, radians * (1 + BAND))
    if outer_widths.max() * grid_degrees + np.abs(lon_deg).max() >= 180:
        return None  # a run would wrap round the antimeridian
    # one offset at a time: arrays of one value per point, sorted queries (each offset's run starts increase with
    # the points), a fraction of the memory of all offsets at once
    runs = []
    for j, offset in enumerate(offsets):
        inner = inner_widths[row_of_point, j]
        base = (lat_i + offset) * (1 << 32) + (lon_i + (1 << 31))
        runs.append((base, inner, outer_widths[row_of_point, j]))
    # the pairs at the radius itself (outer width beyond the inner one), decided one by one
    band_a, band_b = _band_pairs(key, runs)
    if len(band_a):
        keep = within_radius(to_radians(lat_deg, lon_deg), band_a, band_b, radians)
        band_a, band_b = band_a[keep], band_b[keep]
    running = np.concatenate([[0.0], np.cumsum(people)])
    within = np.bincount(band_a, people[band_b], n).astype(float)  # whole numbers: exact in any order
    point_runs = []
    for base, inner, _ in runs:
        lo, hi = _run(key, base, inner)
        within += running[hi] - running[lo]
        point_runs.append((lo.astype(np.int32), hi.astype(np.int32)))
    core = within >= min_people
    labels = np.full(n, NOISE, dtype=np.intp)
    if not core.any():
        return labels
    cores = np.flatnonzero(core)
    position = np.full(n, -1, dtype=np.int64)
    position[cores] = np.arange(len(cores))
    # edges between core positions: each core point to the first core point of each of its runs, each run's core
    # points one to the next (a gap between neighbours k, k + 1 covered by some run), and the band's core pairs
    cores_before = np.concatenate([[0], np.cumsum(core)])  # a run's points [lo, hi) hold cores [before[lo], before[hi])
    sources, targets = [position[band_a[core[band_a] & core[band_b]]]], [position[band_b[core[band_a] & core[band_b]]]]
    cover = np.zeros(len(cores) + 1, dtype=np.int64)
    core_runs = []
    for point_lo, point_hi in point_runs:
        lo, hi = cores_before[point_lo], cores_before[point_hi]
        core_runs.append((lo, hi))
        seen = cores[hi[cores] > lo[cores]]
        sources.append(position[seen])
        targets.append(lo[seen])
        cover += np.bincount(lo[seen], minlength=len(cores) + 1) - np.bincount(hi[seen] - 1, minlength=len(cores) + 1)
    chained = np.flatnonzero(np.cumsum(cover)[:-1] > 0)
    edges = np.column_stack([np.concatenate([*sources, chained]), np.concatenate([*targets, chained + 1])])
    labels[cores] = number_clusters(merged_components(edges, len(cores)))
    # border points: the lowest cluster number among the core points of their runs (and of their band pairs)
    border = np.flatnonzero(~core)
    if len(border):
        table = _minimum_table(labels[cores])
        best = np.full(n, n, dtype=np.intp)
        for lo, hi in core_runs:
            best[border] = np.minimum(best[border], _range_minimum(table, lo[border], hi[border], n))
        from_band = ~core[band_a] & core[band_b]
        np.minimum.at(best, band_a[from_band], labels[band_b[from_band]])
        joined = (best < n) & ~core
        labels[joined] = best[joined]
    return labels


def _run(key: np.ndarray, base: np.ndarray, inner: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per point, the [lo, hi) range of ``key`` (sorted cells) within ``inner`` columns of ``base`` (empty when
    ``inner`` is -1: no point of that row is within the radius)."""
    has = inner >= 0
    lo = np.searchsorted(key, base - inner)
    hi = np.searchsorted(key, base + inner, side="right")
    return np.where(has, lo, 0), np.where(has, hi, 0)


def _band_pairs(key: np.ndarray, runs: list[tuple[np.ndarray, np.ndarray, np.ndarray]]
                ) -> tuple[np.ndarray, np.ndarray]:
    """The (point, point) pairs whose column difference lies beyond the inner width but within the outer one, both
    ways (each pair found from each of its points)."""
    found_a, found_b = [np.empty(0, dtype=np.intp)], [np.empty(0, dtype=np.intp)]
    for base, inner, outer in runs:
        points = np.flatnonzero(outer > inner)
        for point in points:  # rare: a cell at the radius itself, to a billionth
            for width in range(max(int(inner[point]), -1) + 1, int(outer[point]) + 1):
                for wanted in {base[point] - width, base[point] + width}:
                    at = int(np.searchsorted(key, wanted))
                    if at < len(key) and key[at] == wanted:
                        found_a.append(np.array([point], dtype=np.intp))
                        found_b.append(np.array([at], dtype=np.intp))
    return np.concatenate(found_a), np.concatenate(found_b)


def _minimum_table(values: np.ndarray) -> np.ndarray:
    """A sparse table of ``values``: row k holds the minimum of each run of 2**k values from each position."""
    n = len(values)
    table = np.zeros((max(int(n).bit_length(), 1), n), dtype=np.int64)
    table[0] = values
    for k in range(1, len(table)):
        half = 1 << (k - 1)
        table[k, : n - 2 * half + 1] = np.minimum(table[k - 1, : n - 2 * half + 1], table[k - 1, half: n - half + 1])
    return table


def _range_minimum(table: np.ndarray, lo: np.ndarray, hi: np.ndarray, empty: int) -> np.ndarray:
    """The minimum of each range [lo, hi) of the values of ``table`` (``_minimum_table``), ``empty`` for an empty
    range: two overlapping runs of a power of two."""
    length = hi - lo
    nonempty = length > 0
    level = np.zeros(len(lo), dtype=np.int64)
    level[nonempty] = np.log2(length[nonempty]).astype(np.int64)  # exact for whole numbers below 2**31
    left = table[level, np.where(nonempty, lo, 0)]
    right = table[level, np.where(nonempty, hi - (1 << level), 0)]
    return np.where(nonempty, np.minimum(left, right), empty)
