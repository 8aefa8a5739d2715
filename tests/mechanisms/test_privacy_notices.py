"""Force majeure and payment/access, assignment notices, the sub-processor registry.

Expectations are worked out by hand from the seed text with the packs' readings (the
`privacy:` sections of the packs). Force majeure `end` is its last day.
"""

from __future__ import annotations

from datetime import date

from scenario_helpers import actions, kinds, one, run
from termline.domain.mechanisms.privacy.notices import check_notice
from termline.domain.values.calendar import Calendar
from termline.domain.values.duration import Duration

SC_LINE = '{item: Smart Voicemail, unit_price: "30.00", per: month, quantity: 1}'
SW_LINE = '{item: SmartWeb Shop, unit_price: "50.00", per: month, quantity: 1}'
SO_LINE = '{item: CRM Online, unit_price: "200.00", per: month, quantity: 1}'
ST_LINE = '{item: SmartTrackers Platform, unit_price: "250.00", per: month, quantity: 1}'


def scenario(pack: str, until: str, contracts: list[str], events: list[str]) -> str:
    body = [f"policy: {pack}", f"until: {until}", "contracts:", *contracts]
    body.append("events:" if events else "events: []")
    body += [f"  - {e}" for e in events]
    return "\n".join(body) + "\n"


def contract(cid: str, start: str, line: str) -> str:
    return (f"  - id: {cid}\n    customer: {{name: {cid} Ltd}}\n    start: {start}\n"
            f"    lines:\n      - {line}")


def access(result: object, cid: str) -> list[tuple[str, str, list[str], str | None]]:
    return [(a["date"], a["kind"], a["clauses"], a.get("reason"))
            for a in actions(result, cid)  # type: ignore[arg-type]
            if a["kind"] in ("access_suspended", "access_restored")]


# --- pure: notice lead time -------------------------------------------------------------------

def test_check_notice_announce_by_is_effective_minus_notice_inclusive() -> None:
    """30 days before 2027-04-01 is 2027-03-02: announced that day is in time, a day later late.
    In business days (LT calendar): 3 business days before Mon 2027-03-08 is Wed 2027-03-03."""
    cal = Calendar("LT")
    on_time = check_notice(cal, date(2027, 3, 2), date(2027, 4, 1), Duration.parse("30 days"))
    assert (on_time.announce_by, on_time.late) == (date(2027, 3, 2), False)
    late = check_notice(cal, date(2027, 3, 3), date(2027, 4, 1), Duration.parse("30 days"))
    assert (late.announce_by, late.late) == (date(2027, 3, 2), True)
    bd = check_notice(cal, date(2027, 3, 4), date(2027, 3, 8),
                      Duration.parse("3 business days"))
    assert (bd.announce_by, bd.late) == (date(2027, 3, 3), True)


# --- Smartconnect 13.6 ------------------------------------------------------------------------

def test_smartconnect_13_6_force_majeure_does_not_suspend_payment() -> None:
    """13.6: force majeure excuses non-performance 'other than failure to pay any amounts due'.

    Start 2027-01-04, 12-month billing: invoice 30.00 x 12 = 360.00 dated 2027-01-04, due
    + 30 days = 2027-02-03 (8.3). Force majeure 2027-02-01 .. 2027-04-30, nothing paid.
    The 8.4 ladder runs on through it: reminder 1 = due + 14 = 2027-02-17, reminder 2 = +14 =
    2027-03-03, reminder 3 = +14 = 2027-03-17, suspension the day after its 14 days ran out =
    2027-03-17 + 14 + 1 = 2027-04-01 (clause 8.4, not 13.6: 13.6 gives no suspension right).
    """
    result = run(scenario("smartconnect", "2027-05-31", [
        contract("acme", "2027-01-04", SC_LINE)], [
        "{type: force_majeure, contract: acme, start: 2027-02-01, end: 2027-04-30}",
    ]))
    recorded = one(result, "acme", "force_majeure_recorded")
    assert (recorded["date"], recorded["payment_suspended"], recorded["clauses"],
            recorded.get("termination_right_from")) == ("2027-02-01", False, ["13.6"], None)
    invoice = one(result, "acme", "invoice_issued")
    assert (invoice["amount"], invoice["due_date"]) == ("360.00", "2027-02-03")
    assert [(a["date"], a["number"]) for a in actions(result, "acme", "reminder_sent")] == [
        ("2027-02-17", 1), ("2027-03-03", 2), ("2027-03-17", 3)]
    assert access(result, "acme") == [("2027-04-01", "access_suspended", ["8.4"], None)]
    assert not {"customer_right_opened", "provider_right_opened"} & set(kinds(result, "acme"))


# --- SmartWeb 13.6 ----------------------------------------------------------------------------

def test_smartweb_13_6_access_suspended_while_force_majeure_lasts() -> None:
    """13.6: SmartWeb may suspend access 'until the event ... has ceased'.

    Start 2027-01-04: invoice 50.00 x 6 = 300.00 dated 2027-01-04, paid at its total with 25 %
    Danish VAT, 375.00, on 2027-01-10.
    * acme: force majeure 2027-03-01 .. 2027-03-10 -> access_suspended 2027-03-01, restored
      the day after its last day, 2027-03-11. Billing goes on: the next six months invoiced
      2027-07-04 - 14 days = 2027-06-20.
    * open: force majeure from 2027-03-01 without an end -> suspended, never restored.
    * late: the event arrives 2027-03-05 for a force majeure that began 2027-03-01 and ends
      2027-03-20 -> suspended on arrival 2027-03-05, restored 2027-03-21.
    """
    pay = "{{date: 2027-01-10, type: payment, contract: {c}, amount: \"375.00\"}}"
    result = run(scenario("smartweb", "2027-06-30", [
        contract("acme", "2027-01-04", SW_LINE), contract("open", "2027-01-04", SW_LINE),
        contract("late", "2027-01-04", SW_LINE)], [
        pay.format(c="acme"), pay.format(c="open"), pay.format(c="late"),
        "{type: force_majeure, contract: acme, start: 2027-03-01, end: 2027-03-10}",
        "{type: force_majeure, contract: open, start: 2027-03-01}",
        "{date: 2027-03-05, type: force_majeure, contract: late, start: 2027-03-01, "
        "end: 2027-03-20}",
    ]))
    assert access(result, "acme") == [
        ("2027-03-01", "access_suspended", ["13.6"], "force_majeure"),
        ("2027-03-11", "access_restored", ["13.6"], "force_majeure_ended")]
    suspended = one(result, "acme", "access_suspended")
    assert (suspended["force_majeure_start"], suspended["until"]) == ("2027-03-01", "2027-03-10")
    assert [i["date"] for i in actions(result, "acme", "invoice_issued")] == [
        "2027-01-04", "2027-06-20"]
    assert access(result, "open") == [
        ("2027-03-01", "access_suspended", ["13.6"], "force_majeure")]
    assert access(result, "late") == [
        ("2027-03-05", "access_suspended", ["13.6"], "force_majeure"),
        ("2027-03-21", "access_restored", ["13.6"], "force_majeure_ended")]


def test_smartweb_13_6_dunning_suspension_outlasts_force_majeure_4_3() -> None:
    """Force majeure and the 4.3 dunning suspension together (invoice 300.00 of 2027-01-04,
    due + 8 days = 2027-01-12; reminder 1 = due + 10 = 01-22, reminder 2 = 02-01, EUR 14
    each; dunning suspension 02-01 + 7 + 1 = 02-09; breach notice due + 30 + 1 = 02-12,
    termination 02-12 + 10 + 1 = 02-23 unless paid).
    * unpaid: FM 2027-01-25 .. 2027-02-20. Suspended by the FM on 01-25; the dunning step of
      02-09 finds access already suspended; when the FM ends (02-21) the overdue invoice still
      holds access: no access_restored. Paying the invoice's total (300.00 + 25 % VAT = 375.00)
      + 28.00 of fees = 403.00 on 02-22 restores it (4.3).
    * paid: FM 2027-02-05 .. 2027-02-20, 403.00 paid 2027-02-15 during the FM: the dunning
      ground is gone but access stays suspended until the FM ends: restored 2027-02-21 (13.6).
    """
    result = run(scenario("smartweb", "2027-03-31", [
        contract("unpaid", "2027-01-04", SW_LINE), contract("paid", "2027-01-04", SW_LINE)], [
        "{type: force_majeure, contract: unpaid, start: 2027-01-25, end: 2027-02-20}",
        "{date: 2027-02-22, type: payment, contract: unpaid, amount: \"403.00\"}",
        "{type: force_majeure, contract: paid, start: 2027-02-05, end: 2027-02-20}",
        "{date: 2027-02-15, type: payment, contract: paid, amount: \"403.00\"}",
    ]))
    assert access(result, "unpaid") == [
        ("2027-01-25", "access_suspended", ["13.6"], "force_majeure"),
        ("2027-02-22", "access_restored", ["4.3"], None)]
    assert "contract_terminated" not in kinds(result, "unpaid")
    assert access(result, "paid") == [
        ("2027-02-05", "access_suspended", ["13.6"], "force_majeure"),
        ("2027-02-21", "access_restored", ["13.6"], "force_majeure_ended")]
    assert [a["date"] for a in actions(result, "paid", "reminder_sent")] == [
        "2027-01-22", "2027-02-01"]


# --- SuperOffice 15 ---------------------------------------------------------------------------

def test_superoffice_15_assignment_announced_30_days_ahead_where_possible() -> None:
    """15: SuperOffice may assign the Contract; 'indien mogelijk, 30 dagen tevoren aangekondigd'.

    Effective 2027-04-01: announce by 2027-04-01 - 30 days = 2027-03-02.
    * Broadcast announced 2027-03-01 -> in time, no violation.
    * Announced to acme 2027-03-15 for 2027-04-01 -> late (best effort): violation.
    A contract not yet started (2027-06-01) ignores the broadcast; a pack without the rule
    refuses an event addressed to its contract.
    """
    result = run(scenario("superoffice", "2027-04-30", [
        contract("acme", "2027-02-10", SO_LINE), contract("later", "2027-06-01", SO_LINE)], [
        "{date: 2027-03-01, type: assignment_announced, effective: 2027-04-01, "
        "assignee: NewCo AS}",
        "{date: 2027-03-15, type: assignment_announced, contract: acme, effective: 2027-04-01}",
    ]))
    notified = actions(result, "acme", "assignment_notified")
    assert [(a["date"], a.get("assignee"), a["effective_date"], a["announce_by"], a["clauses"])
            for a in notified] == [
        ("2027-03-01", "NewCo AS", "2027-04-01", "2027-03-02", ["15"]),
        ("2027-03-15", None, "2027-04-01", "2027-03-02", ["15"])]
    violation = one(result, "acme", "assignment_notice_violation")
    assert (violation["date"], violation["announce_by"], violation["notice"],
            violation["best_effort"]) == ("2027-03-15", "2027-03-02", "30 days", True)
    assert not {"assignment_notified", "event_refused"} & set(kinds(result, "later"))
    other = run(scenario("smartweb", "2027-03-31", [contract("x", "2027-01-04", SW_LINE)], [
        "{date: 2027-03-01, type: assignment_announced, contract: x, effective: 2027-04-01}",
        "{date: 2027-03-01, type: assignment_announced, effective: 2027-04-01}"]))
    refused = one(other, "x", "event_refused")
    assert (refused["event"], refused["reason"]) == (
        "assignment_announced", "the terms set no assignment notice")


# --- SmartTrackers DPA 6.1 - 6.3 --------------------------------------------------------------

def test_smarttrackers_dpa_6_2_6_3_intra_group_eu_without_notice_sccs_outside() -> None:
    """DPA 6.2: other EU/EEA Visma companies may be engaged 'without prior approval or
    notification'; DPA 6.3: outside the EU/EEA the transfer needs SCCs; DPA 6.4 otherwise.

    * 2025-03-03 VismaDev (intra-group, EU/EEA), effective the same day: recorded, no notice
      needed -> no violation (6.4 alone would want it announced by 03-02), no objection right.
    * 2025-03-10 VismaUS (intra-group, outside the EU/EEA), effective 2025-04-01: 6.2 does not
      cover it -> notified with SCCs (6.3), objection until 03-10 + 30 days = 2025-04-09.
    * 2025-03-12 MailCo (external, EU/EEA), effective 2025-04-01: notified without safeguard,
      objection until 2025-04-11.
    """
    result = run(scenario("smarttrackers", "2025-04-30", [
        contract("acme", "2025-01-01", ST_LINE)], [
        "{date: 2025-03-03, type: subprocessor_change_announced, effective: 2025-03-03, "
        "name: VismaDev, intra_group: true, eu_eea: true}",
        "{date: 2025-03-10, type: subprocessor_change_announced, effective: 2025-04-01, "
        "name: VismaUS, intra_group: true, eu_eea: false}",
        "{date: 2025-03-12, type: subprocessor_change_announced, effective: 2025-04-01, "
        "name: MailCo}",
    ]))
    recorded = one(result, "acme", "subprocessor_change_recorded")
    assert (recorded["date"], recorded["name"], recorded["basis"], recorded["notice_required"],
            recorded["clauses"]) == (
        "2025-03-03", "VismaDev", "intra_group_eu_eea", False, ["DPA-6.1", "DPA-6.2", "DPA-6.3"])
    assert "subprocessor_notice_violation" not in kinds(result, "acme")
    notified = actions(result, "acme", "subprocessor_change_notified")
    assert [(a["date"], a["name"], a.get("transfer_safeguard"), a["clauses"])
            for a in notified] == [
        ("2025-03-10", "VismaUS", "EU Standard Contractual Clauses (SCCs)",
         ["DPA-6.4", "DPA-6.1", "DPA-6.2", "DPA-6.3"]),
        ("2025-03-12", "MailCo", None, ["DPA-6.4"])]
    rights = actions(result, "acme", "customer_right_opened")
    assert [(a["name"], a["until"]) for a in rights] == [
        ("VismaUS", "2025-04-09"), ("MailCo", "2025-04-11")]
