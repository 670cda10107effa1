"""The clusters table's figures as every page shows them: each column's label, how its value is
written, and which value a page may show at all (the profile's key figures, the comparison's)."""

from __future__ import annotations

from cluster_profiles.contract.folder_about import FolderAbout
from cluster_profiles.narrate import narrative
from cluster_profiles.narrate.profile import ClusterProfile

FIGURE_LABELS = {  # clusters.csv column: (label, how to show it)
    "size_rank": ("Size rank (top 100)", "rank"),
    "intensity_rank": ("Intensity rank", "rank"),
    "economy_rank": ("Rank within its economy", "rank"),
    "previous_rank": ("Previous rank, as stated by the source", "rank"),
    "pct_applications": ("PCT applications (total)", "count"),
    "scientific_publications": ("Scientific articles (total)", "count"),
    "vc_deals": ("Venture-capital deals (total)", "count"),
    "pct_per_million": ("PCT applications per 1 million inhabitants", "count"),
    "articles_per_million": ("Scientific articles per 1 million inhabitants", "count"),
    "vc_deals_per_million": ("Venture-capital deals per 1 million inhabitants", "count"),
    "pct_share_pct": ("Share of all PCT applications", "share"),
    "pub_share_pct": ("Share of all scientific articles", "share"),
    "vc_share_pct": ("Share of all venture-capital deals", "share"),
    "vc_rank": ("Rank by venture-capital deals", "rank"),
    "total_share_pct": ("Sum of the two shares", "share"),
    "growth_pct": ("Growth of S&T output", "growth"),
}
VENTURE_CAPITAL_FIGURES = frozenset(c for c in FIGURE_LABELS if c.startswith("vc_"))
# A computed folder ranks its own clusters and counts its own records: no "top 100", no share of the world
COMPUTED_LABELS = {
    "size_rank": "Size rank (in these records)",
    "pct_share_pct": "Share of the records' PCT applications",
    "pub_share_pct": "Share of the records' scientific articles",
}
TOTALS = {"pct_applications": "patents", "scientific_publications": "articles"}  # column: output, of a count


def figure_label(column: str, about: FolderAbout, window: str | None = None) -> str:
    """A figure's label as the folder's pages show it: a total names its window and, for a computed folder,
    its counting (what it counts, so that no other total on the page can disagree with it silently), and the
    records' own word for their documents."""
    label = FIGURE_LABELS[column][0]
    if about.computed:
        label = COMPUTED_LABELS.get(column, label)
        if column in TOTALS:
            label = label.replace("(total)", f"({about.counting} count)")
        for output, standard in (("patents", "PCT applications"), ("articles", "scientific articles")):
            counted = about.counted(output)
            label = label.replace(standard, counted).replace(standard.capitalize(), counted[:1].upper() + counted[1:])
    if window and column in TOTALS or window and column == "vc_deals":
        label = label[:-1] + f", {window})"
    return label


def format_figure(value, kind: str) -> str:
    return {"rank": lambda v: str(int(v)), "count": narrative.thousands,
            "share": narrative.percent, "growth": lambda v: f"{v:+g}%"}[kind](value)


def shown_value(profile: ClusterProfile, column: str):
    """A clusters.csv value as a page may show it: no venture-capital figure for an edition
    that does not measure venture capital."""
    if column in VENTURE_CAPITAL_FIGURES and not profile.edition.measures_venture_capital:
        return None
    return profile.value(column)
