"""Issue 19: two deletion schedules, each with its clause. The German property-software AGB
of issue 19 deletes personal data "within 30 days" of the end of the contract and the
account's data "after 3 months"; `retention.deletions` holds the first, `retention.deletion`
(everything) the second."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from termline.domain.engine.deadlines import deadlines
from termline.domain.policy.check import check_text
from tests.custom_terms import custom_policy, run_one

MAIN = '  deletion:\n    clause: "5.2"\n    after: 30 days\n'
# EUR 50 a year paid, and the customer's notice three months before the term end (2.2)
NOTICE_GIVEN = ('[{date: 2027-01-10, type: payment, contract: k, amount: "50.00"}, '
                "{date: 2027-02-01, type: termination_notice, contract: k, by: customer}]")


def policy(tmp_path: Path, main: str = "3 months", personal: str = "30 days") -> Path:
    return custom_policy(tmp_path, (MAIN, f'  deletion:\n    clause: "5.2"\n    after: {main}\n'
                                    f'  deletions:\n    - {{name: personal data, clause: '
                                    f'"5.3", after: {personal}}}\n'))


def test_personal_data_after_30_days_the_account_after_3_months(tmp_path: Path) -> None:
    """Start 2027-01-04, 12 months (2.1), notice on 2027-02-01 (three months before the term
    end, 2.2): terminated 2028-01-03. Personal data: + 30 days = 2028-02-02 (clause 5.3);
    everything: + 3 months = 2028-04-03 (clause 5.2). Deadlines on 2028-01-10 list both."""
    result = run_one(policy(tmp_path), "2028-06-30", NOTICE_GIVEN, per="year", seats=1)
    deleted = [(a.date, a.clauses, dict(a.fields).get("data")) for a in result.of("k")
               if a.kind == "data_deleted"]
    assert deleted == [(date(2028, 2, 2), ("5.3",), "personal data"),
                       (date(2028, 4, 3), ("5.2",), None)]
    terminated = [a.date for a in result.of("k") if a.kind == "contract_terminated"]
    assert terminated == [date(2028, 1, 3)]


def test_the_deadlines_name_each_schedule(tmp_path: Path) -> None:
    result = run_one(policy(tmp_path), "2028-01-10", NOTICE_GIVEN, per="year", seats=1)
    found = deadlines(result.states["k"], result.contexts["k"], date(2028, 1, 10))
    assert [(d.kind, d.date, d.clauses, d.detail) for d in found] == [
        ("data_deletion", date(2028, 2, 2), ("5.3",), {"data": "personal data"}),
        ("data_deletion", date(2028, 4, 3), ("5.2",), {})]


def test_a_schedule_after_the_deletion_of_everything_warns(tmp_path: Path) -> None:
    text = policy(tmp_path, main="30 days", personal="3 months").read_text("utf-8")
    policy_, problems = check_text(text, "p.yaml")
    assert policy_ is not None
    assert [(p.where, p.message) for p in problems] == [(
        "retention.deletions[0] (personal data).after",
        "retention.deletions 'personal data' after 3 months comes no earlier than "
        "retention.deletion (30 days), which deletes everything: it changes nothing")]
