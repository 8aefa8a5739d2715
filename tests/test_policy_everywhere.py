"""Issue 19, "whatever `policy check` accepts runs everywhere": every policy of the suite and
policies generated over the format's optional sections go through `policy check`, `import`,
`run`, every listing and the API, on SQLite and PostgreSQL, with no contract set aside.

The defect this pins: a policy without `trial:` (or `provider_termination:`) passed check and
simulate, but the store wrote its defaults out as `clause: []` and could not read them back:
`import` ended in a pydantic traceback and every run set the stored contracts aside."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from termline.adapters.sql.db import make_engine
from termline.app.keys import create_key
from termline.domain.policy import BUILTIN_PACKS
from termline.domain.policy.check import check_text
from termline.domain.policy.policy_file import load_policy_file
from termline.domain.policy.stored import policy_from_text, policy_text, round_trip_problems
from termline.entrypoints.api.app import create_app
from termline.entrypoints.cli import database
from termline.entrypoints.cli.app import app
from tests.store.conftest import db_url  # noqa: F401 - the fixture, on SQLite and PostgreSQL

ROOT = Path(__file__).resolve().parent
PACKS = ROOT.parent / "src/termline/domain/policy/packs"
CUSTOM = ROOT / "fixtures/custom/policy.yaml"
SUITE = [*(PACKS / f"{p}.yaml" for p in BUILTIN_PACKS), CUSTOM]
NOW = datetime(2027, 6, 1, 9, tzinfo=UTC)
OPTIONAL = ("trial", "provider_termination", "compensation", "prices", "usage", "sla",
            "support", "privacy", "backups", "liability")


def termline(db: str, *args: str, code: int = 0) -> str:
    result = CliRunner().invoke(app, list(args), env={"TERMLINE_DATABASE_URL": db})
    assert result.exit_code == code, (args, result.output, result.exception)
    assert "Traceback" not in result.output
    return result.stdout


def _raw(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text("utf-8"))
    assert isinstance(data, dict)
    return data


def _scenario(policy_file: Path, ref: str) -> dict[str, Any]:
    """Two contracts under the policy: one pays nothing (the dunning ladder runs), one pays and
    gives notice; contract parameters take the policy's examples."""
    raw = _raw(policy_file)
    overrides = {p["path"]: p["example"] for p in raw.get("contract_parameters") or ()}
    line = {"item": "Seat", "unit_price": "50.00", "per": "month", "quantity": 2}

    def contract(cid: str, name: str) -> dict[str, Any]:
        return {"id": f"{ref}-{cid}", "customer": {"name": name, "country": "BE",
                                                   "email": f"{cid}@example.com"},
                "start": "2027-01-04", "overrides": overrides, "lines": [line]}

    return {"policy": str(policy_file), "until": "2027-06-30",
            "contracts": [contract("nopay", f"{ref} Nopay"), contract("pays", f"{ref} Pays")],
            "events": [
                {"date": "2027-01-10", "type": "payment", "contract": f"{ref}-pays",
                 "amount": "100.00"},
                {"date": "2027-02-15", "type": "termination_notice",
                 "contract": f"{ref}-pays", "by": "customer"}]}


def _everywhere(db: str, tmp_path: Path, policy_file: Path, ref: str, client: TestClient
                ) -> None:
    """check -> import -> run -> every listing and the API: nothing set aside, no traceback."""
    out = termline(db, "policy", "check", str(policy_file))
    assert "error" not in out.lower()
    scenario = tmp_path / f"{ref}.yaml"
    scenario.write_text(yaml.safe_dump(_scenario(policy_file, ref), sort_keys=False), "utf-8")
    termline(db, "import", str(scenario), "--tenant", "p")
    termline(db, "run", "--until", "2027-06-30")
    assert not json.loads(termline(db, "contract", "problems", "--format", "json"))
    listed = {c["contract"]: c for c in json.loads(
        termline(db, "contract", "list", "--format", "json"))}
    assert {f"{ref}-nopay", f"{ref}-pays"} <= set(listed)
    assert listed[f"{ref}-nopay"]["as_of"] == "2027-06-30"
    for cid in (f"{ref}-nopay", f"{ref}-pays"):
        shown = json.loads(termline(db, "contract", "show", cid, "--format", "json"))
        assert shown["contract"] == cid
        termline(db, "timeline", cid)
        assert client.get(f"/v1/contracts/{cid}").status_code == 200
        for sub in ("entitlement", "timeline", "deadlines", "balance"):
            answer = client.get(f"/v1/contracts/{cid}/{sub}")
            assert answer.status_code == 200, (sub, answer.text)
    ledger = json.loads(termline(db, "ledger", "--format", "json"))
    assert any(a["contract"] == f"{ref}-nopay" and a["kind"] == "invoice_issued"
               for a in ledger["actions"])
    for args in (("balance",), ("receivables", "--on", "2027-06-30"),
                 ("deadlines", "--on", "2027-06-30"), ("customer", "list"), ("tenant", "list")):
        termline(db, *args, "--format", "json")
    assert client.get("/v1/contracts").status_code == 200


@pytest.fixture
def store(db_url: str, monkeypatch: pytest.MonkeyPatch  # noqa: F811
          ) -> Iterator[tuple[str, TestClient]]:
    # the commands run in this process: unpooled engines close each connection when done,
    # where pooled ones would keep one open per command until collected
    engine_of = database.engine
    monkeypatch.setattr(database, "engine", lambda raw=None, *, pooled=True, must_exist=True:
                        engine_of(raw, pooled=False, must_exist=must_exist))
    termline(db_url, "db", "upgrade")
    termline(db_url, "tenant", "add", "p", "--timezone", "Europe/Brussels")
    engine = make_engine(db_url)
    key = create_key(engine, "p", ("read",), NOW).key
    yield db_url, TestClient(create_app(engine, lambda: NOW),
                             headers={"Authorization": f"Bearer {key}"})
    engine.dispose()


def test_the_custom_policy_of_the_readme_imports_and_runs_in_the_store(
        store: tuple[str, TestClient], tmp_path: Path) -> None:
    """The README's own example: tests/fixtures/custom/policy.yaml has no `trial:` and no
    `provider_termination:`, with late.yaml. LedgerLoop 3.1/3.2: 2 seats x EUR 50 x 12 months
    = EUR 1,200.00 invoiced on 2027-01-04, due 30 days later (2027-02-03); 4.4: EUR 40
    compensation the day after; 4.1: reminders 10 days after the due date and 10 days apart
    (02-13, 02-23). Issue 17: the invoice is owed at its total, 1,200.00 + 21 % VAT (a Belgian
    customer) = 1,452.00 (the action keeps its net amount); owed 1,452.00 + 40.00 = 1,492.00."""
    db, _ = store
    termline(db, "import", str(CUSTOM.parent / "late.yaml"))
    termline(db, "run", "--until", "2027-03-01")
    assert not json.loads(termline(db, "contract", "problems", "--format", "json"))
    actions = json.loads(termline(db, "ledger", "--format", "json"))["actions"]
    assert [(a["date"], a["kind"], a.get("amount")) for a in actions] == [
        ("2027-01-04", "contract_started", None),
        ("2027-01-04", "invoice_issued", "1200.00"),
        ("2027-02-04", "compensation_charged", "40.00"),
        ("2027-02-13", "reminder_sent", None),
        ("2027-02-23", "reminder_sent", None)]
    (row,) = json.loads(termline(db, "contract", "list", "--format", "json"))
    assert row["status"] == "active" and row["total"] == "1492.00"


@pytest.mark.parametrize("policy_file", SUITE, ids=lambda p: p.stem)
def test_every_policy_of_the_suite_runs_everywhere(
        store: tuple[str, TestClient], tmp_path: Path, policy_file: Path) -> None:
    db, client = store
    _everywhere(db, tmp_path, policy_file, policy_file.stem, client)


def test_a_policy_the_store_cannot_read_back_is_refused_by_check() -> None:
    """The check makes the store's round trip: the text written, read back, compared."""
    policy = load_policy_file(CUSTOM)
    assert round_trip_problems(policy) == []
    assert policy_from_text(policy_text(policy)) == policy
    assert policy.trial.clause == () and not policy.trial.offered
    assert not policy.provider_termination.enabled
    # what older versions stored for the absent sections reads back (stored rows stay valid)
    stored = json.loads(policy_text(policy))
    assert stored["trial"]["clause"] == [] and stored["provider_termination"]["clause"] == []
    # a provider termination right that is on still cites its clause
    _, problems = check_text(CUSTOM.read_text("utf-8") + "provider_termination: {}\n", "x")
    assert [p.message for p in problems if p.severity == "error"] == [
        "a provider termination right that is enabled cites its clause"]


# --- generated policies --------------------------------------------------------------------

SOURCES = {path.stem: _raw(path) for path in SUITE}
CORE = ("start", "term", "termination", "billing", "payment", "seats", "contract_parameters",
        "overridable", "calendar", "timezone", "closed_days")


@st.composite
def policies(draw: st.DrawFn) -> dict[str, Any]:
    """The custom policy with its sections drawn from the suite's policies: the core (term,
    billing, notices...) from one, dunning and interest from one, retention from one, and each
    optional section absent or taken from one of them."""
    names = sorted(SOURCES)
    data = copy.deepcopy(SOURCES["policy"])
    data.pop("coverage", None)
    core = SOURCES[draw(st.sampled_from(names))]
    for key in CORE:
        data.pop(key, None)
        if key in core:
            data[key] = copy.deepcopy(core[key])
    ladder = SOURCES[draw(st.sampled_from(names))]
    data["dunning"], data["interest"] = (copy.deepcopy(ladder["dunning"]),
                                         copy.deepcopy(ladder["interest"]))
    data["retention"] = copy.deepcopy(SOURCES[draw(st.sampled_from(names))]["retention"])
    for key in OPTIONAL:
        donor = draw(st.sampled_from([None, *names]))
        data.pop(key, None)
        if donor is not None and key in SOURCES[donor]:
            data[key] = copy.deepcopy(SOURCES[donor][key])
    for extra in draw(st.sets(st.sampled_from(sorted(EXTRAS)))):
        EXTRAS[extra](data)
    data["pack"] = "generated"
    return data


def _german(data: dict[str, Any]) -> None:
    data["calendar"] = "DE-BE"
    data["interest"] = {"clause": "4.2", "method": "statutory", "jurisdiction": "DE"}
    data["compensation"] = {"clause": "4.4", "amount": "40.00", "offset": "collection_costs"}


def _rates(data: dict[str, Any]) -> None:
    data["interest"] = {"clause": "4.2", "method": "statutory", "jurisdiction": "AT",
                        "rates": {"2026-01-01": "10.5"}}


def _deletions(data: dict[str, Any]) -> None:
    data["retention"]["deletion"]["after"] = "3 months"
    data["retention"]["deletions"] = [{"name": "personal data", "clause": "5.2",
                                       "after": "30 days"}]


def _liability(data: dict[str, Any]) -> None:
    data["liability"] = {
        "clause": "6.1", "basis": {"clause": "6.1", "kind": "contract_year_fees",
                                   "percent": "25", "aggregate": True,
                                   "reset": "calendar_year"},
        "minimum": {"clause": "6.1", "amount": "100.00"},
        "maximum": {"clause": "6.1", "amount": "10000.00", "aggregate": True,
                    "reset": "contract_year"},
        "unlimited": {"clause": "6.2", "kinds": ["injury", "intent"]}}


def _prices(data: dict[str, Any]) -> None:
    data["seats"] = {**data["seats"], "price": "list_price"}
    data["price_list"] = {"clause": "3.4", "items": {"Seat": {"2027-01-01": "60.00"}}}


def _notice(data: dict[str, Any]) -> None:
    rule = data["termination"]["customer"]
    if rule.get("effect", "term_end") == "term_end" and rule.get("allowed", True):
        rule.pop("period", None)
        rule["period_by_billing"] = {"1 month": "14 days", "6 months": "1 month",
                                     "12 months": "2 months"}
        rule["period"] = "1 month"


def _ladder(data: dict[str, Any]) -> None:
    data["dunning"] = {**data["dunning"], "restore_on": "everything_due_paid"}
    data["dunning"]["steps"] = [*data["dunning"].get("steps", []), {
        "name": "unpaid_run", "kind": "charge", "charge_name": "penalty", "clause": "4.3",
        "after": "10 days", "from": "due_date", "requires_unpaid_periods": 2,
        "percent": "25", "of": "fees"}]


# the format's newer fields (issue 19), each drawn on or off
EXTRAS = {"german": _german, "rates": _rates, "deletions": _deletions,
          "liability": _liability, "prices": _prices, "notice": _notice, "ladder": _ladder}


@settings(max_examples=16, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=policies())
def test_generated_policies_that_check_run_everywhere(
        store: tuple[str, TestClient], tmp_path: Path, data: dict[str, Any]) -> None:
    db, client = store
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    policy, problems = check_text(text, "generated.yaml")
    if policy is None:  # a combination the format refuses: check says so, nothing to run
        assert any(p.severity == "error" for p in problems)
        return
    number = len(list(tmp_path.glob("generated-*.yaml")))
    path = tmp_path / f"generated-{number}.yaml"
    path.write_text(text, "utf-8")
    _everywhere(db, tmp_path, path, f"g{number}", client)
