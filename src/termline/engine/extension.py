"""How a mechanism plugs into the daily step: event handlers plus phases run after dunning."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from termline.engine.actions import Action
from termline.engine.state import Context, ContractState

Handler = Callable[[ContractState, Context, date, Any], tuple[ContractState, list[Action]]]
Phase = Callable[[ContractState, Context, date], tuple[ContractState, list[Action]]]


@dataclass(frozen=True)
class Mechanism:
    name: str
    handlers: Mapping[str, Handler]
    phases: tuple[Phase, ...] = ()


def mechanisms() -> tuple[Mechanism, ...]:
    """The mechanisms beyond the lifecycle core, in the order their phases run each day."""
    from termline.backups.run import MECHANISM as backups
    from termline.pricing.run import MECHANISM as pricing
    from termline.privacy.run import MECHANISM as privacy
    from termline.sla.run import MECHANISM as sla
    from termline.support.run import MECHANISM as support
    from termline.usage.run import MECHANISM as usage

    return (pricing, usage, sla, support, privacy, backups)
