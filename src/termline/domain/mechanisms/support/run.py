"""The support mechanism in the daily step: tickets and their response deadlines, defects."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from termline.domain.contract.model import (
    DefectRemedied,
    DefectReported,
    EventBase,
    TicketAnswered,
    TicketOpened,
)
from termline.domain.engine.actions import Action, action
from termline.domain.engine.events_run import refuse
from termline.domain.engine.extension import Handler, Mechanism, soonest
from termline.domain.engine.state import Context, ContractState
from termline.domain.mechanisms.billing.run import credit_total, lines_in_force, quantities_at
from termline.domain.mechanisms.billing.schedule import billing_period, months_in, period_lines
from termline.domain.mechanisms.payments.run import receive_payment
from termline.domain.mechanisms.support.business_hours import BusinessHours
from termline.domain.mechanisms.support.refund import Period, daily_refund, late_days
from termline.domain.mechanisms.support.rules import HoursRule, ResponseTarget, SupportRule
from termline.domain.mechanisms.support.state import Defect, SupportState, Ticket
from termline.domain.values.money import ZERO
from termline.domain.values.records import replace


def business_hours(rule: HoursRule, ctx: Context) -> BusinessHours:
    """The support hours on the pack's business-day calendar (holidays and closed days)."""
    return BusinessHours(ZoneInfo(rule.timezone), rule.opens, rule.closes, ctx.calendar)


def response_time(target: ResponseTarget, hours: BusinessHours) -> timedelta:
    if target.business_hours is not None:
        return timedelta(hours=target.business_hours)
    assert target.business_days is not None
    return hours.day_length * target.business_days


def _support(state: ContractState, support: SupportState) -> ContractState:
    return replace(state, support=support)


def _check(state: ContractState, ctx: Context, day: date, event: EventBase
           ) -> tuple[SupportRule | None, list[Action]]:
    """The support rule if the event applies to the contract now, else the refusal."""
    rule = ctx.policy.support
    if rule is None:
        return None, refuse(ctx, day, event.type, "the terms set no support rules", ())
    if state.status == "trial" and rule.trial_exempt is not None:
        return None, refuse(ctx, day, event.type, "no provider obligations during the trial",
                            rule.trial_exempt.clause)
    if state.status not in ("active", "trial"):
        return None, refuse(ctx, day, event.type, f"contract is {state.status}", rule.clause)
    return rule, []


def on_ticket_opened(state: ContractState, ctx: Context, day: date, event: EventBase
                     ) -> tuple[ContractState, list[Action]]:
    assert isinstance(event, TicketOpened)
    rule, refused = _check(state, ctx, day, event)
    if rule is None:
        return state, refused
    if rule.hours is None:
        return state, refuse(ctx, day, event.type, "the terms set no support hours", rule.clause)
    if any(t.ticket == event.ticket for t in state.support.tickets):
        return state, refuse(ctx, day, event.type, f"ticket {event.ticket} is already open",
                             rule.clause)
    hours = business_hours(rule.hours, ctx)
    target = rule.responses.for_category(event.category)
    if target is None:
        ticket = Ticket(event.ticket, event.category, event.at, None, rule.hours.clause)
        out = [action(day, "support_ticket_received", ctx.contract.id, rule.hours.clause,
                      ticket=event.ticket, category=event.category,
                      handled_from=hours.clock_start(event.at).isoformat())]
    else:
        due = hours.add(event.at, response_time(target, hours))
        clauses = target.clause
        ticket = Ticket(event.ticket, event.category, event.at, due, clauses)
        out = [action(day, "support_response_due", ctx.contract.id, clauses,
                      ticket=event.ticket, category=event.category, due_at=due.isoformat())]
    support = replace(state.support, tickets=(*state.support.tickets, ticket))
    return _support(state, support), out


def on_ticket_answered(state: ContractState, ctx: Context, day: date, event: EventBase
                       ) -> tuple[ContractState, list[Action]]:
    assert isinstance(event, TicketAnswered)
    found = [t for t in state.support.tickets if t.ticket == event.ticket]
    if not found:
        clauses = ctx.policy.support.clause if ctx.policy.support is not None else ()
        return state, refuse(ctx, day, event.type, f"no open ticket {event.ticket}", clauses)
    ticket = found[0]
    rest = tuple(t for t in state.support.tickets if t.ticket != event.ticket)
    state = _support(state, replace(state.support, tickets=rest))
    if ticket.due_at is None or ticket.breached or event.at <= ticket.due_at:
        return state, []
    return state, [action(day, "support_response_breached", ctx.contract.id, ticket.clauses,
                          ticket=ticket.ticket, due_at=ticket.due_at.isoformat(),
                          answered_at=event.at.isoformat())]


def on_defect_reported(state: ContractState, ctx: Context, day: date, event: EventBase
                       ) -> tuple[ContractState, list[Action]]:
    assert isinstance(event, DefectReported)
    rule, refused = _check(state, ctx, day, event)
    if rule is None:
        return state, refused
    defects = rule.defects
    if defects is None:
        return state, refuse(ctx, day, event.type, "the terms set no defect remedy deadline",
                             rule.clause)
    if any(d.defect == event.defect for d in state.support.defects):
        return state, refuse(ctx, day, event.type, f"defect {event.defect} is already open",
                             defects.clause)
    remedy_by = ctx.calendar.add(day, defects.remedy_within)
    support = replace(state.support, defects=(
        *state.support.defects, Defect(event.defect, day, event.material)))
    return _support(state, support), [
        action(day, "defect_remedy_due", ctx.contract.id, defects.clause, defect=event.defect,
               material=event.material, remedy_by=remedy_by)]


def _periods(state: ContractState, ctx: Context, until: date) -> list[Period]:
    """The billing periods from the first to the one containing `until`, with their fees."""
    anchor = state.billing_anchor
    if anchor is None:
        return []
    months = months_in(ctx.policy.billing.period)
    out: list[Period] = []
    index = 0
    while True:
        first, last = billing_period(ctx.policy, anchor, index)
        if first > until:
            return out
        lines = period_lines(lines_in_force(state, ctx), quantities_at(state, first), months)
        out.append((first, last, sum((ln.amount for ln in lines), ZERO)))
        index += 1


def on_defect_remedied(state: ContractState, ctx: Context, day: date, event: EventBase
                       ) -> tuple[ContractState, list[Action]]:
    assert isinstance(event, DefectRemedied)
    rule = ctx.policy.support
    found = [d for d in state.support.defects if d.defect == event.defect]
    if rule is None or rule.defects is None or not found:
        clauses = rule.clause if rule is not None else ()
        return state, refuse(ctx, day, event.type, f"no open defect {event.defect}", clauses)
    defect = found[0]
    rest = tuple(d for d in state.support.defects if d.defect != event.defect)
    state = _support(state, replace(state.support, defects=rest))
    out: list[Action] = []
    if defect.right_opened:
        right = rule.defects.termination_right
        out.append(action(day, "customer_right_closed", ctx.contract.id,
                          right.clause if right is not None else rule.defects.clause,
                          right="terminate_for_material_breach", defect=defect.defect))
    refund = rule.defects.refund
    if refund is None or (refund.material_only and not defect.material):
        return state, out
    deadline = ctx.calendar.add(defect.reported, rule.defects.remedy_within)
    days = [d for d in late_days(deadline, day)
            if state.terminated_on is None or d <= state.terminated_on]
    amount = daily_refund(days, _periods(state, ctx, day))
    if amount <= ZERO:
        return state, out
    clauses = tuple(dict.fromkeys((*rule.defects.clause, *refund.clause)))
    total = credit_total(ctx, day, amount)  # a credit note: its amount plus the supply's VAT
    out += [action(day, "defect_refund", ctx.contract.id, clauses, currency=ctx.currency,
                  defect=defect.defect, amount=amount, total=total, days=len(days),
                  remedy_by=deadline)]
    state, acts = receive_payment(state, ctx, day, total, f"defect-refund {defect.defect}")
    return state, out + acts


def daily(state: ContractState, ctx: Context, day: date) -> tuple[ContractState, list[Action]]:
    rule = ctx.policy.support
    if rule is None or (not state.support.tickets and not state.support.defects):
        return state, []
    out: list[Action] = []
    tz = ZoneInfo(ctx.policy.timezone)
    tickets = []
    for ticket in state.support.tickets:
        if (ticket.due_at is not None and not ticket.breached
                and ticket.due_at.astimezone(tz).date() <= day):
            out.append(action(day, "support_response_breached", ctx.contract.id, ticket.clauses,
                              ticket=ticket.ticket, due_at=ticket.due_at.isoformat()))
            ticket = replace(ticket, breached=True)
        tickets.append(ticket)
    defects = []
    right = rule.defects.termination_right if rule.defects is not None else None
    for defect in state.support.defects:
        if (right is not None and not defect.right_opened
                and (defect.material or not right.material_only)
                and day > ctx.calendar.add(defect.reported, right.after)
                and state.status == "active"):
            out.append(action(day, "customer_right_opened", ctx.contract.id, right.clause,
                              right="terminate_for_material_breach", defect=defect.defect,
                              reported=defect.reported, until=None))
            defect = replace(defect, right_opened=True)
        defects.append(defect)
    support = replace(state.support, tickets=tuple(tickets), defects=tuple(defects))
    return _support(state, support), out


HANDLERS: dict[str, Handler] = {
    "ticket_opened": on_ticket_opened,
    "ticket_answered": on_ticket_answered,
    "defect_reported": on_defect_reported,
    "defect_remedied": on_defect_remedied,
}


def wake(state: ContractState, ctx: Context, day: date) -> date | None:
    """A response falls due, or a defect's termination right opens."""
    rule = ctx.policy.support
    if rule is None:
        return None
    tz = ZoneInfo(ctx.policy.timezone)
    out: list[date | None] = [t.due_at.astimezone(tz).date() for t in state.support.tickets
                              if t.due_at is not None and not t.breached]
    right = rule.defects.termination_right if rule.defects is not None else None
    if right is not None and state.status == "active":
        out += [ctx.calendar.add(d.reported, right.after) + timedelta(days=1)
                for d in state.support.defects
                if not d.right_opened and (d.material or not right.material_only)]
    return soonest(out)


MECHANISM = Mechanism("support", HANDLERS, (daily,), wake)
__all__ = ["MECHANISM"]
