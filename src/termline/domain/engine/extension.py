"""How a mechanism plugs into the daily step: event handlers, phases run after dunning and at
the very end of the day, a wake function, limits on when a notice can take effect, and what it
brings to the policy, the contract state and the event union.

The engine never imports a mechanism: `termline.domain.registry`, above both, imports each one
and `bootstrap()` installs them here (`install`). A mechanism defined outside the built-in
fields brings, all optional and all under its `name`:

* `rules`: the pydantic model of its policy section `name:` (validated with the policy, its
  errors on their lines; read as `ctx.policy.extension(Rules)`; without the mechanism
  installed the key is refused as unknown);
* `state`: the default of its frozen-dataclass state, kept on the contract state (read as
  `state.extension(Kind)`, replaced with `state.with_extension(value)`, stored by the codec;
  absent from a stored state, it is the default);
* `events`: its event models (`contract.event_kinds.EventBase` subclasses with a one-value
  `type` literal), read wherever events enter once installed, each handled by the handler of
  its type in `handlers` (which takes an `EventBase` and narrows it to its model with
  `isinstance`);
* `actions`: the kinds of action it takes (made with `actions.added_action`), published once
  installed as the built-in kinds are (`actions.action_kinds()`: the webhook subscriptions).

The built-in mechanisms keep their typed fields on `Policy`, `ContractState` and the static
`Event` union; this is the path for one added with one line in the registry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, is_dataclass
from datetime import date

from mypy_extensions import mypyc_attr
from pydantic import BaseModel

from termline.domain.contract.event_kinds import EventBase, event_type_of, install_events
from termline.domain.engine.actions import Action, install_action_kinds
from termline.domain.engine.extension_states import install_kinds
from termline.domain.engine.state import Context, ContractState
from termline.domain.policy.extension_rules import install_sections
from termline.domain.policy.schema import Policy

# Each handler narrows the event to its kind's model (`isinstance`): it is called with the events
# of the type it is registered under only.
Handler = Callable[[ContractState, Context, date, EventBase],
                   tuple[ContractState, list[Action]]]
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
    rules: type[BaseModel] | None = None  # the model of the policy section `name`
    state: object | None = None  # the default of its state, kept under `name`
    events: tuple[type[EventBase], ...] = ()  # its event models, each handled in `handlers`
    actions: tuple[str, ...] = ()  # the kinds of action it takes beyond the built-in ones
    # run after everything else of the day (a termination or a trial's end that takes effect):
    # they see the state the days up to the next step keep (engine/step.py)
    end_of_day: tuple[Phase, ...] = ()


@mypyc_attr(native_class=False)  # mypyc: no native subclass of this builtin
class MechanismsNotInstalled(RuntimeError):
    """The engine ran before `termline.domain.registry.bootstrap()` installed the mechanisms."""


_installed: tuple[Mechanism, ...] | None = None


def install(found: tuple[Mechanism, ...]) -> None:
    """Set the mechanisms the engine runs, in the order their phases run each day, with
    their policy sections, states, event kinds and action kinds."""
    global _installed
    names = [m.name for m in found]
    if len(names) != len(set(names)):
        raise ValueError(f"mechanism names repeat: {names}")
    for mechanism in found:
        _check(mechanism)
    try:
        _assemble(found)
    except (ValueError, TypeError):
        _assemble(_installed or ())  # what was installed stays installed, whole
        raise
    _installed = found


def _assemble(found: tuple[Mechanism, ...]) -> None:
    install_sections({m.name: m.rules for m in found if m.rules is not None})
    install_kinds({m.name: m.state for m in found if m.state is not None})
    install_events(tuple(e for m in found for e in m.events))
    install_action_kinds(k for m in found for k in m.actions)


def _check(mechanism: Mechanism) -> None:
    """What an added mechanism brings fits beside the built-in fields."""
    if mechanism.rules is not None and mechanism.name in Policy.model_fields:
        raise ValueError(f"mechanism {mechanism.name!r}: its rules would take the built-in "
                         f"policy section {mechanism.name!r}")
    if mechanism.state is not None and not (is_dataclass(mechanism.state)
                                            and not isinstance(mechanism.state, type)):
        raise TypeError(f"mechanism {mechanism.name!r}: its state is the default instance of "
                        "a frozen dataclass (what the store's codec encodes)")
    for model in mechanism.events:
        if event_type_of(model) not in mechanism.handlers:
            raise ValueError(f"mechanism {mechanism.name!r} brings event "
                             f"{event_type_of(model)!r} but no handler for it")


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
