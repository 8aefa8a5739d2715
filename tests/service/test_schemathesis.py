"""schemathesis against the served OpenAPI document: generated requests to every operation
with a valid key; zero server errors, every response conforming to the document (status,
content type, schema). Bounded: about 40 examples per operation, >= 1,000 requests in all."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from termline.adapters.sql.db import make_engine, upgrade
from termline.adapters.sql.uow import SqlUnitOfWork
from termline.app import intake
from termline.app.keys import create_key
from termline.entrypoints.api.app import create_app

NOW = datetime(2027, 3, 1, 9, tzinfo=UTC)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Any:
    path: Path = tmp_path_factory.mktemp("st") / "t.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    intake.add_tenant(SqlUnitOfWork(engine), "st")
    key = create_key(engine, "st", ("admin",), NOW).key
    app = create_app(engine, lambda: NOW)
    app.state.auth = {"Authorization": f"Bearer {key}"}
    return app


def test_every_operation_answers_as_documented(api: Any) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", api)
    counts: dict[str, int] = {}
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=40, deadline=None, derandomize=True, database=None,
                  phases=[Phase.explicit, Phase.generate],
                  suppress_health_check=list(HealthCheck))
        def call(case: Any) -> None:
            case.call_and_validate(headers=api.state.auth, checks=CHECKS)
            label = case.operation.label
            counts[label] = counts.get(label, 0) + 1

        call()
    operations = sum(len(ops) for ops in api.openapi()["paths"].values())
    assert len(counts) == operations, counts
    assert sum(counts.values()) >= 1000, counts
