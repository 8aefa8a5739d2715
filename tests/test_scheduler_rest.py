"""The scheduler yields under a stream of events (`app.scheduler`, issue 18's throughput): a
pass during which the bell rang again (events arrived meanwhile) is followed by a rest of
`REST` (2) times its duration, at most `MAX_REST` (1 s); a pass nobody rang during is
followed by none, so a single event on a quiet server is run at once. The clock, the bell
and the stop event are stand-ins: nothing here sleeps."""

from __future__ import annotations

from datetime import UTC, datetime

from termline.app import scheduler as module
from termline.app.run_parts import RunReport
from termline.app.scheduler import Scheduler


class Flag:
    """A stand-in for a threading.Event that never blocks: each wait is recorded in `log`;
    waiting on an unset bell stands for the next event's ring arriving (it returns set)."""

    def __init__(self, name: str, log: list[tuple[str, float]], rings_when_waited: bool
                 ) -> None:
        self.name, self.log, self.rings = name, log, rings_when_waited
        self.flag = False

    def wait(self, timeout: float | None = None) -> bool:
        self.log.append((self.name, round(float(timeout or 0), 6)))
        if self.rings:
            self.flag = True
        return self.flag

    def is_set(self) -> bool:
        return self.flag

    def set(self) -> None:
        self.flag = True

    def clear(self) -> None:
        self.flag = False


def _run(passes: list[tuple[float, bool]]) -> list[tuple[str, float]]:
    """Passes of (duration in seconds, rung during it); the waits between them, in order."""
    now = [100.0]
    scheduler = Scheduler(lambda: None,  # type: ignore[arg-type, return-value]
                          lambda: datetime(2027, 1, 1, tzinfo=UTC), poll=30)
    scheduler.timer = lambda: now[0]
    log: list[tuple[str, float]] = []
    scheduler._stop = Flag("rest", log, False)  # type: ignore[assignment]
    scheduler._bell = Flag("bell", log, True)  # type: ignore[assignment]
    todo = list(passes)

    def run_pass() -> RunReport:
        duration, rung = todo.pop(0)
        now[0] += duration
        if rung:
            scheduler.wake()
        if not todo:
            scheduler.stop()
        return RunReport()

    scheduler.run_pass = run_pass  # type: ignore[method-assign]
    scheduler.run_forever()
    return log


def test_a_pass_rung_while_it_ran_rests_twice_its_duration() -> None:
    assert (module.REST, module.MAX_REST) == (2.0, 1.0)
    # 0.1 s rung during it: a rest of 0.2 s, then the bell (set: no wait for the poll);
    # a quiet 0.05 s pass: no rest, the bell waited on with the poll (30 s) until a ring;
    # the last pass stops: no rest
    assert _run([(0.1, True), (0.05, False), (0.05, False)]) == [
        ("rest", 0.2), ("bell", 30.0), ("bell", 30.0), ("bell", 30.0)]


def test_the_rest_is_at_most_one_second() -> None:
    # a 0.8 s pass rung during it would rest 1.6 s: one second
    assert _run([(0.8, True), (0.05, False)]) == [
        ("rest", 1.0), ("bell", 30.0), ("bell", 30.0)]
