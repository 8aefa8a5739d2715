"""Smartconnect NV (seed 000, Belgian law): scenarios with hand-computed dates and amounts.

Readings used (see the pack's notes): 12-month periods from the ordering date (10.1), billed
yearly in advance (8.1, 10.4), payment 30 days after the invoice (8.3, Belgian default), three
fee-free reminders 14 days apart from due + 14 days and suspension the day after reminder 3's
14-day window (8.4), Belgian statutory interest from the invoice date (8.5; 2026 rate 10.5 %),
data kept T+1..T+90 and deleted on T+91 (10.5), deleted on T+30 if an invoice is overdue (10.6).

The receivable is the document (issue 17): an invoice is open at its total including 21 %
Belgian VAT (customer in BE without a VAT number of another member state: category S), so a
year of 4 users at 45.00, 2160.00 net, is 2160.00 + 453.60 = 2613.60 to pay, and statutory
interest runs on the amount due including VAT (Law of 2 August 2002, art. 5; docs/readings.md).
"""

from __future__ import annotations

from scenario_helpers import actions, balance, kinds, one, run
from termline.domain.policy import load_pack

CUSTOMER = "{name: Contact NV, country: BE, email: billing@contact.example}"


def test_good_payer_two_years_invoices_and_renewal_10_1_8_1_8_3() -> None:
    """10.1 12-month periods from the ordering date, renewed; 8.1 price list; 8.3 due date; 1.3.

    Ordered 2026-03-15: period 1 = 2026-03-15 .. 2027-03-14, period 2 = 2027-03-15 .. 2028-03-14.
    Invoice = 45.00 x 4 users x 12 months = 2160.00, dated the period start (in advance, 10.4),
    due 30 days later: 2026-03-15 + 30 = 2026-04-14 (16 days to 31 Mar + 14), 2027-04-14.
    Paid on the due date itself: not late, no interest (8.5).
    """
    result = run(f"""
        policy: smartconnect
        until: 2028-03-14
        contracts:
          - id: good
            customer: {CUSTOMER}
            start: 2026-03-15
            lines:
              - {{item: Smartconnect Agent, unit_price: "45.00", per: month, quantity: 4}}
        events:
          - {{date: 2026-04-14, type: payment, contract: good, amount: "2613.60"}}
          - {{date: 2027-04-01, type: payment, contract: good, amount: "2613.60"}}
    """)
    started = one(result, "good", "contract_started")
    assert (started["date"], started["term_start"], started["term_end"]) == (
        "2026-03-15", "2026-03-15", "2027-03-14")
    assert started["clauses"] == ["10.1", "1.3"]
    renewed = one(result, "good", "contract_renewed")
    assert (renewed["date"], renewed["term_start"], renewed["term_end"]) == (
        "2027-03-15", "2027-03-15", "2028-03-14")
    assert "1.3" in renewed["clauses"] and "10.1" in renewed["clauses"]
    invoices = actions(result, "good", "invoice_issued")
    assert [(i["date"], i["amount"], i["due_date"], i["period_start"], i["period_end"])
            for i in invoices] == [
        ("2026-03-15", "2160.00", "2026-04-14", "2026-03-15", "2027-03-14"),
        ("2027-03-15", "2160.00", "2027-04-14", "2027-03-15", "2028-03-14"),
    ]
    assert invoices[0]["clauses"] == ["8.1", "10.4", "8.3"]
    assert kinds(result, "good").count("reminder_sent") == 0
    assert "interest_charged" not in kinds(result, "good")
    assert balance(result, "good") == {
        "contract": "good", "principal": "0.00", "fees": "0.00", "interest": "0.00",
        "total": "0.00", "credit": "0.00", "currency": "EUR"}


def test_renewal_length_unless_otherwise_agreed_10_1() -> None:
    """10.1 'renewed for successive periods of 12 months unless otherwise agreed': 24 agreed.

    Initial period 2026-03-15 .. 2027-03-14 (12 months), then 24 months each:
    2027-03-15 .. 2029-03-14, 2029-03-15 .. 2031-03-14.
    """
    result = run(f"""
        policy: smartconnect
        until: 2029-03-20
        contracts:
          - id: long
            customer: {CUSTOMER}
            start: 2026-03-15
            overrides: {{term.renewal: 24 months}}
            lines:
              - {{item: Smartconnect Agent, unit_price: "45.00", per: month, quantity: 1}}
    """)
    assert [(r["date"], r["term_end"]) for r in actions(result, "long", "contract_renewed")] == [
        ("2027-03-15", "2029-03-14"), ("2029-03-15", "2031-03-14")]


def test_billing_period_is_a_contract_parameter_8_1() -> None:
    """8.1 leaves the frequency to the price list or quote: quarterly billing agreed.

    45.00 x 4 users x 3 months = 540.00 on 01-15, 04-15, 07-15, 10-15; due +30 days:
    01-15 -> 02-14 (16 + 14), 04-15 -> 05-15 (15 + 15), 07-15 -> 08-14 (16 + 14),
    10-15 -> 11-14 (16 + 14).
    """
    result = run(f"""
        policy: smartconnect
        until: 2026-12-31
        contracts:
          - id: quarterly
            customer: {CUSTOMER}
            start: 2026-01-15
            billing_period: 3 months
            lines:
              - {{item: Smartconnect Agent, unit_price: "45.00", per: month, quantity: 4}}
    """)
    assert [(i["date"], i["amount"], i["due_date"])
            for i in actions(result, "quarterly", "invoice_issued")] == [
        ("2026-01-15", "540.00", "2026-02-14"), ("2026-04-15", "540.00", "2026-05-15"),
        ("2026-07-15", "540.00", "2026-08-14"), ("2026-10-15", "540.00", "2026-11-14"),
    ]


def test_agreed_users_billed_and_added_users_prorated_2_2() -> None:
    """2.2 'the agreed number of users': 5 users billed, 2 more agreed on 2026-07-01.

    Year invoice 30.00 x 5 x 12 = 1800.00 on 2026-01-01, due 2026-01-31.
    Added users, pro rata to the end of the invoiced period (pack reading, no seat rule in the
    T&C): 30.00 x 2 x 12 = 720.00 x 184/365 (2026-07-01 .. 2026-12-31 = 31+31+30+31+30+31 days)
    = 362.958.. -> 362.96, due 2026-07-31. Renewal year: 30.00 x 7 x 12 = 2520.00.
    """
    result = run(f"""
        policy: smartconnect
        until: 2027-01-01
        contracts:
          - id: users
            customer: {CUSTOMER}
            start: 2026-01-01
            lines:
              - {{item: Smartconnect Agent, unit_price: "30.00", per: month, quantity: 5}}
        events:
          - {{date: 2026-07-01, type: seat_change, contract: users, item: Smartconnect Agent,
              quantity: 7}}
    """)
    invoices = actions(result, "users", "invoice_issued")
    assert [(i["date"], i["amount"], i["due_date"], i["invoice_kind"]) for i in invoices] == [
        ("2026-01-01", "1800.00", "2026-01-31", "subscription"),
        ("2026-07-01", "362.96", "2026-07-31", "proration"),
        ("2027-01-01", "2520.00", "2027-01-31", "subscription"),
    ]
    assert invoices[1]["clauses"] == ["2.2"]
    assert one(result, "users", "seats_changed")["quantity"] == 7


def test_never_payer_three_reminders_suspension_and_interest_8_4_8_5() -> None:
    """8.4 three reminders then suspension; 8.5 statutory interest from the invoice date.

    Invoice 50.00 x 1 x 12 = 600.00 on 2026-01-05, due +30 = 2026-02-04 (26 + 4).
    Reminder 1 = due + 14 = 2026-02-18; reminder 2 = +14 = 2026-03-04 (Feb 2026 has 28 days);
    reminder 3 = +14 = 2026-03-18; suspension = reminder 3 + 14 days run out + 1 = 2026-04-02.
    The open item is 600.00 + 21 % VAT = 726.00. Interest on 726.00 from 2026-01-05 to
    2026-06-30 = 26+28+31+30+31+30 = 176 days at the Belgian rate 10.5 % (from 2026-01-01):
    726 x 0.105 x 176 / 365 = 36.757.. -> 36.76.
    """
    result = run(f"""
        policy: smartconnect
        until: 2026-06-30
        contracts:
          - id: never
            customer: {CUSTOMER}
            start: 2026-01-05
            lines:
              - {{item: Smartconnect Agent, unit_price: "50.00", per: month, quantity: 1}}
    """)
    invoice = one(result, "never", "invoice_issued")
    assert (invoice["amount"], invoice["due_date"]) == ("600.00", "2026-02-04")
    reminders = actions(result, "never", "reminder_sent")
    assert [(r["date"], r["number"], r["fee"], r["ref"]) for r in reminders] == [
        ("2026-02-18", 1, "0.00", "never-0001"),
        ("2026-03-04", 2, "0.00", "never-0001"),
        ("2026-03-18", 3, "0.00", "never-0001"),
    ]
    assert all(r["clauses"] == ["8.4", "8.6"] for r in reminders)
    suspended = one(result, "never", "access_suspended")
    assert (suspended["date"], suspended["clauses"]) == ("2026-04-02", ["8.4"])
    assert result.states["never"].access == "suspended"
    assert balance(result, "never") == {
        "contract": "never", "principal": "726.00", "fees": "0.00", "interest": "36.76",
        "total": "762.76", "credit": "0.00", "currency": "EUR"}


def test_late_payer_interest_from_invoice_date_and_access_restored_8_5_8_4() -> None:
    """8.5 interest 'as of the invoice date' charged at settlement; 8.4 access restored on payment.

    Invoice 40.00 x 2 x 12 = 960.00 on 2026-02-02, due +30 = 2026-03-04 (26 + 4).
    Reminders 2026-03-18, 2026-04-01, 2026-04-15; suspension 2026-04-15 + 15 = 2026-04-30.
    Paid in full 2026-05-11: 960.00 + 21 % VAT = 1161.60. Days from invoice date: 26 (Feb) +
    31 + 30 + 11 = 98; 1161.60 x 0.105 x 98 / 365 = 32.747.. -> 32.75.
    With interest.accrues_from: due_date (the statutory reading): 27 (Mar) + 30 + 11 = 68 days;
    1161.60 x 0.105 x 68 / 365 = 22.722.. -> 22.72.
    """
    contract = """
          - id: {id}
            customer: {customer}
            start: 2026-02-02
            overrides: {overrides}
            lines:
              - {{item: Smartconnect Agent, unit_price: "40.00", per: month, quantity: 2}}"""
    result = run(f"""
        policy: smartconnect
        until: 2026-05-31
        contracts:{contract.format(id="late", customer=CUSTOMER, overrides="{}")}
{contract.format(id="statutory", customer=CUSTOMER,
                 overrides="{interest.accrues_from: due_date}")}
        events:
          - {{date: 2026-05-11, type: payment, contract: late, amount: "1161.60"}}
          - {{date: 2026-05-11, type: payment, contract: statutory, amount: "1161.60"}}
    """)
    assert [r["date"] for r in actions(result, "late", "reminder_sent")] == [
        "2026-03-18", "2026-04-01", "2026-04-15"]
    assert one(result, "late", "access_suspended")["date"] == "2026-04-30"
    charged = one(result, "late", "interest_charged")
    assert (charged["date"], charged["amount"], charged["invoice"], charged["clauses"]) == (
        "2026-05-11", "32.75", "late-0001", ["8.5"])
    assert "provisional_rate" not in charged  # every accrual day lies in H1 2026 (published)
    restored = one(result, "late", "access_restored")
    assert (restored["date"], restored["clauses"]) == ("2026-05-11", ["8.4"])
    assert result.states["late"].access == "full"
    assert balance(result, "late")["interest"] == "32.75"
    assert balance(result, "late")["principal"] == "0.00"
    assert one(result, "statutory", "interest_charged")["amount"] == "22.72"


def test_interest_past_the_published_half_year_is_provisional_8_5() -> None:
    """8.5: days after 2026-06-30 bear the carried-forward BE rate, so the charge is provisional.

    Invoice 100.00 x 1 x 12 = 1200.00 on 2026-05-04, due 2026-06-03, paid 2026-07-13.
    Days from the invoice date: 27 (May) + 30 (Jun) + 13 (Jul) = 70; the table has no rate after
    H1 2026, 10.5 % is carried forward: on the total 1200.00 + 21 % VAT = 1452.00,
    1452 x 0.105 x 70 / 365 = 29.238.. -> 29.24, and the
    13 July days use a carried-forward rate, so the action must say provisional_rate.
    """
    result = run(f"""
        policy: smartconnect
        until: 2026-07-31
        contracts:
          - id: july
            customer: {CUSTOMER}
            start: 2026-05-04
            lines:
              - {{item: Smartconnect Agent, unit_price: "100.00", per: month, quantity: 1}}
        events:
          - {{date: 2026-07-13, type: payment, contract: july, amount: "1452.00"}}
    """)
    charged = one(result, "july", "interest_charged")
    assert (charged["date"], charged["amount"]) == ("2026-07-13", "29.24")
    assert charged.get("provisional_rate") is True


def test_notice_on_deadline_ends_term_late_notice_ends_next_year_10_1() -> None:
    """10.1 notice 'no later than 3 months before the commencement of a new subscription period'.

    Ordered 2026-03-15: the new period starts 2027-03-15, deadline 2027-03-15 - 3 months =
    2026-12-15 (inclusive). Notice on 2026-12-15 ends the contract on 2027-03-14.
    Notice on 2026-12-16 is one day late: the contract renews on 2027-03-15 and ends 2028-03-14
    (its deadline 2027-12-15 is met). No refund on termination (10.4 cited).
    """
    contract = """
          - id: {id}
            customer: {customer}
            start: 2026-03-15
            lines:
              - {{item: Smartconnect Agent, unit_price: "45.00", per: month, quantity: 4}}"""
    result = run(f"""
        policy: smartconnect
        until: 2028-03-31
        contracts:{contract.format(id="ontime", customer=CUSTOMER)}
{contract.format(id="late", customer=CUSTOMER)}
        events:
          - {{date: 2026-03-20, type: payment, contract: ontime, amount: "2613.60"}}
          - {{date: 2026-03-20, type: payment, contract: late, amount: "2613.60"}}
          - {{date: 2027-03-20, type: payment, contract: late, amount: "2613.60"}}
          - {{date: 2026-12-15, type: termination_notice, contract: ontime, by: customer}}
          - {{date: 2026-12-16, type: termination_notice, contract: late, by: customer}}
    """)
    received = one(result, "ontime", "termination_notice_received")
    assert (received["date"], received["effective_date"], received["clauses"]) == (
        "2026-12-15", "2027-03-14", ["10.1"])
    ended = one(result, "ontime", "contract_terminated")
    assert (ended["date"], ended["effective_date"], ended["reason"], ended["clauses"]) == (
        "2027-03-14", "2027-03-14", "notice", ["10.1", "10.4"])
    assert "contract_renewed" not in kinds(result, "ontime")
    assert [i["date"] for i in actions(result, "ontime", "invoice_issued")] == ["2026-03-15"]

    assert one(result, "late", "termination_notice_received")["effective_date"] == "2028-03-14"
    renewed = one(result, "late", "contract_renewed")
    assert (renewed["date"], renewed["term_end"]) == ("2027-03-15", "2028-03-14")
    assert [i["date"] for i in actions(result, "late", "invoice_issued")] == [
        "2026-03-15", "2027-03-15"]
    assert one(result, "late", "contract_terminated")["effective_date"] == "2028-03-14"


def test_trial_lapses_terminated_and_deleted_without_invoice_9_1_9_2() -> None:
    """9.1 free trial (no fee); 9.2 not subscribed before expiry: access ends and data deleted.

    30-day trial from 2026-06-01 runs 06-01 .. 06-30 (1 + 29); at the end of 2026-06-30 the trial
    ends unconverted, the contract is terminated and the trial data deleted the same day.
    """
    result = run(f"""
        policy: smartconnect
        until: 2026-12-31
        contracts:
          - id: trial
            customer: {CUSTOMER}
            start: 2026-06-01
            trial_days: 30
            lines:
              - {{item: Smartconnect Agent, unit_price: "35.00", per: month, quantity: 3}}
    """)
    assert kinds(result, "trial") == [
        "trial_started", "trial_ended", "contract_terminated", "data_deleted"]
    assert one(result, "trial", "trial_started")["trial_end"] == "2026-06-30"
    ended = one(result, "trial", "trial_ended")
    assert (ended["date"], ended["converted"], ended["clauses"]) == (
        "2026-06-30", False, ["9.1", "9.2", "9.3"])
    terminated = one(result, "trial", "contract_terminated")
    assert (terminated["effective_date"], terminated["reason"]) == ("2026-06-30", "trial_expired")
    deleted = one(result, "trial", "data_deleted")
    assert (deleted["date"], deleted["basis"]) == ("2026-06-30", "trial_expired")
    assert result.states["trial"].access == "none"


def test_trial_converted_starts_paid_period_and_keeps_data_9_2_10_1() -> None:
    """9.2 subscribed before expiry: data kept, the 12-month period runs from the order (10.1).

    Trial 2026-06-01 .. 06-30, subscription ordered 2026-06-20: period 2026-06-20 .. 2027-06-19,
    invoice 35.00 x 3 x 12 = 1260.00 on 2026-06-20, due +30 = 2026-07-20 (10 + 20).
    """
    result = run(f"""
        policy: smartconnect
        until: 2026-12-31
        contracts:
          - id: convert
            customer: {CUSTOMER}
            start: 2026-06-01
            trial_days: 30
            lines:
              - {{item: Smartconnect Agent, unit_price: "35.00", per: month, quantity: 3}}
        events:
          - {{date: 2026-06-20, type: trial_converted, contract: convert}}
    """)
    ended = one(result, "convert", "trial_ended")
    assert (ended["date"], ended["converted"], ended["trial_data"]) == (
        "2026-06-20", True, "kept")
    started = one(result, "convert", "contract_started")
    assert (started["date"], started["term_start"], started["term_end"]) == (
        "2026-06-20", "2026-06-20", "2027-06-19")
    invoice = one(result, "convert", "invoice_issued")
    assert (invoice["date"], invoice["amount"], invoice["due_date"]) == (
        "2026-06-20", "1260.00", "2026-07-20")
    assert "data_deleted" not in kinds(result, "convert")
    assert "contract_terminated" not in kinds(result, "convert")


def test_data_kept_90_days_then_deleted_on_day_91_10_5() -> None:
    """10.5 data stored 'not less than 90 days calculated from the day after the termination'.

    Notice 2026-12-15 ends the contract T = 2027-03-14. Kept 2027-03-15 .. 2027-06-12 (90 days),
    deleted 2027-06-13 = T + 91 (17 to 31 Mar + 30 + 31 + 13). Fully paid: nothing happens at
    T + 30 (10.6 needs an unpaid invoice).
    """
    result = run(f"""
        policy: smartconnect
        until: 2027-06-30
        contracts:
          - id: kept
            customer: {CUSTOMER}
            start: 2026-03-15
            lines:
              - {{item: Smartconnect Agent, unit_price: "45.00", per: month, quantity: 4}}
        events:
          - {{date: 2026-03-20, type: payment, contract: kept, amount: "2613.60"}}
          - {{date: 2026-12-15, type: termination_notice, contract: kept, by: customer}}
    """)
    scheduled = one(result, "kept", "data_deletion_scheduled")
    assert (scheduled["date"], scheduled["delete_on"], scheduled["clauses"]) == (
        "2027-03-14", "2027-06-13", ["10.5"])
    deleted = one(result, "kept", "data_deleted")
    assert (deleted["date"], deleted["basis"], deleted["clauses"]) == (
        "2027-06-13", "retention_period_ended", ["10.5"])
    assert result.states["kept"].access == "none"


def test_data_deleted_on_customer_instruction_10_5() -> None:
    """10.5 'at the CUSTOMER's instruction ... delete the CUSTOMER's data immediately'.

    Both contracts end T = 2027-03-14 (notice on the 2026-12-15 deadline).
    after: instruction on 2027-03-19 (T + 5) -> deleted that day, no deletion on T + 91.
    before: instruction on 2027-02-01, before termination -> recorded, deleted at T.
    """
    contract = """
          - id: {id}
            customer: {customer}
            start: 2026-03-15
            lines:
              - {{item: Smartconnect Agent, unit_price: "45.00", per: month, quantity: 4}}"""
    result = run(f"""
        policy: smartconnect
        until: 2027-07-01
        contracts:{contract.format(id="after", customer=CUSTOMER)}
{contract.format(id="before", customer=CUSTOMER)}
        events:
          - {{date: 2026-03-20, type: payment, contract: after, amount: "2613.60"}}
          - {{date: 2026-03-20, type: payment, contract: before, amount: "2613.60"}}
          - {{date: 2026-12-15, type: termination_notice, contract: after, by: customer}}
          - {{date: 2026-12-15, type: termination_notice, contract: before, by: customer}}
          - {{date: 2027-03-19, type: data_instruction, contract: after, instruction: delete}}
          - {{date: 2027-02-01, type: data_instruction, contract: before, instruction: delete}}
    """)
    deleted = one(result, "after", "data_deleted")
    assert (deleted["date"], deleted["basis"], deleted["clauses"]) == (
        "2027-03-19", "customer_instruction", ["10.5"])
    assert one(result, "before", "data_deletion_instructed")["date"] == "2027-02-01"
    deleted = one(result, "before", "data_deleted")
    assert (deleted["date"], deleted["basis"]) == ("2027-03-14", "customer_instruction")
    assert "data_deletion_scheduled" not in kinds(result, "before")


def test_unpaid_invoice_data_deleted_30_days_after_termination_10_6() -> None:
    """10.6 'If at the time of 30 days after expiry/termination ... any unpaid invoices'.

    unpaid: invoice 600.00 of 2026-01-05 due 2026-02-04, never paid; suspended 2026-04-02
    (8.4); Smartconnect terminates T = 2026-04-10 (10.2). T + 30 = 2026-05-10: overdue ->
    data deleted that day, instead of on T + 91 = 2026-07-10 (20 + 31 + 30 + 10).
    not_due: payment term 60 days agreed; invoice 2026-01-05 due 2026-03-06 (26 + 28 + 6);
    terminated T = 2026-01-10, T + 30 = 2026-02-09 is before the due date: not overdue, so the
    data is kept until T + 91 = 2026-04-11 (21 + 28 + 31 + 11).
    """
    result = run(f"""
        policy: smartconnect
        until: 2026-07-31
        contracts:
          - id: unpaid
            customer: {CUSTOMER}
            start: 2026-01-05
            lines:
              - {{item: Smartconnect Agent, unit_price: "50.00", per: month, quantity: 1}}
          - id: not_due
            customer: {CUSTOMER}
            start: 2026-01-05
            overrides: {{payment.term: 60 days}}
            lines:
              - {{item: Smartconnect Agent, unit_price: "50.00", per: month, quantity: 1}}
        events:
          - {{date: 2026-04-10, type: provider_termination, contract: unpaid,
              reason: material breach}}
          - {{date: 2026-01-10, type: provider_termination, contract: not_due,
              reason: material breach}}
    """)
    assert one(result, "unpaid", "access_suspended")["date"] == "2026-04-02"
    assert one(result, "unpaid", "data_deletion_scheduled")["delete_on"] == "2026-07-10"
    deleted = one(result, "unpaid", "data_deleted")
    assert (deleted["date"], deleted["basis"], deleted["clauses"]) == (
        "2026-05-10", "unpaid_invoices", ["10.6"])

    assert one(result, "not_due", "invoice_issued")["due_date"] == "2026-03-06"
    assert one(result, "not_due", "data_deletion_scheduled")["delete_on"] == "2026-04-11"
    deleted = one(result, "not_due", "data_deleted")
    assert (deleted["date"], deleted["basis"]) == ("2026-04-11", "retention_period_ended")


def test_provider_termination_for_material_breach_10_2_10_3_10_4() -> None:
    """10.2 immediate termination on material breach; 10.3 access ends; 10.4 no refund.

    Year 2026-03-15 .. 2027-03-14 prepaid 2160.00 on 2026-03-20. Smartconnect terminates on
    2026-09-01: effective that day, access none, no credit for the 6.5 unused months, data kept
    until T + 91 = 2026-12-01 (29 + 31 + 30 + 1). A provider notice for convenience (no such
    right) is refused.
    """
    result = run(f"""
        policy: smartconnect
        until: 2026-12-31
        contracts:
          - id: breach
            customer: {CUSTOMER}
            start: 2026-03-15
            lines:
              - {{item: Smartconnect Agent, unit_price: "45.00", per: month, quantity: 4}}
        events:
          - {{date: 2026-03-20, type: payment, contract: breach, amount: "2613.60"}}
          - {{date: 2026-06-01, type: termination_notice, contract: breach, by: provider}}
          - {{date: 2026-09-01, type: provider_termination, contract: breach,
              reason: material breach}}
    """)
    refused = one(result, "breach", "event_refused")
    assert (refused["date"], refused["event"], refused["clauses"]) == (
        "2026-06-01", "termination_notice", ["10.2"])
    ended = one(result, "breach", "contract_terminated")
    assert (ended["date"], ended["effective_date"], ended["reason"], ended["detail"],
            ended["clauses"]) == ("2026-09-01", "2026-09-01", "breach", "material breach",
                                  ["10.2"])
    assert "export_until" not in ended
    assert result.states["breach"].access == "none"
    assert one(result, "breach", "data_deletion_scheduled")["delete_on"] == "2026-12-01"
    assert one(result, "breach", "data_deleted")["date"] == "2026-12-01"
    assert "credit_recorded" not in kinds(result, "breach")
    assert len(actions(result, "breach", "invoice_issued")) == 1
    assert balance(result, "breach")["credit"] == "0.00"
    assert balance(result, "breach")["principal"] == "0.00"


def test_governing_law_and_venue_metadata_15_1_15_2() -> None:
    """15.1 Belgian law (no choice-of-law rules, no CISG); 15.2 Belgian courts, provider's seat."""
    policy = load_pack("smartconnect")
    assert policy.source.governing_law == "BE"
    assert policy.source.venue == "ordinary courts of Belgium at Smartconnect's seat"
    assert policy.source.law_clause == ("15.1", "15.2")
    assert (policy.currency, policy.timezone, policy.calendar) == ("EUR", "Europe/Brussels", "BE")
    assert policy.interest.jurisdiction == "BE"
