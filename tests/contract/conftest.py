"""The same repository tests on the in-memory fakes, on SQLite and on PostgreSQL.

PostgreSQL as in `tests/store/conftest.py`: each test its own schema, dropped after; under
CI=true an unreachable server fails the test, elsewhere it skips with why. The memory runs
are the fast tier's (`make test-fast`).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from termline.adapters.memory.memory_tables import MemoryBook
from termline.adapters.memory.memory_uow import MemoryUnitOfWork
from termline.app.ports import UowFactory
from tests.store.conftest import PG_URL, _pg_listening


def _sql_factory(url: str) -> Iterator[UowFactory]:
    from termline.adapters.sql.db import make_engine, upgrade
    from termline.adapters.sql.uow import SqlUnitOfWork

    engine = make_engine(url)
    upgrade(engine)
    try:
        yield lambda: SqlUnitOfWork(engine)
    finally:
        engine.dispose()


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[UowFactory]:
    """A unit-of-work factory over an empty store of each kind."""
    if request.param == "memory":
        book = MemoryBook()
        yield lambda: MemoryUnitOfWork(book)
        return
    if request.param == "sqlite":
        yield from _sql_factory(f"sqlite:///{tmp_path / 'termline.db'}")
        return
    if not _pg_listening():
        reason = "no PostgreSQL server listens on 127.0.0.1:5432"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason} (mandatory under CI=true)")
        pytest.skip(reason)
    from sqlalchemy import create_engine, text

    schema = f"t_{secrets.token_hex(6)}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield from _sql_factory(f"{PG_URL}?options=-csearch_path%3D{schema}")
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
