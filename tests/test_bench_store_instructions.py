"""bench/store_instructions.py counts what the pipelined writer spends storing the billing day:
it must store every contract the writer would (those starting on the day), each once."""

from __future__ import annotations

from tests.test_bench_step_instructions import bench_report, starting_on_the_first_day


def test_store_instructions_stores_each_of_the_day_s_due_contracts() -> None:
    """600 synthetic contracts starting over three days from 2027-01-01: the day's due
    contracts are those starting on it, and each of their first days is stored."""
    starting = starting_on_the_first_day(600)
    report = bench_report("store_instructions.py", "--contracts", "600")
    assert starting > 100
    assert report["contract_days"] == starting
    assert report["cpu_us_per_contract_day"] > 0
