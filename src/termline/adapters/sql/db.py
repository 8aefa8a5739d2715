"""Engines and migrations: the URL comes from the caller (the CLI reads the environment)."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import Engine, create_engine, event
from sqlalchemy import exc as sa_exc
from sqlalchemy.pool import NullPool

DEFAULT_URL = "sqlite:///termline.db"
WRITE_OPTION = "termline_write"  # execution option of connections that write (units of work)
MIGRATIONS = Path(__file__).parent / "migrations"

# What the database refuses for the data of a statement (an amount its columns cannot hold, a
# string too long, a key that exists): the fault of that data, unlike a lost connection or a
# serialisation failure, which are the store's.
DATA_REFUSED = (sa_exc.DataError, sa_exc.IntegrityError, sa_exc.ProgrammingError, OverflowError)
STORE_ERROR = sa_exc.SQLAlchemyError


def make_engine(url: str, schema: str | None = None, pooled: bool = True) -> Engine:
    """An engine for `url`; `schema` puts every table in that PostgreSQL schema (tests)."""
    kwargs: dict[str, Any] = {} if pooled else {"poolclass": NullPool}
    if url.startswith("postgresql") and schema is not None:
        kwargs["connect_args"] = {"options": f"-csearch_path={schema}"}
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin_immediate)
    return engine


def _sqlite_begin_immediate(connection: Any) -> None:
    # A unit of work that reads a contract and then writes its day must not find, at its first
    # write, that another process wrote meanwhile (SQLITE_BUSY, which no timeout retries):
    # taking the write lock at BEGIN makes concurrent workers wait their turn instead. Other
    # connections (readers) begin as usual and read the last committed state alongside.
    write = connection.get_execution_options().get(WRITE_OPTION, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # transactions are begun by the "begin" event
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    # A book of a million contracts is a few GB: a page cache of 256 MB keeps the indexes
    # the run walks (claims, natural keys) in memory instead of re-reading them per batch.
    cursor.execute("PRAGMA cache_size=-262144")
    # A checkpoint copies the WAL's pages into the database and syncs it; at SQLite's default
    # (every 1,000 pages, 4 MB) the run's many small commits of a year checkpoint often and copy
    # the same run-row and index pages again each time: a fifth of the year's time went to
    # the commits. Every 20,000 pages (80 MB of WAL) the year of 20,000 ran 11 % faster
    # (docs/benchmarks.md); what a commit makes durable is unchanged.
    cursor.execute("PRAGMA wal_autocheckpoint=20000")
    cursor.execute("PRAGMA temp_store=MEMORY")
    cursor.close()


def _config(connection: Any) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    _migrate(engine, lambda config: command.upgrade(config, revision))


def downgrade(engine: Engine, revision: str) -> None:
    _migrate(engine, lambda config: command.downgrade(config, revision))


class MigrationError(Exception):
    """A migration left rows that break a foreign key (nothing of it was committed)."""


def _migrate(engine: Engine, step: Callable[[Config], None]) -> None:
    """One transaction. On SQLite, foreign keys are not checked while it runs but once at its
    end: a migration that rebuilds a table (copy, drop, rename) would otherwise fail on the
    rows that refer to it, and the pragma cannot change inside a transaction."""
    with engine.connect() as connection:
        raw = connection.connection.driver_connection if engine.dialect.name == "sqlite" \
            else None
        if raw is not None:
            raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                step(_config(connection))
                if raw is not None:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                    if broken:
                        raise MigrationError(f"rows break a foreign key: {broken[:5]}")
        finally:
            if raw is not None:
                raw.execute("PRAGMA foreign_keys=ON")


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


@cache
def head_revision() -> str | None:
    """The newest migration shipped with this package. Read once a process: alembic imports
    every migration script to find it (about 7 ms), and each command or request that opens
    the store asks; the scripts do not change under a running process."""
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config).get_current_head()
