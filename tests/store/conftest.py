"""Store fixtures: every store test runs on a SQLite file and on PostgreSQL.

PostgreSQL: 127.0.0.1:5432, database `test`, trust auth; each test gets its own schema and
drops it. Under CI=true an unreachable server fails the test; elsewhere it skips with why.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from termline.adapters.sql.db import make_engine, upgrade
from termline.adapters.sql.uow import SqlUnitOfWork

TERMLINE = str(Path(sys.executable).parent / "termline")
PG_URL = os.environ.get("TERMLINE_TEST_PG_URL", "postgresql+psycopg://root@127.0.0.1:5432/test")


def _pg_listening() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


@contextmanager
def database_url(kind: str, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database of this kind (a SQLite file, or a fresh PostgreSQL
    schema, dropped after)."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'termline.db'}"
        return
    if not _pg_listening():
        reason = "no PostgreSQL server listens on 127.0.0.1:5432"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason} (mandatory under CI=true)")
        pytest.skip(reason)
    with pg_schema("t") as url:
        yield url


@contextmanager
def pg_schema(prefix: str) -> Iterator[str]:
    """The URL of a fresh PostgreSQL schema, dropped afterwards."""
    schema = f"{prefix}_{secrets.token_hex(6)}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database URL for an empty database (a SQLite file, or a fresh PostgreSQL schema)."""
    with database_url(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def uow(db_url: str) -> Iterator[Callable[[], Any]]:
    """A unit-of-work factory on an upgraded database."""
    engine = make_engine(db_url)
    upgrade(engine)
    yield lambda: SqlUnitOfWork(engine)
    engine.dispose()


def workers_at_once(db_url: str, until: date, *, batch: int, count: int = 2
                    ) -> list[dict[str, Any]]:
    """`count` `termline worker --until UNTIL --batch BATCH` processes run at once on the
    store: their JSON reports, each having exited 0. On PostgreSQL each must have done some of
    the work (claims skip the contracts another holds); SQLite's take turns."""
    env = {**os.environ, "TERMLINE_DATABASE_URL": db_url}
    workers = [subprocess.Popen([TERMLINE, "worker", "--until", until.isoformat(), "--json",
                                 "--batch", str(batch)], env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True) for _ in range(count)]
    reports = []
    for proc in workers:
        stdout, stderr = proc.communicate(timeout=600)
        assert proc.returncode == 0, stderr
        reports.append(json.loads(stdout.splitlines()[-1]))
    if db_url.startswith("postgresql"):
        assert all(r["contracts"] > 0 for r in reports), reports  # each did work
    return reports
