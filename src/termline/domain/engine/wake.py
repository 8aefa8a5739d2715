"""The next day on which anything can happen to a contract when no event arrives.

`step` is a pure function of (state, day, events). Between two days on which it acts (emits an
action or changes the state) the state does not move, so a run may step a contract only on its
wake days and on the days its events arrive, and jump over everything else: the store's run
costs what is due, not the number of contracts times the number of days.

Each part of the daily step answers for itself with a *lower bound*: the earliest day after
`day` on which it could act, or None if it never will without an event. Waking early is
harmless (the step just does nothing); waking late would be a bug, which the property tests
check by stepping every pack's scenarios and synthetic books both daily and only on wake days.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, timedelta

from termline.domain.contract.model import EventBase, event_sort_key, received_on
from termline.domain.engine.actions import Action
from termline.domain.engine.extension import mechanisms, soonest
from termline.domain.engine.simulate import Respond, responses
from termline.domain.engine.state import Context, ContractState
from termline.domain.engine.step import step
from termline.domain.errors import StepFailed
from termline.domain.mechanisms.billing.schedule import billing_period, issue_date
from termline.domain.mechanisms.dunning.ladder import step_date
from termline.domain.mechanisms.dunning.run import compensation_date
from termline.domain.mechanisms.retention.data import (
    early_deletion_date,
    export_until,
    scheduled_deletions,
)
from termline.domain.values.money import ZERO

ONE_DAY = timedelta(days=1)


def earliest(after: date, candidates: Iterable[date | None]) -> date | None:
    """The first candidate strictly after `after`.

    Candidates on or before `after` are dropped: the wake is asked right after a step, which
    has done everything due by then; what it left pending waits for an event.
    """
    return soonest(d for d in candidates if d is not None and d > after)


def next_wake(state: ContractState, ctx: Context, day: date) -> date | None:
    """The earliest day after `day` on which `step` could act without an event, or None."""
    if state.status == "pending":
        return max(ctx.contract.start, day + ONE_DAY)
    mechanism_wakes = (m.wake(state, ctx, day) if m.wake is not None else day + ONE_DAY
                       for m in mechanisms())
    return earliest(day, (*_lifecycle(state, ctx), *_billing(state, ctx),
                          *_dunning(state, ctx, day), *_retention(state, ctx, day),
                          *mechanism_wakes))


def _lifecycle(state: ContractState, ctx: Context) -> list[date | None]:
    out: list[date | None] = [r[0] for r in state.seat_reductions]
    if state.status == "trial":
        out.append(state.trial_end)
    if state.status == "active":
        if state.term_end is not None:
            out.append(state.term_end + ONE_DAY)
        if state.notice is not None:
            out.append(state.notice.effective)
    return out


def _billing(state: ContractState, ctx: Context) -> list[date | None]:
    anchor, paid_start = state.billing_anchor, state.paid_start
    if state.status != "active" or anchor is None or paid_start is None:
        return []
    start, _ = billing_period(ctx.policy, anchor, state.next_period_index)
    last = state.notice.effective if state.notice else None
    if last is not None and start > last:
        return []
    return [issue_date(ctx.policy, start, paid_start)]


def _dunning(state: ContractState, ctx: Context, day: date) -> list[date | None]:
    rule = ctx.policy.dunning
    out: list[date | None] = []
    for it in state.items:
        if it.kind != "invoice" or it.open <= ZERO or it.on_hold:
            continue
        out.append(compensation_date(ctx, it))
        if any(s.requires_unpaid_periods for s in rule.steps):
            out.append(it.due + ONE_DAY)  # the periods unpaid in a row count one more
        for index, dstep in enumerate(rule.steps):
            if state.step_date(it.ref, dstep.name) is not None:
                continue
            when = step_date(rule, index, it, state, ctx.calendar)
            # A step already due but not taken waits for its condition (a failed payment): an
            # event, which wakes the contract anyway.
            out.append(when)
    return out


def _retention(state: ContractState, ctx: Context, day: date) -> list[date | None]:
    terminated = state.terminated_on
    if state.status != "terminated" or terminated is None:
        return []
    retention = ctx.policy.retention
    out: list[date | None] = []
    if state.access == "export_only":
        # data deleted (on instruction) closes the export window the next day
        until = day if state.data_deleted else export_until(retention, ctx.calendar, terminated)
        out.append(None if until is None else until + ONE_DAY)
    if not state.data_deleted:
        out.append(state.delete_on)
        if retention.early_deletion is not None:
            out.append(early_deletion_date(retention, ctx.calendar, terminated))
        out += [when for _, when in scheduled_deletions(retention, ctx.calendar, terminated)
                if when > day]
    return out


def step_sparse(state: ContractState, ctx: Context, after: date, until: date,
                events_by_day: Mapping[date, Sequence[EventBase]], respond: Respond | None = None,
                wake: date | None = None) -> Iterator[tuple[date, ContractState, list[Action]]]:
    """Step from the day after `after` up to `until`, only on wake days and event days.

    Yields (day, state after the day, actions) for each day stepped. Each day's events are
    taken in `event_sort_key` order (stable: received order otherwise); `respond` answers the
    day's actions with later events, as in `simulate.run_contract`.

    `wake`: the first wake day, when the caller holds it (a store's run row: the `next_wake`
    of this very state after `after`, stored with it, or an event's day that brought it
    forward), taken instead of computing it again. A day after `after` and on or before the
    wake it stands for: waking early is harmless, the step then does nothing.
    """
    pending = {d: list(todays) for d, todays in events_by_day.items() if d > after}
    days = list(pending)
    heapq.heapify(days)
    day = after
    known = wake if wake is not None and wake > after else None
    while True:
        while days and days[0] <= day:
            heapq.heappop(days)
        try:
            found = earliest(day, (known if known is not None else next_wake(state, ctx, day),
                                   days[0] if days else None))
            known = None
            if found is None or found > until:
                return
            day = found
            state, acts = step(state, ctx, day, sorted(pending.pop(day, ()),
                                                       key=event_sort_key))
        except Exception as exc:
            # whatever the mechanisms cannot handle (a date past 9999, a missing index month,
            # an amount out of range) is named with its contract and day: the store's run sets
            # that one contract aside and runs the others
            raise StepFailed(ctx.contract.id, day, exc) from exc
        yield day, state, acts
        for event in responses(respond, acts, day):
            if event.date not in pending:
                heapq.heappush(days, event.date)
            pending.setdefault(event.date, []).append(event)


def run_contract_sparse(ctx: Context, events: Sequence[EventBase], until: date,
                        respond: Respond | None = None) -> tuple[ContractState, list[Action]]:
    """`simulate.run_contract` stepping only on wake and event days: the same result."""
    by_day: dict[date, list[EventBase]] = {}
    for event in events:
        day = received_on(event, ctx.contract.start)
        if day is not None:
            by_day.setdefault(day, []).append(event)
    final, actions = ContractState(), list[Action]()
    for _, after, acts in step_sparse(final, ctx, ctx.contract.start - ONE_DAY, until, by_day,
                                      respond):
        final = after
        actions += acts
    return final, actions
