"""Every route with another tenant's key and this tenant's ids: a 404 (or an empty page, or
the caller's own data), never this tenant's data. Also scopes: a read key cannot write."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from termline.adapters.notify.outbound import Allow
from termline.adapters.sql.db import make_engine, upgrade
from termline.adapters.sql.uow import SqlUnitOfWork
from termline.app import intake
from termline.app.keys import create_key
from termline.entrypoints.api.app import create_app

NOW = datetime(2027, 1, 1, 9, tzinfo=UTC)
CONTRACT = {"id": "ours", "policy": "smartweb", "start": "2027-01-01",
            "customer": {"name": "Ours ApS", "email": "ours@example.com"},
            "lines": [{"item": "SmartWeb Shop", "unit_price": "100.00"}],
            "metadata": {"secret_note": "tenant A only"}}
THEIRS = {**CONTRACT, "id": "theirs", "customer": {"name": "Theirs ApS"}, "metadata": {}}


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[dict[str, Any]]:
    engine = make_engine(f"sqlite:///{tmp_path / 't.db'}")
    upgrade(engine)
    for name in ("a", "b"):
        intake.add_tenant(SqlUnitOfWork(engine), name)
    keys = {"a": create_key(engine, "a", ("admin",), NOW).key,
            "b": create_key(engine, "b", ("admin",), NOW).key,
            "b_read": create_key(engine, "b", ("read",), NOW).key}
    client = TestClient(create_app(engine, lambda: NOW, outbound=Allow.parse("127.0.0.1:9"),
                                   future_runs=True),
                        raise_server_exceptions=False)
    a = {"Authorization": f"Bearer {keys['a']}"}
    assert client.post("/v1/contracts", json=CONTRACT, headers=a).status_code == 201
    endpoint = client.post("/v1/webhook_endpoints", headers=a,
                           json={"url": "http://127.0.0.1:9/x", "events": ["*"]}).json()
    assert client.post("/v1/runs", json={"until": "2027-01-20"}, headers=a).status_code == 200
    delivery = client.get(f"/v1/webhook_endpoints/{endpoint['id']}/deliveries",
                          headers=a).json()["data"][0]["id"]
    customer = client.get("/v1/customers", headers=a).json()["data"][0]["id"]
    invoice = client.get("/v1/invoices", headers=a).json()["data"][0]
    # SmartWeb 4.1: six months of 100.00 in advance, 600.00 net; the open item is the document
    # with Danish VAT, 25 % (issue 17): 600.00 + 150.00 = 750.00. Its number is the legal one
    # (no profile: no prefix), the engine's item its ref.
    assert (invoice["number"], invoice["ref"], invoice["kind"]) == (
        "2027-000001", "ours-0001", "invoice")
    assert (invoice["net"], invoice["vat"], invoice["total"], invoice["open"]) == (
        "600.00", "150.00", "750.00", "750.00")
    # the line as the PDF and UBL write it: six months of 100.00 as 1 x 600.00
    assert invoice["lines"] == [{"item": "SmartWeb Shop", "quantity": "1",
                                 "unit_price": "600.00", "amount": "600.00"}]
    yield {"client": client, "keys": keys, "endpoint": endpoint["id"], "delivery": delivery,
           "customer": customer, "invoice": invoice["number"]}
    engine.dispose()


def _calls(s: dict[str, Any]) -> list[tuple[str, str, str, Any, set[int]]]:
    """(method, route, concrete path, body, statuses allowed) for every route of the API."""
    ep, dl, cus, inv = s["endpoint"], s["delivery"], s["customer"], s["invoice"]
    payment = {"date": "2027-01-05", "type": "payment", "contract": "ours", "amount": "1.00"}
    return [
        ("GET", "/v1/health", "/v1/health", None, {200}),
        ("GET", "/v1/policies", "/v1/policies", None, {200}),
        ("GET", "/v1/policies/{pack}", "/v1/policies/smartweb", None, {200}),
        ("GET", "/v1/policies/{pack}/coverage", "/v1/policies/smartweb/coverage", None, {200}),
        ("GET", "/v1/tenant", "/v1/tenant", None, {200}),
        ("PATCH", "/v1/tenant", "/v1/tenant", {"terms_url": "https://b.example"}, {200}),
        ("POST", "/v1/simulate", "/v1/simulate", {"scenario": {}}, {422}),
        ("GET", "/v1/customers", "/v1/customers", None, {200}),
        ("GET", "/v1/customers/{customer_id}", f"/v1/customers/{cus}", None, {404}),
        ("PATCH", "/v1/customers/{customer_id}", f"/v1/customers/{cus}",
         {"metadata": {"x": "y"}}, {404}),
        ("GET", "/v1/invoices", "/v1/invoices", None, {200}),
        ("GET", "/v1/invoices/{number}", f"/v1/invoices/{inv}", None, {404}),
        ("GET", "/v1/invoices/{number}.pdf", f"/v1/invoices/{inv}.pdf", None, {404}),
        ("GET", "/v1/invoices/{number}.xml", f"/v1/invoices/{inv}.xml", None, {404}),
        ("POST", "/v1/contracts", "/v1/contracts", THEIRS, {201}),
        ("GET", "/v1/contracts", "/v1/contracts", None, {200}),
        ("GET", "/v1/contracts/{contract_id}", "/v1/contracts/ours", None, {404}),
        ("PATCH", "/v1/contracts/{contract_id}", "/v1/contracts/ours",
         {"metadata": {"x": "y"}}, {404}),
        ("GET", "/v1/contracts/{contract_id}/entitlement", "/v1/contracts/ours/entitlement",
         None, {404}),
        ("GET", "/v1/contracts/{contract_id}/timeline", "/v1/contracts/ours/timeline", None,
         {404}),
        ("GET", "/v1/contracts/{contract_id}/deadlines", "/v1/contracts/ours/deadlines", None,
         {404}),
        ("GET", "/v1/contracts/{contract_id}/balance", "/v1/contracts/ours/balance", None,
         {404}),
        ("POST", "/v1/events", "/v1/events", payment, {404}),
        ("POST", "/v1/events/bulk", "/v1/events/bulk", [payment], {404}),
        ("GET", "/v1/actions", "/v1/actions?contract=ours", None, {200}),
        ("POST", "/v1/runs", "/v1/runs", {"until": "2027-03-01"}, {200}),
        ("POST", "/v1/webhook_endpoints", "/v1/webhook_endpoints",
         {"url": "https://93.184.216.34/hooks", "events": ["*"]}, {201}),
        ("GET", "/v1/webhook_endpoints", "/v1/webhook_endpoints", None, {200}),
        ("GET", "/v1/webhook_endpoints/{endpoint_id}", f"/v1/webhook_endpoints/{ep}", None,
         {404}),
        ("POST", "/v1/webhook_endpoints/{endpoint_id}/disable",
         f"/v1/webhook_endpoints/{ep}/disable", None, {404}),
        ("POST", "/v1/webhook_endpoints/{endpoint_id}/enable",
         f"/v1/webhook_endpoints/{ep}/enable", None, {404}),
        ("GET", "/v1/webhook_endpoints/{endpoint_id}/deliveries",
         f"/v1/webhook_endpoints/{ep}/deliveries", None, {404}),
        ("GET", "/v1/emails", "/v1/emails?contract=ours", None, {200}),
        ("POST", "/v1/webhook_deliveries/{delivery_id}/redeliver",
         f"/v1/webhook_deliveries/{dl}/redeliver", None, {404}),
    ]


def _routes(client: TestClient) -> set[tuple[str, str]]:
    doc = client.get("/openapi.json").json()
    return {(method.upper(), path) for path, ops in doc["paths"].items() for method in ops}


def test_every_route_with_a_foreign_key_never_shows_or_changes_the_other_tenants_data(
        setup: dict[str, Any]) -> None:
    client: TestClient = setup["client"]
    calls = _calls(setup)
    assert {(m, route) for m, route, *_ in calls} == _routes(client)
    a = {"Authorization": f"Bearer {setup['keys']['a']}"}
    before = client.get("/v1/actions", params={"limit": 100}, headers=a).json()
    foreign = {"Authorization": f"Bearer {setup['keys']['b']}"}
    for method, _, path, body, allowed in calls:
        answer = client.request(method, path, json=body, headers=foreign)
        assert answer.status_code in allowed, (method, path, answer.text)
        text = answer.text
        assert "tenant A only" not in text and "Ours ApS" not in text, (method, path)
        assert "ours-0001" not in text, (method, path)
        if answer.status_code != 404:  # a 404 names the id the caller gave, nothing more
            assert setup["delivery"] not in text, (method, path)
        if answer.status_code == 200 and "data" in answer.json():
            data = answer.json()["data"]
            assert all(item.get("contract") != "ours" and item.get("id") != "ours"
                       and "ours" not in item.get("contracts", []) for item in data), path
        if answer.status_code >= 400:
            assert answer.headers["content-type"] == "application/problem+json"
    after = client.get("/v1/actions", params={"limit": 100}, headers=a).json()
    assert after == before  # B's run and events touched nothing of A's
    ours = client.get("/v1/contracts/ours", headers=a).json()
    assert ours["metadata"] == {"secret_note": "tenant A only"}
    assert client.get(f"/v1/webhook_endpoints/{setup['endpoint']}", headers=a
                      ).json()["enabled"] is True


def test_a_read_key_cannot_write_and_no_key_is_a_401(setup: dict[str, Any]) -> None:
    client: TestClient = setup["client"]
    read = {"Authorization": f"Bearer {setup['keys']['b_read']}"}
    for method, route, path, body, _ in _calls(setup):
        if method == "GET" or route == "/v1/simulate":  # simulate stores nothing: read scope
            continue
        answer = client.request(method, path.replace("ours", "theirs"), json=body,
                                headers=read)
        assert answer.status_code == 403, (method, path, answer.text)
        assert json.loads(answer.text)["field"] == "Authorization"
    for method, route, path, body, _ in _calls(setup):
        if route == "/v1/health":
            continue
        answer = client.request(method, path, json=body)
        assert answer.status_code == 401, (method, path)
