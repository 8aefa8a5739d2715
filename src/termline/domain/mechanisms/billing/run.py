"""Issuing invoices in advance, pro-rata seat additions, scheduled seat reductions, credit."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from termline.domain.contract.model import Line
from termline.domain.engine.actions import Action, action, refusal
from termline.domain.engine.state import Context, ContractState, InvoiceLine, Item
from termline.domain.mechanisms.billing.schedule import (
    billing_period,
    issue_date,
    months_in,
    period_lines,
    prorated_line,
)
from termline.domain.mechanisms.payments.allocation import allocate
from termline.domain.mechanisms.tax.item_vat import item_vat
from termline.domain.values.money import ZERO
from termline.domain.values.records import replace


def _invoice_ref(ctx: Context, state: ContractState) -> str:
    count = sum(1 for it in state.items if it.kind == "invoice") + 1
    return f"{ctx.contract.id}-{count:04d}"


def add_item(state: ContractState, ctx: Context, day: date, item: Item
             ) -> tuple[ContractState, list[Action]]:
    """Record a new item, paying it from the customer's credit where there is some."""
    state = replace(state, items=(*state.items, item), seq=state.seq + 1)
    if state.credit <= ZERO:
        return state, []
    items, applied, left = allocate(state.items, state.credit, day,
                                    rule=ctx.policy.payment.allocation)
    state = replace(state, items=items, credit=left)
    return state, [action(day, "payment_applied", ctx.contract.id, ctx.policy.payment.clause,
                          currency=ctx.currency, ref=ref, amount=amount, source="credit")
                   for ref, amount in applied]


def credit_total(ctx: Context, day: date, net: Decimal) -> Decimal:
    """The total of a credit note for `net` of the contract's supply: with the VAT the supply
    bears for this customer on `day` (a credit note mirrors the category of what it credits)."""
    return item_vat(ctx.seller, ctx.contract.customer, day, (net,)).gross


def issue_invoice(state: ContractState, ctx: Context, day: date, lines: tuple[InvoiceLine, ...],
                  period_start: date, period_end: date, kind: str, clauses: tuple[str, ...]
                  ) -> tuple[ContractState, list[Action]]:
    vat = item_vat(ctx.seller, ctx.contract.customer, day, (ln.amount for ln in lines))
    ref = _invoice_ref(ctx, state)
    due = ctx.calendar.add(day, ctx.policy.payment.term)
    # the open item is the document's total including VAT (the receivable is the document)
    item = Item(ref=ref, kind="invoice", issued=day, due=due, amount=vat.gross, seq=state.seq,
                period_start=period_start, period_end=period_end, lines=lines, vat=vat.vat,
                vat_category=vat.label)
    out = [action(day, "invoice_issued", ctx.contract.id, clauses, currency=ctx.currency,
                  ref=ref, amount=vat.net, vat=vat.vat, total=vat.gross,
                  vat_category=vat.label, due_date=due, period_start=period_start,
                  period_end=period_end, invoice_kind=kind)]
    state, paid = add_item(state, ctx, day, item)
    return state, out + paid


def _last_day(state: ContractState) -> date | None:
    if state.status == "terminated":
        return state.terminated_on
    return state.notice.effective if state.notice else None


def issue_due_invoices(state: ContractState, ctx: Context, day: date
                       ) -> tuple[ContractState, list[Action]]:
    anchor, paid_start = state.billing_anchor, state.paid_start
    if state.status != "active" or anchor is None or paid_start is None:
        return state, []
    policy = ctx.policy
    months = months_in(policy.billing.period)
    out: list[Action] = []
    clauses = tuple(dict.fromkeys((*policy.billing.clause, *policy.payment.clause)))
    if (state.next_period_index == 0 and policy.billing.stub == "prorated"
            and anchor > paid_start and day == paid_start):
        state, acts = _stub_invoice(state, ctx, day, months, clauses)
        out += acts
    while True:
        start, end = billing_period(policy, anchor, state.next_period_index)
        last = _last_day(state)
        if last is not None and start > last:
            break
        if issue_date(policy, start, paid_start) > day:
            break
        quantities = quantities_at(state, start)
        lines = period_lines(lines_in_force(state, ctx, start), quantities, months)
        lines = (*lines, *state.usage.pending)
        shaped = _shaping_clauses(state, ctx, start, quantities)
        state = replace(state, next_period_index=state.next_period_index + 1,
                        usage=replace(state.usage, pending=()))
        if lines:
            state, acts = issue_invoice(state, ctx, day, lines, start, end, "subscription",
                                        tuple(dict.fromkeys((*clauses, *shaped))))
            out += acts
    return state, out


def _shaping_clauses(state: ContractState, ctx: Context, start: date,
                     quantities: dict[str, int]) -> tuple[str, ...]:
    """The clauses that made a period's invoice differ from the contract's price list: the
    seat-change clause when a count differs, each price change's clause when a price does."""
    out: list[str] = []
    changed = state.pricing.clauses_at(start)
    prices = state.pricing.prices_at(start)
    for line in ctx.contract.lines:
        if quantities.get(line.item, line.quantity) != line.quantity:
            out += ctx.policy.seats.clause
        if line.item in prices and prices[line.item] != line.unit_price:
            out += changed.get(line.item, ())
    return tuple(out)


def lines_in_force(state: ContractState, ctx: Context, at: date | None = None
                   ) -> tuple[Line, ...]:
    """The contract's price list with the unit prices in force now (after indexation etc.).

    With `at` (a billing period's start), price changes already scheduled to take effect by
    then count too: an invoice issued ahead of its period carries the period's prices.
    """
    prices = state.pricing.prices_at(at)
    if not prices:
        return ctx.contract.lines
    return tuple(line.model_copy(update={"unit_price": prices[line.item]})
                 if line.item in prices else line for line in ctx.contract.lines)


def quantities_at(state: ContractState, day: date) -> dict[str, int]:
    """Seats billed for a period starting `day`: reductions scheduled by then already count."""
    quantities = dict(state.quantities)
    for effective, item, quantity in sorted(state.seat_reductions):
        if effective <= day:
            quantities[item] = quantity
    return quantities


def _stub_invoice(state: ContractState, ctx: Context, day: date, months: int,
                  clauses: tuple[str, ...]) -> tuple[ContractState, list[Action]]:
    assert state.billing_anchor is not None
    # The stub is charged as the tail of a full period ending the day before the first period.
    before_start, stub_end = billing_period(ctx.policy, state.billing_anchor, -1)
    lines = tuple(
        prorated_line(line, qty, months, before_start, stub_end, day, stub_end)
        for line in lines_in_force(state, ctx)
        if (qty := dict(state.quantities)[line.item]) > 0
    )
    return issue_invoice(state, ctx, day, lines, day, stub_end, "stub", clauses)


def current_period(state: ContractState, ctx: Context, day: date) -> tuple[int, date, date] | None:
    """The billing period containing `day`, if the contract has started billing."""
    if state.billing_anchor is None or day < state.billing_anchor:
        return None
    i = 0
    while True:
        start, end = billing_period(ctx.policy, state.billing_anchor, i)
        if start <= day <= end:
            return i, start, end
        i += 1


def change_seats(state: ContractState, ctx: Context, day: date, item: str, quantity: int
                 ) -> tuple[ContractState, list[Action]]:
    current = state.quantity(item)
    seats = ctx.policy.seats
    if quantity == current:
        return state, refusal(day, ctx.contract.id, seats.clause, "seat_change",
                              f"{item} already at {quantity}")
    if quantity > current:
        return _increase(state, ctx, day, item, current, quantity)
    return _decrease(state, ctx, day, item, quantity)


def _set_quantity(state: ContractState, item: str, quantity: int) -> ContractState:
    return replace(state, quantities=tuple((k, quantity if k == item else v)
                                           for k, v in state.quantities))


def _increase(state: ContractState, ctx: Context, day: date, item: str, current: int,
              quantity: int) -> tuple[ContractState, list[Action]]:
    seats = ctx.policy.seats
    state = _set_quantity(state, item, quantity)
    out = [action(day, "seats_changed", ctx.contract.id, seats.clause, item=item,
                  quantity=quantity, previous=current)]
    found = current_period(state, ctx, day) if state.status == "active" else None
    if found is None:
        return state, out
    index, start, end = found
    if index >= state.next_period_index:
        return state, out  # the current period is not invoiced yet: it will bill the new count
    months = months_in(ctx.policy.billing.period)
    line = next(ln for ln in lines_in_force(state, ctx) if ln.item == item)
    if seats.price == "list_price":
        from termline.domain.mechanisms.pricing.list_price import list_price

        listed = list_price(ctx.policy, state, item, day)
        if listed is not None:  # without one the contract's price stands
            line = line.model_copy(update={"unit_price": listed})
    delta = quantity - current
    parts = [prorated_line(line, delta, months, start, end, day, end)]
    last_end = end
    for later in range(index + 1, state.next_period_index):
        p_start, p_end = billing_period(ctx.policy, state.billing_anchor or start, later)
        parts.append(prorated_line(line, delta, months, p_start, p_end, p_start, p_end))
        last_end = p_end
    amount = sum((p.amount for p in parts), Decimal(0))
    lines = (InvoiceLine(item, delta, line.unit_price, amount),)
    state, acts = issue_invoice(state, ctx, day, lines, day, last_end, "proration", seats.clause)
    return state, out + acts


def _decrease(state: ContractState, ctx: Context, day: date, item: str, quantity: int
              ) -> tuple[ContractState, list[Action]]:
    seats = ctx.policy.seats
    found = current_period(state, ctx, day) if state.status == "active" else None
    if found is None:
        previous = state.quantity(item)
        state = _set_quantity(state, item, quantity)
        return state, [action(day, "seats_changed", ctx.contract.id, seats.clause, item=item,
                              quantity=quantity, previous=previous)]
    index, _, end = found
    assert state.billing_anchor is not None
    if seats.decrease_notice is not None:
        while day > ctx.calendar.add(end, seats.decrease_notice, sign=-1):
            index += 1
            _, end = billing_period(ctx.policy, state.billing_anchor, index)
    # A period already invoiced in advance keeps its count: prepaid fees are not refunded.
    index = max(index + 1, state.next_period_index)
    effective = billing_period(ctx.policy, state.billing_anchor, index)[0]
    state = replace(state, seat_reductions=(*state.seat_reductions, (effective, item, quantity)))
    return state, [action(day, "seat_reduction_scheduled", ctx.contract.id, seats.clause,
                          item=item, quantity=quantity, effective_date=effective)]


def apply_seat_reductions(state: ContractState, ctx: Context, day: date
                          ) -> tuple[ContractState, list[Action]]:
    due = [r for r in state.seat_reductions if r[0] == day]
    if not due or state.status == "terminated":
        return state, []
    out = []
    for _, item, quantity in due:
        previous = state.quantity(item)
        state = _set_quantity(state, item, quantity)
        out.append(action(day, "seats_changed", ctx.contract.id, ctx.policy.seats.clause,
                          item=item, quantity=quantity, previous=previous))
    state = replace(state, seat_reductions=tuple(r for r in state.seat_reductions if r[0] != day))
    return state, out
