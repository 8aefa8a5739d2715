"""The privacy mechanism in the daily step: sub-processor changes, audits, force majeure.

* Event ``subprocessor_change_announced`` (optional ``effective``, ``name``; broadcast allowed):
  ``subprocessor_change_notified``, ``subprocessor_notice_violation`` when the notice is shorter
  than the terms require, ``customer_right_opened`` (``right: subprocessor_objection``,
  ``until``) where the terms give an objection window; with optional ``intra_group`` /
  ``eu_eea`` and a registry rule, an exempt intra-group EU/EEA change is only recorded
  (``subprocessor_change_recorded``) and a non-EU/EEA one names its ``transfer_safeguard``.
* Event ``assignment_announced`` (``effective``, optional ``assignee``; broadcast allowed):
  ``assignment_notified``, ``assignment_notice_violation`` when the notice is too short.
* Event ``audit_requested`` (optional ``audit_date``): ``audit_accepted`` or ``audit_refused``.
* Event ``force_majeure`` (``start``, optional ``end``; broadcast allowed):
  ``force_majeure_recorded``; the daily phase opens the termination right of both parties
  (``customer_right_opened`` and ``provider_right_opened``, ``right:
  terminate_for_force_majeure``) once it has lasted longer than the terms allow, and, where the
  terms let the provider suspend access while it lasts, ``access_suspended`` from its start and
  ``access_restored`` the day after its end (unless a dunning suspension is still in force).

A broadcast event is ignored by contracts whose pack has no such rule or that are not running;
an event addressed to one contract is refused with the reason instead.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import TypeVar

from termline.domain.contract.model import (
    BROADCAST,
    AssignmentAnnounced,
    AuditRequested,
    EventBase,
    SubprocessorChangeAnnounced,
)
from termline.domain.contract.model import ForceMajeure as ForceMajeureEvent
from termline.domain.engine.actions import Action, action
from termline.domain.engine.events_run import refuse
from termline.domain.engine.extension import Handler, Mechanism, soonest
from termline.domain.engine.state import Context, ContractState
from termline.domain.mechanisms.privacy.audits import check_audit
from termline.domain.mechanisms.privacy.notices import check_notice
from termline.domain.mechanisms.privacy.rules import ForceMajeureRule, PrivacyRule
from termline.domain.mechanisms.privacy.state import ForceMajeure
from termline.domain.values.records import replace
from termline.domain.values.rule import Rule

RUNNING = ("trial", "active")
R = TypeVar("R", bound=Rule)


def _skip(ctx: Context, day: date, event: EventBase, reason: str, clauses: tuple[str, ...]
          ) -> list[Action]:
    """Nothing for a broadcast the contract is not concerned by; a refusal for its own event."""
    return [] if event.contract == BROADCAST else refuse(ctx, day, event.type, reason, clauses)


def _gate(state: ContractState, ctx: Context, day: date, event: EventBase,
          section: Callable[[PrivacyRule], R | None], missing: str
          ) -> tuple[R | None, list[Action]]:
    """The privacy rule `section` that applies to this event, or what to emit instead."""
    privacy = ctx.policy.privacy
    rule = section(privacy) if privacy is not None else None
    if rule is None:
        return None, _skip(ctx, day, event, missing,
                           privacy.clause if privacy is not None else ())
    if state.status not in RUNNING:
        return None, _skip(ctx, day, event, f"contract is {state.status}", rule.clause)
    return rule, []


def on_subprocessor_change(state: ContractState, ctx: Context, day: date, event: EventBase
                           ) -> tuple[ContractState, list[Action]]:
    assert isinstance(event, SubprocessorChangeAnnounced)
    rule, skipped = _gate(state, ctx, day, event, lambda p: p.subprocessor_change,
                          "the terms set no sub-processor change procedure")
    if rule is None:
        return state, skipped
    effective: date | None = event.effective
    cal = ctx.calendar
    registry = rule.registry
    if registry is not None and registry.intra_group_exempt and event.intra_group \
            and event.eu_eea:
        return state, [action(day, "subprocessor_change_recorded", ctx.contract.id,
                              registry.clause, name=event.name, effective_date=effective,
                              basis="intra_group_eu_eea", notice_required=False)]
    safeguard = registry.transfer_safeguard if registry is not None and not event.eu_eea \
        else None
    clauses = rule.clause if safeguard is None or registry is None else tuple(
        dict.fromkeys((*rule.clause, *registry.clause)))
    earliest = cal.add(day, rule.notice) if rule.notice is not None else None
    out = [action(day, "subprocessor_change_notified", ctx.contract.id, clauses,
                  name=event.name, effective_date=effective,
                  earliest_effective=earliest if effective is None else None,
                  transfer_safeguard=safeguard)]
    if rule.notice is not None and effective is not None:
        check = check_notice(cal, day, effective, rule.notice)
        if check.late:
            out.append(action(day, "subprocessor_notice_violation", ctx.contract.id, rule.clause,
                              name=event.name, effective_date=effective,
                              announce_by=check.announce_by, notice=str(rule.notice),
                              best_effort=rule.best_effort))
    if rule.objection_window is not None:
        out.append(action(day, "customer_right_opened", ctx.contract.id, rule.clause,
                          right="subprocessor_objection", name=event.name,
                          until=cal.add(day, rule.objection_window),
                          then="terminate_affected_service" if rule.termination_right
                          else None))
    return state, out


def on_assignment(state: ContractState, ctx: Context, day: date, event: EventBase
                  ) -> tuple[ContractState, list[Action]]:
    assert isinstance(event, AssignmentAnnounced)
    rule, skipped = _gate(state, ctx, day, event, lambda p: p.assignment,
                          "the terms set no assignment notice")
    if rule is None:
        return state, skipped
    effective: date = event.effective
    check = check_notice(ctx.calendar, day, effective, rule.notice)
    out = [action(day, "assignment_notified", ctx.contract.id, rule.clause,
                  assignee=event.assignee, effective_date=effective,
                  announce_by=check.announce_by)]
    if check.late:
        out.append(action(day, "assignment_notice_violation", ctx.contract.id, rule.clause,
                          assignee=event.assignee, effective_date=effective,
                          announce_by=check.announce_by, notice=str(rule.notice),
                          best_effort=rule.best_effort))
    return state, out


def on_audit(state: ContractState, ctx: Context, day: date, event: EventBase
             ) -> tuple[ContractState, list[Action]]:
    assert isinstance(event, AuditRequested)
    privacy = ctx.policy.privacy
    rule = privacy.audit if privacy is not None else None
    proposed: date | None = event.audit_date
    if rule is None:
        clauses = privacy.clause if privacy is not None else ()
        return state, [action(day, "audit_refused", ctx.contract.id, clauses,
                              audit_date=proposed, reason="the terms give no audit right")]
    if state.status not in RUNNING:
        return state, [action(day, "audit_refused", ctx.contract.id, rule.clause,
                              audit_date=proposed, reason=f"contract is {state.status}")]
    audits = state.privacy.audits
    check = check_audit(rule, ctx.calendar, day, proposed, max(audits) if audits else None)
    if check.audit_date is None:
        return state, [action(day, "audit_refused", ctx.contract.id, rule.clause,
                              audit_date=proposed, reason=check.reason)]
    state = replace(state, privacy=replace(state.privacy, audits=(*audits, check.audit_date)))
    return state, [action(day, "audit_accepted", ctx.contract.id, rule.clause,
                          audit_date=check.audit_date, costs_borne_by=rule.costs)]


def right_opens(rule: ForceMajeureRule, ctx: Context, start: date) -> date | None:
    """The first day a force majeure that began on `start` has lasted longer than allowed."""
    if rule.terminate_after is None:
        return None
    return ctx.calendar.add(start, rule.terminate_after) + timedelta(days=1)


def on_force_majeure(state: ContractState, ctx: Context, day: date, event: EventBase
                     ) -> tuple[ContractState, list[Action]]:
    assert isinstance(event, ForceMajeureEvent)
    rule, skipped = _gate(state, ctx, day, event, lambda p: p.force_majeure,
                          "the terms set no force-majeure rule")
    if rule is None:
        return state, skipped
    start: date = event.start
    end: date | None = event.end
    if end is not None and end < start:
        return state, refuse(ctx, day, event.type, f"ends {end} before it starts {start}",
                             rule.clause)
    known = state.privacy.force_majeure
    situations = [replace(fm, end=end) if fm.start == start else fm for fm in known]
    if not any(fm.start == start for fm in known):
        situations.append(ForceMajeure(start, end))
    state = replace(state, privacy=replace(state.privacy, force_majeure=tuple(situations)))
    return state, [action(day, "force_majeure_recorded", ctx.contract.id, rule.clause,
                          start=start, end=end, payment_suspended=rule.suspends_payment,
                          termination_right_from=right_opens(rule, ctx, start))]


def daily(state: ContractState, ctx: Context, day: date) -> tuple[ContractState, list[Action]]:
    privacy = ctx.policy.privacy
    rule = privacy.force_majeure if privacy is not None else None
    if rule is None or not state.privacy.force_majeure or state.status not in RUNNING:
        return state, []
    state, out = _access(state, ctx, day, rule) if rule.suspend_access else (state, [])
    situations = []
    for fm in state.privacy.force_majeure:
        opens = right_opens(rule, ctx, fm.start)
        if (not fm.right_opened and opens is not None and day >= opens
                and (fm.end is None or fm.end >= day)):
            fm = replace(fm, right_opened=True)
            for kind in ("customer_right_opened", "provider_right_opened"):
                out.append(action(day, kind, ctx.contract.id, rule.clause,
                                  right="terminate_for_force_majeure",
                                  force_majeure_start=fm.start, until=fm.end))
        situations.append(fm)
    return replace(state, privacy=replace(state.privacy, force_majeure=tuple(situations))), out


def _access(state: ContractState, ctx: Context, day: date, rule: ForceMajeureRule
            ) -> tuple[ContractState, list[Action]]:
    """Suspend access while a force majeure lasts; give it back the day after the last one
    ends, unless a dunning suspension is still in force (then paying restores it)."""
    out: list[Action] = []
    situations = []
    for fm in state.privacy.force_majeure:
        lasts = fm.start <= day and (fm.end is None or day <= fm.end)
        if lasts and not fm.access_suspended:
            fm = replace(fm, access_suspended=True)
            if state.access == "full":
                state = replace(state, access="suspended")
                out.append(action(day, "access_suspended", ctx.contract.id, rule.clause,
                                  reason="force_majeure", force_majeure_start=fm.start,
                                  until=fm.end))
        elif fm.access_suspended and not lasts:
            fm = replace(fm, access_suspended=False)
        situations.append(fm)
    held = any(fm.access_suspended for fm in situations)
    was_held = state.privacy.access_held
    state = replace(state, privacy=replace(state.privacy, force_majeure=tuple(situations)))
    if was_held and not held and state.access == "suspended" and not state.suspended_for:
        state = replace(state, access="full")
        out.append(action(day, "access_restored", ctx.contract.id, rule.clause,
                          reason="force_majeure_ended"))
    return state, out


HANDLERS: dict[str, Handler] = {
    "subprocessor_change_announced": on_subprocessor_change,
    "audit_requested": on_audit,
    "force_majeure": on_force_majeure,
    "assignment_announced": on_assignment,
}


def wake(state: ContractState, ctx: Context, day: date) -> date | None:
    """A force majeure begins or ends (access), or its termination right opens."""
    privacy = ctx.policy.privacy
    rule = privacy.force_majeure if privacy is not None else None
    if rule is None or not state.privacy.force_majeure or state.status not in RUNNING:
        return None
    tomorrow = day + timedelta(days=1)
    out: list[date | None] = []
    for fm in state.privacy.force_majeure:
        first = max(fm.start, tomorrow)
        lasts = fm.end is None or first <= fm.end
        if rule.suspend_access:
            if not fm.access_suspended and lasts:
                out.append(first)
            if fm.access_suspended and fm.end is not None:
                out.append(fm.end + timedelta(days=1))
        opens = right_opens(rule, ctx, fm.start)
        if not fm.right_opened and opens is not None:
            when = max(opens, tomorrow)
            if fm.end is None or when <= fm.end:
                out.append(when)
    return soonest(out)


MECHANISM = Mechanism("privacy", HANDLERS, (daily,), wake)
__all__ = ["MECHANISM"]
