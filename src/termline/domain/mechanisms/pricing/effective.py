"""When an announced change takes effect, and how long the customer can react to it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from termline.domain.mechanisms.billing.schedule import billing_anchor, billing_period, issue_date
from termline.domain.mechanisms.pricing.rules import ChangeRule
from termline.domain.mechanisms.term.terms import Refused, notice_deadline, terms_for
from termline.domain.policy.schema import Policy
from termline.domain.values.calendar import Calendar
from termline.domain.values.duration import Duration

_HORIZON = 1000  # periods searched for an aligned date; far more than any contract runs


def earliest_effective(rule: ChangeRule, policy: Policy, calendar: Calendar, paid_start: date,
                       announced: date, requested: date, first_uninvoiced: int = 0
                       ) -> date | Refused:
    """The date a change announced on `announced` for `requested` takes effect, or why not.

    The requested date must respect the lead time (and the other floors of the rule); it is
    then moved to the first date the rule aligns changes to.
    """
    earliest = calendar.add(announced, rule.lead)
    floors = [(earliest, f"{rule.lead} notice before it takes effect")]
    if rule.not_before_start_plus is not None:
        floors.append((calendar.add(paid_start, rule.not_before_start_plus),
                       f"no change within {rule.not_before_start_plus} of the start "
                       f"({paid_start})"))
    if rule.not_before_initial_term_end:
        initial_end = terms_for(policy, paid_start).term(0)[1]
        floors.append((initial_end + timedelta(days=1),
                       f"no change before the initial term ends ({initial_end})"))
    for floor, why in floors:
        if requested < floor:
            soonest = align(rule, policy, paid_start, announced,
                            max(f for f, _ in floors), first_uninvoiced)
            return Refused(f"effective {requested} breaks the terms: {why}; announced on "
                           f"{announced}, the change could take effect on {soonest} at the "
                           "earliest")
    return align(rule, policy, paid_start, announced, requested, first_uninvoiced)


def align(rule: ChangeRule, policy: Policy, paid_start: date, announced: date, target: date,
          first_uninvoiced: int = 0) -> date:
    """The first date on or after `target` the rule lets a change take effect."""
    if rule.align == "none":
        return target
    if rule.align == "term_start":
        terms = terms_for(policy, paid_start)
        current = terms.index_of(announced)
        for k in range(current + 1, current + _HORIZON):
            start = terms.term(k)[0]
            if start >= target:
                return start
    anchor = billing_anchor(policy, paid_start)
    for i in range(first_uninvoiced if rule.align == "next_invoice" else 0, _HORIZON):
        start, _ = billing_period(policy, anchor, i)
        if rule.align == "billing_period_start" and start >= target:
            return start
        if rule.align == "next_invoice" and issue_date(policy, start, paid_start) >= target:
            return start
    raise AssertionError("no aligned date found")  # pragma: no cover


def notice_until(policy: Policy, calendar: Calendar, paid_start: date, announced: date,
                 effective: date) -> date | None:
    """Last day a usual customer notice ends the contract before `effective` (None: no way)."""
    rule = policy.termination.customer
    terms = terms_for(policy, paid_start)
    initial_end = terms.term(0)[1]
    on = announced
    best: date | None = None
    for _ in range(_HORIZON):
        found = notice_deadline(rule, policy, calendar, terms, on, initial_end)
        if found is None:
            return best
        deadline, end = found
        if end >= effective:
            return best
        best = deadline
        on = deadline + timedelta(days=1)
    return best  # pragma: no cover


def frequency_ok(existing: Iterable[date], new: date, per: Duration, most: int) -> bool:
    """True when no window [d, d + per) holds more than `most` distinct change dates."""
    dates = sorted({*existing, new})
    for start in dates:
        end = per.add_to(start)
        if sum(1 for d in dates if start <= d < end) > most:
            return False
    return True
