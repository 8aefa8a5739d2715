"""The house's shape: no import circle between files, and the drawing in docs/architecture.md
is the one the imports give (issue 16). The layer rules themselves are import-linter's
contracts in pyproject.toml, run by `make lint`."""

from __future__ import annotations

from pathlib import Path

import grimp

from termline.devtools.architecture import redraw

ROOT = Path(__file__).resolve().parent.parent


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(
                        child)))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
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
    return found


def test_no_import_circle_between_files() -> None:
    """Every file's imports (TYPE_CHECKING ones and those inside functions included) form no
    circle: a circle is two modules that cannot be understood, tested or moved apart."""
    graph = grimp.build_graph("termline", cache_dir=None)
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_circle(tmp_path: Path, monkeypatch: object) -> None:
    """The check above can fail: a package with a → b → a is reported."""
    pkg = tmp_path / "circlepkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from circlepkg import b\n")
    (pkg / "b.py").write_text("from circlepkg import a\n")
    (pkg / "c.py").write_text("from circlepkg import a\n")
    import sys

    sys.path.insert(0, str(tmp_path))
    try:
        graph = grimp.build_graph("circlepkg", cache_dir=None)
    finally:
        sys.path.remove(str(tmp_path))
    assert _cycles(graph) == [["circlepkg.a", "circlepkg.b"]]


def test_the_drawing_in_the_architecture_page_is_current() -> None:
    """docs/architecture.md shows the layers as the imports draw them today."""
    page = (ROOT / "docs/architecture.md").read_text("utf-8")
    assert "<!-- after -->" in page and "<!-- inside -->" in page
    assert redraw(page, ROOT / "src") == page, (
        "docs/architecture.md is stale: run "
        "`python -m termline.devtools.architecture --write docs/architecture.md`")


def _any_annotations(src: Path) -> dict[str, int]:
    """`Any` in annotations per part of the house (arguments, returns, variables, aliases)."""
    import ast

    counts: dict[str, int] = {}
    for path in sorted((src / "termline").rglob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        found = sum(1 for node in ast.walk(tree)
                    if isinstance(node, ast.Name) and node.id == "Any"
                    and not isinstance(getattr(node, "ctx", None), ast.Store))
        part = path.relative_to(src / "termline").parts[0]
        counts[part] = counts.get(part, 0) + found
    return counts


# Where JSON enters (the API's bodies, the store's rows, the policy's YAML) `Any` is honest;
# elsewhere it is a type not yet written. These ceilings only ever come down (issue 16).
ANY_CEILING = {"domain": 131, "app": 86, "adapters": 184, "entrypoints": 113, "devtools": 21}


def test_any_stays_at_the_edges_and_falls() -> None:
    counts = _any_annotations(ROOT / "src")
    over = {part: n for part, n in counts.items() if n > ANY_CEILING.get(part, 0)}
    assert over == {}, f"more `Any` than the ceiling allows: {over} (ceilings {ANY_CEILING})"


def test_the_entry_points_reach_the_data_only_through_app_with_no_exception() -> None:
    """Issue 16, one way into the data: the import contract that keeps SQL out of the entry
    points lists no ignored import (15 before the CLI's wiring and listings moved to app/)."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    (contract,) = [c for c in config["tool"]["importlinter"]["contracts"]
                   if c["name"] == "Entry points reach the data only through app/"]
    assert contract["forbidden_modules"] == ["termline.adapters.sql", "sqlalchemy"]
    assert contract.get("ignore_imports", []) == []
