"""Concurrent writes gathered into batches (`app.gather`), on SQLite and PostgreSQL: requests
of two tenants stored in one transaction, each answered on its own (a refused one answers
its 4xx and stores nothing, the others are stored), and the admissions of a batch (the
callers' keys, the idempotency reservations, the audit rows) as each alone would have them."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from functools import partial
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, event, select

from termline.adapters.sql import service_tables as s
from termline.adapters.sql import tables as t
from termline.adapters.sql.db import make_engine, upgrade
from termline.adapters.sql.uow import SqlUnitOfWork
from termline.app import intake
from termline.app.gather import Gather
from termline.app.idempotency import (
    PENDING,
    Admission,
    Settlement,
    admit_many,
    in_transaction,
    settle_many,
)
from termline.app.keys import create_key
from termline.entrypoints.api.app import create_app

NOW = datetime(2027, 2, 1, 9, tzinfo=UTC)
CONTRACT = {"id": "c1", "policy": "smartweb", "start": "2027-01-01",
            "customer": {"name": "C1 ApS"},
            "lines": [{"item": "SmartWeb Shop", "unit_price": "100.00"}]}


@pytest.fixture
def store(db_url: str) -> Iterator[tuple[Engine, dict[str, str]]]:
    """An upgraded store with tenants a and b, a write key each."""
    engine = make_engine(db_url)
    upgrade(engine)
    keys = {}
    for name in ("a", "b"):
        intake.add_tenant(SqlUnitOfWork(engine), name)
        keys[name] = create_key(engine, name, ("write",), NOW).key
    yield engine, keys
    engine.dispose()


def _pay(reference: str, amount: str = "1.00", contract: str = "c1") -> dict[str, Any]:
    return {"date": "2027-02-01", "type": "payment", "contract": contract, "amount": amount,
            "reference": reference}


def _stored(engine: Engine) -> list[tuple[str, str, str]]:
    """(tenant, contract ref, payload's reference or type) of every stored event."""
    e, c, tn = t.events.c, t.contracts.c, t.tenants.c
    with engine.connect() as conn:
        rows = conn.execute(select(tn.name, c.ref, e.payload, e.tenant_id, c.tenant_id)
                            .join(t.contracts, c.id == e.contract_id)
                            .join(t.tenants, tn.id == e.tenant_id).order_by(e.id)).all()
    assert all(r[3] == r[4] for r in rows)  # each on its own tenant's contract
    return sorted((str(r[0]), str(r[1]), str(json.loads(r[2]).get("reference") or
                                             json.loads(r[2])["type"])) for r in rows)


async def _wait(condition: Any) -> None:
    for _ in range(1000):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the requests never queued")


def test_requests_of_two_tenants_in_one_batch_each_answered_on_its_own(
        store: tuple[Engine, dict[str, str]]) -> None:
    """A first request holds its batch (of one) until seven more have queued: the seven are
    stored in one transaction. Tenant a's payment and tenant b's (both on a contract `c1` of
    their own) are stored; a payment on a contract a does not have answers 404, a terms change
    b's terms refuse answers 422 with its clause, a reference already used for another payment
    409, all problem+json and none of them stored; the same payment twice in the batch is
    stored once (the second answered "duplicate"); every request has its two audit rows."""
    engine, keys = store
    app = create_app(engine, lambda: NOW)
    ctx = app.state.ctx
    gate = threading.Event()
    run = partial(intake.add_requests, ctx.uow)
    commits: list[int] = []  # the thread of each commit on the store
    event.listen(engine, "commit", lambda _: commits.append(threading.get_ident()))
    per_batch: list[int] = []  # the commits each batch of events made

    def held(batch: Sequence[intake.EventRequest]) -> list[Any]:
        if ctx.events.batches == 1:
            assert gate.wait(30)
        since = len(commits)
        found = run(batch)
        per_batch.append(commits[since:].count(threading.get_ident()))
        return found

    ctx.events = Gather(held)

    async def scenario() -> tuple[httpx.Response, list[httpx.Response]]:
        transport = httpx.ASGITransport(app=app)
        clients = {name: httpx.AsyncClient(transport=transport, base_url="http://t",
                                           headers={"Authorization": f"Bearer {key}"})
                   for name, key in keys.items()}
        for client in clients.values():
            assert (await client.post("/v1/contracts", json=CONTRACT)).status_code == 201
        a, b = clients["a"], clients["b"]
        first = asyncio.create_task(a.post("/v1/events", json=_pay("plug")))
        await _wait(lambda: ctx.events.batches == 1)
        queued = [
            a.post("/v1/events", json=_pay("a-1")),
            b.post("/v1/events", json=_pay("b-1"), headers={"Idempotency-Key": "k-1"}),
            a.post("/v1/events", json=_pay("a-x", contract="c2")),
            b.post("/v1/events", json={
                "date": "2027-02-01", "type": "terms_change_announced", "contract": "c1",
                "effective": "2027-02-10", "summary": "new support hours"}),
            a.post("/v1/events", json=_pay("plug", amount="2.00")),
            b.post("/v1/events", json=_pay("b-2")),
            b.post("/v1/events", json=_pay("b-2")),
        ]
        tasks = [asyncio.create_task(q) for q in queued]
        await _wait(lambda: ctx.events.waiting == len(queued))
        gate.set()
        answers = await asyncio.gather(*tasks)
        return await first, answers

    first, answers = asyncio.run(scenario())
    assert first.status_code == 202 and first.json()["status"] == "stored"
    assert (ctx.events.batches, ctx.events.items) == (2, 8)
    assert per_batch == [1, 1]  # the refused requests did not send the others to run alone
    statuses = [r.status_code for r in answers]
    assert statuses == [202, 202, 404, 422, 409, 202, 202], [r.text for r in answers]
    for refused in answers[2:5]:
        assert refused.headers["content-type"] == "application/problem+json"
    assert answers[2].json()["detail"] == "no contract 'c2'"
    assert answers[3].json()["clauses"] == ["3.2"]
    assert answers[3].json()["field"] == "effective"
    assert [answers[n].json()["status"] for n in (0, 1, 5, 6)] == [
        "stored", "stored", "stored", "duplicate"]
    assert _stored(engine) == [("a", "c1", "a-1"), ("a", "c1", "plug"),
                               ("b", "c1", "b-1"), ("b", "c1", "b-2")]
    with engine.connect() as conn:
        audit = conn.execute(select(s.audit_log.c.path, s.audit_log.c.status)
                             .where(s.audit_log.c.path == "/v1/events")).all()
        notes = conn.execute(select(t.event_notes.c.day)).all()
    assert sorted(status for _, status in audit) == sorted(
        [0] * 8 + [202, 202, 202, 404, 422, 409, 202, 202])
    assert len(notes) == 4  # one per stored event, for the scheduler's run


def test_admissions_of_one_batch_as_each_alone(store: tuple[Engine, dict[str, str]]) -> None:
    """One transaction admits: a's new key (reserved), a's same key again (pending: the first
    holds it), b's same key (b's own reservation), a write without a key (its audit row
    alone) and an unknown caller (nothing written). After the first is settled, its key
    replays its answer, and another body under it finds the other hash."""
    engine, keys = store
    write = in_transaction(engine)

    def admission(token: str, key: str | None, digest: str = "h1") -> Admission:
        return Admission(token, "POST", "/v1/events", key, digest, NOW)

    answers = admit_many(write, [admission(keys["a"], "k"), admission(keys["a"], "k"),
                                 admission(keys["b"], "k"), admission(keys["a"], None),
                                 admission("tl_0123456789abcdef_nobody", "k")])
    who_a, who_b = answers[0][0], answers[2][0]
    assert who_a is not None and who_a.tenant_name == "a"
    assert who_b is not None and who_b.tenant_name == "b"
    assert [found for _, found in answers] == [None, (PENDING, "", "h1"), None, None, None]
    assert answers[1][0] == who_a and answers[3][0] == who_a and answers[4][0] is None
    with engine.connect() as conn:
        audit = conn.execute(select(s.audit_log.c.tenant_id, s.audit_log.c.idempotency_key,
                                    s.audit_log.c.status).order_by(s.audit_log.c.id)).all()
    assert sorted((tenant, key or "", status) for tenant, key, status in audit) == sorted([
        (who_a.tenant_id, "k", 0), (who_b.tenant_id, "k", 0), (who_a.tenant_id, "", 0)])
    settle_many(write, [Settlement(who_a, "POST", "/v1/events", "k", 202, b'{"ok":1}', "h1",
                                   NOW),
                        Settlement(who_b, "POST", "/v1/events", "k", 503, b"", "h1", NOW)])
    again = admit_many(write, [admission(keys["a"], "k"), admission(keys["a"], "k", "h2"),
                               admission(keys["b"], "k")])
    assert [found for _, found in again] == [(202, '{"ok":1}', "h1"), (202, '{"ok":1}', "h1"),
                                             None]  # b's server error let its key go
