"""Applying one dated input event to a contract's state."""

from __future__ import annotations

from datetime import date

from termline.domain.contract.model import (
    CreditRefund,
    DataInstruction,
    DisputeResolved,
    EventBase,
    InvoiceCredited,
    InvoiceDisputed,
    Payment,
    PaymentFailed,
    PaymentReturned,
    ProviderTermination,
    SeatChange,
    TerminationNotice,
    TrialConverted,
)
from termline.domain.engine.actions import Action, action, refusal
from termline.domain.engine.disputes import dispute
from termline.domain.engine.disputes import resolve as resolve_dispute
from termline.domain.engine.extension import mechanisms
from termline.domain.engine.lifecycle import start_paid, terminate
from termline.domain.engine.state import Context, ContractState, Notice
from termline.domain.mechanisms.billing.run import change_seats, issue_invoice, lines_in_force
from termline.domain.mechanisms.billing.schedule import billing_period, months_in, period_lines
from termline.domain.mechanisms.payments.credit_notes import credit_by_hand
from termline.domain.mechanisms.payments.returns import refund_credit, return_payment
from termline.domain.mechanisms.payments.run import receive_payment, record_payment_failure
from termline.domain.mechanisms.retention.data import export_until
from termline.domain.mechanisms.term.terms import Refused, effective_date, terms_for
from termline.domain.values.money import ZERO
from termline.domain.values.records import replace


def refuse(ctx: Context, day: date, event: str, reason: str,
           clauses: tuple[str, ...]) -> list[Action]:
    return refusal(day, ctx.contract.id, clauses, event, reason)


def apply_event(state: ContractState, ctx: Context, day: date, event: EventBase
                ) -> tuple[ContractState, list[Action]]:
    """The built-in kinds here, narrowed to their models; any other by the handler its
    mechanism registered for its type."""
    # The type first: a kind not taken costs one comparison, where `isinstance` against a
    # pydantic model that fails runs its metaclass's `__instancecheck__` (some 0.1 µs, a
    # dozen times for a mechanism's event); then `isinstance` narrows (exact type: fast).
    kind = event.type
    if kind == "payment" and isinstance(event, Payment):
        return receive_payment(state, ctx, day, event.amount, event.reference,
                               event.invoice or event.end_to_end_id)
    if kind == "payment_failed" and isinstance(event, PaymentFailed):
        return record_payment_failure(state, ctx, day, event.reference)
    if kind == "payment_returned" and isinstance(event, PaymentReturned):
        return return_payment(state, ctx, day, event.payment, event.reason)
    if kind == "credit_refund" and isinstance(event, CreditRefund):
        return refund_credit(state, ctx, day, event.amount, event.reference)
    if kind == "invoice_credited" and isinstance(event, InvoiceCredited):
        return credit_by_hand(state, ctx, day, event)
    if kind == "trial_converted" and isinstance(event, TrialConverted):
        return _convert(state, ctx, day)
    if kind == "seat_change" and isinstance(event, SeatChange):
        if state.status == "terminated":
            return state, refuse(ctx, day, kind, "contract terminated", ctx.policy.seats.clause)
        return change_seats(state, ctx, day, event.item, event.quantity)
    if kind == "termination_notice" and isinstance(event, TerminationNotice):
        return _notice(state, ctx, day, event.by)
    if kind == "provider_termination" and isinstance(event, ProviderTermination):
        return _provider_termination(state, ctx, day, event.reason)
    if kind == "data_instruction" and isinstance(event, DataInstruction):
        return _data_instruction(state, ctx, day, event.instruction)
    if kind == "invoice_disputed" and isinstance(event, InvoiceDisputed):
        return dispute(state, ctx, day, event.ref)
    if kind == "dispute_resolved" and isinstance(event, DisputeResolved):
        return resolve_dispute(state, ctx, day, event.ref, event.outcome, event.amount)
    for mechanism in mechanisms():
        handler = mechanism.handlers.get(kind)
        if handler is not None:
            return handler(state, ctx, day, event)
    return state, refuse(ctx, day, kind, f"no mechanism handles {kind!r} yet", ())


def _convert(state: ContractState, ctx: Context, day: date) -> tuple[ContractState, list[Action]]:
    trial = ctx.policy.trial
    if state.status != "trial":
        return state, refuse(ctx, day, "trial_converted", "no running trial", trial.clause)
    keep = trial.data_on_conversion == "keep"
    out = [action(day, "trial_ended", ctx.contract.id, trial.clause, converted=True,
                  trial_data="kept" if keep else "discarded")]
    if not keep:
        out.append(action(day, "data_deleted", ctx.contract.id, trial.clause,
                          basis="trial_data_discarded"))
    state, acts = start_paid(replace(state, trial_end=None), ctx, day)
    return state, out + acts


def _notice(state: ContractState, ctx: Context, day: date, by: str
            ) -> tuple[ContractState, list[Action]]:
    rules = ctx.policy.termination
    rule = rules.customer if by == "customer" else rules.provider
    if state.status != "active":
        return state, refuse(ctx, day, "termination_notice", f"contract is {state.status}",
                             rule.clause)
    if state.notice is not None:
        return state, refuse(ctx, day, "termination_notice",
                             f"notice already given, effective {state.notice.effective}",
                             rule.clause)
    assert state.paid_start is not None
    terms = terms_for(ctx.policy, state.paid_start)
    effective = effective_date(rule, ctx.policy, ctx.calendar, terms, day, terms.term(0)[1])
    if isinstance(effective, Refused):
        return state, refuse(ctx, day, "termination_notice", effective.reason, rule.clause)
    clauses = rule.clause
    for mechanism in mechanisms():
        for limit in mechanism.notice_limits:
            earlier = limit(state, ctx, day)
            if earlier is not None and earlier[0] < effective:
                effective, clauses = earlier
    notice = Notice(by="customer" if by == "customer" else "provider", received=day,
                    effective=effective, clauses=clauses)
    state = replace(state, notice=notice)
    return state, [action(day, "termination_notice_received", ctx.contract.id, clauses,
                          by=by, effective_date=effective)]


def _provider_termination(state: ContractState, ctx: Context, day: date, reason: str
                          ) -> tuple[ContractState, list[Action]]:
    right = ctx.policy.provider_termination
    if not right.enabled:
        return state, refuse(ctx, day, "provider_termination",
                             "the terms give the provider no immediate termination right",
                             right.clause)
    if state.status in ("terminated", "pending"):
        return state, refuse(ctx, day, "provider_termination", f"contract is {state.status}",
                             right.clause)
    out: list[Action] = []
    accelerate = right.accelerate_to_term_end and state.status == "active"
    if accelerate:
        state, out = _accelerate(state, ctx, day)
    state, acts = terminate(state, ctx, day, right.reason, right.clause,
                            keep_later_periods=accelerate, detail=reason)
    return state, out + acts


def _accelerate(state: ContractState, ctx: Context, day: date
                ) -> tuple[ContractState, list[Action]]:
    """Invoice the not yet invoiced periods up to the end of the current term at once."""
    assert state.billing_anchor is not None and state.term_end is not None
    months = months_in(ctx.policy.billing.period)
    out: list[Action] = []
    right = ctx.policy.provider_termination
    while True:
        start, end = billing_period(ctx.policy, state.billing_anchor, state.next_period_index)
        if start > state.term_end:
            break
        lines = period_lines(lines_in_force(state, ctx), dict(state.quantities), months)
        state = replace(state, next_period_index=state.next_period_index + 1)
        if lines:
            state, acts = issue_invoice(state, ctx, day, lines, start, end, "acceleration",
                                        right.clause)
            out += acts
    return state, out


def _data_instruction(state: ContractState, ctx: Context, day: date, instruction: str
                      ) -> tuple[ContractState, list[Action]]:
    retention = ctx.policy.retention
    if instruction == "export":
        return _export(state, ctx, day)
    if retention.on_instruction is None:
        return state, refuse(ctx, day, "data_instruction", "the terms give no deletion on request",
                             retention.deletion.clause)
    if state.data_deleted:
        return state, refuse(ctx, day, "data_instruction", "data already deleted",
                             retention.on_instruction.clause)
    if state.status != "terminated":
        state = replace(state, delete_instructed=day)
        return state, [action(day, "data_deletion_instructed", ctx.contract.id,
                              retention.on_instruction.clause)]
    state = replace(state, data_deleted=True, delete_on=None)
    return state, [action(day, "data_deleted", ctx.contract.id, retention.on_instruction.clause,
                          basis="customer_instruction")]


def export_refusal(state: ContractState, ctx: Context, day: date
                   ) -> tuple[str, tuple[str, ...]] | None:
    """Why an export asked for on `day` cannot be served (reason, clauses), or None.

    Shared by `data_instruction: export` and the `export_requested` event (backups mechanism).
    """
    retention = ctx.policy.retention
    clauses = retention.clause
    if state.data_deleted:
        return "data already deleted", clauses
    if state.terminated_on is not None:
        until = export_until(retention, ctx.calendar, state.terminated_on)
        if until is not None and day > until:
            return f"the export window ended {until}", clauses
    hold = retention.withhold_export_when_overdue
    if hold is not None and hold.enabled and any(
            it.open > ZERO and it.due < day and not it.on_hold for it in state.items):
        return "export withheld: overdue balance", hold.clause
    return None


def export_deliver_by(ctx: Context, day: date) -> date:
    """The day an export asked for on `day` is due: the pack's export lead time later."""
    lead = ctx.policy.retention.export_lead
    return ctx.calendar.add(day, lead) if lead is not None else day


def _export(state: ContractState, ctx: Context, day: date) -> tuple[ContractState, list[Action]]:
    refusal = export_refusal(state, ctx, day)
    if refusal is not None:
        return state, refuse(ctx, day, "data_instruction", *refusal)
    return state, [action(day, "data_export_requested", ctx.contract.id,
                          ctx.policy.retention.clause, deliver_by=export_deliver_by(ctx, day))]

