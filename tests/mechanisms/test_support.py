"""Support response deadlines and defect remedies (the `support:` sections of the packs).

Smartconnect business hours (pack reading): 09:00-17:00 Brussels on BE business days, so one
business day is 8 business hours. SuperOffice: 08:00-16:00 Vilnius, LT business days, 24 and 31
December closed. SmartWeb: defects remedied within 10 calendar days of the written notice.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from scenario_helpers import actions, balance, kinds, one, run
from termline.domain.mechanisms.support.refund import daily_refund, late_days

SC = """
policy: smartconnect
until: {until}
contracts:
  - id: c
    customer: {{name: Contact NV, country: BE}}
    start: 2027-01-04
    lines:
      - {{item: Smartconnect Agent, unit_price: "45.00", per: month, quantity: 4}}
events:
{events}
"""


def ticket(day: str, kind: str, name: str, stamp: str, category: str = "") -> str:
    extra = f", category: {category}" if category else ""
    return f'  - {{date: {day}, type: {kind}, contract: c, ticket: {name}, at: "{stamp}"{extra}}}'


def test_smartconnect_error_report_due_in_10_business_hours_5_4_5_3() -> None:
    """5.4 '10 hours on business days from receipt' (5.3: receipt at support@ = `at`).

    E1 received Mon 1 March 10:00: 7 h Monday + 3 h Tuesday -> due Tue 2 March 12:00; answered
    Tue 11:00: in time, nothing flagged.
    E2 received Wed 3 March 16:00: 1 h Wed + 8 h Thu + 1 h Fri -> due Fri 5 March 10:00; answered
    Fri 11:00: late, flagged when the answer comes (once).
    """
    events = "\n".join([
        ticket("2027-03-01", "ticket_opened", "E1", "2027-03-01T10:00:00+01:00"),
        ticket("2027-03-02", "ticket_answered", "E1", "2027-03-02T11:00:00+01:00"),
        ticket("2027-03-03", "ticket_opened", "E2", "2027-03-03T16:00:00+01:00", "error"),
        ticket("2027-03-05", "ticket_answered", "E2", "2027-03-05T11:00:00+01:00"),
    ])
    result = run(SC.format(until="2027-03-10", events=events))
    due = actions(result, "c", "support_response_due")
    assert [(d["date"], d["ticket"], d["category"], d["due_at"], d["clauses"]) for d in due] == [
        ("2027-03-01", "E1", "error", "2027-03-02T12:00:00+01:00", ["5.4"]),
        ("2027-03-03", "E2", "error", "2027-03-05T10:00:00+01:00", ["5.4"]),
    ]
    breached = one(result, "c", "support_response_breached")
    assert (breached["date"], breached["ticket"], breached["due_at"], breached["answered_at"],
            breached["clauses"]) == ("2027-03-05", "E2", "2027-03-05T10:00:00+01:00",
                                     "2027-03-05T11:00:00+01:00", ["5.4"])


def test_smartconnect_query_due_in_one_business_day_across_easter_and_dst_5_6() -> None:
    """5.6 'within one business day' = 8 business hours. Q1 received Fri 26 March 14:00 CET:
    3 h Friday; clocks go forward on the 28th; Mon 29 March is Easter Monday; 5 h Tuesday ->
    due Tue 30 March 14:00 CEST. No answer that day: the breach is flagged on 30 March; the
    answer on 31 March adds nothing."""
    events = "\n".join([
        ticket("2027-03-26", "ticket_opened", "Q1", "2027-03-26T14:00:00+01:00", "question"),
        ticket("2027-03-31", "ticket_answered", "Q1", "2027-03-31T09:00:00+02:00"),
    ])
    result = run(SC.format(until="2027-04-05", events=events))
    due = one(result, "c", "support_response_due")
    assert (due["due_at"], due["clauses"]) == ("2027-03-30T14:00:00+02:00", ["5.6"])
    breached = one(result, "c", "support_response_breached")
    assert (breached["date"], breached["ticket"], breached["clauses"]) == (
        "2027-03-30", "Q1", ["5.6"])
    assert "answered_at" not in breached


def test_unknown_and_duplicate_tickets_are_refused() -> None:
    events = "\n".join([
        ticket("2027-03-01", "ticket_opened", "E1", "2027-03-01T10:00:00+01:00"),
        ticket("2027-03-01", "ticket_opened", "E1", "2027-03-01T11:00:00+01:00"),
        ticket("2027-03-02", "ticket_answered", "X9", "2027-03-02T11:00:00+01:00"),
    ])
    result = run(SC.format(until="2027-03-02", events=events))
    reasons = [r["reason"] for r in actions(result, "c", "event_refused")]
    assert reasons == ["ticket E1 is already open", "no open ticket X9"]


def test_superoffice_support_hours_start_the_clock_6() -> None:
    """6 ¶1: 08:00-16:00 Vilnius, Monday to Friday, closed on Christmas Eve, New Year's Eve and
    national holidays. A ticket on Thu 30 December 2027 17:00 (after the close): Fri 31 Dec
    closed, Sat 1 Jan holiday, Sunday -> handled from Mon 3 January 08:00. A ticket on Tuesday
    14 December 09:00 Oslo time (10:00 in Vilnius) is handled at once. No response target:
    nothing is ever due or breached."""
    result = run("""
        policy: superoffice
        until: 2028-01-10
        contracts:
          - id: c
            customer: {name: Klant BV}
            start: 2027-01-01
            billing_period: 1 month
            lines:
              - {item: CRM Online, unit_price: "50.00", per: month, quantity: 2}
        events:
          - {date: 2027-01-01, type: payment, contract: c, amount: "5000.00"}
          - {date: 2027-12-14, type: ticket_opened, contract: c, ticket: S1,
             at: "2027-12-14T09:00:00+01:00", category: question}
          - {date: 2027-12-30, type: ticket_opened, contract: c, ticket: S2,
             at: "2027-12-30T17:00:00+02:00"}
    """)
    received = actions(result, "c", "support_ticket_received")
    assert [(r["ticket"], r["handled_from"], r["clauses"]) for r in received] == [
        ("S1", "2027-12-14T10:00:00+02:00", ["6"]),  # the same instant, in desk time
        ("S2", "2028-01-03T08:00:00+02:00", ["6"]),
    ]
    assert "support_response_due" not in kinds(result, "c")
    assert "support_response_breached" not in kinds(result, "c")


# --- SmartWeb 12.2 and 15.1 --------------------------------------------------------------

SW = """
policy: smartweb
until: {until}
contracts:
  - id: c
    customer: {{name: Shop ApS, country: DK}}
    start: 2028-01-03
    lines:
      - {{item: SmartWeb Shop, unit_price: "100.00", per: month, quantity: 1}}
events:
  - {{date: 2028-01-03, type: payment, contract: c, amount: "750.00"}}
{events}
"""


def test_refund_arithmetic_catalogue_example() -> None:
    """Catalogue SW-12.2: EUR 600 for a 182-day period, remedied 14 days after the notice:
    4 days x 600 / 182 = 13.1868 -> 13.19. A day outside every billed period earns nothing."""
    deadline = date(2028, 2, 11)
    days = late_days(deadline, date(2028, 2, 15))
    assert days == [date(2028, 2, 12), date(2028, 2, 13), date(2028, 2, 14), date(2028, 2, 15)]
    period = (date(2028, 1, 3), date(2028, 7, 2), Decimal("600.00"))
    assert daily_refund(days, [period]) == Decimal("13.19")
    assert daily_refund([date(2028, 7, 3)], [period]) == Decimal("0")
    assert late_days(deadline, deadline - timedelta(days=1)) == []


def test_smartweb_material_defect_remedied_late_is_reimbursed_per_day_12_2() -> None:
    """12.2: start Mon 2028-01-03, 6-month periods: 2028-01-03 .. 07-02 = 182 days (29 + 29 +
    31 + 30 + 31 + 30 + 2), 6 x 100.00 = 600.00, paid on the invoice day at its total with 25 %
    Danish VAT, 750.00; the reimbursement counts on the price, 600.00.
    D1 (material) notified 2028-02-01: remedy due 02-01 + 10 = 02-11; remedied 02-15 = 4 days
    late (12, 13, 14, 15): 4 x 600 / 182 = 13.19, refunded as credit (the invoice is paid).
    D2 (not material) notified 02-01, remedied 02-20: late, but no reimbursement.
    """
    events = "\n".join([
        "  - {date: 2028-02-01, type: defect_reported, contract: c, defect: D1}",
        "  - {date: 2028-02-01, type: defect_reported, contract: c, defect: D2, material: false}",
        "  - {date: 2028-02-15, type: defect_remedied, contract: c, defect: D1}",
        "  - {date: 2028-02-20, type: defect_remedied, contract: c, defect: D2}",
    ])
    result = run(SW.format(until="2028-03-01", events=events))
    due = actions(result, "c", "defect_remedy_due")
    assert [(d["defect"], d["material"], d["remedy_by"], d["clauses"]) for d in due] == [
        ("D1", True, "2028-02-11", ["12.2"]), ("D2", False, "2028-02-11", ["12.2"])]
    refund = one(result, "c", "defect_refund")
    assert (refund["date"], refund["defect"], refund["amount"], refund["days"],
            refund["clauses"]) == ("2028-02-15", "D1", "13.19", 4, ["12.2"])
    # the refund's credit note carries the fees' 25 % VAT: 13.19 + 3.30 (3.2975) = 16.49, the
    # total the books hold as credit (issue 17)
    assert balance(result, "c")["credit"] == "16.49"


def test_smartweb_defect_unremedied_for_60_days_opens_termination_15_1() -> None:
    """15.1 (1): D1 notified 2028-02-01; 60 days run out at the end of 02-01 + 60 = 04-01 (28
    days to 02-29, 31 in March, 1 in April); the customer's termination right opens on 04-02
    (no `until`: it lasts while the defect is unremedied) and closes with the remedy on 04-10.
    12.2: late days 02-12 .. 04-10 = 18 + 31 + 10 = 59; 59 x 600 / 182 = 194.5055 -> 194.51.
    """
    events = "\n".join([
        "  - {date: 2028-02-01, type: defect_reported, contract: c, defect: D1}",
        "  - {date: 2028-04-10, type: defect_remedied, contract: c, defect: D1}",
    ])
    result = run(SW.format(until="2028-04-30", events=events))
    opened = one(result, "c", "customer_right_opened")
    assert (opened["date"], opened["right"], opened["defect"], opened["clauses"]) == (
        "2028-04-02", "terminate_for_material_breach", "D1", ["15.1", "15.2"])
    assert "until" not in opened
    closed = one(result, "c", "customer_right_closed")
    assert (closed["date"], closed["defect"]) == ("2028-04-10", "D1")
    refund = one(result, "c", "defect_refund")
    assert (refund["amount"], refund["days"]) == ("194.51", 59)


def test_smartweb_defect_remedied_in_time_costs_nothing_12_2() -> None:
    """Notified 2028-02-01, remedied on the last day 02-11: no refund, no right."""
    events = "\n".join([
        "  - {date: 2028-02-01, type: defect_reported, contract: c, defect: D1}",
        "  - {date: 2028-02-11, type: defect_remedied, contract: c, defect: D1}",
    ])
    result = run(SW.format(until="2028-06-30", events=events))
    assert "defect_refund" not in kinds(result, "c")
    assert "customer_right_opened" not in kinds(result, "c")


def test_packs_without_support_rules_refuse_tickets() -> None:
    """ClientCom sets no support hours or targets: a ticket is refused with the reason."""
    result = run("""
        policy: clientcom
        until: 2027-01-10
        contracts:
          - id: c
            customer: {name: Voicemail BV}
            start: 2027-01-01
            lines:
              - {item: Voicemail, unit_price: "50.00", per: month, quantity: 1}
        events:
          - {date: 2027-01-05, type: ticket_opened, contract: c, ticket: T,
             at: "2027-01-05T10:00:00+01:00"}
    """)
    assert one(result, "c", "event_refused")["reason"] == "the terms set no support rules"
