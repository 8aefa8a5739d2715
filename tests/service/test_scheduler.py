"""The scheduler in `termline serve`: with no `POST /v1/runs` at all, the book runs up to the
tenant's today, and a payment posted for today is processed within seconds.

SmartWeb: a contract started 40 days ago is invoiced that day (due 8 days later, 4.2),
reminded 18 and 28 days after its start (4.2) and suspended on day 36 (4.3); paying the
invoice and both EUR 14 letter fees reopens access the day of payment (4.3). The invoice is
600.00 net and 750.00 with Danish VAT (issue 17: the open item is the document), so the
customer pays 750.00 + 2 x 14.00 = 778.00.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from tests.service.conftest import Receiver, Server, cli, new_key


def test_the_scheduler_runs_the_book_to_today_and_a_payment_within_seconds(
        serve: Server, receiver: Receiver) -> None:
    today = datetime.now(UTC).date()
    start = today - timedelta(days=40)
    cli(serve.db, "tenant", "add", "provider", "--timezone", "UTC")
    key = new_key(serve.db, "provider", "write")
    serve.env["TERMLINE_WEBHOOK_ALLOW"] = receiver.allow  # a loopback receiver
    serve.start()
    client = httpx.Client(base_url=serve.url, timeout=30,
                          headers={"Authorization": f"Bearer {key}"})
    assert client.post("/v1/webhook_endpoints", json={
        "url": receiver.url, "events": ["access_suspended", "access_restored"]}
    ).status_code == 201
    assert client.post("/v1/contracts", json={
        "id": "late", "policy": "smartweb", "start": start.isoformat(),
        "customer": {"name": "Late ApS"},
        "lines": [{"item": "SmartWeb Shop", "unit_price": "100.00"}]}).status_code == 201
    got = receiver.wait_for(1, timeout=20)
    assert [r.headers["webhook-id"][:4] for r in got] == ["msg_"]
    suspended = client.get("/v1/contracts/late/entitlement").json()
    assert suspended == {"access": "suspended",
                         "since": (start + timedelta(days=36)).isoformat(),
                         "clauses": ["4.3"]}

    assert client.post("/v1/events", json={"date": today.isoformat(), "type": "payment",
                                           "contract": "late", "amount": "778.00"}
                       ).status_code == 202
    got = receiver.wait_for(2, timeout=20)
    assert len(got) == 2 and b'"type":"access_restored"' in got[1].body
    assert client.get("/v1/contracts/late/entitlement").json() == {
        "access": "full", "since": today.isoformat(), "clauses": ["4.3"]}
    assert serve.stop() == 0
