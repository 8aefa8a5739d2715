"""The app factory: `create_app(engine, clock)` gives the `/v1` API over a store."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from termline.adapters.notify.outbound import Allow
from termline.app.wiring import Engine
from termline.domain.registry import bootstrap
from termline.entrypoints.api import problems
from termline.entrypoints.api.deps import Clock, ServiceContext, holding
from termline.entrypoints.api.door import Door
from termline.entrypoints.api.idempotency import IdempotencyAndAudit
from termline.entrypoints.api.routes import (
    actions,
    contracts,
    customers,
    emails,
    events,
    invoices,
    meta,
    runs,
    webhooks,
)

DESCRIPTION = """Termline runs SaaS contracts under their terms and conditions: every action
names the clause behind it. Authenticate with an API key (`Authorization: Bearer tl_…`).
Errors are RFC 9457 problem details (`application/problem+json`) naming the field and, for a
rule of the terms, its clauses. Every POST takes an `Idempotency-Key` header."""


def create_app(engine: Engine, clock: Clock, wake: Callable[[], None] | None = None,
               lifespan: Any = None, outbound: Allow | None = None,
               future_runs: bool = False) -> FastAPI:
    bootstrap()
    app = FastAPI(title="termline", version="1", description=DESCRIPTION, lifespan=lifespan,
                  docs_url=None, redoc_url=None)
    app.state.ctx = ServiceContext(engine, clock, holding(wake or (lambda: None)),
                                   outbound or Allow(), future_runs)
    problems.install(app)
    app.add_middleware(IdempotencyAndAudit)
    app.add_middleware(Door)  # outermost: size, NUL, duplicate keys before anything reads
    for module in (meta, customers, contracts):
        app.include_router(module.router)
    app.include_router(events.routes())  # over the event kinds bootstrap() installed
    for module in (actions, invoices, runs, webhooks, emails):
        app.include_router(module.router)
    from termline.entrypoints.console.app import (
        install,  # the console shares the context (issue 20)
    )

    install(app)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = problem_media(door_answers(get_openapi(
                title=app.title, version=app.version, description=app.description,
                routes=app.routes)))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


LISTS = ("starting_after",)  # a cursor that names none of the tenant's items is a 404


def door_answers(doc: dict[str, Any]) -> dict[str, Any]:
    """What the door (`door.Door`) and the request parser answer before any route runs,
    declared on every operation: 400 (a NUL byte in the path or query, a body that is not
    JSON), 413 (a body over 1 MB) on a POST, PUT or PATCH; 404 where a cursor is taken."""
    def problem(status: int) -> dict[str, Any]:
        return {"description": problems.TITLES[status], "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/ProblemBody"}}}}

    for path in doc.get("paths", {}).values():
        for method, operation in path.items():
            responses = operation.setdefault("responses", {})
            wanted = [400]
            if method in ("post", "put", "patch"):
                wanted.append(413)
            if any(p.get("name") in LISTS for p in operation.get("parameters", [])):
                wanted.append(404)
            for status in wanted:
                responses.setdefault(str(status), problem(status))
    return doc


def problem_media(doc: dict[str, Any]) -> dict[str, Any]:
    """Error responses are documented as application/problem+json (what they are)."""
    for path in doc.get("paths", {}).values():
        for operation in path.values():
            for status, response in operation.get("responses", {}).items():
                content = response.get("content", {})
                if status.isdigit() and int(status) >= 400 and "application/json" in content:
                    response["content"] = {problems.MEDIA: content["application/json"]}
    return doc
