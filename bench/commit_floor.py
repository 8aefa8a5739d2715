"""A year's floor stored as the run stores it: a transaction a batch of a day, no logic.

`termline bench` divides its run's wall time by a floor: the rows the run wrote, inserted again
into an empty copy of the schema in a few transactions of 5,000 rows each, table by table.
The run cannot store that way: it commits each batch of a day's due contracts (500 in the
bench), and each commit writes every page its batch changed, once into SQLite's WAL and once
more at the checkpoint (docs/benchmarks.md, sixteenth round). A contract's rows go into
indexes keyed by contract, so a batch of 500 contracts changes some 500 leaves of each.

This bench replays the rows a bench run left in its SQLite file as the run stored them, with
the same driver and statements as the floor and nothing else: for each day (an action's
`recorded_on`), the contracts that acted that day, by id, in batches of `--batch`; for each
batch one transaction that inserts their actions, invoices, invoice lines, payments,
allocations and documents of the day and writes their run rows (state, cursor, next due).
A row that is not an action takes the day of the action it belongs to (`action_key`); a
payment, the first day of its allocations. No read, no step, no encoding: its time is what
the day-by-day store costs this database, a floor for any engine that commits each batch.

It leaves out what it cannot know from the file, so it is a lower bound: the contract days
that stored no action (their run rows only; a fifth of a year's), the console's kept open
items and totals, and the states' growth (each run row is written with its last state).
The bulk floor (`termline bench`'s `floor_s`) is measured again beside it, alternately.

Usage: python bench/commit_floor.py BOOK.db [--batch 500] [--rounds 1] [--report OUT.json] [--keep]
       [--json]
BOOK.db is the SQLite file of `termline bench --db sqlite:///BOOK.db` (left as it ran).
"""

from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, bindparam, insert, select, update

from termline.adapters.sql import tables as t
from termline.adapters.sql.db import make_engine, upgrade
from termline.adapters.sql.schema import metadata
from termline.devtools.bench import _copy, _floor, fresh_database, remove_sqlite_file

REPLAYED = ("actions", "invoices", "invoice_lines", "payments", "allocations", "documents")
Key = tuple[date, int]  # (day stored, contract)


def rows_by_day(src: Any) -> dict[Key, dict[str, list[dict[str, Any]]]]:
    """Every replayed row of the book, grouped by the day it was stored and its contract."""
    grouped: dict[Key, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    action_day: dict[tuple[int, str], date] = {}
    for row in src.execute(select(t.actions).order_by(t.actions.c.id)).mappings():
        action_day[(row["contract_id"], row["natural_key"])] = row["recorded_on"]
        grouped[(row["recorded_on"], row["contract_id"])]["actions"].append(dict(row))
    invoice_day: dict[tuple[int, str], date] = {}
    for name in ("invoices", "allocations", "documents"):
        table = metadata.tables[name]
        for row in src.execute(select(table).order_by(table.c.id)).mappings():
            day = action_day[(row["contract_id"], row["action_key"])]
            grouped[(day, row["contract_id"])][name].append(dict(row))
            if name == "invoices":
                invoice_day[(row["contract_id"], row["action_key"])] = day
    lines = metadata.tables["invoice_lines"]
    for row in src.execute(select(lines).order_by(lines.c.id)).mappings():
        day = invoice_day[(row["contract_id"], row["invoice_key"])]
        grouped[(day, row["contract_id"])]["invoice_lines"].append(dict(row))
    paid_on: dict[int, date] = {}
    allocations = metadata.tables["allocations"]
    for payment_id, contract_id, key in src.execute(
            select(allocations.c.payment_id, allocations.c.contract_id,
                   allocations.c.action_key).where(allocations.c.payment_id.is_not(None))):
        day = action_day[(contract_id, key)]
        paid_on[payment_id] = min(day, paid_on.get(payment_id, day))
    payments = metadata.tables["payments"]
    for row in src.execute(select(payments).order_by(payments.c.id)).mappings():
        day = paid_on.get(row["id"], row["date"])
        grouped[(day, row["contract_id"])]["payments"].append(dict(row))
    runs = {row[0]: {"cid": row[0], "state": row[1], "cursor": row[2], "next_due": row[3]}
            for row in src.execute(select(t.contract_runs.c.contract_id, t.contract_runs.c.state,
                                          t.contract_runs.c.cursor, t.contract_runs.c.next_due))}
    for (_day, contract), by_table in grouped.items():
        by_table["run"] = [runs[contract]]
    return grouped


def batches(grouped: dict[Key, dict[str, list[dict[str, Any]]]],
            size: int) -> Iterable[list[dict[str, list[dict[str, Any]]]]]:
    """Each day's contracts by id, `size` at a time: the transactions the run would commit."""
    by_day: dict[date, list[int]] = defaultdict(list)
    for day, contract in grouped:
        by_day[day].append(contract)
    for day in sorted(by_day):
        contracts = sorted(by_day[day])
        for start in range(0, len(contracts), size):
            yield [grouped[(day, c)] for c in contracts[start:start + size]]


def commit_floor(book: Path, size: int, keep: bool = False) -> dict[str, Any]:
    """Replay the book's rows a transaction a batch of a day into a fresh copy of the schema
    (`BOOK-commits.db`, removed unless `keep`)."""
    source = make_engine(f"sqlite:///{book}")
    target_path = book.with_name(book.stem + "-commits.db")
    target = make_engine(fresh_database(f"sqlite:///{target_path}", ""))
    upgrade(target)
    run_state = update(t.contract_runs).where(
        t.contract_runs.c.contract_id == bindparam("cid")).values(
        state=bindparam("state"), cursor=bindparam("cursor"), next_due=bindparam("next_due"))
    with source.connect() as src:
        for table in metadata.sorted_tables:
            if table.name not in REPLAYED:
                _copy(src, target, table)
        grouped = rows_by_day(src)
    timed, commits, contract_days = 0.0, 0, len(grouped)
    for batch in batches(grouped, size):
        started = time.perf_counter()
        with target.begin() as conn:
            for name in REPLAYED:
                data = [row for contract in batch for row in contract.get(name, ())]
                if data:
                    conn.execute(insert(metadata.tables[name]), data)
            conn.execute(run_state, [contract["run"][0] for contract in batch])
        timed += time.perf_counter() - started
        commits += 1
    source.dispose()
    target.dispose()
    if not keep:
        remove_sqlite_file(target_path)
    return {"commit_floor_s": round(timed, 3), "commits": commits,
            "contract_days_replayed": contract_days}


def bulk_floor(book: Path, contract_days: int) -> float:
    """`termline bench`'s floor of the same book, measured again now."""
    source: Engine = make_engine(f"sqlite:///{book}")
    try:
        return round(_floor(source, contract_days, None), 3)
    finally:
        source.dispose()
        remove_sqlite_file(book.with_name(book.stem + "-floor.db"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("book", type=Path)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--report", type=Path, help="the bench run's --json output")
    parser.add_argument("--keep", action="store_true", help="keep BOOK-commits.db")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    report = json.loads(args.report.read_text()) if args.report else {}
    stored = int(report.get("contract_days_stored", 0))
    commit_runs, bulk_runs = [], []
    replayed: dict[str, Any] = {}
    for _ in range(args.rounds):
        replayed = commit_floor(args.book, args.batch, args.keep)
        commit_runs.append(replayed["commit_floor_s"])
        bulk_runs.append(bulk_floor(args.book, stored or replayed["contract_days_replayed"]))
    out: dict[str, Any] = {**replayed, "commit_floor_s": min(commit_runs),
                           "commit_floor_runs": commit_runs, "bulk_floor_s": min(bulk_runs),
                           "bulk_floor_runs": bulk_runs,
                           "commit_over_bulk": round(min(commit_runs) / min(bulk_runs), 2)}
    if report:
        wall = float(report["wall_s"])
        out |= {"run_wall_s": wall, "contract_days_stored": stored,
                "run_over_bulk": round(wall / min(bulk_runs), 2),
                "run_over_commit_floor": round(wall / min(commit_runs), 2)}
    if args.json:
        print(json.dumps(out, indent=1))
    else:
        for key, value in out.items():
            print(f"{key:>24}  {value}")


if __name__ == "__main__":
    main()
