"""The OpenAPI document kept in docs/openapi.json is the one the app serves."""

from __future__ import annotations

from pathlib import Path

from termline.entrypoints.api.openapi import text

DOC = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


def test_docs_openapi_json_is_the_served_document() -> None:
    assert DOC.read_text("utf-8") == text(), \
        ("docs/openapi.json is stale: run "
         "`python -m termline.entrypoints.api.openapi > docs/openapi.json`")


def test_a_webhook_endpoint_subscribes_to_the_published_kinds_and_only_those() -> None:
    """Issue 18: the enum of `EndpointIn.events` is `*` and the published action kinds
    (`kinds.published()` once `bootstrap()` installed the registry's mechanisms), in order."""
    import json

    from termline.adapters.notify.kinds import published

    doc = json.loads(text())
    enum = doc["components"]["schemas"]["EndpointIn"]["properties"]["events"]["items"]["enum"]
    assert enum == ["*", *published()]
    assert {"sla_credit", "support_ticket_received", "restore_refused"} <= set(enum)


def test_every_operation_declares_what_the_door_answers_before_any_route() -> None:
    """Issue 18: a NUL byte in the path or query is a 400 on every operation, a body over
    1 MB a 413 on every write, an unknown cursor a 404 on every list; all problem+json."""
    import json

    doc = json.loads(text())
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert "400" in responses, (method, path)
            assert ("413" in responses) == (method in ("post", "patch")), (method, path)
            if any(p["name"] == "starting_after" for p in operation.get("parameters", [])):
                assert "404" in responses, (method, path)
            for status, response in responses.items():
                if int(status) >= 400:
                    assert list(response["content"]) == ["application/problem+json"]


def test_a_method_the_path_does_not_take_is_a_405_naming_every_method_it_takes() -> None:
    """GET and PATCH /v1/tenant are two routes: Allow names both (not only the first)."""
    from datetime import UTC, datetime

    from fastapi.testclient import TestClient
    from sqlalchemy import create_engine

    from termline.entrypoints.api.app import create_app

    client = TestClient(create_app(create_engine("sqlite://"),
                                   lambda: datetime(2027, 1, 1, tzinfo=UTC)))
    for path, allow in (("/v1/tenant", "GET, PATCH"), ("/v1/contracts/c1", "GET, PATCH"),
                        ("/v1/webhook_endpoints", "GET, POST"),
                        ("/v1/invoices/SW2027-000001.pdf", "GET")):
        answer = client.options(path)
        assert answer.status_code == 405, path
        assert answer.headers["allow"] == allow, path
        assert answer.headers["content-type"] == "application/problem+json"
