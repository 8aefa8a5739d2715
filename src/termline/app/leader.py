"""Which process runs the scheduler when `termline serve --workers N` starts several: the one
holding a PostgreSQL advisory lock (session level, on a connection of its own). A process
that dies releases it with its connection, and another takes over at its next pass. On
SQLite there is one process: it leads."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, text

# (LOCK_KEY, hash of the schema): one scheduler per store, also for stores in several schemas
# of one database (the test suite's, a bench's)
LOCK_KEY = 0x74726D6C  # "trml"


class Leader:
    def __init__(self, engine: Engine, key: int = LOCK_KEY) -> None:
        self.engine = engine
        self.key = key
        self._conn: Any = None

    def lead(self) -> bool:
        """True while this process holds the lock (taking it when free)."""
        if self.engine.dialect.name != "postgresql":
            return True
        if self._conn is not None:
            try:
                self._conn.execute(text("SELECT 1"))
                return True
            except Exception:  # the connection died: the lock went with it
                self.release()
        conn = self.engine.connect()
        taken = bool(conn.execute(text(
            "SELECT pg_try_advisory_lock(:k, hashtext(current_schema()))"),
            {"k": self.key}).scalar())
        conn.commit()
        if taken:
            self._conn = conn
        else:
            conn.close()
        return taken

    def release(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            finally:
                self._conn = None
