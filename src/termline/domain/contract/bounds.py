"""The bounds every intake path applies to a value before it reaches the engine (files, CLI
and API alike): calendar days in 1900..2199 given as ISO text (a number is not a day), amounts
written with ASCII digits and a point only, countries that exist in ISO 3166-1, e-mail
addresses that parse (email-validator), URLs that are http(s), identifiers of a safe
alphabet. Each raises ValueError with what is wrong; pydantic names the field."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pycountry
from email_validator import EmailNotValidError, validate_email

FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2199, 12, 31)
# A-Z a-z 0-9 . _ - with no '..' (nor a leading or trailing '.'); 1 to 100 long (max_length)
ID_PATTERN = r"^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$"
MAX_URL = 2000
# what the OpenAPI states of a day: ISO text in 1900..2199
DAY_PATTERN = r"^(19|20|21)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
MAX_AMOUNT = Decimal("1E13")  # as scenario.model's: far below the store's NUMERIC(19,4)

_ISO_DAY = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_AMOUNT = re.compile(r"^-?[0-9]{1,16}(\.[0-9]{1,6})?$")
_ID = re.compile(ID_PATTERN)
_COUNTRIES = frozenset(c.alpha_2 for c in pycountry.countries)


def iso_day(value: Any) -> Any:
    """Before parsing: a day is a date or its ISO text, never a number (0 is not 1970-01-01)."""
    if isinstance(value, (bool, int, float)):
        raise ValueError("a date is written as YYYY-MM-DD text, not a number")
    if isinstance(value, str) and not _ISO_DAY.match(value):
        raise ValueError(f"{value[:40]!r} is not a date as YYYY-MM-DD")
    return value


def day_in_range(value: date) -> date:
    if not FIRST_DAY <= value <= LAST_DAY:
        raise ValueError(f"{value.isoformat()} is outside {FIRST_DAY.isoformat()} to "
                         f"{LAST_DAY.isoformat()}")
    return value


def ascii_amount(value: Any) -> Any:
    """Before parsing: an amount as text has ASCII digits and at most one point; no exponent,
    spaces, signs other than '-', or other scripts' digits."""
    if isinstance(value, str) and not _AMOUNT.match(value):
        try:  # what is wrong with a number Python reads is said as such (NaN, 1e400)
            number = Decimal(value.strip())
        except InvalidOperation:
            number = None
        if number is not None and not number.is_finite():
            raise ValueError(f"{value[:40]} is not a finite number")
        if number is not None and abs(number) >= MAX_AMOUNT:
            raise ValueError(f"{value[:40]} is out of range (at most {MAX_AMOUNT:,.0f})")
        raise ValueError(f"{value[:40]!r} is not an amount written as digits 0-9 with an "
                         "optional point, e.g. 100.00")
    if isinstance(value, bool):
        raise ValueError("an amount is a number, not true/false")
    return value


def country(value: Any) -> Any:
    if isinstance(value, str):
        value = value.upper()
        if value not in _COUNTRIES:
            raise ValueError(f"{value[:10]!r} is not an ISO 3166-1 alpha-2 country code")
    return value


def email(value: str) -> str:
    if any(c in value for c in "\r\n\x00"):
        raise ValueError("an e-mail address holds no line break or NUL")
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ValueError(f"not an e-mail address: {exc}") from None


def identifier(value: str) -> str:
    if len(value) > 100 or not _ID.match(value):
        raise ValueError("an id is 1 to 100 of A-Z a-z 0-9 . _ - (and no '..')")
    return value


def web_url(value: str) -> str:
    """An http(s) URL, normalised (lower-case scheme and host, no fragment)."""
    if len(value) > MAX_URL or any(c.isspace() or ord(c) < 32 or c == "\x7f" for c in value):
        raise ValueError(f"a URL of at most {MAX_URL} characters without spaces or control "
                         "characters is required")
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        raise ValueError("the URL does not parse") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValueError("an http or https URL with a host is required")
    if parts.username is not None or parts.password is not None:
        raise ValueError("the URL may not carry credentials")
    netloc = parts.netloc.rsplit("@", 1)[-1].lower()
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", parts.query, ""))
