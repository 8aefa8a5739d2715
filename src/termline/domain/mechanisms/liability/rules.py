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

from pydantic import Field, model_validator

from termline.domain.values.rule import Dec, Dur, Rule

Reset = Literal["none", "calendar_year", "contract_year"]


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
    reset: Reset = Field(default="none", examples=["contract_year"])
    """With `aggregate`: claims counted together per calendar or contract year."""
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
    reset: Reset = Field(default="none", examples=["contract_year"])
    """With `aggregate`: claims counted together per calendar or contract year."""
    percent: Dec = Field(default=Decimal(100), gt=0, le=100,
                         description="The cap is this percentage of the basis.",
                         examples=['"50"'])


class CapAmount(Rule):
    amount: Dec = Field(gt=0)
    """The amount, in the policy's currency."""
    aggregate: bool = False
    """The amount holds for all claims of the contract together."""
    reset: Reset = Field(default="none", examples=["calendar_year"])
    """With `aggregate`: the claims counted together are those of the same calendar year or
    contract year as the event ("at most EUR 10,000 per calendar year"); `none`: all of them."""


class LedgerBasis(Rule):
    """Fees from the contract's ledger (excl. VAT; subscription fees of the price-list lines,
    not usage, purchases, dunning fees or interest):

    * ``fees_payable``: the fees invoiced in ``window`` before the event, paid or not;
    * ``contract_year_fees``: the fees invoiced for the periods that start in the contract
      year of the event (the year from the contract's start, or an anniversary of it).
    """

    kind: Literal["fees_payable", "contract_year_fees"] = Field(examples=["contract_year_fees"])
    window: Dur | None = Field(default=None, examples=["12 months"])
    """For fees_payable: how far back from the event the invoices count."""
    aggregate: bool = False
    """The cap holds for all claims of the contract together."""
    reset: Reset = Field(default="none", examples=["contract_year"])
    """With `aggregate`: claims counted together per calendar or contract year."""
    percent: Dec = Field(default=Decimal(100), gt=0, le=100,
                         description="The cap is this percentage of the basis.",
                         examples=['"25"'])

    @model_validator(mode="after")
    def _window(self) -> LedgerBasis:
        if self.kind == "fees_payable" and self.window is None:
            raise ValueError("basis fees_payable needs a 'window' (e.g. 12 months)")
        return self


UnlimitedKind = Literal["injury", "intent", "gross_negligence", "data_protection"]


class UnlimitedRule(Rule):
    """Kinds of claim for which the terms set no cap ("unlimited liability for injury to
    life, body or health, intent and gross negligence"): the cap is none, citing this clause.
    ``data_protection`` only where the text says so."""

    kinds: tuple[UnlimitedKind, ...] = Field(min_length=1, examples=[
        "[injury, intent, gross_negligence]"])


class InsuranceRule(Rule):
    """When the insurer pays for the event, the cap is the payout plus the provider's excess."""


class ReportingRule(Rule):
    """Compensation only if the damage is reported within ``within`` of its discovery."""

    within: Dur


LiabilityBasis = Annotated[PaidBasis | FeesBasis | LedgerBasis, Field(discriminator="kind")]


class LiabilityRule(Rule):
    """Parameters of the liability-cap computation, each citing its clause."""

    basis: LiabilityBasis
    maximum: CapAmount | None = Field(default=None, examples=[
        '{clause: "9.2", amount: "10000.00", aggregate: true, reset: calendar_year}'])
    """A fixed maximum on the cap ("25 %, at most EUR 10,000 per calendar year"): the cap is
    never above it; with `aggregate` it holds for the claims counted together, less what
    was paid out for them (section CapAmount)."""
    minimum: CapAmount | None = Field(default=None, examples=[
        '{clause: "9.2", amount: "5000.00"}'])
    """A floor under a percentage cap ("25 % of the annual fees, at least EUR 5,000"):
    the cap is never below it (section CapAmount)."""
    unlimited: UnlimitedRule | None = Field(default=None, examples=[
        '{clause: "9.1", kinds: [injury, intent, gross_negligence]}'])
    """Kinds of claim with no cap at all (section UnlimitedRule)."""
    injury: CapAmount | None = None
    """A separate cap for death, injury or damage to property (section CapAmount)."""
    insurance: InsuranceRule | None = None
    reporting: ReportingRule | None = None
