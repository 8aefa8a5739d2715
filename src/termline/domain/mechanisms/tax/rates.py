"""The standard VAT rate of a country on a day, read from `vat_rates.yaml` (data, not code)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from importlib import resources

import yaml

from termline.domain.errors import MissingRate


@dataclass(frozen=True, slots=True)
class VatRate:
    start: date
    rate: Decimal
    law: str


@lru_cache(maxsize=1)
def _table() -> dict[str, tuple[VatRate, ...]]:
    raw = yaml.safe_load(resources.files(__package__).joinpath("vat_rates.yaml")
                         .read_text(encoding="utf-8"))
    return {country: tuple(sorted(
        (VatRate(date.fromisoformat(str(p["from"])), Decimal(str(p["rate"])), str(spec["law"]))
         for p in spec["periods"]), key=lambda r: r.start)) for country, spec in raw.items()}


def standard_rate(country: str, day: date) -> VatRate:
    """The standard rate in force in `country` on `day`."""
    current = None
    for period in _table().get(country, ()):
        if period.start <= day:
            current = period
    if current is None:
        raise MissingRate(f"no standard VAT rate for {country!r} on {day}")
    return current
