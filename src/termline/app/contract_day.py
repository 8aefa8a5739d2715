"""A claimed contract's next day that acts, from its stored state and events: the pure part of
the daily run (`app.run`), with the actions keyed for the ledger.

Apart from the run's batch loop so that it compiles with the pure core
(`[tool.termline.compiled]`); `app.run` stays interpreted, so that a caller (bench/phases.py)
can still time `run.next_day` by replacing it there.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import Protocol

from mypy_extensions import mypyc_attr

from termline.adapters.sql.ledger_keys import keyed_bodies
from termline.adapters.sql.store_records import (
    NEVER,
    NewAction,
    RunState,
    StoredEvent,
    Unreadable,
)
from termline.domain.contract.model import event_sort_key, received_on
from termline.domain.engine.actions import Action
from termline.domain.engine.state import Context
from termline.domain.engine.wake import next_wake, step_sparse
from termline.domain.errors import TermlineError


class DayCount(Protocol):
    """What `next_day` counts in: the days it steps (`app.run.RunReport`)."""

    days: int


@mypyc_attr(native_class=False)  # mypyc: its base, TermlineError, is an interpreted class
class UnreadableEvent(TermlineError):
    """A stored event that no longer validates: its contract cannot run past its date."""

    def __init__(self, event_id: int, day: date, problem: str) -> None:
        self.day = day
        self.event_ids = [event_id]
        super().__init__(f"stored event {event_id} of {day} is not valid: {problem}")


def next_day(ctx: Context, old: RunState, events: Sequence[StoredEvent], until: date,
             report: DayCount, horizon: date | None = None
             ) -> tuple[RunState, list[NewAction]]:
    """The contract's next day that acts (or every day to `until` if none does): its state,
    and its actions keyed for the ledger."""
    new, acts, cause = acted_day(ctx, old, events, until, report, horizon)
    return new, keyed(acts, new.cursor, cause)


def keyed(acts: Sequence[Action], cursor: date, cause: tuple[int, ...],
          keys: Sequence[tuple[str, str]] | None = None) -> list[NewAction]:
    """A day's actions as the ledger appends them: each with its natural key and JSON body
    (`keys`, when a step process made them: `keyed_bodies`), caused by the events of `cause`
    (their ids)."""
    made = keyed_bodies(acts) if keys is None else keys
    return [NewAction(a, key, cursor, cause, body)
            for a, (key, body) in zip(acts, made, strict=True)]


def acted_day(ctx: Context, old: RunState, events: Sequence[StoredEvent], until: date,
              report: DayCount, horizon: date | None = None
              ) -> tuple[RunState, list[Action], tuple[int, ...]]:
    """`next_day` before its actions are keyed: the new run state, the day's actions and the
    ids of the events that caused them. The pipelined run steps here and keys in its writer.

    Days on which nothing happens are jumped over (`engine.wake`); a stepped day without
    actions (a state change only) is folded into the next day that acts.
    """
    # an event the run cannot read anywhere up to the run's horizon (not only the day bound of
    # a run a day at a time) sets the contract aside before it steps: nothing it would do
    # before that event's day can be trusted to stand once the event is corrected
    last = max(until, horizon) if horizon is not None else until
    unreadable = [(e.id, e.event) for e in events
                  if isinstance(e.event, Unreadable) and e.event.date <= last]
    if unreadable:
        event_id, first = min(unreadable, key=lambda found: found[1].date)
        raise UnreadableEvent(event_id, first.date, first.problem)
    by_day: dict[date, list[StoredEvent]] = defaultdict(list)
    for stored in events:
        # each on the day the contract takes it: a list price dated before the start, on the
        # start day (the store reads it while the contract has not run its start day)
        day = stored.event.date if isinstance(stored.event, Unreadable) \
            else received_on(stored.event, ctx.contract.start)
        if day is not None:
            by_day[day].append(stored)
    for todays in by_day.values():
        # an unreadable event past the day bound (a run a day at a time) is only a wake day
        # here: it raises when its own day is run, above
        todays.sort(key=lambda e: (e.event.date,) if isinstance(e.event, Unreadable)
                    else event_sort_key(e.event))
    # (an unreadable event up to `until` raised above: those stepped are all read)
    inputs = {d: [e.event for e in todays if not isinstance(e.event, Unreadable)]
              for d, todays in by_day.items() if d <= until}
    state, cursor = old.state, max(old.cursor, until)  # every day to `until` is run...
    acts: list[Action] = []
    # the run row's next day due is the wake the last stored day computed for this state
    # (or an event's day, earlier): the first wake is not computed again
    for day, after, acts in step_sparse(old.state, ctx, old.cursor, until, inputs,
                                        wake=old.next_due):
        state = after
        report.days += 1
        if acts or day in inputs:
            cursor = day  # ...unless a day acts: it is stored alone, the rest comes next
            break
    later = [d for d in by_day if d > cursor]
    next_due = min([d for d in (next_wake(state, ctx, cursor), *later) if d is not None],
                   default=NEVER)
    cause = tuple(e.id for e in by_day.get(cursor, ())) if cursor > old.cursor else ()
    return RunState(old.contract_id, state, cursor, next_due, None,
                    old.action_count + len(acts)), acts, cause
