"""The next dates that matter for a contract on a given day, each with its clauses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from termline.domain.engine.state import Context, ContractState, Item
from termline.domain.mechanisms.billing.schedule import billing_period, issue_date
from termline.domain.mechanisms.dunning.ladder import step_date
from termline.domain.mechanisms.retention.data import scheduled_deletions
from termline.domain.mechanisms.term.terms import notice_deadline, terms_for
from termline.domain.policy.schema import DunningRule
from termline.domain.values.calendar import Calendar
from termline.domain.values.money import ZERO


@dataclass(frozen=True)
class Deadline:
    contract: str
    kind: str
    date: date
    clauses: tuple[str, ...]
    detail: dict[str, str]

    def to_json(self) -> dict[str, Any]:
        return {"contract": self.contract, "kind": self.kind, "date": self.date.isoformat(),
                "clauses": list(self.clauses), **self.detail}


def deadlines(state: ContractState, ctx: Context, on: date) -> list[Deadline]:
    cid, policy = ctx.contract.id, ctx.policy
    out: list[Deadline] = []
    if state.status == "trial" and state.trial_end is not None:
        out.append(Deadline(cid, "trial_end", state.trial_end, policy.trial.clause, {}))
    if state.status == "active" and state.paid_start is not None:
        terms = terms_for(policy, state.paid_start)
        initial_end = terms.term(0)[1]
        rule = policy.termination.customer
        if state.notice is None:
            found = notice_deadline(rule, policy, ctx.calendar, terms, on, initial_end)
            if found is not None:
                out.append(Deadline(cid, "notice_deadline", found[0], rule.clause,
                                    {"term_end": found[1].isoformat()}))
            assert state.term_end is not None
            out.append(Deadline(cid, "term_end", state.term_end, policy.term.clause,
                                {"renews": "true"}))
        else:
            out.append(Deadline(cid, "term_end", state.notice.effective, state.notice.clauses,
                                {"renews": "false"}))
        assert state.billing_anchor is not None
        start, _ = billing_period(policy, state.billing_anchor, state.next_period_index)
        last = state.notice.effective if state.notice else None
        if last is None or start <= last:
            out.append(Deadline(cid, "next_invoice", issue_date(policy, start, state.paid_start),
                                policy.billing.clause, {"period_start": start.isoformat()}))
    best = None
    for it in state.items:
        if it.kind != "invoice" or it.open <= ZERO or it.on_hold:
            continue
        found_step = _next_possible_step(policy.dunning, it, state, ctx.calendar)
        if found_step is not None and (best is None or found_step[1] < best[1]):
            best = (found_step[0], found_step[1], it.ref)
    if best is not None:
        step = policy.dunning.steps[best[0]]
        out.append(Deadline(cid, "next_dunning_step", best[1], step.clause,
                            {"step": step.name, "ref": best[2]}))
    if state.status == "terminated" and not state.data_deleted and state.delete_on is not None:
        out.append(Deadline(cid, "data_deletion", state.delete_on,
                            policy.retention.deletion.clause, {}))
    if state.status == "terminated" and not state.data_deleted \
            and state.terminated_on is not None:
        out += [Deadline(cid, "data_deletion", when, schedule.clause, {"data": schedule.name})
                for schedule, when in scheduled_deletions(policy.retention, ctx.calendar,
                                                          state.terminated_on) if when >= on]
    return sorted(out, key=lambda d: (d.date, d.kind))


# steps that act on the contract: once it is terminated they do nothing (engine/dunning_run.py)
_CONTRACT_LEVEL = ("suspension", "breach_notice", "termination")


def _next_possible_step(rule: DunningRule, invoice: Item, state: ContractState,
                        calendar: Calendar) -> tuple[int, date] | None:
    """The earliest pending step of an invoice whose date is known and that can still act: no
    suspension threat or breach notice for a contract already terminated, no suspension of
    access already suspended."""
    best: tuple[int, date] | None = None
    for i, step in enumerate(rule.steps):
        if state.step_date(invoice.ref, step.name) is not None:
            continue
        if state.status == "terminated" and step.kind in _CONTRACT_LEVEL:
            continue
        if step.kind == "suspension" and state.access == "suspended":
            continue
        day = step_date(rule, i, invoice, state, calendar)
        if day is not None and (best is None or day < best[1]):
            best = (i, day)
    return best
