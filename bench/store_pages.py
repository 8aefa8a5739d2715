"""The pages the pipelined writer's store of one day writes to SQLite's WAL, by table and index.

A commit writes every page its transaction changed into the WAL (4 KiB each, whatever part
of it changed), and a checkpoint later copies them into the database: on a year's day that
is a third of the writer's time (docs/benchmarks.md, sixteenth round), and neither callgrind
(the kernel's copying is not counted) nor the statements' own times show it. This bench
loads the same book as `bench/store_instructions.py`, stores the day's due contracts a batch at
a time as the writer does (`app.pipeline._store_flight`), and reads back which pages the WAL
received: each frame's header names its page, and SQLite's `dbstat` names the table or index
that page belongs to. The count is exact and the same from run to run.

Usage: python bench/store_pages.py [--contracts 30000] [--book-days 0] [--json]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import struct
import sys
import tempfile
from collections import Counter
from datetime import timedelta
from pathlib import Path

from sqlalchemy import event
from store_instructions import DAY, load, stepped_flights, store_flights

from termline.adapters.sql.db import make_engine
from termline.app.run_parts import RunReport
from termline.domain.registry import bootstrap

_WAL_HEADER, _FRAME_HEADER = 32, 24


def frames_written(database: Path) -> int:
    """The WAL's frame count as its index holds it (`mxFrame`, at byte 16 of the -shm file,
    in the machine's byte order): it only grows while nothing checkpoints."""
    with open(f"{database}-shm", "rb") as shm:
        shm.seek(16)
        return int.from_bytes(shm.read(4), sys.byteorder)


def pages_of(database: Path, first: int, last: int) -> list[int]:
    """The page number of each WAL frame from `first` to `last` (0-based, `last` excluded)."""
    connection = sqlite3.connect(database)
    try:
        page_size = int(connection.execute("PRAGMA page_size").fetchone()[0])
    finally:
        connection.close()
    wal = Path(f"{database}-wal").read_bytes()
    step = _FRAME_HEADER + page_size
    return [struct.unpack_from(">I", wal, _WAL_HEADER + i * step)[0]
            for i in range(first, last)]


def owners(database: Path) -> dict[int, str]:
    """Each page's table or index (SQLite's `dbstat` virtual table)."""
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        named = {int(page): str(name) for page, name in
                 connection.execute("SELECT pageno, name FROM dbstat")}
        # a UNIQUE constraint's index is named by the order the tables were built in: its
        # columns say which it is
        shown = {}
        for name in set(named.values()):
            if name.startswith("sqlite_autoindex_"):
                columns = [str(row[2]) for row in
                           connection.execute(f"PRAGMA index_info('{name}')")]
                shown[name] = f"{name} ({', '.join(columns)})"
        return {page: shown.get(name, name) for page, name in named.items()}
    finally:
        connection.close()


def store_pages(loaded: Path, book_days: int) -> dict[str, object]:
    """On a copy of the loaded book: step the day's due contracts, store them a batch at a
    time with checkpoints off, and count the pages the commits wrote."""
    day = DAY + timedelta(days=book_days)
    copy = loaded.with_name("pages.db")
    shutil.copy(loaded, copy)
    engine = make_engine(f"sqlite:///{copy}")
    # no checkpoint may move the frames before they are read (a day of 100,000 writes more
    # than the store's 20,000-page threshold); after the store's own pragmas, on every connection
    event.listen(engine, "connect",
                 lambda connection, _: connection.execute("PRAGMA wal_autocheckpoint=0"))
    tenant, flights = stepped_flights(engine, day)
    before = frames_written(copy)
    report = RunReport()
    store_flights(engine, tenant, day, flights, report)
    pages = pages_of(copy, before, frames_written(copy))
    engine.dispose()
    named = owners(copy)
    by_name = Counter(named.get(page, "(free list)") for page in pages)
    return {"day": day.isoformat(), "contract_days": report.contracts, "pages": len(pages),
            "pages_per_contract_day": round(len(pages) / max(report.contracts, 1), 2),
            "by_table_or_index": dict(by_name.most_common())}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contracts", type=int, default=30000)
    parser.add_argument("--book-days", type=int, default=0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        loaded = Path(tmp) / "book.db"
        load(loaded, args.contracts, args.book_days)
        report = {"contracts": args.contracts, **store_pages(loaded, args.book_days)}
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"day {report['day']}: {report['contract_days']} contract days, {report['pages']} "
          f"pages written ({report['pages_per_contract_day']} a contract day)")
    shown = report["by_table_or_index"]
    assert isinstance(shown, dict)
    for name, count in shown.items():
        print(f"{count:8d}  {name}")


if __name__ == "__main__":
    bootstrap()
    main()
