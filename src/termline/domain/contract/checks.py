"""What an event or contract must satisfy against its policy before the engine may run it.

The model (`scenario.model`) checks what a value is on its own (a finite amount, a text
without NUL bytes); this module checks what depends on the contract and its policy: cents the
currency does not have, events that name lines or a trial the contract lacks, index data a
price change will need. `simulate` and every intake path apply the same checks, so nothing the
run would trip over is stored. Each problem is (field, message); the caller adds file and line.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from babel.numbers import get_currency_precision

from termline.domain.contract.model import (
    Contract,
    EventBase,
    MigrationAnnounced,
    Payment,
    PriceChangeAnnounced,
    Purchase,
    SeatChange,
    TrialConverted,
)
from termline.domain.mechanisms.pricing.series import IndexTable, month_before, shift_month
from termline.domain.policy.schema import Policy

Problem = tuple[str, str]


def _money_fields(event: EventBase) -> tuple[tuple[str, Decimal | None], ...]:
    """The fields of an event that are sums of money in the contract's currency."""
    # the type first: a failed isinstance on a pydantic model runs its metaclass's check
    kind = event.type
    if kind in ("payment", "purchase") and isinstance(event, (Payment, Purchase)):
        return (("amount", event.amount),)
    if kind == "migration_announced" and isinstance(event, MigrationAnnounced):
        return (("costs", event.costs),)
    return ()


def minor_units(currency: str) -> int:
    """Decimal places of the currency (EUR 2, JPY 0, KWD 3), per ISO 4217."""
    return int(get_currency_precision(currency))


def places(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def event_problems(event: EventBase, contract: Contract | None, policy: Policy | None,
                   indices: IndexTable | None = None) -> list[Problem]:
    """Problems of one event for one contract (None: the contract does not exist)."""
    if contract is None or policy is None:
        return [("contract", f"no contract with id {event.contract!r}")]
    return list(_event_problems(event, contract, policy, indices))


def _event_problems(event: EventBase, contract: Contract, policy: Policy,
                    indices: IndexTable | None) -> Iterator[Problem]:
    if event.date < contract.start:
        yield ("date", f"event dated {event.date} is before contract {contract.id!r} starts "
                       f"({contract.start})")
    for name, value in _money_fields(event):
        if value is not None and places(value) > minor_units(policy.currency):
            yield (name, f"{value} has more decimals than {policy.currency} has "
                         f"({minor_units(policy.currency)})")
    kind = event.type  # compared before isinstance, as in _money_fields
    if kind == "seat_change" and isinstance(event, SeatChange) \
            and event.item not in {ln.item for ln in contract.lines}:
        yield ("item", f"contract {contract.id!r} has no line {event.item!r}")
    if kind == "trial_converted" and isinstance(event, TrialConverted) \
            and contract.trial_days is None:
        yield ("type", f"contract {contract.id!r} has no trial")
    if kind == "price_change_announced" and isinstance(event, PriceChangeAnnounced) \
            and indices is not None:
        yield from _index_data(event, contract, policy, indices)


def _index_data(event: PriceChangeAnnounced, contract: Contract, policy: Policy, indices: IndexTable
                ) -> Iterator[Problem]:
    """An announced increase capped by an index needs that index's months at hand."""
    cap = policy.prices.index_cap if policy.prices is not None else None
    if cap is None or event.item in cap.exempt_items \
            or event.item not in {ln.item for ln in contract.lines}:
        return
    clause = "/".join(cap.clause)
    if not indices.has(cap.series):
        yield ("type", f"the price change of {event.item!r} is capped by index series "
                       f"{cap.series!r} (clause {clause}), which is not loaded: load it "
                       "first (index_series or an index CSV)")
        return
    needed = [month_before(event.date)]
    if cap.base == "price_in_force":
        needed.append(shift_month(needed[0], -12))
    for month in needed:
        if not indices.has_month(cap.series, month):
            yield ("date", f"the price change of {event.item!r} needs {cap.series!r} for "
                           f"{month} (clause {clause}), which is not loaded")
