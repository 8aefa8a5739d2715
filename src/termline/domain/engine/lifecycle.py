"""Start, trial, renewal and termination of one contract."""

from __future__ import annotations

from datetime import date, timedelta

from termline.domain.engine.actions import Action, Value, action
from termline.domain.engine.state import Access, Context, ContractState
from termline.domain.mechanisms.billing.schedule import billing_anchor
from termline.domain.mechanisms.payments.credit_notes import credit_invoice
from termline.domain.mechanisms.retention.data import (
    deletion_date,
    export_until,
    latest_deletion_date,
)
from termline.domain.mechanisms.term.terms import terms_for
from termline.domain.values.records import replace


def begin(ctx: Context, day: date) -> tuple[ContractState, list[Action]]:
    """The contract's first day: a trial, or the paid subscription."""
    contract, policy = ctx.contract, ctx.policy
    quantities = tuple((line.item, line.quantity) for line in contract.lines)
    state = ContractState(quantities=quantities)
    trial_days = contract.trial_days
    if trial_days:
        trial_end = day + timedelta(days=trial_days - 1)
        state = replace(state, status="trial", access="full", trial_end=trial_end)
        return state, [action(day, "trial_started", contract.id, policy.trial.clause,
                              trial_end=trial_end)]
    return start_paid(state, ctx, day)


def start_paid(state: ContractState, ctx: Context, day: date) -> tuple[ContractState, list[Action]]:
    terms = terms_for(ctx.policy, day)
    term_start, term_end = terms.term(0)
    state = replace(state, status="active", access="full", paid_start=day, term_start=term_start,
                    term_end=term_end, billing_anchor=billing_anchor(ctx.policy, day))
    clauses = (*ctx.policy.start.clause, *ctx.policy.term.clause)
    return state, [action(day, "contract_started", ctx.contract.id, _uniq(clauses),
                          term_start=term_start, term_end=term_end)]


def renew_if_due(state: ContractState, ctx: Context, day: date
                 ) -> tuple[ContractState, list[Action]]:
    if state.status != "active" or state.term_end is None or day != state.term_end + timedelta(1):
        return state, []
    assert state.paid_start is not None
    terms = terms_for(ctx.policy, state.paid_start)
    start, end = terms.term(terms.index_of(day))
    state = replace(state, term_start=start, term_end=end)
    return state, [action(day, "contract_renewed", ctx.contract.id, ctx.policy.term.clause,
                          term_start=start, term_end=end)]


def terminate(state: ContractState, ctx: Context, day: date, reason: str,
              clauses: tuple[str, ...], *, keep_later_periods: bool = False, **detail: str
              ) -> tuple[ContractState, list[Action]]:
    """End the contract at the end of `day`; schedule or carry out the data deletion.

    An invoice issued ahead for a period that starts after `day` is credited in full: there is
    no service after the end to bill (`keep_later_periods`: the terms make the rest of the
    term payable, provider_termination.accelerate_to_term_end)."""
    retention = ctx.policy.retention
    access: Access = "export_only" if retention.access_after_termination == "export_only" \
        else "none"
    state = replace(state, status="terminated", access=access, terminated_on=day,
                    termination_reason=reason, suspended_for=())
    until = export_until(retention, ctx.calendar, day)
    fields: dict[str, Value] = {"effective_date": day, "reason": reason, **detail}
    if until is not None:
        fields["export_until"] = until
    out = [Action(day, "contract_terminated", ctx.contract.id, clauses, tuple(fields.items()))]
    if not keep_later_periods:
        state, acts = _credit_later_periods(state, ctx, day, clauses)
        out += acts
    if state.delete_instructed is not None and retention.on_instruction is not None:
        state = replace(state, data_deleted=True)
        out.append(action(day, "data_deleted", ctx.contract.id, retention.on_instruction.clause,
                          basis="customer_instruction"))
        return state, out
    if retention.deletion.enabled:
        delete_on = deletion_date(retention, ctx.calendar, day)
        state = replace(state, delete_on=delete_on)
        latest = latest_deletion_date(retention, ctx.calendar, day)
        clauses = retention.deletion.clause + (retention.deletion.latest_clause or ())
        out.append(action(day, "data_deletion_scheduled", ctx.contract.id,
                          tuple(dict.fromkeys(clauses)), delete_on=delete_on,
                          delete_by=latest))
    return state, out


def _credit_later_periods(state: ContractState, ctx: Context, day: date,
                          clauses: tuple[str, ...]) -> tuple[ContractState, list[Action]]:
    out: list[Action] = []
    why = _uniq((*clauses, *ctx.policy.billing.clause))
    for it in state.items:
        if it.kind == "invoice" and it.period_start is not None and it.period_start > day:
            state, acts = credit_invoice(state, ctx, day, it, None, "after_end", why)
            out += acts
    return state, out


def expire_trial_if_due(state: ContractState, ctx: Context, day: date
                        ) -> tuple[ContractState, list[Action]]:
    if state.status != "trial" or state.trial_end != day:
        return state, []
    trial = ctx.policy.trial
    out = [action(day, "trial_ended", ctx.contract.id, trial.clause, converted=False)]
    state = replace(state, status="terminated", access="none", terminated_on=day,
                    termination_reason="trial_expired")
    out.append(action(day, "contract_terminated", ctx.contract.id, trial.clause,
                      effective_date=day, reason="trial_expired"))
    if trial.on_expiry == "terminate_and_delete":
        state = replace(state, data_deleted=True)
        out.append(action(day, "data_deleted", ctx.contract.id, trial.clause,
                          basis="trial_expired"))
    return state, out


def _uniq(clauses: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(clauses))
