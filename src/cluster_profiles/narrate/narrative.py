"""The report's sentences, generated from values (never typed by hand).

Every function is pure: values in, ``markupsafe.Markup`` (escaped HTML) out. Any text taken from
the data passes through ``Markup.format``, which escapes it, so a hostile name stays text.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup
from num2words import num2words

from cluster_profiles.contract.vocabulary import OUTPUTS, plural


def ordinal_words(n: int) -> str:
    """12 -> 'twelfth' (used for the rank within an economy, as in the GII profiles)."""
    return num2words(int(n), lang="en", to="ordinal")


def ordinal_number(n: int) -> str:
    """36 -> '36th' (used for global ranks)."""
    return num2words(int(n), lang="en", to="ordinal_num")


def cardinal_words(n: int) -> str:
    return num2words(int(n), lang="en")


def thousands(value: float) -> str:
    """7921 -> '7,921'; counts in the data are whole numbers."""
    return f"{round(value):,}"


def percent(value: float) -> str:
    """54 -> '54%'; 22.7 -> '22.7%' (as many decimals as the source gave)."""
    return f"{value:g}%"


def join_words(items: Sequence[Markup | str]) -> Markup:
    """['A', 'B', 'C'] -> 'A, B and C' (no serial comma, as in the GII profiles)."""
    escaped = [Markup.escape(i) for i in items]
    if len(escaped) <= 1:
        return Markup("").join(escaped)
    return Markup(", ").join(escaped[:-1]) + Markup(" and ") + escaped[-1]


def bold(text: str) -> Markup:
    return Markup("<strong>{}</strong>").format(text)


def possessive(name: str) -> str:
    return f"{name}'s"


def lead_sentence(cluster: str, edition: int, *, economy_rank: int | None, economy_count: int | None,
                  adjective: str, in_top100: bool | None) -> Markup:
    """The opening sentence, adapted to what is known about the cluster's place in its economy."""
    if in_top100 is False:  # a source names it below the top 100: no rank or count among them applies
        return Markup("{} is not among the top 100 S&amp;T clusters in {}.").format(cluster, edition)
    if economy_count == 1 and in_top100:
        return Markup("{} is the only {} cluster that falls within the top 100 S&amp;T clusters in {}.").format(
            cluster, adjective, edition)
    if economy_rank is not None and economy_count is not None:
        return Markup("{} is the {}-ranked cluster, out of {} {} clusters, that falls within the top 100 "
                      "S&amp;T clusters in {}.").format(cluster, ordinal_words(economy_rank), economy_count,
                                                    adjective, edition)
    if economy_rank is not None:
        return Markup("{} is the {}-ranked {} cluster within the top 100 S&amp;T clusters in {}.").format(
            cluster, ordinal_words(economy_rank), adjective, edition)
    if in_top100 and economy_count is not None:
        return Markup("{} is one of {} {} clusters that fall within the top 100 S&amp;T clusters in {}.").format(
            cluster, economy_count, adjective, edition)
    if in_top100:
        return Markup("{} is one of the top 100 S&amp;T clusters in {}.").format(cluster, edition)
    return Markup("{} appears in the GII {} data; whether it is among the top 100 S&amp;T clusters "
                  "by size is not recorded.").format(cluster, edition)


IN_THESE_RECORDS = "in these records"  # where a computed cluster ranks: among the clusters its records hold


def records_lead_sentence(cluster: str, *, economy_rank: int | None, economy_count: int | None, adjective: str,
                          ranked: bool) -> Markup:
    """The opening sentence of a cluster computed from records: its place among the clusters those records hold,
    never a claim about WIPO's ranking."""
    if not ranked:
        return Markup("{} is a cluster found in these records, below the ones they rank.").format(cluster)
    if economy_count == 1:
        return Markup("{} is the only {} cluster ranked among the clusters in these records.").format(cluster, adjective)
    if economy_rank is not None and economy_count is not None:
        return Markup("{} is the {}-largest of the {} {} clusters ranked in these records.").format(
            cluster, ordinal_words(economy_rank), economy_count, adjective)
    return Markup("{} is one of the clusters ranked in these records.").format(cluster)


def output_sentence(*, pct: float | None, articles: float | None, vc_deals: float | None,
                    per_million: bool, windows: dict[str, str | None], continues: bool,
                    nouns: dict[str, tuple[str, str]] | None = None, basis: str | None = None) -> Markup | None:
    """'It filed **692 PCT applications** and published **7,921 scientific articles**, both per 1
    million inhabitants over the last five years, making it the:' and its variants. ``nouns`` (output: one, many)
    names the documents as the records do; ``basis`` says what a total counts (a computed folder's counting)."""
    nouns = {"patents": ("PCT application", "PCT applications"),
             "articles": ("scientific article", "scientific articles"), **(nouns or {})}
    parts: list[Markup] = []
    if pct is not None:
        parts.append(Markup("filed {}").format(bold(f"{thousands(pct)} {plural(pct, *nouns['patents'])}")))
    if articles is not None:
        parts.append(Markup("published {}").format(
            bold(f"{thousands(articles)} {plural(articles, *nouns['articles'])}")))
    if vc_deals is not None:
        parts.append(Markup("received {}").format(
            bold(f"{thousands(vc_deals)} venture-capital {plural(vc_deals, 'deal')}")))
    if not parts:
        return None
    sentence = Markup("It ") + join_words(parts)
    if per_million:
        scope = {1: "", 2: "both ", 3: "all "}[len(parts)]
        over = "in the records' windows" if basis else "over the last five years"  # a computed folder's own windows
        sentence += Markup(", {}per 1 million inhabitants {}").format(scope, over)
    else:
        candidates = [
            basis if basis and (pct is not None or articles is not None) else None,
            f"{nouns['patents'][1]} {windows['pct']}" if pct is not None and windows.get("pct") else None,
            f"articles {windows['articles']}" if articles is not None and windows.get("articles") else None,
            f"venture-capital deals {windows['vc_deals']}" if vc_deals is not None and windows.get("vc_deals") else None]
        spans = [s for s in candidates if s]
        sentence += Markup(", in total")
        if spans:
            sentence += Markup(" ({})").format("; ".join(spans))
    return sentence + (Markup(", making it the:") if continues else Markup("."))


def rank_move(before: int, after: int) -> str:
    """11 -> 9: 'up 2 places'; 3 -> 4: 'down 1 place'; 5 -> 5: 'unchanged'."""
    places = before - after
    if places == 0:
        return "unchanged"
    return f"{'up' if places > 0 else 'down'} {abs(places)} {plural(abs(places), 'place')}"


def size_rank_line(rank: int, edition: int, *, computed: bool = False) -> str:
    if computed:
        return (f"largest cluster {IN_THESE_RECORDS}" if rank == 1
                else f"{ordinal_number(rank)} largest cluster {IN_THESE_RECORDS}")
    if rank == 1:
        return f"largest science and technology cluster in {edition}"
    return f"{ordinal_number(rank)} largest science and technology cluster in {edition}"


def rank_sentence(lines: Sequence[str], subject: str = "It") -> Markup:
    """Rank lines as a sentence: 'It is the 95th largest science and technology cluster in 2024.'"""
    return Markup("{} is the {}.").format(subject, join_words(lines))


def intensity_rank_line(rank: int, edition: int, *, computed: bool = False) -> str:
    if computed:
        return f"{ordinal_number(rank)} cluster by intensity (relative to population) {IN_THESE_RECORDS}"
    return f"{ordinal_number(rank)} S&T cluster by intensity (relative to population density) in {edition}"


COLLABORATION_WORDS = {  # output: (what, partners, partner when there is only one)
    "patents": ("PCT patent applications are filed in collaboration with other inventors",
                "emerging as the top collaborative locations", "emerging as the top collaborative location"),
    "articles": ("scientific articles are published in collaboration with other organizations",
                 "the top {n} collaborating locations being", "the top collaborating location being"),
}


def collaboration_sentence(cluster: str, output: str, share: float | None, partners: Sequence[str],
                           noun: str | None = None) -> Markup | None:
    """'3% of Hefei's PCT patent applications are filed in collaboration with other inventors, with
    **A**, **B** and **C** emerging as the top collaborative locations.' and its variants."""
    what, several_words, one_words = COLLABORATION_WORDS[output]
    if noun is not None:  # the records' own word for their documents
        what = what.replace(OUTPUTS[output].noun, noun)
    partner_words = one_words if len(partners) == 1 else several_words
    partner_list = join_words([bold(p) for p in partners])
    if share is not None:
        sentence = Markup("{} of {} {}").format(percent(share), possessive(cluster), what)
        if not partners:
            return sentence + Markup(".")
        if output == "patents":
            return sentence + Markup(", with {} {}.").format(partner_list, partner_words)
        return sentence + Markup(", with {} {}.").format(
            partner_words.format(n=cardinal_words(len(partners))), partner_list)
    if partners:
        noun = noun or OUTPUTS[output].noun
        return Markup("{} top collaborating {} for {} {} {}; the share produced in collaboration "
                      "is not in the data.").format(possessive(cluster), plural(len(partners), "location"),
                                                     noun, plural(len(partners), "is", "are"), partner_list)
    return None


def venture_capital_sentence(cluster: str, *, deals: float | None, per_million: float | None,
                             share: float | None, rank: int | None, window: str | None) -> Markup | None:
    """'Seoul received **3.1%** of all venture-capital deals.' and its variants, from whichever of the
    four venture-capital figures are known; None when none is."""
    if deals is None and per_million is None and share is None and rank is None:
        return None
    parts: list[Markup] = []
    if deals is not None:
        received = bold(f"{thousands(deals)} venture-capital {plural(deals, 'deal')}")
        parts.append(Markup("received {} in total{}").format(
            received, Markup(" ({})").format(window) if window else ""))
        if per_million is not None:
            parts.append(Markup("{} per 1 million inhabitants").format(bold(thousands(per_million))))
    elif per_million is not None:
        parts.append(Markup("received {} per 1 million inhabitants").format(
            bold(f"{thousands(per_million)} venture-capital {plural(per_million, 'deal')}")))
    if share is not None:
        words = "of all venture-capital deals" if parts else "of all venture-capital deals worldwide"
        parts.append(Markup("{}{} {}").format("" if parts else "accounted for ", bold(percent(share)), words))
    sentences = []
    if parts:
        sentences.append(Markup("{} {}.").format(cluster, Markup(", ").join(parts)))
    if rank is not None:
        subject = "It" if parts else cluster
        sentences.append(Markup("{} is the {} cluster by venture-capital deals.").format(
            subject, bold(ordinal_number(rank))))
    return Markup(" ").join(sentences)
