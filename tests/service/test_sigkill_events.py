"""Events posted while the server is SIGKILLed three times: each stored exactly once, each
applied exactly once (issue 18).

Clients post payments with an `Idempotency-Key` and retry the same request on a connection
error or a server error until it is answered; half carry a `reference` (their identity in the
log), half do not (the key is their identity: `intake.request_origin`). The server is killed
when the store holds given numbers of events (not at times: the moments depend on the
machine's speed, the counts do not), and restarted; readiness is the health endpoint, never a
sleep. SmartWeb 4.1: each contract starts today with its invoice, and each payment is applied
to it (one `payment_applied` action per payment, of its amount).
"""

from __future__ import annotations

import json
import random
import signal
import threading
import time
from collections import Counter
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import Engine, func, select

from termline.adapters.sql import tables as t
from termline.adapters.sql.db import make_engine
from tests.service.conftest import Server, cli, new_key

CONTRACTS = 8
PER_CONTRACT = 12
EVENTS = CONTRACTS * PER_CONTRACT
CLIENTS = 4
DEADLINE = 240.0  # seconds for the whole exchange: generous for a loaded machine


def _payment(n: int, today: str) -> dict[str, Any]:
    """The n-th payment: its contract and amount (unique per contract) identify it."""
    body: dict[str, Any] = {"date": today, "type": "payment", "contract": f"k{n % CONTRACTS}",
                            "amount": f"{1 + n // CONTRACTS / 100:.2f}"}
    if n % 2:
        body["reference"] = f"pay-{n}"
    return body


def _count(engine: Engine, table: Any, *where: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table).where(*where))
                   .scalar_one())


def test_events_are_stored_and_applied_exactly_once_across_three_sigkills(
        serve: Server) -> None:
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    cli(serve.db, "tenant", "add", "provider", "--timezone", "UTC")
    key = new_key(serve.db, "provider", "write")
    auth = {"Authorization": f"Bearer {key}"}
    today = time.strftime("%Y-%m-%d", time.gmtime())
    serve.start()
    for i in range(CONTRACTS):
        assert httpx.post(f"{serve.url}/v1/contracts", headers=auth, timeout=60, json={
            "id": f"k{i}", "policy": "smartweb", "start": today,
            "customer": {"name": f"K{i} ApS"},
            "lines": [{"item": "SmartWeb Shop", "unit_price": "100.00"}]}).status_code == 201
    engine = make_engine(serve.db, pooled=False)
    ends = time.monotonic() + DEADLINE
    answers: Counter[str] = Counter()
    failures: list[str] = []
    lock = threading.Lock()

    def client(mine: range) -> None:
        with httpx.Client(base_url=serve.url, headers=auth, timeout=30) as http:
            for n in mine:
                while True:  # the same request (same key, same body) until it is answered
                    if time.monotonic() > ends:
                        failures.append(f"event {n}: no answer before the deadline")
                        return
                    try:
                        answer = http.post("/v1/events", json=_payment(n, today),
                                           headers={"Idempotency-Key": f"sigkill-{n}"})
                    except httpx.TransportError:
                        time.sleep(0.05)  # the server is down: again when it is back
                        continue
                    if answer.status_code >= 500:
                        time.sleep(0.05)
                        continue
                    if answer.status_code != 202:
                        failures.append(f"event {n}: {answer.status_code} {answer.text}")
                        return
                    with lock:
                        answers[answer.json()["status"]] += 1
                    break

    threads = [threading.Thread(target=client, args=(range(c, EVENTS, CLIENTS),))
               for c in range(CLIENTS)]
    for thread in threads:
        thread.start()
    # three kills at event counts drawn in each quarter of the run
    kills = [rng.randrange(q * EVENTS // 4 + 1, (q + 1) * EVENTS // 4) for q in range(3)]
    killed = 0
    for at in kills:
        while _count(engine, t.events) < at:
            assert time.monotonic() < ends, f"stuck before {at} events (seed {seed})"
            assert not failures, failures
            time.sleep(0.01)
        serve.stop(signal.SIGKILL)
        killed += 1
        serve.start()
    for thread in threads:
        thread.join(timeout=max(1.0, ends - time.monotonic()))
    assert killed == 3
    assert failures == [], f"{failures} (seed {seed}, kills at {kills})"
    assert sum(answers.values()) == EVENTS

    # stored exactly once: every payment's (contract, amount) once, none twice
    with engine.connect() as conn:
        stored = conn.execute(select(t.contracts.c.ref, t.events.c.payload)
                              .join(t.contracts, t.contracts.c.id == t.events.c.contract_id)
                              ).all()
    got = Counter((ref, Decimal(json.loads(payload)["amount"])) for ref, payload in stored)
    want = Counter((p["contract"], Decimal(p["amount"]))
                   for p in (_payment(n, today) for n in range(EVENTS)))
    assert got == want, f"seed {seed}, kills at {kills}"
    # applied exactly once: the ledger holds each payment once (`payments`), recorded once
    # as the customer's credit (the payment comes before the start day's invoice in the
    # day's step, 4.2), and the credit applied to the invoice: the application standing
    # (not corrected by a later one of the same day) is the sum of the contract's payments
    deadline = time.monotonic() + 120
    while _count(engine, t.payments) < EVENTS and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(1)  # the pass that stored the last payment has stored its actions with it
    c, a = t.contracts.c, t.actions.c
    with engine.connect() as conn:
        payments = conn.execute(select(c.ref, t.payments.c.amount)
                                .join(t.contracts, c.id == t.payments.c.contract_id)).all()
        actions = conn.execute(select(c.ref, a.kind, a.amount, a.natural_key, a.body)
                               .join(t.contracts, c.id == a.contract_id).order_by(a.id)).all()
    engine.dispose()
    assert Counter((ref, Decimal(amount)) for ref, amount in payments) == want, \
        f"seed {seed}, kills at {kills}"
    # (a payment stored after another of the same day has been run makes the run replay the
    # day: what it no longer produces as it was is marked by `action_corrected`)
    corrected = {json.loads(r.body)["natural_key"] for r in actions
                 if r.kind == "action_corrected"}
    credits = Counter((r.ref, Decimal(r.amount)) for r in actions
                      if r.kind == "credit_recorded" and r.natural_key not in corrected)
    assert credits == want, f"seed {seed}, kills at {kills}"
    standing = {r.ref: Decimal(r.amount) for r in actions
                if r.kind == "payment_applied" and r.natural_key not in corrected}
    assert standing == {f"k{i}": sum((Decimal(1) + Decimal(k) / 100
                                      for k in range(PER_CONTRACT)), Decimal(0))
                        for i in range(CONTRACTS)}  # 12.66 each
    assert serve.stop() == 0
