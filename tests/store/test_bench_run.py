"""`termline bench` end to end, and the pipelined run against the claiming run on its book
(issue 12): the same synthetic book with its customers' payments, run 60 days with the step
in this process and with it in a step process, stores the same ledger row for row."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

from typer.testing import CliRunner

from termline.devtools.bench import BOOK_TABLES, FLOOR_TABLES, _machine_times
from termline.entrypoints.cli.app import app


def _bench(tmp_path: Path, name: str, *extra: str) -> tuple[dict[str, object], list[tuple]]:
    db = tmp_path / f"{name}.db"
    result = CliRunner().invoke(app, ["bench", "--contracts", "400", "--days", "60", "--spread",
                                      "30", "--db", f"sqlite:///{db}", "--json", *extra],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    with sqlite3.connect(db) as conn:
        ledger = conn.execute("SELECT c.ref, a.seq, a.natural_key, a.body FROM actions a "
                              "JOIN contracts c ON c.id = a.contract_id "
                              "ORDER BY c.ref, a.seq").fetchall()
    return json.loads(result.stdout), ledger


def test_the_pipelined_bench_stores_the_claiming_runs_ledger(tmp_path: Path) -> None:
    claiming, ledger = _bench(tmp_path, "claiming")
    pipelined, same = _bench(tmp_path, "pipelined", "--jobs", "1")
    assert claiming["actions"] == len(ledger) > 0 and claiming["invoices"] > 0
    assert (pipelined["actions"], pipelined["invoices"], pipelined["contract_days_stored"]) \
        == (claiming["actions"], claiming["invoices"], claiming["contract_days_stored"])
    assert same == ledger
    assert claiming["idle_day_s"] < 1 and claiming["cpu_us_per_contract_day"] > 0
    # the step processes' CPU and the writer's wait for them, only where there are such
    assert "step_cpu_s" not in claiming and "step_wait_s" not in claiming
    assert pipelined["step_cpu_s"] > 0 and pipelined["step_wait_s"] > 0
    # this machine (Linux) says how long its cores idled during the days: at most all of them
    # for the days' whole wall time
    for report in (claiming, pipelined):
        assert 0 <= report["idle_cores_s"] <= (os.cpu_count() or 1) * report["wall_s"] + 0.1
        assert report["steal_s"] >= 0


def test_the_machines_idle_and_stolen_seconds_are_read_from_its_clock_ticks(
        tmp_path: Path) -> None:
    """/proc/stat's first line: user, nice, system, idle, iowait, irq, softirq, steal (clock
    ticks). Idle is idle plus iowait: 400 + 100 = 500 ticks; steal 30 ticks."""
    stat = tmp_path / "stat"
    stat.write_text("cpu  1000 5 200 400 100 0 7 30 0 0\ncpu0 500 2 100 200 50 0 3 15 0 0\n")
    hertz = os.sysconf("SC_CLK_TCK")
    assert _machine_times(stat) == (500 / hertz, 30 / hertz)
    assert _machine_times(tmp_path / "none") is None
    stat.write_text("cpu  1000 5 200\n")  # an older kernel's shorter line
    assert _machine_times(stat) is None


def _rows(db: Path) -> dict[str, list[tuple]]:
    with sqlite3.connect(db) as conn:
        names = [n for n, in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                          "AND name != 'alembic_version'")]
        return {n: conn.execute(f'SELECT * FROM "{n}" ORDER BY 1').fetchall() for n in names}


def test_the_floor_times_every_row_the_run_wrote(tmp_path: Path) -> None:
    """The floor (`floor_s`) is the rows the engine wrote, bulk-inserted again: every table the
    run wrote to is timed in it, the documents and the console's kept items included (they were
    copied untimed before the twenty-seventh round), and each comes out whole in the floor."""
    report, _ = _bench(tmp_path, "book")
    book, floor = _rows(tmp_path / "book.db"), _rows(tmp_path / "book-floor.db")
    written = {n for n, rows in book.items() if rows}
    assert written - set(BOOK_TABLES) <= set(FLOOR_TABLES)
    assert {"actions", "invoices", "documents", "contract_open_items", "book_open"} <= written
    assert report["floor_s"] > 0
    for name in FLOOR_TABLES:
        assert floor[name] == book[name], name
