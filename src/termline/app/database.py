"""The store's database as the command line and the served process meet it: its URL checked
before anything connects, its engine, its schema's revision and migrations, a unit of work
over it, the doorbell between served processes, and its errors in the user's words.

The entry points name none of SQLAlchemy, Alembic or the SQL adapter: this is the one place
that wires them (as `wiring` does for the API), so that `lint-imports` can hold the entry
points to `app/` with no exception.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine as Engine

from termline.adapters.sql import db
from termline.app.ports import UnitOfWork, UowFactory
from termline.domain.errors import TermlineError

if TYPE_CHECKING:
    from termline.adapters.sql.doorbell import Doorbell

DEFAULT_URL = db.DEFAULT_URL
EXAMPLES = "e.g. sqlite:///termline.db or postgresql+psycopg://user@host/db"


class BadUrl(TermlineError):
    """A database URL termline cannot use; the message names it as the caller showed it."""


def check_url(text: str, *, name: str, shown: str, must_exist: bool = True) -> str:
    """`text` when it is a URL termline can use: a known database and an installed driver;
    for a SQLite file, an existing folder and, when `must_exist`, an existing file (a command
    that reads the store does not create one). Else BadUrl, saying `name: shown: why`
    (`shown`: the URL as the caller may print it, its password masked)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(text)
    except ArgumentError:
        raise BadUrl(f"{name}: {shown!r} is not a database URL ({EXAMPLES})") from None
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise BadUrl(f"{name}: {shown!r}: termline stores its books in SQLite or PostgreSQL, "
                     f"not {backend} ({EXAMPLES})")
    try:
        parsed.get_dialect()
    except Exception:  # a driver that is not installed (postgresql:// means psycopg2)
        raise BadUrl(f"{name}: {shown!r}: no driver {parsed.drivername!r} installed "
                     "(use postgresql+psycopg://...)") from None
    if backend == "sqlite" and parsed.database not in (None, "", ":memory:"):
        path = Path(str(parsed.database))
        if not path.parent.is_dir():
            raise BadUrl(f"{name}: {shown!r}: folder {path.parent} does not exist")
        if path.is_dir():
            raise BadUrl(f"{name}: {shown!r}: {path} is a folder, not a database file")
        if must_exist and not path.exists():
            raise BadUrl(f"{name}: no database at {path}: run `termline db upgrade` first")
    return text


def engine(url: str, *, pooled: bool = True) -> Engine:
    """An engine for `url` (checked first: `check_url`)."""
    return db.make_engine(url, pooled=pooled)


def shown(engine: Engine, *, hide_password: bool = True) -> str:
    """The engine's URL as text."""
    return engine.url.render_as_string(hide_password=hide_password)


def backend(engine: Engine) -> str:
    """"sqlite" or "postgresql"."""
    return engine.dialect.name


def current_revision(engine: Engine) -> str | None:
    """The schema's migration revision; None for an empty database."""
    return db.current_revision(engine)


def is_current(engine: Engine) -> bool:
    """Whether the schema is at the latest migration."""
    return db.current_revision(engine) == db.head_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    db.upgrade(engine, revision)


def downgrade(engine: Engine, revision: str) -> None:
    db.downgrade(engine, revision)


def unit_of_work(engine: Engine) -> UnitOfWork:
    from termline.adapters.sql.uow import SqlUnitOfWork

    return SqlUnitOfWork(engine)


def units_of_work(engine: Engine) -> UowFactory:
    """A unit-of-work factory over `engine`."""
    return lambda: unit_of_work(engine)


def doorbell(engine: Engine) -> Doorbell:
    """The scheduler's doorbell across processes (PostgreSQL's LISTEN/NOTIFY)."""
    from termline.adapters.sql.doorbell import Doorbell

    return Doorbell(engine)


def unreachable(exc: BaseException) -> str | None:
    """Why the database could not be used, in one of its own lines, when `exc` says it is
    unreachable or refuses a value; None for any other error. (A refused unique key is not
    one: it is a bug or a race the user cannot fix.)"""
    from sqlalchemy.exc import DataError, InterfaceError, OperationalError

    if isinstance(exc, OperationalError | InterfaceError | DataError):
        return str(exc.orig) if exc.orig is not None else type(exc).__name__
    return None


def not_a_url(exc: BaseException) -> bool:
    """Whether `exc` is SQLAlchemy's word for a URL it cannot use (no such dialect or
    argument)."""
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    return isinstance(exc, NoSuchModuleError | ArgumentError)

