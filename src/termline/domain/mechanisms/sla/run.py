"""The sla mechanism in the daily step: incidents, maintenance announcements, window ends."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from termline.domain.contract.model import BROADCAST, EventBase, MaintenanceAnnounced
from termline.domain.contract.model import Incident as IncidentEvent
from termline.domain.engine.actions import Action, action
from termline.domain.engine.events_run import refuse
from termline.domain.engine.extension import Handler, Mechanism
from termline.domain.engine.state import Context, ContractState
from termline.domain.mechanisms.billing.run import credit_total, lines_in_force
from termline.domain.mechanisms.billing.schedule import months_in
from termline.domain.mechanisms.payments.run import receive_payment
from termline.domain.mechanisms.sla.availability import (
    Window,
    credit_amount,
    measure,
    minutes_text,
    window_containing,
)
from termline.domain.mechanisms.sla.fees import fee_for_month, monthly_fee
from termline.domain.mechanisms.sla.maintenance import within_window
from termline.domain.mechanisms.sla.rules import AvailabilityRule, SlaRule
from termline.domain.mechanisms.sla.state import Incident, Maintenance, SlaState
from termline.domain.values.money import ZERO
from termline.domain.values.records import replace


def _in_service(state: ContractState, rule: SlaRule) -> bool:
    """The provider owes the service: an active contract, or a trial unless the pack exempts it."""
    if state.status == "active":
        return True
    return state.status == "trial" and rule.trial_exempt is None


def _not_applicable(state: ContractState, ctx: Context, day: date, event: EventBase, reason: str,
                    clauses: tuple[str, ...]) -> tuple[ContractState, list[Action]]:
    """A broadcast event that does not concern this contract passes silently; an event
    addressed to it is refused with the reason."""
    if event.contract == BROADCAST:
        return state, []
    return state, refuse(ctx, day, event.type, reason, clauses)


def _status_reason(state: ContractState, rule: SlaRule) -> tuple[str, tuple[str, ...]]:
    if state.status == "trial" and rule.trial_exempt is not None:
        return "no provider obligations during the trial", rule.trial_exempt.clause
    return f"contract is {state.status}", rule.clause


def on_incident(state: ContractState, ctx: Context, day: date, event: EventBase
                ) -> tuple[ContractState, list[Action]]:
    assert isinstance(event, IncidentEvent)
    sla = ctx.policy.sla
    rule = sla.availability if sla is not None else None
    if sla is None or rule is None:
        return _not_applicable(state, ctx, day, event, "the terms set no availability level", ())
    if not _in_service(state, sla):
        reason, clauses = _status_reason(state, sla)
        return _not_applicable(state, ctx, day, event, reason, clauses)
    start, end, reported = event.start, event.end, event.reported_at
    if end <= start:
        return state, refuse(ctx, day, event.type, "the incident ends before it starts",
                             rule.clause)
    counted_from = start if rule.counted_from == "start" else max(start, reported)
    counted_from = min(counted_from, end)
    tz = ZoneInfo(ctx.policy.timezone)
    fields: dict[str, Any] = {"start": start.isoformat(), "end": end.isoformat(),
                              "counted_from": counted_from.isoformat()}
    clauses = rule.clause
    in_time = True
    claim = rule.credit.claim_within if rule.credit is not None else None
    if claim is not None and rule.credit is not None:
        until = ctx.calendar.add(start.astimezone(tz).date(), claim)
        in_time = reported.astimezone(tz).date() <= until
        fields.update(claim_until=until, claimed_in_time=in_time)
        clauses = tuple(dict.fromkeys((*clauses, *rule.credit.clause)))
    fields["unavailable_minutes"] = minutes_text(end - counted_from)
    incident = Incident(counted_from, end, in_time)
    state = replace(state, sla=replace(state.sla, incidents=(*state.sla.incidents, incident)))
    out = [action(day, "incident_recorded", ctx.contract.id, clauses, **fields)]
    # An incident reported after its window was measured revises that window's figures.
    for window in _windows(counted_from, end, tz, rule):
        if window.label in state.sla.measured and window.last < day:
            state, acts = _close_window(state, ctx, day, rule, window, revised=True)
            out += acts
    return state, out


def _windows(start: datetime, end: datetime, tz: ZoneInfo, rule: AvailabilityRule
             ) -> list[Window]:
    out: list[Window] = []
    window = window_containing(start.astimezone(tz).date(), rule.window)
    last = end.astimezone(tz).date()
    while window.first <= last:
        out.append(window)
        window = window_containing(window.last + timedelta(days=1), rule.window)
    return out


def on_maintenance(state: ContractState, ctx: Context, day: date, event: EventBase
                   ) -> tuple[ContractState, list[Action]]:
    assert isinstance(event, MaintenanceAnnounced)
    sla = ctx.policy.sla
    rule = sla.maintenance if sla is not None else None
    if sla is None or rule is None:
        return _not_applicable(state, ctx, day, event, "the terms set no maintenance rules", ())
    if not _in_service(state, sla):
        reason, clauses = _status_reason(state, sla)
        return _not_applicable(state, ctx, day, event, reason, clauses)
    start, end = event.start, event.end
    if end <= start:
        return state, refuse(ctx, day, event.type, "the maintenance ends before it starts",
                             rule.clause)
    tz = ZoneInfo(rule.window.timezone if rule.window is not None else ctx.policy.timezone)
    announced = event.announced_at or datetime.combine(day, time(0), ZoneInfo(ctx.policy.timezone))
    klass = event.class_
    lead = rule.notice.lead(klass) if rule.notice is not None else None
    announce_by = lead.before(start.astimezone(tz)) if lead is not None else None
    compliant = announce_by is None or announced <= announce_by
    in_window = (within_window(start, end, rule.window, ctx.calendar)
                 if rule.window is not None else None)
    clauses = rule.clause
    if rule.window is not None:
        clauses = tuple(dict.fromkeys((*clauses, *rule.window.clause)))
    out = [action(day, "maintenance_scheduled", ctx.contract.id, clauses, maintenance_class=klass,
                  start=start.isoformat(), end=end.isoformat(),
                  announced_at=announced.isoformat(), in_window=in_window,
                  required_notice=str(lead) if lead is not None else None,
                  notice_ok=compliant)]
    if not compliant and announce_by is not None:
        out.append(action(day, "maintenance_notice_violation", ctx.contract.id, rule.clause,
                          maintenance_class=klass, start=start.isoformat(),
                          announced_at=announced.isoformat(), required_notice=str(lead),
                          announce_by=announce_by.isoformat()))
    kept = Maintenance(start, end, compliant)
    state = replace(state, sla=replace(state.sla, maintenance=(*state.sla.maintenance, kept)))
    return state, out


def daily(state: ContractState, ctx: Context, day: date) -> tuple[ContractState, list[Action]]:
    sla = ctx.policy.sla
    rule = sla.availability if sla is not None else None
    if sla is None or rule is None:
        return state, []
    owed = _in_service(state, sla)
    if state.sla.carried == day and not owed:
        # set ahead for today on yesterday's closing state (`carry`), but today's events or
        # phases ended the service before this phase: today decides, as it always did
        state = replace(state, sla=replace(state.sla, in_service=False))
    elif owed and not state.sla.in_service:
        state = replace(state, sla=replace(state.sla, in_service=True))
    window = window_containing(day, rule.window)
    if day != window.last or not state.sla.in_service:
        return state, []
    state, out = _close_window(state, ctx, day, rule, window, revised=False)
    return replace(state, sla=replace(state.sla, in_service=False)), out


def _excluded(state: SlaState, rule: AvailabilityRule) -> list[tuple[datetime, datetime]]:
    if rule.exclude_maintenance == "none":
        return []
    return [(m.start, m.end) for m in state.maintenance
            if rule.exclude_maintenance == "announced" or m.compliant]


def _close_window(state: ContractState, ctx: Context, day: date, rule: AvailabilityRule,
                  window: Window, revised: bool) -> tuple[ContractState, list[Action]]:
    tz = ZoneInfo(ctx.policy.timezone)
    sla = state.sla
    excluded = _excluded(sla, rule)
    measured = measure(window, tz, [(i.counted_from, i.end) for i in sla.incidents], excluded)
    met = measured.percent >= rule.target
    out = [action(day, "availability_measured", ctx.contract.id, rule.clause,
                  window=window.label, percent=measured.shown(), target=str(rule.target),
                  met=met, unavailable_minutes=measured.unavailable_minutes,
                  revised=True if revised else None)]
    if window.label not in sla.measured:
        sla = replace(sla, measured=(*sla.measured, window.label))
    state = replace(state, sla=sla)
    credit = rule.credit
    if credit is None:
        return state, out
    claimed = measure(window, tz, [(i.counted_from, i.end) for i in sla.incidents
                                   if i.claimed_in_time], excluded).unavailable
    monthly = monthly_fee(lines_in_force(state, ctx), dict(state.quantities),
                          months_in(ctx.policy.billing.period))
    fee = fee_for_month(monthly, window.first, window.last, state.billing_anchor,
                        state.terminated_on)
    amount = credit_amount(fee, measured, claimed, rule.target, credit.proportion)
    already = dict(sla.credited).get(window.label, ZERO)
    if amount <= already:
        return state, out
    extra = amount - already
    credited = tuple((w, a) for w, a in sla.credited if w != window.label)
    state = replace(state, sla=replace(sla, credited=(*credited, (window.label, amount))))
    # a credit note: the credit plus the VAT of the supply it reduces (the receivable is the
    # document, issue 17); the customer's open items go down by its total
    total = credit_total(ctx, day, extra)
    out.append(action(day, "sla_credit", ctx.contract.id, credit.clause, currency=ctx.currency,
                      window=window.label, amount=extra, total=total, fee=fee,
                      proportion=credit.proportion))
    state, acts = receive_payment(state, ctx, day, total, f"sla-credit {window.label}")
    return state, out + acts


def carry(state: ContractState, ctx: Context, day: date) -> tuple[ContractState, list[Action]]:
    """At the end of a day on which the service is owed but not yet counted for the window
    (the day a window closed, a trial converted, a contract started late in the day's order),
    count it for tomorrow: on a day nothing is stepped, `daily` would find the state this day
    ends with and count it then. Without this, every contract woke on the first day of each
    window for that alone: a fifth of a year's stored contract days, with no action."""
    sla = ctx.policy.sla
    if sla is None or sla.availability is None or state.sla.in_service \
            or not _in_service(state, sla):
        return state, []
    return replace(state, sla=replace(state.sla, in_service=True,
                                      carried=day + timedelta(days=1))), []


HANDLERS: dict[str, Handler] = {"incident": on_incident, "maintenance_announced": on_maintenance}


def wake(state: ContractState, ctx: Context, day: date) -> date | None:
    """The last day of the current measuring window, while the service is owed."""
    sla = ctx.policy.sla
    rule = sla.availability if sla is not None else None
    if sla is None or rule is None:
        return None
    owed = _in_service(state, sla)
    if owed and not state.sla.in_service:
        # the daily phase records that the service is owed (a state stored before `carry`,
        # which leaves no such state behind a step)
        return day + timedelta(days=1)
    if not state.sla.in_service:
        return None
    return window_containing(day + timedelta(days=1), rule.window).last


MECHANISM = Mechanism("sla", HANDLERS, (daily,), wake, end_of_day=(carry,))
__all__ = ["MECHANISM"]
