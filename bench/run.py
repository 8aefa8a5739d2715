"""Benchmark of the pure core: simulate a synthetic book in memory (no database).

Usage: python bench/run.py [--contracts N] [--days D] [--json]
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from collections import Counter
from datetime import date, timedelta

from termline.compiled import compiled_modules
from termline.devtools.behaviour import customer_responder
from termline.devtools.synthetic import synthetic_book
from termline.domain.engine.simulate import simulate
from termline.domain.registry import bootstrap


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contracts", type=int, default=2000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    first = date(2027, 1, 1)
    book = synthetic_book(args.contracts, first)
    until = first + timedelta(days=args.days - 1)
    started, cpu = time.perf_counter(), time.process_time()
    result = simulate(book.contracts, book.policies, book.events, until,
                      respond=customer_responder(book.behaviours))
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    counts = Counter(a.kind for a in result.actions)
    report = {
        "engine": "pure core, in memory", "contracts": args.contracts, "days": args.days,
        "core": "compiled" if compiled_modules() else "pure",
        "actions": len(result.actions), "invoices": counts["invoice_issued"],
        "wall_s": round(wall, 3), "cpu_s": round(cpu, 3),
        "cpu_us_per_contract_day": round(cpu / (args.contracts * args.days) * 1e6, 2),
        "actions_per_s": round(len(result.actions) / wall, 1),
        "invoices_per_s": round(counts["invoice_issued"] / wall, 1),
        "contract_days_per_s": round(args.contracts * args.days / wall, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    print(json.dumps(report, indent=None if args.json else 2))


if __name__ == "__main__":
    bootstrap()
    main()
