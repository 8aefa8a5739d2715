"""The overdue ladder: on which day each step falls due for one unpaid invoice."""

from __future__ import annotations

from datetime import date, timedelta

from termline.domain.engine.state import ContractState, Item
from termline.domain.policy.schema import DunningRule, DunningStep
from termline.domain.values.calendar import Calendar


def _anchor(rule: DunningRule, anchor: str, index: int, invoice: Item,
            state: ContractState) -> date | None:
    if anchor == "invoice_date":
        return invoice.issued
    if anchor == "due_date":
        return invoice.due
    name = rule.steps[index - 1].name if anchor == "previous_step" else anchor
    return state.step_date(invoice.ref, name)


def anchor_date(rule: DunningRule, step: DunningStep, index: int, invoice: Item,
                state: ContractState) -> date | None:
    """The latest of the step's anchors, None while one of them has not happened."""
    days = [_anchor(rule, a, index, invoice, state) for a in step.anchors]
    if any(d is None for d in days):
        return None
    if any(state.step_date(invoice.ref, name) is None for name in step.requires_steps):
        return None
    # after a rejected dispute the ladder resumes: no date is counted from before the decision
    known = [d for d in days if d is not None]
    if invoice.resumed is not None:
        known.append(invoice.resumed)
    return max(known)


def step_date(rule: DunningRule, index: int, invoice: Item, state: ContractState,
              calendar: Calendar) -> date | None:
    """The day step `index` falls due for `invoice`, or None while its anchor has not happened."""
    step = rule.steps[index]
    if not step.enabled:
        return None
    anchor = anchor_date(rule, step, index, invoice, state)
    if anchor is None:
        return None
    day = calendar.add(anchor, step.after)
    if step.lapsed:
        day += timedelta(days=1)
    return calendar.add(day, step.delay)


def next_step(rule: DunningRule, invoice: Item, state: ContractState,
              calendar: Calendar) -> tuple[int, date] | None:
    """The earliest pending step of an invoice whose date is known."""
    best: tuple[int, date] | None = None
    for i, step in enumerate(rule.steps):
        if state.step_date(invoice.ref, step.name) is not None:
            continue
        day = step_date(rule, i, invoice, state, calendar)
        if day is not None and (best is None or day < best[1]):
            best = (i, day)
    return best
