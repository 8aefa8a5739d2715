"""Exactly once under concurrency and crashes (issue 4): two `termline worker` processes at
once, and a `termline run` killed with SIGKILL at random moments, leave exactly the ledger
`simulate` computes: no invoice, reminder or fee twice, none skipped."""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

from sqlalchemy import func, select

from termline.adapters.sql import tables as t
from termline.adapters.sql.db import make_engine, upgrade
from termline.adapters.sql.uow import SqlUnitOfWork
from tests.store.books import synthetic_scenario
from tests.store.conftest import workers_at_once
from tests.store.test_equivalence import termline

TERMLINE = str(Path(sys.executable).parent / "termline")
UNTIL = date(2028, 3, 31)


def _start(db_url: str, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "TERMLINE_DATABASE_URL": db_url}
    return subprocess.Popen([TERMLINE, *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


@contextlib.contextmanager
def _ledger_size(db_url: str) -> Iterator[Callable[[], int]]:
    """How many actions are stored now, read on one connection kept for the test."""
    engine = make_engine(db_url)

    def count() -> int:
        with engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(t.actions)).scalar_one())

    try:
        yield count
    finally:
        engine.dispose()


def _expect_simulation(db_url: str, scenario: Path) -> None:
    expected = termline(db_url, "simulate", str(scenario), "--format", "json", "--until",
                        UNTIL.isoformat())
    assert termline(db_url, "ledger", "--format", "json") == expected
    again = json.loads(termline(db_url, "run", "--until", UNTIL.isoformat(), "--json"))
    assert (again["actions"], again["contracts"]) == (0, 0)


def test_two_workers_at_once_store_each_action_exactly_once(db_url: str,
                                                            tmp_path: Path) -> None:
    """Two workers run the same book at the same time (PostgreSQL: each claims its contracts
    FOR UPDATE SKIP LOCKED; SQLite: they take turns at the write lock). The ledger is exactly
    `simulate`'s, and the actions the two report add up to it."""
    scenario = synthetic_scenario(tmp_path / "book.yaml", 120, UNTIL)
    termline(db_url, "db", "upgrade")
    termline(db_url, "tenant", "add", "default")
    termline(db_url, "import", str(scenario))
    # a run takes the book a day at a time (issue 17: legal numbers in issue-date order), so
    # workers share the contracts of one day; claims of one contract let both find work on a
    # book of a few contracts a day (the default batch would take a whole day at once)
    reports = workers_at_once(db_url, UNTIL, batch=1)  # on PostgreSQL both share the work
    with _ledger_size(db_url) as stored_actions:
        assert sum(r["actions"] for r in reports) == stored_actions()
    if db_url.startswith("postgresql"):
        assert sum(r["conflicts"] for r in reports) == 0  # SKIP LOCKED: nobody collided
    _expect_simulation(db_url, scenario)


def test_a_run_killed_at_random_moments_resumes_with_nothing_lost_or_doubled(
        db_url: str, tmp_path: Path) -> None:
    """`termline run --batch 1` (one transaction per contract day) is killed with SIGKILL at
    random moments while it stores; the next run picks up where it stopped and the ledger ends
    exactly as `simulate` computes it."""
    scenario = synthetic_scenario(tmp_path / "book.yaml", 120, UNTIL)
    termline(db_url, "db", "upgrade")
    termline(db_url, "tenant", "add", "default")
    termline(db_url, "import", str(scenario))
    total = len(json.loads(termline(db_url, "simulate", str(scenario), "--format", "json",
                                    "--until", UNTIL.isoformat()))["actions"])
    rng = random.Random(20261122)
    kills, seen = 0, []
    with _ledger_size(db_url) as stored_actions:
        for _ in range(4):
            before = stored_actions()
            # a random point in the first third of what is left to store
            kill_at = before + rng.randint(1, max(1, (total - before) // 3))
            proc = _start(db_url, "run", "--until", UNTIL.isoformat(), "--json",
                          "--batch", "1")
            deadline = time.monotonic() + 120
            while stored_actions() < kill_at and proc.poll() is None \
                    and time.monotonic() < deadline:
                time.sleep(0.005)
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                kills += 1
            proc.communicate(timeout=60)
            seen.append(stored_actions())
    assert kills >= 2, f"the runs ended before they could be killed: {seen}"
    assert seen == sorted(seen)  # the ledger only grows
    termline(db_url, "run", "--until", UNTIL.isoformat())
    _expect_simulation(db_url, scenario)


def test_workers_finishing_together_both_record_the_run(db_url: str) -> None:
    """Two workers that finish a tenant's day at the same moment both record how far the book
    is run (`tenant_runs`): the second waits for the first and neither fails (a unique
    violation here once stopped the 100,000-contract year benchmark on PostgreSQL)."""
    engine = make_engine(db_url)
    upgrade(engine)
    with SqlUnitOfWork(engine) as uow:
        tenant = uow.repo.add_tenant("t", "Europe/Brussels", {})
        uow.commit()
    first = SqlUnitOfWork(engine).__enter__()
    first.repo.record_run(tenant, date(2027, 1, 1))  # inserted, not committed yet
    errors: list[BaseException] = []

    def second() -> None:
        try:
            with SqlUnitOfWork(engine) as uow:
                uow.repo.record_run(tenant, date(2027, 1, 2))
                uow.commit()
        except BaseException as exc:
            errors.append(exc)

    other = threading.Thread(target=second)
    other.start()
    time.sleep(0.5)  # the second worker is now waiting on the first one's row or lock
    first.commit()
    first.__exit__(None, None, None)
    other.join(timeout=30)
    assert errors == []
    with SqlUnitOfWork(engine) as uow:
        assert uow.repo.run_through(tenant) == date(2027, 1, 2)
    engine.dispose()
