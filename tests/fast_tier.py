"""The fast tier (`make test-fast`, `pytest --fast`): no database, no browser, no process.

The tier is chosen by directory in the Makefile; this plugin keeps it honest. Under `--fast`
the tests that ask for a database by fixture (`db_url`, the contract suite's SQLite and
PostgreSQL runs) are deselected, and any other test that opens a database connection or
starts a process fails, naming what it did: a slow test cannot slip into the fast tier
unnoticed, it has to live outside the fast directories or use the database fixtures.
"""

from __future__ import annotations

import multiprocessing.process
import sqlite3
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

SQL_STORES = {"sqlite", "postgresql"}  # the contract suite's `store` params that need one


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--fast", action="store_true",
                     help="the fast tier: deselect database tests, fail any test that opens a "
                          "database or starts a process")


def _needs_database(item: pytest.Item) -> bool:
    names = getattr(item, "fixturenames", ())
    if "db_url" in names:
        return True
    spec = getattr(item, "callspec", None)
    return spec is not None and spec.params.get("store") in SQL_STORES


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not config.getoption("--fast"):
        return
    slow = [item for item in items if _needs_database(item)]
    if slow:
        config.hook.pytest_deselected(items=slow)
        items[:] = [item for item in items if not _needs_database(item)]


def _refuse(what: str) -> Any:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        pytest.fail(f"a fast-tier test {what}: move it out of the fast directories "
                    "(Makefile `FAST`) or take the database from the `db_url` fixture",
                    pytrace=True)
    return refuse


@pytest.fixture(autouse=True)
def _fast_tier_guard(request: pytest.FixtureRequest,
                     monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    if request.config.getoption("--fast"):
        from sqlalchemy.pool import Pool

        monkeypatch.setattr(Pool, "connect", _refuse("opened a database connection"))
        monkeypatch.setattr(sqlite3, "connect", _refuse("opened a SQLite database"))
        monkeypatch.setattr(subprocess.Popen, "__init__", _refuse("started a process"))
        monkeypatch.setattr(multiprocessing.process.BaseProcess, "start",
                            _refuse("started a process"))
        try:
            import psycopg
        except ImportError:  # pragma: no cover - psycopg is a dependency
            pass
        else:
            monkeypatch.setattr(psycopg.Connection, "connect",
                                _refuse("opened a PostgreSQL connection"))
    yield
