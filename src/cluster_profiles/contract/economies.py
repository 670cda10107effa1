"""Economy codes as the clusters table writes them ('CN/HK', 'TW*')."""

from __future__ import annotations


def economy_codes(code: str) -> list[str]:
    """'CN/HK' -> ['CN', 'HK']; 'TW*' -> ['TW'] (the GII table marks Taiwan with a footnote star)."""
    return [part.rstrip("*") for part in code.split("/")]


def primary_economy(code: str) -> str:
    """The economy a cluster counts for in 'out of N <adjective> clusters' (first code)."""
    return economy_codes(code)[0]
