"""What an entry point is given to reach the store, without naming SQL itself: the engine
type it is handed, a unit of work over it, and a store that holds nothing (for documents
that depend on the routes only, such as the OpenAPI document)."""

from __future__ import annotations

from sqlalchemy import Engine as Engine
from sqlalchemy import create_engine

from termline.adapters.sql.uow import SqlUnitOfWork
from termline.app.ports import UnitOfWork


def unit_of_work(engine: Engine) -> UnitOfWork:
    return SqlUnitOfWork(engine)


def unconnected() -> Engine:
    """An engine over an in-memory SQLite database that is never opened."""
    return create_engine("sqlite://")
