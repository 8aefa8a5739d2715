"""§ 288 (5) BGB: the EUR 40 lump sum is offset against the costs of collecting the claim.

"Die Pauschale nach Satz 1 ist auf einen geschuldeten Schadensersatz anzurechnen, soweit der
Schaden in Kosten der Rechtsverfolgung begruendet ist": reminder fees and collection costs of
an invoice are not charged on top of the lump sum, only beyond it. With the lump sum L and the
invoice's costs G so far (their own figures), the invoice bears max(L, G) in all: the lump sum
is charged less the costs already charged, and a later cost c only by what it adds,
max(L, G + c) - max(L, G). Pure: computed from the policy and the contract's state.
"""

from __future__ import annotations

from decimal import Decimal

from termline.core.money import ZERO, round_money
from termline.engine.state import ContractState
from termline.policy.schema import Policy

COST_KINDS = ("reminder", "collection")


def offsets(policy: Policy) -> bool:
    right = policy.compensation
    return right is not None and right.enabled and right.offset == "collection_costs"


def costs_so_far(policy: Policy, state: ContractState, invoice_ref: str,
                 skip_last: bool = False) -> Decimal:
    """The invoice's collection costs at their own figures (before any offset): reminder fees
    and collection costs of the steps already taken on it (`skip_last`: but the step being
    taken now, which the dunning run records before it acts)."""
    total = ZERO
    invoice = state.item(invoice_ref)
    done = state.steps_done[:-1] if skip_last else state.steps_done
    for ref, name, _ in done:
        if ref != invoice_ref:
            continue
        step = policy.step(name)
        if step.kind == "reminder":
            total += step.fee or ZERO
        elif step.kind == "collection" and step.percent_of_principal is not None:
            own = round_money(invoice.amount * step.percent_of_principal / 100)
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


def net_lump(policy: Policy, state: ContractState, invoice_ref: str) -> Decimal:
    """The lump sum less the costs already charged on the invoice."""
    assert policy.compensation is not None
    lump = policy.compensation.amount
    if not offsets(policy):
        return lump
    return max(ZERO, lump - costs_so_far(policy, state, invoice_ref))
