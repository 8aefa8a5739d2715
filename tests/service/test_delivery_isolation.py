"""One tenant never stalls another's deliveries (issue 18).

Tenant A's endpoint accepts connections and never answers, and one of A's e-mails is poison (a
recipient with CR/LF, which once raised on every send and aborted the round). Tenant B's webhook
and e-mail still arrive within 2 seconds (real aiosmtpd, real local HTTP receivers allowed
through TERMLINE_WEBHOOK_ALLOW's `Allow`); the poison is failed with its reason, not retried."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from termline.adapters.notify.dispatch import PER_ENDPOINT, Dispatcher, MailSettings
from termline.adapters.notify.isolation import Breaker, Slots
from termline.adapters.notify.outbound import Allow
from termline.adapters.sql import service_tables as s
from termline.adapters.sql import tables as t
from termline.adapters.sql.db import make_engine, upgrade
from termline.adapters.sql.uow import SqlUnitOfWork
from termline.app import intake
from termline.app import run as service
from termline.app.inputs import contract_policy
from termline.app.webhook_endpoints import add_endpoint
from termline.domain.contract.model import Contract
from tests.service.conftest import Mailbox, Receiver, free_port


def _contract(cid: str, email: str) -> Contract:
    return Contract.model_validate({
        "id": cid, "policy": "smartweb", "start": "2027-01-01",
        "customer": {"name": f"{cid} ApS", "email": email},
        "lines": [{"item": "SmartWeb Shop", "unit_price": "100.00"}]})


@pytest.fixture
def black_hole() -> Iterator[str]:
    """An HTTP endpoint that accepts every connection and never answers."""
    port = free_port()
    server = socket.socket()
    server.bind(("127.0.0.1", port))
    server.listen(64)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}/never"
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


def _pending(engine: Any, tenant: str) -> int:
    m = s.emails.c
    with engine.connect() as conn:
        tenant_id = conn.execute(
            select(t.tenants.c.id).where(t.tenants.c.name == tenant)).scalar_one()
        return len(conn.execute(select(m.id).where(
            m.tenant_id == tenant_id, m.status == "pending")).all())


def test_a_stalled_endpoint_and_a_poison_email_do_not_delay_another_tenant(
        db_url: str, tmp_path: Path, receiver: Receiver, smtp: Mailbox,
        black_hole: str) -> None:
    engine = make_engine(db_url)
    upgrade(engine)
    uow = lambda: SqlUnitOfWork(engine)  # noqa: E731
    allow = Allow.parse(f"{receiver.allow},{black_hole.split('/')[2]}")
    intake.add_tenant(uow(), "a")
    intake.add_tenant(uow(), "b")
    theirs = [_contract(f"a{i}", f"a{i}@example.com") for i in range(12)]
    intake.add_contracts(uow(), [(c, contract_policy(c, "test", None)) for c in theirs], "a")
    ours = _contract("b0", "b0@example.com")
    intake.add_contracts(uow(), [(ours, contract_policy(ours, "test", None))], "b")
    now = datetime(2027, 1, 1, 9, tzinfo=UTC)
    add_endpoint(engine, "a", black_hole, ["*"], None, now, allow=allow)
    add_endpoint(engine, "b", receiver.url, ["invoice_issued"], None, now, allow=allow)
    service.run(uow, date(2027, 1, 1))  # started and invoiced: A's 24 webhooks come first
    m = s.emails.c
    with engine.begin() as conn:
        first = conn.execute(select(m.id).order_by(m.id)).scalars().first()
        conn.execute(update(s.emails).where(m.id == first).values(
            to_addr="a0@example.com\r\nBcc: everyone@example.com"))
    dispatcher = Dispatcher(engine, lambda: now + timedelta(minutes=1),
                            MailSettings(smtp.url, tmp_path / "outbox"), poll=0.2, allow=allow)
    worker = threading.Thread(target=dispatcher.run_forever)
    started = time.monotonic()
    worker.start()
    try:
        got = receiver.wait_for(1, timeout=10)
        hook_at = time.monotonic() - started
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not any(
                msg["To"] == "b0@example.com" for msg in smtp.messages):
            time.sleep(0.02)
        mail_at = time.monotonic() - started
        # the rest of A's e-mails go out too, in their own time (B's is the one timed)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and _pending(engine, "a"):
            time.sleep(0.05)
    finally:
        dispatcher.stop()
        worker.join(timeout=30)
    assert len(got) == 1 and hook_at < 2.0, f"B's webhook after {hook_at:.2f}s"
    assert any(msg["To"] == "b0@example.com" for msg in smtp.messages)
    assert mail_at < 2.0, f"B's e-mail after {mail_at:.2f}s"
    with engine.connect() as conn:
        poison = conn.execute(select(s.emails).where(m.id == first)).one()
        others = conn.execute(select(m.status).where(m.id != first, m.tenant_id == poison
                                                     .tenant_id)).scalars().all()
    assert poison.status == "failed" and poison.attempts == 1
    assert "line break" in poison.last_error
    # the rest of A's e-mails went out: the poison stopped nothing
    assert set(others) == {"sent"} and len(others) == 11
    assert not any("everyone@example.com" in str(msg) for msg in smtp.messages)
    engine.dispose()


def test_at_most_the_endpoints_slots_are_taken_by_its_stalled_attempts() -> None:
    slots = Slots()
    keys: list[Any] = [(("endpoint", 1), PER_ENDPOINT), (("hook-tenant", 1), 8)]
    assert all(slots.take(keys) for _ in range(PER_ENDPOINT))
    assert not slots.take(keys) and slots.full(PER_ENDPOINT, "endpoint") == [1]
    assert slots.take([(("endpoint", 2), PER_ENDPOINT), (("hook-tenant", 2), 8)])
    slots.give(keys)
    assert slots.take(keys)


def test_the_circuit_opens_after_five_failures_and_half_opens_for_one_probe() -> None:
    now = [datetime(2027, 1, 1, tzinfo=UTC)]
    breaker = Breaker(lambda: now[0], failures=5, cool_off=timedelta(seconds=30))
    key = ("circuit", 7)
    for _ in range(4):
        assert breaker.allow(key)
        breaker.record(key, False)
    assert breaker.state(key) == "closed" and breaker.allow(key)
    breaker.record(key, False)  # the fifth failure in a row
    assert breaker.state(key) == "open" and not breaker.allow(key)
    assert breaker.open_keys() == [7]
    now[0] += timedelta(seconds=30)
    assert breaker.state(key) == "half-open"
    assert breaker.allow(key) and not breaker.allow(key)  # one probe at a time
    breaker.record(key, False)  # the probe failed: open again for 30 s
    assert breaker.state(key) == "open"
    now[0] += timedelta(seconds=30)
    assert breaker.allow(key)
    breaker.record(key, True)  # the probe succeeded: closed
    assert breaker.state(key) == "closed" and breaker.open_keys() == []
