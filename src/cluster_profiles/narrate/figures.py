"""Charts: first the data behind each chart (tested in pytest), then the seaborn figure.

nbval does not compare PNGs, so the tests check ``*_chart_data``; the drawing functions only draw.
Figures have fixed sizes and no timestamps, so the same data gives the same bytes.
"""

from __future__ import annotations

import base64
import io
import textwrap

import matplotlib

matplotlib.use("Agg")  # reports are rendered headless; JupyterLab shows the same <img>

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns
from markupsafe import Markup
from matplotlib.container import BarContainer

from cluster_profiles.contract.economies import primary_economy
from cluster_profiles.narrate.narrative import thousands

matplotlib.rcParams["text.parse_math"] = False  # names are text, never TeX: see style

FIGURE_DPI = 100
TITLE_CHARACTERS = 80  # a title line at 12 pt fits a 7.5-inch figure
REMAINDER_FIELD = "Other"
PALETTE = {"highlight": "#1f5f8b", "remainder": "#b8b8b8", "muted": "#9cc3dd",
           "accent": "#d55e00",  # Okabe-Ito vermillion, told apart from the blue with any colour vision
           "decline": "#c0504d", "second": "#e08a3c"}  # the overview's fall in rank; its second series


def organisation_chart_data(top: pd.DataFrame) -> pd.DataFrame | None:
    """Bars for a top-organisations list: shares if every row has one, else counts, else None.

    Labels carry the rank ('3. NAME') so that an organisation listed twice stays two bars; a row the
    source lists without an order has no rank and its bare name.
    """
    if top.empty:
        return None
    for column, measure in [("share_pct", "share"), ("count", "count")]:
        if top[column].notna().all():
            return pd.DataFrame({
                "label": [str(n) if pd.isna(r) else f"{r}. {n}" for r, n in zip(top["rank"], top["organisation"])],
                "value": top[column].astype(float).to_numpy(),
                "measure": measure,
            })
    return None


def field_chart_data(fields: dict[str, pd.DataFrame]) -> pd.DataFrame | None:
    """Long table of field shares for patents and articles; None when no list has every share."""
    frames = []
    for output, table in fields.items():
        if table.empty or table["share_pct"].isna().any():
            continue
        frames.append(pd.DataFrame({
            "output": output,
            "field": table["field"].to_numpy(),
            "share_pct": table["share_pct"].astype(float).to_numpy(),
            "remainder": (table["field"] == REMAINDER_FIELD).to_numpy(),
        }))
    return pd.concat(frames, ignore_index=True) if frames else None


def collaboration_chart_data(shares: dict[str, float | None]) -> pd.DataFrame | None:
    rows = [{"output": output, "share_pct": float(share)} for output, share in shares.items() if share is not None]
    return pd.DataFrame(rows) if rows else None


def organisation_alt(data: pd.DataFrame, organisations: str, cluster: str, year: int, noun: str) -> str:
    """The organisations chart for a reader who cannot see it: what it shows and every bar's value."""
    share = data["measure"].iloc[0] == "share"
    what = "share of the cluster's" if share else "number of"
    return (f"Horizontal bar chart of the {organisations} in {cluster}, GII {year}, by {what} {noun}: "
            + "; ".join(f"{label} {value:g}{'%' if share else ''}" for label, value in zip(data["label"], data["value"])))


def field_alt(data: pd.DataFrame, headings: dict[str, str]) -> str:
    """The field charts in words: each output's fields and shares, in the charts' order."""
    return "Horizontal bar charts of the top fields by share: " + " | ".join(
        headings[output] + ": " + "; ".join(f"{f} {s:g}%" for f, s in zip(group["field"], group["share_pct"]))
        for output, group in data.groupby("output", sort=False))


def collaboration_alt(data: pd.DataFrame, labels: dict[str, str], cluster: str) -> str:
    """The collaboration chart in words: each output's share produced in collaboration."""
    return (f"Bar chart of the share of {cluster}'s output produced in collaboration: "
            + "; ".join(f"{labels[o]} {s:g}%" for o, s in zip(data["output"], data["share_pct"])))


def peer_alt(data: pd.DataFrame, cluster: str, where: str) -> str:
    """The peer chart in words: every cluster drawn with its size rank. ``where`` names whose ranks they are
    ("GII 2024", or "these records" for a computed folder)."""
    return (f"Dot chart of size ranks in {where}, {cluster} highlighted: "
            + "; ".join(f"{c} {r}" for c, r in zip(data["cluster"], data["size_rank"])))


def figure_html(fig: plt.Figure, alt: str, caption: str) -> Markup:
    # The charts lay themselves out once (tight_layout), which leaves a placeholder layout engine on the
    # figure; with it, savefig draws the whole figure once more before the real draw. Without it, the
    # same pixels with one draw less (about a third of savefig's time).
    fig.set_layout_engine(None)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=FIGURE_DPI, metadata={"Software": None})
    plt.close(fig)
    width, height = (int(v) for v in fig.get_size_inches() * FIGURE_DPI)
    encoded = base64.b64encode(buffer.getvalue()).decode("ascii")
    return Markup('<figure class="chart"><img src="data:image/png;base64,{}" alt="{}" width="{}" height="{}">'
                  "<figcaption>{}</figcaption></figure>").format(encoded, alt, width, height, caption)


def style() -> None:
    sns.set_theme(style="whitegrid", context="notebook", font="DejaVu Sans")
    # Names are text, never mathtext: a '$' pair in an organisation's name would otherwise be parsed
    # as TeX and can fail to draw ('$\\frac{1}{0$'), taking the whole report down.
    matplotlib.rcParams["text.parse_math"] = False


def organisation_chart(data: pd.DataFrame, title: str, alt: str) -> Markup:
    style()
    fig, ax = plt.subplots(figsize=(7.5, 0.55 * len(data) + 1.2))
    sns.barplot(data=data, y="label", x="value", color=PALETTE["highlight"], ax=ax, orient="h", errorbar=None)
    share = data["measure"].iloc[0] == "share"
    ax.set_xlabel("Share of the cluster's total (%)" if share else "Count")
    ax.set_ylabel("")
    ax.set_title(title, loc="left", fontsize=12)
    for container in ax.containers:
        assert isinstance(container, BarContainer)  # a barplot's containers hold bars (narrows the type)
        ax.bar_label(container, labels=[f"{v:g}%" if share else f"{v:,.0f}" for v in data["value"]], padding=3)
    ax.margins(x=0.15)
    fig.tight_layout()
    return figure_html(fig, alt, title)


def field_chart(data: pd.DataFrame, titles: dict[str, str], alt: str, caption: str) -> Markup:
    style()
    outputs = list(dict.fromkeys(data["output"]))
    rows = max(len(data[data["output"] == o]) for o in outputs)
    fig, axes = plt.subplots(1, len(outputs), figsize=(5.2 * len(outputs), 0.42 * rows + 1.3), squeeze=False)
    for ax, output in zip(axes[0], outputs):
        part = data[data["output"] == output]
        colours = [PALETTE["remainder"] if r else PALETTE["highlight"] for r in part["remainder"]]
        sns.barplot(data=part, y="field", x="share_pct", hue="field", palette=colours, legend=False, ax=ax, orient="h", errorbar=None)
        ax.set_title(titles[output], loc="left", fontsize=12)
        ax.set_xlabel("Share (%)")
        ax.set_ylabel("")
        for container, value in zip(ax.containers, part["share_pct"]):
            ax.bar_label(container, labels=[f"{value:g}%"], padding=3)
        ax.margins(x=0.2)
    fig.tight_layout()
    return figure_html(fig, alt, caption)


def collaboration_chart(data: pd.DataFrame, labels: dict[str, str], alt: str, caption: str) -> Markup:
    style()
    fig, ax = plt.subplots(figsize=(7.5, 0.7 * len(data) + 1.2))
    shown = data.assign(label=[labels[o] for o in data["output"]])
    ax.barh(shown["label"], [100] * len(shown), color=PALETTE["remainder"], label="Not in collaboration")
    ax.barh(shown["label"], shown["share_pct"], color=PALETTE["highlight"], label="In collaboration")
    for y, value in enumerate(shown["share_pct"]):
        ax.text(min(value, 88) + 1.5, y, f"{value:g}%", va="center", color="black")
    ax.set_xlim(0, 100)
    ax.invert_yaxis()
    ax.set_xlabel("Share (%)")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, frameon=False)
    fig.tight_layout()
    return figure_html(fig, alt, caption)


def peer_chart_data(peers: pd.DataFrame, neighbours: pd.DataFrame, cluster: str) -> pd.DataFrame | None:
    """Size ranks of the cluster, its economy's clusters and its ranking neighbours (known ranks only)."""
    frames = [peers.assign(group="same economy"), neighbours.assign(group="ranked nearby")]
    rows = pd.concat(frames, ignore_index=True).dropna(subset=["size_rank"])
    rows = rows.drop_duplicates("cluster").sort_values("size_rank")
    if len(rows) < 2:
        return None
    return pd.DataFrame({
        "cluster": rows["cluster"].to_numpy(),
        "size_rank": rows["size_rank"].astype(int).to_numpy(),
        "this": (rows["cluster"] == cluster).to_numpy(),
    })


def peer_chart(data: pd.DataFrame, title: str, alt: str, caption: str) -> Markup:
    style()
    fig, ax = plt.subplots(figsize=(7.5, 0.32 * len(data) + 1.4))
    colours = [PALETTE["highlight"] if this else PALETTE["muted"] for this in data["this"]]
    ax.hlines(data["cluster"], 1, data["size_rank"], color="#dddddd", linewidth=1)
    ax.scatter(data["size_rank"], data["cluster"], c=colours, s=60, zorder=3)
    for y, (rank, this) in enumerate(zip(data["size_rank"], data["this"])):
        ax.annotate(f"{rank}", (rank, y), xytext=(7, 0), textcoords="offset points", va="center",
                    fontweight="bold" if this else "normal")
    ax.set_xlim(0, max(105, int(data["size_rank"].max()) + 10))  # room for the label of a rank past 100
    ax.invert_yaxis()
    ax.set_xlabel("Size rank (1 = largest)")
    # over the whole figure, from its left edge and wrapped: a long cluster name must not run off the figure
    fig.suptitle(textwrap.fill(title, TITLE_CHARACTERS), x=0.01, ha="left", fontsize=12)
    fig.tight_layout()
    return figure_html(fig, alt, caption)


# ------------------------------------------------------------------------- the edition overview
# Each chart: its data (a tidy frame, tested), its alt text (from that data alone, tested) and a
# drawing function that only draws.


def rank_strip_chart_data(ranking: pd.DataFrame, column: str) -> pd.DataFrame | None:
    """Where each economy's clusters sit in a ranking: one row per cluster with a known rank, in rank
    order, with its primary economy and the economy's row in the chart (by its best rank). None below two."""
    ranked = ranking.dropna(subset=[column])
    if len(ranked) < 2:
        return None
    data = pd.DataFrame({"cluster": ranked["cluster"].to_numpy(),
                         "economy": [primary_economy(c) for c in ranked["economy"]],
                         "rank": ranked[column].astype(int).to_numpy()})
    order = data.groupby("economy")["rank"].min().sort_values().index.tolist()
    return data.assign(row=[order.index(e) for e in data["economy"]])


def rank_strip_alt(data: pd.DataFrame, label: str, where: str) -> str:
    economies = data.drop_duplicates("row").sort_values("row")["economy"]
    return f"Dot chart of the known {label} ranks of {where} by economy: " + "; ".join(
        f"{e} " + ", ".join(str(r) for r in data.loc[data["economy"] == e, "rank"]) for e in economies)


def draw_rank_strip(data: pd.DataFrame, title: str, xlabel: str, alt: str, caption: str) -> Markup:
    economies = data.drop_duplicates("row").sort_values("row")["economy"].tolist()
    style()
    fig, ax = plt.subplots(figsize=(7.5, 0.32 * len(economies) + 1.4))
    ax.scatter(data["rank"], data["row"], color=PALETTE["highlight"], s=36, zorder=3)
    ax.set_yticks(range(len(economies)), economies)
    ax.set_xlim(0, 101)
    ax.invert_yaxis()
    ax.set_xlabel(xlabel)
    ax.set_title(title, loc="left", fontsize=12)
    fig.tight_layout()
    return figure_html(fig, alt, caption)


def venture_capital_chart_data(venture_capital: pd.DataFrame) -> pd.DataFrame | None:
    """Clusters whose share of all venture-capital deals a source states, largest first; None below two."""
    shares = venture_capital.dropna(subset=["vc_share_pct"])
    if len(shares) < 2:
        return None
    data = pd.DataFrame({"cluster": shares["cluster"], "vc_share_pct": shares["vc_share_pct"].astype(float)})
    return data.sort_values("vc_share_pct", ascending=False).reset_index(drop=True)


def venture_capital_alt(data: pd.DataFrame, where: str) -> str:
    return f"Bar chart of the share of all venture-capital deals, {where}: " + "; ".join(
        f"{c} {v:g}%" for c, v in zip(data["cluster"], data["vc_share_pct"]))


def economies_chart_data(per_economy: pd.DataFrame) -> pd.DataFrame | None:
    """Economies with a stated count of top-100 clusters, in the table's order; None when there is none."""
    stated = per_economy.dropna(subset=["stated_count"])
    if stated.empty:
        return None
    return pd.DataFrame({"name": stated["name"], "stated_count": stated["stated_count"].astype(int)}).reset_index(
        drop=True)


def economies_alt(data: pd.DataFrame, what: str) -> str:
    """``what``: the clusters counted and whose ("top-100 clusters per economy in GII 2024")."""
    return f"Bar chart of {what}: " + "; ".join(
        f"{n} {c}" for n, c in zip(data["name"], data["stated_count"]))


def concentration_alt(data: pd.DataFrame, where: str, patents: str = "PCT applications") -> str:
    """``data`` is the concentration table itself (size_rank, cluster, cumulative shares); ``patents``: what the
    folder's patent documents are called."""
    last = data.iloc[-1]
    return (f"Line chart of cumulative shares for the top {len(data)} clusters of {where}: {patents} "
            f"reach {last['cumulative_pct_share']:g}% and scientific articles {last['cumulative_pub_share']:g}%")


def draw_concentration(data: pd.DataFrame, title: str, alt: str, caption: str) -> Markup:
    style()
    fig, ax = plt.subplots(figsize=(7.5, 3.6))
    ax.plot(data["size_rank"], data["cumulative_pct_share"], marker="o", color=PALETTE["highlight"],
            label="PCT applications")
    ax.plot(data["size_rank"], data["cumulative_pub_share"], marker="s", color=PALETTE["second"],
            label="Scientific articles")
    ax.set_xlabel("Top N clusters by size")
    ax.set_ylabel("Cumulative share (%)")
    ax.legend(frameon=False)
    ax.set_title(title, loc="left", fontsize=12)
    fig.tight_layout()
    return figure_html(fig, alt, caption)


def rank_changes_alt(data: pd.DataFrame, year: int) -> str:
    """``data`` is the rank-changes table itself (cluster, previous_rank, size_rank, change, basis)."""
    return f"Bar chart of size-rank changes since GII {year - 1}: " + "; ".join(
        f"{c} {v:+d}" for c, v in zip(data["cluster"], data["change"]))


def draw_bars(data: pd.DataFrame, x: str, y: str, xlabel: str, title: str, alt: str, caption: str,
              diverging: bool = False) -> Markup:
    """Horizontal bars of ``x`` per ``y`` in the data's order; ``diverging``: gains and losses in two colours."""
    style()
    fig, ax = plt.subplots(figsize=(7.5, 0.3 * len(data) + 1.3))
    if diverging:
        colours = [PALETTE["highlight"] if v >= 0 else PALETTE["decline"] for v in data[x]]
        ax.barh(data[y], data[x], color=colours)
        ax.axvline(0, color="#555555", linewidth=0.8)
        ax.invert_yaxis()
    else:
        sns.barplot(data=data, y=y, x=x, color=PALETTE["highlight"], ax=ax, orient="h")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("")
    ax.set_title(title, loc="left", fontsize=12)
    fig.tight_layout()
    return figure_html(fig, alt, caption)


# ------------------------------------------------------------------------- a clustering run's sizes
# The find-clusters page's chart: each cluster's world share of PCT applications and of articles, stacked.


def cluster_sizes_chart_data(sizes: pd.DataFrame, top: int = 30) -> pd.DataFrame | None:
    """The ``top`` first clusters of ``sizes`` (``cluster``, ``economy``, ``pct_share_pct``, ``pub_share_pct``, in
    size order) as bars labelled 'Name (economy)', a missing share as 0; None when there is no cluster."""
    if sizes.empty:
        return None
    shown = sizes.head(top)
    pct = shown["pct_share_pct"].astype(float).fillna(0).round(3).to_numpy()
    pub = shown["pub_share_pct"].astype(float).fillna(0).round(3).to_numpy()
    return pd.DataFrame({"label": [f"{c} ({e})" for c, e in zip(shown["cluster"], shown["economy"])],
                         "pct_share_pct": pct, "pub_share_pct": pub, "total_share_pct": (pct + pub).round(3)})


CLUSTER_SIZE_NOUNS = ("PCT applications", "scientific articles")  # the kinds' standard words; records may have others


def cluster_sizes_alt(data: pd.DataFrame, nouns: tuple[str, str] = CLUSTER_SIZE_NOUNS) -> str:
    """The sizes chart in words: every bar's two shares and their sum, largest first (``nouns``: what the records
    call their patent documents and their articles)."""
    return (f"Horizontal stacked bars of the {len(data)} largest clusters' world shares, {nouns[0]} then "
            f"{nouns[1]}: " + "; ".join(
                f"{label} {pct:g}% + {pub:g}% = {total:g}%" for label, pct, pub, total in
                zip(data["label"], data["pct_share_pct"], data["pub_share_pct"], data["total_share_pct"])))


def draw_cluster_sizes(data: pd.DataFrame, alt: str, caption: str,
                       nouns: tuple[str, str] = CLUSTER_SIZE_NOUNS) -> Markup:
    style()
    fig, ax = plt.subplots(figsize=(7.5, 0.3 * len(data) + 1.4))
    ax.barh(data["label"], data["pct_share_pct"], color=PALETTE["highlight"], label=nouns[0][:1].upper() + nouns[0][1:])
    ax.barh(data["label"], data["pub_share_pct"], left=data["pct_share_pct"], color=PALETTE["second"],
            label=nouns[1][:1].upper() + nouns[1][1:])
    ax.invert_yaxis()
    ax.set_xlabel("Share of the world's documents in the window (%)")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, frameon=False)
    fig.tight_layout()
    return figure_html(fig, alt, caption)


# ------------------------------------------------------------------------------- the comparison
# Each chart: its data (from the comparison's tables, tested), its alt text (from that data alone) and
# a drawing function that only draws.


def per_million_chart_data(per_million: pd.DataFrame, clusters: list[str]) -> pd.DataFrame | None:
    """Figures per 1 million inhabitants, long: one row per (figure, cluster) whose value the data holds,
    for the figures known for two clusters or more; None when there is none. ``per_million`` has one row
    per figure (its name in ``figure``) and one column of values per cluster, None where unknown."""
    rows = []
    for _, figure in per_million.iterrows():
        known = [(cluster, figure[cluster]) for cluster in clusters
                 if figure[cluster] is not None and not pd.isna(figure[cluster])]
        if len(known) >= 2:
            rows += [{"figure": figure["figure"], "cluster": c, "per_million": float(v)} for c, v in known]
    return pd.DataFrame(rows) if rows else None


def per_million_alt(data: pd.DataFrame) -> str:
    """The per-million charts in words: each figure's value for every cluster drawn."""
    return "Bar charts of figures per 1 million inhabitants: " + " | ".join(
        f"{figure}: " + "; ".join(f"{c} {thousands(v)}" for c, v in zip(g["cluster"], g["per_million"]))
        for figure, g in data.groupby("figure", sort=False))


def draw_per_million(data: pd.DataFrame, cluster_count: int, alt: str, caption: str) -> Markup:
    """One bar chart per figure, side by side, each as tall as ``cluster_count`` bars."""
    style()
    shown = list(dict.fromkeys(data["figure"]))
    fig, axes = plt.subplots(1, len(shown), figsize=(4.6 * len(shown) + 0.6, 0.45 * cluster_count + 1.4),
                             squeeze=False)
    for ax, figure in zip(axes[0], shown):
        part = data[data["figure"] == figure]
        sns.barplot(data=part, y="cluster", x="per_million", color=PALETTE["highlight"], ax=ax, orient="h",
                    errorbar=None)
        ax.set_title(figure, loc="left", fontsize=11)
        ax.set_xlabel("Per 1 million inhabitants")
        ax.set_ylabel("")
        for container in ax.containers:
            ax.bar_label(container, labels=[thousands(v) for v in part["per_million"]], padding=3)
        ax.margins(x=0.25)
    fig.tight_layout()
    return figure_html(fig, alt, caption)


def rank_history_chart_data(history: pd.DataFrame) -> pd.DataFrame | None:
    """The size ranks to draw from the comparison's rank history (one row per cluster and edition):
    one point per (cluster, edition) with a rank; None when there is none."""
    ranked = history.dropna(subset=["size_rank"])
    if ranked.empty:
        return None
    return pd.DataFrame({"cluster": ranked["cluster"].to_numpy(), "edition": ranked["edition"].astype(int).to_numpy(),
                         "size_rank": ranked["size_rank"].astype(int).to_numpy()})


def rank_history_alt(data: pd.DataFrame, editions: str = "GII edition") -> str:
    """The rank lines in words: each cluster's size rank in every edition drawn (``editions``: what an edition is
    called, "edition" for a computed folder's)."""
    return f"Line chart of size ranks by {editions}: " + "; ".join(
        f"{c} " + ", ".join(f"{e} {r}" for e, r in zip(g["edition"], g["size_rank"]))
        for c, g in data.groupby("cluster", sort=False))


def draw_rank_history(data: pd.DataFrame, editions: list[int], title: str, alt: str, caption: str,
                      edition_label: str = "GII edition") -> Markup:
    """One line of size ranks per cluster across ``editions``, rank 1 at the top, each point labelled."""
    style()
    fig, ax = plt.subplots(figsize=(7.5, 4.2))
    clusters = list(dict.fromkeys(data["cluster"]))
    palette = dict(zip(clusters, sns.color_palette("colorblind", len(clusters))))
    sns.lineplot(data=data, x="edition", y="size_rank", hue="cluster", hue_order=clusters, palette=palette,
                 marker="o", markersize=8, ax=ax, sort=True)
    for cluster, edition, rank in data.itertuples(index=False):
        ax.annotate(str(rank), (edition, rank), xytext=(6, 4), textcoords="offset points", color=palette[cluster])
    ax.set_xticks(editions, [str(e) for e in editions])
    ax.set_xlim(editions[0] - 0.3, editions[-1] + 0.3)
    ax.invert_yaxis()
    ax.set_xlabel(edition_label)
    ax.set_ylabel("Size rank (1 = largest)")
    ax.legend(title="", frameon=False, loc="center left", bbox_to_anchor=(1.0, 0.5))
    ax.set_title(title, loc="left", fontsize=12)
    fig.tight_layout()
    return figure_html(fig, alt, caption)
