"""How precise the records' addresses are, and whether each lies in the economy it declares.

Clusters depend on how finely the addresses were geocoded. On city centroids (every inventor of a city at
one point, the next city's point 30-100 km away) no cluster can span two cities, and radii below the distance
between the points all give the same clusters. ``address_precision`` measures, per kind, on how many
distinct points the located addresses sit and how far a point is from its nearest other point, and says when
that is too coarse for ``radius_km``.

A geocoder's error can also put an address in another country (an inventor's "Macau" placed in France) and
make a cluster labelled with the wrong economy. ``economy_mismatches`` finds the addresses whose point lies in
another economy than the one they declare, on Natural Earth's 1:50m countries (the shapes the maps draw),
with a tolerance of ``TOLERANCE_DEGREES`` for the shapes' borders; a point in no country (the sea,
a shape's simplified coast) is not counted as a mismatch.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import duckdb
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from cluster_profiles.compute.neighbours import EARTH_RADIUS_KM
from cluster_profiles.contract.natural_earth import Shape, basemap, iso_numeric_codes
from cluster_profiles.contract.vocabulary import RECORD_KINDS

FEW_POINTS_PEOPLE_PER_POINT = 100  # located addresses per distinct point from which "most people on few points"
SHARED_POINTS_PEOPLE_PER_POINT = 5  # from which the points are places people share rather than their addresses
NEAREST_SAMPLE = 200_000  # distinct points measured at most (a deterministic sample beyond)
CELL_DEGREES = 0.1  # the economy check tests cells of this size, not every point
# a cell is consistent with its declared economy when its centre or a point this far from it (in eight directions)
# lies in the economy: about 17 km north-south, 11 km east-west at 50°, more than the 1:50m borders' error and a
# town across a border, far less than a geocoding error that puts an address in another country
TOLERANCE_DEGREES = 0.15
SHAPES_RESOLUTION = "50m"


@dataclass(frozen=True)
class AddressPrecision:
    """The located addresses of one kind: how many, on how many distinct points (exact coordinates), and the
    median great-circle distance from a point to its nearest other point (None with fewer than two points)."""

    kind: str
    located: int
    points: int
    nearest_km_median: float | None
    sampled: bool  # the median was measured on NEAREST_SAMPLE points only

    @property
    def people_per_point(self) -> float:
        return self.located / self.points if self.points else 0.0

    def few_points(self) -> bool:
        """Most people on few points: as many addresses per point as a city's centroid would hold."""
        return self.points > 0 and self.people_per_point >= FEW_POINTS_PEOPLE_PER_POINT

    def sparse(self, radius_km: float) -> bool:
        """Places shared by several people, farther apart than the radius: DBSCAN cannot chain one to the next.
        (Distinct points far apart are a thin sample, not coarse coordinates.)"""
        return (self.nearest_km_median is not None and self.nearest_km_median > radius_km
                and self.people_per_point >= SHARED_POINTS_PEOPLE_PER_POINT)

    def coarse(self, radius_km: float) -> bool:
        return self.few_points() or self.sparse(radius_km)

    def as_dict(self, radius_km: float) -> dict:
        return {**asdict(self), "people_per_point": round(self.people_per_point, 3),
                "few_points": self.few_points(), "sparse": self.sparse(radius_km), "coarse": self.coarse(radius_km)}


def nearest_median_km(lat: np.ndarray, lon: np.ndarray) -> tuple[float | None, bool]:
    """The median distance (km) from each point to its nearest other point, and whether it was sampled."""
    if len(lat) < 2:
        return None, False
    sampled = len(lat) > NEAREST_SAMPLE
    if sampled:
        keep = np.sort(np.random.default_rng(0).choice(len(lat), NEAREST_SAMPLE, replace=False))
        lat, lon = lat[keep], lon[keep]
    # points on the unit sphere: the nearest by chord is the nearest by great circle, and a k-d tree is fast
    phi, lam = np.radians(lat), np.radians(lon)
    xyz = np.column_stack([np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)])
    chords, _ = cKDTree(xyz).query(xyz, k=2, workers=-1)  # the points shared among the cores: the same answer
    angles = 2 * np.arcsin(np.clip(chords[:, 1] / 2, 0, 1))
    return float(np.median(angles) * EARTH_RADIUS_KM), sampled


def address_precision(con: duckdb.DuckDBPyConnection) -> dict[str, AddressPrecision]:
    """Per kind, the precision of the located addresses in the window (``address_rows``)."""
    found = {}
    for kind in RECORD_KINDS:
        located = con.execute("SELECT count(*) FROM address_rows WHERE kind = $kind", {"kind": kind}).fetchall()[0][0]
        distinct = con.execute("SELECT DISTINCT lat, lon FROM address_rows WHERE kind = $kind ORDER BY lat, lon",
                               {"kind": kind}).fetchnumpy()
        median, sampled = nearest_median_km(np.asarray(distinct["lat"], dtype=float),
                                            np.asarray(distinct["lon"], dtype=float))
        found[kind] = AddressPrecision(kind, int(located), len(distinct["lat"]), median, sampled)
    return found


def precision_warning(precision: AddressPrecision, noun: str, radius_km: float) -> str | None:
    """The summary's warning when a kind's addresses are too coarse for ``radius_km`` (None when they are not)."""
    if not precision.coarse(radius_km):
        return None
    reasons = []
    if precision.few_points():
        reasons.append(f"{precision.located:,} addresses on only {precision.points:,} distinct points "
                       f"({precision.people_per_point:,.0f} per point)")
    if precision.sparse(radius_km):
        reasons.append(f"a point's nearest other point is {precision.nearest_km_median:,.1f} km away (median), "
                       f"more than radius_km {radius_km:g}")
    return (f"the {noun}' coordinates look like city or institution centroids, too coarse for radius_km "
            f"{radius_km:g}: {'; '.join(reasons)}. Clusters spanning several cities cannot form, and radii below "
            "the distance between the points give the same clusters; finer geocoding would change that.")


def _inside(shapes: list[Shape], lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Which points lie in any of ``shapes`` (even-odd over each shape's rings, so holes are holes)."""
    from matplotlib.path import Path  # compiled point-in-polygon; matplotlib is a dependency of the project

    inside = np.zeros(len(lon), dtype=bool)
    for shape in shapes:
        lon_min, lat_min, lon_max, lat_max = shape.bbox
        near = (lon >= lon_min) & (lon <= lon_max) & (lat >= lat_min) & (lat <= lat_max)
        if not near.any():
            continue
        points = np.column_stack([lon[near], lat[near]])
        in_shape = np.zeros(int(near.sum()), dtype=bool)
        for ring in shape.rings:
            in_shape ^= Path(ring).contains_points(points)
        inside[np.flatnonzero(near)[in_shape]] = True
    return inside


@dataclass(frozen=True)
class EconomyMismatches:
    """The address rows whose point lies in another economy than the one they declare, per cell of
    ``CELL_DEGREES``: ``kind``, ``cell_lat``, ``cell_lon`` (the cell's centre), ``declared``, ``lies_in``, ``rows``."""

    cells: pd.DataFrame
    checked: int  # located address rows with a declared economy the shapes know
    dropped: bool

    @property
    def rows(self) -> int:
        return int(self.cells["rows"].sum()) if len(self.cells) else 0

    def as_dict(self) -> dict:
        return {"checked": self.checked, "rows": self.rows, "dropped": self.dropped,
                "cells": self.cells.to_dict(orient="records")}


def economy_mismatches(con: duckdb.DuckDBPyConnection, drop: bool) -> EconomyMismatches:
    """Check every located address's declared economy against the country its point lies in; with ``drop``,
    remove the mismatched rows from ``address_rows`` (their share then falls outside every cluster, as an
    address without coordinates does)."""
    codes = iso_numeric_codes()
    known = pd.DataFrame({"economy": list(codes), "shape_id": list(codes.values())})
    con.register("economy_shape_ids", known)
    cells = con.execute(
        "SELECT a.kind, CAST(round(a.lat / $cell) AS BIGINT) AS cell_i, CAST(round(a.lon / $cell) AS BIGINT) AS cell_j, "
        "s.economy AS declared, s.shape_id, count(*) AS rows FROM address_rows a "
        "JOIN economy_shape_ids s ON s.economy = upper(trim(a.economy)) "
        "GROUP BY ALL ORDER BY a.kind, cell_i, cell_j, declared", {"cell": CELL_DEGREES}).df()
    con.unregister("economy_shape_ids")
    columns = ["kind", "cell_lat", "cell_lon", "declared", "lies_in", "rows"]
    if cells.empty:
        return EconomyMismatches(pd.DataFrame(columns=columns), 0, drop)
    shapes = basemap(SHAPES_RESOLUTION)
    by_id: dict[str, list[Shape]] = {}
    for shape in shapes:
        by_id.setdefault(shape.id, []).append(shape)
    lat = cells["cell_i"].to_numpy() * CELL_DEGREES
    lon = cells["cell_j"].to_numpy() * CELL_DEGREES
    consistent = np.zeros(len(cells), dtype=bool)
    steps = (-TOLERANCE_DEGREES, 0.0, TOLERANCE_DEGREES)
    probes = [(0.0, 0.0)] + [(a, b) for a in steps for b in steps if (a, b) != (0.0, 0.0)]
    for shape_id, group in cells.groupby("shape_id").groups.items():
        rows = np.asarray(group)
        for d_lat, d_lon in probes:  # the centre first; the others only for cells still outside
            todo = rows[~consistent[rows]]
            if len(todo) == 0:
                break
            consistent[todo] |= _inside(by_id.get(str(shape_id), []), lon[todo] + d_lon, lat[todo] + d_lat)
    outside = np.flatnonzero(~consistent)
    lies_in = pd.Series(pd.NA, index=cells.index, dtype="object")
    alpha2 = {numeric: code for code, numeric in codes.items()}
    for shape in shapes:  # where the cells outside their declared economy are
        if len(outside) == 0:
            break
        found = _inside([shape], lon[outside], lat[outside])
        if found.any() and shape.id in alpha2:
            lies_in.iloc[outside[found]] = alpha2[shape.id]
            outside = outside[~found]
    cells["lies_in"] = lies_in
    cells["cell_lat"], cells["cell_lon"] = lat.round(4), lon.round(4)
    mismatched = cells[cells["lies_in"].notna() & (cells["lies_in"] != cells["declared"])]
    if drop and len(mismatched):
        con.register("mismatched_cells", mismatched[["kind", "cell_i", "cell_j", "declared"]])
        con.execute("DELETE FROM address_rows WHERE EXISTS (SELECT 1 FROM mismatched_cells m "
                    "WHERE address_rows.kind = m.kind AND CAST(round(address_rows.lat / $cell) AS BIGINT) = m.cell_i "
                    "AND CAST(round(address_rows.lon / $cell) AS BIGINT) = m.cell_j "
                    "AND upper(trim(address_rows.economy)) = m.declared)",
                    {"cell": CELL_DEGREES})
        con.unregister("mismatched_cells")
    return EconomyMismatches(mismatched[columns].reset_index(drop=True), int(cells["rows"].sum()), drop)


def mismatch_line(found: EconomyMismatches, examples: int = 3) -> str | None:
    """The summary's line on the addresses outside their declared economy (None when there are none)."""
    if found.rows == 0:
        return None
    pairs = (found.cells.groupby(["declared", "lies_in"], as_index=False)
             .agg(rows=("rows", "sum"), lat=("cell_lat", "first"), lon=("cell_lon", "first"))
             .sort_values(["rows", "declared", "lies_in"], ascending=[False, True, True]))
    shown = "; ".join(f"{r.rows:,} declared {r.declared} lie in {r.lies_in} (near {r.lat:.1f}, {r.lon:.1f})"
                      for r in pairs.head(examples).itertuples())
    more = f"; and {len(pairs) - examples:,} more pairs of economies" if len(pairs) > examples else ""
    action = ("dropped from the clusters (setting drop_economy_mismatch = true)" if found.dropped else
              "kept in the clusters (setting drop_economy_mismatch = false)")
    return (f"{found.rows:,} of {found.checked:,} located addresses lie in another economy than the one they declare "
            f"(Natural Earth 1:50m countries): {shown}{more}; {action}.")
