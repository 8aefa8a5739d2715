"""Terms and notices: which term a notice ends, and the last day a notice still ends a term.

Terms are counted from one anchor: the first term is [start, anchor + initial - 1 day], term
j >= 1 is [anchor + initial + (j-1)*renewal, anchor + initial + j*renewal - 1 day]. The anchor
is the paid start, or the first billing period where the pack counts the initial term from there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from mypy_extensions import mypyc_attr

from termline.domain.mechanisms.billing.schedule import billing_anchor, issue_date
from termline.domain.policy.schema import NoticeRule, Policy
from termline.domain.values.calendar import Calendar
from termline.domain.values.duration import Duration, add_months
from termline.domain.values.periods import month_end, shift
from termline.domain.values.record_build import assigned


@mypyc_attr(native_class=False)
@assigned
@dataclass(frozen=True, slots=True)
class Terms:
    """The sequence of terms of one contract."""

    start: date
    anchor: date
    initial: Duration
    renewal: Duration

    def boundary(self, j: int) -> date:
        """First day after term j."""
        if self.initial.months and self.renewal.months:
            return add_months(self.anchor, self.initial.months + j * self.renewal.months)
        return shift(shift(self.anchor, self.initial, 1), self.renewal, j)

    def term(self, j: int) -> tuple[date, date]:
        start = self.start if j == 0 else self.boundary(j - 1)
        return start, self.boundary(j) - timedelta(days=1)

    def index_of(self, day: date) -> int:
        j = 0
        while self.boundary(j) <= day:
            j += 1
        return j


def terms_for(policy: Policy, paid_start: date) -> Terms:
    renewal = policy.term.renewal
    length = (policy.billing.period if renewal == "billing_period"
              else policy.term.initial if renewal == "initial" else renewal)
    assert isinstance(length, Duration)
    anchor = paid_start
    if policy.term.initial_anchor == "first_billing_period":
        anchor = billing_anchor(policy, paid_start)
    return Terms(paid_start, anchor, policy.term.initial, length)


@mypyc_attr(native_class=False)
@dataclass(frozen=True, slots=True)
class Refused:
    reason: str


def _deadline(rule: NoticeRule, policy: Policy, calendar: Calendar, terms: Terms,
              j: int) -> date:
    _, end = terms.term(j)
    anchor = end if rule.before == "term_end" else end + timedelta(days=1)
    period = rule.period_for(policy.billing.period)
    deadline = calendar.add(anchor, period, sign=-1) if period else anchor
    if rule.before_invoice_dispatch:
        # The next period's invoice must not have gone out: notice the day before at the latest.
        dispatch = issue_date(policy, end + timedelta(days=1), terms.start)
        deadline = min(deadline, dispatch - timedelta(days=1))
    return deadline


def _earliest_end(rule: NoticeRule, terms: Terms) -> date | None:
    if rule.non_terminable is None or rule.min_commitment_mode != "end_of_first_term":
        return None
    return shift(terms.start, rule.non_terminable, 1) - timedelta(days=1)


def effective_date(rule: NoticeRule, policy: Policy, calendar: Calendar, terms: Terms,
                   notice: date, initial_end: date) -> date | Refused:
    """The last day of the contract when a notice under `rule` is given on `notice`."""
    if not rule.allowed:
        return Refused("the terms give this party no right to terminate by notice")
    if rule.effect == "end_of_calendar_month":
        return max(month_end(notice), initial_end)
    if rule.effect == "fixed_period":
        period = rule.period_for(policy.billing.period)
        assert period is not None
        return calendar.add(notice, period)
    if rule.non_terminable is not None and rule.min_commitment_mode == "after_first_term":
        opens = shift(terms.start, rule.non_terminable, 1)
        if notice < opens:
            return Refused(f"non-terminable until {opens - timedelta(days=1)}")
    earliest = _earliest_end(rule, terms)
    j = terms.index_of(notice)
    for k in range(j, j + 400):
        _, end = terms.term(k)
        if earliest is not None and end < earliest:
            continue
        if notice <= _deadline(rule, policy, calendar, terms, k):
            return end
    raise AssertionError("no term end found for notice")  # pragma: no cover


def notice_deadline(rule: NoticeRule, policy: Policy, calendar: Calendar, terms: Terms,
                    on: date, initial_end: date) -> tuple[date, date] | None:
    """(last day to give notice, the term end it reaches) for the earliest reachable end."""
    if not rule.allowed:
        return None
    if rule.effect == "end_of_calendar_month":
        last = month_end(max(on, initial_end))
        return last, max(last, initial_end)
    if rule.effect == "fixed_period":
        return None
    opens = terms.start
    if rule.non_terminable is not None and rule.min_commitment_mode == "after_first_term":
        opens = shift(terms.start, rule.non_terminable, 1)
    earliest = _earliest_end(rule, terms)
    j = terms.index_of(on)
    for k in range(j, j + 400):
        _, end = terms.term(k)
        if earliest is not None and end < earliest:
            continue
        deadline = _deadline(rule, policy, calendar, terms, k)
        if deadline >= max(on, opens):
            return deadline, end
    return None  # pragma: no cover
