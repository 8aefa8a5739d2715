"""`termline bench` end to end, and the pipelined run against the claiming run on its book
(issue 12): the same synthetic book with its customers' payments, run 60 days with the step
in this process and with it in a step process, stores the same ledger row for row."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from typer.testing import CliRunner

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
