"""The scheduler: each tenant's book run up to the tenant's local today, again and again.

A pass runs every tenant whose contracts are due by its local date (the clock is injected), so
a tenant's day is run as soon as it begins in its time zone, and an event the API stores for
today or earlier (which brings its contract's `next_due` forward) is run at the next pass:
passes follow each other every `poll` seconds, or at once when `wake` is rung (the API rings it
after storing an event). Once a tenant's day is run, its renewal reminders for that day are
written (`service.reminders`), at every pass for the contracts whose state changed or that
are new since the last. `stop` lets the batch in hand finish and claims nothing more.

Under a stream of events the scheduler yields: when the bell rang again while a pass ran
(events arrived meanwhile), the next pass waits `rest` times as long as that pass took (at
most `MAX_REST` seconds), so the API's requests get the process (the GIL) for most of the
time and one pass then applies the events of many requests (a contract's day is replayed once
for all its new events). A single event on a quiet server is still run at once.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from termline.app.ports import UowFactory
from termline.app.reminders import due_reminders
from termline.app.run import _Caches, advance_batch, take_notes
from termline.app.run_parts import RunReport

log = logging.getLogger("termline.scheduler")
Clock = Callable[[], datetime]
REST = 2.0  # under load, a pass is followed by a rest of this many times its duration
MAX_REST = 1.0  # seconds: events wait at most about this long past the running pass


class Scheduler:
    def __init__(self, uow_factory: UowFactory, clock: Clock, *, poll: float = 1.0,
                 batch: int = 50, after_pass: Callable[[RunReport], None] | None = None,
                 leader: Callable[[], bool] | None = None, rest: float = REST) -> None:
        self.uow_factory = uow_factory
        self.clock = clock
        self.poll = poll
        self.batch = batch
        self.after_pass = after_pass
        self.leader = leader  # None: always this process (`app.leader` for several)
        self.leading = leader is None  # as of the last pass: does this process run the book?
        self.rest = rest
        self.timer: Callable[[], float] = time.monotonic  # how long a pass took
        self._stop = threading.Event()
        self._bell = threading.Event()
        # contract id -> what its reminders were last computed from (`due_reminders`)
        self._checked: dict[int, tuple[object, ...]] = {}

    def wake(self) -> None:
        self._bell.set()

    def stop(self) -> None:
        self._stop.set()
        self._bell.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def today_by_tenant(self) -> dict[int, date]:
        now = self.clock()
        with self.uow_factory() as uow:
            return {tn.id: now.astimezone(ZoneInfo(tn.timezone)).date()
                    for tn in uow.repo.tenants()}

    def run_pass(self) -> RunReport:
        """Every tenant up to its local today; stops between batches when asked to."""
        report = RunReport()
        caches = _Caches()
        today = self.today_by_tenant()
        take_notes(self.uow_factory)  # the events the API stored since the last pass
        with self.uow_factory() as uow:
            tenants = [tn for tn in uow.repo.tenants() if tn.id in today]
            due = {tn.id: uow.repo.count_due(tn.id, today[tn.id]) for tn in tenants}
            behind = {tn.id for tn in tenants
                      if (uow.repo.run_through(tn.id) or date.min) < today[tn.id]}
        for tn in tenants:
            day = today[tn.id]
            while due[tn.id] or tn.id in behind:
                if self.stopping or advance_batch(self.uow_factory, tn, day, report, caches,
                                                  self.batch) is None:
                    break
            if self.stopping:
                break
            caught_up = True
            if due[tn.id] or tn.id in behind:
                with self.uow_factory() as uow:
                    caught_up = uow.repo.count_due(tn.id, day) == 0
                    if caught_up:
                        uow.repo.record_run(tn.id, day)
                        uow.commit()
            if caught_up:  # every pass: a contract added since the last one is looked at
                due_reminders(self.uow_factory, tn, day, self._checked)
        return report

    def run_forever(self) -> None:
        while not self.stopping:
            self._bell.clear()
            try:
                if self.leader is not None:
                    self.leading = self.leader()
                    if not self.leading:
                        self._bell.wait(self.poll)  # another process runs the book
                        continue
                began = self.timer()
                report = self.run_pass()
                if self.after_pass is not None:
                    self.after_pass(report)
                if self._bell.is_set() and self.rest > 0 and not self.stopping:
                    # rung during the pass: events are arriving, leave the requests the
                    # process for a while; the next pass takes all of them (`stop` ends it)
                    self._stop.wait(min(MAX_REST, self.rest * (self.timer() - began)))
            except Exception:  # one failed pass must not stop the service: log, try again
                log.exception("scheduler pass failed")
            self._bell.wait(self.poll)
