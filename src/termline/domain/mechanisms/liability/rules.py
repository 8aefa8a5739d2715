"""The `liability:` section of a policy: the cap on the provider's liability for one event.

The cap is ``basis`` (what the customer paid in a window before the event, or the fees for a
period), limited by ``maximum``; ``injury`` replaces both for death, injury or damage to
property; ``insurance`` replaces the basis when an insurer pays; ``reporting`` is a condition
for any compensation. ``aggregate: true`` marks a limit that holds for all claims of the
contract together: liability already paid out is deducted from it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field

from termline.domain.values.rule import Dec, Dur, Rule


class PaidBasis(Rule):
    """What the customer paid in ``window`` before the event (cash basis, excl. VAT).

    ``counts: licence_fees`` counts only the part of a payment that went to subscription
    fees (contract price-list lines), not usage, purchases, dunning fees or interest.
    """

    kind: Literal["paid_in_window"]
    """paid_in_window: the basis is what the customer paid in a window before the event."""
    window: Dur
    counts: Literal["payments", "licence_fees"] = "payments"
    aggregate: bool = False
    """The cap holds for all claims of the contract together (liability already paid out is
    deducted)."""
    percent: Dec = Field(default=Decimal(100), gt=0, le=100,
                         description="The cap is this percentage of the basis (\"50\": half "
                         "of what was paid).", examples=['"50"'])


class FeesBasis(Rule):
    """The fees (excl. VAT) of the contract's price list in force for ``period``.

    ``limit_to_term``: the price of an agreement whose term is shorter than ``period`` is the
    fees of that term.
    """

    kind: Literal["fees_for_period"]
    """fees_for_period: the basis is the fees of the price list for a period."""
    period: Dur
    limit_to_term: bool = False
    aggregate: bool = False
    """The cap holds for all claims of the contract together."""
    percent: Dec = Field(default=Decimal(100), gt=0, le=100,
                         description="The cap is this percentage of the basis.",
                         examples=['"50"'])


class CapAmount(Rule):
    amount: Dec = Field(gt=0)
    """The amount, in the policy's currency."""
    aggregate: bool = False
    """The amount holds for all claims of the contract together."""


class InsuranceRule(Rule):
    """When the insurer pays for the event, the cap is the payout plus the provider's excess."""


class ReportingRule(Rule):
    """Compensation only if the damage is reported within ``within`` of its discovery."""

    within: Dur


LiabilityBasis = Annotated[PaidBasis | FeesBasis, Field(discriminator="kind")]


class LiabilityRule(Rule):
    """Parameters of the liability-cap computation, each citing its clause."""

    basis: LiabilityBasis
    maximum: CapAmount | None = None
    """A fixed maximum on the cap (section CapAmount)."""
    injury: CapAmount | None = None
    """A separate cap for death, injury or damage to property (section CapAmount)."""
    insurance: InsuranceRule | None = None
    reporting: ReportingRule | None = None
