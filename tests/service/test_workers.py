"""`termline serve --workers 2` on PostgreSQL: two API processes, the scheduler in the one
holding the advisory lock (one holder per store), and the book still run: a contract added
through either process gets its first day (SmartWeb 4.1: started and invoiced on its start)."""

from __future__ import annotations

import subprocess
import time

import httpx
import pytest
from sqlalchemy import text

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
            env=serve.env, stdout=log, stderr=subprocess.STDOUT)
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
