"""The database the store commands use: TERMLINE_DATABASE_URL, checked before anything
connects, so a wrong URL is one clear line and a typo never leaves an empty .db file behind."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from termline.entrypoints.cli.error_boundary import URL_VARIABLE, fail, mask

_EXAMPLES = "e.g. sqlite:///termline.db or postgresql+psycopg://user@host/db"


def url(raw: str | None = None, *, must_exist: bool = True, name: str = URL_VARIABLE) -> str:
    """The URL to use (RAW, else the environment's, else the default), checked: a known
    database and driver; for a SQLite file, an existing folder and, when `must_exist`,
    an existing file (a command that reads the store does not create one)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    from termline.adapters.sql.db import DEFAULT_URL

    text = raw if raw is not None else (os.environ.get(URL_VARIABLE) or DEFAULT_URL)
    try:
        parsed = make_url(text)
    except ArgumentError:
        fail(f"{name}: {mask(text)!r} is not a database URL ({_EXAMPLES})")
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        fail(f"{name}: {mask(text)!r}: termline stores its books in SQLite or PostgreSQL, "
             f"not {backend} ({_EXAMPLES})")
    try:
        parsed.get_dialect()
    except Exception:  # a driver that is not installed (postgresql:// means psycopg2)
        fail(f"{name}: {mask(text)!r}: no driver {parsed.drivername!r} installed "
             "(use postgresql+psycopg://...)")
    if backend == "sqlite" and parsed.database not in (None, "", ":memory:"):
        path = Path(str(parsed.database))
        if not path.parent.is_dir():
            fail(f"{name}: {mask(text)!r}: folder {path.parent} does not exist")
        if path.is_dir():
            fail(f"{name}: {mask(text)!r}: {path} is a folder, not a database file")
        if must_exist and not path.exists():
            fail(f"{name}: no database at {path}: run `termline db upgrade` first")
    return text


def engine(raw: str | None = None, *, pooled: bool = True, must_exist: bool = True) -> Any:
    from termline.adapters.sql.db import make_engine

    return make_engine(url(raw, must_exist=must_exist), pooled=pooled)
