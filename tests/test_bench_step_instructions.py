"""bench/step_instructions.py counts what a step process spends on the billing day: it must
hand the step the contracts the pipelined writer would (those starting on the day) and step
every one past the warm-up."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

from termline.devtools.synthetic import synthetic_contracts

ROOT = Path(__file__).resolve().parents[1]


def starting_on_the_first_day(contracts: int) -> int:
    """How many of the bench's synthetic contracts (spread over three days from 2027-01-01)
    start, and are due, on the first."""
    first = date(2027, 1, 1)
    return sum(1 for made in synthetic_contracts(contracts, first, 7, 3)
               if made.contract.start == first)


def bench_report(script: str, *args: str) -> dict[str, Any]:
    """What a bench of bench/ prints, run in CPU time (callgrind takes minutes)."""
    out = subprocess.run([sys.executable, str(ROOT / "bench" / script), *args, "--no-valgrind"],
                         check=True, capture_output=True, text=True, cwd=ROOT)
    return dict(json.loads(out.stdout))


def test_step_instructions_steps_the_day_s_due_contracts_past_the_warm_up(tmp_path: Path
                                                                           ) -> None:
    """600 synthetic contracts starting over three days from 2027-01-01: the day's due
    contracts are those starting on it; the first 100 warm up, the rest are counted."""
    starting = starting_on_the_first_day(600)
    report = bench_report("step_instructions.py", "--contracts", "600",
                          "--db", f"sqlite:///{tmp_path / 'steps.db'}")
    assert starting > 100
    assert report["contract_days"] == starting - 100
    assert report["cpu_us_per_contract_day"] > 0


def test_step_instructions_refuses_a_book_too_small_to_count(tmp_path: Path) -> None:
    """Fewer due contracts than the warm-up: a clear error, no figure."""
    out = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "step_instructions.py"), "--contracts", "150",
         "--db", f"sqlite:///{tmp_path / 'steps.db'}", "--no-valgrind"],
        capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 1
    assert "contract days due: give more than 300 contracts" in out.stderr
    assert out.stdout == ""
