"""Every operational clause of the catalogue is accounted for in its pack's coverage list."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from termline.policy import BUILTIN_PACKS, load_pack
from termline.policy.coverage import catalogue_rows

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("pack", BUILTIN_PACKS)
def test_coverage_lists_every_catalogue_row_of_the_seed(pack: str, shared: Path) -> None:
    policy = load_pack(pack)
    expected = [key for key, _ in catalogue_rows(shared / "spec" / "clause-catalogue.md", pack)]
    listed = [entry.clause for entry in policy.coverage]
    assert len(listed) == len(set(listed)), "a clause is listed twice"
    assert sorted(set(expected) - set(listed)) == [], "catalogue rows missing from the pack"
    assert sorted(set(listed) - set(expected)) == [], "pack lists rows the catalogue lacks"


def _test_functions(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    return {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}


@pytest.mark.parametrize("pack", BUILTIN_PACKS)
def test_every_implemented_clause_names_an_existing_test(pack: str) -> None:
    for entry in load_pack(pack).coverage:
        if entry.status != "implemented":
            continue
        assert entry.test is not None
        file, _, name = entry.test.partition("::")
        path = ROOT / file
        assert path.is_file(), f"{pack} {entry.clause}: no file {file}"
        assert name.split("[")[0] in _test_functions(path), f"{pack} {entry.clause}: no test {name}"
