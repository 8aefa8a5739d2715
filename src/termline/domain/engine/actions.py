"""Actions: what termline does, each naming the clauses that caused it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from termline.domain.values.money import fmt

Value = str | int | bool | date | Decimal | None


@dataclass(frozen=True, slots=True)
class Action:
    date: date
    kind: str
    contract: str
    clauses: tuple[str, ...]
    fields: tuple[tuple[str, Value], ...] = ()
    currency: str | None = None

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # sent between processes (service.pipeline): a slotted dataclass's own pickling calls
        # dataclasses.fields() for every object, which cost as much as the step itself
        return (self.__class__, tuple(getattr(self, f) for f in self.__slots__))

    def get(self, key: str) -> Value:
        for k, v in self.fields:
            if k == key:
                return v
        raise KeyError(key)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "date": self.date.isoformat(), "kind": self.kind, "contract": self.contract,
            "clauses": list(self.clauses),
        }
        has_money = False
        for key, value in self.fields:
            if value is None:
                continue
            if isinstance(value, Decimal):
                out[key] = fmt(value)
                has_money = True
            elif isinstance(value, date):
                out[key] = value.isoformat()
            else:
                out[key] = value
        if has_money and self.currency:
            out["currency"] = self.currency
        return out


def action(day: date, kind: str, contract: str, clauses: tuple[str, ...], *,
           currency: str | None = None, **fields: Value) -> Action:
    return Action(day, kind, contract, tuple(clauses), tuple(fields.items()), currency)
