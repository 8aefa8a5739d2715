"""What every SQL repository shares: the connection of its unit of work, and helpers."""

from __future__ import annotations

from types import ModuleType
from typing import Any

from sqlalchemy import Connection, CursorResult
from sqlalchemy.dialects import postgresql, sqlite


class SqlRows:
    """A repository over the connection (and transaction) of one unit of work."""

    def __init__(self, connection: Connection) -> None:
        self.conn = connection

    def dialect(self) -> ModuleType:
        """The dialect module whose `insert` knows ON CONFLICT."""
        return {"postgresql": postgresql, "sqlite": sqlite}[self.conn.dialect.name]


def new_id(result: CursorResult[Any]) -> int:
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def connection(repo: object) -> Connection:
    """The connection under a repository, for what only the SQL store holds today (documents,
    bulk intake, reports, the e-mail outbox, the projection of the ledger): an in-memory
    repository has none, and a use case that needs one says so instead of half-running."""
    if isinstance(repo, SqlRows):
        return repo.conn
    raise NotImplementedError(f"{type(repo).__name__} holds no SQL tables: this use case "
                              "needs the SQL store")
