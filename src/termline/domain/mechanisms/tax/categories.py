"""Which VAT category a supply falls in (UNCL5305 codes as EN 16931 uses them).

* S: the supplier's standard rate, for a domestic sale or a buyer without a valid VAT number
  of another member state.
* AE: reverse charge, for B2B services to a buyer established in another EU member state with
  a valid VAT number (Directive 2006/112/EC art. 44 and 196): the buyer accounts for the VAT.
* O: outside the scope of VAT: B2B services to a business in another country where seller and
  buyer are not both in the EU (place of supply with the buyer, art. 44; Norway's
  merverdiavgiftsloven § 3-30 likewise), and late-payment interest, reminder fees and collection
  costs, which are compensation for damage and not consideration for a supply (see
  docs/readings.md, "VAT on fees and interest").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from mypy_extensions import mypyc_attr
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError

from termline.domain.mechanisms.tax.rates import standard_rate
from termline.domain.values.record_build import assigned

EU = frozenset({"AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR",
                "HU", "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI",
                "SK"})
Supply = Literal["service", "compensation"]


@mypyc_attr(native_class=False)  # compiled: a plain Python record, as `Action`
@assigned
@dataclass(frozen=True, slots=True)
class VatCategory:
    code: str  # S, AE, O, E, Z
    percent: Decimal
    exemption_code: str | None = None  # VATEX code (BT-121)
    exemption_reason: str | None = None  # BT-120, the legal mention


REVERSE_CHARGE = ("VATEX-EU-AE", "Reverse charge: VAT to be accounted for by the recipient "
                  "(Directive 2006/112/EC art. 44 and 196)")
NOT_SUBJECT = ("VATEX-EU-O", "Not subject to VAT")
OUTSIDE_EU = ("VATEX-EU-O", "Not subject to VAT: services to a business established outside the "
              "EU, taxable where the customer is established (Directive 2006/112/EC art. 44)")
COMPENSATION = ("VATEX-EU-O", "Not subject to VAT: compensation for late payment, not "
                "consideration for a supply")
# the catalogue's msgid of `reason` (termline.adapters.catalogue), its placeholders the two
# member states' ISO codes
NO_VAT_NUMBER = ("VAT of {seller} charged: the customer gave no VAT number of {buyer} and is "
                 "treated as a non-taxable person (Directive 2006/112/EC art. 45; art. 58 and "
                 "59c below the EU threshold)")


def vat_country(number: str | None) -> str | None:
    """The member state of a valid EU VAT number (Greece as GR), else None."""
    if not number:
        return None
    try:
        # validated once: `validate` gives the compact form, where `is_valid` then `compact`
        # cleaned the number and looked its country up twice, for each document issued
        prefix = eu_vat.validate(number)[:2]
    except ValidationError:
        return None
    return "GR" if prefix == "EL" else prefix


def category(seller_country: str, buyer_country: str | None, buyer_vat: str | None,
             day: date, supply: Supply = "service") -> VatCategory:
    """The VAT category and rate of a supply made on `day`."""
    if supply == "compensation":
        return VatCategory("O", Decimal("0"), *COMPENSATION)
    buyer_state = vat_country(buyer_vat)
    if seller_country in EU and buyer_state in EU and buyer_state != seller_country:
        return VatCategory("AE", Decimal("0"), *REVERSE_CHARGE)
    abroad = buyer_state or buyer_country
    if buyer_vat is not None and abroad and abroad != seller_country:
        # B2B services to a business in another country, not both in the EU: the place of
        # supply is where the customer is established, outside the seller's VAT. A British,
        # Norwegian or Swiss VAT number (or Northern Ireland's XI, goods only) is a business
        # outside the EU for services.
        mention = OUTSIDE_EU if seller_country in EU and abroad not in EU else NOT_SUBJECT
        return VatCategory("O", Decimal("0"), *mention)
    return VatCategory("S", standard_rate(seller_country, day).rate)


def reason(seller_country: str, buyer_country: str | None, buyer_vat: str | None,
           cat: VatCategory) -> tuple[str, dict[str, str]] | None:
    """Why a customer in another member state pays the seller's VAT, for the document: it gave
    no VAT number of its member state, so it is a non-taxable person for VAT and the supplier
    charges the VAT of its own country (Directive 2006/112/EC art. 45; for electronically
    supplied services below the EU threshold, art. 58 and 59c). The mention as the catalogue's
    msgid and its values, so each document says it in the customer's language."""
    if cat.code != "S" or seller_country not in EU or buyer_country not in EU \
            or buyer_country == seller_country or vat_country(buyer_vat) is not None:
        return None
    return NO_VAT_NUMBER, {"seller": seller_country, "buyer": buyer_country}
