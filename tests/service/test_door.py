"""Input at the door (issue 18): every hostile request is a 4xx problem+json naming the field,
and nothing changes in the store (contracts, customers, events, endpoints, tenant settings),
on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from termline.adapters.sql import service_tables as s
from termline.adapters.sql import tables as t
from termline.adapters.sql.db import make_engine, upgrade
from termline.adapters.sql.uow import SqlUnitOfWork
from termline.app import intake
from termline.app.keys import create_key
from termline.entrypoints.api.app import create_app

NOW = datetime(2027, 2, 1, 9, tzinfo=UTC)
CONTRACT = {"id": "c1", "policy": "smartweb", "start": "2027-01-01",
            "customer": {"name": "C1 ApS", "country": "DK", "email": "c1@example.com"},
            "lines": [{"item": "SmartWeb Shop", "unit_price": "100.00"}]}
SEATS = {"date": "2027-02-01", "type": "seat_change", "contract": "c1",
         "item": "SmartWeb Shop", "quantity": 3}
PAYMENT = {"date": "2027-02-01", "type": "payment", "contract": "c1", "amount": "100.00"}


@pytest.fixture
def api(db_url: str) -> Iterator[tuple[TestClient, Any]]:
    engine = make_engine(db_url)
    upgrade(engine)
    intake.add_tenant(SqlUnitOfWork(engine), "p")
    key = create_key(engine, "p", ("admin",), NOW).key
    client = TestClient(create_app(engine, lambda: NOW), raise_server_exceptions=False,
                        headers={"Authorization": f"Bearer {key}"})
    assert client.post("/v1/contracts", json=CONTRACT).status_code == 201
    yield client, engine
    engine.dispose()


def _store(engine: Any) -> tuple[Any, ...]:
    with engine.connect() as conn:
        counts = tuple(conn.execute(select(func.count()).select_from(table)).scalar_one()
                       for table in (t.contracts, t.events, t.customers, s.webhook_endpoints,
                                     s.contract_info))
        settings = conn.execute(select(t.tenants.c.settings)).scalars().all()
        metadata = conn.execute(select(s.contract_info.c.metadata)).scalars().all()
    return (*counts, tuple(settings), tuple(metadata))


def _refused(client: TestClient, engine: Any, method: str, url: str, *, status: int = 422,
             field: str | None = None, **kwargs: Any) -> dict[str, Any]:
    before = _store(engine)
    answer = client.request(method, url, **kwargs)
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    problem: dict[str, Any] = answer.json()
    assert problem["status"] == status
    if field is not None:
        assert field in (problem.get("field") or "") + json.dumps(problem.get("errors")), problem
    assert _store(engine) == before
    return problem


def _contract(**changes: Any) -> dict[str, Any]:
    return {**CONTRACT, "id": "c2", **changes}


def _customer(**changes: Any) -> dict[str, Any]:
    return _contract(customer={**CONTRACT["customer"], **changes})


def test_a_body_over_one_megabyte_is_a_413(api: tuple[TestClient, Any]) -> None:
    client, engine = api
    huge = _contract(metadata={"note": "x" * (1024 * 1024)})
    _refused(client, engine, "POST", "/v1/contracts", status=413, field="body", json=huge)
    body = json.dumps({**PAYMENT, "reference": "r" * 50}).encode() + b" " * (1024 * 1024)
    _refused(client, engine, "POST", "/v1/events", status=413, content=body,
             headers={"content-type": "application/json"})


@pytest.mark.parametrize("url", ["/v1/contracts/c%00", "/v1/actions?contract=c1%00",
                                 "/v1/invoices?contract=%00", "/v1/contracts/c1/timeline%00"])
def test_a_nul_byte_in_the_path_or_query_is_a_400_not_a_500(
        api: tuple[TestClient, Any], url: str) -> None:
    client, engine = api
    _refused(client, engine, "GET", url, status=400, field="path")


def test_a_nul_byte_in_a_body_field_is_refused(api: tuple[TestClient, Any]) -> None:
    client, engine = api
    _refused(client, engine, "POST", "/v1/contracts", json=_customer(name="C\x00"),
             field="name")


def test_duplicate_json_keys_are_refused(api: tuple[TestClient, Any]) -> None:
    client, engine = api
    body = ('{"date": "2027-02-01", "type": "payment", "contract": "c1", '
            '"amount": "1.00", "amount": "100000.00"}')
    _refused(client, engine, "POST", "/v1/events", field="amount", content=body,
             headers={"content-type": "application/json"})


@pytest.mark.parametrize("quantity", [10**12, 2**63, -1, "3", 2.5, True, 10**6 + 1])
def test_a_seat_change_outside_whole_numbers_up_to_the_bound_is_refused(
        api: tuple[TestClient, Any], quantity: Any) -> None:
    """10^12 and 2^63 once set the contract aside with a numeric overflow; "3" was coerced."""
    client, engine = api
    _refused(client, engine, "POST", "/v1/events", json={**SEATS, "quantity": quantity},
             field="quantity")


@pytest.mark.parametrize("start", ["0001-01-01", "9999-12-31", "1899-12-31", "2200-01-01",
                                   0, 20270101, "2027-1-1", "01/02/2027", "2027-02-30"])
def test_a_day_is_iso_text_from_1900_to_2199(api: tuple[TestClient, Any], start: Any) -> None:
    client, engine = api
    _refused(client, engine, "POST", "/v1/contracts", json=_contract(start=start),
             field="start")
    _refused(client, engine, "POST", "/v1/events", json={**PAYMENT, "date": start},
             field="date")


SUBPROCESSOR = {"date": "2027-02-01", "type": "subprocessor_change_announced",
                "contract": "c1", "effective": "2027-03-01", "name": "Sub ApS",
                "intra_group": False, "eu_eea": True}
INCIDENT = {"date": "2027-02-01", "type": "incident", "contract": "c1",
            "start": "2027-02-01T08:00:00+00:00", "end": "2027-02-01T09:00:00+00:00",
            "reported_at": "2027-02-01T08:05:00+00:00"}


@pytest.mark.parametrize(("event", "field", "value"), [
    (SUBPROCESSOR, "eu_eea", 0), (SUBPROCESSOR, "intra_group", 1),
    (SUBPROCESSOR, "intra_group", "false"), (INCIDENT, "reported_at", 0),
    (INCIDENT, "end", 1801465200)])
def test_a_yes_or_no_is_true_or_false_and_a_timestamp_iso_text(
        api: tuple[TestClient, Any], event: dict[str, Any], field: str, value: Any) -> None:
    """schemathesis found `"eu_eea": 0` stored as false and a timestamp given as a number
    taken as seconds since 1970: the JSON type is the OpenAPI document's."""
    client, engine = api
    _refused(client, engine, "POST", "/v1/events", json={**event, field: value}, field=field)


@pytest.mark.parametrize("amount", ["1e5", " 100", "100 ", "١٠٠", "１００", "+100", "1,000.00",
                                    "0x10", "100.001", 100.1, "NaN"])
def test_an_amount_is_ascii_digits_in_the_currencys_decimals(
        api: tuple[TestClient, Any], amount: Any) -> None:
    client, engine = api
    _refused(client, engine, "POST", "/v1/events", json={**PAYMENT, "amount": amount},
             field="amount")


@pytest.mark.parametrize("country", ["XX", "ZZ", "EU", "D", "DNK", "1A"])
def test_a_country_is_an_existing_iso_3166_code(api: tuple[TestClient, Any],
                                                 country: str) -> None:
    client, engine = api
    _refused(client, engine, "POST", "/v1/contracts", json=_customer(country=country),
             field="country")


@pytest.mark.parametrize("email", ["not-an-email", "a@b.com\r\nBcc: all@example.com",
                                   "a@@example.com", "a@localhost", "@example.com"])
def test_an_email_address_is_parsed(api: tuple[TestClient, Any], email: str) -> None:
    client, engine = api
    _refused(client, engine, "POST", "/v1/contracts", json=_customer(email=email),
             field="email")


@pytest.mark.parametrize("cid", ["a/b", "..", "a..b", "*", "", "a b", "x" * 101, "é", ".a"])
def test_ids_are_a_safe_alphabet(api: tuple[TestClient, Any], cid: str) -> None:
    client, engine = api
    _refused(client, engine, "POST", "/v1/contracts", json=_contract(id=cid), field="id")


@pytest.mark.parametrize("metadata", [{f"k{i}": "v" for i in range(51)}, {"k": "v" * 501},
                                      {"bad key": "v"}, {"k" * 41: "v"}])
def test_metadata_is_at_most_50_keys_of_500_characters(
        api: tuple[TestClient, Any], metadata: dict[str, str]) -> None:
    client, engine = api
    _refused(client, engine, "POST", "/v1/contracts", json=_contract(metadata=metadata),
             field="metadata")
    _refused(client, engine, "PATCH", "/v1/contracts/c1", json={"metadata": metadata},
             field="metadata")


def test_a_trial_of_a_million_days_is_refused(api: tuple[TestClient, Any]) -> None:
    client, engine = api
    _refused(client, engine, "POST", "/v1/contracts", json=_contract(trial_days=1_000_000),
             field="trial_days")


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://x.example/", "https://",
                                 "https://a b.example/", "data:text/html,hi"])
def test_the_terms_url_is_an_http_url(api: tuple[TestClient, Any], url: str) -> None:
    client, engine = api
    _refused(client, engine, "PATCH", "/v1/tenant", json={"terms_url": url}, field="terms_url")


def test_the_terms_url_is_normalised_and_notice_email_parsed(
        api: tuple[TestClient, Any]) -> None:
    client, engine = api
    answer = client.patch("/v1/tenant", json={"terms_url": "HTTPS://Provider.Example/terms#x"})
    assert answer.status_code == 200 and answer.json()["terms_url"] == \
        "https://provider.example/terms"
    _refused(client, engine, "PATCH", "/v1/tenant", json={"notice_email": "ops\r\n@x.com"},
             field="notice_email")


def test_a_misspelt_webhook_kind_is_refused(api: tuple[TestClient, Any]) -> None:
    client, engine = api
    _refused(client, engine, "POST", "/v1/webhook_endpoints",
             json={"url": "https://93.184.216.34/h", "events": ["invoice_isued"]},
             field="events")


def test_valid_input_still_passes(api: tuple[TestClient, Any]) -> None:
    client, _ = api
    ok = client.post("/v1/contracts", json=_contract(
        start="1900-01-01", metadata={f"k{i}": "v" * 500 for i in range(50)},
        customer={**CONTRACT["customer"], "country": "dk", "email": "Billing@Example.COM"}))
    assert ok.status_code == 201, ok.text
    assert client.post("/v1/events", json={**SEATS, "quantity": 10**6}).status_code == 202
    assert client.post("/v1/events", json={**PAYMENT, "amount": 100}).status_code == 202
