"""SmartTrackers B.V. (seed 004, Dutch law): scenarios with hand-computed dates and amounts.

Every expectation is worked out from the seed text (GTC 6, 14, 15.17, 16.1 and the DPA) with
the pack's readings; the arithmetic is in the comments. Statutory interest uses the NL rates of
src/termline/domain/rates/statutory.yaml: 11.15 % from 2025-01-01, 10.15 % from 2025-07-01 and
2026-01-01 (carried forward, provisional, after 2026-06-30); actual/365; the due day does not
bear interest, the payment day does.

The receivable is the document (issue 17): each invoice is open at its total including 21 %
Dutch VAT (a customer in NL: category S), 3000.00 + 630.00 = 3630.00, and statutory commercial
interest (art. 6:119a BW) runs on that amount due (docs/readings.md, "Interest on the amount
due including VAT").
"""

from __future__ import annotations

from decimal import Decimal

from scenario_helpers import actions, balance, kinds, one, run
from termline.domain.policy import load_pack

# 250.00 per month, invoiced 12 months in advance: 12 x 250.00 = 3000.00 per invoice, net;
# 3000.00 + 21 % VAT = 3630.00 to pay.
LINE = '{item: SmartTrackers Platform, unit_price: "250.00", per: month, quantity: 1}'
CUSTOMER = "{name: Acme B.V., country: NL, email: billing@acme.example}"


def scenario(until: str, contracts: list[str], events: tuple[str, ...] | list[str] = ()) -> str:
    body = ["policy: smarttrackers", f"until: {until}", "contracts:"]
    body += contracts
    body.append("events:" if events else "events: []")
    body += [f"  - {e}" for e in events]
    return "\n".join(body) + "\n"


def contract(cid: str, start: str, overrides: str = "{}", extra: str = "") -> str:
    return (f"  - id: {cid}\n    customer: {CUSTOMER}\n    start: {start}\n"
            f"    overrides: {overrides}\n{extra}    lines:\n      - {LINE}")


# --- 6.1 / 6.2, 6.6, 14.1: the good payer ---------------------------------------------------

def test_good_payer_two_years_renews_tacitly_for_one_year() -> None:
    """6.1/6.2, 6.6, 6.7, 14.1: yearly invoices in advance in EUR, due 30 days after the invoice
    date, tacit renewal for one year; a payer on time owes nothing and gets no dunning."""
    result = run(scenario("2026-12-31", [contract("good", "2025-01-01")], [
        "{date: 2025-01-20, type: payment, contract: good, amount: '3630.00'}",
        "{date: 2026-01-28, type: payment, contract: good, amount: '3630.00'}",
    ]))
    assert kinds(result, "good") == [
        "contract_started", "invoice_issued", "payment_applied",
        "contract_renewed", "invoice_issued", "payment_applied",
    ]
    # 14.1: start (agreed date) 2025-01-01, initial term of one year: 2025-01-01..2025-12-31.
    started = one(result, "good", "contract_started")
    assert (started["date"], started["term_start"], started["term_end"]) == (
        "2025-01-01", "2025-01-01", "2025-12-31")
    assert started["clauses"] == ["14.1"]
    # 14.1: tacit renewal for one year on 2026-01-01: 2026-01-01..2026-12-31.
    renewed = one(result, "good", "contract_renewed")
    assert (renewed["date"], renewed["term_start"], renewed["term_end"]) == (
        "2026-01-01", "2026-01-01", "2026-12-31")
    invoices = actions(result, "good", "invoice_issued")
    # 6.6: due = invoice date + 30 days: 2025-01-01 + 30 = 2025-01-31; 2026-01-01 + 30 = 2026-01-31.
    assert [(i["date"], i["amount"], i["currency"], i["due_date"], i["period_start"],
             i["period_end"]) for i in invoices] == [
        ("2025-01-01", "3000.00", "EUR", "2025-01-31", "2025-01-01", "2025-12-31"),
        ("2026-01-01", "3000.00", "EUR", "2026-01-31", "2026-01-01", "2026-12-31"),
    ]
    assert invoices[0]["clauses"] == ["6.6", "6.7"]
    assert balance(result, "good") == {
        "contract": "good", "principal": "0.00", "fees": "0.00", "interest": "0.00",
        "total": "0.00", "credit": "0.00", "currency": "EUR"}


def test_agreed_term_invoice_dates_and_payment_term_come_from_the_agreement() -> None:
    """1.1(e), 14.1, 6.6: the Agreement fixes a 24-month initial term, half-yearly invoices and a
    14-day payment term; the pack's defaults yield to it."""
    result = run(scenario("2026-12-31", [contract(
        "agreed", "2025-01-01", '{"term.initial": "24 months", "payment.term": "14 days"}',
        "    billing_period: 6 months\n")]))
    started = one(result, "agreed", "contract_started")
    # 2025-01-01 + 24 months - 1 day = 2026-12-31; no renewal inside the horizon.
    assert started["term_end"] == "2026-12-31"
    assert "contract_renewed" not in kinds(result, "agreed")
    # 6 x 250.00 = 1500.00 per half-year; due = invoice date + 14 days.
    assert [(i["date"], i["amount"], i["due_date"], i["period_end"])
            for i in actions(result, "agreed", "invoice_issued")] == [
        ("2025-01-01", "1500.00", "2025-01-15", "2025-06-30"),
        ("2025-07-01", "1500.00", "2025-07-15", "2025-12-31"),
        ("2026-01-01", "1500.00", "2026-01-15", "2026-06-30"),
        ("2026-07-01", "1500.00", "2026-07-15", "2026-12-31"),
    ]



def test_invoice_due_after_30_days_and_disputes_only_within_30_days() -> None:
    """6.6: no specific arrangement, so the invoice of 2025-01-01 is due 2025-01-01 + 30 days =
    2025-01-31; a written dispute counts until 2025-01-01 + 30 days = 2025-01-31 (inclusive);
    one on 2025-02-01 is too late, the invoice is deemed accepted."""
    result = run(scenario("2025-02-28", [contract("ontime", "2025-01-01"),
                                          contract("toolate", "2025-01-01")], [
        "{date: 2025-01-31, type: invoice_disputed, contract: ontime, ref: ontime-0001}",
        "{date: 2025-02-01, type: invoice_disputed, contract: toolate, ref: toolate-0001}",
    ]))
    assert one(result, "ontime", "invoice_issued")["due_date"] == "2025-01-31"
    received = one(result, "ontime", "invoice_dispute_received")
    assert (received["date"], received["ref"], received["window_until"], received["clauses"]) == (
        "2025-01-31", "ontime-0001", "2025-01-31", ["6.6"])
    refused = one(result, "toolate", "event_refused")
    assert (refused["date"], refused["event"], refused["reason"]) == (
        "2025-02-01", "invoice_disputed", "deemed accepted: the dispute window ended 2025-01-31")
    assert "invoice_dispute_received" not in kinds(result, "toolate")

# 6.9 switched on for a contract (written notice, then suspension 14 days later): the disputes
# below hold what would otherwise suspend the customer.
SUSPENDING = ('{"dunning.steps.suspension_notice.enabled": true, '
              '"dunning.steps.suspension.enabled": true}')


def test_dispute_within_30_days_holds_the_invoice_and_stops_the_suspension() -> None:
    """6.6, 6.9: invoice 3630.00 (3000.00 + 21 % VAT) of 2025-01-01, due 2025-01-31.

    Undisputed ("plain"): the written notice of 6.9 on 2025-01-31 + 1 day = 2025-02-01 and the
    suspension 14 days later, 2025-02-15. Disputed on 2025-01-20, inside the 30 days of 6.6
    (window until 2025-01-31): the invoice is on hold, so through 2025-06-30 no notice and no
    suspension arise from it, and no statutory interest (6.8) accrues in the balance while it
    is held; the 3630.00 stays owed."""
    result = run(scenario("2025-06-30", [
        contract("plain", "2025-01-01", SUSPENDING), contract("held", "2025-01-01", SUSPENDING),
    ], ["{date: 2025-01-20, type: invoice_disputed, contract: held, ref: held-0001}"]))
    assert [(a["date"], a["kind"]) for a in actions(result, "plain")
            if a["kind"] in ("payment_notice_sent", "access_suspended")] == [
        ("2025-02-01", "payment_notice_sent"), ("2025-02-15", "access_suspended")]
    received = one(result, "held", "invoice_dispute_received")
    assert (received["date"], received["ref"], received["window_until"], received["on_hold"],
            received["clauses"]) == ("2025-01-20", "held-0001", "2025-01-31", True, ["6.6"])
    assert kinds(result, "held") == ["contract_started", "invoice_issued",
                                     "invoice_dispute_received"]
    assert result.states["held"].access == "full"
    assert result.states["held"].item("held-0001").on_hold
    held = balance(result, "held")
    assert (held["principal"], held["interest"], held["total"]) == ("3630.00", "0.00", "3630.00")


def test_rejected_dispute_resumes_the_ladder_from_the_decision_day() -> None:
    """6.6, 6.8, 6.9: disputed on 2025-01-20 (in time), rejected on 2025-03-10.

    Dunning resumes from the decision: each step date counts from its anchor or the decision
    day, whichever is later (docs/readings.md, 6.6): the notice from max(due 2025-01-31,
    2025-03-10) + 1 day = 2025-03-11, the suspension 14 days after it, 2025-03-25. A dispute
    does not move the due date (6.6: no right to suspend payment), so the payment of
    3630.00 on 2025-04-10 restores access and is charged the statutory interest from the due
    date: 2025-01-31 -> 2025-04-10 = 28 + 31 + 10 = 69 days at 11.15 %:
    3630 x 0.1115 x 69/365 = 76.5134 -> 76.51."""
    result = run(scenario("2025-06-30", [contract("rejected", "2025-01-01", SUSPENDING)], [
        "{date: 2025-01-20, type: invoice_disputed, contract: rejected, ref: rejected-0001}",
        "{date: 2025-03-10, type: dispute_resolved, contract: rejected, ref: rejected-0001, "
        "outcome: rejected}",
        "{date: 2025-04-10, type: payment, contract: rejected, amount: '3630.00'}",
    ]))
    decided = one(result, "rejected", "dispute_rejected")
    assert (decided["date"], decided["ref"], decided["resumes"], decided["clauses"]) == (
        "2025-03-10", "rejected-0001", "2025-03-10", ["6.6"])
    assert [(a["date"], a["kind"]) for a in actions(result, "rejected")
            if a["kind"] in ("payment_notice_sent", "access_suspended", "access_restored",
                             "interest_charged")] == [
        ("2025-03-11", "payment_notice_sent"), ("2025-03-25", "access_suspended"),
        ("2025-04-10", "interest_charged"), ("2025-04-10", "access_restored")]
    assert one(result, "rejected", "interest_charged")["amount"] == "76.51"


def test_money_that_named_nothing_waits_for_the_decision_then_pays_the_invoice() -> None:
    """6.6: disputed on 2025-01-20; on 2025-02-05 the customer pays 3630.00 naming no invoice.
    Money that names nothing does not pay a held invoice (payment.allocation), so it is credit
    (3630.00). Rejected on 2025-03-10: the credit pays the invoice that day, before dunning
    resumes, so no notice or suspension (6.9) follows; the provider held the money, so no
    interest is charged (docs/readings.md). Balance 0.00, no credit."""
    result = run(scenario("2025-06-30", [contract("ahead", "2025-01-01", SUSPENDING)], [
        "{date: 2025-01-20, type: invoice_disputed, contract: ahead, ref: ahead-0001}",
        "{date: 2025-02-05, type: payment, contract: ahead, amount: '3630.00'}",
        "{date: 2025-03-10, type: dispute_resolved, contract: ahead, ref: ahead-0001, "
        "outcome: rejected}",
    ]))
    assert [(a["date"], a["kind"], a.get("amount"), a.get("source")) for a in
            actions(result, "ahead")][3:] == [
        ("2025-02-05", "credit_recorded", "3630.00", None),
        ("2025-03-10", "dispute_rejected", None, None),
        ("2025-03-10", "payment_applied", "3630.00", "credit")]
    assert balance(result, "ahead") == {
        "contract": "ahead", "principal": "0.00", "fees": "0.00", "interest": "0.00",
        "total": "0.00", "credit": "0.00", "currency": "EUR"}


def test_upheld_dispute_is_credited_and_the_balance_is_zero() -> None:
    """6.6: disputed on 2025-01-20, upheld on 2025-03-10. A credit note mirrors the invoice:
    3000.00 + 630.00 VAT = 3630.00; it settles the invoice (balance 0.00, no credit), and no
    notice, suspension or interest ever arises from it (6.8, 6.9).

    Upheld in part ("part"): 1000.00 excl. VAT upheld = 1000.00 + 21 % = 1210.00 credited;
    3630.00 - 1210.00 = 2420.00 stays owed and dunning resumes on it: notice 2025-03-11,
    suspension 2025-03-25 (as a rejection would)."""
    result = run(scenario("2025-06-30", [
        contract("upheld", "2025-01-01", SUSPENDING), contract("part", "2025-01-01", SUSPENDING),
        contract("twice", "2025-01-01"),
    ], [
        "{date: 2025-01-10, type: invoice_disputed, contract: twice, ref: twice-0001}",
        "{date: 2025-01-15, type: dispute_resolved, contract: twice, ref: twice-0001, "
        "outcome: upheld, amount: '100.00'}",
        "{date: 2025-01-20, type: invoice_disputed, contract: twice, ref: twice-0001}",
        "{date: 2025-01-20, type: invoice_disputed, contract: upheld, ref: upheld-0001}",
        "{date: 2025-03-10, type: dispute_resolved, contract: upheld, ref: upheld-0001, "
        "outcome: upheld}",
        "{date: 2025-01-20, type: invoice_disputed, contract: part, ref: part-0001}",
        "{date: 2025-03-10, type: dispute_resolved, contract: part, ref: part-0001, "
        "outcome: upheld, amount: '1000.00'}",
        "{date: 2025-01-25, type: invoice_disputed, contract: upheld, ref: upheld-0001}",
        "{date: 2025-01-28, type: invoice_disputed, contract: part, ref: part-0001}",
        "{date: 2025-03-11, type: dispute_resolved, contract: part, ref: part-0001, "
        "outcome: upheld}",
    ]))
    assert kinds(result, "upheld") == [
        "contract_started", "invoice_issued", "invoice_dispute_received", "event_refused",
        "dispute_upheld", "invoice_credited", "payment_applied"]
    credited = one(result, "upheld", "invoice_credited")
    assert (credited["date"], credited["ref"], credited["amount"], credited["vat"],
            credited["total"], credited["reason"], credited["clauses"]) == (
        "2025-03-10", "upheld-0001", "3000.00", "630.00", "3630.00", "dispute_upheld", ["6.6"])
    settled = one(result, "upheld", "payment_applied")
    assert (settled["amount"], settled["reference"]) == ("3630.00", "credit-note upheld-0001")
    assert balance(result, "upheld") == {
        "contract": "upheld", "principal": "0.00", "fees": "0.00", "interest": "0.00",
        "total": "0.00", "credit": "0.00", "currency": "EUR"}
    part = one(result, "part", "invoice_credited")
    assert (part["amount"], part["vat"], part["total"]) == ("1000.00", "210.00", "1210.00")
    assert result.states["part"].item("part-0001").open == Decimal("2420.00")
    assert [(a["date"], a["kind"]) for a in actions(result, "part")
            if a["kind"] in ("payment_notice_sent", "access_suspended")] == [
        ("2025-03-11", "payment_notice_sent"), ("2025-03-25", "access_suspended")]
    # a second dispute while held, a second decision after the first, and a dispute of an
    # invoice already decided (even inside the 30 days) are refused: it is credited once,
    # "twice": 100.00 + 21 % = 121.00
    assert [(a["date"], a["reason"]) for a in actions(result, "twice", "event_refused")] == [
        ("2025-01-20", "the dispute of invoice twice-0001 was decided on 2025-01-15")]
    assert [a["total"] for a in actions(result, "twice", "invoice_credited")] == ["121.00"]
    assert [(a["date"], a["reason"]) for a in actions(result, "upheld", "event_refused")] == [
        ("2025-01-25", "invoice upheld-0001 is already disputed and on hold")]
    assert [(a["date"], a["reason"]) for a in actions(result, "part", "event_refused")] == [
        ("2025-01-28", "invoice part-0001 is already disputed and on hold"),
        ("2025-03-11", "invoice part-0001 is not on hold: no dispute to resolve")]


def test_dispute_after_the_window_is_refused_and_changes_nothing() -> None:
    """6.6: a dispute on 2025-02-01, a day after the 30 days (2025-01-01 + 30 = 2025-01-31), is
    refused: the invoice is deemed accepted and not held. The ladder runs as undisputed
    (notice 2025-02-01, suspension 2025-02-15), and a later dispute_resolved is refused
    because nothing is on hold. Both owe 3630.00 and the interest from the due date to
    2025-06-30 (150 days at 11.15 %): 3630 x 0.1115 x 150/365 = 166.33, 3796.33 in all."""
    result = run(scenario("2025-06-30", [
        contract("plain", "2025-01-01", SUSPENDING), contract("late", "2025-01-01", SUSPENDING),
    ], [
        "{date: 2025-02-01, type: invoice_disputed, contract: late, ref: late-0001}",
        "{date: 2025-03-10, type: dispute_resolved, contract: late, ref: late-0001, "
        "outcome: upheld}",
    ]))
    refused = [(a["date"], a["event"], a["reason"]) for a in actions(result, "late",
                                                                     "event_refused")]
    assert refused == [
        ("2025-02-01", "invoice_disputed", "deemed accepted: the dispute window ended 2025-01-31"),
        ("2025-03-10", "dispute_resolved",
         "invoice late-0001 is not on hold: no dispute to resolve")]
    assert [a for a in kinds(result, "late") if a != "event_refused"] == kinds(result, "plain")
    assert balance(result, "late")["total"] == balance(result, "plain")["total"] == "3796.33"
    assert not result.states["late"].item("late-0001").on_hold


# --- 14.2 / 14.3: notices ---------------------------------------------------------------

def test_customer_notice_on_the_deadline_ends_the_term() -> None:
    """14.2/14.3, 6.7: term 2025-01-01..2025-12-31, deadline 2025-12-31 - 2 months = 2025-10-31
    (catalogue example). A notice sent that day ends the contract on 2025-12-31; no refund, no
    renewal and no invoice for 2026."""
    result = run(scenario("2026-03-31", [contract("ontime", "2025-01-01")], [
        "{date: 2025-10-31, type: termination_notice, contract: ontime, by: customer}",
    ]))
    notice = one(result, "ontime", "termination_notice_received")
    assert (notice["date"], notice["effective_date"], notice["by"]) == (
        "2025-10-31", "2025-12-31", "customer")
    assert notice["clauses"] == ["14.2", "14.3"]
    ended = one(result, "ontime", "contract_terminated")
    assert (ended["date"], ended["effective_date"], ended["reason"]) == (
        "2025-12-31", "2025-12-31", "notice")
    assert ended["clauses"] == ["14.2", "14.3", "6.7"]
    assert "contract_renewed" not in kinds(result, "ontime")
    assert [i["date"] for i in actions(result, "ontime", "invoice_issued")] == ["2025-01-01"]
    assert "credit_recorded" not in kinds(result, "ontime")


def test_customer_notice_a_day_late_renews_for_a_year() -> None:
    """14.2, 14.1: a notice on 2025-11-01 misses the 2025-10-31 deadline; the contract renews
    tacitly for 2026-01-01..2026-12-31 (invoiced) and ends on 2026-12-31, whose deadline
    2026-12-31 - 2 months = 2026-10-31 the notice meets."""
    result = run(scenario("2027-03-31", [contract("late", "2025-01-01")], [
        "{date: 2025-11-01, type: termination_notice, contract: late, by: customer}",
    ]))
    notice = one(result, "late", "termination_notice_received")
    assert notice["effective_date"] == "2026-12-31"
    renewed = one(result, "late", "contract_renewed")
    assert (renewed["date"], renewed["term_end"]) == ("2026-01-01", "2026-12-31")
    assert [i["date"] for i in actions(result, "late", "invoice_issued")] == [
        "2025-01-01", "2026-01-01"]
    ended = one(result, "late", "contract_terminated")
    assert ended["effective_date"] == "2026-12-31"


def test_provider_notice_takes_effect_at_the_end_of_the_term() -> None:
    """14.2, 15.22: SmartTrackers' own notice, effective when sent, ends the contract only at the
    end of the term. Sent 2025-06-16 (before the 2025-10-31 deadline): last day 2025-12-31."""
    result = run(scenario("2026-01-31", [contract("prov", "2025-01-01")], [
        "{date: 2025-06-16, type: termination_notice, contract: prov, by: provider}",
    ]))
    notice = one(result, "prov", "termination_notice_received")
    assert (notice["date"], notice["by"], notice["effective_date"]) == (
        "2025-06-16", "provider", "2025-12-31")
    assert notice["clauses"] == ["14.2", "14.3", "15.22"]
    ended = one(result, "prov", "contract_terminated")
    assert (ended["effective_date"], ended["reason"]) == ("2025-12-31", "provider_notice")
    assert ended["clauses"] == ["14.2", "14.3", "15.22", "6.7"]
    assert "contract_renewed" not in kinds(result, "prov")


def test_three_year_renewal_lock_defers_the_end() -> None:
    """14.1 (renewal locked for three years, term.renewal = 36 months), 14.2: initial term
    2025-01-01..2025-12-31; renewal 2026-01-01 + 36 months - 1 day = 2028-12-31. A notice on
    2025-11-01 misses the first deadline (2025-10-31) and ends the locked term: 2028-12-31
    (deadline 2028-10-31). Yearly invoices 2025..2028, none for 2029."""
    result = run(scenario("2029-03-31", [contract("locked", "2025-01-01",
                                                  '{"term.renewal": "36 months"}')], [
        "{date: 2025-11-01, type: termination_notice, contract: locked, by: customer}",
    ]))
    renewed = actions(result, "locked", "contract_renewed")
    assert [(r["date"], r["term_start"], r["term_end"]) for r in renewed] == [
        ("2026-01-01", "2026-01-01", "2028-12-31")]
    assert one(result, "locked", "termination_notice_received")["effective_date"] == "2028-12-31"
    assert one(result, "locked", "contract_terminated")["effective_date"] == "2028-12-31"
    assert [i["date"] for i in actions(result, "locked", "invoice_issued")] == [
        "2025-01-01", "2026-01-01", "2027-01-01", "2028-01-01"]


# --- 6.8 / 6.9: arrears ------------------------------------------------------------------

def test_never_payer_gets_no_reminders_and_compounding_statutory_interest() -> None:
    """6.8: no reminders, no fees, statutory interest (art. 6:119a BW) from the due date,
    compounded after a full year; 14.4: non-payment does not end the contract (it renews).

    Invoice 1: 3630.00 (3000.00 + VAT) issued 2025-01-01, due 2025-01-31, unpaid until 2026-06-30.
      year 1 (2025-01-31 .. 2026-01-31):
        2025-01-31 -> 2025-07-01: 151 days at 11.15 %: 3630 x 0.1115 x 151/365 = 167.442452
        2025-07-01 -> 2026-01-01: 184 days at 10.15 %: 3630 x 0.1015 x 184/365 = 185.736658
        2026-01-01 -> 2026-01-31:  30 days at 10.15 %: 3630 x 0.1015 x  30/365 =  30.283151
        year-1 interest 383.462260 is added to the principal: 4013.462260
      2026-01-31 -> 2026-06-30: 150 days at 10.15 %: 4013.462260 x 0.1015 x 150/365 = 167.410857
      invoice 1: 383.462260 + 167.410857 = 550.873118 -> 550.87
    Invoice 2 (renewal year): 3630.00 issued 2026-01-01, due 2026-01-31:
      2026-01-31 -> 2026-06-30: 150 days at 10.15 %: 3630 x 0.1015 x 150/365 = 151.415753 -> 151.42
    Balance interest 550.87 + 151.42 = 702.29; principal 2 x 3630.00 = 7260.00.
    """
    result = run(scenario("2026-06-30", [contract("never", "2025-01-01")]))
    assert kinds(result, "never") == [
        "contract_started", "invoice_issued", "contract_renewed", "invoice_issued"]
    assert balance(result, "never") == {
        "contract": "never", "principal": "7260.00", "fees": "0.00", "interest": "702.29",
        "total": "7962.29", "credit": "0.00", "currency": "EUR"}


def test_late_payer_is_charged_statutory_interest_on_payment() -> None:
    """6.8: interest charged when the late invoice is settled.

    late: 3630.00 (3000.00 + VAT) issued 2025-03-01, due 2025-03-31, paid 2025-09-15:
      2025-03-31 -> 2025-07-01: 92 days at 11.15 %: 3630 x 0.1115 x 92/365 = 102.017918
      2025-07-01 -> 2025-09-15: 76 days at 10.15 %: 3630 x 0.1015 x 76/365 = 76.717315
      178.735233 -> 178.74
    chunks: same invoice, 1210.00 paid 2025-04-30 and 2420.00 paid 2025-09-15:
      1210 x 0.1115 x 30/365 = 11.088904 (2025-03-31 -> 2025-04-30)
      2420 x 0.1115 x 92/365 = 68.011945; 2420 x 0.1015 x 76/365 = 51.144877
      130.245726 -> 130.25
    """
    result = run(scenario("2025-12-31", [
        contract("late", "2025-03-01"), contract("chunks", "2025-03-01")], [
        "{date: 2025-09-15, type: payment, contract: late, amount: '3630.00'}",
        "{date: 2025-04-30, type: payment, contract: chunks, amount: '1210.00'}",
        "{date: 2025-09-15, type: payment, contract: chunks, amount: '2420.00'}",
    ]))
    charged = one(result, "late", "interest_charged")
    assert (charged["date"], charged["amount"], charged["invoice"], charged["ref"]) == (
        "2025-09-15", "178.74", "late-0001", "late-0001-INT")
    assert charged["clauses"] == ["6.8"]
    assert "provisional_rate" not in charged
    assert "reminder_sent" not in kinds(result, "late")
    assert balance(result, "late")["interest"] == "178.74"
    assert balance(result, "late")["principal"] == "0.00"
    chunked = one(result, "chunks", "interest_charged")
    assert (chunked["date"], chunked["amount"]) == ("2025-09-15", "130.25")


def test_interest_past_the_rate_table_is_provisional() -> None:
    """6.8 with a rate carried forward: 3630.00 (3000.00 + VAT) issued 2026-05-01, due
    2026-05-31, paid 2026-08-30: 91 days at 10.15 % (the 2026-01-01 rate, carried forward after
    2026-06-30): 3630 x 0.1015 x 91/365 = 91.858890 -> 91.86. July and August 2026 bear a
    carried-forward rate, so the charge is marked provisional."""
    result = run(scenario("2026-09-30", [contract("prov", "2026-05-01")], [
        "{date: 2026-08-30, type: payment, contract: prov, amount: '3630.00'}",
    ]))
    charged = one(result, "prov", "interest_charged")
    assert (charged["date"], charged["amount"]) == ("2026-08-30", "91.86")
    assert charged.get("provisional_rate") is True


def test_suspension_only_when_switched_on_and_lifted_on_payment() -> None:
    """6.9: suspension needs written notice after a weighing of interests: off by default.

    Invoice 3630.00 (3000.00 + VAT) issued 2025-01-01, due 2025-01-31.
    switched: notice on 2025-01-31 + 1 day = 2025-02-01; suspension 14 days after the notice:
        2025-02-15; payment of the principal on 2025-03-10 restores access the same day and is
        charged interest 2025-01-31 -> 2025-03-10, 38 days at 11.15 %:
        3630 x 0.1115 x 38/365 = 42.137836 -> 42.14.
    default: neither notice nor suspension. only_suspension: without the written notice there
    is no suspension.
    """
    both = ('{"dunning.steps.suspension_notice.enabled": true, '
            '"dunning.steps.suspension.enabled": true}')
    result = run(scenario("2025-06-30", [
        contract("switched", "2025-01-01", both),
        contract("default", "2025-01-01"),
        contract("only_suspension", "2025-01-01", '{"dunning.steps.suspension.enabled": true}'),
    ], [
        "{date: 2025-03-10, type: payment, contract: switched, amount: '3630.00'}",
    ]))
    notice = one(result, "switched", "payment_notice_sent")
    assert (notice["date"], notice["clauses"]) == ("2025-02-01", ["6.9"])
    suspended = one(result, "switched", "access_suspended")
    assert (suspended["date"], suspended["ref"], suspended["clauses"]) == (
        "2025-02-15", "switched-0001", ["6.9"])
    restored = one(result, "switched", "access_restored")
    assert (restored["date"], restored["clauses"]) == ("2025-03-10", ["6.9"])
    assert one(result, "switched", "interest_charged")["amount"] == "42.14"
    assert result.states["switched"].access == "full"
    for cid in ("default", "only_suspension"):
        assert kinds(result, cid) == ["contract_started", "invoice_issued"]
        assert result.states[cid].access == "full"


# --- 14.4 / 14.5: dissolution ----------------------------------------------------------------

def test_dissolution_on_insolvency_is_immediate_and_not_retroactive() -> None:
    """14.4: dissolution with immediate effect when the customer is declared bankrupt;
    14.5: not retroactive, the unpaid 2025 invoice stays due and keeps bearing interest;
    15.17: data deleted 2025-06-15 + 7 days, lapsed = 2025-06-23.

    Interest to 2025-07-31 on 3630.00 (3000.00 + VAT) due 2025-01-31:
      2025-01-31 -> 2025-07-01: 151 days at 11.15 %: 3630 x 0.1115 x 151/365 = 167.442452
      2025-07-01 -> 2025-07-31:  30 days at 10.15 %: 3630 x 0.1015 x 30/365 = 30.283151
      197.725603 -> 197.73
    """
    result = run(scenario("2025-07-31", [contract("bankrupt", "2025-01-01")], [
        "{date: 2025-06-15, type: provider_termination, contract: bankrupt, "
        "reason: customer declared bankrupt (14.4 a)}",
    ]))
    ended = one(result, "bankrupt", "contract_terminated")
    assert (ended["date"], ended["effective_date"], ended["detail"]) == (
        "2025-06-15", "2025-06-15", "customer declared bankrupt (14.4 a)")
    assert ended["clauses"] == ["14.4"]
    scheduled = one(result, "bankrupt", "data_deletion_scheduled")
    assert scheduled["delete_on"] == "2025-06-23"
    deleted = one(result, "bankrupt", "data_deleted")
    assert (deleted["date"], deleted["basis"]) == ("2025-06-23", "retention_period_ended")
    assert balance(result, "bankrupt") == {
        "contract": "bankrupt", "principal": "3630.00", "fees": "0.00", "interest": "197.73",
        "total": "3827.73", "credit": "0.00", "currency": "EUR"}


# --- 14.6, 15.17, DPA 9.2: data ----------------------------------------------------------

def test_data_deleted_eight_days_after_termination_without_request() -> None:
    """14.6: no access after the last day; 15.17: the one-off delivery must be asked for
    'immediately' (7-day window: 2025-12-31 + 7 = 2026-01-07), then the data is deleted without
    notice on 2026-01-08. An export asked on 2026-01-05 is delivered; one on 2026-01-09 is
    refused (data deleted)."""
    result = run(scenario("2026-01-31", [contract("gone", "2025-01-01"),
                                          contract("quiet", "2025-01-01")], [
        "{date: 2025-10-01, type: termination_notice, contract: gone, by: customer}",
        "{date: 2025-10-01, type: termination_notice, contract: quiet, by: customer}",
        "{date: 2026-01-05, type: data_instruction, contract: gone, instruction: export}",
        "{date: 2026-01-09, type: data_instruction, contract: gone, instruction: export}",
    ]))
    for cid in ("gone", "quiet"):
        ended = one(result, cid, "contract_terminated")
        assert (ended["effective_date"], ended["export_until"]) == ("2025-12-31", "2026-01-07")
        scheduled = one(result, cid, "data_deletion_scheduled")
        assert (scheduled["date"], scheduled["delete_on"], scheduled["clauses"]) == (
            "2025-12-31", "2026-01-08", ["15.17"])
        deleted = one(result, cid, "data_deleted")
        assert (deleted["date"], deleted["basis"], deleted["clauses"]) == (
            "2026-01-08", "retention_period_ended", ["15.17"])
        assert result.states[cid].access == "none"
    export = one(result, "gone", "data_export_requested")
    assert (export["date"], export["deliver_by"], export["clauses"]) == (
        "2026-01-05", "2026-01-05", ["15.17", "14.6"])
    refused = one(result, "gone", "event_refused")
    assert (refused["date"], refused["event"], refused["reason"]) == (
        "2026-01-09", "data_instruction", "data already deleted")


def test_deletion_on_the_customers_instruction() -> None:
    """DPA 9.2, 15.17: the customer instructs deletion. Before the end (2025-12-01) the data is
    deleted on the last day, 2025-12-31, and nothing is scheduled; after the end (2026-01-03,
    inside the 7-day window) it is deleted that day instead of on 2026-01-08."""
    result = run(scenario("2026-01-31", [contract("before", "2025-01-01"),
                                          contract("after", "2025-01-01")], [
        "{date: 2025-10-31, type: termination_notice, contract: before, by: customer}",
        "{date: 2025-10-31, type: termination_notice, contract: after, by: customer}",
        "{date: 2025-12-01, type: data_instruction, contract: before, instruction: delete}",
        "{date: 2026-01-03, type: data_instruction, contract: after, instruction: delete}",
    ]))
    instructed = one(result, "before", "data_deletion_instructed")
    assert (instructed["date"], instructed["clauses"]) == ("2025-12-01", ["15.17", "DPA-9.2"])
    deleted = one(result, "before", "data_deleted")
    assert (deleted["date"], deleted["basis"], deleted["clauses"]) == (
        "2025-12-31", "customer_instruction", ["15.17", "DPA-9.2"])
    assert "data_deletion_scheduled" not in kinds(result, "before")
    later = one(result, "after", "data_deleted")
    assert (later["date"], later["basis"]) == ("2026-01-03", "customer_instruction")
    assert one(result, "after", "data_deletion_scheduled")["delete_on"] == "2026-01-08"


# --- 16.1: metadata ------------------------------------------------------------------------

def test_governing_law_and_venue_metadata() -> None:
    """16.1: Dutch law; the competent court in the district of SmartTrackers' registered office;
    EUR (6.2); version 'Versie 7 December 2023'."""
    policy = load_pack("smarttrackers")
    assert policy.source.governing_law == "NL"
    assert policy.source.venue == (
        "competent court in the district of SmartTrackers' registered office")
    assert policy.source.law_clause == ("16.1",)
    assert policy.source.version == "7 December 2023"
    assert policy.source.provider == "SmartTrackers B.V."
    assert (policy.currency, policy.timezone, policy.calendar) == ("EUR", "Europe/Amsterdam", "NL")
    assert policy.trial.offered is False
    assert policy.provider_termination.enabled is True
