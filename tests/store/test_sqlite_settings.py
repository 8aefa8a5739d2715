"""What every SQLite connection of the store is set to (`adapters/sql/db._sqlite_pragmas`):
write-ahead logging synced at checkpoints, a 30 s wait for the write lock, a 256 MB page cache
and a checkpoint every 20,000 pages (the year of 20,000 contracts 11 % faster than at SQLite's
default of 1,000: docs/benchmarks.md)."""

from __future__ import annotations

from pathlib import Path

from termline.adapters.sql.db import make_engine


def test_each_connection_is_set_for_the_run(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'book.db'}")
    try:
        with engine.connect() as conn:
            got = {name: conn.exec_driver_sql(f"PRAGMA {name}").scalar() for name in (
                "journal_mode", "synchronous", "busy_timeout", "cache_size",
                "wal_autocheckpoint", "foreign_keys")}
    finally:
        engine.dispose()
    assert got == {"journal_mode": "wal", "synchronous": 1, "busy_timeout": 30000,
                   "cache_size": -262144, "wal_autocheckpoint": 20000, "foreign_keys": 1}
