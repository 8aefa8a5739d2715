"""Issue 19, notice and dunning as the issue's texts word them: a notice period that depends
on the billing period ("14 days for monthly, 2 months for yearly" subscriptions), and
suspension lifted only "until everything due is paid" (principal, fees, charges and
interest), besides "principal" and "principal and fees"."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from termline.domain.engine.deadlines import deadlines
from termline.domain.policy.check import check_text
from tests.custom_terms import CUSTOM, run_one

NOTICE = """termination:
  customer:
    clause: "2.2"
    effect: term_end
    period: 3 months
    before: term_end
"""


def _notice_policy(tmp_path: Path) -> Path:
    text = CUSTOM.read_text("utf-8")
    assert NOTICE in text
    text = text.replace(NOTICE, NOTICE.replace(
        "    period: 3 months\n",
        "    period_by_billing: {1 month: 14 days, 12 months: 2 months}\n"))
    text = text.replace("overridable:\n", "overridable:\n  - billing.period\n")
    path = tmp_path / "p.yaml"
    path.write_text(text, "utf-8")
    return path


@pytest.mark.parametrize(("billing", "last_day"), [
    ("12 months", date(2027, 11, 3)), ("1 month", date(2027, 12, 20))])
def test_the_notice_period_follows_the_billing_period(tmp_path: Path, billing: str,
                                                      last_day: date) -> None:
    """Start 2027-01-04, initial term 12 months: the term ends 2028-01-03. Yearly billing:
    2 months before, 2027-11-03; monthly: 14 days before, 2027-12-20."""
    result = run_one(_notice_policy(tmp_path), "2027-02-01", seats=1,
                     contract=f"\n    billing_period: {billing}")
    found = {d.kind: d for d in deadlines(result.states["k"], result.contexts["k"],
                                          date(2027, 2, 1))}
    assert found["notice_deadline"].date == last_day
    assert found["notice_deadline"].detail == {"term_end": "2028-01-03"}


def test_a_billing_period_without_a_notice_period_is_an_error(tmp_path: Path) -> None:
    text = _notice_policy(tmp_path).read_text("utf-8").replace(
        "{1 month: 14 days, 12 months: 2 months}", "{1 month: 14 days}")
    _, problems = check_text(text, "p.yaml")
    assert [(p.where, p.message) for p in problems if p.severity == "error"] == [(
        "termination.customer.period_by_billing",
        "termination.customer.period_by_billing has no period for the billing period 12 "
        "months (it gives 1 month); add it, or a 'period' for the others")]


def _restore_policy(tmp_path: Path, restore_on: str) -> Path:
    text = CUSTOM.read_text("utf-8")
    text = text.replace("    - name: fixed_interest\n",
                        '    - {name: suspension, kind: suspension, clause: "4.3", '
                        "after: 5 days, from: due_date}\n    - name: fixed_interest\n")
    text = text.replace("  method: none\n", "  method: statutory\n  jurisdiction: BE\n")
    text = text.replace('dunning:\n  clause: ["4.1", "4.2", "4.3"]\n',
                        f'dunning:\n  clause: ["4.1", "4.2", "4.3"]\n  restore_on: {restore_on}\n')
    path = tmp_path / "p.yaml"
    path.write_text(text, "utf-8")
    return path


@pytest.mark.parametrize(("restore_on", "restored"), [
    ("principal_paid", date(2027, 3, 5)), ("principal_and_fees_paid", date(2027, 3, 5)),
    ("everything_due_paid", date(2027, 3, 8))])
def test_access_comes_back_when_the_terms_say(tmp_path: Path, restore_on: str,
                                              restored: date) -> None:
    """Invoice 2027-01-04 EUR 1,200.00 net + 21 % VAT (Belgian customer) = 1,452.00 open
    (issue 17: the item is the invoice total), due 02-03; EUR 40 compensation 02-04 (4.4, no
    VAT: category O); suspension 5 days after the due date, 02-08. EUR 1,492.00 paid on 03-05
    settles the invoice and the compensation; statutory interest (BE, 10.5 % carried forward)
    is charged on the amount due incl. VAT (interest.base gross):
    1452 x 10.5 % x 30 / 365 = 12.531 -> 12.53, paid 03-08. "Until everything due is
    paid" waits for the interest: 03-08; principal, or principal and fees: 03-05."""
    result = run_one(_restore_policy(tmp_path, restore_on), "2027-03-10",
                     '[{date: 2027-03-05, type: payment, contract: k, amount: "1492.00"}, '
                     '{date: 2027-03-08, type: payment, contract: k, amount: "12.53"}]')
    acts = result.of("k")
    assert [a.date for a in acts if a.kind == "access_suspended"] == [date(2027, 2, 8)]
    assert [str(a.get("amount")) for a in acts if a.kind == "interest_charged"] == ["12.53"]
    assert [a.date for a in acts if a.kind == "access_restored"] == [restored]


def test_a_reminder_sent_by_hand_starts_the_ladders_next_dates() -> None:
    """LedgerLoop 4.1 (tests/fixtures/custom/terms.txt): reminders 10 days after the due
    date and 10 days apart; 4.2: "21 days after the due date and after the third reminder"
    a fixed interest of 15 % "of the unpaid amount" and a EUR 50 penalty. Invoice 1,200.00
    net + 21 % VAT = 1,452.00 unpaid (issue 17: the item is the total incl. VAT), due
    2027-02-03. The first
    reminder sent by hand on 02-05 counts as reminder_1: reminder_2 on 02-15, reminder_3 on
    02-25 (not 02-13/02-23/03-05), and the charges on the later of 02-24 (due + 21) and
    02-25: 02-25, 15 % x 1452.00 = 217.80 and 50.00. A second hand reminder for a step already
    taken is refused."""
    result = run_one(CUSTOM, "2027-03-01",
                     "[{date: 2027-02-05, type: reminder_sent, contract: k, ref: k-0001}, "
                     "{date: 2027-02-06, type: reminder_sent, contract: k, ref: k-0001, "
                     "step: reminder_1}]")
    acts = result.of("k")
    reminders = [(a.date, a.get("number"), dict(a.fields).get("by")) for a in acts
                 if a.kind == "reminder_sent"]
    assert reminders == [(date(2027, 2, 5), 1, "hand"), (date(2027, 2, 15), 2, None),
                         (date(2027, 2, 25), 3, None)]
    charges = [(a.date, a.get("name"), str(a.get("amount"))) for a in acts
               if a.kind == "charge_applied"]
    assert charges == [(date(2027, 2, 25), "fixed interest", "217.80"),
                       (date(2027, 2, 25), "penalty", "50.00")]
    (refused,) = [a for a in acts if a.kind == "event_refused"]
    assert refused.date == date(2027, 2, 6)
    assert refused.get("reason") == "reminder_1 was already taken for k-0001"


def test_termination_after_more_than_two_consecutive_periods_unpaid(tmp_path: Path) -> None:
    """"More than two consecutive periods unpaid" (issue 19's Belgian ERP agreement): a
    termination step 10 days after the due date that waits for 3 unpaid periods in a row.
    Monthly billing from 2027-01-04, 30 days to pay (3.2): invoices of 01-04, 02-04 and
    03-04 due 02-03, 03-06 and 04-03. The first invoice's step date (02-13) passes with one
    period unpaid; on 04-04 the third invoice is past due unpaid: terminated on 2027-04-04
    (the fourth period's invoice went out that morning: billing runs before the ladder). A
    payment of 121.00 on 03-20 naming the first invoice (2 x 50.00 net + 21 % VAT, its total:
    issue 17; unnamed, payment.allocation oldest_first would give its 4.2/4.4 charges their
    share first) settles it: two periods in a row at most by 04-30, no termination."""
    text = CUSTOM.read_text("utf-8").replace("overridable:\n", "overridable:\n  - billing.period\n")
    text = text.replace("    - name: collection_agency\n",
                        '    - {name: termination, kind: termination, clause: "4.3", '
                        "after: 10 days, from: due_date, requires_unpaid_periods: 3}\n"
                        "    - name: collection_agency\n")
    path = tmp_path / "p.yaml"
    path.write_text(text, "utf-8")

    def book(events: str) -> list[tuple[str, date]]:
        result = run_one(path, "2027-04-30", events,
                         contract="\n    billing_period: 1 month")
        return [(a.kind, a.date) for a in result.of("k")
                if a.kind in ("invoice_issued", "contract_terminated")]

    assert book("[]") == [("invoice_issued", date(2027, 1, 4)),
                          ("invoice_issued", date(2027, 2, 4)),
                          ("invoice_issued", date(2027, 3, 4)),
                          ("invoice_issued", date(2027, 4, 4)),
                          ("contract_terminated", date(2027, 4, 4))]
    paid = book('[{date: 2027-03-20, type: payment, contract: k, amount: "121.00", '
                'invoice: k-0001}]')
    assert ("contract_terminated", date(2027, 4, 4)) not in paid
    assert not any(kind == "contract_terminated" for kind, _ in paid)
