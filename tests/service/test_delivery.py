"""The outboxes and their delivery, in process with an injected clock: rows written with the
actions and none for a rolled-back run; retries with backoff over about three days with a log
per attempt; an endpoint failing for three days disabled with a notice to the tenant; manual
redelivery."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from termline.adapters.notify.dispatch import BACKOFF, Dispatcher, MailSettings
from termline.adapters.notify.outbound import Allow
from termline.adapters.sql import service_tables as s
from termline.adapters.sql import tables as t
from termline.adapters.sql.db import make_engine, upgrade
from termline.adapters.sql.uow import SqlUnitOfWork
from termline.app import intake
from termline.app import run as service
from termline.app.inputs import contract_policy
from termline.app.keys import create_key
from termline.app.webhook_endpoints import add_endpoint
from termline.domain.contract.model import Contract
from termline.entrypoints.api.app import create_app
from tests.service.conftest import Receiver

START = datetime(2027, 1, 1, 9, tzinfo=UTC)
CONTRACT = Contract.model_validate({
    "id": "late", "policy": "smartweb", "start": "2027-01-01",
    "customer": {"name": "Late ApS", "email": "late@example.com"},
    "lines": [{"item": "SmartWeb Shop", "unit_price": "100.00"}]})


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


def _book(db_url: str, url: str) -> Any:
    engine = make_engine(db_url)
    upgrade(engine)
    intake.add_tenant(SqlUnitOfWork(engine), "p")
    intake.add_contracts(SqlUnitOfWork(engine),
                         [(CONTRACT, contract_policy(CONTRACT, "test", None))], "p")
    add_endpoint(engine, "p", url, ["*"], "whsec_" + "A" * 43 + "=", START, allow=_allow(url))
    return engine


def _allow(url: str) -> Allow:
    """The loopback receiver, allowed as TERMLINE_WEBHOOK_ALLOW would."""
    return Allow.parse(url.split("/")[2])


def _count(engine: Any, table: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


class FailingCommit(SqlUnitOfWork):
    def commit(self) -> None:
        raise RuntimeError("the database went away at commit")


def test_the_outboxes_are_written_with_the_actions_and_not_for_a_rolled_back_run(
        db_url: str, receiver: Receiver) -> None:
    engine = _book(db_url, receiver.url)
    factory: Callable[[], SqlUnitOfWork] = lambda: FailingCommit(engine)  # noqa: E731
    with pytest.raises(RuntimeError):
        service.run(factory, date(2027, 1, 31))
    assert _count(engine, t.actions) == 0
    assert _count(engine, s.webhook_deliveries) == 0 and _count(engine, s.emails) == 0
    service.run(lambda: SqlUnitOfWork(engine), date(2027, 1, 31))
    # SmartWeb: started and invoiced 2027-01-01, letters 2027-01-19 and 2027-01-29 (4.2)
    with engine.connect() as conn:
        kinds = list(conn.execute(select(s.webhook_deliveries.c.type)
                                  .order_by(s.webhook_deliveries.c.id)).scalars())
        mails = list(conn.execute(select(s.emails.c.kind).order_by(s.emails.c.id)).scalars())
    assert kinds == ["contract_started", "invoice_issued", "reminder_sent", "reminder_sent"]
    assert mails == ["invoice_issued", "reminder_sent", "reminder_sent"]
    engine.dispose()


def test_failures_back_off_for_about_three_days_then_the_endpoint_is_disabled_and_redelivery(
        tmp_path: Path, receiver: Receiver) -> None:
    assert timedelta(days=2.5) < timedelta(seconds=sum(BACKOFF)) < timedelta(days=3.5)
    engine = _book(f"sqlite:///{tmp_path / 't.db'}", receiver.url)
    with engine.begin() as conn:
        conn.execute(update(t.tenants).values(settings=json.dumps(
            {"notice_email": "ops@provider.example"})))
    service.run(lambda: SqlUnitOfWork(engine), date(2027, 1, 1))  # started + invoice
    clock = Clock()
    dispatcher = Dispatcher(engine, clock, MailSettings(None, tmp_path / "outbox"),
                            allow=_allow(receiver.url))
    receiver.status = 503
    waits = []
    for _ in range(len(BACKOFF) + 1):
        clock.now += timedelta(seconds=waits[-1] if waits else 0)
        assert dispatcher.deliver_due() == 1  # only the first of the contract is in line
        with engine.connect() as conn:
            row = conn.execute(select(s.webhook_deliveries).order_by(
                s.webhook_deliveries.c.id)).first()
        assert row is not None
        waits.append(BACKOFF[min(row.attempts, len(BACKOFF)) - 1])
        clock.now += timedelta(microseconds=1)
    assert row.status == "failed" and row.attempts == len(BACKOFF) + 1
    with engine.connect() as conn:
        attempts = conn.execute(select(s.webhook_attempts)).all()
        endpoint = conn.execute(select(s.webhook_endpoints)).one()
        notice = conn.execute(select(s.emails).where(
            s.emails.c.kind == "endpoint_disabled")).one()
    assert len(attempts) == len(BACKOFF) + 1
    assert {a.status_code for a in attempts} == {503} and all(a.response == "ok"
                                                              for a in attempts)
    assert endpoint.enabled is False  # gave a delivery up after failing for ~2.8 days
    assert notice.to_addr == "ops@provider.example" and "we_1" in notice.subject

    # the receiver is fixed: the tenant enables the endpoint and redelivers the given-up one
    receiver.status = 200
    key = create_key(engine, "p", ("write",), clock.now).key
    api = TestClient(create_app(engine, clock), headers={"Authorization": f"Bearer {key}"})
    assert api.post("/v1/webhook_endpoints/we_1/enable").json()["enabled"] is True
    assert api.post(f"/v1/webhook_deliveries/{row.msg_id}/redeliver").status_code == 200
    assert dispatcher.deliver_due() == 1 and dispatcher.deliver_due() == 1  # then the invoice
    assert [json.loads(r.body)["type"] for r in receiver.got] == ["contract_started",
                                                                   "invoice_issued"]
    log = api.get("/v1/webhook_endpoints/we_1/deliveries").json()["data"]
    assert [d["status"] for d in log] == ["delivered", "delivered"]
    assert [a["status_code"] for a in log[0]["attempts"]][-2:] == [503, 200]
    engine.dispose()


def test_two_processes_delivering_at_once_send_each_message_once(
        db_url: str, receiver: Receiver, tmp_path: Path) -> None:
    """Two `serve` processes on one database both select the same due webhooks and e-mails:
    each message is taken by one of them (a lease on its next attempt), so the receiver gets
    every webhook once and the outbox folder every e-mail once. SmartWeb by 2027-01-31: started,
    invoiced, two reminders (4.2)."""
    import threading

    engine = _book(db_url, receiver.url)
    service.run(lambda: SqlUnitOfWork(engine), date(2027, 1, 31))
    expected_hooks = _count(engine, s.webhook_deliveries)
    expected_mails = _count(engine, s.emails)
    assert expected_hooks >= 4 and expected_mails >= 3
    clock = Clock()
    clock.now = datetime(2027, 2, 1, 9, tzinfo=UTC)
    outbox = tmp_path / "outbox"
    both = [Dispatcher(make_engine(db_url), clock, MailSettings(None, outbox),
                       allow=_allow(receiver.url)) for _ in range(2)]
    start = threading.Barrier(2)

    def deliver(dispatcher: Dispatcher) -> None:
        start.wait()
        while dispatcher.deliver_due() + dispatcher.send_due():
            pass

    threads = [threading.Thread(target=deliver, args=(d,)) for d in both]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    ids = [r.headers["webhook-id"] for r in receiver.wait_for(expected_hooks, timeout=10)]
    assert len(ids) == expected_hooks == len(set(ids))
    assert len(list(outbox.glob("*.eml"))) == expected_mails
    with engine.connect() as conn:
        attempts = list(conn.execute(select(s.webhook_attempts.c.delivery_id)).scalars())
        assert len(attempts) == len(set(attempts)) == expected_hooks
        assert set(conn.execute(select(s.emails.c.status)).scalars()) == {"sent"}
        assert set(conn.execute(select(s.emails.c.attempts)).scalars()) == {1}
