"""The database the store commands use: TERMLINE_DATABASE_URL, checked before anything
connects, so a wrong URL is one clear line and a typo never leaves an empty .db file behind."""

from __future__ import annotations

import os

from termline.app import database
from termline.app.database import BadUrl, Engine
from termline.entrypoints.cli.error_boundary import URL_VARIABLE, fail, mask


def url(raw: str | None = None, *, must_exist: bool = True, name: str = URL_VARIABLE) -> str:
    """The URL to use (RAW, else the environment's, else the default), checked: a known
    database and driver; for a SQLite file, an existing folder and, when `must_exist`,
    an existing file (a command that reads the store does not create one)."""
    text = raw if raw is not None else (os.environ.get(URL_VARIABLE) or database.DEFAULT_URL)
    try:
        return database.check_url(text, name=name, shown=mask(text), must_exist=must_exist)
    except BadUrl as exc:
        fail(str(exc))


def engine(raw: str | None = None, *, pooled: bool = True, must_exist: bool = True) -> Engine:
    return database.engine(url(raw, must_exist=must_exist), pooled=pooled)
