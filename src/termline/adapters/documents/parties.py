"""Seller (tenant profile) and buyer (contract customer) data, checked with python-stdnum."""

from __future__ import annotations

from email.utils import formataddr, getaddresses, parseaddr
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from termline.adapters.catalogue import LANGUAGES
from termline.adapters.journal.chart import Chart
from termline.domain.values.identifiers import (
    check_bic,
    check_company_id,
    check_creditor_id,
    check_iban,
    check_peppol_id,
    check_vat,
)

# Peppol EAS codes: a VAT number as endpoint, by the country of the number.
VAT_SCHEMES = {"BE": "9925", "NL": "9944", "DE": "9930", "FR": "9957", "IT": "0211",
               "AT": "9914", "ES": "9920", "LT": "9937", "DK": "0184", "NO": "0192",
               "GB": "9932", "CH": "9927"}
# The national legal-entity identifier scheme (BT-30 scheme) of a company id, by country.
COMPANY_SCHEMES = {"BE": "0208", "NL": "0106", "DK": "0184", "NO": "0192", "LT": "0200"}


class Address(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    street: str | None = None
    city: str | None = None
    postal_code: str | None = None


def check_mail_from(value: str) -> str:
    """An e-mail sender, `address` or `Name <address>`, without line breaks: the address as
    written, normalised by `email.utils`."""
    if any(ch in value for ch in "\r\n\0"):
        raise ValueError("mail_from may not contain line breaks")
    name, address = parseaddr(value)
    if len(getaddresses([value])) != 1:
        raise ValueError("mail_from is one address")
    local, at, domain = address.rpartition("@")
    if not at or not local or "." not in domain or " " in address or domain.startswith("."):
        raise ValueError(f"mail_from {value!r} is not an e-mail address "
                         "(write billing@example.com or Billing <billing@example.com>)")
    return formataddr((name, address)) if name else address


class SellerProfile(BaseModel):
    """`termline tenant profile NAME FILE.yaml`: who issues the tenant's invoices."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    legal_name: str = Field(min_length=1)
    street: str = Field(min_length=1)
    city: str = Field(min_length=1)
    postal_code: str = Field(min_length=1)
    country: str = Field(pattern=r"^[A-Z]{2}$")
    vat_number: str
    company_id: str | None = None
    iban: str
    bic: str | None = None
    peppol_id: str
    invoice_prefix: str = Field(default="", pattern=r"^[A-Za-z0-9/-]{0,12}$")
    credit_note_prefix: str | None = Field(default=None, pattern=r"^[A-Za-z0-9/-]{1,12}$")
    number_per_year: bool = True
    terms_url: str | None = None
    logo: str | None = None
    creditor_id: str | None = None  # SEPA creditor identifier, for direct debits
    language: str = "en"
    # The sender of the tenant's e-mails ("Billing <billing@seller.example>"); the operator
    # sets up SPF and DKIM for its domain (docs/documents.md, "What customers receive").
    mail_from: str | None = None
    accounts: Chart = Field(default_factory=Chart)  # the chart of `termline journal`

    @field_validator("mail_from")
    @classmethod
    def _mail_from(cls, value: str | None) -> str | None:
        return None if value is None else check_mail_from(value)

    @field_validator("vat_number")
    @classmethod
    def _vat(cls, value: str) -> str:
        return check_vat(value)

    @field_validator("iban")
    @classmethod
    def _iban(cls, value: str) -> str:
        return check_iban(value)

    @field_validator("bic")
    @classmethod
    def _bic(cls, value: str | None) -> str | None:
        if value is None:
            return None
        return check_bic(value)

    @field_validator("creditor_id")
    @classmethod
    def _creditor(cls, value: str | None) -> str | None:
        return None if value is None else check_creditor_id(value)

    @field_validator("peppol_id")
    @classmethod
    def _peppol(cls, value: str) -> str:
        return check_peppol_id(value)

    @field_validator("language")
    @classmethod
    def _language(cls, value: str) -> str:
        if value not in LANGUAGES:
            raise ValueError(f"language must be one of {', '.join(LANGUAGES)}")
        return value

    @model_validator(mode="after")
    def _company(self) -> SellerProfile:
        if self.company_id is not None:
            object.__setattr__(self, "company_id",
                               check_company_id(self.company_id, self.country))
        elif self.country == "BE":
            raise ValueError("a Belgian seller needs company_id (its enterprise number)")
        return self

    @property
    def credit_prefix(self) -> str:
        return self.credit_note_prefix or f"{self.invoice_prefix}CN"

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)
