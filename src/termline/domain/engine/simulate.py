"""Folding the daily step over a horizon, for every contract of a scenario."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from termline.domain.contract.model import (
    BROADCAST,
    Contract,
    EventBase,
    event_sort_key,
    received_on,
)
from termline.domain.contract.scenario_file import Scenario
from termline.domain.engine.actions import Action
from termline.domain.engine.state import Context, ContractState
from termline.domain.engine.step import step
from termline.domain.mechanisms.interest.late_interest import bearing, interest_on_chunks
from termline.domain.mechanisms.pricing.series import IndexTable, from_mapping
from termline.domain.policy.schema import Policy
from termline.domain.rates.table import RateTable, builtin_rates
from termline.domain.values.money import ZERO, fmt, round_money


@dataclass(frozen=True)
class Balance:
    contract: str
    currency: str
    principal: Decimal
    fees: Decimal
    interest: Decimal
    credit: Decimal

    @property
    def total(self) -> Decimal:
        return self.principal + self.fees + self.interest

    def to_json(self) -> dict[str, Any]:
        return {"contract": self.contract, "principal": fmt(self.principal), "fees": fmt(self.fees),
                "interest": fmt(self.interest), "total": fmt(self.total),
                "credit": fmt(self.credit), "currency": self.currency}


@dataclass(frozen=True)
class SimulationResult:
    actions: tuple[Action, ...]
    balances: tuple[Balance, ...]
    states: dict[str, ContractState]
    contexts: dict[str, Context]

    def to_json(self) -> dict[str, Any]:
        return {"actions": [a.to_json() for a in self.actions],
                "balances": [b.to_json() for b in self.balances]}

    def of(self, contract: str) -> list[Action]:
        return [a for a in self.actions if a.contract == contract]


Respond = Callable[[Action], Iterable[EventBase]]


def run_contract(ctx: Context, events: Sequence[EventBase], until: date,
                 respond: Respond | None = None) -> tuple[ContractState, list[Action]]:
    """Fold the daily step from the contract's start to `until`, each event on the day the
    contract takes it (`received_on`: a list price dated before the start, on the start day).

    `respond` models a customer who reacts to actions (pays an invoice some days later): it maps
    an action to events dated after it, which join the input. Demo and benchmarks use it.
    """
    by_day: dict[date, list[EventBase]] = defaultdict(list)
    for event in events:
        day = received_on(event, ctx.contract.start)
        if day is not None:
            by_day[day].append(event)
    state = ContractState()
    actions: list[Action] = []
    day = ctx.contract.start
    while day <= until:
        todays = sorted(by_day.pop(day, ()), key=event_sort_key)
        state, acts = step(state, ctx, day, todays)
        actions += acts
        for event in responses(respond, acts, day):
            by_day[event.date].append(event)
        day += timedelta(days=1)
    return state, actions


def responses(respond: Respond | None, acts: Iterable[Action], day: date
              ) -> Iterator[EventBase]:
    """The events a responder answers the day's actions with, all dated after the day."""
    if respond is None:
        return
    for act in acts:
        for event in respond(act):
            if event.date <= day:
                raise ValueError(f"a response must come after {day}: {event}")
            yield event


def balance(state: ContractState, ctx: Context, as_of: date) -> Balance:
    principal = fees = interest = ZERO
    rule = ctx.policy.interest
    for it in state.items:
        if it.kind == "invoice":
            principal += it.open
            if it.open > ZERO and rule.method != "none" and not it.on_hold and (
                    rule.requires_step is None
                    or state.step_date(it.ref, rule.requires_step) is not None):
                chunks = bearing(rule, it.amount, it.vat,
                                 (*it.principal_payments, (as_of, it.open)))
                interest += interest_on_chunks(rule, ctx.rates, it.issued, it.due, chunks).amount
        elif it.kind == "fee":
            fees += it.open
        else:
            interest += it.open
    return Balance(ctx.contract.id, ctx.currency, principal, fees, round_money(interest),
                   state.credit)


def simulate(contracts: Iterable[Contract], policies: dict[str, Policy],
             events: Iterable[EventBase],
             until: date, rates: RateTable | None = None,
             respond: Respond | None = None,
             indices: IndexTable | None = None) -> SimulationResult:
    rates = rates or builtin_rates()
    indices = indices or IndexTable()
    contracts = sorted(contracts, key=lambda c: c.id)
    per_contract: dict[str, list[EventBase]] = defaultdict(list)
    for event in events:
        targets = [c.id for c in contracts] if event.contract == BROADCAST else [event.contract]
        for target in targets:
            per_contract[target].append(event)
    all_actions: list[tuple[date, str, int, Action]] = []
    balances = []
    states: dict[str, ContractState] = {}
    contexts: dict[str, Context] = {}
    for contract in contracts:
        ctx = Context(contract, policies[contract.id], rates, indices)
        state, actions = run_contract(ctx, per_contract[contract.id], until, respond)
        all_actions += [(a.date, contract.id, i, a) for i, a in enumerate(actions)]
        balances.append(balance(state, ctx, until))
        states[contract.id] = state
        contexts[contract.id] = ctx
    ordered = tuple(a for *_, a in sorted(all_actions, key=lambda t: t[:3]))
    return SimulationResult(ordered, tuple(balances), states, contexts)


def simulate_scenario(scenario: Scenario, until: date | None = None,
                      rates: RateTable | None = None,
                      indices: IndexTable | None = None) -> SimulationResult:
    """Simulate a scenario; its `index_series` win over `indices` (e.g. read from a CSV)."""
    table = (rates or builtin_rates()).merged(scenario.statutory_rates, scenario.source)
    series = (indices or IndexTable()).merged(from_mapping(scenario.index_series,
                                                           scenario.source))
    return simulate(scenario.contracts, scenario.policies, scenario.events,
                    until or scenario.until, table, indices=series)
