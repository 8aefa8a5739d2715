"""The backups mechanism in the daily step: restores, export requests, purge, exit period.

* Event ``restore_requested`` (optional ``backup_date``, default the latest backup):
  ``restore_accepted`` (``backup_date``, ``fee``, ``billing``) within the retention window, with
  the fee charged where the terms charge one; otherwise ``restore_refused`` (``reason``).
* Event ``export_requested``: the checks of the pack's ``retention`` rules (export window after
  termination, withholding while overdue, deleted data), then ``export_scheduled``
  (``deliver_by``, and ``export_until`` after termination) or ``event_refused``.
* Daily phase: ``exit_consultation_due`` on the day a termination notice is received;
  ``customer_right_opened`` (``right: exit_assistance``) on the first day after the contract;
  ``backup_purge_due`` on the day the last backup copy must be gone, where the terms set an
  outer limit for the copies (``backups.purge``).
"""

from __future__ import annotations

from datetime import date, timedelta

from termline.domain.contract.model import EventBase, RestoreRequested
from termline.domain.engine.actions import Action, action
from termline.domain.engine.events_run import export_deliver_by, export_refusal, refuse
from termline.domain.engine.extension import Handler, Mechanism, soonest
from termline.domain.engine.state import Context, ContractState
from termline.domain.mechanisms.backups.rules import BackupRule, RestoreRule
from termline.domain.mechanisms.backups.window import (
    cadence_days,
    check_restore,
    latest_backup,
    purge_date,
)
from termline.domain.mechanisms.billing.lines import InvoiceLine
from termline.domain.mechanisms.billing.run import issue_invoice
from termline.domain.mechanisms.retention.data import export_until
from termline.domain.values.records import replace


def _refused(ctx: Context, day: date, clauses: tuple[str, ...], reason: str,
             backup: date | None) -> list[Action]:
    return [action(day, "restore_refused", ctx.contract.id, clauses, backup_date=backup,
                   reason=reason)]


def on_restore(state: ContractState, ctx: Context, day: date, event: EventBase
               ) -> tuple[ContractState, list[Action]]:
    assert isinstance(event, RestoreRequested)
    rules = ctx.policy.backups
    requested: date | None = event.backup_date
    restore = rules.restore if rules is not None else None
    if rules is None or restore is None:
        clauses = rules.clause if rules is not None else ctx.policy.retention.clause
        return state, _refused(ctx, day, clauses, "the terms offer no restore from backups",
                               requested)
    if state.status not in ("trial", "active"):
        return state, _refused(ctx, day, restore.clause,
                               f"contract is {state.status}: nothing to restore into", requested)
    if state.status == "trial" and not restore.during_trial:
        return state, _refused(ctx, day, restore.trial_clause or restore.clause,
                               "the provider owes no restore during the trial", requested)
    check = check_restore(ctx.calendar, ctx.contract.start, day, requested,
                          cadence_days(rules.cadence), rules.retention, rules.tiers)
    clauses = tuple(dict.fromkeys((*restore.clause, *rules.clause)))
    if check.backup is None:
        return state, _refused(ctx, day, clauses, check.reason or "", requested)
    state = replace(state, backups=replace(
        state.backups, restores=(*state.backups.restores, (day, check.backup))))
    return _charge(state, ctx, day, restore, check.backup, clauses)


def _charge(state: ContractState, ctx: Context, day: date, restore: RestoreRule, backup: date,
            clauses: tuple[str, ...]) -> tuple[ContractState, list[Action]]:
    if not restore.charged:
        return state, [action(day, "restore_accepted", ctx.contract.id, clauses,
                              backup_date=backup, charged=False)]
    if restore.fee is None:
        return state, [action(day, "restore_accepted", ctx.contract.id, clauses,
                              backup_date=backup, charged=True, fee_agreed=False)]
    out = [action(day, "restore_accepted", ctx.contract.id, clauses, currency=ctx.currency,
                  backup_date=backup, charged=True, fee=restore.fee, billing=restore.billing)]
    line = InvoiceLine(restore.item, 1, restore.fee, restore.fee)
    if restore.billing == "next_invoice":
        usage = replace(state.usage, pending=(*state.usage.pending, line))
        return replace(state, usage=usage), out
    state, acts = issue_invoice(state, ctx, day, (line,), day, day, "restore", restore.clause)
    return state, out + acts


def on_export(state: ContractState, ctx: Context, day: date, event: EventBase
              ) -> tuple[ContractState, list[Action]]:
    refusal = export_refusal(state, ctx, day)
    if refusal is not None:
        return state, refuse(ctx, day, "export_requested", *refusal)
    retention = ctx.policy.retention
    until = (export_until(retention, ctx.calendar, state.terminated_on)
             if state.terminated_on is not None else None)
    return state, [action(day, "export_scheduled", ctx.contract.id, retention.clause,
                          deliver_by=export_deliver_by(ctx, day), export_until=until)]


def daily(state: ContractState, ctx: Context, day: date) -> tuple[ContractState, list[Action]]:
    rules = ctx.policy.backups
    if rules is None:
        return state, []
    out: list[Action] = []
    exit_rule = rules.exit_period
    notice = state.notice
    if exit_rule is not None and notice is not None and notice.received == day \
            and state.status == "active":
        due = ctx.calendar.add(notice.effective, exit_rule.consult_before_end, sign=-1)
        out.append(action(day, "exit_consultation_due", ctx.contract.id, exit_rule.clause,
                          due_date=due, contract_end=notice.effective, by=notice.by))
    last = state.terminated_on
    if state.status != "terminated" or last is None:
        return state, out
    if exit_rule is not None and day == last + timedelta(days=1) \
            and state.termination_reason not in exit_rule.excluded_reasons:
        out.append(action(day, "customer_right_opened", ctx.contract.id, exit_rule.clause,
                          right="exit_assistance", since=day,
                          until=ctx.calendar.add(last, exit_rule.max_period)))
    out += _purge(ctx, day, rules, last)
    return state, out


def _purge(ctx: Context, day: date, rules: BackupRule, last: date) -> list[Action]:
    """Only terms that set an outer limit for the copies get an action; otherwise the backups
    simply expire on their rolling retention, after the contract as during it."""
    if rules.purge is None:
        return []
    when = purge_date(ctx.calendar, last, rules.retention, rules.purge.latest,
                                      rules.tiers)
    if when is None or day != when:
        return []
    clauses = (*rules.clause, *rules.purge.clause)
    last_backup = latest_backup(ctx.contract.start, last + timedelta(days=1),
                                cadence_days(rules.cadence))
    return [action(day, "backup_purge_due", ctx.contract.id, tuple(dict.fromkeys(clauses)),
                   last_backup=last_backup, contract_end=last)]


HANDLERS: dict[str, Handler] = {"restore_requested": on_restore, "export_requested": on_export}


def wake(state: ContractState, ctx: Context, day: date) -> date | None:
    """The exit consultation, the exit right the day after the end, the purge deadline."""
    rules = ctx.policy.backups
    if rules is None:
        return None
    exit_rule = rules.exit_period
    out: list[date | None] = []
    if exit_rule is not None and state.notice is not None and state.status == "active":
        out.append(state.notice.received)
    last = state.terminated_on
    if state.status == "terminated" and last is not None:
        if exit_rule is not None:
            out.append(last + timedelta(days=1))
        if rules.purge is not None:
            out.append(purge_date(ctx.calendar, last, rules.retention, rules.purge.latest,
                                      rules.tiers))
    return soonest(d for d in out if d is not None and d > day)


MECHANISM = Mechanism("backups", HANDLERS, (daily,), wake)
__all__ = ["MECHANISM"]
