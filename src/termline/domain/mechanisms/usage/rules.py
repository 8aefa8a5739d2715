"""The `usage:` section of a policy: metered services above an allowance and one-off purchases.

Allowances and unit prices are usually on the provider's price pages, not in the T&Cs: the pack
leaves them empty and a contract sets them through its overrides
(``usage.meters.<meter>.included`` / ``unit_price``). A usage event for a meter without them is
refused with that explanation.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from termline.domain.values.rule import Clauses, Dec, Rule


class MeterRule(Rule):
    """One metered service.

    * ``measure: peak``: each usage event is a reading of a level (storage in use); the period's
      use is the highest reading. ``measure: total``: each event is a count (mailings sent); the
      period's use is their sum.
    * Use above ``included`` in a measuring period costs ``unit_price`` per unit; the price in
      force for ``item`` (after a price change) replaces ``unit_price`` when there is one.
    * ``billing: next_invoice`` adds the overage line to the next subscription invoice;
      ``immediate`` invoices it when the measuring period closes. A contract that ends first
      gets its last overage invoiced on its last day.
    * ``warn_at_percent``: a ``storage_warning`` when a reading reaches that share of
      ``included``, once per crossing (it re-arms when a reading falls below it again).
    """

    item: str
    unit: str
    """The unit the meter counts (e.g. minutes, GB)."""
    measure: Literal["peak", "total"]
    period: Literal["calendar_month"] = "calendar_month"
    """The period over which usage is totalled and billed."""
    billing: Literal["next_invoice", "immediate"] = "next_invoice"
    included: Dec | None = Field(default=None, ge=0)
    unit_price: Dec | None = Field(default=None, ge=0)
    block: Dec | None = Field(default=None, gt=0, examples=['"100"'])
    """Use above the allowance is counted in started blocks of this many units, and
    `unit_price` is the price of a block ("EUR 5 per started 100 lines": block "100")."""
    warn_at_percent: Dec | None = Field(default=None, gt=0, le=100)
    warn_clause: Clauses | None = None
    """The clause for the usage warning threshold."""


class PurchaseRule(Rule):
    """One-off items bought during the contract (event ``purchase``).

    ``item`` names the item the rule covers; a rule without ``item`` covers every other item.
    ``price`` is a price fixed by the terms: a purchase at another amount is refused.
    ``invoicing: immediate`` issues a one-off invoice on the purchase day; ``next_invoice`` adds
    the line to the next subscription invoice. ``cancellable: false`` records that the customer
    cannot cancel the purchase: nothing is ever refunded or credited for it.
    ``requires_acceptance: true``: the customer must have accepted the quote or signed the
    separate agreement before delivery; a purchase event without ``accepted: true`` is refused.
    ``unit`` (e.g. hours) prices the purchase per unit: the event gives its ``quantity`` and its
    amount must be quantity x ``unit_price`` (rounded to the cent); ``unit_price`` is usually
    contract-level (overrides ``usage.purchases.<name>.unit_price``): without it the purchase is
    refused.
    """

    name: str | None = None
    """A name for the purchase rule (one per item or kind of purchase)."""
    item: str | None = None
    price: Dec | None = Field(default=None, gt=0)
    unit: str | None = None
    unit_price: Dec | None = Field(default=None, gt=0)
    invoicing: Literal["immediate", "next_invoice"]
    cancellable: bool = False
    """Whether a purchase may be cancelled (and credited)."""
    requires_acceptance: bool = False
    """The purchase needs the customer's written acceptance (event field accepted: true)."""

    @model_validator(mode="after")
    def _one_way_to_price(self) -> PurchaseRule:
        if self.unit_price is not None and self.unit is None:
            raise ValueError("a unit_price needs its unit")
        if self.unit is not None and self.price is not None:
            raise ValueError("a purchase is priced either at a fixed price or per unit")
        return self


class UsageRule(Rule):
    """Parameters of the usage mechanism, each citing its clause."""

    meters: dict[str, MeterRule] = Field(default_factory=dict)
    purchases: tuple[PurchaseRule, ...] = ()

    @model_validator(mode="after")
    def _one_rule_per_item(self) -> UsageRule:
        items = [p.item for p in self.purchases]
        if len(items) != len(set(items)):
            raise ValueError("two purchase rules cover the same item")
        for name, meter in self.meters.items():
            if meter.warn_at_percent is not None and meter.warn_clause is None:
                raise ValueError(f"meter {name!r}: a warning threshold needs its warn_clause")
        return self

    def purchase_rule(self, item: str) -> PurchaseRule | None:
        exact = [p for p in self.purchases if p.item == item]
        if exact:
            return exact[0]
        return next((p for p in self.purchases if p.item is None), None)
