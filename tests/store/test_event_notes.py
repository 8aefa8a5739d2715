"""The service's event notes taken by several runs at once (issue 18, `Runs.take_notes`):
while requests append notes, two takers drain them on both databases; every note is taken
exactly once and each contract ends due by its earliest note, with no deadlock between the
takers (each locks the run rows in contract order)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from tests.contract.test_repositories import _at_february_end, book

NOTES = 240
CONTRACTS = 12
FIRST = date(2027, 1, 4)  # the contracts' start (`tests.contract.test_repositories.contract`)


def _day(i: int) -> date:
    """The note's day: spread over the contract's first 40 days, the earliest by i % 7 == 3."""
    return FIRST + timedelta(days=10 + (i * 7) % 31)


def test_two_takers_and_a_writer_take_every_note_once(uow: Callable[[], Any]) -> None:
    tenant, ids = book(uow, *(f"c{n:02d}" for n in range(CONTRACTS)))
    with uow() as u:
        _at_february_end(u, *ids)  # each run through 2027-02-28: every note is back-dated
        u.commit()
    taken: list[int] = []
    failed: list[BaseException] = []
    writing = threading.Event()
    writing.set()

    def write() -> None:
        try:
            for i in range(NOTES):
                with uow() as u:
                    u.runs.defer_note(tenant, ids[i % CONTRACTS], _day(i))
                    u.commit()
        except BaseException as exc:
            failed.append(exc)
        finally:
            writing.clear()

    def take() -> None:
        try:
            while True:
                still = writing.is_set()
                with uow() as u:
                    got = u.runs.take_notes()
                    u.commit()
                taken.append(got)
                if not still and got == 0:
                    return
        except BaseException as exc:
            failed.append(exc)

    threads = [threading.Thread(target=f) for f in (write, take, take)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failed, failed
    assert sum(taken) == NOTES
    earliest: dict[int, date] = {}
    for i in range(NOTES):
        cid = ids[i % CONTRACTS]
        earliest[cid] = min(_day(i), earliest.get(cid, _day(i)))
    with uow() as u:
        assert u.runs.take_notes() == 0
        runs = [u.runs.run_state(cid) for cid in ids]
    assert {r.contract_id: r.next_due for r in runs} == earliest
    assert {r.contract_id: r.recompute_from for r in runs} == earliest
    assert min(earliest.values()) == FIRST + timedelta(days=10)
