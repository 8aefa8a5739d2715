"""Write paths under concurrency, against `termline serve` on SQLite and PostgreSQL: the same
contract created by eight clients at once is stored once; the same Idempotency-Key sent eight
times at once runs once; the same event (same reference) posted eight times at once is stored
once. No 5xx."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from tests.service.conftest import Server, cli, new_key

CLIENTS = 8
CONTRACT = {"id": "race", "policy": "smartweb", "start": "2027-01-01",
            "customer": {"name": "Race ApS"},
            "lines": [{"item": "SmartWeb Shop", "unit_price": "100.00"}]}


def _at_once(serve: Server, key: str, path: str, body: Any,
             idempotency: str | None = None) -> list[httpx.Response]:
    headers = {"Authorization": f"Bearer {key}"}
    if idempotency:
        headers["Idempotency-Key"] = idempotency

    def one(_: int) -> httpx.Response:
        return httpx.post(f"{serve.url}{path}", json=body, headers=headers, timeout=60)

    with ThreadPoolExecutor(CLIENTS) as pool:
        return list(pool.map(one, range(CLIENTS)))


def test_concurrent_writes_are_stored_once(serve: Server) -> None:
    cli(serve.db, "tenant", "add", "provider")
    key = new_key(serve.db, "provider", "write")
    serve.start()
    created = _at_once(serve, key, "/v1/contracts", CONTRACT)
    assert sorted(r.status_code for r in created) == [201] + [409] * (CLIENTS - 1)

    same = _at_once(serve, key, "/v1/contracts", {**CONTRACT, "id": "once"}, "k-once")
    codes = [r.status_code for r in same]
    assert set(codes) <= {201, 409} and codes.count(201) >= 1, codes
    assert len({r.text for r in same if r.status_code == 201}) == 1  # replays: the first answer

    pay = {"date": "2027-01-05", "type": "payment", "contract": "race", "amount": "600.00",
           "reference": "bank-tx-1"}  # the sender's reference: the same one is one event
    posted = _at_once(serve, key, "/v1/events", pay)
    assert [r.status_code for r in posted] == [202] * CLIENTS
    assert sorted(r.json()["status"] for r in posted) == ["duplicate"] * (CLIENTS - 1) + [
        "stored"]
    client = httpx.Client(base_url=serve.url, headers={"Authorization": f"Bearer {key}"})
    ids = [c["id"] for c in client.get("/v1/contracts").json()["data"]]
    assert ids == ["race", "once"]
    assert client.post("/v1/runs", json={"until": "2027-01-05"}).status_code == 200
    applied = client.get("/v1/actions", params={"kind": "payment_applied"}).json()["data"]
    assert [a["amount"] for a in applied] == ["600.00"]  # the payment counted once
    assert serve.stop() == 0
