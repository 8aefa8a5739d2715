"""Whether the store answers: its dialect and schema revision (`GET /v1/health`)."""

from __future__ import annotations

from sqlalchemy import Engine, text

from termline.adapters.sql.db import current_revision


def store_health(engine: Engine) -> tuple[str, str | None]:
    """(dialect, Alembic revision) once the store answers a query; raises when it does not."""
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    return engine.dialect.name, current_revision(engine)
