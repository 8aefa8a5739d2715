"""How fast the pipelined run could go with step processes to spare: the single writer alone.

`termline run --jobs N` has one writer (it reads, checks and stores) and N step processes (they
decode, step and encode). On two cores the writer and one step process share the machine; with
more cores the step spreads over more processes and the writer alone bounds the day. This
bench measures that bound on the machine at hand: it runs `app.pipeline.run_pipelined` over a
synthetic book with the steps done in this process, each message pickled and unpickled on the
side that pays for it (the writer pickles the tasks and unpickles the results, as it does with
a real pool), and counts the steps' CPU time apart. What is left is the writer's time: the day
as it would run with a step process always ready. The storage floor of the same rows
(`termline bench`'s) is measured after, so the writer's time can be read as engine/floor.

Usage: python bench/writer_bound.py [--contracts 300000] [--days 1] [--spread 3]
                                    [--db sqlite:///out/writer_bound.db]
"""

from __future__ import annotations

import argparse
import json
import pickle
import time
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from multiprocessing.pool import Pool
from typing import Any, cast

from termline.adapters.sql.db import make_engine, upgrade
from termline.adapters.sql.uow import SqlUnitOfWork
from termline.app.pipeline import run_pipelined
from termline.app.run_parts import RunReport
from termline.devtools import bench
from termline.devtools.synthetic import synthetic_contracts
from termline.domain.registry import bootstrap


class Done:
    """A step's pickled result, unpickled when the writer asks for it (`AsyncResult.get`)."""

    def __init__(self, blobs: list[bytes]) -> None:
        self.blobs = blobs

    def get(self) -> list[Any]:
        return [pickle.loads(blob) for blob in self.blobs]


class InlineSteps:
    """A `multiprocessing.Pool` for `run_pipelined` that steps in this process and keeps the
    steps' CPU time apart (`stepping`): unpickling a task, the step, pickling its result."""

    def __init__(self) -> None:
        self.stepping = 0.0

    def map_async(self, fn: Callable[[Any], Any], tasks: Iterable[Any]) -> Done:
        sent = [pickle.dumps(task, pickle.HIGHEST_PROTOCOL) for task in tasks]  # the writer's
        started = time.process_time()
        blobs = [pickle.dumps(fn(pickle.loads(blob)), pickle.HIGHEST_PROTOCOL) for blob in sent]
        self.stepping += time.process_time() - started
        return Done(blobs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contracts", type=int, default=300_000)
    parser.add_argument("--days", type=int, default=1)
    parser.add_argument("--spread", type=int, default=3)
    parser.add_argument("--db", default="sqlite:///out/writer_bound.db")
    args = parser.parse_args()
    engine = make_engine(bench.fresh_database(args.db, bench.SCHEMA))
    upgrade(engine)
    first = date(2027, 1, 1)
    behaviours = bytearray(args.contracts + 1)
    tenant = bench._load(engine, synthetic_contracts(args.contracts, first, 7, args.spread),
                         behaviours, None)
    steps = InlineSteps()
    totals = RunReport()
    wall = cpu = 0.0
    for i in range(args.days):
        day = first + timedelta(days=i)
        started, used = time.perf_counter(), time.process_time()
        totals.add(run_pipelined(lambda: SqlUnitOfWork(engine), day, cast(Pool, steps), 1,
                                 batch=500))
        wall += time.perf_counter() - started
        cpu += time.process_time() - used
        bench._answer_invoices(engine, tenant, day, behaviours)
    floor = bench._floor(engine, totals.contracts, None)
    writer = wall - steps.stepping
    per = 1e6 / totals.contracts
    print(json.dumps({
        "db": engine.dialect.name, "contracts": args.contracts, "days": args.days,
        "contract_days": totals.contracts, "actions": totals.actions,
        # seconds to the millisecond: a small book's floor is a few of them
        "wall_s": round(wall, 3), "step_cpu_s": round(steps.stepping, 3),
        "writer_s": round(writer, 3), "writer_cpu_s": round(cpu - steps.stepping, 3),
        "floor_s": round(floor, 3), "writer_floor_ratio": round(writer / floor, 2),
        "us_per_contract_day": {"writer": round(writer * per, 1),
                                "step": round(steps.stepping * per, 1),
                                "floor": round(floor * per, 1)}}, indent=2))
    engine.dispose()


if __name__ == "__main__":
    bootstrap()
    main()
