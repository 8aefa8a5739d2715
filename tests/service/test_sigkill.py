"""SIGKILL in the middle of runs and deliveries, then a restart: every webhook and e-mail of
a committed action is delivered at least once, in order per contract, and nothing is ever
delivered for an action that is not in the ledger (a rolled-back run announces nothing)."""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from typing import Any

import httpx
from sqlalchemy import select

from termline.adapters.sql import service_tables as s
from termline.adapters.sql import tables as t
from termline.adapters.sql.db import make_engine
from tests.service.conftest import Mailbox, Receiver, Server, cli, new_key

CONTRACTS = 15


def _contract(i: int) -> dict[str, Any]:
    return {"id": f"c{i:03d}", "policy": "smartweb", "start": "2027-01-01",
            "customer": {"name": f"Customer {i}", "email": f"c{i}@example.com"},
            "lines": [{"item": "SmartWeb Shop", "unit_price": "100.00"}]}


def _stored(db: str) -> tuple[list[Any], list[Any], int]:
    engine = make_engine(db, pooled=False)
    with engine.connect() as conn:
        d, m = s.webhook_deliveries.c, s.emails.c
        hooks = conn.execute(select(d.msg_id, d.contract_id, d.action_key, d.status, d.id)
                             .order_by(d.id)).all()
        mails = conn.execute(select(m.msg_id, m.status)).all()
        actions = conn.execute(select(t.actions.c.id)).all()
    engine.dispose()
    return hooks, mails, len(actions)


def test_sigkill_mid_delivery_loses_nothing_and_sends_nothing_unstored(
        serve: Server, receiver: Receiver, smtp: Mailbox) -> None:
    cli(serve.db, "tenant", "add", "provider")
    key = new_key(serve.db, "provider", "write")
    receiver.delay = 0.01
    serve.env["TERMLINE_WEBHOOK_ALLOW"] = receiver.allow  # a loopback receiver
    # what the killed process held comes due again 3 s after it took it (60 s by default);
    # this receiver and mailbox answer in milliseconds, so no attempt outlives its lease
    serve.env["TERMLINE_DELIVERY_LEASE"] = "3"
    serve.start()
    client = httpx.Client(base_url=serve.url, timeout=60,
                          headers={"Authorization": f"Bearer {key}"})
    assert client.post("/v1/webhook_endpoints",
                       json={"url": receiver.url, "events": ["*"]}).status_code == 201
    for i in range(CONTRACTS):
        assert client.post("/v1/contracts", json=_contract(i)).status_code == 201
    assert client.post("/v1/runs", json={"until": "2027-01-31"}).status_code == 200

    def later_run() -> None:
        with contextlib.suppress(httpx.HTTPError):  # killed under it
            client.post("/v1/runs", json={"until": "2027-06-30"})

    runner = threading.Thread(target=later_run)
    runner.start()
    receiver.wait_for(25)
    serve.stop(signal.SIGKILL)
    runner.join()
    killed_at = len(receiver.got)
    assert killed_at >= 25

    serve.start()
    assert client.post("/v1/runs", json={"until": "2027-06-30"}).status_code == 200
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        hooks, mails, _ = _stored(serve.db)
        if all(h.status == "delivered" for h in hooks) and all(m.status == "sent"
                                                               for m in mails):
            break
        time.sleep(0.2)
    hooks, mails, actions = _stored(serve.db)
    assert len(hooks) == actions  # the endpoint wants every kind: one delivery per action
    assert all(h.status == "delivered" for h in hooks)
    received = [r.headers["webhook-id"] for r in receiver.got]
    assert set(received) == {h.msg_id for h in hooks}  # all, and none that is not stored
    # in order per contract: first receipts follow the ledger's order
    first: dict[str, int] = {}
    for n, msg in enumerate(received):
        first.setdefault(msg, n)
    by_contract: dict[int, list[int]] = {}
    for h in hooks:
        by_contract.setdefault(h.contract_id, []).append(first[h.msg_id])
    assert all(order == sorted(order) for order in by_contract.values())
    assert all(m.status == "sent" for m in mails)
    got_mail = {str(m["Message-ID"]).strip("<>").removesuffix("@termline")
                for m in smtp.messages}
    assert got_mail == {m.msg_id for m in mails}
    assert serve.stop() == 0
