"""Migration to a replacement application (SmartTrackers 15.6): costs announced in advance; a
customer who declines them gives both parties a premature termination on a long notice."""

from __future__ import annotations

from datetime import date

from termline.domain.contract.model import EventBase, MigrationAnnounced
from termline.domain.engine.actions import Action, action, refusal
from termline.domain.engine.state import Context, ContractState
from termline.domain.mechanisms.pricing.rules import MigrationRule
from termline.domain.values.records import replace

Result = tuple[ContractState, list[Action]]


def _rule(ctx: Context) -> MigrationRule | None:
    prices = ctx.policy.prices
    return prices.migration if prices is not None else None


def _refuse(ctx: Context, day: date, event: str, reason: str) -> list[Action]:
    rule = _rule(ctx)
    clauses = rule.clause if rule is not None else ()
    return refusal(day, ctx.contract.id, clauses, event, reason)


def migration_announced(state: ContractState, ctx: Context, day: date, event: EventBase) -> Result:
    assert isinstance(event, MigrationAnnounced)
    rule = _rule(ctx)
    if rule is None:
        return state, _refuse(ctx, day, event.type, "the terms provide no migration procedure")
    if state.status != "active":
        return state, _refuse(ctx, day, event.type, f"contract is {state.status}")
    state = replace(state, pricing=replace(state.pricing, migration_announced=day,
                                           migration_declined=None))
    return state, [
        action(day, "migration_announced", ctx.contract.id, rule.clause, currency=ctx.currency,
               costs=event.costs, migration_date=event.migration_date),
        action(day, "customer_right_opened", ctx.contract.id, rule.clause,
               right="decline_migration_costs", until=event.migration_date),
    ]


def migration_declined(state: ContractState, ctx: Context, day: date, event: EventBase) -> Result:
    rule = _rule(ctx)
    if rule is None:
        return state, _refuse(ctx, day, event.type, "the terms provide no migration procedure")
    if state.pricing.migration_announced is None:
        return state, _refuse(ctx, day, event.type, "no migration was announced")
    if state.status != "active":
        return state, _refuse(ctx, day, event.type, f"contract is {state.status}")
    state = replace(state, pricing=replace(state.pricing, migration_declined=day))
    notice = str(rule.termination_notice)
    return state, [
        action(day, "migration_costs_declined", ctx.contract.id, rule.clause),
        action(day, "customer_right_opened", ctx.contract.id, rule.clause,
               right=f"terminate_on_{notice.replace(' ', '_')}_notice"),
        action(day, "provider_right_opened", ctx.contract.id, rule.clause,
               right=f"terminate_on_{notice.replace(' ', '_')}_notice"),
    ]


def premature_end(state: ContractState, ctx: Context, notice_day: date
                  ) -> tuple[date, tuple[str, ...]] | None:
    """The end a notice reaches through a declined migration, if that right is open."""
    rule = _rule(ctx)
    if rule is None or state.pricing.migration_declined is None:
        return None
    return ctx.calendar.add(notice_day, rule.termination_notice), rule.clause
