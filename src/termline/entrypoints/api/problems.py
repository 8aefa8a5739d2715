"""RFC 9457 problem details (`application/problem+json`) for every error the API answers."""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException as StarletteHTTPException

from termline.app.answers import NotFound
from termline.app.contract_answers import Exists
from termline.app.documents import NoProfile
from termline.app.intake import ReferenceTaken
from termline.domain.errors import ConcurrentWrite, InputError, TermlineError

MEDIA = "application/problem+json"
log = logging.getLogger("termline.entrypoints.api")

TITLES = {400: "Bad request", 401: "Unauthorized", 403: "Forbidden", 404: "Not found",
          405: "Method not allowed", 409: "Conflict", 413: "Payload too large",
          415: "Unsupported media type", 422: "Unprocessable content",
          500: "Internal server error", 503: "Service unavailable"}


class FieldError(BaseModel):
    field: str
    detail: str


class ProblemBody(BaseModel):
    """The problem document: `field` names the offending input, `clauses` the terms' rule."""
    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str
    field: str | None = None
    clauses: list[str] | None = None
    errors: list[FieldError] | None = None


class Problem(Exception):
    def __init__(self, status: int, detail: str, *, field: str | None = None,
                 clauses: list[str] | None = None, kind: str | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.field = field
        self.clauses = clauses
        self.kind = kind
        self.headers = headers


def problem_response(status: int, detail: str, *, field: str | None = None,
                     clauses: list[str] | None = None, kind: str | None = None,
                     errors: list[dict[str, str]] | None = None,
                     headers: dict[str, str] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"type": f"https://termline.example/problems/"
                                    f"{kind or str(status)}",
                            "title": TITLES.get(status, "Error"), "status": status,
                            "detail": detail}
    if field is not None:
        body["field"] = field
    if clauses is not None:
        body["clauses"] = clauses
    if errors is not None:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type=MEDIA, headers=headers)


def _loc(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc]
    # pydantic's union tags ("payment", "function-after[...]") are not fields of the input
    kept = [p for p in parts if "[" not in p]
    return ".".join(kept)


def allowed(request: Request) -> list[str]:
    """The methods the OpenAPI document gives the request's path (a path's GET and PATCH are
    two routes: Starlette's 405 names only the first one's)."""
    methods: set[str] = set()
    for template, operations in request.app.openapi().get("paths", {}).items():
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
        if re.fullmatch(pattern, request.url.path):
            methods |= {m.upper() for m in operations}
    return sorted(methods)


def install(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(_: Request, exc: Problem) -> JSONResponse:
        return problem_response(exc.status, exc.detail, field=exc.field, clauses=exc.clauses,
                                kind=exc.kind, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = []
        for err in exc.errors():
            message = "unknown field" if err.get("type") == "extra_forbidden" \
                else str(err.get("msg", "invalid"))
            errors.append({"field": _loc(tuple(err.get("loc", ()))), "detail": message})
        first = errors[0] if errors else {"field": "body", "detail": "invalid"}
        return problem_response(422, f"{first['field']}: {first['detail']}",
                                field=first["field"], kind="validation", errors=errors)

    @app.exception_handler(NotFound)
    async def _missing(_: Request, exc: NotFound) -> JSONResponse:
        return problem_response(404, exc.message, field=exc.field, kind="not-found")

    @app.exception_handler(Exists)
    async def _exists(_: Request, exc: Exists) -> JSONResponse:
        return problem_response(409, exc.message, field=exc.field, kind="conflict")

    @app.exception_handler(ReferenceTaken)
    async def _taken(_: Request, exc: ReferenceTaken) -> JSONResponse:
        return problem_response(409, exc.message, field=exc.field, kind="conflict")

    @app.exception_handler(NoProfile)
    async def _no_profile(_: Request, exc: NoProfile) -> JSONResponse:
        # the document cannot name its seller until the tenant has a profile
        return problem_response(409, str(exc), kind="no-profile")

    @app.exception_handler(InputError)
    async def _input(_: Request, exc: InputError) -> JSONResponse:
        return problem_response(422, exc.message, field=exc.field, kind="invalid-input")

    @app.exception_handler(TermlineError)
    async def _termline(_: Request, exc: TermlineError) -> JSONResponse:
        return problem_response(422, str(exc), kind="refused")

    @app.exception_handler(ConcurrentWrite)
    async def _race(_: Request, exc: ConcurrentWrite) -> JSONResponse:
        # a unique key's refusal no route retries: as the database's error was, a crash
        log.exception("unhandled error", exc_info=exc)
        return problem_response(500, "internal error (logged)")

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        headers = getattr(exc, "headers", None)
        if exc.status_code == 405:  # every method of the path, not only its first route's
            headers = {**(headers or {}), "Allow": ", ".join(allowed(request))}
        return problem_response(exc.status_code, str(exc.detail), headers=headers)

    @app.exception_handler(Exception)
    async def _crash(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return problem_response(500, "internal error (logged)")


def errors(*statuses: int, keyed: bool = True) -> dict[int | str, dict[str, Any]]:
    """The error responses a route documents (OpenAPI; `app.problem_media` files them under
    problem+json): `statuses`, plus 401, 403 and 422 for a route that takes a key."""
    wanted = sorted({*statuses, *((401, 403, 422) if keyed else ())})
    return {status: {"description": TITLES.get(status, "Error"), "model": ProblemBody}
            for status in wanted}
