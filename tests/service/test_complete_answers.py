"""Complete answers (issue 18): a contract from the API carries where it stands, as `termline
contract show` does: status, access, balance, next deadline and problem.

SmartWeb (4.1): a contract from 2027-01-01 at 100.00 a month is invoiced 600.00 (six months,
excl. VAT) on its first day, payable in 8 days (2027-01-09); the open item is the document,
600.00 + 25 % Danish VAT = 750.00 (issue 17)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from fastapi.testclient import TestClient

from termline.adapters.sql.db import make_engine, upgrade
from termline.adapters.sql.uow import SqlUnitOfWork
from termline.app import intake
from termline.app.keys import create_key
from termline.entrypoints.api.app import create_app

NOW = datetime(2027, 1, 1, 9, tzinfo=UTC)
CONTRACT = {"id": "c1", "policy": "smartweb", "start": "2027-01-01",
            "customer": {"name": "C1 ApS", "email": "c1@example.com"},
            "lines": [{"item": "SmartWeb Shop", "unit_price": "100.00"}]}


def test_a_contract_carries_status_access_balance_next_deadline_and_problem(
        tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 't.db'}")
    upgrade(engine)
    intake.add_tenant(SqlUnitOfWork(engine), "p")
    key = create_key(engine, "p", ("write",), NOW).key
    client = TestClient(create_app(engine, lambda: NOW),
                        headers={"Authorization": f"Bearer {key}"})
    assert client.post("/v1/contracts", json=CONTRACT).status_code == 201
    assert client.post("/v1/runs", json={"until": "2027-01-01"}).status_code == 200
    got = client.get("/v1/contracts/c1").json()
    assert (got["status"], got["access"], got["as_of"], got["problem"]) == (
        "active", "full", "2027-01-01", None)
    assert got["balance"]["principal"] == "750.00" and got["balance"]["total"] == "750.00"
    assert got["balance"]["currency"] == "EUR"
    assert got["next_deadline"]["date"] >= "2027-01-01" and got["next_deadline"]["clauses"]
    listed = client.get("/v1/contracts").json()["data"]
    assert [(c["id"], c["status"], c["balance"]["total"]) for c in listed] == [
        ("c1", "active", "750.00")]
    engine.dispose()
