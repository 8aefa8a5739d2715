"""The usage mechanism in the daily step: metered use, one-off purchases, storage warnings.

* Event ``usage`` (``meter``, ``quantity``): recorded in the meter's open measuring period;
  a ``storage_warning`` when a reading crosses the warning level.
* Daily phase: a measuring period closes on its last day (or on the contract's last day). Use
  above the allowance becomes an overage line (``usage_charged``), pending for the next
  subscription invoice or invoiced at once, as the meter's ``billing`` says.
* Event ``purchase`` (``item``, ``amount``): a one-off charge (``purchase_charged``), invoiced
  at once or with the next invoice; never refunded when it cannot be cancelled.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from termline.domain.contract.model import EventBase, Purchase, Usage
from termline.domain.engine.actions import Action, Value, action
from termline.domain.engine.events_run import refuse
from termline.domain.engine.extension import Handler, Mechanism, soonest
from termline.domain.engine.state import Context, ContractState
from termline.domain.mechanisms.billing.lines import InvoiceLine
from termline.domain.mechanisms.billing.run import issue_invoice
from termline.domain.mechanisms.usage.metering import (
    level,
    measuring_period,
    overage,
    quantity_value,
    record,
    warning_threshold,
)
from termline.domain.mechanisms.usage.purchase_price import per_unit_amount
from termline.domain.mechanisms.usage.rules import MeterRule, PurchaseRule, UsageRule
from termline.domain.mechanisms.usage.state import OpenPeriod, UsageState
from termline.domain.values.money import ZERO
from termline.domain.values.records import replace


def _rules(ctx: Context) -> UsageRule | None:
    return ctx.policy.usage


def _unit_price(state: ContractState, meter: MeterRule) -> Decimal | None:
    """The price in force for the meter's item (after a price change), else the agreed one."""
    return dict(state.pricing.prices).get(meter.item, meter.unit_price)


def on_usage(state: ContractState, ctx: Context, day: date, event: EventBase
             ) -> tuple[ContractState, list[Action]]:
    assert isinstance(event, Usage)
    rules = _rules(ctx)
    if rules is None or event.meter not in rules.meters:
        known = ", ".join(sorted(rules.meters)) if rules else ""
        reason = (f"the terms meter no {event.meter!r}" + (f" (metered: {known})" if known
                                                          else ""))
        return state, refuse(ctx, day, "usage", reason, rules.clause if rules else ())
    meter = rules.meters[event.meter]
    if state.status != "active":
        return state, refuse(ctx, day, "usage", f"contract is {state.status}: no paid use "
                              "to meter", meter.clause)
    if meter.included is None or _unit_price(state, meter) is None:
        return state, refuse(
            ctx, day, "usage",
            f"no allowance or unit price for {event.meter!r}: they are contract-level "
            f"(overrides usage.meters.{event.meter}.included and .unit_price)", meter.clause)
    quantity: Decimal = event.quantity
    start, end = measuring_period(meter, day)
    periods = list(state.usage.open_periods)
    found = next((i for i, p in enumerate(periods)
                  if p.meter == event.meter and p.start == start), None)
    before = periods[found].used if found is not None else ZERO
    used = record(meter, before, quantity)
    if found is None:
        periods.append(OpenPeriod(event.meter, start, end, used))
    else:
        periods[found] = replace(periods[found], used=used)
    usage = replace(state.usage, open_periods=tuple(periods))
    out: list[Action] = []
    threshold = warning_threshold(meter, meter.included)
    if threshold is not None and meter.warn_clause is not None:
        now = level(meter, used, quantity)
        armed = event.meter not in usage.warned
        if now >= threshold and armed:
            usage = replace(usage, warned=(*usage.warned, event.meter))
            out.append(action(day, "storage_warning", ctx.contract.id, meter.warn_clause,
                              meter=event.meter, quantity=quantity_value(now),
                              limit=quantity_value(meter.included),
                              percent=quantity_value(meter.warn_at_percent or ZERO),
                              unit=meter.unit))
        elif now < threshold and not armed:
            usage = replace(usage, warned=tuple(m for m in usage.warned if m != event.meter))
    return replace(state, usage=usage), out


def _last_day(state: ContractState) -> date | None:
    if state.status == "terminated":
        return state.terminated_on
    return state.notice.effective if state.notice is not None else None


def close_periods(state: ContractState, ctx: Context, day: date
                  ) -> tuple[ContractState, list[Action]]:
    """Close the measuring periods that end today (or with the contract) and charge overage."""
    rules = _rules(ctx)
    if rules is None:
        return state, []
    last = _last_day(state)
    ending = last is not None and last <= day
    if not ending and all(p.end > day for p in state.usage.open_periods):
        return state, []  # the common day: nothing closes, leave the state untouched
    out: list[Action] = []
    keep: list[OpenPeriod] = []
    now: list[InvoiceLine] = []
    later: list[InvoiceLine] = []
    warned = list(state.usage.warned)
    order = list(rules.meters)
    for period in sorted(state.usage.open_periods,
                         key=lambda p: (p.start, order.index(p.meter))):
        if period.end > day and not ending:
            keep.append(period)
            continue
        meter = rules.meters[period.meter]
        if meter.measure == "total" and period.meter in warned:
            warned.remove(period.meter)  # a new period starts from zero
        price = _unit_price(state, meter)
        assert meter.included is not None and price is not None
        result = overage(period.used, meter.included, price, meter.block)
        if result.amount <= ZERO:
            continue
        billed = result.blocks if result.blocks is not None else result.over
        line = InvoiceLine(meter.item, billed, price, result.amount)
        (now if meter.billing == "immediate" else later).append(line)
        out.append(action(day, "usage_charged", ctx.contract.id, meter.clause,
                          currency=ctx.currency, meter=period.meter,
                          quantity=quantity_value(result.used),
                          included=quantity_value(result.included),
                          overage=quantity_value(result.over), unit=meter.unit,
                          unit_price=price, amount=result.amount,
                          period_start=period.start, period_end=period.end,
                          billing=meter.billing,
                          **({} if result.blocks is None else {
                              "blocks": quantity_value(result.blocks),
                              "block": quantity_value(meter.block or result.blocks)})))
    usage = replace(state.usage, open_periods=tuple(keep), warned=tuple(warned),
                    pending=(*state.usage.pending, *later))
    state = replace(state, usage=usage)
    if ending and state.usage.pending:
        # No subscription invoice follows the contract's last day: bill what waits for one.
        now = [*state.usage.pending, *now]
        state = replace(state, usage=replace(state.usage, pending=()))
    if now:
        clauses = tuple(dict.fromkeys(c for m in rules.meters.values() for c in m.clause
                                      if any(ln.item == m.item for ln in now)))
        state, acts = issue_invoice(state, ctx, day, tuple(now), day, day, "usage",
                                    clauses or rules.clause)
        out += acts
    return state, out


def _per_unit(rule: PurchaseRule, event: Purchase) -> tuple[Decimal, Decimal] | str | None:
    """(quantity, unit price) of a purchase priced per unit, a refusal reason, or None."""
    if rule.unit is None:
        return None
    if event.quantity is None:
        return f"{event.item!r} is priced per {rule.unit}: the purchase needs its quantity"
    if rule.unit_price is None:
        where = f"usage.purchases.{rule.name}.unit_price" if rule.name else "unit_price"
        return (f"no rate per {rule.unit} for {event.item!r}: it is contract-level "
                f"(overrides {where})")
    expected = per_unit_amount(event.quantity, rule.unit_price)
    if event.amount != expected:
        return (f"{quantity_value(event.quantity)} {rule.unit} x {rule.unit_price} = "
                f"{expected}, not {event.amount}")
    return event.quantity, rule.unit_price


def on_purchase(state: ContractState, ctx: Context, day: date, event: EventBase
                ) -> tuple[ContractState, list[Action]]:
    assert isinstance(event, Purchase)
    rules = _rules(ctx)
    rule = rules.purchase_rule(event.item) if rules is not None else None
    if rules is None or rule is None:
        return state, refuse(ctx, day, "purchase",
                              f"the terms provide no one-off purchase of {event.item!r}",
                              rules.clause if rules else ())
    if state.status != "active":
        return state, refuse(ctx, day, "purchase", f"contract is {state.status}", rule.clause)
    amount: Decimal = event.amount
    if rule.price is not None and amount != rule.price:
        return state, refuse(ctx, day, "purchase",
                              f"the terms fix the price of {event.item!r} at {rule.price}",
                              rule.clause)
    if rule.requires_acceptance and event.accepted is not True:
        return state, refuse(ctx, day, "purchase",
                              f"{event.item!r} is billable only after the customer accepted it "
                              "before delivery (accepted: true)", rule.clause)
    priced = _per_unit(rule, event)
    if isinstance(priced, str):
        return state, refuse(ctx, day, "purchase", priced, rule.clause)
    quantity, unit_price = priced if priced is not None else (1, amount)
    line = InvoiceLine(event.item, quantity, unit_price, amount)
    extra: dict[str, Value] = {} if priced is None else {
        "quantity": quantity_value(Decimal(quantity)), "unit": rule.unit,
        "unit_price": unit_price}
    out = [action(day, "purchase_charged", ctx.contract.id, rule.clause, currency=ctx.currency,
                  item=event.item, amount=amount, billing=rule.invoicing,
                  cancellable=rule.cancellable, **extra)]
    if rule.invoicing == "next_invoice":
        usage = replace(state.usage, pending=(*state.usage.pending, line))
        return replace(state, usage=usage), out
    state, acts = issue_invoice(state, ctx, day, (line,), day, day, "purchase", rule.clause)
    return state, out + acts


HANDLERS: dict[str, Handler] = {"usage": on_usage, "purchase": on_purchase}


def wake(state: ContractState, ctx: Context, day: date) -> date | None:
    """A measuring period ends, or the contract does with usage still to bill."""
    if _rules(ctx) is None:
        return None
    usage = state.usage
    out: list[date | None] = [p.end for p in usage.open_periods]
    if usage.open_periods or usage.pending:
        out.append(_last_day(state))
    return soonest(out)


MECHANISM = Mechanism("usage", HANDLERS, (close_periods,), wake)
__all__ = ["MECHANISM", "UsageState"]
