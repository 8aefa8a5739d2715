"""`import` + `run --until U` + `ledger` gives exactly `simulate --until U`, on both databases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from termline.adapters.sql import tables as t
from termline.adapters.sql.codec import encode
from termline.adapters.sql.db import make_engine
from termline.adapters.sql.jsontext import dumps
from termline.domain.contract import parse_scenario
from termline.domain.engine import simulate_scenario
from termline.domain.engine.state import ContractState
from termline.domain.policy import BUILTIN_PACKS
from termline.entrypoints.cli.app import app
from tests.store.books import scenario_text

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


def termline(db_url: str, *args: str) -> str:
    result = CliRunner().invoke(app, list(args), env={"TERMLINE_DATABASE_URL": db_url},
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def _check(db_url: str, scenario: Path, until: str, midway: str) -> None:
    termline(db_url, "db", "upgrade")
    termline(db_url, "tenant", "add", "default")
    termline(db_url, "import", str(scenario))
    termline(db_url, "run", "--until", midway)  # a first run part of the way
    termline(db_url, "run", "--until", until)
    expected = termline(db_url, "simulate", str(scenario), "--format", "json", "--until", until)
    ledger = termline(db_url, "ledger", "--format", "json")
    assert ledger == expected  # byte for byte: actions and balances
    assert json.loads(ledger)["actions"]
    again = json.loads(termline(db_url, "run", "--until", until, "--json"))
    assert (again["actions"], again["days"]) == (0, 0)
    assert termline(db_url, "ledger", "--format", "json") == expected


@pytest.mark.parametrize("pack", BUILTIN_PACKS)
def test_store_run_equals_simulation_for_each_pack(db_url: str, pack: str,
                                                   tmp_path: Path) -> None:
    scenario = tmp_path / f"{pack}.yaml"
    scenario.write_text(scenario_text(pack), "utf-8")
    _check(db_url, scenario, "2028-03-31", "2027-06-15")


@pytest.mark.parametrize("pack", BUILTIN_PACKS)
def test_each_stored_state_is_the_text_of_the_simulated_state(db_url: str, pack: str,
                                                               tmp_path: Path) -> None:
    """The run stores a contract's state day after day, writing what of it came back unchanged
    as the text it was read from (`codec.Reuse`): after a run to 2028-03-31 in two parts, each
    stored state is byte for byte the fresh encoding of the state `simulate` reaches on the
    contract's cursor (the payments, the dunning and the renewals of the pack's scenario)."""
    text = scenario_text(pack)
    scenario = tmp_path / f"{pack}.yaml"
    scenario.write_text(text, "utf-8")
    termline(db_url, "db", "upgrade")
    termline(db_url, "tenant", "add", "default")
    termline(db_url, "import", str(scenario))
    termline(db_url, "run", "--until", "2027-06-15")
    termline(db_url, "run", "--until", "2028-03-31")
    engine = make_engine(db_url)
    with engine.connect() as conn:
        stored = conn.execute(select(t.contracts.c.ref, t.contract_runs.c.cursor,
                                     t.contract_runs.c.state)
                              .join(t.contract_runs,
                                    t.contract_runs.c.contract_id == t.contracts.c.id)).all()
    engine.dispose()
    parsed = parse_scenario(text)
    assert len(stored) == len(parsed.contracts)
    for ref, cursor, state in stored:
        simulated = simulate_scenario(parsed, cursor).states[ref]
        assert simulated.items, ref  # a state with records to carry over
        assert state == dumps(encode(simulated, ContractState)), ref


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_store_run_equals_simulation_for_the_examples(db_url: str, example: Path) -> None:
    _check(db_url, example, "2027-12-31", "2027-03-03")


def test_ledger_filters_by_contract_keep_simulate_order(db_url: str, tmp_path: Path) -> None:
    scenario = tmp_path / "smartweb.yaml"
    scenario.write_text(scenario_text("smartweb"), "utf-8")
    termline(db_url, "db", "upgrade")
    termline(db_url, "tenant", "add", "default")
    termline(db_url, "import", str(scenario))
    termline(db_url, "run", "--until", "2027-12-31")
    full = json.loads(termline(db_url, "simulate", str(scenario), "--format", "json",
                               "--until", "2027-12-31"))
    only = json.loads(termline(db_url, "ledger", "--contract", "nopay", "--format", "json"))
    assert only["actions"] == [a for a in full["actions"] if a["contract"] == "nopay"]
    assert [b["contract"] for b in only["balances"]] == ["nopay"]
