"""Backups, restores, export requests, the exit period and the purge of backup copies.

Expectations are worked out by hand from the seed text with the packs' readings (see the
`backups:` sections): a backup is taken at the end of each day the contract runs, so on day D
the latest backup is of D-1; a backup of day X is kept `retention`, so on day D it can be
restored when X >= D - retention (calendar months, clamped to the month end).
"""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from scenario_helpers import actions, kinds, one, run
from termline.domain.mechanisms.backups.rules import BackupRule
from termline.domain.mechanisms.backups.window import (
    cadence_days,
    check_restore,
    latest_backup,
    purge_date,
)
from termline.domain.values.calendar import Calendar
from termline.domain.values.duration import Duration

BE = Calendar("BE")
MONTH = Duration.parse("1 month")


def scenario(pack: str, until: str, contracts: list[str], events: list[str]) -> str:
    body = [f"policy: {pack}", f"until: {until}", "contracts:", *contracts]
    body.append("events:" if events else "events: []")
    body += [f"  - {e}" for e in events]
    return "\n".join(body) + "\n"


def contract(cid: str, start: str, line: str, overrides: str = "{}", extra: str = "") -> str:
    return (f"  - id: {cid}\n    customer: {{name: {cid} Ltd}}\n    start: {start}\n"
            f"    overrides: {overrides}\n{extra}    lines:\n      - {line}")


SC_LINE = '{item: Contact Center, unit_price: "100.00", per: month, quantity: 1}'
SW_LINE = '{item: SmartWeb Shop, unit_price: "50.00", per: month, quantity: 1}'
SO_LINE = '{item: CRM Online, unit_price: "200.00", per: month, quantity: 1}'
CC_LINE = '{item: Smart Voicemail, unit_price: "30.00", per: month, quantity: 1}'
ST_LINE = '{item: SmartTrackers Platform, unit_price: "250.00", per: month, quantity: 1}'


# --- pure functions ---------------------------------------------------------------------------

def test_latest_backup_is_of_the_day_before_and_follows_the_cadence() -> None:
    # Daily from 2027-01-04: on 01-04 nothing yet, on 01-05 the backup of 01-04.
    assert latest_backup(date(2027, 1, 4), date(2027, 1, 4), 1) is None
    assert latest_backup(date(2027, 1, 4), date(2027, 1, 5), 1) == date(2027, 1, 4)
    # Weekly from 2027-01-04 (01-04, 01-11, 01-18): on 01-18 the latest is of 01-11.
    assert latest_backup(date(2027, 1, 4), date(2027, 1, 18), 7) == date(2027, 1, 11)
    assert cadence_days(Duration.parse("2 weeks")) == 14
    assert cadence_days(None) == 1


def test_restore_window_is_one_calendar_month_clamped_to_the_month_end() -> None:
    """2027-03-31 - 1 month = 2027-02-28 (clamped): that backup is kept, 02-27 is not."""
    start, day = date(2027, 1, 4), date(2027, 3, 31)
    ok = check_restore(BE, start, day, date(2027, 2, 28), 1, MONTH)
    assert (ok.backup, ok.reason) == (date(2027, 2, 28), None)
    old = check_restore(BE, start, day, date(2027, 2, 27), 1, MONTH)
    assert old.backup is None and old.reason == (
        "the backup of 2027-02-27 is no longer kept: backups can be restored from 2027-02-28")
    today = check_restore(BE, start, day, day, 1, MONTH)
    assert today.reason == "no backup of 2027-03-31 yet: the latest is of 2027-03-30"
    before = check_restore(BE, start, date(2027, 1, 20), date(2027, 1, 1), 1, MONTH)
    assert before.reason == "no backup of 2027-01-01: the contract started 2027-01-04"
    weekly = check_restore(BE, start, date(2027, 1, 20), date(2027, 1, 12), 7, MONTH)
    assert weekly.reason == "no backup was taken on 2027-01-12 (one every 7 days from 2027-01-04)"


def test_purge_date_is_retention_after_the_last_day_capped_by_the_outer_limit() -> None:
    last = date(2027, 3, 15)
    assert purge_date(BE, last, MONTH, None) == date(2027, 4, 15)
    assert purge_date(BE, last, None, Duration.parse("1 year")) == date(2028, 3, 15)
    # Both: the earlier wins (the outer limit can never be exceeded).
    assert purge_date(BE, last, Duration.parse("2 years"), Duration.parse("1 year")) == date(
        2028, 3, 15)
    assert purge_date(BE, last, None, None) is None


def test_a_backup_cadence_is_whole_days_or_weeks() -> None:
    with pytest.raises(ValidationError, match="days or weeks"):
        BackupRule.model_validate({"clause": "3.4", "cadence": "1 month"})


# --- Smartconnect 3.4, 13.4, 9.3 ----------------------------------------------------------

def test_smartconnect_restore_latest_backup_free_within_one_month_3_4_13_4() -> None:
    """3.4: a backup every 24 hours, saved 1 month; 13.4: restore from the most recent backup,
    no fee. Contract from 2027-01-04.
    * 01-04: first day, the first backup is made at its end -> refused.
    * 03-10 without date: the most recent backup is of 03-09 -> accepted, free.
    * 03-10 for 03-10: not taken yet -> refused.
    * 03-31 for 02-28: 03-31 - 1 month = 02-28 -> still kept, accepted.
    * 03-31 for 02-27: older than one month -> refused.
    Nothing is invoiced besides the yearly subscription invoice of 01-04."""
    result = run(scenario("smartconnect", "2027-04-30", [contract("acme", "2027-01-04", SC_LINE)], [
        "{date: 2027-01-04, type: restore_requested, contract: acme}",
        "{date: 2027-03-10, type: restore_requested, contract: acme}",
        "{date: 2027-03-10, type: restore_requested, contract: acme, backup_date: 2027-03-10}",
        "{date: 2027-03-31, type: restore_requested, contract: acme, backup_date: 2027-02-28}",
        "{date: 2027-03-31, type: restore_requested, contract: acme, backup_date: 2027-02-27}",
    ]))
    accepted = actions(result, "acme", "restore_accepted")
    assert [(a["date"], a["backup_date"], a["charged"], a["clauses"]) for a in accepted] == [
        ("2027-03-10", "2027-03-09", False, ["13.4", "3.4"]),
        ("2027-03-31", "2027-02-28", False, ["13.4", "3.4"]),
    ]
    assert all("fee" not in a for a in accepted)
    refused = actions(result, "acme", "restore_refused")
    assert [(a["date"], a["reason"]) for a in refused] == [
        ("2027-01-04", "no backup taken yet: the first is made at the end of 2027-01-04"),
        ("2027-03-10", "no backup of 2027-03-10 yet: the latest is of 2027-03-09"),
        ("2027-03-31", "the backup of 2027-02-27 is no longer kept: backups can be restored "
                       "from 2027-02-28"),
    ]
    assert [a["date"] for a in actions(result, "acme", "invoice_issued")] == ["2027-01-04"]


def test_smartconnect_no_restore_during_the_trial_9_3() -> None:
    """9.3: Smartconnect has no obligation during the trial: a restore on trial day 10 is
    refused, citing 9.3; after conversion (02-01) a restore is served."""
    result = run(scenario("smartconnect", "2027-02-28", [contract(
        "trial", "2027-01-04", SC_LINE, extra="    trial_days: 30\n")], [
        "{date: 2027-01-13, type: restore_requested, contract: trial}",
        "{date: 2027-02-01, type: trial_converted, contract: trial}",
        "{date: 2027-02-10, type: restore_requested, contract: trial}",
    ]))
    refused = one(result, "trial", "restore_refused")
    assert (refused["date"], refused["reason"], refused["clauses"]) == (
        "2027-01-13", "the provider owes no restore during the trial", ["9.3"])
    # The backups go back to the first (trial) day; the latest on 02-10 is of 02-09.
    assert one(result, "trial", "restore_accepted")["backup_date"] == "2027-02-09"


def test_smartconnect_no_restore_after_the_end_3_4() -> None:
    """3.4 with 10.2: the yearly 1200.00 is paid (at its total, + 21 % Belgian VAT = 1452.00);
    Smartconnect ends the contract for breach on
    2027-03-15 (T). A restore on 03-20 is refused (access ended, 10.3: nothing to restore into).
    The backups expire on their rolling month (the last on T + 1 month); the terms set no outer
    limit, so no backup_purge_due. The live data is kept until T+91 = 2027-06-14 (10.5)."""
    result = run(scenario("smartconnect", "2027-07-31", [contract("acme", "2027-01-04", SC_LINE)], [
        "{date: 2027-01-10, type: payment, contract: acme, amount: '1452.00'}",
        "{date: 2027-03-15, type: provider_termination, contract: acme, reason: breach}",
        "{date: 2027-03-20, type: restore_requested, contract: acme}",
    ]))
    refused = one(result, "acme", "restore_refused")
    assert (refused["date"], refused["reason"]) == (
        "2027-03-20", "contract is terminated: nothing to restore into")
    assert "backup_purge_due" not in kinds(result, "acme")
    assert one(result, "acme", "data_deleted")["date"] == "2027-06-14"


# --- SmartWeb 9.2 ---------------------------------------------------------------------------

def test_smartweb_restore_charged_only_for_the_past_month_9_2() -> None:
    """9.2: daily backups, restorable for the past month, a charge for each backup restored.
    The fee is contract-level (backups.restore.fee = 25.00). Contract from 2027-01-04, 8-day
    payment term (4.2), the first half-year (6 x 50.00 = 300.00, + 25 % Danish VAT = 375.00)
    paid.
    * 03-10 for 02-10: 03-10 - 1 month = 02-10 -> accepted; one-off invoice acme-0002 of 25.00
      on 03-10, due 03-10 + 8 days = 03-18.
    * 03-10 for 02-09: outside the past month -> refused, nothing charged."""
    result = run(scenario("smartweb", "2027-03-31", [contract(
        "acme", "2027-01-04", SW_LINE, '{"backups.restore.fee": "25.00"}')], [
        "{date: 2027-01-05, type: payment, contract: acme, amount: '375.00'}",
        "{date: 2027-03-10, type: restore_requested, contract: acme, backup_date: 2027-02-10}",
        "{date: 2027-03-10, type: restore_requested, contract: acme, backup_date: 2027-02-09}",
    ]))
    accepted = one(result, "acme", "restore_accepted")
    assert (accepted["backup_date"], accepted["fee"], accepted["currency"], accepted["billing"],
            accepted["clauses"]) == ("2027-02-10", "25.00", "EUR", "immediate", ["9.2"])
    invoices = actions(result, "acme", "invoice_issued")
    assert [(i["ref"], i["date"], i["amount"], i["due_date"], i["invoice_kind"])
            for i in invoices] == [
        ("acme-0001", "2027-01-04", "300.00", "2027-01-12", "subscription"),
        ("acme-0002", "2027-03-10", "25.00", "2027-03-18", "restore"),
    ]
    refused = one(result, "acme", "restore_refused")
    assert refused["reason"] == (
        "the backup of 2027-02-09 is no longer kept: backups can be restored from 2027-02-10")


def test_smartweb_restore_fee_on_the_next_invoice_or_unpriced_9_2() -> None:
    """9.2: with billing next_invoice the 25.00 joins the next subscription invoice: the second
    half-year (07-04) is invoiced 14 days ahead on 06-20: 6 x 50.00 + 25.00 = 325.00. Without an
    agreed fee the restore is accepted, flagged fee_agreed: false, and nothing is charged."""
    nxt = '{"backups.restore.fee": "25.00", "backups.restore.billing": next_invoice}'
    result = run(scenario("smartweb", "2027-06-30", [
        contract("later", "2027-01-04", SW_LINE, nxt),
        contract("nofee", "2027-01-04", SW_LINE)], [
        "{date: 2027-01-05, type: payment, contract: later, amount: '1000.00'}",
        "{date: 2027-01-05, type: payment, contract: nofee, amount: '1000.00'}",
        "{date: 2027-03-10, type: restore_requested, contract: later}",
        "{date: 2027-03-10, type: restore_requested, contract: nofee}",
    ]))
    assert one(result, "later", "restore_accepted")["billing"] == "next_invoice"
    assert [(i["date"], i["amount"]) for i in actions(result, "later", "invoice_issued")] == [
        ("2027-01-04", "300.00"), ("2027-06-20", "325.00")]
    unpriced = one(result, "nofee", "restore_accepted")
    assert (unpriced["charged"], unpriced["fee_agreed"], unpriced["backup_date"]) == (
        True, False, "2027-03-09")
    assert [i["amount"] for i in actions(result, "nofee", "invoice_issued")] == [
        "300.00", "300.00"]


# --- export requests: SuperOffice 14 ¶1, ClientCom 7.5 ---------------------------------------

def test_superoffice_export_request_due_three_lithuanian_business_days_later_14() -> None:
    """14 ¶1: a copy needs a request 3 working days ahead. Request Tue 2027-03-09: Wed 03-10 (1),
    Thu 03-11 is an LT public holiday, Fri 03-12 (2), Mon 03-15 (3) -> deliver_by 2027-03-15.
    The same checks as data_instruction export (one rule, engine/events_run.export_refusal)."""
    result = run(scenario("superoffice", "2027-03-31", [contract("acme", "2027-03-01", SO_LINE)], [
        "{date: 2027-03-09, type: export_requested, contract: acme}"]))
    scheduled = one(result, "acme", "export_scheduled")
    assert (scheduled["date"], scheduled["deliver_by"], scheduled["clauses"]) == (
        "2027-03-09", "2027-03-15", ["14"])
    assert "export_until" not in scheduled


def test_clientcom_export_request_only_within_two_months_after_termination_7_5() -> None:
    """7.5: after termination the Data stays available two months for an export. ClientCom
    ends the agreement on 2027-03-10 (6.4, T); window until T + 2 months = 2027-05-10: a request
    on 05-10 is scheduled (no lead time in the terms: deliver_by = request day), one on 05-11
    is refused."""
    result = run(scenario("clientcom", "2027-05-31", [contract("acme", "2027-01-04", CC_LINE)], [
        "{date: 2027-03-10, type: provider_termination, contract: acme, reason: breach}",
        "{date: 2027-05-10, type: export_requested, contract: acme}",
        "{date: 2027-05-11, type: export_requested, contract: acme}",
    ]))
    scheduled = one(result, "acme", "export_scheduled")
    assert (scheduled["date"], scheduled["deliver_by"], scheduled["export_until"],
            scheduled["clauses"]) == ("2027-05-10", "2027-05-10", "2027-05-10", ["7.5"])
    refused = one(result, "acme", "event_refused")
    assert (refused["date"], refused["event"], refused["reason"]) == (
        "2027-05-11", "export_requested", "the export window ended 2027-05-10")


# --- SmartTrackers 15.18, DPA-A.6 ------------------------------------------------------------

def test_smarttrackers_exit_consultation_and_exit_period_15_18() -> None:
    """15.18: term 2025-01-01..2025-12-31; the customer's notice on the 14.2 deadline
    (2025-12-31 - 2 months = 2025-10-31) makes the exit consultation due that same day
    (2025-12-31 - 2 months = 2025-10-31). The contract ends 2025-12-31; the exit period runs from
    2026-01-01 up to 2025-12-31 + 3 months = 2026-03-31. The year's invoice is paid at its total,
    3000.00 + 21 % Dutch VAT = 3630.00."""
    result = run(scenario("smarttrackers", "2026-04-30", [
        contract("acme", "2025-01-01", ST_LINE)], [
        "{date: 2025-01-20, type: payment, contract: acme, amount: '3630.00'}",
        "{date: 2025-10-31, type: termination_notice, contract: acme, by: customer}",
    ]))
    consult = one(result, "acme", "exit_consultation_due")
    assert (consult["date"], consult["due_date"], consult["contract_end"], consult["by"],
            consult["clauses"]) == ("2025-10-31", "2025-10-31", "2025-12-31", "customer",
                                    ["15.18"])
    right = one(result, "acme", "customer_right_opened")
    assert (right["date"], right["right"], right["since"], right["until"], right["clauses"]) == (
        "2026-01-01", "exit_assistance", "2026-01-01", "2026-03-31", ["15.18"])
    assert one(result, "acme", "contract_terminated")["date"] == "2025-12-31"


def test_smarttrackers_no_exit_period_after_dissolution_and_no_restore_15_18() -> None:
    """15.18 excludes dissolution by SmartTrackers (14.4, 2025-05-15): no exit period. The terms
    state no backup schedule, so no restore is offered (refused, citing DPA-A.6's section)."""
    result = run(scenario("smarttrackers", "2025-08-31", [
        contract("acme", "2025-01-01", ST_LINE)], [
        "{date: 2025-03-03, type: restore_requested, contract: acme}",
        "{date: 2025-05-15, type: provider_termination, contract: acme, reason: bankrupt}",
    ]))
    assert "customer_right_opened" not in kinds(result, "acme")
    assert "exit_consultation_due" not in kinds(result, "acme")
    refused = one(result, "acme", "restore_refused")
    assert (refused["reason"], refused["clauses"]) == (
        "the terms offer no restore from backups", ["DPA-A.6"])


def test_smarttrackers_backups_purged_one_year_after_the_agreement_dpa_a6() -> None:
    """DPA A.6: personal data, backups included, at most 1 year after the Agreement. Dissolution
    on 2025-05-15 (T): the live data goes on T+8 = 2025-05-23 (15.17), the last backup copy is
    due for purge on T + 1 year = 2026-05-15."""
    result = run(scenario("smarttrackers", "2026-05-31", [
        contract("acme", "2025-01-01", ST_LINE)], [
        "{date: 2025-05-15, type: provider_termination, contract: acme, reason: bankrupt}",
    ]))
    purge = one(result, "acme", "backup_purge_due")
    assert (purge["date"], purge["last_backup"], purge["clauses"]) == (
        "2026-05-15", "2025-05-15", ["DPA-A.6", "DPA-3.3"])
    assert one(result, "acme", "data_deleted")["date"] == "2025-05-23"
