"""The `prices:` section of a policy: indexation, index caps and announced changes.

* ``indexation``: an automatic price adjustment with a public index on each yearly renewal
  (Smartconnect 8.7): new = P_ref × (fixed_share + (1 − fixed_share) × S / S0).
* ``index_cap``: announced price increases are deemed agreed only up to an index's rise
  (ClientCom 5.5, SmartWeb 3.3); a larger increase is refused with the price that would pass.
* ``increase_cap``: announced increases pass only up to a fixed percentage per term, optionally
  only while the price is below a list price.
* ``price_changes`` / ``terms_changes``: the lead time, the date a change may take effect, the
  frequency cap and the customer's objection or termination right for announced changes.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field, model_validator

from termline.domain.values.duration import Duration
from termline.domain.values.rule import Dec, Dur, Rule


class IndexationRule(Rule):
    """Automatic indexation on each anniversary of the paid start (the yearly renewal date).

    ``new_month``: the index month S is December of the year before the renewal.
    ``base_month``: S0 is the month before the agreement took effect (the paid start).
    ``base``: ``original`` indexes the price laid down at the start (or by the last announced
    change) with the fixed S0; ``chain`` indexes the price in force with the previous S.
    """

    series: str
    """The index series (by name) whose values drive the indexation."""
    fixed_share: Dec = Decimal("0.2")
    """The share of the price that is not indexed (0.2 in 0.2 + 0.8 S/S0)."""
    base: Literal["original", "chain"] = "original"
    new_month: Literal["december_before"] = "december_before"
    base_month: Literal["month_before_start"] = "month_before_start"
    every: Dur = Field(default_factory=lambda: Duration.parse("12 months"))
    """How often prices are indexed (on each anniversary of the paid start)."""

    @model_validator(mode="after")
    def _share(self) -> IndexationRule:
        if not Decimal(0) <= self.fixed_share <= Decimal(1):
            raise ValueError("fixed_share is a fraction between 0 and 1")
        if not self.every.months:
            raise ValueError("indexation happens every N months or years")
        return self


class IndexCapRule(Rule):
    """An announced increase passes only while it keeps pace with `series`.

    ``base: price_in_force``: (new / price in force) ≤ index(month before the announcement) /
    index(twelve months earlier). ``base: price_at_start``: new ≤ contract price ×
    index(month before the announcement) / index(month before the paid start).
    Items in ``exempt_items`` are not capped.
    """

    series: str
    """The index series the increases are compared with."""
    base: Literal["price_in_force", "price_at_start"]
    exempt_items: tuple[str, ...] = ()


class PercentCapRule(Rule):
    """An announced increase passes only up to ``percent`` % per term, with no index series.

    The new price is at most the price in force before the term in which the change takes
    effect (the contract's price in the first term) x (1 + ``percent`` / 100): several
    increases in one term share the allowance. With ``below_list_price_only``, only an item
    whose price is below its ``list_prices`` entry is capped, and never above that list
    price ("at most 5 % a year until the list price is reached"); an item at or above its list
    price, or without one, is not capped by this rule. A larger increase is refused with the
    highest price that passes.
    """

    percent: Dec = Field(gt=0, examples=['"5"'])
    below_list_price_only: bool = False
    list_prices: dict[str, Dec] = Field(default_factory=dict,
                                        examples=['{"ERP Seat": "60.00"}'])


class ChangeRule(Rule):
    """When an announced change may take effect, and what the customer can do about it.

    Effective date: the announced ``effective`` must be at least ``lead`` after the
    announcement (and ``not_before_start_plus`` after the paid start); it is then moved to
    the first date the pack aligns changes to (``align``):

    * ``none``: the announced date;
    * ``term_start``: the start of a later term (not the current one);
    * ``next_invoice``: the period of the first subscription invoice dated on or after it;
    * ``billing_period_start``: the first billing period start on or after it.

    ``not_before_initial_term_end``: never inside the initial term.
    ``max_increases`` price increases may take effect within any ``per`` window
    (``max_increases_exceptional`` when the announcement says ``exceptional: true``).

    Customer rights (``customer_right_opened``): ``objection_window`` after the announcement
    (or until the change takes effect when ``objection_until: effective``);
    ``terminate_until: effective`` (may terminate with effect on the change date) or
    ``term_notice`` (usual notice to end the term before the change). An objection either
    ends the contract the day before the change (``on_objection: terminate``) or keeps the old
    terms for the contract (``keep_old_terms``).
    """

    lead: Dur
    align: Literal["none", "term_start", "next_invoice", "billing_period_start"] = "none"
    not_before_initial_term_end: bool = False
    not_before_start_plus: Dur | None = None
    max_increases: int | None = Field(default=None, ge=1)
    max_increases_exceptional: int | None = Field(default=None, ge=1)
    per: Dur = Field(default_factory=lambda: Duration.parse("12 months"))
    objection_window: Dur | None = None
    objection_until: Literal["window", "effective"] = "window"
    on_objection: Literal["terminate", "keep_old_terms"] | None = None
    terminate_until: Literal["effective", "term_notice"] | None = None

    @model_validator(mode="after")
    def _objection(self) -> ChangeRule:
        has_window = self.objection_window is not None or self.objection_until == "effective"
        if has_window and self.on_objection is None:
            raise ValueError("an objection right needs 'on_objection' (terminate or "
                             "keep_old_terms)")
        if self.on_objection is not None and not has_window:
            raise ValueError("'on_objection' needs an objection_window or "
                             "objection_until: effective")
        if (self.max_increases_exceptional is not None and self.max_increases is not None
                and self.max_increases_exceptional < self.max_increases):
            raise ValueError("max_increases_exceptional is at least max_increases")
        return self


class MigrationRule(Rule):
    """Migration to a replacement application whose costs the customer may decline.

    A decline gives both parties a premature termination on ``termination_notice``: a notice
    then ends the contract at notice + that period when this is earlier than the term end.
    """

    termination_notice: Dur


class PricesRule(Rule):
    """Parameters of the pricing mechanism, each citing its clause."""

    migration: MigrationRule | None = None

    indexation: IndexationRule | None = None
    index_cap: IndexCapRule | None = None
    increase_cap: PercentCapRule | None = None
    price_changes: ChangeRule | None = None
    terms_changes: ChangeRule | None = None
