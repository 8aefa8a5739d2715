"""SuperOffice CRM Online (seed 003, Dutch): scenario tests, every figure computed by hand.

Common contract unless a test says otherwise: Contractdatum 2027-02-10 (a Wednesday), one line
"CRM Online" of 5 users at EUR 40.00 per user per month. Annual Factuurperiode (pack default):
12 x 5 x 40.00 = 2400.00 per invoice; monthly: 5 x 40.00 = 200.00.
The payment term is the pack's 30 days from the invoice date (the contract states none).
The receivable is the document (issue 17): the seller is Norwegian (the pack's governing law)
and the buyer has no VAT number, so `tax.categories` gives category S at the Norwegian 25 %:
an annual invoice is open at 2400.00 + 600.00 = 3000.00, and that is what a payer pays.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from scenario_helpers import actions, balance, kinds, one, run
from termline.domain.engine.deadlines import deadlines
from termline.domain.policy import load_pack


def scenario(*, start: str = "2027-02-10", until: str = "2027-12-31", extra: str = "",
             events: str = "", users: int = 5, cid: str = "acme") -> str:
    """One contract; `extra` is indented contract fields, `events` the events list body."""
    text = f"""
policy: superoffice
until: {until}
contracts:
  - id: {cid}
    customer: {{name: Acme B.V., country: NL, email: billing@acme.example}}
    start: {start}
{extra}    lines:
      - {{item: CRM Online, unit_price: "40.00", per: month, quantity: {users}}}
events:
{events or "  []"}
"""
    return text.replace("events:\n  []", "events: []")


def invoices(result, cid: str = "acme", kind: str | None = None) -> list[dict]:
    return [a for a in actions(result, cid, "invoice_issued")
            if kind is None or a["invoice_kind"] == kind]


# --- term, first invoice, notice deadline (1.2, 2, 11.1 ¶2, 13) ----------------------------

def test_annual_contract_stub_free_first_invoice_and_initial_term() -> None:
    """1.2 / 11.1 ¶2: Contractdatum 2027-02-10; the first Factuurperiode starts at the next month
    change, 2027-03-01; the stub 02-10..02-28 is free; the initial 12 months are counted from
    2027-03-01 and end 2028-02-29 (2028 is a leap year); 13 ¶1: notice deadline 30 days before:
    2028-02-29 - 29 days = 2028-01-31, - 1 more = 2028-01-30."""
    result = run(scenario())
    started = one(result, "acme", "contract_started")
    assert started["date"] == "2027-02-10"
    assert started["term_start"] == "2027-02-10"
    assert started["term_end"] == "2028-02-29"
    assert started["clauses"] == ["1.2", "1", "2", "11.1"]
    inv = one(result, "acme", "invoice_issued")
    # 12 months x 5 users x 40.00 = 2400.00; due 2027-03-01 + 30 days = 2027-03-31.
    assert inv["date"] == "2027-03-01"
    assert (inv["period_start"], inv["period_end"]) == ("2027-03-01", "2028-02-29")
    assert inv["amount"] == "2400.00"
    assert inv["currency"] == "EUR"
    assert inv["due_date"] == "2027-03-31"
    assert inv["clauses"] == ["11.1"]
    found = {d.kind: d for d in deadlines(result.states["acme"], result.contexts["acme"],
                                          date(2027, 3, 1))}
    assert found["notice_deadline"].date == date(2028, 1, 30)
    assert found["notice_deadline"].detail["term_end"] == "2028-02-29"
    assert found["notice_deadline"].clauses == ("13",)


def test_initial_term_from_the_contract_date_is_the_overridable_other_reading() -> None:
    """Ambiguity register #11, term.initial_anchor: start counts the 12 months from the
    Contractdatum: 2027-02-10 + 12 months - 1 day = 2028-02-09; deadline 2028-02-09 - 30 days =
    2028-01-10. The first invoice still covers 2027-03-01..2028-02-29 (11.1 ¶2)."""
    result = run(scenario(extra="    overrides: {term.initial_anchor: start}\n"))
    assert one(result, "acme", "contract_started")["term_end"] == "2028-02-09"
    found = {d.kind: d for d in deadlines(result.states["acme"], result.contexts["acme"],
                                          date(2027, 3, 1))}
    assert found["notice_deadline"].date == date(2028, 1, 10)


def test_notice_on_the_deadline_ends_the_initial_period_for_either_party() -> None:
    """13 ¶1: either party; notice sent on 2028-01-30 (= 2028-02-29 - 30 days, inclusive) ends
    the Contract on 2028-02-29; no invoice for 2028-03-01; the period stays paid (no refund)."""
    for by in ("customer", "provider"):
        result = run(scenario(until="2028-06-30", events=(
            f"  - {{date: 2028-01-30, type: termination_notice, contract: acme, by: {by}}}")))
        notice = one(result, "acme", "termination_notice_received")
        assert notice["effective_date"] == "2028-02-29", by
        assert notice["clauses"] == ["13"]
        ended = one(result, "acme", "contract_terminated")
        assert (ended["date"], ended["reason"]) == ("2028-02-29",
                                                    "notice" if by == "customer"
                                                    else "provider_notice")
        assert ended["clauses"] == ["13"]
        assert [i["date"] for i in invoices(result)] == ["2027-03-01"]
        assert "contract_renewed" not in kinds(result, "acme")


def test_late_notice_renews_for_one_invoice_period() -> None:
    """13 ¶2: a notice sent 2028-01-31 misses the 2028-01-30 deadline; the Contract renews for
    one Factuurperiode (12 months: 2028-03-01..2029-02-28) and ends 2029-02-28
    (deadline 2029-02-28 - 30 days = 2029-01-29 >= 2028-01-31)."""
    result = run(scenario(until="2029-06-30", events=(
        "  - {date: 2028-01-31, type: termination_notice, contract: acme, by: customer}")))
    assert one(result, "acme", "termination_notice_received")["effective_date"] == "2029-02-28"
    renewed = one(result, "acme", "contract_renewed")
    assert (renewed["date"], renewed["term_start"], renewed["term_end"]) == (
        "2028-03-01", "2028-03-01", "2029-02-28")
    assert [(i["date"], i["period_end"], i["amount"]) for i in invoices(result)] == [
        ("2027-03-01", "2028-02-29", "2400.00"), ("2028-03-01", "2029-02-28", "2400.00")]
    assert one(result, "acme", "contract_terminated")["effective_date"] == "2029-02-28"


def test_late_notice_with_monthly_billing_renews_for_one_month() -> None:
    """13 ¶2 with a monthly Factuurperiode: initial period 2027-02-10..2028-02-29; a notice on
    2028-01-31 is late; the next Contractperiode is March 2028, deadline 2028-03-31 - 30 days =
    2028-03-01 >= 2028-01-31, so the Contract ends 2028-03-31 after one more 200.00 invoice."""
    result = run(scenario(until="2028-06-30", extra="    billing_period: 1 month\n", events=(
        "  - {date: 2028-01-31, type: termination_notice, contract: acme, by: customer}")))
    assert one(result, "acme", "termination_notice_received")["effective_date"] == "2028-03-31"
    issued = invoices(result)
    # March 2027 .. March 2028 = 13 monthly invoices of 5 x 40.00 = 200.00.
    assert len(issued) == 13
    assert issued[-1]["period_start"] == "2028-03-01"
    assert issued[-1]["amount"] == "200.00"
    assert one(result, "acme", "contract_terminated")["effective_date"] == "2028-03-31"


def test_monthly_late_notice_before_february_reaches_the_end_of_march() -> None:
    """13 ¶2 (reading in the pack's notes): monthly periods after the initial 12 months; a notice
    on 2029-01-30 misses January (deadline 2029-01-31 - 30 = 2029-01-01) and February
    (2029-02-28 - 30 = 2029-01-29), so it ends March 2029 (2029-03-31 - 30 = 2029-03-01)."""
    result = run(scenario(until="2029-06-30", extra="    billing_period: 1 month\n", events=(
        "  - {date: 2029-01-30, type: termination_notice, contract: acme, by: customer}")))
    assert one(result, "acme", "termination_notice_received")["effective_date"] == "2029-03-31"


def test_good_payer_renews_for_the_invoice_period() -> None:
    """2 and 1.2: evergreen; after the initial period (to 2028-02-29) the Contract renews for the
    annual Factuurperiode 2028-03-01..2029-02-28. Over 24 months (to 2029-02-10) two invoices of
    2400.00, both paid on time (due 2027-03-31 and 2028-03-31), no dunning."""
    result = run(scenario(until="2029-02-10", events=(
        "  - {date: 2027-03-15, type: payment, contract: acme, amount: \"3000.00\"}\n"
        "  - {date: 2028-03-15, type: payment, contract: acme, amount: \"3000.00\"}")))
    assert [(i["date"], i["period_start"], i["period_end"], i["amount"], i["due_date"])
            for i in invoices(result)] == [
        ("2027-03-01", "2027-03-01", "2028-02-29", "2400.00", "2027-03-31"),
        ("2028-03-01", "2028-03-01", "2029-02-28", "2400.00", "2028-03-31")]
    renewed = one(result, "acme", "contract_renewed")
    assert (renewed["date"], renewed["term_end"]) == ("2028-03-01", "2029-02-28")
    assert renewed["clauses"] == ["1.2", "2", "11.1"]
    assert not {"payment_notice_sent", "access_suspended", "contract_terminated"} & set(
        kinds(result, "acme"))
    assert balance(result, "acme")["total"] == "0.00"
    assert result.states["acme"].access == "full"


# --- non-payment (13 ¶3) -----------------------------------------------------------------

def test_never_payer_gets_payment_notice_then_suspension() -> None:
    """13 ¶3: invoice 2027-03-01 due 2027-03-31; payment notice 7 days after the due date:
    2027-04-07; login suspended 14 days after the notice: 2027-04-21. Immediate termination is
    off by default (no moment named), so the Contract runs on."""
    result = run(scenario())
    notice = one(result, "acme", "payment_notice_sent")
    assert (notice["date"], notice["ref"], notice["clauses"]) == ("2027-04-07", "acme-0001",
                                                                   ["13"])
    suspended = one(result, "acme", "access_suspended")
    assert (suspended["date"], suspended["clauses"]) == ("2027-04-21", ["13"])
    assert "contract_terminated" not in kinds(result, "acme")
    assert result.states["acme"].access == "suspended"
    assert balance(result, "acme")["principal"] == "3000.00"  # 2400.00 + 25 % VAT
    assert balance(result, "acme")["interest"] == "0.00"  # the contract states no interest


def test_payment_of_the_principal_restores_login() -> None:
    """13 ¶3: suspended on 2027-04-21; paying the 3000.00 on 2027-05-03 restores access the same
    day; no interest is charged (method none)."""
    result = run(scenario(events=(
        "  - {date: 2027-05-03, type: payment, contract: acme, amount: \"3000.00\"}")))
    assert one(result, "acme", "access_suspended")["date"] == "2027-04-21"
    restored = one(result, "acme", "access_restored")
    assert (restored["date"], restored["clauses"]) == ("2027-05-03", ["13"])
    assert "interest_charged" not in kinds(result, "acme")
    assert result.states["acme"].access == "full"


def test_non_payment_termination_when_switched_on() -> None:
    """13 ¶3 'onmiddellijk beëindigen', switched on per contract: the first day after the due
    date 2027-03-31 is 2027-04-01; 14 ¶1: export portal until 2027-04-01 + 30 = 2027-05-01,
    data deleted 2027-05-01. The suspension (2027-04-21) no longer applies."""
    result = run(scenario(extra=(
        "    overrides: {dunning.steps.termination.enabled: true}\n")))
    ended = one(result, "acme", "contract_terminated")
    assert (ended["date"], ended["reason"], ended["ref"]) == ("2027-04-01", "breach", "acme-0001")
    assert ended["clauses"] == ["13"]
    assert ended["export_until"] == "2027-05-01"
    assert one(result, "acme", "data_deletion_scheduled")["delete_on"] == "2027-05-01"
    assert one(result, "acme", "data_deleted")["date"] == "2027-05-01"
    assert "access_suspended" not in kinds(result, "acme")


def test_statutory_interest_can_be_switched_on() -> None:
    """19 + overridable `interest`: Norwegian statutory rate 12.00 % from 2026-01-01. Invoice
    2026-03-01 (2400.00 + 25 % VAT = 3000.00, the amount due) due 2026-03-31, paid 2026-05-30:
    60 days late; 3000.00 x 12 % x 60 / 365 = 59.178... -> 59.18."""
    result = run(scenario(start="2026-02-10", until="2026-06-30", extra=(
        "    overrides: {interest.method: statutory, interest.jurisdiction: \"NO\"}\n"),
        events="  - {date: 2026-05-30, type: payment, contract: acme, amount: \"3000.00\"}"))
    charged = one(result, "acme", "interest_charged")
    assert (charged["date"], charged["amount"], charged["clauses"]) == ("2026-05-30", "59.18",
                                                                        ["13", "19"])
    assert "provisional_rate" not in charged


# --- seats (11.1 ¶1, 12) -------------------------------------------------------------------

def test_monthly_seat_increase_is_invoiced_pro_rata() -> None:
    """11.1 ¶1 / 12 ¶1: monthly billing; 2 users added, confirmed 2027-03-10, in the period
    2027-03-01..03-31 (31 days): 03-10..03-31 = 22 days; 2 x 40.00 x 22/31 = 56.774 -> 56.77;
    from April the regular invoice counts 7 users: 7 x 40.00 = 280.00. An addition during the
    free stub (2027-02-20, before the first period) is billed by the first invoice only:
    6 x 40.00 = 240.00."""
    result = run(scenario(until="2027-04-30", extra="    billing_period: 1 month\n", events=(
        "  - {date: 2027-03-10, type: seat_change, contract: acme, item: CRM Online, "
        "quantity: 7}")))
    assert [(i["date"], i["invoice_kind"], i["period_start"], i["period_end"], i["amount"])
            for i in invoices(result)] == [
        ("2027-03-01", "subscription", "2027-03-01", "2027-03-31", "200.00"),
        ("2027-03-10", "proration", "2027-03-10", "2027-03-31", "56.77"),
        ("2027-04-01", "subscription", "2027-04-01", "2027-04-30", "280.00")]
    prorated = invoices(result, kind="proration")[0]
    assert prorated["clauses"] == ["11.1", "12"]
    assert prorated["due_date"] == "2027-04-09"  # 2027-03-10 + 30 days

    stub = run(scenario(until="2027-03-31", extra="    billing_period: 1 month\n", events=(
        "  - {date: 2027-02-20, type: seat_change, contract: acme, item: CRM Online, "
        "quantity: 6}")))
    assert [(i["date"], i["amount"]) for i in invoices(stub)] == [("2027-03-01", "240.00")]


def test_seat_reduction_catalogue_example_takes_effect_on_1_july() -> None:
    """12 ¶2, catalogue example: monthly billing, reduction from 7 to 4 users sent and received
    2025-05-05; May deadline 2025-05-31 - 30 = 2025-05-01 (missed), June deadline
    2025-06-30 - 30 = 2025-05-31 (met): 4 users from 2025-07-01. June is still 7 x 40.00 =
    280.00, July 4 x 40.00 = 160.00. A notice on 2025-05-01 (May deadline, inclusive) takes
    effect 2025-06-01."""
    late = run(scenario(start="2025-01-15", until="2025-07-31", users=7,
                        extra="    billing_period: 1 month\n", events=(
        "  - {date: 2025-05-05, type: seat_change, contract: acme, item: CRM Online, "
        "quantity: 4}")))
    scheduled = one(late, "acme", "seat_reduction_scheduled")
    assert (scheduled["effective_date"], scheduled["clauses"]) == ("2025-07-01", ["11.1", "12"])
    changed = one(late, "acme", "seats_changed")
    assert (changed["date"], changed["previous"], changed["quantity"]) == ("2025-07-01", 7, 4)
    amounts = {i["period_start"]: i["amount"] for i in invoices(late)}
    assert amounts["2025-06-01"] == "280.00"
    assert amounts["2025-07-01"] == "160.00"

    on_time = run(scenario(start="2025-01-15", until="2025-06-30", users=7,
                           extra="    billing_period: 1 month\n", events=(
        "  - {date: 2025-05-01, type: seat_change, contract: acme, item: CRM Online, "
        "quantity: 4}")))
    assert one(on_time, "acme", "seat_reduction_scheduled")["effective_date"] == "2025-06-01"
    assert {i["period_start"]: i["amount"] for i in invoices(on_time)}["2025-06-01"] == "160.00"


# --- trial (1.1) -------------------------------------------------------------------------

def test_trial_lapse_terminates_and_deletes_data() -> None:
    """1.1 ¶2: a 30-day trial from 2027-01-04 runs to 2027-01-04 + 29 = 2027-02-02; without a
    purchase it ends that day and the trial data is permanently deleted; nothing is invoiced
    (1.1 ¶1 free)."""
    trial = "    trial_days: 30\n"
    result = run(scenario(start="2027-01-04", until="2027-04-30", extra=trial))
    assert one(result, "acme", "trial_started")["trial_end"] == "2027-02-02"
    ended = one(result, "acme", "trial_ended")
    assert (ended["date"], ended["converted"], ended["clauses"]) == ("2027-02-02", False, ["1.1"])
    stop = one(result, "acme", "contract_terminated")
    assert (stop["date"], stop["reason"]) == ("2027-02-02", "trial_expired")
    deleted = one(result, "acme", "data_deleted")
    assert (deleted["date"], deleted["basis"]) == ("2027-02-02", "trial_expired")
    assert invoices(result) == []


def test_trial_conversion_keeps_data_and_bills_from_the_next_month_change() -> None:
    """1.1 ¶1-2: purchase on 2027-01-20 during a trial (2027-01-04..02-02); the data is kept
    (default); the purchase day is the Contractdatum, so the first annual Factuurperiode starts
    2027-02-01 (11.1 ¶2) and the initial period ends 2027-02-01 + 12 months - 1 = 2028-01-31.
    Nothing is charged before 2027-02-01: 2400.00 for 2027-02-01..2028-01-31."""
    result = run(scenario(start="2027-01-04", until="2027-03-31", extra="    trial_days: 30\n",
                          events="  - {date: 2027-01-20, type: trial_converted, contract: acme}"))
    ended = one(result, "acme", "trial_ended")
    assert (ended["date"], ended["converted"], ended["trial_data"]) == ("2027-01-20", True, "kept")
    assert "data_deleted" not in kinds(result, "acme")
    started = one(result, "acme", "contract_started")
    assert (started["date"], started["term_end"]) == ("2027-01-20", "2028-01-31")
    assert [(i["date"], i["period_end"], i["amount"]) for i in invoices(result)] == [
        ("2027-02-01", "2028-01-31", "2400.00")]


def test_trial_conversion_with_a_clean_database_discards_the_trial_data() -> None:
    """1.1 ¶2: the customer chose a new, clean database (trial.data_on_conversion: discard): the
    trial data is deleted on the purchase day 2027-01-20 and the paid Contract starts."""
    result = run(scenario(start="2027-01-04", until="2027-03-31", extra=(
        "    trial_days: 30\n    overrides: {trial.data_on_conversion: discard}\n"),
        events="  - {date: 2027-01-20, type: trial_converted, contract: acme}"))
    assert one(result, "acme", "trial_ended")["trial_data"] == "discarded"
    deleted = one(result, "acme", "data_deleted")
    assert (deleted["date"], deleted["basis"], deleted["clauses"]) == (
        "2027-01-20", "trial_data_discarded", ["1.1"])
    assert one(result, "acme", "contract_started")["date"] == "2027-01-20"
    assert result.states["acme"].status == "active"


# --- provider termination for breach of clause 3 (3 ¶5) --------------------------------------

def test_provider_termination_invoices_the_rest_of_the_initial_period() -> None:
    """3 ¶5: terminated for breach on 2027-02-20, during the free stub; the 'full current
    Contracttermijn' (initial period to 2028-02-29) stays payable: one acceleration invoice of
    12 x 5 x 40.00 = 2400.00 for 2027-03-01..2028-02-29, due 2027-02-20 + 30 = 2027-03-22.
    14 ¶1: export until 2027-02-20 + 30 = 2027-03-22."""
    result = run(scenario(until="2027-06-30", events=(
        "  - {date: 2027-02-20, type: provider_termination, contract: acme, "
        "reason: spam sent from the Application}")))
    inv = one(result, "acme", "invoice_issued")
    assert (inv["date"], inv["invoice_kind"], inv["amount"]) == ("2027-02-20", "acceleration",
                                                                 "2400.00")
    assert (inv["period_start"], inv["period_end"], inv["due_date"]) == (
        "2027-03-01", "2028-02-29", "2027-03-22")
    assert inv["clauses"] == ["3"]
    ended = one(result, "acme", "contract_terminated")
    assert (ended["date"], ended["reason"], ended["clauses"]) == ("2027-02-20", "breach", ["3"])
    assert ended["export_until"] == "2027-03-22"


def test_provider_termination_with_monthly_billing_invoices_each_remaining_month() -> None:
    """3 ¶5, monthly billing: terminated 2027-06-15; March-June 2027 are invoiced; the rest of
    the initial period (July 2027 - February 2028, 8 months) is invoiced on 2027-06-15:
    8 x 200.00 = 1600.00; with the 4 x 200.00 already invoiced the customer pays the whole
    initial period, 12 x 200.00 = 2400.00."""
    result = run(scenario(until="2027-06-30", extra="    billing_period: 1 month\n", events=(
        "  - {date: 2027-06-15, type: provider_termination, contract: acme, "
        "reason: competitor benchmarking}")))
    accel = invoices(result, kind="acceleration")
    assert [i["period_start"] for i in accel] == [
        "2027-07-01", "2027-08-01", "2027-09-01", "2027-10-01", "2027-11-01", "2027-12-01",
        "2028-01-01", "2028-02-01"]
    assert {i["date"] for i in accel} == {"2027-06-15"}
    assert {i["amount"] for i in accel} == {"200.00"}
    assert accel[-1]["period_end"] == "2028-02-29"
    assert sum(Decimal(i["amount"]) for i in accel) == Decimal("1600.00")
    assert sum(Decimal(i["amount"]) for i in invoices(result)) == Decimal("2400.00")


def test_provider_termination_after_the_first_year_accelerates_nothing() -> None:
    """3 ¶5 with 'Contracttermijn' read as the current Contractperiode: after the initial period
    the Contractperiode is the monthly Factuurperiode; terminated 2028-04-14, April 2028
    (invoiced 2028-04-01) is the current period, so nothing more is invoiced."""
    result = run(scenario(until="2028-05-31", extra="    billing_period: 1 month\n", events=(
        "  - {date: 2028-04-14, type: provider_termination, contract: acme, "
        "reason: unlawful material}")))
    assert invoices(result, kind="acceleration") == []
    assert invoices(result)[-1]["period_start"] == "2028-04-01"
    assert one(result, "acme", "contract_terminated")["date"] == "2028-04-14"


# --- data (14, 9.3 ¶4) ----------------------------------------------------------------------

def test_export_copy_is_due_three_lithuanian_business_days_after_the_request() -> None:
    """14 ¶1: request 2027-03-09 (Tuesday); 3 LT working days: Wed 03-10 (1), Thu 03-11 is the
    Lithuanian Restoration of Independence day, Fri 03-12 (2), Mon 03-15 (3) -> 2027-03-15.
    With the Norwegian calendar (override) 03-11 is a working day: 2027-03-12."""
    request = "  - {date: 2027-03-09, type: data_instruction, contract: acme, instruction: export}"
    result = run(scenario(until="2027-03-31", events=request))
    asked = one(result, "acme", "data_export_requested")
    assert (asked["deliver_by"], asked["clauses"]) == ("2027-03-15", ["14"])
    norway = run(scenario(until="2027-03-31", extra="    overrides: {calendar: \"NO\"}\n",
                          events=request))
    assert one(norway, "acme", "data_export_requested")["deliver_by"] == "2027-03-12"


def test_export_withheld_while_an_invoice_is_overdue() -> None:
    """14 ¶2: the 2400.00 invoice is due 2027-03-31. A request on the due date itself is served
    (Thu 04-01, Fri 04-02, Mon 04-05 -> 2027-04-05); on 2027-04-05 the invoice is overdue and
    the data is withheld; after payment on 2027-04-06 a request on 2027-04-07 is served
    (Thu 04-08, Fri 04-09, Mon 04-12 -> 2027-04-12)."""
    result = run(scenario(until="2027-04-30", events=(
        "  - {date: 2027-03-31, type: data_instruction, contract: acme, instruction: export}\n"
        "  - {date: 2027-04-05, type: data_instruction, contract: acme, instruction: export}\n"
        "  - {date: 2027-04-06, type: payment, contract: acme, amount: \"3000.00\"}\n"
        "  - {date: 2027-04-07, type: data_instruction, contract: acme, instruction: export}")))
    served = actions(result, "acme", "data_export_requested")
    assert [(a["date"], a["deliver_by"]) for a in served] == [
        ("2027-03-31", "2027-04-05"), ("2027-04-07", "2027-04-12")]
    refused = one(result, "acme", "event_refused")
    assert (refused["date"], refused["reason"], refused["clauses"]) == (
        "2027-04-05", "export withheld: overdue balance", ["14"])


def test_data_lifecycle_export_portal_and_deletion_after_30_days() -> None:
    """14 ¶1 (and 9.3 ¶4 read as these 30 days): notice 2027-06-01 ends the Contract 2028-02-29;
    export-only portal until 2028-02-29 + 30 days = 2028-03-30 (03-01 is day 1), all data deleted
    2028-03-30. A copy asked on Fri 2028-03-10 is due Mon 13, Tue 14, Wed 15 -> 2028-03-15. The
    contract gives no deletion on request; after deletion nothing can be exported."""
    result = run(scenario(until="2028-04-30", events=(
        "  - {date: 2027-03-15, type: payment, contract: acme, amount: \"3000.00\"}\n"
        "  - {date: 2027-06-01, type: termination_notice, contract: acme, by: customer}\n"
        "  - {date: 2028-03-10, type: data_instruction, contract: acme, instruction: export}\n"
        "  - {date: 2028-03-11, type: data_instruction, contract: acme, instruction: delete}\n"
        "  - {date: 2028-04-03, type: data_instruction, contract: acme, instruction: export}")))
    ended = one(result, "acme", "contract_terminated")
    assert (ended["date"], ended["export_until"]) == ("2028-02-29", "2028-03-30")
    scheduled = one(result, "acme", "data_deletion_scheduled")
    assert (scheduled["delete_on"], scheduled["clauses"]) == ("2028-03-30", ["14"])
    deleted = one(result, "acme", "data_deleted")
    assert (deleted["date"], deleted["basis"]) == ("2028-03-30", "retention_period_ended")
    assert one(result, "acme", "data_export_requested")["deliver_by"] == "2028-03-15"
    refused = actions(result, "acme", "event_refused")
    assert [(a["date"], a["reason"]) for a in refused] == [
        ("2028-03-11", "the terms give no deletion on request"),
        ("2028-04-03", "data already deleted")]
    assert "2028-03-01" not in [i["date"] for i in invoices(result)]


def test_access_follows_the_contract_state() -> None:
    """1 ¶1-2: access during the Contracttermijn (and the trial, 1.1 ¶1), none after a lapsed
    trial, export-only after termination (14 ¶1 portal, to 2028-03-30)."""
    trial = scenario(start="2027-01-04", extra="    trial_days: 30\n")
    assert run(trial, until=date(2027, 1, 10)).states["acme"].access == "full"
    assert run(trial, until=date(2027, 2, 3)).states["acme"].access == "none"
    paid = scenario(until="2028-03-15", events=(
        "  - {date: 2027-03-15, type: payment, contract: acme, amount: \"3000.00\"}\n"
        "  - {date: 2027-06-01, type: termination_notice, contract: acme, by: customer}"))
    # The Contract ends at the end of 2028-02-29: full access through 02-28, export-only after.
    assert run(paid, until=date(2028, 2, 28)).states["acme"].access == "full"
    assert run(paid, until=date(2028, 2, 29)).states["acme"].access == "export_only"
    assert run(paid, until=date(2028, 3, 15)).states["acme"].access == "export_only"


def test_access_ends_when_the_data_is_deleted() -> None:
    """14 ¶1: the export portal exists until the data is deleted at T+30 (2028-03-30); after the
    deletion there is nothing to access."""
    paid = scenario(until="2028-04-15", events=(
        "  - {date: 2027-03-15, type: payment, contract: acme, amount: \"3000.00\"}\n"
        "  - {date: 2027-06-01, type: termination_notice, contract: acme, by: customer}"))
    assert run(paid, until=date(2028, 3, 29)).states["acme"].access == "export_only"
    assert run(paid, until=date(2028, 4, 15)).states["acme"].access == "none"


# --- metadata (1 ¶3, 19) --------------------------------------------------------------------

def test_governing_law_and_terms_version_metadata() -> None:
    """1 ¶3: terms of 18 June 2015, in force from acceptance (the Contractdatum: the scenario
    start). 19: law of the contracting SuperOffice entity (no country named; the pack records
    NO), exclusive venue at SuperOffice's registered office."""
    pack = load_pack("superoffice")
    assert pack.source.version == "2015-06-18"
    assert pack.source.language == "nl"
    assert pack.source.governing_law == "NO"
    assert pack.source.venue == "ordinary courts at SuperOffice's registered office"
    assert pack.source.law_clause == ("19",)
    assert (pack.currency, pack.timezone, pack.calendar) == ("EUR", "Europe/Oslo", "LT")
    assert pack.start.anchor == "contract_date"
    assert one(run(scenario()), "acme", "contract_started")["date"] == "2027-02-10"
