"""A returned payment undoes exactly what it paid (issue 17, payment/returns.py), and a refund
takes credit off the books. Pure engine: scenarios through `simulate`."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

import termline.domain.registry  # noqa: F401
from tests.scenario_helpers import actions, balance, run

BOOK = """
policy: smartweb
until: 2027-02-28
contracts:
  - id: acme
    customer: {name: Acme ApS, country: DK}
    start: 2027-01-04
    lines: [{item: SmartWeb Shop, unit_price: "50.00", per: month}]
events:
"""


def test_a_returned_payment_reopens_the_invoice_and_smartweb_4_2_reminds_again() -> None:
    """SmartWeb 4.1/4.2: 6 x 50.00 = 300.00 net invoiced 4 January, due 8 days later
    (12 January); a Danish customer without a VAT number pays 25 % moms (issue 17: the open item
    is the invoice total incl. VAT): 300.00 + 75.00 = 375.00. Paid in full 10 January (BANK-1),
    returned 20 January (AM04): acme-0001 is open again by 375.00,
    and 4.2's reminders come 10 days after the due date and 10 days apart (22 January,
    1 February), EUR 14 each; without the return nothing is reminded."""
    paid = BOOK + """
  - {date: 2027-01-10, type: payment, contract: acme, amount: "375.00", reference: BANK-1}
"""
    returned = paid + """
  - {date: 2027-01-20, type: payment_returned, contract: acme, payment: BANK-1, reason: AM04}
"""
    assert actions(run(paid), "acme", "reminder_sent") == []
    result = run(returned)
    assert [(a["date"], a["reference"], a["amount"], a["reason"])
            for a in actions(result, "acme", "payment_returned")] == [
        ("2027-01-20", "BANK-1", "375.00", "AM04")]
    assert [(a["ref"], a["amount"]) for a in actions(result, "acme", "payment_reversed")] == [
        ("acme-0001", "375.00")]
    assert [(a["date"], a["fee"]) for a in actions(result, "acme", "reminder_sent")] == [
        ("2027-01-22", "14.00"), ("2027-02-01", "14.00")]  # 10 days after, 10 days apart
    assert balance(result, "acme")["principal"] == "375.00"
    # the same return again is refused: the payment is already returned
    twice = run(returned + """
  - {date: 2027-01-21, type: payment_returned, contract: acme, payment: BANK-1}
""")
    assert [a["reason"] for a in actions(twice, "acme", "event_refused")] == [
        "no payment BANK-1 to return"]


def test_an_overpayment_returned_takes_back_the_credit_it_left() -> None:
    """475.00 against the 375.00 invoice (300.00 net + 25 % moms 75.00) leaves 100.00 credit;
    returned before the next invoice (4 July), both go: principal 375.00 open, credit 0.00."""
    result = run(BOOK + """
  - {date: 2027-01-10, type: payment, contract: acme, amount: "475.00", reference: BANK-2}
  - {date: 2027-01-15, type: payment_returned, contract: acme, payment: BANK-2}
""")
    assert [a["amount"] for a in actions(result, "acme", "payment_returned")] == ["475.00"]
    assert (balance(result, "acme")["principal"], balance(result, "acme")["credit"]) == (
        "375.00", "0.00")


def test_a_refund_takes_credit_off_and_more_than_the_credit_is_refused() -> None:
    """475.00 paid for the 375.00 invoice (300.00 net + 25 % moms): 100.00 credit; 60.00
    refunded on 20 January leaves 40.00; a further 50.00 is refused (40.00 held)."""
    result = run(BOOK + """
  - {date: 2027-01-10, type: payment, contract: acme, amount: "475.00"}
  - {date: 2027-01-20, type: credit_refund, contract: acme, amount: "60.00", reference: R-1}
  - {date: 2027-01-21, type: credit_refund, contract: acme, amount: "50.00", reference: R-2}
""")
    assert [(a["amount"], a["balance"]) for a in actions(result, "acme", "credit_refunded")] \
        == [("60.00", "40.00")]
    assert [a["reason"] for a in actions(result, "acme", "event_refused")] == [
        "refund of 50.00 exceeds the credit of 40.00"]
    assert balance(result, "acme")["credit"] == "40.00"


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 8), st.integers(1, 60000))
def test_a_payment_returned_the_same_day_is_as_if_it_never_came(day: int, cents: int) -> None:
    """Any amount paid on any day up to the due date (no interest at settlement) and returned
    the same day leaves the same balances and the same non-payment actions as no payment."""
    on = date(2027, 1, 4) + timedelta(days=day)
    amount = Decimal(cents) / 100
    without = run(BOOK + "  []\n")
    with_return = run(BOOK + f"""
  - {{date: {on}, type: payment, contract: acme, amount: "{amount:.2f}", reference: P-1}}
  - {{date: {on}, type: payment_returned, contract: acme, payment: P-1}}
""")
    money = {"payment_applied", "credit_recorded", "payment_returned", "payment_reversed"}
    assert [a for a in with_return.to_json()["actions"] if a["kind"] not in money] == \
        without.to_json()["actions"]
    assert with_return.to_json()["balances"] == without.to_json()["balances"]
