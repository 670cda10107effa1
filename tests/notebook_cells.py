"""What a notebook template shows, read from its code cells (for the tests of section registries)."""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat


def show_calls(notebook: Path) -> list[tuple[str, object]]:
    """Each ``<module>.show_<name>(subject[, argument])`` call outside the parameters cell, in order."""
    shown = []
    for cell in nbformat.read(notebook, as_version=4).cells:
        if cell.cell_type != "code" or "parameters" in cell.metadata.get("tags", []):
            continue
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "").startswith("show_"):
                argument = node.args[1].value if len(node.args) > 1 else None
                shown.append((node.func.attr.removeprefix("show_"), argument))
    return shown
