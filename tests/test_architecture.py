"""The package's layers, read from its imports: leaves <- contract <- {compute, narrate} <- pages <- runner <- cli.

Every ``import`` of a package module counts, at the top of a file, inside a function or under
``TYPE_CHECKING``: an import inside a function is only a later import, not a way around the rule.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from cluster_profiles import paths

PACKAGE = "cluster_profiles"
LEAVES = {"errors", "names", "paths", "files", "cache", "fingerprints"}
LAYERS = {"leaf": 0, "contract": 1, "compute": 2, "narrate": 2, "pages": 3, "runner": 4, "cli": 5}
SHARED_PAGE_MODULES = {"pages.parameters", "pages.sections"}  # what every page kind shares


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join([PACKAGE, *parts])


def package_imports(path: Path, name: str, known: set[str]) -> list[tuple[str, int]]:
    """(imported package module, line) for every import of a package module in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]
        for target in targets:
            while target and target not in known:  # 'cluster_profiles.x.function' -> 'cluster_profiles.x'
                target = target.rpartition(".")[0]
            if target.startswith(PACKAGE + ".") and target != name:
                found.append((target, node.lineno))
    return found


def import_graph(root: Path) -> dict[str, list[tuple[str, int]]]:
    files = {module_name(p, root): p for p in sorted(root.rglob("*.py")) if "__pycache__" not in p.parts}
    known = set(files)
    graph = {}
    for name, path in files.items():
        # a package's __init__ is imported with any of its modules: not an edge worth a rule
        graph[name] = [(t, line) for t, line in package_imports(path, name, known) if not path.name == "__init__.py"]
        graph[name] = [(t, line) for t, line in graph[name] if not (files[t].name == "__init__.py")]
    return graph


def layer_of(module: str) -> tuple[str, int]:
    """The module's layer name and rank."""
    rest = module.removeprefix(PACKAGE + ".")
    top = rest.split(".")[0]
    if top in LEAVES:
        return "leaf", LAYERS["leaf"]
    return top, LAYERS[top]


def rule_broken(source: str, target: str) -> str | None:
    """Why ``source`` may not import ``target``, or None if it may."""
    (source_layer, source_rank), (target_layer, target_rank) = layer_of(source), layer_of(target)
    if target_rank > source_rank:
        return f"{source_layer} may not import {target_layer} (imports go down: leaves <- contract <- " \
               "{compute, narrate} <- pages <- runner <- cli)"
    if target_rank == source_rank and source_layer != target_layer:
        return f"{source_layer} and {target_layer} are beside each other: neither imports the other"
    source_rest, target_rest = source.removeprefix(PACKAGE + "."), target.removeprefix(PACKAGE + ".")
    if source_layer == "pages" and target_layer == "pages":
        source_kind, target_kind = source_rest.split(".")[:2], target_rest.split(".")[:2]
        if source_kind != target_kind and ".".join(target_kind) not in SHARED_PAGE_MODULES:
            return "one page kind may not import another (share through narrate/ or pages/sections.py)"
    if source_layer == "pages" and target_layer == "compute" and not source_rest.startswith("pages.clustering"):
        return "only the clustering page reads the compute half"
    return None


def cycles(graph: dict[str, list[tuple[str, int]]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), and modules importing themselves."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target, _ in graph.get(node, []):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


GRAPH = import_graph(paths.PACKAGE_DIR)


def test_the_package_has_no_import_cycle():
    assert cycles(GRAPH) == []


def test_every_import_goes_down_the_layers():
    broken = [f"{source} imports {target} (line {line}): {why}"
              for source, edges in GRAPH.items() for target, line in edges
              if (why := rule_broken(source, target))]
    assert broken == []


def test_the_top_of_the_package_holds_at_most_a_dozen_modules():
    top = sorted(p.stem for p in paths.PACKAGE_DIR.glob("*.py") if p.stem != "__init__")
    assert len(top) <= 12, top
    assert set(top) <= LEAVES | {"cli"}, "a module at the top is a leaf or the command line"


def test_subpackage_inits_hold_only_their_docstring():
    """Importing one module of a layer must not import the whole layer (a render's start-up time)."""
    inits = [p for p in paths.PACKAGE_DIR.rglob("__init__.py") if "__pycache__" not in p.parts]
    with_code = [p for p in inits if any(not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))
                                         for node in ast.parse(p.read_text(encoding="utf-8")).body)]
    assert inits and with_code == []


def standard_modules_imported(root: Path) -> set[str]:
    """The standard-library modules the package imports (by their first name: ``io`` for ``io.StringIO``)."""
    import sys

    names = set()
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module.split(".")[0])
    return names & set(sys.stdlib_module_names)


def test_no_module_is_named_like_a_standard_library_module_the_package_imports():
    """``io.py`` beside ``import io`` reads as the standard library's and is not."""
    imported = standard_modules_imported(paths.PACKAGE_DIR)
    clashing = sorted(p.relative_to(paths.PACKAGE_DIR).as_posix() for p in paths.PACKAGE_DIR.rglob("*.py")
                      if p.stem in imported)
    assert clashing == []


def test_no_two_modules_share_a_name_across_layers():
    """A module name says what it does: two layers' ``tables.py`` or ``report.py`` would say it twice.
    The page kinds' ``notebook``, ``data`` and ``sections`` are the same part of each kind, by design."""
    per_kind = {"notebook", "data", "sections", "__init__"}
    seen: dict[str, list[str]] = {}
    for path in paths.PACKAGE_DIR.rglob("*.py"):
        if "__pycache__" not in path.parts and path.stem not in per_kind:
            seen.setdefault(path.stem, []).append(path.relative_to(paths.PACKAGE_DIR).as_posix())
    assert {name: where for name, where in seen.items() if len(where) > 1} == {}


def imports_without_a_reason(path: Path) -> list[int]:
    """Lines of imports of package modules inside a function that give no reason: neither a comment on the line
    nor a comment line just above the run of import lines that holds it. Such an import is the exception
    (it defers a slow import, most often pandas, past a render's kernel start), and says so once per run of
    imports."""
    lines = path.read_text(encoding="utf-8").splitlines()
    missing = []
    for function in ast.walk(ast.parse("\n".join(lines))):
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for node in ast.walk(function):
            if not (isinstance(node, ast.ImportFrom) and (node.module or "").startswith(PACKAGE)):
                continue
            first, last = node.lineno - 1, (node.end_lineno or node.lineno) - 1
            while first > 0 and lines[first - 1].strip().startswith(("from ", "import ", "#")):
                first -= 1  # the run of import lines (and comments) that holds it
            while last + 1 < len(lines) and lines[last + 1].strip().startswith(("from ", "import ")):
                last += 1
            if not any("#" in line for line in lines[first:last + 1]):
                missing.append(node.lineno)
    return missing


def test_every_import_inside_a_function_says_why():
    unexplained = [f"{p.relative_to(paths.PACKAGE_DIR)}:{line}" for p in sorted(paths.PACKAGE_DIR.rglob("*.py"))
                   for line in imports_without_a_reason(p)]
    assert unexplained == []


def test_an_import_inside_a_function_without_a_reason_is_found(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def a():\n    from cluster_profiles import paths\n\n"
                      "def b():\n    # pandas: only when called\n    from cluster_profiles.contract import load\n"
                      "    from cluster_profiles.narrate import profile\n\n"
                      "def c():\n    from cluster_profiles import cache  # cheap, but said\n")
    assert imports_without_a_reason(module) == [2]


# ------------------------------------------------------------------ the checks themselves can fail

@pytest.mark.parametrize("source, target, broken", [
    ("cluster_profiles.contract.load", "cluster_profiles.runner.batch", True),  # up
    ("cluster_profiles.compute.write", "cluster_profiles.narrate.views", True),  # beside
    ("cluster_profiles.narrate.figures", "cluster_profiles.compute.pipeline", True),  # beside
    ("cluster_profiles.pages.compare.data", "cluster_profiles.pages.profile.sections", True),  # another page kind
    ("cluster_profiles.pages.overview.data", "cluster_profiles.compute.pipeline", True),  # only clustering computes
    ("cluster_profiles.paths", "cluster_profiles.contract.schema", True),  # a leaf imports no layer
    ("cluster_profiles.pages.clustering.data", "cluster_profiles.compute.pipeline", False),
    ("cluster_profiles.pages.compare.sections", "cluster_profiles.pages.sections", False),
    ("cluster_profiles.runner.kinds", "cluster_profiles.contract.scope", False),
    ("cluster_profiles.cli", "cluster_profiles.runner.page", False),
    ("cluster_profiles.contract.load", "cluster_profiles.cache", False),
])
def test_the_rule_itself(source, target, broken):
    assert (rule_broken(source, target) is not None) == broken


def test_a_module_named_like_an_imported_standard_module_is_found(tmp_path):
    (tmp_path / "io.py").write_text("import io as _stdio\n")
    (tmp_path / "site.py").write_text("")  # named like one, but nothing imports the standard ``site``
    assert "io" in standard_modules_imported(tmp_path) and "site" not in standard_modules_imported(tmp_path)


def test_a_cycle_hidden_in_a_function_is_found(tmp_path):
    root = tmp_path / PACKAGE
    (root / "runner").mkdir(parents=True)
    (root / "__init__.py").write_text("")
    (root / "runner" / "__init__.py").write_text("")
    (root / "runner" / "batch.py").write_text("from cluster_profiles.runner import kinds\n")
    (root / "runner" / "kinds.py").write_text("def f():\n    from cluster_profiles.runner.batch import x\n")
    (root / "runner" / "site.py").write_text("from .kinds import f\n")
    graph = import_graph(root)
    assert cycles(graph) == [["cluster_profiles.runner.batch", "cluster_profiles.runner.kinds"]]
    assert ("cluster_profiles.runner.kinds", 1) in graph["cluster_profiles.runner.site"]
