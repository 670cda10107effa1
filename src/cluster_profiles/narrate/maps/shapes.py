"""The countries under the maps: Natural Earth shapes decoded from TopoJSON, and which shapes an economy is.

The shapes are Natural Earth 50m and 110m as shipped in the npm package ``world-atlas`` 2.0.2
(TopoJSON), committed under ``basemap/`` with their licence; see ``basemap/README.md``. Nothing is
downloaded at run time.
"""

from __future__ import annotations

import functools
import hashlib

from cluster_profiles.contract.economies import economy_codes
from cluster_profiles.contract.natural_earth import (  # the decoding is shared with the compute half
    BASEMAP_DIR,
    NATURAL_EARTH_SOURCE,
    Shape,
    basemap,
    decode_arcs,
    decode_topojson,
    iso_numeric_codes,
)

__all__ = ["BASEMAP_DIR", "NATURAL_EARTH_SOURCE", "Shape", "basemap", "basemap_digest", "decode_arcs",
           "decode_topojson", "economy_shape_ids", "iso_numeric_codes"]


def economy_shape_ids(economy: str) -> frozenset[str]:
    """The shapes of a cluster's economies: 'CN/HK' -> China and Hong Kong."""
    codes = iso_numeric_codes()
    return frozenset(codes[c] for c in economy_codes(economy) if c in codes)


@functools.cache
def basemap_digest() -> str:
    """Hash of the shipped shapes (the TopoJSON files and the country codes)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in BASEMAP_DIR.iterdir() if p.is_file()):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()
