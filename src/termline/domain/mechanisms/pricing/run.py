"""The pricing mechanism in the daily step: announced changes, objections and indexation.

* ``price_change_announced`` / ``terms_change_announced``: checked against the pack's
  ``prices.price_changes`` / ``prices.terms_changes`` (lead time, aligned effective date,
  frequency, index cap); accepted changes wait in ``state.pricing.pending``
  (``change_announced``, ``customer_right_opened``) or are refused (``event_refused``).
* ``objection``: inside an open objection or termination right, ends the contract the day
  before the change or keeps the old terms, as the pack says.
* Daily phase: schedules the indexation of the next renewal before its invoice is issued, and
  on each effective date moves pending prices into ``state.pricing.prices``
  (``price_changed``, ``change_effective``). Invoices for periods starting on or after an
  effective date already carry the new price (see ``lines_in_force``).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal

from termline.domain.contract.model import (
    BROADCAST,
    EventBase,
    PriceChangeAnnounced,
    TermsChangeAnnounced,
)
from termline.domain.engine.actions import Action, action
from termline.domain.engine.events_run import refuse
from termline.domain.engine.extension import Handler, Mechanism, soonest
from termline.domain.engine.state import Context, ContractState, Notice
from termline.domain.mechanisms.pricing.effective import (
    earliest_effective,
    frequency_ok,
    notice_until,
)
from termline.domain.mechanisms.pricing.indexation import (
    FACTOR_PLACES,
    cap_price,
    revised_price,
    revision_factor,
    show,
    within_cap,
)
from termline.domain.mechanisms.pricing.migration import (
    migration_announced,
    migration_declined,
    premature_end,
)
from termline.domain.mechanisms.pricing.rules import ChangeRule, IndexationRule
from termline.domain.mechanisms.pricing.series import month_before, shift_month
from termline.domain.mechanisms.pricing.state import PendingChange, PriceBase
from termline.domain.mechanisms.term.terms import Refused, terms_for
from termline.domain.values.duration import add_months
from termline.domain.values.records import replace

Result = tuple[ContractState, list[Action]]



def _skip(ctx: Context, day: date, event: EventBase, reason: str, clauses: tuple[str, ...]
          ) -> list[Action]:
    """A broadcast that does not concern this contract is silently skipped; else refused."""
    if event.contract == BROADCAST:
        return []
    return refuse(ctx, day, event.type, reason, clauses)


def _line_price(ctx: Context, item: str) -> Decimal:
    return next(line.unit_price for line in ctx.contract.lines if line.item == item)


def _price_at(state: ContractState, ctx: Context, item: str, day: date) -> Decimal:
    return state.pricing.prices_at(day).get(item, _line_price(ctx, item))


def _rule(ctx: Context, kind: str) -> ChangeRule | None:
    prices = ctx.policy.prices
    if prices is None:
        return None
    return prices.price_changes if kind == "price" else prices.terms_changes


def _precheck(state: ContractState, ctx: Context, day: date, event: EventBase, kind: str
              ) -> ChangeRule | list[Action]:
    rule = _rule(ctx, kind)
    if rule is None:
        return refuse(ctx, day, event.type, f"the terms give no unilateral {kind} change", ())
    if state.status != "active" or state.paid_start is None:
        return _skip(ctx, day, event, f"contract is {state.status}", rule.clause)
    return rule


def _effective(state: ContractState, ctx: Context, day: date,
               event: PriceChangeAnnounced | TermsChangeAnnounced, rule: ChangeRule
               ) -> date | list[Action]:
    assert state.paid_start is not None
    found = earliest_effective(rule, ctx.policy, ctx.calendar, state.paid_start, day,
                               event.effective, state.next_period_index)
    if isinstance(found, Refused):
        return refuse(ctx, day, event.type, found.reason, rule.clause)
    if state.notice is not None and state.notice.effective < found:
        return _skip(ctx, day, event, f"the contract ends {state.notice.effective}, before the "
                     f"change would take effect ({found})", rule.clause)
    return found


def price_change_announced(state: ContractState, ctx: Context, day: date, event: EventBase
                           ) -> Result:
    assert isinstance(event, PriceChangeAnnounced)
    checked = _precheck(state, ctx, day, event, "price")
    if isinstance(checked, list):
        return state, checked
    rule = checked
    if event.item not in {line.item for line in ctx.contract.lines}:
        return state, _skip(ctx, day, event, f"no item {event.item!r} in the contract",
                            rule.clause)
    effective = _effective(state, ctx, day, event, rule)
    if isinstance(effective, list):
        return state, effective
    old = _price_at(state, ctx, event.item, effective)
    new = event.new_unit_price
    clauses = rule.clause
    if new > old:
        refusal = _frequency(state, rule, effective, event.exceptional)
        if refusal is not None:
            return state, refuse(ctx, day, event.type, refusal, rule.clause)
        for check in (_index_cap(state, ctx, day, event.item, old, new),
                      _percent_cap(state, ctx, effective, event.item, new)):
            cap_clauses, excess = check
            clauses = tuple(dict.fromkeys((*clauses, *cap_clauses)))
            if excess is not None:
                return state, refuse(ctx, day, event.type, excess, clauses)
    pricing = state.pricing
    ref = f"{ctx.contract.id}-change-{pricing.announcements + 1}"
    change = PendingChange(ref=ref, kind="price", announced=day, effective=effective,
                           clauses=clauses, item=event.item, new_price=new)
    change, rights = _rights(state, ctx, day, rule, change)
    increases = (*pricing.increases, (event.item, effective)) if new > old else \
        pricing.increases
    state = replace(state, pricing=replace(pricing, pending=(*pricing.pending, change),
                                           increases=increases,
                                           announcements=pricing.announcements + 1))
    out = [action(day, "change_announced", ctx.contract.id, clauses, currency=ctx.currency,
                  ref=ref, change="price", item=event.item, old_price=old, new_price=new,
                  effective_date=effective)]
    return state, out + rights


def _frequency(state: ContractState, rule: ChangeRule, effective: date, exceptional: bool
               ) -> str | None:
    if rule.max_increases is None:
        return None
    most = rule.max_increases
    if exceptional and rule.max_increases_exceptional is not None:
        most = rule.max_increases_exceptional
    dates = [d for _, d in state.pricing.increases if d != effective]
    if frequency_ok(dates, effective, rule.per, most):
        return None
    taken = ", ".join(str(d) for d in sorted(set(dates)))
    extra = "" if exceptional or rule.max_increases_exceptional is None else (
        f" ({rule.max_increases_exceptional} only in exceptional circumstances: "
        "announce with exceptional: true)")
    return (f"at most {most} increase(s) within {rule.per}{extra}; increases already take "
            f"effect on {taken}")


def _index_cap(state: ContractState, ctx: Context, day: date, item: str, old: Decimal,
               new: Decimal) -> tuple[tuple[str, ...], str | None]:
    """The cap's clauses, and why the increase exceeds the cap (None when it passes)."""
    prices = ctx.policy.prices
    cap = prices.index_cap if prices is not None else None
    if cap is None or item in cap.exempt_items:
        return (), None
    assert state.paid_start is not None
    new_month = month_before(day)
    if cap.base == "price_in_force":
        reference, base_month = old, shift_month(new_month, -12)
        basis = f"the price in force {old}"
    else:
        reference, base_month = _line_price(ctx, item), month_before(state.paid_start)
        basis = f"the price at the start {reference}"
    purpose = f"the {'/'.join(cap.clause)} cap of contract {ctx.contract.id} on {day}"
    new_index = ctx.indices.value(cap.series, new_month, purpose=purpose)
    base_index = ctx.indices.value(cap.series, base_month, purpose=purpose)
    if within_cap(reference, new, new_index, base_index):
        return cap.clause, None
    return cap.clause, (
        f"{item}: {new} exceeds {basis} indexed with {cap.series} "
        f"({base_month} {show(base_index)} -> {new_month} {show(new_index)}): at most "
        f"{cap_price(reference, new_index, base_index)} is deemed agreed; a higher price "
        "needs the customer's express consent")


def _percent_cap(state: ContractState, ctx: Context, effective: date, item: str, new: Decimal
                 ) -> tuple[tuple[str, ...], str | None]:
    """The percentage cap's clauses, and why the increase exceeds it (None when it passes)."""
    prices = ctx.policy.prices
    cap = prices.increase_cap if prices is not None else None
    if cap is None:
        return (), None
    assert state.paid_start is not None
    terms = terms_for(ctx.policy, state.paid_start)
    term_start, _ = terms.term(terms.index_of(effective))
    base = (_line_price(ctx, item) if term_start <= state.paid_start
            else _price_at(state, ctx, item, term_start - timedelta(days=1)))
    highest = (base * (100 + cap.percent) / 100).quantize(Decimal("0.01"), ROUND_DOWN)
    why = f"{cap.percent} % above {base}, the price before the term from {term_start}"
    listed = cap.list_prices.get(item)
    if cap.below_list_price_only:
        if listed is None or base >= listed:
            return (), None
        if listed < highest:
            highest, why = listed, f"the list price {listed}"
    if new <= highest:
        return cap.clause, None
    return cap.clause, (f"{item}: {new} exceeds {why}: at most {highest} is deemed agreed; a "
                        "higher price needs the customer's express consent")


def terms_change_announced(state: ContractState, ctx: Context, day: date, event: EventBase
                           ) -> Result:
    assert isinstance(event, TermsChangeAnnounced)
    checked = _precheck(state, ctx, day, event, "terms")
    if isinstance(checked, list):
        return state, checked
    rule = checked
    effective = _effective(state, ctx, day, event, rule)
    if isinstance(effective, list):
        return state, effective
    pricing = state.pricing
    ref = f"{ctx.contract.id}-change-{pricing.announcements + 1}"
    change = PendingChange(ref=ref, kind="terms", announced=day, effective=effective,
                           clauses=rule.clause, summary=event.summary)
    change, rights = _rights(state, ctx, day, rule, change)
    state = replace(state, pricing=replace(pricing, pending=(*pricing.pending, change),
                                           announcements=pricing.announcements + 1))
    out = [action(day, "change_announced", ctx.contract.id, rule.clause, ref=ref,
                  change="terms", summary=event.summary, effective_date=effective)]
    return state, out + rights


def _rights(state: ContractState, ctx: Context, day: date, rule: ChangeRule,
            change: PendingChange) -> tuple[PendingChange, list[Action]]:
    """Open the objection / termination rights the rule grants for `change`."""
    out: list[Action] = []
    last = change.effective - timedelta(days=1)
    objection_until: date | None = None
    if rule.objection_until == "effective":
        objection_until = last
    elif rule.objection_window is not None:
        objection_until = min(ctx.calendar.add(day, rule.objection_window), last)
    if objection_until is not None and objection_until >= day:
        out.append(action(day, "customer_right_opened", ctx.contract.id, rule.clause,
                          ref=change.ref, right="object", until=objection_until))
        change = replace(change, objection_until=objection_until)
    if rule.terminate_until == "effective" and last >= day:
        out.append(action(day, "customer_right_opened", ctx.contract.id, rule.clause,
                          ref=change.ref, right="terminate", until=last,
                          termination_effective=last))
        # an objection up to the day before the change is the use of this right
        change = replace(change, objection_until=last)
    elif rule.terminate_until == "term_notice":
        assert state.paid_start is not None
        until = notice_until(ctx.policy, ctx.calendar, state.paid_start, day, change.effective)
        if until is not None and until >= day:
            clauses = tuple(dict.fromkeys((*rule.clause,
                                           *ctx.policy.termination.customer.clause)))
            out.append(action(day, "customer_right_opened", ctx.contract.id, clauses,
                              ref=change.ref, right="terminate", until=until))
    return change, out


def objection(state: ContractState, ctx: Context, day: date, event: EventBase) -> Result:
    open_changes = sorted(
        (c for c in state.pricing.pending if not c.objected and c.objection_until is not None
         and c.announced <= day <= c.objection_until),
        key=lambda c: (c.effective, c.ref))
    if not open_changes:
        return state, refuse(ctx, day, "objection", "no announced change is open to objection",
                              _all_clauses(ctx))
    change = open_changes[0]
    rule = _rule(ctx, change.kind)
    assert rule is not None
    effect = rule.on_objection or "terminate"
    pending = tuple(replace(c, objected=True) if c.ref == change.ref else c
                    for c in state.pricing.pending)
    state = replace(state, pricing=replace(state.pricing, pending=pending))
    out = [action(day, "objection_received", ctx.contract.id, rule.clause, ref=change.ref,
                  effect=effect)]
    if effect == "keep_old_terms":
        return state, out
    last = change.effective - timedelta(days=1)
    if state.status != "active":
        return state, out
    if state.notice is not None and state.notice.effective <= last:
        return state, out
    state = replace(state, notice=Notice(by="customer", received=day, effective=last,
                                         clauses=rule.clause))
    out.append(action(day, "termination_notice_received", ctx.contract.id, rule.clause,
                      by="customer", effective_date=last))
    return state, out


def _all_clauses(ctx: Context) -> tuple[str, ...]:
    prices = ctx.policy.prices
    if prices is None:
        return ()
    rules = (prices.price_changes, prices.terms_changes)
    return tuple(dict.fromkeys(c for r in rules if r is not None for c in r.clause))


# --- the daily phase ----------------------------------------------------------------------

def daily(state: ContractState, ctx: Context, day: date) -> Result:
    if state.status != "active":
        return state, []
    state, out = _schedule_indexation(state, ctx, day)
    state, acts = _apply_due(state, ctx, day)
    return state, out + acts


def _next_anniversary(rule: IndexationRule, paid_start: date, day: date) -> date:
    k = 1
    while add_months(paid_start, k * rule.every.months) <= day:
        k += 1
    return add_months(paid_start, k * rule.every.months)


def _schedule_indexation(state: ContractState, ctx: Context, day: date) -> Result:
    """Compute the next renewal's indexed prices the day before its invoice is issued."""
    prices = ctx.policy.prices
    rule = prices.indexation if prices is not None else None
    paid_start = state.paid_start
    if rule is None or paid_start is None:
        return state, []
    renewal = _next_anniversary(rule, paid_start, day)
    lead = ctx.policy.billing.invoice_lead
    schedule_on = max(lead.add_to(renewal, -1), paid_start) - timedelta(days=1)
    pricing = state.pricing
    if day < schedule_on or (pricing.indexed_until is not None
                             and pricing.indexed_until >= renewal):
        return state, []
    if state.notice is not None and state.notice.effective < renewal:
        return state, []
    if not ctx.indices.has(rule.series):
        state = replace(state, pricing=replace(pricing, indexed_until=renewal))
        return state, [action(day, "price_indexation_skipped", ctx.contract.id, rule.clause,
                              index=rule.series, effective_date=renewal,
                              reason=f"no index series {rule.series!r} given (scenario "
                              "index_series or an index CSV): prices stay as they are")]
    new_month = f"{renewal.year - 1:04d}-12"
    bases = {b.item: b for b in pricing.bases}
    pending = list(pricing.pending)
    purpose = f"the {'/'.join(rule.clause)} indexation of contract {ctx.contract.id} on {renewal}"
    new_index = ctx.indices.value(rule.series, new_month, purpose=purpose)
    announced = {c.item: c for c in sorted(pricing.pending, key=lambda c: c.effective)
                 if c.kind == "price" and c.index is None and c.effective <= renewal}
    for line in ctx.contract.lines:
        base = bases.get(line.item) or PriceBase(line.item, line.unit_price,
                                                 month_before(paid_start))
        laid_down = announced.get(line.item)
        if laid_down is not None:
            if laid_down.effective == renewal:
                continue  # the announced price is the renewal price: nothing to index
            assert laid_down.new_price is not None
            base = PriceBase(line.item, laid_down.new_price, month_before(laid_down.effective))
        base_index = ctx.indices.value(rule.series, base.month, purpose=purpose)
        current = _price_at(state, ctx, line.item, renewal)
        reference = base.price if rule.base == "original" else current
        new = revised_price(reference, rule.fixed_share, new_index, base_index)
        factor = revision_factor(rule.fixed_share, new_index, base_index)
        if rule.base == "chain":
            bases[line.item] = PriceBase(line.item, new, new_month)
        if new == current:
            continue
        pending.append(PendingChange(
            ref=f"{ctx.contract.id}-index-{renewal}", kind="price", announced=day,
            effective=renewal, clauses=rule.clause, item=line.item, new_price=new,
            index=rule.series, index_month=new_month, index_value=show(new_index),
            base_month=base.month, base_value=show(base_index),
            factor=str(factor.quantize(FACTOR_PLACES))))
    state = replace(state, pricing=replace(pricing, pending=tuple(pending),
                                           bases=tuple(bases.values()), indexed_until=renewal))
    return state, []


def _apply_due(state: ContractState, ctx: Context, day: date) -> Result:
    due = sorted((c for c in state.pricing.pending if c.effective <= day),
                 key=lambda c: (c.effective, c.ref, c.item or ""))
    if not due:
        return state, []
    pricing = state.pricing
    prices = dict(pricing.prices)
    cited = dict(pricing.price_clauses)
    bases = {b.item: b for b in pricing.bases}
    out: list[Action] = []
    for change in due:
        if change.kind == "terms":
            if not change.objected:
                out.append(action(day, "change_effective", ctx.contract.id, change.clauses,
                                  ref=change.ref, change="terms", summary=change.summary,
                                  effective_date=change.effective))
            continue
        assert change.item is not None and change.new_price is not None
        old = prices.get(change.item, _line_price(ctx, change.item))
        prices[change.item] = change.new_price
        cited[change.item] = change.clauses
        out.append(action(day, "price_changed", ctx.contract.id, change.clauses,
                          currency=ctx.currency, item=change.item, old_price=old,
                          new_price=change.new_price, index=change.index,
                          effective_date=change.effective, index_month=change.index_month,
                          index_value=change.index_value, base_month=change.base_month,
                          base_value=change.base_value, factor=change.factor))
        if change.index is None:
            # an announced price is the new price 'laid down': indexation restarts from it
            bases[change.item] = PriceBase(change.item, change.new_price,
                                           month_before(change.effective))
            out.append(action(day, "change_effective", ctx.contract.id, change.clauses,
                              ref=change.ref, change="price", item=change.item,
                              effective_date=change.effective))
    pending = tuple(c for c in pricing.pending if c.effective > day)
    state = replace(state, pricing=replace(pricing, prices=tuple(sorted(prices.items())),
                                           pending=pending, bases=tuple(bases.values()),
                                           price_clauses=tuple(sorted(cited.items()))))
    return state, out


HANDLERS: dict[str, Handler] = {
    "migration_announced": migration_announced,
    "migration_declined": migration_declined,
    "price_change_announced": price_change_announced,
    "terms_change_announced": terms_change_announced,
    "objection": objection,
}


def wake(state: ContractState, ctx: Context, day: date) -> date | None:
    """Next day the daily phase could act: a pending change takes effect, or the next
    renewal's indexation is computed."""
    if state.status != "active":
        return None
    out: list[date | None] = [c.effective for c in state.pricing.pending]
    prices = ctx.policy.prices
    rule = prices.indexation if prices is not None else None
    if rule is not None and state.paid_start is not None:
        out.append(_indexation_wake(state, ctx, rule, state.paid_start, day))
    return soonest(out)


def _indexation_wake(state: ContractState, ctx: Context, rule: IndexationRule,
                     paid_start: date, day: date) -> date | None:
    lead = ctx.policy.billing.invoice_lead

    def schedule_on(renewal: date) -> date:
        return max(lead.add_to(renewal, -1), paid_start) - timedelta(days=1)

    tomorrow = day + timedelta(days=1)
    renewal = _next_anniversary(rule, paid_start, tomorrow)
    indexed = state.pricing.indexed_until
    if indexed is None or indexed < renewal:
        if state.notice is not None and state.notice.effective < renewal:
            return None  # the contract ends before this renewal: nothing to index
        return max(schedule_on(renewal), tomorrow)
    following = _next_anniversary(rule, paid_start, renewal)
    return max(renewal, schedule_on(following))


MECHANISM = Mechanism("pricing", HANDLERS, (daily,), wake, notice_limits=(premature_end,))
__all__ = ["MECHANISM"]
