"""Availability, SLA credits and maintenance notices (the `sla:` sections of the packs).

Minutes in a month are real minutes between the local midnights of the pack's time zone: a
31-day month has 31 x 1440 = 44,640 minutes, March 2027 (clocks forward on the 28th, in Oslo
and Brussels alike) 44,580, February 2027 40,320, the year 2027 365 x 1440 = 525,600.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from scenario_helpers import actions, balance, kinds, one, run
from termline.domain.mechanisms.sla.availability import (
    Measurement,
    credit_amount,
    measure,
    subtract,
    window_containing,
)
from termline.domain.mechanisms.sla.maintenance import within_window
from termline.domain.mechanisms.sla.rules import Lead
from termline.domain.policy import load_pack
from termline.domain.values.calendar import Calendar

OSLO = ZoneInfo("Europe/Oslo")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


# --- pure functions ----------------------------------------------------------------------------

def test_windows_and_their_length_follow_local_midnights() -> None:
    march = window_containing(at("2027-03-17T00:00:00").date(), "calendar_month")
    assert (march.label, march.first.isoformat(), march.last.isoformat()) == (
        "2027-03", "2027-03-01", "2027-03-31")
    start, end = march.span(OSLO)
    assert end - start == timedelta(minutes=44_580)  # 31 x 1440 - 60 (summer time)
    october = window_containing(at("2027-10-05T00:00:00").date(), "calendar_month")
    assert october.span(OSLO)[1] - october.span(OSLO)[0] == timedelta(minutes=44_700)
    year = window_containing(at("2027-06-01T00:00:00").date(), "calendar_year")
    assert (year.label, year.last.isoformat()) == ("2027", "2027-12-31")
    assert year.span(OSLO)[1] - year.span(OSLO)[0] == timedelta(minutes=525_600)


def test_overlapping_incidents_count_once_and_maintenance_is_cut_out() -> None:
    """Incidents 09:00-12:00 and 11:00-13:00 on 10 March = 4 h together; maintenance 10:00-10:30
    is cut out: 3.5 h = 210 minutes; the part of an incident outside the window is clipped."""
    incidents = [(at("2027-03-10T09:00:00+01:00"), at("2027-03-10T12:00:00+01:00")),
                 (at("2027-03-10T11:00:00+01:00"), at("2027-03-10T13:00:00+01:00")),
                 (at("2027-02-28T23:00:00+01:00"), at("2027-03-01T00:30:00+01:00"))]
    maintenance = [(at("2027-03-10T10:00:00+01:00"), at("2027-03-10T10:30:00+01:00"))]
    march = window_containing(at("2027-03-10T00:00:00").date(), "calendar_month")
    measured = measure(march, OSLO, incidents, maintenance)
    assert measured.unavailable == timedelta(minutes=210 + 30)  # + 00:00-00:30 on 1 March
    assert measured.unavailable_minutes == "240"
    assert subtract([(at("2027-03-10T09:00:00+00:00"), at("2027-03-10T10:00:00+00:00"))],
                    [(at("2027-03-10T08:00:00+00:00"), at("2027-03-10T11:00:00+00:00"))]) == []


def test_credit_proportions_catalogue_example() -> None:
    """Catalogue SO-4 ¶3: a 31-day month with 120 counted minutes, availability
    (44,640 - 120) / 44,640 = 99.7311 %; on a fee of 100.00:
    (a) unavailable share 120 / 44,640 = 0.2688 % -> 0.27; (b) shortfall 0.998 - 0.997311 =
    0.0689 % -> 0.07. At or above the target nothing is credited."""
    may = window_containing(at("2027-05-01T00:00:00").date(), "calendar_month")
    measured = Measurement(may, timedelta(minutes=44_640), timedelta(minutes=120))
    assert measured.shown() == "99.731"
    fee, claimed, target = Decimal("100.00"), timedelta(minutes=120), Decimal("99.8")
    assert credit_amount(fee, measured, claimed, target, "unavailable_share") == Decimal("0.27")
    assert credit_amount(fee, measured, claimed, target, "shortfall") == Decimal("0.07")
    good = Measurement(may, timedelta(minutes=44_640), timedelta(minutes=89))
    assert credit_amount(fee, good, timedelta(minutes=89), target, "unavailable_share") == 0


def test_a_miss_never_shows_as_the_target() -> None:
    """(44,640 - 89.3) / 44,640 = 99.79995 %: below 99.8, shown rounded down as 99.799."""
    may = window_containing(at("2027-05-01T00:00:00").date(), "calendar_month")
    measured = Measurement(may, timedelta(minutes=44_640), timedelta(seconds=89 * 60 + 18))
    assert measured.percent < Decimal("99.8")
    assert measured.shown() == "99.799"


def test_maintenance_window_wraps_midnight_and_office_hours_skip_weekends() -> None:
    """Smartconnect 3.3 window 20:00-06:00 Brussels; SmartTrackers 15.4 outside 09:00-17:00 on
    Dutch business days."""
    sc = load_pack("smartconnect").sla
    st = load_pack("smarttrackers").sla
    assert sc is not None and sc.maintenance is not None and sc.maintenance.window is not None
    assert st is not None and st.maintenance is not None and st.maintenance.window is not None
    be, nl = Calendar("BE"), Calendar("NL")
    night = sc.maintenance.window
    assert within_window(at("2027-03-10T21:00:00+01:00"), at("2027-03-11T05:00:00+01:00"),
                         night, be)
    assert not within_window(at("2027-03-10T19:30:00+01:00"), at("2027-03-10T21:00:00+01:00"),
                             night, be)
    assert not within_window(at("2027-03-11T05:00:00+01:00"), at("2027-03-11T06:30:00+01:00"),
                             night, be)
    # 04:30-05:30 UTC in July is 06:30-07:30 CEST: outside the window.
    assert not within_window(at("2027-07-01T04:30:00+00:00"), at("2027-07-01T05:30:00+00:00"),
                             night, be)
    office = st.maintenance.window
    assert within_window(at("2027-03-13T10:00:00+01:00"), at("2027-03-13T12:00:00+01:00"),
                         office, nl)  # Saturday
    assert not within_window(at("2027-03-15T10:00:00+01:00"), at("2027-03-15T12:00:00+01:00"),
                             office, nl)  # Monday office hours
    assert within_window(at("2027-03-15T17:00:00+01:00"), at("2027-03-15T23:00:00+01:00"),
                         office, nl)


def test_notice_leads_count_days_on_the_wall_clock_and_hours_in_real_time() -> None:
    brussels = ZoneInfo("Europe/Brussels")
    start = datetime.combine(at("2027-04-20T00:00:00").date(), time(21), brussels)
    assert Lead.parse("4 weeks").before(start).isoformat() == "2027-03-23T21:00:00+01:00"
    # 4 hours before 05:00 CEST on the night of the change is 00:00 CET (real hours).
    early = datetime.combine(at("2027-03-28T00:00:00").date(), time(5), brussels)
    assert Lead.parse("4 hours").before(early).isoformat() == "2027-03-28T00:00:00+01:00"
    assert str(Lead.parse("4 weeks")) == "4 weeks" and str(Lead.parse("3 days")) == "3 days"


# --- SuperOffice 4: calendar month, 99.8 %, credit -------------------------------------------

SO = """
policy: superoffice
until: {until}
contracts:
  - id: c
    customer: {{name: Klant BV}}
    start: 2027-01-01
    billing_period: 1 month
    overrides: {overrides}
    lines:
      - {{item: CRM Online, unit_price: "50.00", per: month, quantity: 10}}
events:
  - {{date: 2027-01-01, type: payment, contract: c, amount: "625.00"}}
  - {{date: 2027-02-01, type: payment, contract: c, amount: "625.00"}}
  - {{date: 2027-03-01, type: payment, contract: c, amount: "625.00"}}
  - {{type: maintenance_announced, start: "2027-03-10T10:00:00+01:00",
      end: "2027-03-10T10:30:00+01:00", class: emergency,
      announced_at: "2027-03-09T12:00:00+01:00"}}
  - {{type: incident, contract: c, start: "2027-03-10T09:00:00+01:00",
      end: "2027-03-10T12:00:00+01:00", reported_at: "2027-03-10T09:30:00+01:00"}}
  - {{type: incident, start: "2027-03-22T08:00:00+01:00", end: "2027-03-26T09:00:00+01:00",
      reported_at: "2027-03-26T08:00:00+01:00"}}
"""


def test_superoffice_month_below_99_8_earns_a_proportional_credit_4() -> None:
    """SuperOffice 4 ¶1-¶4: 10 users x 50.00 = 500.00 a month, billed monthly from 2027-01-01
    and paid at its total with 25 % Norwegian VAT, 625.00.

    Incident A (Wed 10 March 09:00-12:00 CET) reported 09:30: counted from the report
    (4 ¶4) = 150 min, less the announced maintenance 10:00-10:30 (4 ¶2) = 120 min. Claim window:
    3 LT working days after 10 March: 11 March is an LT holiday -> 12, 15, 16 -> 2027-03-16;
    reported the same day: in time.
    Incident B (Mon 22 March 08:00 - Fri 26 March 09:00) first reported Fri 08:00: counted
    08:00-09:00 = 60 min; claim window 23, 24, 25 -> 2027-03-25: reported late, measured but not
    credited.
    March (Oslo, DST) = 44,580 min; unavailable 180 -> (44,580 - 180) / 44,580 = 99.5962 %.
    Credit (4 ¶3, unavailable share) = 500.00 x 120 / 44,580 = 1.3459 -> 1.35, granted on
    31 March; March is paid, so it is credit, used on the April invoice issued 1 April.
    April: no incident, 100 %.
    """
    result = run(SO.format(until="2027-04-30", overrides="{}"))
    incidents = actions(result, "c", "incident_recorded")
    assert [(i["date"], i["counted_from"], i["unavailable_minutes"], i["claim_until"],
             i["claimed_in_time"]) for i in incidents] == [
        ("2027-03-10", "2027-03-10T09:30:00+01:00", "150", "2027-03-16", True),
        ("2027-03-26", "2027-03-26T08:00:00+01:00", "60", "2027-03-25", False),
    ]
    maintenance = one(result, "c", "maintenance_scheduled")
    # 10:00 CET = 11:00 in Vilnius, inside the desk's office hours: not the preferred window.
    assert (maintenance["date"], maintenance["in_window"], maintenance["notice_ok"]) == (
        "2027-03-09", False, True)
    assert "maintenance_notice_violation" not in kinds(result, "c")
    measured = actions(result, "c", "availability_measured")
    assert [(m["date"], m["window"], m["percent"], m["target"], m["met"],
             m["unavailable_minutes"]) for m in measured] == [
        ("2027-01-31", "2027-01", "100.000", "99.8", True, "0"),
        ("2027-02-28", "2027-02", "100.000", "99.8", True, "0"),
        ("2027-03-31", "2027-03", "99.596", "99.8", False, "180"),
        ("2027-04-30", "2027-04", "100.000", "99.8", True, "0"),
    ]
    credit = one(result, "c", "sla_credit")
    assert (credit["date"], credit["window"], credit["amount"], credit["fee"],
            credit["clauses"]) == ("2027-03-31", "2027-03", "1.35", "500.00", ["4"])
    from_credit = [a for a in actions(result, "c", "payment_applied")
                   if a["date"] == "2027-04-01"]
    # the credit note mirrors the VAT of the supply it credits: 1.35 + 25 % = 1.6875 -> 1.69
    assert (credit["total"], [(a["ref"], a["amount"]) for a in from_credit]) == (
        "1.69", [("c-0004", "1.69")])
    # April's invoice at its total, 500.00 + 25 % VAT = 625.00, less the credit note's 1.69:
    # 623.31, not yet due
    assert balance(result, "c")["principal"] == "623.31"


def test_superoffice_shortfall_proportion_is_a_contract_choice_4() -> None:
    """4 ¶3 with sla.availability.credit.proportion: shortfall. The credited (claimed) minutes
    give (44,580 - 120) / 44,580 = 99.73082 %; shortfall 99.8 - 99.73082 = 0.069179 %;
    500.00 x 0.00069179 = 0.3459 -> 0.35."""
    result = run(SO.format(until="2027-03-31",
                           overrides="{sla.availability.credit.proportion: shortfall}"))
    credit = one(result, "c", "sla_credit")
    assert (credit["amount"], credit["proportion"]) == ("0.35", "shortfall")


def test_superoffice_credit_follows_the_billed_days_of_the_month_4() -> None:
    """4 ¶3 'de abonnementskosten die voor de desbetreffende kalendermaand zijn berekend':
    Contractdatum 2027-03-10, first Factuurperiode from 1 April (11.1 ¶2, free stub): the March
    incident earns nothing (no fee charged for March), though March is measured at 99.596 %."""
    text = SO.format(until="2027-03-31", overrides="{}").replace("start: 2027-01-01",
                                                                  "start: 2027-03-09")
    result = run("\n".join(line for line in text.splitlines()
                           if "type: payment" not in line))
    assert one(result, "c", "availability_measured")["percent"] == "99.596"
    assert "sla_credit" not in kinds(result, "c")


# --- Smartconnect 3.3, 3.5, 9.3 ----------------------------------------------------------------

SC = """
policy: smartconnect
until: {until}
contracts:
  - id: c
    customer: {{name: Contact NV, country: BE}}
    start: 2027-01-04
    {trial}
    lines:
      - {{item: Smartconnect Agent, unit_price: "45.00", per: month, quantity: 4}}
events:
{events}
"""


def test_smartconnect_availability_is_reported_against_99_9_without_credit_3_5() -> None:
    """3.5: calendar months from the start (4 January); February 2027 = 40,320 minutes; an
    incident 10:00-11:30 on 10 February = 90 minutes, counted from its start:
    (40,320 - 90) / 40,320 = 99.7768 % < 99.9 %: reported, no credit (an aim only)."""
    events = ('  - {type: incident, start: "2027-02-10T10:00:00+01:00", '
              'end: "2027-02-10T11:30:00+01:00", reported_at: "2027-02-10T10:05:00+01:00"}')
    result = run(SC.format(until="2027-02-28", trial="", events=events))
    measured = actions(result, "c", "availability_measured")
    assert [(m["window"], m["percent"], m["target"], m["met"], m["clauses"])
            for m in measured] == [
        ("2027-01", "100.000", "99.9", True, ["3.5"]),
        ("2027-02", "99.776", "99.9", False, ["3.5"]),
    ]
    assert "sla_credit" not in kinds(result, "c")


def test_smartconnect_maintenance_notice_per_class_3_3() -> None:
    """3.3 lead times: standard 4 weeks, emergency 3 days, critical 4 hours; window 20:00-06:00.

    * Emergency Fri 12 March 22:00 - Sat 02:00 CET, announced Tue 9 March 23:00: due by
      9 March 22:00 (3 days earlier on the wall clock): one hour late -> violation.
    * Standard Tue 20 April 21:00-23:00 CEST, announced 23 March 21:00 CET: 4 weeks before on
      the wall clock (across the change to summer time) is exactly 23 March 21:00 -> on time.
    * Critical Wed 5 May 14:00-15:00, announced 10:00 the same day: exactly 4 hours -> on time,
      but outside the 20:00-06:00 window (in_window false, not a violation).
    3.5 with maintenance: an incident inside the compliant standard maintenance (21:00-22:00 on
    20 April) is cut out: April 100 %; one inside the late emergency maintenance (22:00-23:00 on
    12 March) still counts: March (44,580 min) (44,580 - 60) / 44,580 = 99.8654 %.
    """
    events = "\n".join([
        '  - {type: maintenance_announced, start: "2027-03-12T22:00:00+01:00", '
        'end: "2027-03-13T02:00:00+01:00", class: emergency, '
        'announced_at: "2027-03-09T23:00:00+01:00"}',
        '  - {type: maintenance_announced, start: "2027-04-20T21:00:00+02:00", '
        'end: "2027-04-20T23:00:00+02:00", class: standard, '
        'announced_at: "2027-03-23T21:00:00+01:00"}',
        '  - {type: maintenance_announced, start: "2027-05-05T14:00:00+02:00", '
        'end: "2027-05-05T15:00:00+02:00", class: critical, '
        'announced_at: "2027-05-05T10:00:00+02:00"}',
        '  - {type: incident, start: "2027-03-12T22:00:00+01:00", '
        'end: "2027-03-12T23:00:00+01:00", reported_at: "2027-03-12T22:00:00+01:00"}',
        '  - {type: incident, start: "2027-04-20T21:00:00+02:00", '
        'end: "2027-04-20T22:00:00+02:00", reported_at: "2027-04-20T21:00:00+02:00"}',
    ])
    result = run(SC.format(until="2027-05-31", trial="", events=events))
    scheduled = actions(result, "c", "maintenance_scheduled")
    assert [(m["date"], m["maintenance_class"], m["required_notice"], m["notice_ok"],
             m["in_window"], m["clauses"]) for m in scheduled] == [
        ("2027-03-09", "emergency", "3 days", False, True, ["3.3"]),
        ("2027-03-23", "standard", "4 weeks", True, True, ["3.3"]),
        ("2027-05-05", "critical", "4 hours", True, False, ["3.3"]),
    ]
    violation = one(result, "c", "maintenance_notice_violation")
    assert (violation["date"], violation["announce_by"], violation["announced_at"],
            violation["clauses"]) == ("2027-03-09", "2027-03-09T22:00:00+01:00",
                                      "2027-03-09T23:00:00+01:00", ["3.3"])
    measured = {m["window"]: m["percent"] for m in actions(result, "c", "availability_measured")}
    assert (measured["2027-03"], measured["2027-04"]) == ("99.865", "100.000")


def test_smartconnect_trial_has_no_provider_obligations_9_3() -> None:
    """9.3: a 30-day trial from 4 January (to 2 February, then it lapses, 9.2). An incident for
    all contracts passes the trial by; one addressed to it, a maintenance announcement addressed
    to it and a support ticket are refused citing 9.3; no month is measured (January is trial
    only, the contract ends with the trial)."""
    events = "\n".join([
        '  - {type: incident, start: "2027-01-10T10:00:00+01:00", '
        'end: "2027-01-10T11:00:00+01:00", reported_at: "2027-01-10T10:00:00+01:00"}',
        '  - {type: incident, contract: c, start: "2027-01-11T10:00:00+01:00", '
        'end: "2027-01-11T11:00:00+01:00", reported_at: "2027-01-11T10:00:00+01:00"}',
        '  - {type: maintenance_announced, contract: c, start: "2027-01-20T21:00:00+01:00", '
        'end: "2027-01-20T22:00:00+01:00", class: critical}',
        '  - {date: 2027-01-12, type: ticket_opened, contract: c, ticket: T1, '
        'at: "2027-01-12T10:00:00+01:00"}',
    ])
    result = run(SC.format(until="2027-03-31", trial="trial_days: 30", events=events))
    refused = actions(result, "c", "event_refused")
    assert [(r["date"], r["event"], r["reason"], r["clauses"]) for r in refused] == [
        ("2027-01-11", "incident", "no provider obligations during the trial", ["9.3"]),
        ("2027-01-12", "ticket_opened", "no provider obligations during the trial", ["9.3"]),
        ("2027-01-20", "maintenance_announced", "no provider obligations during the trial",
         ["9.3"]),
    ]
    assert "availability_measured" not in kinds(result, "c")
    assert "incident_recorded" not in kinds(result, "c")


# --- ClientCom 7.4, 11.5 -------------------------------------------------------------------

def test_clientcom_uptime_per_calendar_year_no_credit_below_90_7_4_11_5() -> None:
    """7.4: 90 % per year, measured per calendar year (525,600 minutes in 2027). An outage from
    1 February 00:00 to 13 March 00:00 = 28 + 12 = 40 days = 57,600 minutes:
    (525,600 - 57,600) / 525,600 = 89.0411 % < 90 %. 7.4 / 11.5: ClientCom is not liable: no
    credit. Reported on 31 December 2027 only."""
    result = run("""
        policy: clientcom
        until: 2028-01-31
        contracts:
          - id: c
            customer: {name: Voicemail BV, country: BE}
            start: 2027-01-01
            lines:
              - {item: ClientCom Smart Voicemail, unit_price: "50.00", per: month, quantity: 1}
        events:
          - {type: incident, start: "2027-02-01T00:00:00+01:00",
             end: "2027-03-13T00:00:00+01:00", reported_at: "2027-02-01T08:00:00+01:00"}
    """)
    measured = one(result, "c", "availability_measured")
    assert (measured["date"], measured["window"], measured["percent"], measured["target"],
            measured["met"], measured["unavailable_minutes"], measured["clauses"]) == (
        "2027-12-31", "2027", "89.041", "90", False, "57600", ["7.4", "11.5"])
    assert "sla_credit" not in kinds(result, "c")


# --- SmartWeb 7.2, SmartTrackers 15.4: preferred windows, no notice -------------------------

def test_smartweb_daytime_maintenance_is_reported_not_refused_7_2() -> None:
    """7.2 'Preferably ... not during daytime' (08:00-18:00 Copenhagen): maintenance 12:00-13:00
    is outside the preferred window, 22:00-23:00 inside; no notice period, so no violation.
    SmartWeb has no availability target: an incident addressed to the contract is refused."""
    result = run("""
        policy: smartweb
        until: 2027-03-31
        contracts:
          - id: c
            customer: {name: Shop ApS, country: DK}
            start: 2027-01-04
            lines:
              - {item: SmartWeb Shop, unit_price: "50.00", per: month, quantity: 1}
        events:
          - {date: 2027-01-04, type: payment, contract: c, amount: "375.00"}
          - {type: maintenance_announced, start: "2027-03-01T12:00:00+01:00",
             end: "2027-03-01T13:00:00+01:00", class: emergency}
          - {type: maintenance_announced, start: "2027-03-02T22:00:00+01:00",
             end: "2027-03-02T23:00:00+01:00", class: standard}
          - {type: incident, contract: c, start: "2027-03-05T10:00:00+01:00",
             end: "2027-03-05T11:00:00+01:00", reported_at: "2027-03-05T10:00:00+01:00"}
    """)
    scheduled = actions(result, "c", "maintenance_scheduled")
    assert [(m["date"], m["in_window"], m["notice_ok"], m.get("required_notice"),
             m["clauses"]) for m in scheduled] == [
        ("2027-03-01", False, True, None, ["7.2"]),
        ("2027-03-02", True, True, None, ["7.2"]),
    ]
    assert "maintenance_notice_violation" not in kinds(result, "c")
    refused = one(result, "c", "event_refused")
    assert (refused["event"], refused["reason"]) == (
        "incident", "the terms set no availability level")


def test_smarttrackers_maintenance_outside_office_hours_15_4() -> None:
    """15.4 'if possible ... outside its usual office hours' (09:00-17:00 Amsterdam, Dutch
    business days): Saturday 13 March 10:00-12:00 is outside office hours (in window); Monday
    15 March 10:00-12:00 is not. No minimum notice: no violation."""
    result = run("""
        policy: smarttrackers
        until: 2027-03-31
        contracts:
          - id: c
            customer: {name: Tracker BV, country: NL}
            start: 2027-01-04
            lines:
              - {item: SmartTrackers, unit_price: "100.00", per: month, quantity: 1}
        events:
          - {type: maintenance_announced, start: "2027-03-13T10:00:00+01:00",
             end: "2027-03-13T12:00:00+01:00", class: standard,
             announced_at: "2027-03-12T09:00:00+01:00"}
          - {type: maintenance_announced, start: "2027-03-15T10:00:00+01:00",
             end: "2027-03-15T12:00:00+01:00", class: critical,
             announced_at: "2027-03-15T09:00:00+01:00"}
    """)
    scheduled = actions(result, "c", "maintenance_scheduled")
    assert [(m["date"], m["in_window"], m["notice_ok"], m["clauses"]) for m in scheduled] == [
        ("2027-03-12", True, True, ["15.4"]),
        ("2027-03-15", False, True, ["15.4"]),
    ]
    assert "maintenance_notice_violation" not in kinds(result, "c")


def test_an_incident_reported_after_its_month_revises_that_month_3_5() -> None:
    """3.5: February (40,320 min) is measured on 28 February at 100 %. An incident from 23:00 to
    23:30 on 28 February, reported at 00:10 on 1 March, revises it on 1 March:
    (40,320 - 30) / 40,320 = 99.92559 % -> 99.925, still above 99.9 %."""
    events = ('  - {type: incident, start: "2027-02-28T23:00:00+01:00", '
              'end: "2027-02-28T23:30:00+01:00", reported_at: "2027-03-01T00:10:00+01:00"}')
    result = run(SC.format(until="2027-03-01", trial="", events=events))
    february = [(m["date"], m["percent"], m["met"], m.get("revised"))
                for m in actions(result, "c", "availability_measured")
                if m["window"] == "2027-02"]
    assert february == [("2027-02-28", "100.000", True, None),
                        ("2027-03-01", "99.925", True, True)]


def test_a_window_counts_the_service_owed_on_one_of_its_days_3_5() -> None:
    """3.5 measures each calendar month in which Smartconnect owed the service. The January
    report (31 January) ends a day on which the service is owed, so February counts from its
    first day without a step of its own (`sla.run.carry`); but a provider termination
    (9.2: immediate) that arrives on 1 February ends the contract before that day's
    measuring phase, and February is never measured, as before. A day later, 2 February, the
    service was owed on 1 February: February is measured on its last day, 28 February."""
    ending = ("  - {{type: provider_termination, contract: c, date: {day}, "
              "reason: material breach}}")
    on_first = run(SC.format(until="2027-03-31", trial="",
                             events=ending.format(day="2027-02-01")))
    assert one(on_first, "c", "contract_terminated")["date"] == "2027-02-01"
    assert [(m["date"], m["window"]) for m in actions(on_first, "c", "availability_measured")] \
        == [("2027-01-31", "2027-01")]
    on_second = run(SC.format(until="2027-03-31", trial="",
                              events=ending.format(day="2027-02-02")))
    assert one(on_second, "c", "contract_terminated")["date"] == "2027-02-02"
    assert [(m["date"], m["window"]) for m in actions(on_second, "c", "availability_measured")] \
        == [("2027-01-31", "2027-01"), ("2027-02-28", "2027-02")]
