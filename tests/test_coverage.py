"""Every operational clause of the catalogue is accounted for in its pack's coverage list."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from termline.domain.policy import BUILTIN_PACKS, load_pack
from termline.domain.policy.coverage import catalogue_rows

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("pack", BUILTIN_PACKS)
def test_coverage_lists_every_catalogue_row_of_the_seed(pack: str, shared: Path) -> None:
    policy = load_pack(pack)
    expected = [key for key, _ in catalogue_rows(shared / "spec" / "clause-catalogue.md", pack)]
    listed = [entry.clause for entry in policy.coverage]
    assert len(listed) == len(set(listed)), "a clause is listed twice"
    assert sorted(set(expected) - set(listed)) == [], "catalogue rows missing from the pack"
    # The catalogue lists the operational clauses only; the other rows account for the rest of
    # the seed text (test_five_packs_account_for_every_clause_of_their_seed_text) and can only
    # be not operational.
    extra = [e for e in policy.coverage if e.clause not in expected]
    assert [e.clause for e in extra if e.status != "not_operational"] == [], \
        "a row beyond the catalogue claims an operational status"


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


SEEDS = {"smartconnect": "000_4e477a7ce9543389.txt", "clientcom": "001_6bd31657a69f5e75.txt",
         "smartweb": "002_17ecead033d4287a.txt", "superoffice": "003_49a8735006170332.txt",
         "smarttrackers": "004_110e2dc2b8a986e2.txt"}


@pytest.mark.parametrize("pack", BUILTIN_PACKS)
def test_five_packs_account_for_every_clause_of_their_seed_text(pack: str, shared: Path) -> None:
    """`termline policy coverage PACK --terms SEED` exits 0: every numbered clause and paragraph
    of the seed is implemented, later or not operational, and no row names a clause the seed
    lacks."""
    from typer.testing import CliRunner

    from termline.entrypoints.cli.app import app

    seed = shared / "seeds" / SEEDS[pack]
    assert load_pack(pack).source.file == seed.name
    result = CliRunner().invoke(app, ["policy", "coverage", pack, "--terms", str(seed),
                                      "--format", "json"])
    data = json.loads(result.stdout)
    assert data["unaccounted"] == [] and data["rows_not_in_text"] == []
    assert data["citations_not_covered"] == []
    assert result.exit_code == 0
    assert len(data["clauses"]) == {"smartconnect": 70, "clientcom": 85, "smartweb": 59,
                                    "superoffice": 84, "smarttrackers": 156}[pack]
