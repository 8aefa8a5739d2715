"""Issue 19, prices and charges as the issue's texts word them: a quantity billed "per started
100 lines" (the use above the allowance rounded up to a block)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from tests.custom_terms import custom_policy, run_one

USAGE = """
usage:
  clause: "3.1"
  meters:
    lines:
      clause: "3.1"
      item: Booking lines
      unit: lines
      measure: total
      included: "1000"
      unit_price: "5.00"
      block: "100"
      billing: immediate
"""


def policy(tmp_path: Path) -> Path:
    return custom_policy(tmp_path, ("\nprices:\n", USAGE + "\nprices:\n"))


@pytest.mark.parametrize(("used", "blocks", "amount"), [
    ("1250", "3", "15.00"), ("1300", "3", "15.00"), ("1301", "4", "20.00"),
    ("1000", None, None)])
def test_use_above_the_allowance_per_started_block(tmp_path: Path, used: str,
                                                   blocks: str | None, amount: str | None
                                                   ) -> None:
    """EUR 5.00 per started 100 lines above 1,000 in a calendar month: 1,250 lines are 250
    over, 3 started blocks, EUR 15.00; 1,300: 3 blocks; 1,301: 4 blocks, EUR 20.00; 1,000:
    nothing. Billed when the month closes (2027-02-28), on its own invoice."""
    result = run_one(policy(tmp_path), "2027-03-02", seats=1, events=(
        f'[{{date: 2027-02-10, type: usage, contract: k, meter: lines, quantity: "{used}"}}]'))
    charged = [a for a in result.of("k") if a.kind == "usage_charged"]
    if blocks is None:
        assert charged == []
        return
    (act,) = charged
    assert act.date == date(2027, 2, 28)
    assert act.get("blocks") == blocks and act.get("block") == "100"
    assert act.get("amount") == Decimal(amount or "0")
    assert act.get("overage") == str(int(used) - 1000)


@pytest.mark.parametrize(("of", "amount"), [
    ("principal", "273.00"), ("invoice", "363.00"), ("fees", "300.00")])
def test_a_charge_as_a_percentage_of_the_principal_the_invoice_or_the_fees(
        tmp_path: Path, of: str, amount: str) -> None:
    """A penalty of "25 % of the fees" (issue 19's texts) in place of LedgerLoop's 15 % fixed
    interest (4.2, 21 days after the due date and after the third reminder: 2027-03-05).
    Invoice 1,200.00 (2 seats x 50 x 12) + 21 % VAT = 1,452.00, the open item (issue 17), due
    2027-02-03; 4.4's EUR 40 compensation 02-04; 400.00 paid on 2027-02-10 goes by
    payment.allocation oldest_first to the compensation first (40.00), then 360.00 to the
    principal: 1,092.00 unpaid. 25 % of the principal: 273.00; of the invoice (its total):
    363.00; of its fees (its lines, all of the contract's price list, net of VAT): 300.00."""
    path = custom_policy(tmp_path, ('      percent_of_principal: "15"\n',
                                    f'      percent: "25"\n      of: {of}\n'))
    result = run_one(path, "2027-03-06", '[{date: 2027-02-10, type: payment, contract: k, '
                     'amount: "400.00"}]')
    charged = [(a.date, a.get("name"), str(a.get("amount"))) for a in result.of("k")
               if a.kind == "charge_applied"]
    assert charged == [(date(2027, 3, 5), "fixed interest", amount),
                       (date(2027, 3, 5), "penalty", "50.00")]


def _list_price_policy(tmp_path: Path) -> Path:
    return custom_policy(tmp_path, (
        "seats:\n  clause: \"3.1\"\n  increase: prorata_to_period_end\n",
        "seats:\n  clause: \"3.1\"\n  increase: prorata_to_period_end\n  price: list_price\n"
        "\nprice_list:\n  clause: \"3.4\"\n  items: {ERP Seat: {2027-01-01: \"60.00\", "
        "2027-06-01: \"66.00\"}}\n"))


@pytest.mark.parametrize(("events", "amount"), [
    ("[]", "1207.23"),
    ('[{date: 2027-02-01, type: list_price_changed, contract: k, item: ERP Seat, '
     'price: "70.00", effective: 2027-03-01}]', "1408.44"),
    ('[{date: 2026-12-15, type: list_price_changed, contract: "*", item: ERP Seat, '
     'price: "70.00", effective: 2027-03-01}]', "1408.44")])
def test_added_users_are_billed_at_the_list_price_of_the_day(tmp_path: Path, events: str,
                                                             amount: str) -> None:
    """Issue 19: "seat increases are billed at the contract's price where the text says the
    list price of the day". Contract price EUR 50 a seat a month; list price 60.00 from
    2027-01-01. 2 seats added on 2027-03-04, pro rata to the period end 2028-01-03 (306 of
    365 days, 3.1): 2 x 60 x 12 x 306 / 365 = 1207.2329 -> 1207.23. With the list price
    changed to 70.00 from 2027-03-01 by event: 2 x 70 x 12 x 306 / 365 = 1408.4384 ->
    1408.44 (at the contract's price it was 1006.03). The same change for every contract
    (`contract: "*"`), announced 2026-12-15, before the contract's start 2027-01-04: the
    provider's price list is in force when the contract starts, so it is taken on the start
    day with its effective date, 1408.44 (not 1207.23), without a `list_price_changed`
    action for the contract (nothing changed for it)."""
    seats = "{date: 2027-03-04, type: seat_change, contract: k, item: ERP Seat, quantity: 4}"
    result = run_one(_list_price_policy(tmp_path), "2027-03-05",
                     events[:-1] + (", " if events != "[]" else "") + seats + "]")
    invoices = [(a.date, str(a.get("amount"))) for a in result.of("k")
                if a.kind == "invoice_issued"]
    assert invoices == [(date(2027, 1, 4), "1200.00"), (date(2027, 3, 4), amount)]
    changed = [a.date for a in result.of("k") if a.kind == "list_price_changed"]
    assert changed == ([date(2027, 2, 1)] if "contract: k" in events else [])


def test_of_two_list_prices_effective_the_same_day_the_later_announced_counts(
        tmp_path: Path) -> None:
    """Issue 19, the list price of the day: 70.00 announced on 2027-02-01 for 2027-03-01, then
    65.00 announced on 2027-02-10 for the same day (a correction). The later word is the
    price: 2 seats added 2027-03-04, 2 x 65 x 12 x 306 / 365 = 1307.8356 -> 1307.84 (the
    higher price, 70.00, would give 1408.44)."""
    events = ('[{date: 2027-02-01, type: list_price_changed, contract: k, item: ERP Seat, '
              'price: "70.00", effective: 2027-03-01}, '
              '{date: 2027-02-10, type: list_price_changed, contract: k, item: ERP Seat, '
              'price: "65.00", effective: 2027-03-01}, '
              '{date: 2027-03-04, type: seat_change, contract: k, item: ERP Seat, quantity: 4}]')
    result = run_one(_list_price_policy(tmp_path), "2027-03-05", events)
    invoices = [(a.date, str(a.get("amount"))) for a in result.of("k")
                if a.kind == "invoice_issued"]
    assert invoices == [(date(2027, 1, 4), "1200.00"), (date(2027, 3, 4), "1307.84")]


@pytest.mark.parametrize(("prices", "events", "amount"), [
    ('{2027-01-01: "60.00", 2027-03-01: "63.33"}', "[]", "379.98"),
    ('{2027-01-01: "60.00", 2027-04-01: "66.00"}', "[]", "360.00"),
    ('{2027-01-01: "60.00"}', '[{date: 2027-02-20, type: list_price_changed, contract: k, '
     'item: ERP Seat, price: "55.00", effective: 2027-03-01}]', "330.00"),
    (None, "[]", "300.00")])
def test_a_charge_as_a_percentage_of_the_fees_at_the_list_price(
        tmp_path: Path, prices: str | None, events: str, amount: str) -> None:
    """Issue 19 names "charges as a percentage of a list price"; no stored text (the seeds,
    tests/fixtures/terms) words one, so LedgerLoop's 15 % fixed interest (4.2, on
    2027-03-05, 21 days after the due date and after the third reminder) is made "25 % of
    the fees at the list price" (`of: list_price`). The invoice's line: 2 ERP Seats at 50.00
    a month for 12 months, 1,200.00. At the list price in force on 2027-03-05 (63.33 from
    2027-03-01): 1,200.00 x 63.33 / 50.00 = 1,519.92, 25 %: 379.98. A list price that only
    comes later (66.00 from 2027-04-01) does not count: 60.00, 1,440.00, 360.00. One set by
    an event (55.00 from 2027-03-01): 1,320.00, 330.00. No list price known: the line at its
    own price, 300.00 (as `of: fees`)."""
    extra = ("" if prices is None else
             f'\nprice_list:\n  clause: "3.4"\n  items: {{ERP Seat: {prices}}}\n')
    path = custom_policy(tmp_path, ('      percent_of_principal: "15"\n',
                                    '      percent: "25"\n      of: list_price\n'),
                         extra=extra)
    result = run_one(path, "2027-03-06", events)
    charged = [(a.date, a.get("name"), str(a.get("amount"))) for a in result.of("k")
               if a.kind == "charge_applied"]
    assert charged == [(date(2027, 3, 5), "fixed interest", amount),
                       (date(2027, 3, 5), "penalty", "50.00")]


def test_check_warns_of_a_list_price_charge_with_no_price_list(tmp_path: Path) -> None:
    """`of: list_price` in a policy with no `price_list` loads (a `list_price_changed` event
    may give the list prices) but `policy check` warns: until one does, the charge is taken
    of the fees at the contract's prices. With a price list there is no such warning."""
    from termline.domain.policy.check import check_text

    swap = ('      percent_of_principal: "15"\n', '      percent: "25"\n      of: list_price\n')
    for extra, warned in (("", True),
                          ('\nprice_list:\n  clause: "3.4"\n  items: {ERP Seat: '
                           '{2027-01-01: "60.00"}}\n', False)):
        path = custom_policy(tmp_path, swap, extra=extra)
        text = path.read_text("utf-8")
        policy, problems = check_text(text, str(path))
        assert policy is not None
        found = [p for p in problems if "of: list_price with no price_list" in p.message]
        assert [(p.severity, p.line) for p in found] == (
            [("warning", text.splitlines().index("      of: list_price") + 1)] if warned
            else [])
        assert all(p.severity == "warning" for p in problems)
