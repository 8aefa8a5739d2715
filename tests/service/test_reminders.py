"""Renewal reminders from the scheduler (clock injected): SmartWeb's last day to give notice
for a term ending 2027-06-30 is 2027-06-16, the day before the next period's invoice is
dispatched (14.1, invoiced 14 days ahead, 4.1); with the default lead of 30 days the reminder
is written on 2027-05-17, once."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select, update

from termline.adapters.sql import service_tables as s
from termline.adapters.sql import tables as t
from termline.adapters.sql.db import make_engine, upgrade
from termline.adapters.sql.uow import SqlUnitOfWork
from termline.app import intake
from termline.app.inputs import LocatedEvent, contract_policy, parse_event
from termline.app.scheduler import Scheduler
from termline.domain.contract.model import Contract

CONTRACT = Contract.model_validate({
    "id": "loyal", "policy": "smartweb", "start": "2027-01-01",
    "customer": {"name": "Loyal ApS", "email": "loyal@example.com"},
    "lines": [{"item": "SmartWeb Shop", "unit_price": "100.00"}]})


def test_a_renewal_reminder_is_written_30_days_before_the_notice_deadline_once(
        tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 't.db'}")
    upgrade(engine)
    uow = lambda: SqlUnitOfWork(engine)  # noqa: E731
    intake.add_tenant(uow(), "p")
    with engine.begin() as conn:
        conn.execute(update(t.tenants).values(settings=json.dumps(
            {"terms_url": "https://p.example/terms"})))
    intake.add_contracts(uow(), [(CONTRACT, contract_policy(CONTRACT, "test", None))], "p")
    # SmartWeb 4.1: 6 x 100.00 = 600.00 + 25 % Danish VAT = 750.00, paid in full
    paid: LocatedEvent = parse_event({"date": "2027-01-05", "type": "payment",
                                      "contract": "loyal", "amount": "750.00"})
    intake.add_events(uow(), [paid], "p")
    now = datetime(2027, 5, 16, 0, 30, tzinfo=UTC)
    scheduler = Scheduler(uow, lambda: now)

    def reminders() -> list[tuple[str, str]]:
        with engine.connect() as conn:
            return [(r.subject, r.body) for r in conn.execute(select(s.emails).where(
                s.emails.c.kind == "renewal_reminder"))]

    scheduler.run_pass()
    assert reminders() == []
    now = datetime(2027, 5, 17, 0, 30, tzinfo=UTC)
    scheduler.run_pass()
    scheduler.run_pass()
    now = datetime(2027, 5, 18, 0, 30, tzinfo=UTC)
    Scheduler(uow, lambda: now).run_pass()  # a restarted server asks again: still one
    (subject, body), = reminders()
    assert subject == "Contract loyal: last day to give notice is 2027-06-16"
    assert "for an end on 2027-06-30" in body
    assert "Clause(s): 14.1. Terms: https://p.example/terms" in body
    engine.dispose()
