"""The engine's extension point (issue 11): mechanisms plug in without the engine importing them."""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

import pytest

import termline.domain.registry
from scenario_helpers import run
from termline.domain.engine.actions import action
from termline.domain.engine.extension import Mechanism, MechanismsNotInstalled, install, mechanisms

SRC = Path(__file__).resolve().parent.parent / "src"


def _imports(path: Path) -> set[str]:
    """Every termline module a source file imports, at the top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("termline"):
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("termline"))
    return found


def _graph() -> dict[str, set[str]]:
    modules = {}
    for path in (SRC / "termline").rglob("*.py"):
        parts = path.relative_to(SRC).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules[name] = path
    graph = {}
    for name, path in modules.items():
        targets = set()
        for imported in _imports(path):
            while imported and imported not in modules:  # `from pkg import module` lands on pkg
                imported = imported.rpartition(".")[0]
            if imported:
                targets.add(imported)
        graph[name] = targets - {name}
    return graph


def _reaches(graph: dict[str, set[str]], start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for nxt in graph.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def test_no_import_cycle_runs_through_the_engine() -> None:
    """No engine module imports, directly or through others, a module that imports the engine
    back: the engine does not know its mechanisms; termline.domain.registry assembles them."""
    graph = _graph()
    engine = [m for m in graph if m.startswith("termline.domain.engine.")]
    cycles = {m: sorted(n for n in _reaches(graph, m) if m in _reaches(graph, n))
              for m in engine}
    assert {m: c for m, c in cycles.items() if c} == {}
    assert not any("termline.domain.registry" in _reaches(graph, m) for m in engine)


def test_a_new_mechanism_is_one_more_entry_in_the_installed_tuple(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A mechanism defined outside the engine (here, in the test) runs its phase each day once
    installed: the engine finds it through the extension point only. Its new kind of action is
    published as any kind is (in the product: one more name in `ActionKind`)."""
    from termline.adapters.notify import kinds

    monkeypatch.setattr(kinds, "ACTION_KINDS", (*kinds.ACTION_KINDS, "greeted"))
    def greet(state, ctx, day):  # type: ignore[no-untyped-def]
        if day == date(2027, 1, 5):
            return state, [action(day, "greeted", ctx.contract.id, ("1.1",))]
        return state, []

    extra = Mechanism("greeter", {}, (greet,), lambda s, c, d: date(2027, 1, 5)
                      if d < date(2027, 1, 5) else None)
    install((*termline.domain.registry.MECHANISMS, extra))
    try:
        result = run("""
policy: smartweb
until: 2027-01-10
contracts:
  - id: c
    customer: {name: C}
    start: 2027-01-04
    lines:
      - {item: Shop, unit_price: "50.00", per: month, quantity: 1}
events: []
""")
    finally:
        install(termline.domain.registry.MECHANISMS)
    assert [(a.date, a.kind) for a in result.actions if a.kind == "greeted"] == [
        (date(2027, 1, 5), "greeted")]
    assert mechanisms() is termline.domain.registry.MECHANISMS


def test_running_without_installed_mechanisms_is_a_clear_error(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import termline.domain.engine.extension as extension

    monkeypatch.setattr(extension, "_installed", None)
    with pytest.raises(MechanismsNotInstalled, match=r"bootstrap\(\)"):
        mechanisms()
