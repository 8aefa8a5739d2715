"""bench/commit_floor.py replays a bench run's rows as the run stored them: every row once, a
transaction for each batch of a day's acting contracts, and the run rows as the run left them."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from math import ceil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TERMLINE = str(Path(sys.executable).parent / "termline")
TABLES = ("actions", "invoices", "invoice_lines", "payments", "allocations", "documents")


def _rows(database: Path, query: str) -> list[tuple[object, ...]]:
    connection = sqlite3.connect(database)
    try:
        return connection.execute(query).fetchall()
    finally:
        connection.close()


def test_commit_floor_replays_every_row_in_the_run_s_transactions(tmp_path: Path) -> None:
    """300 synthetic contracts over 75 days (invoices, payments 5 days later, failed debits):
    the replayed file holds the book's rows, each table's the very rows, and its run rows'
    states; one commit per 10 contracts acting on a day, so a day of 11 commits twice."""
    book = tmp_path / "book.db"
    made = subprocess.run(
        [TERMLINE, "bench", "--contracts", "300", "--days", "75",
         "--db", f"sqlite:///{book}", "--json"],
        check=True, capture_output=True, text=True, cwd=ROOT)
    report = tmp_path / "report.json"
    report.write_text(made.stdout)
    out = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "commit_floor.py"), str(book), "--batch", "10",
         "--report", str(report), "--keep", "--json"],
        check=True, capture_output=True, text=True, cwd=ROOT)
    replay = json.loads(out.stdout)
    replayed = tmp_path / "book-commits.db"

    for table in TABLES:
        rows = f"SELECT * FROM {table} ORDER BY id"
        assert _rows(replayed, rows) == _rows(book, rows), table
    assert _rows(book, "SELECT count(*) FROM invoices")[0][0] > 50
    assert _rows(book, "SELECT count(*) FROM payments")[0][0] > 30
    states = "SELECT contract_id, state, cursor, next_due FROM contract_runs ORDER BY 1"
    assert _rows(replayed, states) == _rows(book, states)

    acting = _rows(book, "SELECT recorded_on, count(DISTINCT contract_id) FROM actions "
                         "GROUP BY recorded_on")
    assert max(count for _, count in acting) > 10
    assert replay["commits"] == sum(ceil(int(str(count)) / 10) for _, count in acting)
    assert replay["contract_days_replayed"] == sum(int(str(count)) for _, count in acting)
    assert replay["commit_floor_s"] > 0 and replay["bulk_floor_s"] > 0
    assert replay["run_over_bulk"] > replay["run_over_commit_floor"]
