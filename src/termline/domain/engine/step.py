"""One contract, one day: the whole lifecycle as a pure function of state, events and date."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from termline.domain.contract.model import EventBase
from termline.domain.engine.actions import Action, action
from termline.domain.engine.events_run import apply_event
from termline.domain.engine.extension import Mechanism, Phase, mechanisms
from termline.domain.engine.lifecycle import begin, expire_trial_if_due, renew_if_due, terminate
from termline.domain.engine.state import Context, ContractState
from termline.domain.mechanisms.billing.run import apply_seat_reductions, issue_due_invoices
from termline.domain.mechanisms.dunning.run import run_dunning
from termline.domain.mechanisms.retention.data import (
    early_deletion_date,
    export_until,
    scheduled_deletions,
)
from termline.domain.values.money import ZERO
from termline.domain.values.records import replace


def step(state: ContractState, ctx: Context, day: date, events: Iterable[EventBase] = ()
         ) -> tuple[ContractState, list[Action]]:
    """Everything that happens to one contract on `day`, in a fixed order.

    Start of day: first day, renewal, seat reductions. Then the day's events (payments first),
    then what the terms make due (invoices, dunning, data deletion), and at the end of the day
    the trial expiry and a termination that takes effect that day; last, the mechanisms'
    end-of-day phases, on the state the days until the next step keep.
    """
    out: list[Action] = []
    if state.status == "pending":
        if day < ctx.contract.start:
            return state, []
        state, acts = begin(ctx, day)
        out += acts
    start_of_day: tuple[Phase, ...] = (renew_if_due, apply_seat_reductions)
    for phase in start_of_day:
        state, acts = phase(state, ctx, day)
        out += acts
    for event in events:
        state, acts = apply_event(state, ctx, day, event)
        out += acts
    during, last = _extension_phases()
    rest: tuple[Phase, ...] = (issue_due_invoices, run_dunning, *during, delete_data_if_due,
                               expire_trial_if_due, end_if_notice_effective, *last)
    for phase in rest:
        state, acts = phase(state, ctx, day)
        out += acts
    return state, out


_PHASES: list[tuple[tuple[Mechanism, ...], tuple[Phase, ...], tuple[Phase, ...]]] = []


def _extension_phases() -> tuple[tuple[Phase, ...], tuple[Phase, ...]]:
    """The installed mechanisms' phases, those after dunning and those at the end of the day,
    computed once per installed set (step is hot)."""
    installed = mechanisms()
    if not _PHASES or _PHASES[0][0] is not installed:
        _PHASES[:] = [(installed,
                       tuple(phase for mechanism in installed for phase in mechanism.phases),
                       tuple(phase for mechanism in installed for phase in mechanism.end_of_day))]
    return _PHASES[0][1], _PHASES[0][2]


def end_if_notice_effective(state: ContractState, ctx: Context, day: date
                            ) -> tuple[ContractState, list[Action]]:
    notice = state.notice
    if state.status != "active" or notice is None or notice.effective != day:
        return state, []
    reason = "notice" if notice.by == "customer" else "provider_notice"
    no_refund = ctx.policy.termination.no_refund
    clauses = tuple(dict.fromkeys((*notice.clauses, *(no_refund.clause if no_refund else ()))))
    return terminate(state, ctx, day, reason, clauses)


def delete_data_if_due(state: ContractState, ctx: Context, day: date
                       ) -> tuple[ContractState, list[Action]]:
    terminated = state.terminated_on
    if state.status != "terminated" or terminated is None:
        return state, []
    retention = ctx.policy.retention
    if state.access == "export_only":
        until = export_until(retention, ctx.calendar, terminated)
        if state.data_deleted or (until is not None and day > until):
            state = replace(state, access="none")
    if state.data_deleted:
        return state, []
    partial = [action(day, "data_deleted", ctx.contract.id, schedule.clause, data=schedule.name,
                      basis="retention_period_ended")
               for schedule, when in scheduled_deletions(retention, ctx.calendar, terminated)
               if when == day]
    state, out = _delete_all_if_due(state, ctx, day, terminated)
    return state, partial + out


def _delete_all_if_due(state: ContractState, ctx: Context, day: date, terminated: date
                       ) -> tuple[ContractState, list[Action]]:
    retention = ctx.policy.retention
    early = retention.early_deletion
    when = early_deletion_date(retention, ctx.calendar, terminated)
    if early is not None and when is not None:
        overdue = any(it.kind == "invoice" and it.open > ZERO and it.due < day
                      and not it.on_hold for it in state.items)
        if day == when and overdue:
            state = replace(state, data_deleted=True, delete_on=None)
            return state, [action(day, "data_deleted", ctx.contract.id, early.clause,
                                  basis="unpaid_invoices")]
    if state.delete_on == day:
        state = replace(state, data_deleted=True, delete_on=None)
        return state, [action(day, "data_deleted", ctx.contract.id, retention.deletion.clause,
                              basis="retention_period_ended")]
    return state, []
