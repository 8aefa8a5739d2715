"""The payment-terms line of a document, in the customer's language (message catalogue).

It names the seller of the document (the tenant's profile), never the pack's author: a pack is
the terms' mechanism, and several tenants may run one pack. Clause numbers come from the
policy."""

from __future__ import annotations

from babel import Locale
from babel.numbers import format_decimal
from babel.units import format_unit

from termline.adapters.catalogue import LOCALES, language_of, text
from termline.adapters.documents.parties import SellerProfile
from termline.domain.policy.schema import Policy
from termline.domain.values.duration import Duration, Unit

_UNITS = {Unit.DAYS: "duration-day", Unit.WEEKS: "duration-week",
          Unit.MONTHS: "duration-month", Unit.YEARS: "duration-year"}


def document_language(customer_language: str | None, seller_language: str | None) -> str:
    """The customer's language where the contract gives it, else the seller's, else English."""
    return language_of(customer_language or seller_language)


def duration_text(value: Duration, language: str) -> str:
    """"30 days" in the language, with CLDR's plural forms (business days from the catalogue)."""
    locale = LOCALES[language_of(language)]
    if value.unit is Unit.BUSINESS_DAYS:
        if value.number == 1:
            return text(language, "1 business day")
        return text(language, "{n} business days", n=value.number)
    return str(format_unit(value.number, _UNITS[value.unit], locale=locale))


def clauses_text(clauses: tuple[str, ...] | list[str]) -> str:
    return ", ".join(clauses)


def payment_terms(policy: Policy, profile: SellerProfile, language: str) -> str:
    """The clause governing payment and late-payment interest, and the seller's terms URL."""
    lang = language_of(language)
    pay, interest = policy.payment, policy.interest
    parts = [text(lang, "{seller}: payment within {term} (clause {clauses})",
                  seller=profile.legal_name, term=duration_text(pay.term, lang),
                  clauses=clauses_text(pay.clause))]
    clauses = clauses_text(interest.clause)
    if interest.method == "statutory":
        country = interest.jurisdiction or ""
        name = Locale.parse(LOCALES[lang]).territories.get(country, country)
        parts.append(text(lang, "late-payment interest at the statutory commercial rate of "
                                "{country} (clause {clauses})", country=name, clauses=clauses))
    elif interest.method in ("monthly_started", "monthly_compound") and interest.rate:
        msgid = ("late-payment interest of {rate} % per month or part of a month "
                 "(clause {clauses})" if interest.method == "monthly_started" else
                 "late-payment interest of {rate} % per completed month, compounded monthly "
                 "(clause {clauses})")
        parts.append(text(lang, msgid, rate=format_decimal(interest.rate, locale=LOCALES[lang]),
                          clauses=clauses))
    if profile.terms_url:
        parts.append(profile.terms_url)
    return "; ".join(parts)
