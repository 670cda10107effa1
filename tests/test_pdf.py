"""PDFs of rendered pages, read back (pypdf): pages on A4 and Letter, the page's text, the CJK quotes' glyphs;
and what a failed, timed-out or killed print leaves behind (nothing but the previous PDF)."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

import pytest
from browsers import CHROMIUM
from bs4 import BeautifulSoup

from cluster_profiles.files import TEMPORARY_PREFIX
from cluster_profiles.runner import pdf

pytestmark = [pytest.mark.browser, pytest.mark.kernel]

if not CHROMIUM.exists():
    if os.environ.get("CI"):
        pytest.fail("CI must run the PDF tests: install Debian's chromium (.ci/run does)", pytrace=False)
    pytest.skip("Debian's chromium is not installed (apt-get install chromium)", allow_module_level=True)

from pypdf import PdfReader  # noqa: E402 - after the skip: a dev dependency, like the browser

POINTS_PER_INCH = 72
CJK = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0002fa1f]")
RADICALS = "\u2e80-\u2fdf"  # CJK Radicals Supplement, Kangxi Radicals
HIDDEN_IN_PRINT = "p.download, p.page-download, a.self-link, table.key-figures thead, style, script, title"  # thead: on screen too


def _page_copy(html: Path, folder: Path) -> Path:
    """The page alone in a folder of the test's (its PDF goes beside it)."""
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(html, folder / html.name))


def _text(reader: PdfReader) -> str:
    """The PDF's text in Unicode's compatibility form: a font may map a CJK character to its radical's code point
    (日 as U+2F47 KANGXI RADICAL SUN), which reads the same."""
    return unicodedata.normalize("NFKC", "\n".join(page.extract_text() for page in reader.pages))


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _printed_blocks(html: Path) -> list[str]:
    """The text of each paragraph, list item, heading, table cell and caption a reader of the printed page sees."""
    soup = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
    for hidden in soup.select(HIDDEN_IN_PRINT):
        hidden.decompose()
    blocks = []
    for element in soup.select("main :is(p, li, h1, h2, h3, td, th, figcaption)"):
        if element.find(["p", "li", "table", "ul", "ol"]):
            continue  # its own blocks are read one by one
        text = element.get_text(" ", strip=True)
        if text:
            blocks.append(text)
    return blocks


def _fonts(reader: PdfReader) -> list[dict]:
    fonts = []
    for page in reader.pages:
        resources = page.get("/Resources", {})
        for font in resources.get("/Font", {}).values():
            fonts.append(font.get_object())
    return fonts


def _embedded(font: dict) -> bool:
    """A font whose glyphs are in the file: Type 3 drawing procedures, or an embedded font program."""
    if font["/Subtype"] == "/Type3":
        return all(proc.get_object().get_data() for proc in font["/CharProcs"].values())
    descriptor = (font["/DescendantFonts"][0].get_object() if font["/Subtype"] == "/Type0" else font)["/FontDescriptor"]
    return any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))


def missing_glyphs(reader: PdfReader, quotes: list[str]) -> list[str]:
    """What a reader would see as boxes: characters of ``quotes`` not in the PDF's text (a glyph drawn without its
    character, the font's .notdef, reads back as NUL), NULs and replacement characters, fonts not embedded."""
    text = _text(reader)
    raw = re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))  # radicals kept as radicals
    problems = [f"{quote!r} not in the text" for quote in quotes if not re.search(_as_printed(quote), raw)]
    problems += [f"{text.count(bad)} x {bad!r}" for bad in ("\x00", "\ufffd") if bad in text]
    problems += [f"font {font.get('/BaseFont', font['/Subtype'])} not embedded" for font in _fonts(reader)
                 if not _embedded(font)]
    return problems


def _as_printed(quote: str) -> str:
    """A pattern for the quote as a PDF's text gives it back: a font names each glyph by one code point, which
    may be another character drawn the same: a radical for an ideograph (戸 drawn, U+2F3E KANGXI RADICAL DOOR
    read back), a punctuation mark for its look-alike (・ as U+2027). A glyph the fonts lack reads back as a NUL
    (.notdef), which the pattern never accepts."""
    def char_pattern(char: str) -> str:
        if not char.isascii() and unicodedata.category(char)[0] in "PS":
            return "[^\\x00\\ufffd]"
        if CJK.match(char):
            return f"[{re.escape(char)}{RADICALS}]"
        return re.escape(char)

    return "".join(char_pattern(char) for char in re.sub(r"\s+", "", quote))


def _cjk_quotes(html: Path) -> list[str]:
    soup = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
    return [span.get_text() for span in soup.select("main [lang=zh], main [lang=ja], main [lang=ko]")]


# ---------------------------------------------------------------------------------------------- Hefei 2024

@pytest.fixture(scope="module")
def hefei_pdfs(hefei_report, tmp_path_factory):
    """Hefei 2024 printed on A4 and on Letter."""
    folder = tmp_path_factory.mktemp("pdf")
    printed = {}
    for paper in pdf.PAPERS:
        html = _page_copy(hefei_report.html_path, folder / paper)
        printed[paper] = (html, PdfReader(pdf.write_pdf(html, paper)))
    return printed


@pytest.mark.parametrize("paper", list(pdf.PAPERS))
def test_hefei_prints_on_at_most_three_pages_of_either_paper(hefei_pdfs, paper):
    html, reader = hefei_pdfs[paper]
    assert pdf.pdf_path(html).is_file() and pdf.pdf_path(html).parent == html.parent
    assert 1 <= len(reader.pages) <= 3, f"{len(reader.pages)} pages on {paper}"
    size = pdf.PAPERS[paper]
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert width == pytest.approx(size.width_inches * POINTS_PER_INCH, abs=1.5)
        assert height == pytest.approx(size.height_inches * POINTS_PER_INCH, abs=1.5)


@pytest.mark.parametrize("paper", list(pdf.PAPERS))
def test_the_pdf_has_the_page_s_text_the_lead_sentence_first(hefei_pdfs, paper):
    html, reader = hefei_pdfs[paper]
    text = _text(reader)
    lead = ("Hefei is the twelfth-ranked cluster, out of 26 Chinese clusters, that falls within the top 100 S&T "
            "clusters in 2024.")
    assert _squeezed(lead) in _squeezed(reader.pages[0].extract_text())
    printed = _squeezed(text)
    blocks = _printed_blocks(html)
    assert len(blocks) > 80
    missing = [block for block in blocks if _squeezed(block) not in printed]
    assert missing == []
    assert "Download" not in text  # the links to download data are for the screen
    assert missing_glyphs(reader, []) == []


def _outline_titles(outline) -> list[str]:
    return [title for item in outline
            for title in (_outline_titles(item) if isinstance(item, list) else [item.title])]


def test_the_pdf_has_an_outline_of_the_page_s_headings(hefei_pdfs):
    html, reader = hefei_pdfs["a4"]
    titles = _outline_titles(reader.outline)
    soup = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
    headings = [h.get_text(" ", strip=True) for h in soup.select("main :is(h1, h2)")]
    # Chromium 156 names a heading that starts a page twice in the outline ('Top publishing organizationsTop …')
    assert titles[0] == "Hefei, China" and [h for h in headings if not any(t.startswith(h) for t in titles)] == []


def test_a_note_prints_as_its_number_and_the_sources_list_keeps_the_addresses(hefei_pdfs):
    html, reader = hefei_pdfs["a4"]
    printed = _squeezed(_text(reader))
    soup = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
    sources = soup.select("ol.sources > li")
    assert sources and all(_squeezed(item.get_text()) in printed for item in sources)
    # a note in the text is its number, and the number links to the source in the list (an internal link)
    first = reader.pages[0]
    links = [annotation.get_object() for annotation in first.get("/Annots", [])]
    internal = [link for link in links if "/Dest" in link or link.get("/A", {}).get("/S") == "/GoTo"]
    assert internal, "the notes' numbers link to the list of sources"
    address = next(a["href"] for a in soup.select("ol.sources a[href^=http]"))
    page_one = _squeezed(first.extract_text())
    assert _squeezed(address) not in page_one  # no address printed inline with the text


def test_tables_and_charts_are_not_split_across_pages(hefei_pdfs):
    """All the rows of each table are on one page, and each chart's caption on the page that has its image."""
    html, reader = hefei_pdfs["a4"]
    pages = [_squeezed(page.extract_text()) for page in reader.pages]
    soup = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
    for hidden in soup.select(HIDDEN_IN_PRINT):
        hidden.decompose()
    tables = soup.select("main table")
    assert len(tables) >= 5
    for table in tables:
        rows = [row for row in (_squeezed(tr.get_text(" ", strip=True)) for tr in table.select("tr")) if row]
        assert any(all(row in page for row in rows) for page in pages), rows[:2]
    images_by_page = [len(page.images) for page in reader.pages]
    captions = [_squeezed(caption.get_text(" ", strip=True)) for caption in soup.select("main figure figcaption")]
    for caption in captions:
        (holding,) = [i for i, page in enumerate(pages) if caption[:60] in page]
        assert images_by_page[holding] >= 1


# ---------------------------------------------------------------------------------------------- CJK quotes

@pytest.fixture(scope="module")
def cjk_pages(tmp_path_factory):
    """Two profiles that quote their sources in Chinese and in Japanese, rendered and printed on A4."""
    from rendering import render_profile

    reports = tmp_path_factory.mktemp("cjk-reports")
    pages = {}
    for cluster, edition in (("Xi'an", 2024), ("Osaka–Kobe–Kyoto", 2025)):
        html = render_profile({"cluster": cluster, "edition": edition}, reports_dir=reports).html_path
        pages[cluster] = (html, PdfReader(pdf.write_pdf(html)))
    return pages


@pytest.mark.parametrize("cluster", ["Xi'an", "Osaka–Kobe–Kyoto"])
def test_the_cjk_quotes_print_with_every_glyph(cjk_pages, cluster):
    html, reader = cjk_pages[cluster]
    quotes = _cjk_quotes(html)
    assert quotes, f"{cluster}: the page should quote a source in Chinese or Japanese"
    assert missing_glyphs(reader, quotes) == []
    assert any(font["/Subtype"] == "/Type3" or "CJK" in str(font.get("/BaseFont", "")) for font in _fonts(reader))


def test_the_glyph_check_sees_a_quote_printed_without_its_font(tmp_path):
    """The same check on a page printed where no font has the characters: it must report them."""
    dejavu = Path("/usr/share/fonts/truetype/dejavu")
    if not dejavu.is_dir():
        pytest.skip("fonts-dejavu-core is not installed")
    config = tmp_path / "fonts.conf"
    config.write_text(f'<?xml version="1.0"?><fontconfig><dir>{dejavu}</dir><cachedir>{tmp_path / "cache"}</cachedir>'
                      "</fontconfig>", encoding="utf-8")
    page = tmp_path / "quote.html"
    page.write_text('<!doctype html><meta charset="utf-8"><p>Quoted: <span lang="zh">西安日报</span>.</p>',
                    encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FONTCONFIG_FILE", str(config))
        without = PdfReader(pdf.write_pdf(page))
    assert missing_glyphs(without, ["西安日报"])
    assert missing_glyphs(PdfReader(pdf.write_pdf(page)), ["西安日报"]) == []  # and none with the system's fonts


# ---------------------------------------------------------------------------------------------- failures

HANGING_PAGE = "<!doctype html><p>never loads</p><script>for (;;) {}</script>"


def _session_processes(leader: int) -> list[int]:
    """The processes of the browser's session (it runs in one of its own)."""
    import psutil

    found = []
    for process in psutil.process_iter():
        try:
            if os.getsid(process.pid) == leader:
                found.append(process.pid)
        except (ProcessLookupError, PermissionError, psutil.Error):
            continue
    return found


def _pdf_folders(pid: int) -> list[Path]:
    return list(Path(tempfile.gettempdir()).glob(f"{TEMPORARY_PREFIX}pdf-{pid}-*"))


def test_a_page_that_never_loads_times_out_and_keeps_the_previous_pdf(tmp_path):
    page = tmp_path / "hangs.html"
    page.write_text(HANGING_PAGE, encoding="utf-8")
    previous = pdf.pdf_path(page)
    previous.write_bytes(b"%PDF-1.4 the previous one\n%%EOF\n")
    started = time.monotonic()
    with pytest.raises(pdf.PdfError, match="did not answer Page.loadEventFired"):
        pdf.write_pdf(page, timeout=4)
    assert time.monotonic() - started < 30
    assert previous.read_bytes() == b"%PDF-1.4 the previous one\n%%EOF\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hangs.html", "hangs.pdf"]  # no half-written file
    assert _pdf_folders(os.getpid()) == []


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM])
def test_a_killed_print_leaves_no_browser_and_no_temporary_folder(tmp_path, how):
    page = tmp_path / "hangs.html"
    page.write_text(HANGING_PAGE, encoding="utf-8")
    command = subprocess.Popen([sys.executable, "-c", "import sys; from cluster_profiles.runner.pdf import write_pdf; "
                                "write_pdf(sys.argv[1], timeout=60)", str(page)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    import psutil

    deadline, browser = time.monotonic() + 60, None
    while browser is None and time.monotonic() < deadline:
        children = psutil.Process(command.pid).children()
        browser = next((c.pid for c in children if "--remote-debugging-pipe" in " ".join(c.cmdline())), None)
        time.sleep(0.2)
    assert browser is not None, "the browser did not start"
    time.sleep(1.0)  # its renderer and helpers are up, the page's script spinning
    assert len(_session_processes(browser)) >= 2
    command.send_signal(how)
    command.wait(timeout=30)
    deadline = time.monotonic() + 15
    while _session_processes(browser) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _session_processes(browser) == []
    assert not pdf.pdf_path(page).exists()
    assert [p.name for p in tmp_path.iterdir()] == ["hangs.html"]
    if how == signal.SIGTERM:  # stopped by a signal: it removes its own folder
        assert _pdf_folders(command.pid) == []
    else:  # killed outright: the next print removes what it left
        following = tmp_path / "next.html"
        following.write_text("<p>the next page</p>", encoding="utf-8")
        pdf.write_pdf(following)
        assert _pdf_folders(command.pid) == []


# ---------------------------------------------------------------------------------------------- render-all --pdf

def test_render_all_prints_the_pages_whose_pdf_is_missing_or_older_than_the_page(hefei_report, tables, tmp_path):
    from cluster_profiles.runner.batch import output_path, plan_kind, write_pdfs
    from cluster_profiles.runner.kinds import PROFILE

    reports = tmp_path / "reports"
    tasks = plan_kind(PROFILE, tables, [2024], None, reports)
    (hefei,) = [task for task in tasks if task.cluster == "Hefei"]
    page = output_path(hefei, reports)
    page.parent.mkdir(parents=True)
    shutil.copy(hefei_report.html_path, page)  # the one page of the plan that exists
    assert write_pdfs(tasks, reports, "letter", jobs=2, progress=False) == []
    printed = pdf.pdf_path(page)
    assert sorted(p.name for p in page.parent.iterdir()) == [page.name, printed.name]
    assert len(PdfReader(printed).pages) <= 3
    first = printed.stat().st_mtime_ns
    assert write_pdfs(tasks, reports, "letter", progress=False) == [] and printed.stat().st_mtime_ns == first
    os.utime(page, ns=(first + 10**9, first + 10**9))  # the page rendered again: its PDF follows
    assert write_pdfs(tasks, reports, "a4", progress=False) == [] and printed.stat().st_mtime_ns > first
    assert float(PdfReader(printed).pages[0].mediabox.height) == pytest.approx(297 / 25.4 * POINTS_PER_INCH, abs=1.5)
    page.write_text(HANGING_PAGE, encoding="utf-8")  # a page that cannot be printed is a failure of its own
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pdf, "TIMEOUT_SECONDS", 3.0)
        failed = write_pdfs(tasks, reports, "a4", force=True, progress=False)
    assert [(task.cluster, reason.split(":")[0]) for task, reason in failed] == [("Hefei", "PDF")]
    assert len(PdfReader(printed).pages) <= 3  # the previous PDF kept
