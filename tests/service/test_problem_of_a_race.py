"""A unique key's refusal that no route retries (`domain.errors.ConcurrentWrite`, raised by
the unit of work where SQLAlchemy's IntegrityError was) answers as that error did: 500,
logged, not the 422 of the other termline errors."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from termline.domain.errors import ConcurrentWrite, TermlineError
from termline.entrypoints.api.problems import install


def test_a_race_nobody_retries_is_a_500_and_other_termline_errors_stay_422() -> None:
    app = FastAPI()
    install(app)

    @app.get("/race")
    def race() -> None:
        raise ConcurrentWrite("the store refused a duplicate: UNIQUE constraint failed")

    @app.get("/refused")
    def refused() -> None:
        raise TermlineError("not allowed")

    client = TestClient(app, raise_server_exceptions=False)
    race_answer = client.get("/race")
    assert (race_answer.status_code, race_answer.json()["detail"]) \
        == (500, "internal error (logged)")
    refused_answer = client.get("/refused")
    assert (refused_answer.status_code, refused_answer.json()["detail"]) == (422, "not allowed")
