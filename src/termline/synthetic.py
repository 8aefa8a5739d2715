"""Synthetic books of contracts for benchmarks: N contracts over the five packs and a year of
start dates, with realistic behaviour (most pay on time, some late, some never; notices, seat
changes, trials). Deterministic for a given seed."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from termline.policy import BUILTIN_PACKS, apply_overrides
from termline.policy.schema import Policy
from termline.scenario.model import Contract, SeatChange, TerminationNotice

_LINES = {
    "smartconnect": ("Contact center seat", "45.00", 5),
    "clientcom": ("Smart voicemail", "29.00", 1),
    "smartweb": ("SmartWeb Shop", "50.00", 1),
    "superoffice": ("CRM Online user", "55.00", 4),
    "smarttrackers": ("SmartTrackers licence", "250.00", 1),
}


@dataclass(frozen=True)
class Book:
    contracts: tuple[Contract, ...]
    policies: dict[str, Policy]
    behaviours: dict[str, str]
    events: tuple[Any, ...]


def synthetic_book(n: int, first_start: date = date(2027, 1, 1), seed: int = 7) -> Book:
    rng = random.Random(seed)
    packs = {name: apply_overrides(name, {}) for name in BUILTIN_PACKS}
    contracts: list[Contract] = []
    policies: dict[str, Policy] = {}
    behaviours: dict[str, str] = {}
    events: list[Any] = []
    for i in range(n):
        pack = BUILTIN_PACKS[i % len(BUILTIN_PACKS)]
        cid = f"c{i:07d}"
        item, price, quantity = _LINES[pack]
        start = first_start + timedelta(days=rng.randrange(365))
        raw: dict[str, Any] = {"id": cid, "customer": {"name": f"Customer {i}"}, "start": start,
                               "lines": [{"item": item, "unit_price": price, "per": "month",
                                          "quantity": quantity}]}
        roll = rng.random()
        if packs[pack].trial.offered and roll < 0.05:
            raw["trial_days"] = 30
        contracts.append(Contract.model_validate(raw))
        policies[cid] = packs[pack]
        behaviours[cid] = "on_time" if roll < 0.85 else "late" if roll < 0.95 else "never"
        if rng.random() < 0.05:
            events.append(TerminationNotice(type="termination_notice", contract=cid, by="customer",
                                            date=start + timedelta(days=rng.randrange(30, 300))))
        if rng.random() < 0.05:
            events.append(SeatChange(type="seat_change", contract=cid, item=item,
                                     quantity=quantity + rng.randrange(1, 4),
                                     date=start + timedelta(days=rng.randrange(10, 200))))
    return Book(tuple(contracts), policies, behaviours, tuple(events))
