"""The README and the developer docs say only what is true of the project.

Each ``make <target>`` they name is a target of the Makefile; each path the README names exists (or, for a
generated page, is where the ``paths`` helpers put a page of the shipped data); the page and cluster counts it
states are those of a plan of the shipped data; every relative link resolves; its tree of the repository
shows every folder and package module there is; no document names a module that does not exist (old names
from before the package was cut into layers); the settings table of docs/compute-method.md is the shipped
settings with their sources. Each check is a function of the text, so the tests at the end show it can fail.
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from pathlib import Path, PurePosixPath

import pytest

from cluster_profiles import paths
from cluster_profiles.names import slug

ROOT = paths.REPO_ROOT
PACKAGE = paths.PACKAGE_DIR
README = ROOT / "README.md"
DOCS = sorted((ROOT / "docs").glob("*.md"))
OTHER_DOCS = [ROOT / "CONTRIBUTING.md", ROOT / "data" / "README.md", *DOCS]  # for developers, and the data dictionary
NOT_IN_THE_REPOSITORY = {".git", ".venv", "lab", "build", "reports", "__pycache__", ".mypy_cache", ".ruff_cache",
                         ".pytest_cache", ".ipynb_checkpoints", "node_modules"}
PLACEHOLDER = re.compile(r"[<>…*{}]")  # reports/<edition>/<cluster>.html names no file
FILE_SUFFIXES = (".md", ".py", ".ipynb", ".csv", ".toml", ".txt", ".html", ".png", ".yml", ".cfg", ".json", ".j2")


# ------------------------------------------------------------------------------------ reading markdown

def code_spans(text: str) -> list[str]:
    """The text of every inline code span and every line of every fenced code block."""
    spans = []
    for block in re.findall(r"^```[^\n]*\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL):
        spans += block.splitlines()
    without_blocks = re.sub(r"^```[^\n]*\n.*?^```", "", text, flags=re.MULTILINE | re.DOTALL)
    spans += re.findall(r"`([^`\n]+)`", without_blocks)
    return spans


def links(text: str) -> list[str]:
    """The targets of the markdown links and images."""
    return re.findall(r"\]\(([^)\s]+)\)", text)


def heading_anchor(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def anchors(text: str) -> set[str]:
    return {heading_anchor(h) for h in re.findall(r"^#+ (.+)$", text, flags=re.MULTILINE)}


# ---------------------------------------------------------------------------------------- the Makefile

@cache
def make_targets() -> tuple[str, ...]:
    """The targets ``make help`` lists: each ``target: … ## what it does`` line (patterns keep their ``%``)."""
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    return tuple(re.findall(r"^([a-zA-Z_%/.-]+):.*## ", text, flags=re.MULTILINE))


def is_make_target(name: str, targets: tuple[str, ...]) -> bool:
    return any(re.fullmatch(re.escape(target).replace("%", ".+"), name) for target in targets)


def make_targets_named(text: str) -> list[str]:
    """The first word after ``make`` in each code span (``make report CLUSTER=…`` names ``report``)."""
    named = []
    for span in code_spans(text):
        for word in re.findall(r"(?:^|[\s;&|(])make\s+([^\s;&|)`\[\]]+)", span):
            word = word.rstrip(",.:")
            if word and "=" not in word and not word.startswith("-"):
                named.append(word)
    return named


def unknown_make_targets(text: str, targets: tuple[str, ...]) -> list[str]:
    return sorted({name for name in make_targets_named(text) if not is_make_target(name, targets)})


# ------------------------------------------------------------------------------------------------- paths

@cache
def repository_files() -> tuple[PurePosixPath, ...]:
    """Every file of the repository, relative to its root (the environment, git and generated pages left out)."""
    found = []

    def walk(folder: Path) -> None:
        for entry in folder.iterdir():
            if entry.name in NOT_IN_THE_REPOSITORY or entry.name.endswith(".egg-info"):
                continue
            if entry.is_dir():
                walk(entry)
            else:
                found.append(PurePosixPath(entry.relative_to(ROOT).as_posix()))

    walk(ROOT)
    return tuple(found)


def path_tokens(text: str) -> list[str]:
    """Words of the code spans that name a file or folder: with a slash, or ending like a file."""
    tokens = []
    for span in code_spans(text):
        for word in span.split():
            word = word.strip("\"'()[],;:")
            if not word or "=" in word or "://" in word or word.startswith(("-", "$", "~", ".venv/")):
                continue
            if PLACEHOLDER.search(word):
                continue
            if "/" in word or word.endswith(FILE_SUFFIXES):
                tokens.append(word)
    return tokens


def exists_in_repository(token: str) -> bool:
    """A file or folder at the root or in the package (``pages/clustering``); a bare file name anywhere."""
    relative = token.rstrip("/")
    for base in (ROOT, PACKAGE):
        if (base / relative).exists() and not set(Path(relative).parts) & NOT_IN_THE_REPOSITORY:
            return True
    if "/" not in relative:
        return any(path.name == relative for path in repository_files())
    return False


@cache
def generated_pages() -> frozenset[str]:
    """The pages ``make reports`` makes of the shipped data, as the ``paths`` helpers name them, with the index."""
    from cluster_profiles.contract.load import load_tables
    from cluster_profiles.runner.kinds import NOTEBOOKS

    tables = load_tables()
    pages = {paths.INDEX_NAME}
    for spec in NOTEBOOKS.values():
        pages |= {str(spec.relpath(parameters)) for parameters in spec.instances(tables, tables.edition_list(), None)}
    return frozenset(pages)


def is_generated_page(token: str) -> bool:
    """``reports/…`` is a page the shipped data makes, or a comparison of clusters of one edition."""
    relative = token.removeprefix("reports/")
    if relative in generated_pages():
        return True
    found = re.fullmatch(r"(\d{4})/compare/(.+)\.html", relative)
    if not found:
        return False
    from cluster_profiles.contract.load import load_tables
    from cluster_profiles.narrate.profile import clusters_of_edition

    edition = int(found.group(1))
    if edition not in load_tables().edition_list():
        return False
    by_slug = {slug(name): name for name in clusters_of_edition(load_tables(), edition)}
    slugs = found.group(2).split("--")
    if not all(s in by_slug for s in slugs):
        return False
    return str(paths.compare_relpath(edition, [by_slug[s] for s in slugs])) == relative


def is_lab_copy(token: str) -> bool:
    """``lab/<name>.ipynb``: the working copy ``make lab`` makes of ``notebooks/<name>.ipynb``."""
    name = token.removeprefix("lab/")
    return token.startswith("lab/") and (not name or (paths.NOTEBOOKS_DIR / name).is_file())


def without_tree(text: str) -> str:
    """The text without the tree under "Where things are", whose names are relative (``tree_problems`` checks them)."""
    if "## Where things are" not in text:
        return text
    head, section = text.split("## Where things are", 1)
    return head + re.sub(r"^```[^\n]*\n.*?^```", "", section, count=1, flags=re.MULTILINE | re.DOTALL)


def missing_paths(text: str) -> list[str]:
    missing = set()
    for token in path_tokens(without_tree(text)):
        if token in ("reports", "reports/") or token.startswith("reports/"):
            if token.rstrip("/") != "reports" and not is_generated_page(token):
                missing.add(token)
        elif token.startswith("lab/"):
            if not is_lab_copy(token):
                missing.add(token)
        elif token.split("/")[0] in ignored_folders() - {"lab"} and "/" in token:
            continue  # what a command writes (example/): not in the repository until then
        elif not exists_in_repository(token):
            missing.add(token)
    return sorted(missing)


# ------------------------------------------------------------------------------------------------- links

def broken_links(document: Path, text: str) -> list[str]:
    broken = []
    for target in links(text):
        if re.match(r"[a-z]+:", target):  # https:, mailto:
            continue
        file_part, _, anchor = target.partition("#")
        linked = (document.parent / file_part).resolve() if file_part else document
        if not linked.exists():
            broken.append(target)
        elif anchor and linked.suffix == ".md" and anchor not in anchors(linked.read_text(encoding="utf-8")):
            broken.append(target)
    return broken


# -------------------------------------------------------------------------------------------- the counts

def stated_counts(text: str) -> dict[str, int]:
    """The page counts a text states: ``154 profiles (54 of GII 2023, …)``, ``3 edition overviews``, and the
    table of clusters per edition (``| GII 2024 | 45 | 36 |``: clusters, with a size rank). A count may be split
    over two lines."""
    counts: dict[str, int] = {}
    for total, detail in re.findall(r"(\d[\d,]*)\s+profiles(?:\s+\(([^)]*)\))?", text):
        counts["profiles"] = int(total.replace(",", ""))
        for number, edition in re.findall(r"(\d+)\s+of\s+GII\s+(\d{4})", detail or ""):
            counts[f"profiles {edition}"] = int(number)
    for number in re.findall(r"(\d+)\s+(?:edition\s+)?overviews", text):
        counts["overviews"] = int(number)
    for edition, clusters, ranked in re.findall(r"^\| GII (\d{4}) \| (\d+) \| (\d+) \|", text, flags=re.MULTILINE):
        counts[f"clusters {edition}"] = int(clusters)
        counts[f"ranked {edition}"] = int(ranked)
    return counts


@cache
def planned_counts() -> dict[str, int]:
    """The same counts from a plan of the shipped data, as ``make reports`` would render it."""
    from cluster_profiles.contract.load import load_tables
    from cluster_profiles.runner.batch import plan_kind
    from cluster_profiles.runner.kinds import OVERVIEW, PROFILE

    tables = load_tables()
    profiles = plan_kind(PROFILE, tables)
    counts = {"profiles": len(profiles), "overviews": len(plan_kind(OVERVIEW, tables))}
    for edition in tables.edition_list():
        counts[f"profiles {edition}"] = sum(task.edition == edition for task in profiles)
        of_edition = tables.clusters[tables.clusters["edition"] == edition]
        counts[f"clusters {edition}"] = len(of_edition)
        counts[f"ranked {edition}"] = int(of_edition["size_rank"].notna().sum())
    return counts


def wrong_counts(text: str) -> dict[str, tuple[int, int | None]]:
    planned = planned_counts()
    return {what: (stated, planned.get(what)) for what, stated in stated_counts(text).items()
            if planned.get(what) != stated}


def data_statements(text: str) -> dict[str, int]:
    """What docs/data.md says of each edition: ``- **GII 2023**: the top 35 …, 9 intensity ranks``."""
    found: dict[str, int] = {}
    for edition, line in re.findall(r"^- \*\*GII (\d{4})\*\*: (.*(?:\n  .*)*)", text, flags=re.MULTILINE):
        if top := re.search(r"the top (\d+)", line):
            found[f"top {edition}"] = int(top.group(1))
        if intensity := re.search(r"(\d+)\s+intensity ranks", line):
            found[f"intensity {edition}"] = int(intensity.group(1))
    return found


@cache
def data_facts() -> dict[str, int]:
    """Per edition: how far the size ranks run without a gap from 1, and how many intensity ranks there are."""
    from cluster_profiles.contract.load import load_tables

    clusters = load_tables().clusters
    facts = {}
    for edition in sorted(clusters["edition"].unique()):
        of_edition = clusters[clusters["edition"] == edition]
        ranks = set(of_edition["size_rank"].dropna().astype(int))
        top = 0
        while top + 1 in ranks:
            top += 1
        facts[f"top {edition}"] = top
        facts[f"intensity {edition}"] = int(of_edition["intensity_rank"].notna().sum())
    return facts


def wrong_data_statements(text: str) -> dict[str, tuple[int, int | None]]:
    return {what: (stated, data_facts().get(what)) for what, stated in data_statements(text).items()
            if data_facts().get(what) != stated}


# --------------------------------------------------------------------------------------- the README's tree

def tree_block(text: str) -> list[str]:
    """The lines of the code block under the heading "Where things are"."""
    section = text.split("## Where things are", 1)[1]
    return re.search(r"^```[^\n]*\n(.*?)^```", section, flags=re.MULTILINE | re.DOTALL).group(1).splitlines()


def tree_paths(lines: list[str]) -> list[str]:
    """Each name of the tree as a path from the root: an indented line is inside the last folder above it.

    A line is its names (folders end with ``/``; several files on one line, one space apart), two spaces,
    then what they hold."""
    parents: list[tuple[int, str]] = []
    found = []
    for line in lines:
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip(" "))
        names = re.split(r"\s{2,}", line.strip(), maxsplit=1)[0].split(" ")
        while parents and parents[-1][0] >= indent:
            parents.pop()
        base = parents[-1][1] if parents else ""
        for name in names:
            found.append(base + name)
        if len(names) == 1 and names[0].endswith("/"):
            parents.append((indent, base + names[0]))
    return found


def ignored_folders() -> set[str]:
    """The folders at the root that .gitignore names (``example/``: what a command writes, not the repository)."""
    lines = (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines() if (ROOT / ".gitignore").is_file() else []
    return {line.strip().strip("/") for line in lines if re.fullmatch(r"/?[\w.-]+/?", line.strip())}


def tree_problems(text: str) -> list[str]:
    """Names in the tree that do not exist, and folders or package modules that exist but are not in it."""
    shown = tree_paths(tree_block(text))
    problems = [f"{path}: not in the repository" for path in shown if not (ROOT / path).exists()]
    package = PACKAGE.relative_to(ROOT).as_posix()
    expected = [p.relative_to(ROOT).as_posix() + "/" for p in PACKAGE.rglob("__init__.py")
                for p in [p.parent] if p != PACKAGE]
    expected += [p.relative_to(ROOT).as_posix() for p in PACKAGE.glob("*.py") if p.name != "__init__.py"]
    expected += [f"{p.name}/" for p in ROOT.iterdir() if p.is_dir() and not p.name.startswith(".")
                 and p.name not in NOT_IN_THE_REPOSITORY | ignored_folders() and not p.name.endswith(".egg-info")
                 and p.name != package.split("/")[0]]
    expected.append(f"{package}/")
    problems += [f"{path}: missing from the tree" for path in sorted(expected) if path not in shown]
    return problems


# ----------------------------------------------------------------------------------- names of modules

OLD_MODULE_NAMES = ("notebook_kinds", "overview_data", "overview_sections", "compute.report", "compute.tables",
                    "early_kernel.py", "cluster_profiles.report", "cluster_profiles.io")


def unknown_modules(text: str) -> list[str]:
    """``something.py`` that is no file of the repository, ``cluster_profiles.x.y`` that is no module (or
    name in one), and the package's old module names."""
    unknown = set()
    files = [path.as_posix() for path in repository_files()]
    for span in code_spans(text):
        for word in re.findall(r"[^\s`'\"()\[\],;]+?\.py\b", span):
            if PLACEHOLDER.search(word) or word.startswith(".venv/"):
                continue
            if not any(path == word or path.endswith("/" + word) for path in files):
                unknown.add(word)
        for dotted in re.findall(r"\bcluster_profiles(?:\.\w+)+", span):
            if not names_a_module(dotted):
                unknown.add(dotted)
        for old in OLD_MODULE_NAMES:
            if re.search(rf"(?<![\w.]){re.escape(old)}(?![\w])", span):
                unknown.add(old)
    return sorted(unknown)


def names_a_module(dotted: str) -> bool:
    """``cluster_profiles.runner.batch`` or ``cluster_profiles.runner.batch.plan_kind``: the longest prefix
    that is a module exists, and the next name, if any, is defined in it."""
    parts = dotted.split(".")[1:]
    for cut in range(len(parts), 0, -1):
        base = PACKAGE.joinpath(*parts[:cut])
        source = base.with_suffix(".py") if base.with_suffix(".py").is_file() else base / "__init__.py"
        if source.is_file():
            rest = parts[cut:]
            return not rest or bool(re.search(rf"^(?:def|class) {rest[0]}\b|^{rest[0]}\b.*=",
                                              source.read_text(encoding="utf-8"), flags=re.MULTILINE))
    return False


# ------------------------------------------------------------------------------ the settings in the docs

def settings_rows(text: str) -> dict[str, tuple[str, str, str]]:
    """``| `key` | `default` | status | source |`` rows of the settings table: key -> (default, status, source)."""
    rows = re.findall(r"^\| `(\w+)` \| `([^`]+)` \| (confirmed|assumption) \| (.+) \|$", text, flags=re.MULTILINE)
    return {key: (default, status, source) for key, default, status, source in rows}


def settings_problems(text: str) -> list[str]:
    from cluster_profiles.compute.settings import PROVENANCE, load_settings

    defaults = load_settings(None).model_dump()
    rows = settings_rows(text)
    problems = [f"{key}: not in the table" for key in PROVENANCE if key not in rows]
    problems += [f"{key}: not a setting" for key in rows if key not in PROVENANCE]
    for key, (default, status, source) in rows.items():
        if key not in PROVENANCE:
            continue
        value = tomllib.loads(f"value = {default}")["value"]
        shipped = list(defaults[key]) if isinstance(defaults[key], tuple) else defaults[key]
        if value != shipped or type(value) is not type(shipped):
            problems.append(f"{key}: the table says {default}, the shipped default is {shipped!r}")
        if status != PROVENANCE[key].status:
            problems.append(f"{key}: the table says {status}, the settings say {PROVENANCE[key].status}")
        if source != PROVENANCE[key].source:
            problems.append(f"{key}: the table's source is not the settings' ({PROVENANCE[key].source})")
    return problems


# ================================================================================================ tests

def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def test_every_make_target_the_readme_names_exists():
    named = make_targets_named(read(README))
    assert {"report", "reports", "test", "lab", "clusters"} <= set(named)  # the reader is reading the README
    assert unknown_make_targets(read(README), make_targets()) == []


@pytest.mark.parametrize("document", OTHER_DOCS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_make_target_the_other_docs_name_exists(document):
    assert unknown_make_targets(read(document), make_targets()) == []


def test_every_path_the_readme_names_exists_or_is_a_page_of_the_shipped_data():
    assert missing_paths(read(README)) == []


def test_the_counts_the_readme_states_are_those_of_the_shipped_data():
    assert stated_counts(read(README)), "the README states how many pages make reports renders"
    assert wrong_counts(read(README)) == {}


@pytest.mark.parametrize("document", [README, *OTHER_DOCS], ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_relative_link_resolves(document):
    assert broken_links(document, read(document)) == []


def test_the_readme_links_every_developer_doc():
    linked = {(README.parent / target.partition("#")[0]).resolve() for target in links(read(README))}
    named = {(ROOT / token).resolve() for token in path_tokens(read(README))}
    assert [doc.name for doc in DOCS if doc.resolve() not in linked | named] == []


def test_the_readme_tree_shows_every_folder_and_package_module():
    assert tree_problems(read(README)) == []


@pytest.mark.parametrize("document", [README, *OTHER_DOCS], ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_document_names_a_module_that_does_not_exist(document):
    assert unknown_modules(read(document)) == []


def test_what_the_data_doc_says_of_each_edition_is_true_of_the_shipped_data():
    text = read(ROOT / "docs" / "data.md")
    assert len(data_statements(text)) == 6
    assert wrong_data_statements(text) == {}


def test_the_settings_table_is_the_shipped_settings_with_their_sources():
    assert settings_problems(read(ROOT / "docs" / "compute-method.md")) == []


# ------------------------------------------------------------------------------ the checks can fail

def test_a_target_the_makefile_lacks_is_found():
    text = "Run `make report` then `make reports/2024/hefei.html`, then `make publish DATA=x`."
    assert unknown_make_targets(text, make_targets()) == ["publish"]
    assert unknown_make_targets("```bash\nmake lint && make deploy\n```", make_targets()) == ["deploy"]


def test_a_path_that_does_not_exist_is_found():
    text = ("`data/README.md`, `src/cluster_profiles/report.py`, `reports/2024/hefei.html`, "
            "`reports/2024/atlantis.html`, `reports/2024/compare/hefei--nanjing.html`, "
            "`reports/2024/compare/hefei--atlantis.html`, `reports/overview-2031.html`, `lab/cluster_profile.ipynb`, "
            "`lab/nothing.ipynb`, `reports/<edition>/<cluster>.html`")
    assert missing_paths(text) == ["lab/nothing.ipynb", "reports/2024/atlantis.html",
                                   "reports/2024/compare/hefei--atlantis.html", "reports/overview-2031.html",
                                   "src/cluster_profiles/report.py"]


def test_a_wrong_count_is_found():
    planned = planned_counts()
    text = (f"renders {planned['profiles'] + 1} profiles ({planned['profiles 2024']} of GII 2024), "
            f"{planned['overviews']} edition overviews\n| GII 2025 | {planned['clusters 2025']} | 1 |\n")
    assert set(wrong_counts(text)) == {"profiles", "ranked 2025"}


def test_a_wrong_statement_about_an_edition_is_found():
    text = "- **GII 2024**: the top 15 and more ranks,\n  99 intensity ranks.\n- **GII 2025**: the top 3.\n"
    assert wrong_data_statements(text) == {"intensity 2024": (99, data_facts()["intensity 2024"]),
                                           "top 2025": (3, data_facts()["top 2025"])}


def test_a_broken_link_is_found(tmp_path):
    document = tmp_path / "README.md"
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.md").write_text("# The method, step by step\n", encoding="utf-8")
    text = "[a](docs/a.md) [b](docs/b.md) [c](docs/a.md#the-method-step-by-step) [d](docs/a.md#nowhere) [e](https://x.org)"
    assert broken_links(document, text) == ["docs/b.md", "docs/a.md#nowhere"]


def test_a_tree_that_misses_a_package_or_names_an_old_one_is_found():
    lines = tree_block(read(README))
    without_runner = [line for line in lines if not line.strip().startswith("runner/")]
    with_old = [lines[0], "  single.py  one page", *lines[1:]]
    readme = "## Where things are\n\n```\n{}\n```\n"
    assert tree_problems(readme.format("\n".join(without_runner))) == ["src/cluster_profiles/runner/: missing from the tree"]
    assert tree_problems(readme.format("\n".join(with_old))) == ["src/cluster_profiles/single.py: not in the repository"]


def test_an_old_module_name_is_found():
    text = ("`runner/page.py`, `io.py`, `cluster_profiles.runner.batch.plan_kind`, `cluster_profiles.runner.single`, "
            "`cluster_profiles.runner.batch.no_such_name`, `notebook_kinds.NOTEBOOKS`, `runner.kinds`")
    assert unknown_modules(text) == ["cluster_profiles.runner.batch.no_such_name", "cluster_profiles.runner.single",
                                     "io.py", "notebook_kinds"]


def test_a_settings_table_that_differs_from_the_settings_is_found():
    text = read(ROOT / "docs" / "compute-method.md")
    changed = re.sub(r"^\| `radius_km` \| `[^`]+` \|", "| `radius_km` | `25.0` |", text, flags=re.MULTILINE)
    changed = re.sub(r"^\| `top_n` .*\n", "", changed, flags=re.MULTILINE)
    found = settings_problems(changed)
    assert {"top_n: not in the table", "radius_km: the table says 25.0, the shipped default is 15.0"} <= set(found)
    assert set(found) - set(settings_problems(text)) == {"top_n: not in the table",
                                                         "radius_km: the table says 25.0, the shipped default is 15.0"}
