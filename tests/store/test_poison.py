"""One bad contract never stops the book (issue 8).

Inputs accepted before the intake refused them (stored straight into the log here, as an
older version or a bug would have) used to stop every later run of their tenant: the failing
contract is claimed first each time and its batch fails. Now the contract is set aside with
its error, day and event, the other contracts run to the end, and once an operator voids the
event the contract resumes and ends as if the event had never been sent.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import exc as sa_exc
from sqlalchemy import insert

from termline.adapters.sql import tables as t
from termline.adapters.sql.db import make_engine
from termline.adapters.sql.repository import Repository
from termline.adapters.sql.uow import SqlUnitOfWork
from termline.app import intake, run, views
from termline.domain.contract import load_scenario
from termline.domain.engine import simulate_scenario
from tests.store.books import synthetic_scenario
from tests.store.test_equivalence import termline

UNTIL = date(2027, 6, 30)
TENANT = "book"


def _poison(db_url: str, ref: str, raw: dict[str, Any], key: str) -> None:
    """Store an event without the intake's checks, as an older version would have."""
    engine = make_engine(db_url)
    with SqlUnitOfWork(engine) as uow:
        owner = uow.repo.tenant(TENANT)
        assert owner is not None
        stored = uow.repo.contracts(owner.id, ref)[0]
        day = date.fromisoformat(raw["date"])
        uow.repo.conn.execute(insert(t.events).values(
            tenant_id=owner.id, contract_id=stored.id, date=day, type=raw["type"],
            natural_key=key, payload=json.dumps({**raw, "contract": ref})))
        uow.repo.note_event(owner.id, stored.id, day)
        uow.commit()
    engine.dispose()


def _without(document: dict[str, Any], refs: set[str], path: Path) -> Path:
    doc = {**document,
           "contracts": [c for c in document["contracts"] if c["id"] not in refs],
           "events": [e for e in document.get("events", []) if e["contract"] not in refs]}
    path.write_text(yaml.safe_dump(doc, sort_keys=False), "utf-8")
    return path


def _only(document: dict[str, Any], ref: str, path: Path) -> Path:
    others = {c["id"] for c in document["contracts"]} - {ref}
    return _without(document, others, path)


def _actions_of(ledger: dict[str, Any], refs: set[str] | None, exclude: set[str]
                ) -> list[dict[str, Any]]:
    return [a for a in ledger["actions"]
            if a["contract"] not in exclude and (refs is None or a["contract"] in refs)]


def test_one_poisoned_contract_of_300_is_set_aside_and_the_299_others_run_to_the_end(
        db_url: str, tmp_path: Path) -> None:
    scenario = synthetic_scenario(tmp_path / "book.yaml", 300, UNTIL, seed=3)
    document = yaml.safe_load(scenario.read_text("utf-8"))
    smartweb = [c for c in document["contracts"] if c["policy"] == "smartweb"
                and date.fromisoformat(str(c["start"])) < date(2027, 3, 1)]
    victim = smartweb[0]["id"]
    termline(db_url, "db", "upgrade")
    termline(db_url, "tenant", "add", TENANT)
    termline(db_url, "import", str(scenario), "--tenant", TENANT)
    termline(db_url, "run", "--until", "2027-03-01")
    # SmartWeb 3.3 caps an announced increase by the DK net price index, which this tenant
    # never loaded: the step of 2027-03-10 cannot compute the cap.
    item = smartweb[0]["lines"][0]["item"]
    _poison(db_url, victim, {"date": "2027-03-10", "type": "price_change_announced",
                             "item": item, "new_unit_price": "99.00",
                             "effective": "2027-06-01"}, "legacy:1")
    report = json.loads(termline(db_url, "run", "--until", UNTIL.isoformat(), "--json"))
    assert list(report["set_aside"]) == [victim]
    problem = report["set_aside"][victim]
    assert problem["day"] == "2027-03-10"
    assert "MissingIndex" in problem["error"] and "dk-npi" in problem["error"].lower()
    # its balances and deadlines hold as of the day before, not as of the book's run
    assert json.loads(termline(db_url, "timeline", victim, "--tenant", TENANT, "--format",
                               "json"))["as_of"] == "2027-03-09"

    # the 299 others: exactly what simulate gives for the book without the victim
    expected = json.loads(termline(db_url, "simulate", str(_without(
        document, {victim}, tmp_path / "others.yaml")), "--format", "json"))
    ledger = json.loads(termline(db_url, "ledger", "--tenant", TENANT, "--format", "json"))
    assert _actions_of(ledger, None, {victim}) == expected["actions"]
    assert [b for b in ledger["balances"] if b["contract"] != victim] == expected["balances"]
    assert len(expected["balances"]) == 299

    # the operator finds it, voids the event, and the contract runs to the end
    problems = json.loads(termline(db_url, "contract", "problems", "--tenant", TENANT,
                                   "--format", "json"))
    assert list(problems) == [victim]
    listed = {row["contract"]: row for row in json.loads(termline(
        db_url, "contract", "list", "--tenant", TENANT, "--format", "json"))}
    assert listed[victim]["problem"].startswith("2027-03-10: MissingIndex")
    assert sum(1 for row in listed.values() if row["problem"]) == 1
    log = json.loads(termline(db_url, "event", "list", "--contract", victim, "--tenant",
                              TENANT, "--format", "json"))
    bad = [e for e in log if e["type"] == "price_change_announced"]
    assert [e["id"] for e in bad] == problem["events"]
    termline(db_url, "event", "void", str(bad[0]["id"]), "--reason", "index not loaded",
             "--tenant", TENANT)
    again = json.loads(termline(db_url, "run", "--until", UNTIL.isoformat(), "--json"))
    assert again["set_aside"] == {}
    assert json.loads(termline(db_url, "contract", "problems", "--tenant", TENANT,
                               "--format", "json")) == {}
    alone = json.loads(termline(db_url, "simulate", str(_only(document, victim,
                                                              tmp_path / "victim.yaml")),
                                "--format", "json"))
    ledger = json.loads(termline(db_url, "ledger", "--tenant", TENANT, "--contract", victim,
                                 "--format", "json"))
    assert ledger == alone
    listed = json.loads(termline(db_url, "event", "list", "--contract", victim, "--tenant",
                                 TENANT, "--format", "json"))
    assert [e["voided"] for e in listed if e["id"] == bad[0]["id"]] == ["index not loaded"]


def test_a_stored_event_that_no_longer_validates_sets_aside_only_its_contract(
        db_url: str, tmp_path: Path) -> None:
    """A payment of 1,000,000,000,000,000.00 stored before the intake refused it (it
    overflows NUMERIC(19,4) on PostgreSQL): its contract is set aside on the event's date with
    the field named; the 39 others run to the end."""
    scenario = synthetic_scenario(tmp_path / "book.yaml", 40, UNTIL, seed=5)
    document = yaml.safe_load(scenario.read_text("utf-8"))
    first = next(c for c in document["contracts"] if str(c["start"]) < "2027-05-01")
    victim, start = first["id"], str(first["start"])
    termline(db_url, "db", "upgrade")
    termline(db_url, "tenant", "add", TENANT)
    termline(db_url, "import", str(scenario), "--tenant", TENANT)
    _poison(db_url, victim, {"date": start, "type": "payment",
                             "amount": "1000000000000000.00"}, "legacy:2")
    report = json.loads(termline(db_url, "run", "--until", UNTIL.isoformat(), "--json"))
    assert list(report["set_aside"]) == [victim]
    assert report["set_aside"][victim]["day"] == start
    assert "amount" in report["set_aside"][victim]["error"]
    expected = json.loads(termline(db_url, "simulate", str(_without(
        document, {victim}, tmp_path / "others.yaml")), "--format", "json"))
    ledger = json.loads(termline(db_url, "ledger", "--tenant", TENANT, "--format", "json"))
    assert _actions_of(ledger, None, {victim}) == expected["actions"]


def test_a_batch_the_store_refuses_is_redone_contract_by_contract(
        uow: Any, tmp_path: Path, monkeypatch: Any) -> None:
    """When the database refuses a batch's write (here: a numeric overflow the database
    raises for one contract's rows), the batch is redone one contract per transaction and
    only that contract is set aside; the others' days are stored once."""
    scenario = synthetic_scenario(tmp_path / "book.yaml", 30, UNTIL, seed=9)
    loaded = load_scenario(scenario)
    victim = next(c for c in loaded.contracts if c.start < date(2027, 5, 1)).id
    intake.add_tenant(uow(), TENANT)
    intake.import_scenario(uow(), loaded, TENANT)
    original = Repository.add_days

    def refuse_victim(self: Repository, days: Any, recorded_on: Any) -> None:
        if any(d.contract.contract.id == victim and d.items for d in days):
            raise sa_exc.DataError("INSERT INTO actions ...", {},
                                   Exception("numeric field overflow"))
        original(self, days, recorded_on)

    monkeypatch.setattr(Repository, "add_days", refuse_victim)
    report = run.run(uow, UNTIL)
    assert list(report.set_aside) == [victim]
    assert "DataError" in report.set_aside[victim]["error"]
    monkeypatch.setattr(Repository, "add_days", original)
    with uow() as u:  # set aside means never claimed, not even by a run to 9999-12-31
        owner = u.repo.tenant(TENANT)
        assert owner is not None
        claimed = [c.contract.id for c, _ in u.repo.claim(owner.id, date(9999, 12, 31), 1000)]
        assert claimed and victim not in claimed
    others = [c for c in loaded.contracts if c.id != victim]
    expected = simulate_scenario(dataclasses.replace(
        loaded, contracts=tuple(others),
        events=tuple(e for e in loaded.events if e.contract != victim))).to_json()
    ledger = views.ledger(uow(), TENANT)
    assert _actions_of(ledger, None, {victim}) == expected["actions"]
