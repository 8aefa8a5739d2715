"""Sub-processor and hosting changes, audits and force majeure.

Expectations are worked out by hand from the seed text with the packs' readings (see the
`privacy:` sections). Day counts follow the catalogue (0.1): "within n days of E" ends on E+n.
"""

from __future__ import annotations

from datetime import date

from scenario_helpers import actions, kinds, one, run
from termline.domain.mechanisms.privacy.audits import check_audit
from termline.domain.mechanisms.privacy.rules import AuditRule
from termline.domain.values.calendar import Calendar

NL = Calendar("NL")
RULE = AuditRule.model_validate({"clause": "DPA-8.1", "interval": "1 year",
                                 "plan_lead": "4 weeks"})

ST_LINE = '{item: SmartTrackers Platform, unit_price: "250.00", per: month, quantity: 1}'
SO_LINE = '{item: CRM Online, unit_price: "200.00", per: month, quantity: 1}'
CC_LINE = '{item: Smart Voicemail, unit_price: "30.00", per: month, quantity: 1}'


def scenario(pack: str, until: str, contracts: list[str], events: list[str]) -> str:
    body = [f"policy: {pack}", f"until: {until}", "contracts:", *contracts]
    body.append("events:" if events else "events: []")
    body += [f"  - {e}" for e in events]
    return "\n".join(body) + "\n"


def contract(cid: str, start: str, line: str) -> str:
    return (f"  - id: {cid}\n    customer: {{name: {cid} Ltd}}\n    start: {start}\n"
            f"    lines:\n      - {line}")


# --- pure: audit dates ------------------------------------------------------------------------

def test_audit_plan_four_weeks_ahead_once_a_year_on_business_days() -> None:
    """Plan submitted Mon 2025-02-03: + 4 weeks = Mon 2025-03-03, the earliest audit date."""
    submitted = date(2025, 2, 3)
    assert check_audit(RULE, NL, submitted, date(2025, 3, 3), None).audit_date == date(2025, 3, 3)
    early = check_audit(RULE, NL, submitted, date(2025, 3, 2), None)
    assert early.audit_date is None and early.reason == (
        "the audit plan must come 4 weeks before the audit date: 2025-03-02 is too early, "
        "the earliest is 2025-03-03")
    # Previous audit 2025-03-03: the next from 2026-03-03 (rolling year).
    again = check_audit(RULE, NL, date(2025, 6, 2), date(2026, 3, 2), date(2025, 3, 3))
    assert again.reason == ("one audit per 1 year: the previous audit was on 2025-03-03, the "
                            "next may be on 2026-03-03 at the earliest")
    # Easter Monday 2025-04-21 is an NL public holiday.
    holiday = check_audit(RULE, NL, submitted, date(2025, 4, 21), None)
    assert holiday.reason == ("2025-04-21 is not a business day: audits take place during "
                              "regular business hours")
    # No date proposed: submitted Mon 2025-02-10 + 4 weeks = Mon 2025-03-10; submitted Wed
    # 2025-03-26 + 4 weeks = Wed 2025-04-23 ... with the previous audit 2024-04-25 the year
    # runs to Fri 2025-04-25.
    assert check_audit(RULE, NL, date(2025, 2, 10), None, None).audit_date == date(2025, 3, 10)
    assert check_audit(RULE, NL, date(2025, 3, 26), None, date(2024, 4, 25)).audit_date == date(
        2025, 4, 25)
    # Submitted Sat 2025-03-29 + 4 weeks = Sat 04-26 -> the next business day, Mon 2025-04-28.
    assert check_audit(RULE, NL, date(2025, 3, 29), None, None).audit_date == date(2025, 4, 28)


# --- SmartTrackers DPA 6.4 --------------------------------------------------------------------

def test_smarttrackers_subprocessor_change_opens_30_day_objection_dpa_6_4() -> None:
    """DPA 6.4: notice in advance of a change of sub-processor; objection within 30 days of the
    notification, after which the customer may terminate the affected service.
    * Broadcast 2025-03-03, effective 2025-04-01: in advance -> no violation; objection until
      2025-03-03 + 30 days = 2025-04-02. Contract `late` (start 2025-06-01) had not started:
      nothing for it.
    * Broadcast 2025-06-10 effective the same day: not in advance (announce by 2025-06-09) ->
      subprocessor_notice_violation; the objection window still runs to 2025-07-10.
    """
    result = run(scenario("smarttrackers", "2025-07-31", [
        contract("acme", "2025-01-01", ST_LINE), contract("late", "2025-06-01", ST_LINE)], [
        "{date: 2025-03-03, type: subprocessor_change_announced, contract: '*', "
        "effective: 2025-04-01, name: MailCo}",
        "{date: 2025-06-10, type: subprocessor_change_announced, effective: 2025-06-10, "
        "name: HostCo}",
    ]))
    notified = actions(result, "acme", "subprocessor_change_notified")
    assert [(a["date"], a["name"], a["effective_date"], a["clauses"]) for a in notified] == [
        ("2025-03-03", "MailCo", "2025-04-01", ["DPA-6.4"]),
        ("2025-06-10", "HostCo", "2025-06-10", ["DPA-6.4"])]
    rights = actions(result, "acme", "customer_right_opened")
    assert [(a["date"], a["right"], a["name"], a["until"], a["then"]) for a in rights] == [
        ("2025-03-03", "subprocessor_objection", "MailCo", "2025-04-02",
         "terminate_affected_service"),
        ("2025-06-10", "subprocessor_objection", "HostCo", "2025-07-10",
         "terminate_affected_service")]
    violation = one(result, "acme", "subprocessor_notice_violation")
    assert (violation["date"], violation["name"], violation["announce_by"],
            violation["notice"], violation["best_effort"]) == (
        "2025-06-10", "HostCo", "2025-06-09", "1 day", False)
    # `late` started 2025-06-01: only the second notice concerns it.
    assert [a["name"] for a in actions(result, "late", "subprocessor_change_notified")] == [
        "HostCo"]


def test_a_terminated_contract_ignores_a_broadcast_but_refuses_its_own_event() -> None:
    """After dissolution (2025-05-15) a broadcast change means nothing to the contract; an event
    addressed to it is refused with the reason."""
    result = run(scenario("smarttrackers", "2025-07-31", [
        contract("acme", "2025-01-01", ST_LINE)], [
        "{date: 2025-05-15, type: provider_termination, contract: acme, reason: bankrupt}",
        "{date: 2025-06-02, type: subprocessor_change_announced, effective: 2025-07-01}",
        "{date: 2025-06-03, type: subprocessor_change_announced, contract: acme, "
        "effective: 2025-07-01}",
    ]))
    assert "subprocessor_change_notified" not in kinds(result, "acme")
    refused = one(result, "acme", "event_refused")
    assert (refused["date"], refused["event"], refused["reason"]) == (
        "2025-06-03", "subprocessor_change_announced", "contract is terminated")


# --- SuperOffice 9.2 ¶2, ClientCom 7.3 ------------------------------------------------------

def test_superoffice_hosting_change_needs_60_days_notice_9_2() -> None:
    """9.2 ¶2: a change of the hosting party is announced 60 days ahead 'indien mogelijk'.
    * Announced 2027-03-01, effective 2027-04-15: announce by 04-15 - 60 days = 2027-02-14
      (15 days back to 03-31, 31 to 02-28, 14 to 02-14) -> violation, best effort.
    * Announced 2027-03-01 without a date: earliest effective 03-01 + 60 = 2027-04-30.
    No objection or termination right in this contract."""
    result = run(scenario("superoffice", "2027-05-31", [contract("acme", "2027-01-04", SO_LINE)], [
        "{date: 2027-03-01, type: subprocessor_change_announced, effective: 2027-04-15, "
        "name: NorHost}",
        "{date: 2027-03-01, type: subprocessor_change_announced, name: FjordHost}",
    ]))
    violation = one(result, "acme", "subprocessor_notice_violation")
    assert (violation["name"], violation["announce_by"], violation["notice"],
            violation["best_effort"], violation["clauses"]) == (
        "NorHost", "2027-02-14", "60 days", True, ["9.2"])
    undated = [a for a in actions(result, "acme", "subprocessor_change_notified")
               if a["name"] == "FjordHost"]
    assert undated[0]["earliest_effective"] == "2027-04-30"
    assert "customer_right_opened" not in kinds(result, "acme")


def test_clientcom_hosting_change_opens_no_right_7_3() -> None:
    """7.3: the User agreed to the hosting provider; the terms give no notice period and no
    objection: a change is recorded, with no violation and no right."""
    result = run(scenario("clientcom", "2027-03-31", [contract("acme", "2027-01-04", CC_LINE)], [
        "{date: 2027-03-01, type: subprocessor_change_announced, effective: 2027-03-01}"]))
    notified = one(result, "acme", "subprocessor_change_notified")
    assert (notified["effective_date"], notified["clauses"]) == ("2027-03-01", ["7.3"])
    assert "earliest_effective" not in notified
    assert not {"subprocessor_notice_violation", "customer_right_opened"} & set(
        kinds(result, "acme"))


# --- SmartTrackers DPA 8.1-8.4 ---------------------------------------------------------------

def test_smarttrackers_audit_once_a_year_planned_four_weeks_ahead_dpa_8() -> None:
    """DPA 8.1 (once a year, plan 4 weeks ahead), 8.3 (business hours), 8.4 (controller pays).
    * Plan Mon 2025-02-03 for Sun 2025-03-02: 4 weeks ahead is 2025-03-03 -> refused.
    * Plan Tue 2025-02-04 for Tue 2025-03-04 (exactly 4 weeks) -> accepted, costs borne by
      the customer.
    * Plan 2025-09-01 for 2026-03-02: within a year of 2025-03-04 -> refused.
    * Plan Mon 2026-02-02 without a date: + 4 weeks = Mon 2026-03-02, but the year since the
      last audit runs to Wed 2026-03-04 -> accepted on 2026-03-04.
    * After dissolution (2026-05-15) -> refused."""
    result = run(scenario("smarttrackers", "2026-06-30", [
        contract("acme", "2025-01-01", ST_LINE)], [
        "{date: 2025-02-03, type: audit_requested, contract: acme, audit_date: 2025-03-02}",
        "{date: 2025-02-04, type: audit_requested, contract: acme, audit_date: 2025-03-04}",
        "{date: 2025-09-01, type: audit_requested, contract: acme, audit_date: 2026-03-02}",
        "{date: 2026-02-02, type: audit_requested, contract: acme}",
        "{date: 2026-05-15, type: provider_termination, contract: acme, reason: bankrupt}",
        "{date: 2026-05-18, type: audit_requested, contract: acme, audit_date: 2026-07-01}",
    ]))
    accepted = actions(result, "acme", "audit_accepted")
    assert [(a["date"], a["audit_date"], a["costs_borne_by"], a["clauses"]) for a in accepted] == [
        ("2025-02-04", "2025-03-04", "customer", ["DPA-8.1", "DPA-8.3", "DPA-8.4"]),
        ("2026-02-02", "2026-03-04", "customer", ["DPA-8.1", "DPA-8.3", "DPA-8.4"])]
    refused = actions(result, "acme", "audit_refused")
    assert [(a["date"], a["reason"]) for a in refused] == [
        ("2025-02-03", "the audit plan must come 4 weeks before the audit date: 2025-03-02 is "
                       "too early, the earliest is 2025-03-03"),
        ("2025-09-01", "one audit per 1 year: the previous audit was on 2025-03-04, the next "
                       "may be on 2026-03-04 at the earliest"),
        ("2026-05-18", "contract is terminated")]


# --- SmartTrackers 12.1 / 12.2 ----------------------------------------------------------------

def test_smarttrackers_force_majeure_over_60_days_opens_termination_rights_12_2() -> None:
    """12.2: force majeure lasting longer than sixty days lets both parties terminate.
    * acme: from 2025-03-01, open-ended: 60 days after the start is 2025-04-30 (30 days to
      03-31, 30 more to 04-30); still lasting on 2025-05-01 -> both rights open that day.
    * short: 2025-06-01 to 2025-07-31: the 60 days end 2025-07-31, it is over by 08-01 -> no
      right.
    * edge: 2025-06-01 to 2025-08-01: still lasting on 08-01 -> rights open, until 08-01.
    12.1: payment is not suspended: acme's second yearly invoice still goes out 2026-01-01."""
    result = run(scenario("smarttrackers", "2026-01-31", [
        contract("acme", "2025-01-01", ST_LINE), contract("short", "2025-01-01", ST_LINE),
        contract("edge", "2025-01-01", ST_LINE)], [
        "{type: force_majeure, contract: acme, start: 2025-03-01}",
        "{type: force_majeure, contract: short, start: 2025-06-01, end: 2025-07-31}",
        "{type: force_majeure, contract: edge, start: 2025-06-01, end: 2025-08-01}",
    ]))
    recorded = one(result, "acme", "force_majeure_recorded")
    assert (recorded["date"], recorded["start"], recorded["payment_suspended"],
            recorded["termination_right_from"], recorded["clauses"]) == (
        "2025-03-01", "2025-03-01", False, "2025-05-01", ["12.1", "12.2"])
    opened = [a for a in actions(result, "acme") if a["kind"].endswith("_right_opened")]
    assert [(a["kind"], a["date"], a["right"], a.get("until")) for a in opened] == [
        ("customer_right_opened", "2025-05-01", "terminate_for_force_majeure", None),
        ("provider_right_opened", "2025-05-01", "terminate_for_force_majeure", None)]
    assert not [a for a in actions(result, "short") if a["kind"].endswith("_right_opened")]
    edge = [a for a in actions(result, "edge") if a["kind"].endswith("_right_opened")]
    assert [(a["date"], a["until"]) for a in edge] == [("2025-08-01", "2025-08-01")] * 2
    assert [i["date"] for i in actions(result, "acme", "invoice_issued")] == [
        "2025-01-01", "2026-01-01"]


def test_force_majeure_ending_before_it_starts_is_refused() -> None:
    """An end before the start is an input error of the event: refused with the reason."""
    result = run(scenario("smarttrackers", "2025-03-31", [
        contract("acme", "2025-01-01", ST_LINE)], [
        "{date: 2025-03-05, type: force_majeure, contract: acme, start: 2025-03-01, "
        "end: 2025-02-28}"]))
    refused = one(result, "acme", "event_refused")
    assert (refused["event"], refused["reason"]) == (
        "force_majeure", "ends 2025-02-28 before it starts 2025-03-01")
    assert "force_majeure_recorded" not in kinds(result, "acme")
