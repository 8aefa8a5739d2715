"""SmartWeb ApS pack (seed 002, Danish law): scenarios with hand-computed dates and amounts.

Every expectation is worked out from the seed text in the comment next to it; the clause that
drives it is named in the test's docstring. Day counts follow the catalogue's convention (§0.1):
"within n days of E" runs out at the end of day E+n, the follow-up happens on E+n+1.
"""

from __future__ import annotations

from datetime import date

from scenario_helpers import actions, balance, kinds, one, run
from termline.domain.policy import load_pack

SHOP = "{item: SmartWeb Shop, unit_price: \"50.00\", per: month, quantity: 1}"


def prepay(cid: str, day: str) -> str:
    """A customer who pays well ahead: the credit settles each invoice the day it is issued."""
    return f"{{date: {day}, type: payment, contract: {cid}, amount: \"5000.00\"}}"


def _one_contract(start: str, until: str, events: str = "", overrides: str = "{}",
                  lines: str = SHOP, cid: str = "acme") -> str:
    return f"""
policy: smartweb
until: {until}
contracts:
  - id: {cid}
    customer: {{name: Acme ApS, country: DK, email: billing@acme.example}}
    start: {start}
    overrides: {overrides}
    lines:
      - {lines}
events: [{events}]
"""


# --- 4.2, 4.3, 15.1, 15.2: the derived dunning timeline -------------------------------------

def test_dunning_timeline_4_2_4_3_15_1_15_2_matches_the_catalogue_table() -> None:
    """4.2 due date, reminders and EUR 14 fees; 4.3 suspension; 15.1 (2) / 15.2 breach and end.

    Catalogue table, invoice date D = 2025-01-01, nothing ever paid.
    """
    result = run(_one_contract("2025-01-01", "2025-04-30"))
    invoice = one(result, "acme", "invoice_issued")
    # 4.1/4.2: first invoice on the start day; 6 months x EUR 50 = 300.00; due D + 8 = 01-09.
    assert (invoice["date"], invoice["amount"], invoice["due_date"]) == (
        "2025-01-01", "300.00", "2025-01-09")
    assert (invoice["period_start"], invoice["period_end"]) == ("2025-01-01", "2025-06-30")
    reminders = actions(result, "acme", "reminder_sent")
    # 4.2: R1 no earlier than 10 days after the due date: 01-09 + 10 = 01-19 (D+18);
    #      R2 no earlier than 10 days after R1: 01-19 + 10 = 01-29 (D+28); EUR 14 per letter.
    assert [(r["date"], r["number"], r["fee"], r["clauses"]) for r in reminders] == [
        ("2025-01-19", 1, "14.00", ["4.2"]),
        ("2025-01-29", 2, "14.00", ["4.2"]),
    ]
    # 4.3: "within seven days as from dispatch of the second letter": 01-29 + 7 = 02-05 runs
    #      out, access is suspended on 02-06 (D+36).
    suspended = one(result, "acme", "access_suspended")
    assert (suspended["date"], suspended["clauses"]) == ("2025-02-06", ["4.3"])
    # 15.1 (2): unpaid for 30 days from the due date: 01-09 + 30 = 02-08 runs out, the 15.2
    #      written notice goes out on 02-09 (D+39) with 10 days to remedy: 02-09 + 10 = 02-19.
    notice = one(result, "acme", "breach_notice_sent")
    assert (notice["date"], notice["remedy_until"], notice["clauses"]) == (
        "2025-02-09", "2025-02-19", ["15.1", "15.2"])
    # 15.2: the 10 days run out at the end of 02-19; SmartWeb terminates on 02-20 (D+50).
    ended = one(result, "acme", "contract_terminated")
    assert (ended["date"], ended["effective_date"], ended["reason"], ended["clauses"]) == (
        "2025-02-20", "2025-02-20", "breach", ["15.1", "15.2"])
    # 9.1: data kept 60 days after termination: 02-20 + 60 = 04-21 (8 days to 02-28, 31 in
    #      March, 21 in April); deleted on the day after, 04-22.
    assert ended["export_until"] == "2025-04-21"
    deleted = one(result, "acme", "data_deleted")
    assert (deleted["date"], deleted["clauses"]) == ("2025-04-22", ["9.1"])
    # Only two letters are provided for; nothing else is invoiced after termination.
    assert kinds(result, "acme") == [
        "contract_started", "invoice_issued", "reminder_sent", "reminder_sent",
        "access_suspended", "breach_notice_sent", "contract_terminated",
        "data_deletion_scheduled", "data_deleted",
    ]
    # 14.1: issued invoices stay payable after termination. Balance on 2025-04-30:
    #   principal 300.00 + 25 % Danish VAT = 375.00 (the open item is the invoice's total),
    #   fees 2 x 14 = 28.00 (fees bear no interest, category O),
    #   interest 4.2 on the amount due including VAT: completed months from 01-09 to 04-30 = 3
    #   (02-09, 03-09, 04-09), 375 x (1.015^3 - 1) = 375 x 0.045678375 = 17.1294 -> 17.13;
    #   total 375.00 + 28.00 + 17.13 = 420.13.
    assert balance(result, "acme") == {
        "contract": "acme", "principal": "375.00", "fees": "28.00", "interest": "17.13",
        "total": "420.13", "credit": "0.00", "currency": "EUR",
    }


# --- 2.2, 4.1: a good payer over 24 months ---------------------------------------------------

def test_good_payer_24_months_invoices_14_days_ahead_and_renews_every_six_months_2_2_4_1() -> None:
    """2.2 six-month periods renewed automatically; 4.1 invoices ahead of each period (14-day lead).

    Start (order confirmation received) Monday 2027-01-04. Periods: 01-04..07-03,
    07-04..2028-01-03, 2028-01-04..07-03, 2028-07-04..2029-01-03, 2029-01-04..07-03.
    Invoice dates: the start day, then period start - 14 days:
      2027-07-04 - 14 = 2027-06-20; 2028-01-04 - 14 = 2027-12-21;
      2028-07-04 - 14 = 2028-06-20; 2029-01-04 - 14 = 2028-12-21.
    Due dates (4.2, + 8 days): 01-12, 06-28, 12-29, 2028-06-28, 2028-12-29. Each invoice is paid
    on its due date, which is in time: no letter, no interest. Each is paid at its total,
    300.00 + 25 % Danish VAT = 375.00.
    """
    pays = ", ".join(
        f"{{date: {d}, type: payment, contract: acme, amount: \"375.00\"}}"
        for d in ("2027-01-12", "2027-06-28", "2027-12-29", "2028-06-28", "2028-12-29"))
    result = run(_one_contract("2027-01-04", "2029-01-03", pays))
    started = one(result, "acme", "contract_started")
    assert (started["term_start"], started["term_end"], started["clauses"]) == (
        "2027-01-04", "2027-07-03", ["1.1", "2.2"])
    invoices = [(a["date"], a["period_start"], a["period_end"], a["due_date"], a["amount"])
                for a in actions(result, "acme", "invoice_issued")]
    assert invoices == [
        ("2027-01-04", "2027-01-04", "2027-07-03", "2027-01-12", "300.00"),
        ("2027-06-20", "2027-07-04", "2028-01-03", "2027-06-28", "300.00"),
        ("2027-12-21", "2028-01-04", "2028-07-03", "2027-12-29", "300.00"),
        ("2028-06-20", "2028-07-04", "2029-01-03", "2028-06-28", "300.00"),
        ("2028-12-21", "2029-01-04", "2029-07-03", "2028-12-29", "300.00"),
    ]
    renewals = [(a["date"], a["term_start"], a["term_end"])
                for a in actions(result, "acme", "contract_renewed")]
    assert renewals == [
        ("2027-07-04", "2027-07-04", "2028-01-03"),
        ("2028-01-04", "2028-01-04", "2028-07-03"),
        ("2028-07-04", "2028-07-04", "2029-01-03"),
    ]
    assert all(a["clauses"] == ["2.2"] for a in actions(result, "acme", "contract_renewed"))
    for kind in ("reminder_sent", "interest_charged", "access_suspended",
                 "contract_terminated"):
        assert actions(result, "acme", kind) == []
    assert balance(result, "acme")["total"] == "0.00"


def test_prices_in_eur_exclusive_of_vat_from_the_price_lines_3_1() -> None:
    """3.1: prices are the website price list in EUR excluding VAT; no VAT is added.

    Shop EUR 50.00/month + extra traffic EUR 12.50/month, 6-month period:
    6 x 50.00 + 6 x 12.50 = 300.00 + 75.00 = 375.00 EUR.
    """
    lines = SHOP + "\n      - {item: Extra traffic, unit_price: \"12.50\", per: month}"
    result = run(_one_contract("2027-01-04", "2027-01-31", lines=lines))
    invoice = one(result, "acme", "invoice_issued")
    assert (invoice["amount"], invoice["currency"], invoice["clauses"]) == (
        "375.00", "EUR", ["4.1", "4.2"])


# --- 4.2 interest, 4.3 restoring access --------------------------------------------------------

def test_interest_1_5_percent_per_completed_month_compounded_4_2() -> None:
    """4.2: 1.5 % on the principal for each month after the due date, added to the principal.

    Invoice 2025-01-01, due 01-09. SmartWeb does not use its breach termination here (override),
    so the customer can pay late. Each contract pays principal + the two EUR 14 letters; the
    principal is the invoice's total including 25 % Danish VAT (300.00 -> 375.00, 1000.00 ->
    1250.00), and interest runs on that amount due (renteloven § 5: "the amount due").
      two:   paid 375 + 28 = 403.00 on 03-09, completed months 01-09 -> 03-09 = 2:
             375 x (1.015^2 - 1) = 375 x 0.030225 = 11.334375 -> 11.33
      one:   paid 403.00 on 03-08, one day short of the second month: 1 completed month:
             375 x 0.015 = 5.625 -> 5.63 (a part month bears nothing)
      three: EUR 1,000 invoice (1250.00 with VAT) paid 1278.00 on 04-09, 3 completed months
             (catalogue example): 1250 x (1.015^3 - 1) = 1250 x 0.045678375 = 57.0980 -> 57.10
    """
    no_breach = '{"dunning.steps.breach_notice.enabled": false}'
    scenario = f"""
policy: smartweb
until: 2025-04-30
contracts:
  - id: two
    customer: {{name: Two ApS}}
    start: 2025-01-01
    overrides: {no_breach}
    lines: [{SHOP}]
  - id: one
    customer: {{name: One ApS}}
    start: 2025-01-01
    overrides: {no_breach}
    lines: [{SHOP}]
  - id: three
    customer: {{name: Three ApS}}
    start: 2025-01-01
    overrides: {no_breach}
    lines: [{{item: SmartWeb Shop, unit_price: "1000.00", per: period}}]
events:
  - {{date: 2025-03-09, type: payment, contract: two, amount: "403.00"}}
  - {{date: 2025-03-08, type: payment, contract: one, amount: "403.00"}}
  - {{date: 2025-04-09, type: payment, contract: three, amount: "1278.00"}}
"""
    result = run(scenario)
    got = {cid: one(result, cid, "interest_charged") for cid in ("two", "one", "three")}
    assert [(g["date"], g["amount"], g["clauses"]) for g in got.values()] == [
        ("2025-03-09", "11.33", ["4.2"]),
        ("2025-03-08", "5.63", ["4.2"]),
        ("2025-04-09", "57.10", ["4.2"]),
    ]
    # The interest is a new claim; everything else is settled.
    assert balance(result, "two") == {
        "contract": "two", "principal": "0.00", "fees": "0.00", "interest": "11.33",
        "total": "11.33", "credit": "0.00", "currency": "EUR",
    }
    assert actions(result, "two", "contract_terminated") == []


def test_access_restored_only_when_principal_and_fees_are_paid_4_3() -> None:
    """4.3: suspended on R2 + 8 (2025-02-06); reopened on receipt of payment.

    Reading (ambiguity #4): "payment" = the invoice's principal and its letter fees.
    Invoice 2025-01-01 (EUR 300 + 25 % VAT = 375.00), due 01-09; R1 01-19, R2 01-29 (EUR 14
    each); suspension 02-06.
    02-07: EUR 375 naming the invoice (acme-0001) pays its principal (the named item first,
           payment.allocation): still suspended (fees 28.00 open);
           the breach ladder stops (the invoice is paid before 15.1 (2)'s 30 days run out on 02-08).
           Interest: 01-09 -> 02-07 is no completed month: none.
    02-12: EUR 28 pays both fees: access reopened.
    """
    events = ("{date: 2025-02-07, type: payment, contract: acme, amount: \"375.00\", "
              "invoice: acme-0001}, "
              "{date: 2025-02-12, type: payment, contract: acme, amount: \"28.00\"}")
    result = run(_one_contract("2025-01-01", "2025-03-31", events))
    assert one(result, "acme", "access_suspended")["date"] == "2025-02-06"
    restored = one(result, "acme", "access_restored")
    assert (restored["date"], restored["clauses"]) == ("2025-02-12", ["4.3"])
    for kind in ("breach_notice_sent", "contract_terminated", "interest_charged"):
        assert actions(result, "acme", kind) == []
    assert result.states["acme"].access == "full"
    assert balance(result, "acme")["total"] == "0.00"


# --- 14.1 customer notice --------------------------------------------------------------------

def test_notice_before_invoice_dispatch_ends_period_on_invoice_date_too_late_14_1() -> None:
    """14.1: notice must be received before the invoice for the next period is dispatched.

    Start 2027-01-04; second period 2027-07-04..2028-01-03; the invoice for the third period
    (from 2028-01-04) is dated 2028-01-04 - 14 = Tuesday 2027-12-21.
      early: notice Monday 2027-12-20, one DK business day before the invoice date: on time,
             the contract ends 2028-01-03 and the third period is never invoiced.
      late:  notice on the invoice date 2027-12-21: the invoice is out, the customer pays the
             third period, which ends 2028-01-04 + 6 months - 1 day = 2028-07-03.
    """
    scenario = f"""
policy: smartweb
until: 2028-12-31
contracts:
  - id: early
    customer: {{name: Early ApS}}
    start: 2027-01-04
    lines: [{SHOP}]
  - id: late
    customer: {{name: Late ApS}}
    start: 2027-01-04
    lines: [{SHOP}]
events:
  - {prepay("early", "2027-01-04")}
  - {prepay("late", "2027-01-04")}
  - {{date: 2027-12-20, type: termination_notice, contract: early, by: customer}}
  - {{date: 2027-12-21, type: termination_notice, contract: late, by: customer}}
"""
    result = run(scenario)
    early = one(result, "early", "termination_notice_received")
    assert (early["effective_date"], early["clauses"]) == ("2028-01-03", ["14.1"])
    ended = one(result, "early", "contract_terminated")
    assert (ended["date"], ended["reason"], ended["clauses"]) == (
        "2028-01-03", "notice", ["14.1", "4.3"])
    assert [a["date"] for a in actions(result, "early", "invoice_issued")] == [
        "2027-01-04", "2027-06-20"]

    late = one(result, "late", "termination_notice_received")
    assert late["effective_date"] == "2028-07-03"
    assert one(result, "late", "contract_terminated")["date"] == "2028-07-03"
    # The third invoice goes out; the fourth (2028-07-04 - 14 = 2028-06-20) does not.
    assert [a["date"] for a in actions(result, "late", "invoice_issued")] == [
        "2027-01-04", "2027-06-20", "2027-12-21"]


def test_notice_one_danish_business_day_before_the_period_end_14_1() -> None:
    """14.1: "as little as one workday's notice", workday = Danish business day (calendar DK).

    invoice_lead overridden to 0 days, so the invoice dispatch (the next period's first day)
    does not bind and the business-day rule does. Start 2025-04-08; second period
    2025-10-08..Tuesday 2026-04-07. One DK business day before 04-07: Mon 04-06 Easter Monday,
    Sun 04-05, Sat 04-04, Fri 04-03 Good Friday, Thu 04-02 Maundy Thursday are not business
    days, so the deadline is Wednesday 2026-04-01.
      ontime: notice 2026-04-01 ends the contract 2026-04-07.
      late:   notice 2026-04-02 ends it one period later, 2026-10-07.
    """
    lead0 = '{"billing.invoice_lead": "0 days"}'
    scenario = f"""
policy: smartweb
until: 2026-12-31
contracts:
  - id: ontime
    customer: {{name: Ontime ApS}}
    start: 2025-04-08
    overrides: {lead0}
    lines: [{SHOP}]
  - id: late
    customer: {{name: Late ApS}}
    start: 2025-04-08
    overrides: {lead0}
    lines: [{SHOP}]
events:
  - {prepay("ontime", "2025-04-08")}
  - {prepay("late", "2025-04-08")}
  - {{date: 2026-04-01, type: termination_notice, contract: ontime, by: customer}}
  - {{date: 2026-04-02, type: termination_notice, contract: late, by: customer}}
"""
    result = run(scenario)
    assert one(result, "ontime", "termination_notice_received")["effective_date"] == "2026-04-07"
    assert one(result, "late", "termination_notice_received")["effective_date"] == "2026-10-07"
    # With no lead the invoice for 2026-04-08 is dated that day: the late contract gets it.
    assert [a["date"] for a in actions(result, "late", "invoice_issued")] == [
        "2025-04-08", "2025-10-08", "2026-04-08"]


def test_notice_in_the_first_six_months_ends_the_first_period_reading_a_14_1() -> None:
    """14.1 "non-terminable for the initial six months", reading A (pack default).

    Start 2027-01-04; first period ends 2027-07-03; the second period's invoice is dated
    2027-07-04 - 14 = 2027-06-20, so the last day for notice is 2027-06-19.
      march: notice 2027-03-01 ends the contract at the end of the first six months, 2027-07-03.
      june:  notice on the invoice date 2027-06-20 is too late: ends 2028-01-03.
    """
    scenario = f"""
policy: smartweb
until: 2028-03-31
contracts:
  - id: march
    customer: {{name: March ApS}}
    start: 2027-01-04
    lines: [{SHOP}]
  - id: june
    customer: {{name: June ApS}}
    start: 2027-01-04
    lines: [{SHOP}]
events:
  - {prepay("march", "2027-01-04")}
  - {prepay("june", "2027-01-04")}
  - {{date: 2027-03-01, type: termination_notice, contract: march, by: customer}}
  - {{date: 2027-06-20, type: termination_notice, contract: june, by: customer}}
"""
    result = run(scenario)
    assert one(result, "march", "termination_notice_received")["effective_date"] == "2027-07-03"
    assert one(result, "march", "contract_terminated")["date"] == "2027-07-03"
    assert [a["date"] for a in actions(result, "march", "invoice_issued")] == ["2027-01-04"]
    assert one(result, "june", "termination_notice_received")["effective_date"] == "2028-01-03"


def test_notice_in_the_first_six_months_refused_under_reading_b_14_1() -> None:
    """14.1 reading B (override min_commitment_mode: after_first_term): no notice in 6 months.

    Start 2027-01-04: the first six months run to 2027-07-03.
      2027-07-03: still inside the initial six months: refused.
      2027-07-04: the first day after; the next reachable end is that of the second period,
                  2028-01-03 (deadline min(Fri 2027-12-31 = one DK business day before Mon
                  2028-01-03, 2027-12-20 = the day before the invoice of 2028-01-04 - 14 days)
                  = 2027-12-20 >= 07-04): a 12-month minimum.
    """
    events = (prepay("acme", "2027-01-04") + ", "
              "{date: 2027-07-03, type: termination_notice, contract: acme, by: customer}, "
              "{date: 2027-07-04, type: termination_notice, contract: acme, by: customer}")
    result = run(_one_contract(
        "2027-01-04", "2028-03-31", events,
        overrides='{"termination.customer.min_commitment_mode": after_first_term}'))
    refused = one(result, "acme", "event_refused")
    assert (refused["date"], refused["event"], refused["clauses"]) == (
        "2027-07-03", "termination_notice", ["14.1"])
    assert "2027-07-03" in refused["reason"]
    accepted = one(result, "acme", "termination_notice_received")
    assert (accepted["date"], accepted["effective_date"]) == ("2027-07-04", "2028-01-03")
    assert one(result, "acme", "contract_terminated")["date"] == "2028-01-03"


def test_termination_notice_by_provider_refused_15_1() -> None:
    """15.1: SmartWeb has no termination for convenience; a provider notice is refused."""
    result = run(_one_contract(
        "2027-01-04", "2027-12-31",
        prepay("acme", "2027-01-04")
        + ", {date: 2027-03-01, type: termination_notice, contract: acme, by: provider}"))
    refused = one(result, "acme", "event_refused")
    assert (refused["date"], refused["event"], refused["clauses"]) == (
        "2027-03-01", "termination_notice", ["15.1"])
    assert actions(result, "acme", "contract_terminated") == []
    assert actions(result, "acme", "contract_renewed")[0]["date"] == "2027-07-04"


def test_provider_terminates_for_breach_of_the_terms_15_1_3() -> None:
    """15.1 (3) / 15.2: after its written notice and remedy period SmartWeb ends the contract.

    Event provider_termination 2027-03-10: the contract ends that day, nothing more is invoiced
    (no acceleration), data kept to 03-10 + 60 = 2027-05-09 (21 days to 03-31, 30 in April,
    9 in May) and deleted on 2027-05-10.
    """
    event = (prepay("acme", "2027-01-04") + ", {date: 2027-03-10, type: provider_termination, "
             "contract: acme, reason: unlawful use}")
    result = run(_one_contract("2027-01-04", "2027-06-30", event))
    ended = one(result, "acme", "contract_terminated")
    assert (ended["date"], ended["reason"], ended["clauses"], ended["export_until"]) == (
        "2027-03-10", "breach", ["15.1", "15.2"], "2027-05-09")
    assert one(result, "acme", "data_deleted")["date"] == "2027-05-10"
    assert len(actions(result, "acme", "invoice_issued")) == 1


def test_nothing_invoiced_past_a_termination_for_cause_4_1_14_1_15_1() -> None:
    """4.1 invoices each six-month period 14 days ahead; 15.1 (3) ends the contract for breach.

    Start 2027-01-04: 300.00 net + 25 % VAT = 375.00 a period. Invoices 2027-01-04 and
    2027-06-20 (2027-07-04 - 14 days), both paid. The invoice for 2028-01-04..2028-07-03 is
    issued 2027-12-21 (2028-01-04 - 14 days), due 2027-12-29 (+ 8 days, 4.2). SmartWeb ends the
    contract for breach on 2027-12-28, before that period starts: no service follows, so the
    invoice is credited in full the same day (credit note 300.00 + 75.00 = 375.00, citing the
    termination's 15.1/15.2 and 4.1), and no letter requesting payment or EUR 14 fee (4.2)
    follows for it: without the credit the first would go out on 2027-12-29 + 10 days =
    2028-01-08 and the second on 2028-01-18. The period in progress (to 2028-01-03) stays
    paid: prepayments are not refunded (14.1, 4.3). Balance 0.00.

    "prepaid" paid 5000.00 ahead: the three invoices took 3 x 375.00 of it (3875.00 left); the
    credit note gives the 375.00 of the period after the end back as credit: 4250.00.
    """
    stop = "type: provider_termination, reason: unlawful use"
    text = f"""
policy: smartweb
until: 2028-03-31
contracts:
  - id: acme
    customer: {{name: Acme ApS, country: DK, email: billing@acme.example}}
    start: 2027-01-04
    lines: [{SHOP}]
  - id: prepaid
    customer: {{name: Acme ApS, country: DK, email: billing@acme.example}}
    start: 2027-01-04
    lines: [{SHOP}]
events:
  - {{date: 2027-01-05, type: payment, contract: acme, amount: "375.00"}}
  - {{date: 2027-06-25, type: payment, contract: acme, amount: "375.00"}}
  - {{date: 2027-12-28, contract: acme, {stop}}}
  - {prepay("prepaid", "2027-01-04")}
  - {{date: 2027-12-28, contract: prepaid, {stop}}}
"""
    result = run(text)
    assert [(i["date"], i["ref"], i["total"], i["period_start"], i["period_end"])
            for i in actions(result, "acme", "invoice_issued")] == [
        ("2027-01-04", "acme-0001", "375.00", "2027-01-04", "2027-07-03"),
        ("2027-06-20", "acme-0002", "375.00", "2027-07-04", "2028-01-03"),
        ("2027-12-21", "acme-0003", "375.00", "2028-01-04", "2028-07-03")]
    ended = one(result, "acme", "contract_terminated")
    assert (ended["date"], ended["reason"]) == ("2027-12-28", "breach")
    credited = one(result, "acme", "invoice_credited")
    assert (credited["date"], credited["ref"], credited["amount"], credited["vat"],
            credited["total"], credited["reason"], credited["clauses"]) == (
        "2027-12-28", "acme-0003", "300.00", "75.00", "375.00", "after_end",
        ["15.1", "15.2", "4.1"])
    assert actions(result, "acme", "reminder_sent") == []
    assert balance(result, "acme") == {
        "contract": "acme", "principal": "0.00", "fees": "0.00", "interest": "0.00",
        "total": "0.00", "credit": "0.00", "currency": "EUR"}
    assert one(result, "prepaid", "invoice_credited")["total"] == "375.00"
    assert (balance(result, "prepaid")["total"], balance(result, "prepaid")["credit"]) == (
        "0.00", "4250.00")


# --- 2.1 / 3.1 additional products ---------------------------------------------------------------

def test_additional_product_billed_pro_rata_to_the_period_end_2_1() -> None:
    """2.1: more units ordered via Administration, billed at the 3.1 price pro rata.

    Start 2027-01-04, first period 2027-01-04..07-03 = 28+28+31+30+31+30+3 = 181 days.
      mid:  2 more shops on 2027-03-01: days 03-01..07-03 = 31+30+31+30+3 = 125;
            2 x 50 x 6 = 600.00 x 125/181 = 414.3646 -> 414.36. The second period's invoice
            (2027-06-20) bills 3 x 50 x 6 = 900.00.
      late: 2 more on 2027-06-25, after the second period was invoiced (06-20): the rest of
            the first period 06-25..07-03 = 6+3 = 9 days: 600 x 9/181 = 29.834 -> 29.83,
            plus the whole second period 07-04..2028-01-03 (184 of 184 days): 600.00;
            total 629.83, covering 06-25..2028-01-03.
    """
    scenario = f"""
policy: smartweb
until: 2027-12-20
contracts:
  - id: mid
    customer: {{name: Mid ApS}}
    start: 2027-01-04
    lines: [{SHOP}]
  - id: late
    customer: {{name: Late ApS}}
    start: 2027-01-04
    lines: [{SHOP}]
events:
  - {prepay("mid", "2027-01-04")}
  - {prepay("late", "2027-01-04")}
  - {{date: 2027-03-01, type: seat_change, contract: mid, item: SmartWeb Shop, quantity: 3}}
  - {{date: 2027-06-25, type: seat_change, contract: late, item: SmartWeb Shop, quantity: 3}}
"""
    result = run(scenario)
    mid = [(a["date"], a["invoice_kind"], a["amount"], a["period_start"], a["period_end"],
            a["due_date"]) for a in actions(result, "mid", "invoice_issued")]
    assert mid == [
        ("2027-01-04", "subscription", "300.00", "2027-01-04", "2027-07-03", "2027-01-12"),
        ("2027-03-01", "proration", "414.36", "2027-03-01", "2027-07-03", "2027-03-09"),
        ("2027-06-20", "subscription", "900.00", "2027-07-04", "2028-01-03", "2027-06-28"),
    ]
    assert actions(result, "mid", "invoice_issued")[1]["clauses"] == ["2.1", "3.1"]
    late = [(a["date"], a["invoice_kind"], a["amount"], a["period_start"], a["period_end"])
            for a in actions(result, "late", "invoice_issued")]
    assert late[-1] == ("2027-06-25", "proration", "629.83", "2027-06-25", "2028-01-03")


# --- 8.5 / 9.1 data lifecycle ------------------------------------------------------------------

LIFECYCLE_EVENTS = [
    # the first invoice's total: 300.00 + 25 % VAT
    "{date: 2027-01-10, type: payment, contract: acme, amount: \"375.00\"}",
    "{date: 2027-05-15, type: termination_notice, contract: acme, by: customer}",
]


def test_data_export_only_for_60_days_then_deleted_8_5_9_1() -> None:
    """8.5 right of use lapses at termination; 9.1 export, deletion no earlier than 60 days after.

    Start 2027-01-04, notice 2027-05-15 (reading A): the contract ends T = 2027-07-03.
    Export-only access to T + 60 = 2027-09-01 (28 days to 07-31, 31 in August, 1 in
    September); data deleted on T + 61 = 2027-09-02. An export asked for on 09-01 is served; a
    deletion request is refused (9.1 gives none; data is kept the 60 days).
    """
    events = ", ".join([
        *LIFECYCLE_EVENTS,
        "{date: 2027-08-01, type: data_instruction, contract: acme, instruction: delete}",
        "{date: 2027-09-01, type: data_instruction, contract: acme, instruction: export}",
        "{date: 2027-09-03, type: data_instruction, contract: acme, instruction: export}",
    ])
    text = _one_contract("2027-01-04", "2027-09-30", events)
    ended = one(run(text), "acme", "contract_terminated")
    assert (ended["effective_date"], ended["export_until"]) == ("2027-07-03", "2027-09-01")
    # 8.5: the day after termination only the export remains.
    assert run(text, until=date(2027, 7, 4)).states["acme"].access == "export_only"
    result = run(text)
    scheduled = one(result, "acme", "data_deletion_scheduled")
    assert (scheduled["date"], scheduled["delete_on"], scheduled["clauses"]) == (
        "2027-07-03", "2027-09-02", ["9.1"])
    deleted = one(result, "acme", "data_deleted")
    assert (deleted["date"], deleted["basis"]) == ("2027-09-02", "retention_period_ended")
    assert one(result, "acme", "data_export_requested")["date"] == "2027-09-01"
    refused = actions(result, "acme", "event_refused")
    assert [(r["date"], r["event"]) for r in refused] == [
        ("2027-08-01", "data_instruction"), ("2027-09-03", "data_instruction")]
    assert "already deleted" in refused[1]["reason"]


def test_export_refused_after_the_60_day_window_9_1() -> None:
    """9.1 / 8.5 (pack reading): export-only access lasts to T + 60 = 2027-09-01.

    On T + 61 = 2027-09-02 the window is closed (and the data is deleted that day), so an
    export asked for on 09-02 is refused, not served.
    """
    events = ", ".join([
        *LIFECYCLE_EVENTS,
        "{date: 2027-09-02, type: data_instruction, contract: acme, instruction: export}",
    ])
    result = run(_one_contract("2027-01-04", "2027-09-30", events))
    assert actions(result, "acme", "data_export_requested") == []
    refused = one(result, "acme", "event_refused")
    assert (refused["date"], refused["event"]) == ("2027-09-02", "data_instruction")


# --- 16.1 ----------------------------------------------------------------------------------------

def test_governing_law_danish_court_of_aarhus_16_1() -> None:
    """16.1: Danish law, Court of Aarhus as first instance; Danish business days, EUR (3.1)."""
    policy = load_pack("smartweb")
    assert (policy.source.governing_law, policy.source.venue, policy.source.law_clause) == (
        "DK", "Court of Aarhus (first instance)", ("16.1",))
    assert (policy.calendar, policy.timezone, policy.currency) == (
        "DK", "Europe/Copenhagen", "EUR")
