"""Four workers run a book while another thread posts payments (issue 8): every payment is
processed exactly once, on both databases, over several rounds of the run moving forward."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func, select

from termline.adapters.sql import tables as t
from termline.adapters.sql.db import make_engine
from termline.adapters.sql.uow import SqlUnitOfWork
from termline.app import intake, views
from termline.app.inputs import parse_event
from termline.domain.contract import load_scenario
from termline.domain.engine import simulate_scenario
from tests.store.books import synthetic_scenario
from tests.store.test_equivalence import termline

TERMLINE = str(Path(sys.executable).parent / "termline")
TENANT = "stress"
ROUNDS = (date(2027, 4, 30), date(2027, 8, 31), date(2027, 12, 31))
PER_ROUND = 70


def _payments(rng: random.Random, starts: dict[str, date], until: date) -> list[dict[str, str]]:
    """Payments dated anywhere from a contract's start to `until`: some land ahead of the
    run's cursor, some behind it (back-dated: the contract is recomputed)."""
    out = []
    for _ in range(PER_ROUND):
        ref = rng.choice(sorted(c for c, s in starts.items() if s <= until))
        span = (until - starts[ref]).days
        day = starts[ref] + timedelta(days=rng.randint(0, span))
        out.append({"date": day.isoformat(), "type": "payment", "contract": ref,
                    "amount": f"{rng.randint(1000, 90000) / 100:.2f}"})
    return out


def test_four_workers_and_a_stream_of_payments_leave_exactly_the_simulation(
        db_url: str, tmp_path: Path) -> None:
    scenario = synthetic_scenario(tmp_path / "book.yaml", 200, ROUNDS[-1], seed=11)
    document = yaml.safe_load(scenario.read_text("utf-8"))
    starts = {c["id"]: date.fromisoformat(str(c["start"])) for c in document["contracts"]}
    termline(db_url, "db", "upgrade")
    termline(db_url, "tenant", "add", TENANT)
    termline(db_url, "import", str(scenario), "--tenant", TENANT)
    engine = make_engine(db_url)
    rng = random.Random(2027)
    posted: list[dict[str, str]] = []
    env = {**os.environ, "TERMLINE_DATABASE_URL": db_url}
    for until in ROUNDS:
        payments = _payments(rng, starts, until)
        failed: list[BaseException] = []

        def post(batch: list[dict[str, str]] = payments,
                 failed: list[BaseException] = failed, before: int = _ledger_size(engine)
                 ) -> None:
            try:
                deadline = time.monotonic() + 60
                while _ledger_size(engine) == before and time.monotonic() < deadline:
                    time.sleep(0.01)  # post while the workers are at work, not before
                for raw in batch:  # one transaction each, as an API would
                    intake.add_events(SqlUnitOfWork(engine), [parse_event(raw)], TENANT)
                    time.sleep(0.01)
            except BaseException as exc:
                failed.append(exc)

        workers = [subprocess.Popen([TERMLINE, "worker", "--until", until.isoformat(),
                                     "--json"], env=env, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True) for _ in range(4)]
        poster = threading.Thread(target=post)
        poster.start()
        for proc in workers:
            _, stderr = proc.communicate(timeout=600)
            assert proc.returncode == 0, stderr
        poster.join(timeout=600)
        assert not failed, failed
        posted += payments
    # payments posted after the last worker finished are run now
    termline(db_url, "run", "--until", ROUNDS[-1].isoformat())

    document["events"] = [*document.get("events", []), *posted]
    full = tmp_path / "full.yaml"
    full.write_text(yaml.safe_dump(document, sort_keys=False), "utf-8")
    expected = simulate_scenario(load_scenario(full)).to_json()
    uow = lambda: SqlUnitOfWork(engine)  # noqa: E731
    stored = views.ledger(uow(), TENANT)
    assert stored["balances"] == expected["balances"]
    assert Counter(map(_canonical, _standing(engine))) \
        == Counter(map(_canonical, expected["actions"]))
    with engine.connect() as conn:  # every payment is one stored event, none twice
        assert conn.execute(select(t.events.c.id).where(t.events.c.type == "payment")) \
            .all().__len__() == len(posted) + sum(
            1 for e in document["events"][: len(document["events"]) - len(posted)]
            if e["type"] == "payment")
    engine.dispose()


def _ledger_size(engine: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(t.actions)).scalar_one())


def _standing(engine: Any) -> list[dict[str, Any]]:
    """The ledger less the actions a back-dated payment corrected, and the corrections."""
    with SqlUnitOfWork(engine) as u:
        out = []
        for stored in u.repo.contracts():
            actions = u.repo.stored_actions(stored.id)
            corrected = {a.body["natural_key"] for a in actions
                         if a.kind == "action_corrected"}
            out += [a.body for a in actions
                    if a.kind != "action_corrected" and a.natural_key not in corrected]
        return out


def _canonical(action: dict[str, Any]) -> str:
    return repr(sorted(action.items()))
