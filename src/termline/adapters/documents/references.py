"""Payment references: the Belgian structured communication (OGM/VCS) for Belgian sellers, the
invoice number elsewhere; and the EPC QR code (SEPA credit transfer) a bank app scans.

The OGM's first ten digits are the last ten digits of the invoice number (zero-padded), so
a number is found back from the reference the bank reports; the last two are the mod 97 check
(python-stdnum `stdnum.be.ogm_vcs`). A credit note's OGM starts with 9 followed by the last nine
digits of its number: an invoice's ten digits start with its year (2027000001) or with the
zeros of its padding, so no credit note of a tenant carries the reference of an invoice.
"""

from __future__ import annotations

from decimal import Decimal

import segno
from stdnum.be import ogm_vcs


def ogm_digits(number: str, credit: bool = False) -> str:
    """The 12 digits of the OGM for an invoice number (a credit note's with `credit`)."""
    found = "".join(ch for ch in number if ch.isdigit())
    digits = "9" + found[-9:].rjust(9, "0") if credit else found[-10:].rjust(10, "0")
    return digits + ogm_vcs.calc_check_digits(digits)


def ogm(number: str, credit: bool = False) -> str:
    """The OGM as printed on a Belgian invoice: +++123/4567/89012+++."""
    return f"+++{ogm_vcs.format(ogm_digits(number, credit))}+++"


def structured(reference: str) -> str | None:
    """The 12 digits of an OGM given in any form (+++...+++, spaces, slashes), else None."""
    compact = "".join(ch for ch in reference if ch.isdigit())
    return compact if len(compact) == 12 and ogm_vcs.is_valid(compact) else None


def payment_reference(number: str, seller_country: str, credit: bool = False) -> str:
    return ogm(number, credit) if seller_country == "BE" else number


def epc_payload(name: str, iban: str, amount: Decimal, text: str, bic: str | None = None
                ) -> str:
    """The text of an EPC QR code (EPC069-12 version 002, UTF-8, SEPA credit transfer): service
    tag, version, character set, identification, BIC, name, IBAN, amount, purpose, structured
    reference, unstructured text, one per line. The reference goes in the text field."""
    if not Decimal("0.01") <= amount <= Decimal("999999999.99"):
        raise ValueError(f"an EPC QR code carries 0.01 to 999999999.99 EUR, not {amount}")
    fields = ["BCD", "002", "1", "SCT", bic or "", name[:70], iban, f"EUR{amount:.2f}", "", "",
              text[:140]]
    return "\n".join(fields)


def epc_qr(payload: str) -> segno.QRCode:
    """The QR code of an EPC payload (error correction M, as the EPC guideline requires)."""
    return segno.make_qr(payload, error="m", encoding="utf-8", boost_error=False)
