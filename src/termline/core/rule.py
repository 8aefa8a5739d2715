"""Building blocks of every policy rule: clause references, durations, decimals, rights.

Kept apart from the policy schema so that each mechanism's rules module can build on them
without importing the whole policy (which imports every mechanism's rules).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer

from termline.core.duration import Duration


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


Clauses = Annotated[tuple[str, ...], BeforeValidator(_clauses)]
Dur = Annotated[Duration, BeforeValidator(_duration), PlainSerializer(str)]
Dec = Annotated[Decimal, BeforeValidator(_decimal), PlainSerializer(str)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Rule(Strict):
    clause: Clauses
    notes: tuple[str, ...] = ()


class Right(Rule):
    """A discretionary right of a party: may be switched off or delayed by the policy."""

    enabled: bool = True
    delay: Dur = Field(default_factory=lambda: Duration.parse("0 days"))
