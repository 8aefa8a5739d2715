"""Conditions of a dunning step over several items of a contract.

"If more than two consecutive periods remain unpaid": the step waits, past its own date,
until the contract's latest subscription invoices past their due date are unpaid that many
periods in a row. Pure: read from the contract's state on the day.
"""

from __future__ import annotations

from datetime import date

from termline.domain.engine.state import ContractState
from termline.domain.policy.schema import DunningStep
from termline.domain.values.money import ZERO


def unpaid_periods(state: ContractState, day: date) -> int:
    """How many of the latest billing periods past their due date are unpaid, in a row."""
    invoices = sorted((it for it in state.items if it.kind == "invoice"
                       and it.period_start is not None and it.due < day),
                      key=lambda it: (it.period_start, it.seq))
    run = 0
    for it in reversed(invoices):
        if it.open <= ZERO or it.on_hold:  # a disputed period is not counted as unpaid
            break
        run += 1
    return run


def condition_met(step: DunningStep, state: ContractState, day: date) -> bool:
    needed = step.requires_unpaid_periods
    return needed is None or unpaid_periods(state, day) >= needed
