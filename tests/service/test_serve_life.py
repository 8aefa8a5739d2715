"""A whole contract life over HTTP against `termline serve` (a subprocess), on SQLite and on
PostgreSQL: signed webhooks received and verified, e-mails received over SMTP, both checked
against the ledger.

SmartWeb (policy pack smartweb), contract from 2027-01-01 at EUR 100/month, billed half-yearly
in advance (4.1): invoice life-0001 of EUR 600.00 issued 2027-01-01, due 8 days later on
2027-01-09 (4.2). Unpaid: letters with a EUR 14 fee ten days after the due date and ten days
after that, 2027-01-19 and 2027-01-29 (4.2); access suspended when seven days from the second
letter have run out, 2027-02-06 (4.3). Paid in full on 2027-02-08: the invoice with 25 %
Danish VAT, 750.00 (issue 17: the open item is the document), and the two fees,
750 + 2 x 14 = 778.00;
access reopens that day (4.3). Notice on 2027-03-01 ends the contract at the end of the term,
2027-06-30 (14.1); export until 60 days later, 2027-08-29, and the data deleted the day after,
2027-08-30 (9.1).
"""

from __future__ import annotations

import json
import signal
import time
from typing import Any

import httpx
from standardwebhooks.webhooks import Webhook

from tests.service.conftest import Mailbox, Receiver, Server, cli, new_key

CONTRACT = {
    "id": "life", "policy": "smartweb", "start": "2027-01-01",
    "customer": {"name": "Life ApS", "country": "DK", "email": "billing@life.example",
                 "language": "da"},
    "lines": [{"item": "SmartWeb Shop", "unit_price": "100.00", "per": "month"}],
    "metadata": {"crm_id": "C-17"},
}
KINDS = ["contract_started", "invoice_issued", "reminder_sent", "reminder_sent",
         "access_suspended", "payment_applied", "payment_applied", "payment_applied",
         "access_restored", "termination_notice_received", "contract_terminated",
         "data_deletion_scheduled", "data_deleted"]
MAILED = ["invoice_issued", "reminder_sent", "reminder_sent", "access_suspended",
          "access_restored", "contract_terminated", "data_deletion_scheduled"]


def _post(client: httpx.Client, path: str, body: Any, key: str | None = None
          ) -> httpx.Response:
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(path, json=body, headers=headers)


def _entitlement(client: httpx.Client) -> dict[str, Any]:
    answer = client.get("/v1/contracts/life/entitlement")
    assert answer.status_code == 200
    data: dict[str, Any] = answer.json()
    return data


def test_a_contract_life_over_http_with_webhooks_and_emails(
        serve: Server, receiver: Receiver, smtp: Mailbox) -> None:
    cli(serve.db, "tenant", "add", "provider", "--timezone", "Europe/Copenhagen")
    admin = new_key(serve.db, "provider", "admin")
    serve.env["TERMLINE_WEBHOOK_ALLOW"] = receiver.allow  # a loopback receiver
    serve.start()
    client = httpx.Client(base_url=serve.url, timeout=30,
                          headers={"Authorization": f"Bearer {admin}"})
    assert httpx.get(f"{serve.url}/v1/health").status_code == 200  # no key needed
    assert client.patch("/v1/tenant", json={"terms_url": "https://provider.example/terms"}
                        ).status_code == 200

    made = _post(client, "/v1/webhook_endpoints", {"url": receiver.url, "events": ["*"]})
    assert made.status_code == 201
    secret = made.json()["secret"]
    assert secret.startswith("whsec_") and made.json()["id"].startswith("we_")

    created = _post(client, "/v1/contracts", CONTRACT, key="create-life")
    assert created.status_code == 201
    assert created.json()["id"] == "life" and created.json()["metadata"] == {"crm_id": "C-17"}
    again = _post(client, "/v1/contracts", CONTRACT, key="create-life")
    assert (again.status_code, again.json()) == (201, created.json())
    other = _post(client, "/v1/contracts", {**CONTRACT, "id": "x"}, key="create-life")
    assert other.status_code == 409
    assert other.headers["content-type"] == "application/problem+json"

    assert _post(client, "/v1/runs", {"until": "2027-02-07"}).status_code == 200
    assert _entitlement(client) == {"access": "suspended", "since": "2027-02-06",
                                    "clauses": ["4.3"]}

    paid = _post(client, "/v1/events", {"date": "2027-02-08", "type": "payment",
                                        "contract": "life", "amount": "778.00"})
    assert paid.status_code == 202 and paid.json()["status"] == "stored"
    assert _post(client, "/v1/runs", {"until": "2027-02-08"}).status_code == 200
    assert _entitlement(client) == {"access": "full", "since": "2027-02-08", "clauses": ["4.3"]}

    assert _post(client, "/v1/events", {"date": "2027-03-01", "type": "termination_notice",
                                        "contract": "life", "by": "customer"}
                 ).status_code == 202
    run = _post(client, "/v1/runs", {"until": "2027-09-30"})
    assert run.status_code == 200 and run.json()["until"] == "2027-09-30"
    assert _entitlement(client) == {"access": "none", "since": "2027-08-30",
                                    "clauses": ["9.1"]}

    ledger = client.get("/v1/actions", params={"contract": "life", "limit": 100}).json()
    assert not ledger["has_more"]
    actions = ledger["data"]
    assert [a["kind"] for a in actions] == KINDS
    by_kind = {a["kind"]: a for a in actions}
    assert by_kind["access_suspended"]["date"] == "2027-02-06"
    assert by_kind["contract_terminated"]["export_until"] == "2027-08-29"
    assert by_kind["data_deleted"]["date"] == "2027-08-30"
    fees = [a["fee"] for a in actions if a["kind"] == "reminder_sent"]
    assert fees == ["14.00", "14.00"]

    # every action once, signed, in ledger order, carrying the action as the ledger has it
    # with its id (the one GET /v1/actions gives it)
    got = receiver.wait_for(len(KINDS))
    assert len(got) == len(KINDS)
    verifier = Webhook(secret)
    bodies = [verifier.verify(r.body, r.headers) for r in got]
    assert [b["type"] for b in bodies] == KINDS
    assert [b["data"] for b in bodies] == actions
    assert [b["data"]["id"] for b in bodies] == [a["id"] for a in actions]
    assert len({r.headers["webhook-id"] for r in got}) == len(KINDS)

    mails = smtp.wait_for(len(MAILED))
    assert [m["X-Termline-Kind"] for m in mails] == MAILED
    assert {m["To"] for m in mails} == {"billing@life.example"}
    suspension = next(m for m in mails if m["X-Termline-Kind"] == "access_suspended")
    text = suspension.get_payload(decode=True).decode()
    assert "spærret den 2027-02-06" in text and "Punkt(er): 4.3." in text
    assert "https://provider.example/terms" in text
    first = mails[0].get_payload(decode=True).decode()
    assert "600.00 EUR" in first and "2027-01-09" in first

    for _ in range(100):  # the receiver has the last body a moment before it is marked
        deliveries = client.get(f"/v1/webhook_endpoints/{made.json()['id']}/deliveries",
                                params={"limit": 100}).json()["data"]
        if all(d["status"] == "delivered" for d in deliveries):
            break
        time.sleep(0.1)
    assert [d["status"] for d in deliveries] == ["delivered"] * len(KINDS)
    assert all(d["attempts"][0]["status_code"] == 200 for d in deliveries)
    assert serve.stop(signal.SIGTERM) == 0


def test_an_unknown_or_missing_key_is_a_401_and_health_needs_none(serve: Server) -> None:
    serve.start()
    assert httpx.get(f"{serve.url}/v1/health").json()["status"] == "ok"
    for headers in ({}, {"Authorization": "Bearer tl_0123456789abcdef_nope"}):
        answer = httpx.get(f"{serve.url}/v1/contracts/x", headers=headers)
        assert answer.status_code == 401
        assert answer.headers["content-type"] == "application/problem+json"
        assert json.loads(answer.text)["field"] == "Authorization"
