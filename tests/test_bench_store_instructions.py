"""bench/store_instructions.py counts what the pipelined writer spends storing the billing day:
it must store every contract the writer would (those starting on the day), each once."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

from termline.devtools.synthetic import synthetic_contracts

ROOT = Path(__file__).resolve().parents[1]


def test_store_instructions_stores_each_of_the_day_s_due_contracts() -> None:
    """600 synthetic contracts starting over three days from 2027-01-01: the day's due
    contracts are those starting on it, and each of their first days is stored (here timed
    in CPU: callgrind takes minutes)."""
    first = date(2027, 1, 1)
    starting = sum(1 for made in synthetic_contracts(600, first, 7, 3)
                   if made.contract.start == first)
    out = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "store_instructions.py"), "--contracts", "600",
         "--no-valgrind"], check=True, capture_output=True, text=True, cwd=ROOT)
    report = json.loads(out.stdout)
    assert starting > 100
    assert report["contract_days"] == starting
    assert report["cpu_us_per_contract_day"] > 0
