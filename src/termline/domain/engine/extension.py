"""How a mechanism plugs into the daily step: event handlers, phases run after dunning, a wake
function, and limits on when a notice can take effect.

The engine never imports a mechanism: `termline.domain.registry`, above both, imports each one
and `bootstrap()` installs them here (`install`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from mypy_extensions import mypyc_attr

from termline.domain.engine.actions import Action
from termline.domain.engine.state import Context, ContractState

Handler = Callable[[ContractState, Context, date, Any], tuple[ContractState, list[Action]]]
Phase = Callable[[ContractState, Context, date], tuple[ContractState, list[Action]]]
# The earliest day after the given one on which the mechanism's phases could act without an
# event (a lower bound), or None for never; see domain/engine/wake.py.
Wake = Callable[[ContractState, Context, date], date | None]
# An earlier end a termination notice given on the day can reach through the mechanism (e.g. a
# premature termination right), with the clauses that give it; None when there is none.
NoticeLimit = Callable[[ContractState, Context, date], tuple[date, tuple[str, ...]] | None]


@mypyc_attr(native_class=False)
@dataclass(frozen=True)
class Mechanism:
    name: str
    handlers: Mapping[str, Handler]
    phases: tuple[Phase, ...] = ()
    wake: Wake | None = None  # None: the phases may act on any day
    notice_limits: tuple[NoticeLimit, ...] = ()


@mypyc_attr(native_class=False)  # mypyc: no native subclass of this builtin
class MechanismsNotInstalled(RuntimeError):
    """The engine ran before `termline.domain.registry.bootstrap()` installed the mechanisms."""


_installed: tuple[Mechanism, ...] | None = None


def install(found: tuple[Mechanism, ...]) -> None:
    """Set the mechanisms the engine runs, in the order their phases run each day."""
    global _installed
    names = [m.name for m in found]
    if len(names) != len(set(names)):
        raise ValueError(f"mechanism names repeat: {names}")
    _installed = found


def soonest(days: Iterable[date | None]) -> date | None:
    """The earliest of some dates, None if there is none."""
    found = [d for d in days if d is not None]
    return min(found) if found else None


def mechanisms() -> tuple[Mechanism, ...]:
    """The mechanisms beyond the lifecycle core, in the order their phases run each day."""
    if _installed is None:
        raise MechanismsNotInstalled(
            "no mechanisms installed: call termline.domain.registry.bootstrap() "
            "before running the engine")
    return _installed
