"""How a mechanism plugs into the daily step: event handlers plus phases run after dunning."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from termline.engine.actions import Action
from termline.engine.state import Context, ContractState

Handler = Callable[[ContractState, Context, date, Any], tuple[ContractState, list[Action]]]
Phase = Callable[[ContractState, Context, date], tuple[ContractState, list[Action]]]
# The earliest day after the given one on which the mechanism's phases could act without an
# event (a lower bound), or None for never; see engine/wake.py.
Wake = Callable[[ContractState, Context, date], date | None]


@dataclass(frozen=True)
class Mechanism:
    name: str
    handlers: Mapping[str, Handler]
    phases: tuple[Phase, ...] = ()
    wake: Wake | None = None  # None: the phases may act on any day


def soonest(days: Iterable[date | None]) -> date | None:
    """The earliest of some dates, None if there is none."""
    found = [d for d in days if d is not None]
    return min(found) if found else None


@cache
def mechanisms() -> tuple[Mechanism, ...]:
    """The mechanisms beyond the lifecycle core, in the order their phases run each day."""
    from termline.backups.run import MECHANISM as backups
    from termline.pricing.run import MECHANISM as pricing
    from termline.privacy.run import MECHANISM as privacy
    from termline.sla.run import MECHANISM as sla
    from termline.support.run import MECHANISM as support
    from termline.usage.run import MECHANISM as usage

    return (pricing, usage, sla, support, privacy, backups)
