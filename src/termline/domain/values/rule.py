"""Building blocks of every policy rule: clause references, durations, decimals, rights.

Kept apart from the policy schema so that each mechanism's rules module can build on them
without importing the whole policy (which imports every mechanism's rules).
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    WithJsonSchema,
)

from termline.domain.values.duration import Duration

JsonDict = dict[str, Any]


def _clauses(value: Any) -> tuple[str, ...]:
    if isinstance(value, (str, int, float)):
        value = [value]
    if not isinstance(value, (list, tuple)) or not value:
        raise ValueError("a clause reference is a clause number or a non-empty list of them")
    out = []
    for item in value:
        if isinstance(item, float):
            raise ValueError(f"quote clause numbers: write \"{item}\", not {item}")
        text = str(item).strip()
        if not text:
            raise ValueError("empty clause reference")
        out.append(text)
    return tuple(out)


def _clauses_or_none(value: Any) -> tuple[str, ...]:
    """A clause reference that may be empty: the section of a right or offer the terms do not
    grant (a trial not offered, a right switched off) cites nothing, and the store keeps it so."""
    if isinstance(value, (list, tuple)) and not value:
        return ()
    return _clauses(value)


def _duration(value: Any) -> Duration:
    if isinstance(value, Duration):
        return value
    if not isinstance(value, str):
        raise ValueError(f"a duration is text such as '30 days', got {value!r}")
    return Duration.parse(value)


def _decimal(value: Any) -> Decimal:
    if isinstance(value, float):
        raise ValueError(f"quote amounts and rates as text (\"{value}\"), floats lose cents")
    if isinstance(value, Decimal):
        return value
    if isinstance(value, (int, str)):
        try:
            return Decimal(str(value))
        except Exception as exc:
            raise ValueError(f"not a decimal number: {value!r}") from exc
    raise ValueError(f"not a decimal number: {value!r}")


def _currency(value: Any) -> str:
    from babel.numbers import is_currency

    if not isinstance(value, str) or len(value) != 3 or not value.isupper() \
            or not is_currency(value):
        raise ValueError(f"not an ISO 4217 currency code: {value!r} (e.g. EUR, DKK, NOK)")
    return value


@cache
def _zone_names() -> frozenset[str]:
    from zoneinfo import available_timezones

    return frozenset(available_timezones())


def _timezone(value: Any) -> str:
    if not isinstance(value, str) or value not in _zone_names():
        raise ValueError(f"not an IANA time zone: {value!r} (e.g. Europe/Brussels)")
    return value


def _calendar(value: Any) -> str:
    """A country code (national holidays) or a country and subdivision (`DE-BE`: Berlin)."""
    import difflib

    import holidays

    supported = holidays.list_supported_countries()
    country, _, subdiv = value.partition("-") if isinstance(value, str) else ("", "", "")
    if country not in supported:
        raise ValueError(f"no public-holiday calendar for {value!r}: a country code such as "
                         "BE, NL, DK or NO, or a country and its region such as DE-BE")
    if subdiv and subdiv not in supported[country]:
        close = difflib.get_close_matches(subdiv, supported[country], n=1)
        hint = f" (did you mean '{country}-{close[0]}'?)" if close else ""
        raise ValueError(f"{country} has no region {subdiv!r} in the holiday calendars{hint}; "
                         f"its regions: {', '.join(supported[country])}")
    return str(value)


def _currency_codes() -> list[str]:
    from babel.numbers import list_currencies

    return sorted(code for code in list_currencies() if len(code) == 3 and code.isupper())


_CLAUSE_SCHEMA: JsonDict = {
    "anyOf": [{"type": "string", "minLength": 1},
              {"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1}],
    "description": "The clause number of the terms, quoted (\"4.2\"), or a list of them.",
}
_DURATION_SCHEMA: JsonDict = {
    "type": "string", "pattern": r"^\s*\d+\s+[a-z ]+?\s*$",
    "description": "A duration as the terms write it: a number and a unit (days, business "
                   "days, weeks, months, years).",
    "examples": ["30 days", "10 business days", "1 month", "12 months"],
}
_DECIMAL_SCHEMA: JsonDict = {
    "anyOf": [{"type": "string", "pattern": r"^-?\d+(\.\d+)?$"}, {"type": "integer"}],
    "description": "An exact decimal, quoted (\"14.00\", \"1.5\"): floats lose cents.",
}

Clauses = Annotated[tuple[str, ...], BeforeValidator(_clauses), WithJsonSchema(_CLAUSE_SCHEMA)]
OptionalClauses = Annotated[tuple[str, ...], BeforeValidator(_clauses_or_none), WithJsonSchema({
    "anyOf": [{"type": "string", "minLength": 1},
              {"type": "array", "items": {"type": "string", "minLength": 1}}],
    "description": "The clause number of the terms, quoted (\"4.2\"), or a list of them; "
                   "empty only where the terms grant nothing."})]
Currency = Annotated[str, BeforeValidator(_currency), WithJsonSchema(
    {"type": "string", "enum": _currency_codes(), "description": "ISO 4217 currency code."})]
TimeZone = Annotated[str, BeforeValidator(_timezone), WithJsonSchema(
    {"type": "string", "description": "IANA time zone.", "examples": ["Europe/Brussels"]})]
CalendarCode = Annotated[str, BeforeValidator(_calendar), WithJsonSchema(
    {"type": "string", "description": "Country code of the public-holiday calendar "
     "(python-holidays), or a country and one of its regions (`DE-BE`: Berlin).",
     "examples": ["BE", "NL", "DK", "NO", "DE-BE"]})]
Dur = Annotated[Duration, BeforeValidator(_duration), PlainSerializer(str),
               WithJsonSchema(_DURATION_SCHEMA)]
Dec = Annotated[Decimal, BeforeValidator(_decimal), PlainSerializer(str),
               WithJsonSchema(_DECIMAL_SCHEMA)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class Rule(Strict):
    clause: Clauses
    notes: tuple[str, ...] = ()


class Right(Rule):
    """A discretionary right of a party: may be switched off or delayed by the policy."""

    enabled: bool = True
    delay: Dur = Field(default_factory=lambda: Duration.parse("0 days"))
