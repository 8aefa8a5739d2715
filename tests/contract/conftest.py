"""The same repository tests on the in-memory fakes, on SQLite and on PostgreSQL.

PostgreSQL as in `tests/store/conftest.py`: each test its own schema, dropped after; under
CI=true an unreachable server fails the test, elsewhere it skips with why. The memory runs
are the fast tier's (`make test-fast`).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from termline.adapters.memory.memory_tables import MemoryBook
from termline.adapters.memory.memory_uow import MemoryUnitOfWork
from termline.app.ports import UowFactory
from tests.store.conftest import database_url


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
    with database_url(request.param, tmp_path) as url:
        yield from _sql_factory(url)
