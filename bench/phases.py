"""Where a billing day's time goes, phase by phase: CPU time around each phase of `service.run`.

Loads a synthetic book (`termline.devtools.bench`'s loader, a third of it starting on 2027-01-01),
runs that day in this process with timers around the claim, the events, the contexts, the pure
step (`next_day`), the save and the ledger with its projection (`add_days`), and prints µs of
CPU per stored contract day for each, with the day's wall and CPU time.

Usage: python bench/phases.py [--contracts 30000] [--db sqlite:///out/phases.db]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from datetime import date
from typing import Any

import termline.app.run as service
from termline.adapters.sql.db import make_engine, upgrade
from termline.adapters.sql.repository import Repository
from termline.adapters.sql.uow import SqlUnitOfWork
from termline.devtools import bench
from termline.devtools.synthetic import synthetic_contracts
from termline.domain.registry import bootstrap

SPENT: dict[str, float] = {}


def timed(owner: Any, name: str) -> None:
    original: Callable[..., Any] = getattr(owner, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.process_time()
        try:
            return original(*args, **kwargs)
        finally:
            SPENT[name] = SPENT.get(name, 0.0) + time.process_time() - started

    setattr(owner, name, wrapper)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contracts", type=int, default=30_000)
    parser.add_argument("--db", default="sqlite:///out/phases.db")
    args = parser.parse_args()
    for name in ("next_day", "context"):
        timed(service, name)
    for name in ("claim", "events_after", "save_runs", "add_days"):
        timed(Repository, name)
    engine = make_engine(bench.fresh_database(args.db, bench.SCHEMA))
    upgrade(engine)
    day = date(2027, 1, 1)
    bench._load(engine, synthetic_contracts(args.contracts, day, 7, 3),
                bytearray(args.contracts + 1), None)
    wall, cpu = time.perf_counter(), time.process_time()
    report = service.run(lambda: SqlUnitOfWork(engine), day, batch=500)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    per = 1e6 / report.contracts
    print(f"{engine.dialect.name}: {report.contracts:,} contract days, {report.actions:,} "
          f"actions; wall {wall * per:.0f} µs, CPU {cpu * per:.0f} µs a contract day")
    for name, spent in SPENT.items():
        print(f"  {name:14} {spent * per:6.1f} µs")
    print(f"  {'the rest':14} {(cpu - sum(SPENT.values())) * per:6.1f} µs")
    engine.dispose()


if __name__ == "__main__":
    bootstrap()
    main()
