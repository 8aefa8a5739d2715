"""Runs and what-ifs (issue 18): `POST /v1/simulate` with a stored contract's id and
hypothetical events stores and sends nothing; `POST /v1/runs` goes up to today in the
tenant's time zone; a back-dated contract's older notices are recorded as not sent; renewal
reminders are looked at every scheduler pass (a contract added later in the day gets one).

SmartWeb (the `smartweb` pack): a contract from 2027-01-01 at 100.00 a month is invoiced
600.00 on 2027-01-01 for six months (4.1), payable in 8 days; reminders on 2027-01-19 and
2027-01-29 (4.2). The open item is the document with 25 % Danish VAT: 750.00 (issue 17), so
paying the invoice is paying 750.00."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from termline.adapters.sql import service_tables as s
from termline.adapters.sql import tables as t
from termline.adapters.sql.db import make_engine, upgrade
from termline.adapters.sql.uow import SqlUnitOfWork
from termline.app import intake
from termline.app.inputs import LocatedEvent, contract_policy, parse_event
from termline.app.keys import create_key
from termline.app.scheduler import Scheduler
from termline.domain.contract.model import Contract
from termline.entrypoints.api.app import create_app

CONTRACT = {"id": "c1", "policy": "smartweb", "start": "2027-01-01",
            "customer": {"name": "C1 ApS", "email": "c1@example.com"},
            "lines": [{"item": "SmartWeb Shop", "unit_price": "100.00"}]}


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def api(db_url: str) -> Iterator[tuple[TestClient, Any, Clock]]:
    engine = make_engine(db_url)
    upgrade(engine)
    intake.add_tenant(SqlUnitOfWork(engine), "p", "Europe/Copenhagen")
    clock = Clock(datetime(2027, 1, 1, 8, tzinfo=UTC))
    key = create_key(engine, "p", ("write",), clock.now).key
    client = TestClient(create_app(engine, clock), headers={"Authorization": f"Bearer {key}"})
    yield client, engine, clock
    engine.dispose()


def _rows(engine: Any) -> tuple[int, ...]:
    with engine.connect() as conn:
        return tuple(int(conn.execute(select(func.count()).select_from(x)).scalar_one())
                     for x in (t.events, t.actions, t.invoices, s.emails, s.webhook_deliveries,
                               t.contract_runs))


def test_a_what_if_on_a_stored_contract_adds_hypothetical_events_and_stores_nothing(
        api: tuple[TestClient, Any, Clock]) -> None:
    client, engine, _clock = api
    assert client.post("/v1/contracts", json=CONTRACT).status_code == 201
    assert client.post("/v1/runs", json={"until": "2027-01-01"}).status_code == 200
    assert client.post("/v1/webhook_endpoints", json={
        "url": "https://93.184.216.34/h", "events": ["*"]}).status_code == 201
    before = _rows(engine)
    as_is = client.post("/v1/simulate", json={"contract": "c1", "until": "2027-01-31"})
    assert as_is.status_code == 200, as_is.text
    kinds = [(a["date"], a["kind"]) for a in as_is.json()["actions"]]
    assert ("2027-01-19", "reminder_sent") in kinds and ("2027-01-29", "reminder_sent") in kinds
    assert as_is.json()["balance"]["principal"] == "750.00"
    paid = client.post("/v1/simulate", json={
        "contract": "c1", "until": "2027-01-31",
        "events": [{"date": "2027-01-08", "type": "payment", "contract": "c1",
                    "amount": "750.00"}]})
    assert paid.status_code == 200, paid.text
    body = paid.json()
    assert [a["kind"] for a in body["actions"]].count("reminder_sent") == 0
    assert body["balance"]["total"] == "0.00"
    assert body["stored_events"] == 0 and body["hypothetical_events"] == 1
    assert _rows(engine) == before  # nothing stored, nothing queued to send
    missing = client.post("/v1/simulate", json={"contract": "nope", "until": "2027-01-31"})
    assert missing.status_code == 404
    foreign = client.post("/v1/simulate", json={
        "contract": "c1", "until": "2027-01-31",
        "events": [{"date": "2027-01-08", "type": "payment", "contract": "c2",
                    "amount": "1.00"}]})
    assert foreign.status_code == 422 and foreign.json()["field"] == "events.0.contract"
    assert _rows(engine) == before


def test_a_run_goes_up_to_today_in_the_tenants_time_zone(
        api: tuple[TestClient, Any, Clock]) -> None:
    """2027-01-31 23:30 UTC is 2027-02-01 00:30 in Copenhagen: the tenant's today is 02-01."""
    client, engine, clock = api
    assert client.post("/v1/contracts", json=CONTRACT).status_code == 201
    clock.now = datetime(2027, 1, 31, 23, 30, tzinfo=UTC)
    before = _rows(engine)
    future = client.post("/v1/runs", json={"until": "2027-02-02"})
    assert future.status_code == 422 and future.json()["field"] == "until"
    assert "2027-02-01" in future.json()["detail"]
    assert _rows(engine) == before
    assert client.post("/v1/runs", json={"until": "2027-02-01"}).status_code == 200


def test_a_back_dated_contract_does_not_email_its_history(
        api: tuple[TestClient, Any, Clock]) -> None:
    """Added on 2027-02-01 with a start on 2027-01-01: the invoice of 01-01 and the reminders
    of 01-19 and 01-29 are recorded as not sent; SmartWeb suspends on 2027-02-06 (4.3) and that
    notice is sent."""
    client, _engine, clock = api
    clock.now = datetime(2027, 2, 1, 9, tzinfo=UTC)
    assert client.post("/v1/contracts", json=CONTRACT).status_code == 201
    assert client.post("/v1/runs", json={"until": "2027-02-01"}).status_code == 200
    mails = client.get("/v1/emails", params={"limit": 100}).json()["data"]
    assert [(m["kind"], m["status"]) for m in mails] == [
        ("invoice_issued", "not_sent"), ("reminder_sent", "not_sent"),
        ("reminder_sent", "not_sent")]
    assert {m["last_error"] for m in mails} == {"not sent: before the contract was added"}
    clock.now = datetime(2027, 2, 6, 9, tzinfo=UTC)
    assert client.post("/v1/runs", json={"until": "2027-02-06"}).status_code == 200
    later = client.get("/v1/emails", params={"status": "pending"}).json()["data"]
    assert [m["kind"] for m in later] == ["access_suspended"]


def test_a_contract_added_later_in_the_day_gets_its_renewal_reminder_at_the_next_pass(
        tmp_path: Path) -> None:
    """SmartWeb's last day to give notice for a term ending 2027-06-30 is 2027-06-16 (14.1,
    4.1); with the default lead of 30 days the reminder is due from 2027-05-17."""
    engine = make_engine(f"sqlite:///{tmp_path / 't.db'}")
    upgrade(engine)
    uow = lambda: SqlUnitOfWork(engine)  # noqa: E731
    intake.add_tenant(uow(), "p")
    with engine.begin() as conn:
        conn.execute(update(t.tenants).values(settings=json.dumps(
            {"terms_url": "https://p.example/terms"})))
    now = datetime(2027, 5, 20, 8, tzinfo=UTC)
    scheduler = Scheduler(uow, lambda: now)
    scheduler.run_pass()  # the tenant's day is run: no contract yet
    contract = Contract.model_validate({**CONTRACT, "id": "late"})
    intake.add_contracts(uow(), [(contract, contract_policy(contract, "test", None))], "p")
    paid: LocatedEvent = parse_event({"date": "2027-01-05", "type": "payment",
                                      "contract": "late", "amount": "750.00"})
    intake.add_events(uow(), [paid], "p")
    scheduler.run_pass()  # the same day, later
    scheduler.run_pass()
    with engine.connect() as conn:
        subjects = conn.execute(select(s.emails.c.subject).where(
            s.emails.c.kind == "renewal_reminder")).scalars().all()
    assert subjects == ["Contract late: last day to give notice is 2027-06-16"]
    engine.dispose()
