"""The inputs of the cap taken from a simulation up to the event: payments and fees in force."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from termline.core.duration import add_months
from termline.core.money import ZERO
from termline.engine.billing_run import lines_in_force
from termline.engine.simulate import SimulationResult
from termline.engine.state import Context, ContractState
from termline.errors import InputError
from termline.invoice.billing import months_in
from termline.liability.cap import CapResult, Claim, ContractMoney, liability_cap
from termline.liability.rules import LiabilityRule


def counted_payments(result: SimulationResult, contract: str, rule: LiabilityRule
                     ) -> tuple[tuple[date, Decimal], ...]:
    """Money applied to the contract's items (`payment_applied`), dated the day it was applied.

    With ``counts: licence_fees`` only the share of each payment that went to price-list lines
    counts: an invoice's payment times (its price-list lines / its total); fees, interest,
    usage and purchases count for nothing.
    """
    state = result.states[contract]
    ctx = result.contexts[contract]
    licence_only = rule.basis.kind == "paid_in_window" and rule.basis.counts == "licence_fees"
    price_items = {line.item for line in ctx.contract.lines}
    out: list[tuple[date, Decimal]] = []
    for act in result.of(contract):
        if act.kind != "payment_applied":
            continue
        amount = act.get("amount")
        assert isinstance(amount, Decimal)
        if licence_only:
            item = state.item(str(act.get("ref")))
            if item.kind != "invoice" or item.amount <= ZERO:
                continue
            licence = sum((ln.amount for ln in item.lines if ln.item in price_items), ZERO)
            amount = amount * licence / item.amount
            if amount <= ZERO:
                continue
        out.append((act.date, amount))
    return tuple(out)


def monthly_fees(state: ContractState, ctx: Context) -> Decimal:
    """The price list in force per month: per-year lines / 12, per-period lines / its months."""
    quantities = dict(state.quantities)
    period_months = Decimal(months_in(ctx.policy.billing.period))
    total = ZERO
    for line in lines_in_force(state, ctx):
        amount = line.unit_price * quantities.get(line.item, line.quantity)
        if line.per == "year":
            amount /= 12
        elif line.per == "period":
            amount /= period_months
        total += amount
    return total


def term_months(state: ContractState) -> int | None:
    """Whole months in the current term [term_start, term_end]."""
    if state.term_start is None or state.term_end is None:
        return None
    start, after = state.term_start, state.term_end + timedelta(days=1)
    months = (after.year - start.year) * 12 + after.month - start.month
    return months - 1 if add_months(start, months) > after else months


def cap_on(result: SimulationResult, contract: str, claim: Claim) -> CapResult:
    """The cap for `claim` on `contract`, from a simulation run through the event date."""
    if contract not in result.states:
        raise InputError(f"no contract {contract!r} in the scenario", field="--contract")
    state, ctx = result.states[contract], result.contexts[contract]
    rule = ctx.policy.liability
    if rule is None:
        raise InputError(f"pack {ctx.policy.pack!r} has no liability section")
    if claim.event < ctx.contract.start:
        raise InputError(f"{claim.event} is before the contract starts ({ctx.contract.start})",
                         field="--on")
    money = ContractMoney(counted_payments(result, contract, rule), monthly_fees(state, ctx),
                          term_months(state))
    return liability_cap(rule, ctx.currency, ctx.calendar, claim, money)
