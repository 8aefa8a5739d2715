"""The list price of the day: the policy's dated `price_list`, changed by `list_price_changed`
events. Used where the terms bill at "the list price" rather than the contract's price."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from termline.domain.contract.model import BROADCAST, EventBase, ListPriceChanged
from termline.domain.engine.actions import Action, action
from termline.domain.engine.extension import Mechanism
from termline.domain.engine.state import Context, ContractState
from termline.domain.policy.schema import Policy
from termline.domain.values.records import replace


def list_price(policy: Policy, state: ContractState, item: str, day: date) -> Decimal | None:
    """The latest list price of `item` in force on `day`: from the events, else the policy;
    of two effective the same day, the later announced (events are kept in their order)."""
    dated: list[tuple[date, int, Decimal]] = []
    if policy.price_list is not None:
        dated += [(d, -1, p) for d, p in policy.price_list.items.get(item, {}).items()]
    dated += [(d, n, p) for n, (i, d, p) in enumerate(state.list_prices) if i == item]
    in_force = [entry for entry in dated if entry[0] <= day]
    return max(in_force, key=lambda entry: entry[:2])[2] if in_force else None


def record_list_price(state: ContractState, ctx: Context, day: date, event: EventBase
                      ) -> tuple[ContractState, list[Action]]:
    """The list price from its `effective` date (default: the event's date). One dated before
    the contract's start is taken on the start day (`received_on`) and kept with its dates,
    without an action: it is the price list in force when the contract starts."""
    assert isinstance(event, ListPriceChanged)
    effective = event.effective or event.date
    state = replace(state, list_prices=(*state.list_prices, (event.item, effective, event.price)))
    if event.date < ctx.contract.start:
        return state, []  # the price list in force when the contract starts: no change to it
    if event.contract == BROADCAST and not any(line.item == event.item
                                               for line in ctx.contract.lines):
        return state, []  # the provider's price list: kept, shown where the contract has it
    clauses = ctx.policy.price_list.clause if ctx.policy.price_list else ctx.policy.seats.clause
    return state, [action(day, "list_price_changed", ctx.contract.id, clauses,
                          currency=ctx.currency, item=event.item, price=event.price,
                          effective=effective)]


def _no_day_of_its_own(state: ContractState, ctx: Context, day: date) -> None:
    return None


MECHANISM = Mechanism("list_prices", {"list_price_changed": record_list_price}, (),
                      _no_day_of_its_own)
