"""Synthetic books of contracts for benchmarks: N contracts over the five packs and a year of
start dates, with realistic behaviour (most pay on time, some late, some never; notices, seat
changes, trials). Deterministic for a given seed."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from termline.domain.contract.model import (
    Contract,
    EventBase,
    SeatChange,
    TerminationNotice,
    event_sort_key,
)
from termline.domain.policy import BUILTIN_PACKS, apply_overrides
from termline.domain.policy.schema import Policy

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
    events: tuple[EventBase, ...]


@dataclass(frozen=True)
class SyntheticContract:
    contract: Contract
    policy: Policy
    behaviour: str  # on_time, late, never
    events: tuple[EventBase, ...]


def synthetic_contracts(n: int, first_start: date = date(2027, 1, 1), seed: int = 7,
                        spread: int = 365) -> Iterator[SyntheticContract]:
    """The contracts of a synthetic book one at a time (a million need not fit in memory),
    their start dates spread over `spread` days from `first_start`."""
    rng = random.Random(seed)
    packs = {name: apply_overrides(name, {}) for name in BUILTIN_PACKS}
    for i in range(n):
        pack = BUILTIN_PACKS[i % len(BUILTIN_PACKS)]
        cid = f"c{i:07d}"
        item, price, quantity = _LINES[pack]
        start = first_start + timedelta(days=rng.randrange(spread))
        raw: dict[str, Any] = {"id": cid, "customer": {"name": f"Customer {i}"}, "start": start,
                               "lines": [{"item": item, "unit_price": price, "per": "month",
                                          "quantity": quantity}]}
        roll = rng.random()
        if packs[pack].trial.offered and roll < 0.05:
            raw["trial_days"] = 30
        behaviour = "on_time" if roll < 0.85 else "late" if roll < 0.95 else "never"
        events: list[EventBase] = []
        if rng.random() < 0.05:
            events.append(TerminationNotice(type="termination_notice", contract=cid, by="customer",
                                            date=start + timedelta(days=rng.randrange(30, 300))))
        if rng.random() < 0.05:
            events.append(SeatChange(type="seat_change", contract=cid, item=item,
                                     quantity=quantity + rng.randrange(1, 4),
                                     date=start + timedelta(days=rng.randrange(10, 200))))
        yield SyntheticContract(Contract.model_validate(raw), packs[pack], behaviour,
                                tuple(events))


def synthetic_book(n: int, first_start: date = date(2027, 1, 1), seed: int = 7) -> Book:
    contracts: list[Contract] = []
    policies: dict[str, Policy] = {}
    behaviours: dict[str, str] = {}
    events: list[EventBase] = []
    for made in synthetic_contracts(n, first_start, seed):
        contracts.append(made.contract)
        policies[made.contract.id] = made.policy
        behaviours[made.contract.id] = made.behaviour
        events += made.events
    return Book(tuple(contracts), policies, behaviours, tuple(events))


def with_payments(book: Book, until: date) -> Book:
    """The book plus the payments (and failed direct debits) its customers make up to `until`,
    as the demo's customer responder makes them: a complete event log for a store run."""
    from termline.devtools.behaviour import customer_responder
    from termline.domain.engine.state import Context
    from termline.domain.engine.wake import run_contract_sparse
    from termline.domain.rates.table import builtin_rates

    respond = customer_responder(book.behaviours)
    rates = builtin_rates()
    own: dict[str, list[Any]] = {}
    for event in book.events:
        own.setdefault(event.contract, []).append(event)
    events = list(book.events)
    for contract in book.contracts:
        answers: list[Any] = []

        def recording(act: Any, answers: list[Any] = answers) -> list[Any]:
            out = list(respond(act))
            answers.extend(out)
            return out

        ctx = Context(contract, book.policies[contract.id], rates)
        run_contract_sparse(ctx, own.get(contract.id, []), until, recording)
        events += [e for e in answers if e.date <= until]
    return Book(book.contracts, book.policies, book.behaviours, tuple(events))


def scenario_document(book: Book, until: date) -> dict[str, Any]:
    """The book as a scenario document (`termline import`/`simulate` read it as YAML)."""
    contracts = []
    for contract in book.contracts:
        contracts.append(contract_line(contract, book.policies[contract.id]))
    events = [e.model_dump(mode="json", by_alias=True, exclude_none=True)
              for e in sorted(book.events, key=lambda e: (e.date, e.contract))]
    return {"policy": BUILTIN_PACKS[0], "until": until.isoformat(), "contracts": contracts,
            "events": events}


def contract_line(contract: Contract, policy: Policy) -> dict[str, Any]:
    """A contract as one line of a streamed book (`termline import --contracts`)."""
    raw = contract.model_dump(mode="json", by_alias=True, exclude_none=True,
                              exclude_defaults=True)
    raw["policy"] = policy.pack
    return raw


def write_jsonl(book: Book, contracts: Path, events: Path | None = None) -> None:
    """The book as JSON Lines: a contract a line, and its events a line each, in the order
    a scenario orders them (`event_sort_key`), so both imports store the same log."""
    with contracts.open("w", encoding="utf-8") as out:
        for contract in book.contracts:
            out.write(json.dumps(contract_line(contract, book.policies[contract.id])) + "\n")
    if events is not None:
        with events.open("w", encoding="utf-8") as out:
            for event in sorted(book.events, key=event_sort_key):
                out.write(event.model_dump_json(by_alias=True, exclude_none=True) + "\n")
