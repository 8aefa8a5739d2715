"""Running the overdue ladder for each unpaid invoice on one day."""

from __future__ import annotations

from datetime import date, timedelta

from termline.domain.engine.actions import Action, ActionKind, action
from termline.domain.engine.lifecycle import terminate
from termline.domain.engine.state import Context, ContractState, Item
from termline.domain.mechanisms.billing.run import add_item
from termline.domain.mechanisms.dunning.conditions import condition_met
from termline.domain.mechanisms.dunning.ladder import step_date
from termline.domain.mechanisms.dunning.offset import (
    costs_so_far,
    list_prices_on,
    net_cost,
    net_lump,
    percent_charge,
)
from termline.domain.policy.schema import DunningStep
from termline.domain.values.money import ZERO
from termline.domain.values.records import replace

CONTRACT_LEVEL = ("suspension", "breach_notice", "termination")


def run_dunning(state: ContractState, ctx: Context, day: date
                ) -> tuple[ContractState, list[Action]]:
    out: list[Action] = []
    rule = ctx.policy.dunning
    state, out = _compensation(state, ctx, day)
    for invoice in [it for it in state.items if it.kind == "invoice"]:
        for index, step in enumerate(rule.steps):
            current = state.item(invoice.ref)
            if current.open <= ZERO or current.on_hold:  # a disputed invoice waits
                break
            if state.step_date(invoice.ref, step.name) is not None:
                continue
            when = step_date(rule, index, current, state, ctx.calendar)
            if when is None or when > day:
                continue
            if step.requires == "payment_failed" and not any(
                    current.issued <= f <= day for f in state.payment_failures):
                continue
            if not condition_met(step, state, day):
                continue
            state = replace(state, steps_done=(*state.steps_done, (invoice.ref, step.name, day)))
            state, acts = _perform(state, ctx, day, step, current)
            out += acts
    return state, out


def compensation_date(ctx: Context, invoice: Item) -> date | None:
    """The day statutory compensation falls due on an invoice: the day after its due date (or
    the day a rejected dispute of it was resolved, when that is later)."""
    right = ctx.policy.compensation
    if right is None or not right.enabled:
        return None
    when = ctx.calendar.add(invoice.due + timedelta(days=1), right.delay)
    return max(when, invoice.resumed) if invoice.resumed is not None else when


def _compensation(state: ContractState, ctx: Context, day: date
                  ) -> tuple[ContractState, list[Action]]:
    right = ctx.policy.compensation
    if right is None or not right.enabled:
        return state, []
    out: list[Action] = []
    for invoice in [it for it in state.items if it.kind == "invoice"]:
        current = state.item(invoice.ref)
        when = compensation_date(ctx, current)
        ref = f"{invoice.ref}-COMP"
        if (current.open <= ZERO or current.on_hold or when is None or when != day
                or any(it.ref == ref for it in state.items)):
            continue
        amount = net_lump(ctx.policy, state, invoice.ref, _lines(ctx))
        extra = {"offset": right.amount - amount} if amount != right.amount else {}
        act = action(day, "compensation_charged", ctx.contract.id, right.clause,
                     currency=ctx.currency, ref=invoice.ref, amount=amount,
                     charge_ref=ref, **extra)
        if amount <= ZERO:  # offset whole against the costs already charged (§ 288 (5) BGB)
            out.append(act)
            continue
        state, acts = _fee(state, ctx, day, current, ref, amount, [act])
        out += acts
    return state, out


def _perform(state: ContractState, ctx: Context, day: date, step: DunningStep, invoice: Item
             ) -> tuple[ContractState, list[Action]]:
    cid, clauses = ctx.contract.id, step.clause
    if step.kind in CONTRACT_LEVEL and state.status == "terminated":
        return state, []
    if step.kind == "reminder":
        number = sum(1 for ref, name, _ in state.steps_done if ref == invoice.ref
                     and ctx.policy.step(name).kind == "reminder")
        own = step.fee or ZERO
        fee = net_cost(ctx.policy, state, invoice.ref, own,
                       costs_so_far(ctx.policy, state, invoice.ref, True, _lines(ctx)))
        extra = {"offset": own - fee} if fee != own else {}
        act = action(day, "reminder_sent", cid, clauses, currency=ctx.currency, ref=invoice.ref,
                     number=number, fee=fee, **extra)
        if fee <= ZERO:
            return state, [act]
        return _fee(state, ctx, day, invoice, f"{invoice.ref}-R{number}", fee, [act])
    if step.kind in ("default_notice", "payment_notice"):
        kind: ActionKind = ("default_notice_sent" if step.kind == "default_notice"
                            else "payment_notice_sent")
        return state, [action(day, kind, cid, clauses, ref=invoice.ref)]
    if step.kind == "collection":
        amount = percent_charge(step, invoice, _lines(ctx),
                                list_prices_on(ctx.policy, state, day))
        assert amount is not None
        own = max(amount, step.minimum_fee or ZERO)
        amount = net_cost(ctx.policy, state, invoice.ref, own,
                          costs_so_far(ctx.policy, state, invoice.ref, True, _lines(ctx)))
        extra = {"offset": own - amount} if amount != own else {}
        act = action(day, "collection_costs_charged", cid, clauses, currency=ctx.currency,
                     ref=invoice.ref, amount=amount, **extra)
        if amount <= ZERO:
            return state, [act]
        return _fee(state, ctx, day, invoice, f"{invoice.ref}-COL", amount, [act])
    if step.kind == "hand_over":
        return state, [action(day, "claim_handed_over", cid, clauses, ref=invoice.ref)]
    if step.kind == "charge":
        assert step.charge_name is not None
        amount = percent_charge(step, invoice, _lines(ctx),
                                list_prices_on(ctx.policy, state, day))
        if amount is None:
            amount = step.fee or ZERO
        amount = max(amount, step.minimum_fee or ZERO)
        act = action(day, "charge_applied", cid, clauses, currency=ctx.currency,
                     ref=invoice.ref, name=step.charge_name, amount=amount,
                     charge_ref=f"{invoice.ref}-{step.name}")
        return _fee(state, ctx, day, invoice, f"{invoice.ref}-{step.name}", amount, [act])
    if step.kind == "suspension":
        refs = (*state.suspended_for, invoice.ref)
        if state.access == "suspended":
            return replace(state, suspended_for=refs), []
        state = replace(state, access="suspended", suspended_for=refs)
        return state, [action(day, "access_suspended", cid, clauses, ref=invoice.ref)]
    if step.kind == "breach_notice":
        assert step.remedy is not None
        remedy_until = ctx.calendar.add(day, step.remedy)
        return state, [action(day, "breach_notice_sent", cid, clauses, ref=invoice.ref,
                              remedy_until=remedy_until)]
    return terminate(state, ctx, day, "breach", clauses, ref=invoice.ref)


def _lines(ctx: Context) -> frozenset[str]:
    """The items of the contract's price list (its subscription fees)."""
    return frozenset(line.item for line in ctx.contract.lines)


# what a step does, for a step taken by hand (overdue/manual.py)
perform_step = _perform


def _fee(state: ContractState, ctx: Context, day: date, invoice: Item, ref: str,
         amount: object, acts: list[Action]) -> tuple[ContractState, list[Action]]:
    assert not isinstance(amount, float)
    item = Item(ref=ref, kind="fee", issued=day, due=day, amount=amount,  # type: ignore[arg-type]
                seq=state.seq, invoice=invoice.ref)
    state, paid = add_item(state, ctx, day, item)
    return state, acts + paid
