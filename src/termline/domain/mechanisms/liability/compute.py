"""The inputs of the cap taken from a simulation up to the event: payments and fees in force."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from termline.domain.engine.simulate import SimulationResult
from termline.domain.engine.state import Context, ContractState
from termline.domain.errors import InputError
from termline.domain.mechanisms.billing.run import lines_in_force
from termline.domain.mechanisms.billing.schedule import months_in
from termline.domain.mechanisms.liability.cap import CapResult, Claim, ContractMoney, liability_cap
from termline.domain.mechanisms.liability.rules import LiabilityRule
from termline.domain.mechanisms.tax.item_vat import item_vat
from termline.domain.values.duration import add_months
from termline.domain.values.money import ZERO

# Money the provider gives back (a defect refund, an SLA credit, a credit note by hand): the
# engine receives it like a payment, settling open items and keeping the rest as credit. It is
# never the customer's payment.
PROVIDER_MONEY = ("defect_refund", "sla_credit", "invoice_credited")


def counted_payments(result: SimulationResult, contract: str, rule: LiabilityRule
                     ) -> tuple[tuple[date, Decimal], ...]:
    """The customer's money applied to the contract's items (`payment_applied`), dated the day
    it was applied.

    Money the provider gives back never counts: the part of a refund or credit applied at once
    is left out, and the part kept as credit is spent first when credit pays a later item.
    With ``counts: licence_fees`` only the share of each payment that went to price-list lines
    counts: an invoice's payment times (its price-list lines / its total); fees, interest,
    usage and purchases count for nothing. Otherwise a payment of an invoice counts without its
    VAT (times the invoice's net / its total).
    """
    state = result.states[contract]
    ctx = result.contexts[contract]
    licence_only = rule.basis.kind == "paid_in_window" and rule.basis.counts == "licence_fees"
    price_items = {line.item for line in ctx.contract.lines}
    out: list[tuple[date, Decimal]] = []
    incoming = ZERO  # provider money received and not yet applied or credited
    provider_credit = ZERO  # the provider's money in the customer's credit
    for act in result.of(contract):
        if act.kind in PROVIDER_MONEY:
            # the engine received it at its credit note's total incl. VAT (issue 17): the
            # action's `total` where it carries one, else the net amount with its VAT
            total = dict(act.fields).get("total")
            if isinstance(total, Decimal):
                incoming += total
                continue
            given = act.get("amount")
            assert isinstance(given, Decimal)
            incoming += item_vat(ctx.seller, ctx.contract.customer, act.date, (given,)).gross
            continue
        if act.kind == "credit_recorded" and incoming > ZERO:
            credited = act.get("amount")
            assert isinstance(credited, Decimal)
            part = min(credited, incoming)
            provider_credit += part
            incoming -= part
            continue
        if act.kind != "payment_applied":
            continue
        amount = act.get("amount")
        assert isinstance(amount, Decimal)
        from_credit = ("source", "credit") in act.fields
        if from_credit and provider_credit > ZERO:
            part = min(amount, provider_credit)
            provider_credit -= part
            amount -= part
        elif not from_credit and incoming > ZERO:
            part = min(amount, incoming)
            incoming -= part
            amount -= part
        if amount <= ZERO:
            continue
        item = state.item(str(act.get("ref")))
        if licence_only:
            if item.kind != "invoice" or item.amount <= ZERO:
                continue
            licence = sum((ln.amount for ln in item.lines if ln.item in price_items), ZERO)
            amount = amount * licence / item.amount
            if amount <= ZERO:
                continue
        elif item.vat and item.amount > ZERO:
            # the VAT in a payment is the state's, not a fee paid to the provider: a cap on
            # what the customer paid counts the share without VAT (as before issue 17)
            amount = amount * item.net / item.amount
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
                          term_months(state), ctx.contract.start, invoiced_fees(state, ctx))
    return liability_cap(rule, ctx.currency, ctx.calendar, claim, money)


def invoiced_fees(state: ContractState, ctx: Context) -> tuple[tuple[date, date, Decimal], ...]:
    """Each subscription invoice of the ledger: its date, its period's start and the amount of
    its price-list lines (usage, purchases, fees and interest are not fees of the contract)."""
    items = {line.item for line in ctx.contract.lines}
    out = []
    for it in state.items:
        if it.kind != "invoice" or it.period_start is None:
            continue
        fees = sum((ln.amount for ln in it.lines if ln.item in items), ZERO)
        out.append((it.issued, it.period_start, fees))
    return tuple(out)
