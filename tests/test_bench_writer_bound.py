"""bench/writer_bound.py runs the pipelined billing day with the steps in its own process and
counts them apart: it must store what the run stores (each contract starting on the day steps
its first day once) and split the time between the writer and the steps."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

from termline.devtools.synthetic import synthetic_contracts

ROOT = Path(__file__).resolve().parents[1]


def test_writer_bound_runs_the_day_and_counts_the_steps_apart(tmp_path: Path) -> None:
    """300 synthetic contracts starting over three days from 2027-01-01: the day's contract
    days are those starting on 2027-01-01 (each runs its first day, nothing else is due), the
    steps' CPU and the writer's time are both spent and add up to the day's wall time."""
    first = date(2027, 1, 1)
    starting = sum(1 for made in synthetic_contracts(300, first, 7, 3)
                   if made.contract.start == first)
    out = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "writer_bound.py"), "--contracts", "300",
         "--db", f"sqlite:///{tmp_path / 'bound.db'}"],
        check=True, capture_output=True, text=True, cwd=ROOT)
    report = json.loads(out.stdout)
    assert 0 < starting < 300
    assert report["contract_days"] == starting
    assert report["actions"] > 0
    assert 0 < report["step_cpu_s"] < report["wall_s"]
    assert report["writer_s"] > 0 and report["floor_s"] > 0
    # three figures, each rounded to the millisecond: at most 1.5 ms apart
    assert abs(report["writer_s"] + report["step_cpu_s"] - report["wall_s"]) <= 0.0016
