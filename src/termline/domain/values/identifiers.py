"""Identifiers checked with python-stdnum when they are stored: VAT numbers, Belgian
enterprise numbers, IBAN/BIC and Peppol participant ids (`scheme:identifier`)."""

from __future__ import annotations

from stdnum import bic as std_bic
from stdnum import iban as std_iban
from stdnum.be import vat as be_vat
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError


def check_vat(number: str) -> str:
    """A VAT number in its compact form with the country prefix, or ValueError: an EU number,
    or a British (GB), Norwegian (NO ... MVA) or Swiss (CHE ... MWST/TVA/IVA) one."""
    text = number.replace(" ", "").replace(".", "").replace("-", "").upper()
    if text.startswith("NO") and (text.endswith("MVA") or text[2:].isdigit()):
        from stdnum.no import mva

        try:
            return "NO" + str(mva.validate(text))
        except ValidationError as exc:
            raise ValueError(f"invalid Norwegian VAT number {number!r}: {exc}") from None
    if text.startswith("GB"):
        from stdnum.gb import vat as gb_vat

        try:
            return "GB" + str(gb_vat.validate(text))
        except ValidationError as exc:
            raise ValueError(f"invalid British VAT number {number!r}: {exc}") from None
    if text.startswith("CHE"):
        from stdnum.ch import vat as ch_vat

        try:
            return str(ch_vat.validate(text))
        except ValidationError as exc:
            raise ValueError(f"invalid Swiss VAT number {number!r}: {exc}") from None
    try:
        return str(eu_vat.validate(text))
    except ValidationError as exc:
        raise ValueError(f"invalid VAT number {number!r}: {exc}") from None


def check_company_id(number: str, country: str | None) -> str:
    """A company registration number; a Belgian enterprise number is checked (mod 97)."""
    text = number.replace(" ", "").replace(".", "")
    if country == "BE":
        try:
            return str(be_vat.validate(text))
        except ValidationError as exc:
            raise ValueError(f"invalid Belgian enterprise number {number!r}: {exc}") from None
    return text


def check_peppol_id(value: str) -> str:
    scheme, sep, ident = value.partition(":")
    if not sep or not scheme.isdigit() or len(scheme) != 4 or not ident:
        raise ValueError(f"a Peppol id is scheme:identifier, e.g. 0208:0123456749; got {value!r}")
    if scheme == "0208":
        check_company_id(ident, "BE")
    return value


def check_iban(value: str) -> str:
    try:
        return str(std_iban.validate(value))
    except ValidationError as exc:
        raise ValueError(f"invalid IBAN {value!r}: {exc}") from None


def check_bic(value: str) -> str:
    try:
        return str(std_bic.validate(value))
    except ValidationError as exc:
        raise ValueError(f"invalid BIC {value!r}: {exc}") from None


def check_creditor_id(value: str) -> str:
    """A SEPA creditor identifier (EPC AT-02), e.g. BE69ZZZ050D000000008."""
    from stdnum.eu import at_02

    try:
        return str(at_02.validate(value))
    except ValidationError as exc:
        raise ValueError(f"invalid SEPA creditor identifier {value!r}: {exc}") from None
