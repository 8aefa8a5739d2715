"""§ 288 (5) BGB: the EUR 40 lump sum is offset against the costs of collecting the claim.

"Die Pauschale nach Satz 1 ist auf einen geschuldeten Schadensersatz anzurechnen, soweit der
Schaden in Kosten der Rechtsverfolgung begruendet ist": reminder fees and collection costs of
an invoice are not charged on top of the lump sum, only beyond it. With the lump sum L and the
invoice's costs G so far (their own figures), the invoice bears max(L, G) in all: the lump sum
is charged less the costs already charged, and a later cost c only by what it adds,
max(L, G + c) - max(L, G). Pure: computed from the policy and the contract's state.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from termline.domain.engine.state import ContractState, Item
from termline.domain.mechanisms.billing.lines import InvoiceLine
from termline.domain.policy.schema import DunningStep, Policy
from termline.domain.values.money import ZERO, round_money

COST_KINDS = ("reminder", "collection")

# the list price of an item on one day, or None where none is known (`of: list_price`)
Prices = Callable[[str], Decimal | None]


def list_prices_on(policy: Policy, state: ContractState, day: date) -> Prices:
    """The list prices in force on `day` (`pricing.list_price`: the policy's `price_list`,
    changed by `list_price_changed` events)."""
    from termline.domain.mechanisms.pricing.list_price import list_price

    return lambda item: list_price(policy, state, item, day)


def offsets(policy: Policy) -> bool:
    right = policy.compensation
    return right is not None and right.enabled and right.offset == "collection_costs"


def costs_so_far(policy: Policy, state: ContractState, invoice_ref: str,
                 skip_last: bool = False, contract_lines: frozenset[str] = frozenset()
                 ) -> Decimal:
    """The invoice's collection costs at their own figures (before any offset): reminder fees
    and collection costs of the steps already taken on it (`skip_last`: but the step being
    taken now, which the dunning run records before it acts)."""
    total = ZERO
    invoice = state.item(invoice_ref)
    done = state.steps_done[:-1] if skip_last else state.steps_done
    for ref, name, taken in done:
        if ref != invoice_ref:
            continue
        step = policy.step(name)
        if step.kind == "reminder":
            total += step.fee or ZERO
        elif step.kind == "collection":
            # at its own figure on the invoice as issued (the principal then unpaid is not kept)
            whole = Item(invoice.ref, invoice.kind, invoice.issued, invoice.due, invoice.amount,
                         invoice.seq, lines=invoice.lines)
            own = percent_charge(step, whole, contract_lines,
                                 list_prices_on(policy, state, taken)) or ZERO
            total += max(own, step.minimum_fee or ZERO)
    return total


def lump_charged(state: ContractState, invoice_ref: str) -> bool:
    return any(it.ref == f"{invoice_ref}-COMP" for it in state.items)


def net_cost(policy: Policy, state: ContractState, invoice_ref: str, cost: Decimal,
             before: Decimal) -> Decimal:
    """What a cost of `cost` adds when the invoice's costs so far are `before`."""
    if not offsets(policy) or not lump_charged(state, invoice_ref):
        return cost
    assert policy.compensation is not None
    lump = policy.compensation.amount
    return max(lump, before + cost) - max(lump, before)


def net_lump(policy: Policy, state: ContractState, invoice_ref: str,
             contract_lines: frozenset[str] = frozenset()) -> Decimal:
    """The lump sum less the costs already charged on the invoice."""
    assert policy.compensation is not None
    lump = policy.compensation.amount
    if not offsets(policy):
        return lump
    return max(ZERO, lump - costs_so_far(policy, state, invoice_ref, False, contract_lines))


def percent_charge(step: DunningStep, invoice: Item, contract_lines: frozenset[str],
                   prices: Prices | None = None) -> Decimal | None:
    """A step's percentage charge, rounded to the cent: of the unpaid principal
    (`percent_of_principal`, or `percent` with `of: principal`), of the whole invoice, of
    its subscription fees (its lines of the contract's price list), or of those fees at the
    list price (`of: list_price`: `prices`, those of the day the step acts). None: a fixed
    fee."""
    if step.percent_of_principal is not None:
        return round_money(invoice.open * step.percent_of_principal / 100)
    if step.percent is None:
        return None
    if step.of == "invoice":
        base = invoice.amount
    elif step.of == "fees":
        base = sum((ln.amount for ln in invoice.lines if ln.item in contract_lines), ZERO)
    elif step.of == "list_price":
        base = sum((at_list_price(ln, prices) for ln in invoice.lines
                    if ln.item in contract_lines), ZERO)
    else:
        base = invoice.open
    return round_money(base * step.percent / 100)


def at_list_price(line: InvoiceLine, prices: Prices | None) -> Decimal:
    """An invoice line re-priced at the list price: its quantity for the same share of a
    period at the list price instead of its own, amount x list price / unit price, rounded to
    the cent as a line is; the line as billed where no list price is known (or its price is
    nil)."""
    listed = prices(line.item) if prices is not None else None
    if listed is None or line.unit_price == ZERO:
        return line.amount
    return round_money(line.amount * listed / line.unit_price)
