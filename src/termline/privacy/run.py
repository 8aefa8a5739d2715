"""The privacy mechanism in the daily step: event handlers and a daily phase."""

from __future__ import annotations

from datetime import date
from typing import Any

from termline.engine.actions import Action
from termline.engine.extension import Handler, Mechanism
from termline.engine.state import Context, ContractState


def daily(state: ContractState, ctx: Context, day: date) -> tuple[ContractState, list[Action]]:
    return state, []


HANDLERS: dict[str, Handler] = {}
MECHANISM = Mechanism("privacy", HANDLERS, (daily,))
__all__ = ["MECHANISM", "Any"]
