"""`termline serve --workers 2` on PostgreSQL: two API processes, the scheduler in the one
holding the advisory lock (one holder per store), and the book still run: a contract added
through either process gets its first day (SmartWeb 4.1: started and invoiced on its start)."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, func, select, text

from termline.adapters.sql import tables as t
from termline.adapters.sql.db import make_engine
from termline.app.leader import LOCK_KEY
from tests.service.conftest import TERMLINE, Server, cli, new_key


def test_two_workers_one_scheduler_elected_by_the_advisory_lock(serve: Server) -> None:
    if not serve.db.startswith("postgresql"):
        refused = subprocess.run([TERMLINE, "serve", "--workers", "2", "--port", "1"],
                                 env=serve.env, capture_output=True, text=True, timeout=60,
                                 check=False)
        assert refused.returncode == 2 and "PostgreSQL" in refused.stderr
        return
    cli(serve.db, "tenant", "add", "provider", "--timezone", "UTC")
    key = new_key(serve.db, "provider", "write")
    with serve.log.open("ab") as log:
        serve.process = subprocess.Popen(
            [TERMLINE, "serve", "--port", str(serve.port), "--poll", "0.2", "--workers", "2"],
            env=serve.env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)
    client = httpx.Client(base_url=serve.url, timeout=30,
                          headers={"Authorization": f"Bearer {key}"})
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if client.get("/v1/health").status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    else:
        pytest.fail(serve.log.read_text())
    today = time.strftime("%Y-%m-%d", time.gmtime())
    assert client.post("/v1/contracts", json={
        "id": "w1", "policy": "smartweb", "start": today, "customer": {"name": "W ApS"},
        "lines": [{"item": "SmartWeb Shop", "unit_price": "100.00"}]}).status_code == 201
    kinds: list[str] = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and "invoice_issued" not in kinds:
        kinds = [a["kind"] for a in client.get("/v1/actions").json()["data"]]
        time.sleep(0.2)
    assert kinds[:2] == ["contract_started", "invoice_issued"]
    engine = make_engine(serve.db)
    with engine.connect() as conn:
        holders = conn.execute(text(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
            "AND classid = :k AND objid = hashtext(current_schema())::oid"),
            {"k": LOCK_KEY}).scalar_one()
    engine.dispose()
    assert holders == 1
    assert serve.stop() == 0


def _applied(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(t.actions).where(
            t.actions.c.kind == "payment_applied")).scalar_one())


def test_an_event_stored_by_any_worker_wakes_the_leader_at_once(serve: Server) -> None:
    """With the scheduler's poll at 30 s, a payment posted to either of two worker processes,
    or to a third process that is not the leader, is applied within a couple of seconds: the
    process that stores it rings the leader through LISTEN/NOTIFY (SmartWeb 4.1: the start-day
    invoice is open, the payment is applied to it)."""
    if not serve.db.startswith("postgresql"):
        pytest.skip("one process serves SQLite: its scheduler's bell rings in process")
    from fastapi.testclient import TestClient

    from termline.adapters.notify.outbound import Allow
    from termline.app.leader import Leader
    from termline.entrypoints.cli.serve_app import build

    cli(serve.db, "tenant", "add", "provider", "--timezone", "UTC")
    key = new_key(serve.db, "provider", "write")
    auth = {"Authorization": f"Bearer {key}"}
    with serve.log.open("ab") as log:
        serve.process = subprocess.Popen(
            [TERMLINE, "serve", "--port", str(serve.port), "--poll", "30", "--workers", "2"],
            env=serve.env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)
    deadline = time.monotonic() + 90
    while True:
        assert serve.process.poll() is None, serve.log.read_text()
        try:
            if httpx.get(f"{serve.url}/v1/health", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, serve.log.read_text()
        time.sleep(0.2)
    engine = make_engine(serve.db)
    today = time.strftime("%Y-%m-%d", time.gmtime())
    assert httpx.post(f"{serve.url}/v1/contracts", headers=auth, timeout=30, json={
        "id": "w1", "policy": "smartweb", "start": today, "customer": {"name": "W ApS"},
        "lines": [{"item": "SmartWeb Shop", "unit_price": "100.00"}]}).status_code == 201
    # the contract's first day, run at once too (its invoice is what the payments settle)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            if conn.execute(select(func.count()).select_from(t.invoices)).scalar_one():
                break
        time.sleep(0.1)
    else:
        pytest.fail("the new contract's first day was not run before the poll")

    def post_and_wait(post: Callable[[dict[str, Any]], int], n: int) -> float:
        before = _applied(engine)
        assert post({"date": today, "type": "payment", "contract": "w1", "amount": "1.00",
                     "reference": f"wake-{n}"}) == 202
        accepted = time.monotonic()
        while _applied(engine) == before:
            assert time.monotonic() - accepted < 10, "not applied: the leader was not woken"
            time.sleep(0.02)
        return time.monotonic() - accepted

    def through_the_port(body: dict[str, Any]) -> int:
        # a connection of its own each time: the kernel hands it to either worker
        return httpx.post(f"{serve.url}/v1/events", json=body, headers=auth,
                          timeout=30).status_code

    waits = [post_and_wait(through_the_port, n) for n in range(6)]
    # a third process's API (the code path of a worker) that never holds the lock: the
    # leader is another process for certain
    third = build(engine, Allow(), poll=30, batch=50, leader=Leader(engine).lead)
    with TestClient(third) as client:
        waits += [post_and_wait(lambda body: client.post("/v1/events", json=body,
                                                         headers=auth).status_code, n)
                  for n in range(6, 9)]
    engine.dispose()
    print(f"applied after {[round(w, 3) for w in waits]} s")  # -s shows them (docs/benchmarks.md)
    assert max(waits) < 2.0, waits  # the poll is 30 s; ~1 s leaves room for a loaded machine
    assert serve.stop() == 0
