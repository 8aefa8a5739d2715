"""bench/store_instructions.py counts what the pipelined writer spends storing the billing day:
it must store every contract the writer would (those starting on the day), each once."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.test_bench_step_instructions import ROOT, bench_report, starting_on_the_first_day


def test_store_instructions_stores_each_of_the_day_s_due_contracts() -> None:
    """600 synthetic contracts starting over three days from 2027-01-01: the day's due
    contracts are those starting on it, and each of their first days is stored."""
    starting = starting_on_the_first_day(600)
    report = bench_report("store_instructions.py", "--contracts", "600")
    assert starting > 100
    assert report["contract_days"] == starting
    assert report["cpu_us_per_contract_day"] > 0


def test_store_pages_names_the_table_or_index_of_every_page_the_day_wrote() -> None:
    """bench/store_pages.py on the same billing day: every due contract stored once, and each
    page the commits wrote to the WAL counted under its table or index (or the free list).
    Each contract starts that day, so its run row moves from pending to active and both
    status indexes are written, besides the run rows, the actions and the invoices."""
    starting = starting_on_the_first_day(600)
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "store_pages.py"),
                          "--contracts", "600", "--json"],
                         check=True, capture_output=True, text=True, cwd=ROOT)
    report = json.loads(out.stdout)
    assert report["contract_days"] == starting
    by_name = report["by_table_or_index"]
    assert sum(by_name.values()) == report["pages"]
    assert {"contract_runs", "ix_contract_runs_tenant_id_status_access",
            "ix_contract_runs_tenant_id_status_contract_id", "actions", "invoices"} <= set(by_name)
