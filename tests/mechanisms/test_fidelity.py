"""Fidelity defects found in review (issue 11), each with its hand-computed value."""

from __future__ import annotations

from datetime import date

import termline.domain.policy  # noqa: F401  (the policy schema first: the rules modules import it)
from scenario_helpers import run
from termline.domain.mechanisms.liability.cap import Claim
from termline.domain.mechanisms.liability.compute import cap_on

SW_REFUND = """
policy: smartweb
until: 2027-12-31
contracts:
  - id: shop
    customer: {name: Shop ApS, country: DK}
    start: 2027-01-04
    lines:
      - {item: SmartWeb Shop, unit_price: "50.00", per: month, quantity: 1}
events:
  - {date: 2027-01-05, type: payment, contract: shop, amount: "375.00"}
  - {date: 2027-03-01, type: defect_reported, contract: shop, defect: D1}
  - {date: 2027-03-15, type: defect_remedied, contract: shop, defect: D1}
  - {date: 2027-06-25, type: payment, contract: shop, amount: "375.00"}
"""


def test_smartweb_13_5_a_defect_refund_held_as_credit_never_raises_the_cap() -> None:
    """13.5 caps liability at 'the Customer's payment ... for the 12 months preceding the event';
    12.2 reimburses late defect days. Money the provider gives back is not the customer's
    payment.

    Invoices of 300.00 (6 x 50.00) + 25 % Danish VAT = 375.00 on 2027-01-04, 2027-06-20 and
    2027-12-21 (14 days before each period). Defect notice N = 03-01, remedy due N + 10 = 03-11,
    remedied 03-15: 4 late days x 300.00 / 181 days (01-04 .. 07-03) = 6.63 of fees, a credit
    note with their 25 % VAT: 6.63 + 1.66 (1.6575) = 8.29, held as credit (invoice 1 is paid;
    issue 17: the books settle by the document's total), then spent on invoice 2. The customer
    pays 375.00 twice: 366.71 settles invoice 2 and 8.29 is the customer's credit, spent on
    invoice 3. Event 2027-12-31:
    the customer paid 750.00 in the 12 months, 600.00 without the VAT (the cap counts the fees,
    not the state's VAT: liability.compute); before the fix the refund was counted too: 606.63.
    """
    result = run(SW_REFUND, until=date(2027, 12, 31))
    refund = [a for a in result.of("shop") if a.kind == "defect_refund"]
    assert [str(a.get("amount")) for a in refund] == ["6.63"]
    credit = [a for a in result.of("shop") if a.kind == "payment_applied"
              and ("source", "credit") in a.fields]
    assert [(a.date.isoformat(), str(a.get("amount"))) for a in credit] == [
        ("2027-06-20", "8.29"), ("2027-12-21", "8.29")]
    cap = cap_on(result, "shop", Claim(event=date(2027, 12, 31)))
    assert cap.cap is not None and f"{cap.cap:.2f}" == "600.00"


SO_SEATS = """
policy: superoffice
until: 2027-04-30
contracts:
  - id: acme
    customer: {name: Acme B.V., country: NL}
    start: 2027-02-10
    billing_period: 1 month
    lines:
      - {item: CRM Online, unit_price: "40.00", per: month, quantity: 5}
events:
  - {date: 2027-03-10, type: seat_change, contract: acme, item: CRM Online, quantity: 7}
"""


def test_superoffice_12_invoice_shaped_by_added_users_cites_the_seat_clause() -> None:
    """11.1 ¶1 / 12 ¶1: 2 users added on 2027-03-10 (monthly billing). The March invoice
    (5 x 40.00 = 200.00) has the contract's count and cites the billing and payment clause
    11.1 only; the April invoice counts 7 users, 7 x 40.00 = 280.00: its amount comes from
    the seat change, so it also cites 12."""
    result = run(SO_SEATS)
    invoices = [(a.date.isoformat(), str(a.get("invoice_kind")), str(a.get("amount")),
                 a.clauses) for a in result.of("acme") if a.kind == "invoice_issued"]
    assert invoices == [
        ("2027-03-01", "subscription", "200.00", ("11.1",)),
        ("2027-03-10", "proration", "56.77", ("11.1", "12")),
        ("2027-04-01", "subscription", "280.00", ("11.1", "12")),
    ]


SC_INDEX = """
policy: smartconnect
until: 2025-03-20
index_series: {agoria: {"2024-02": "120", "2024-12": "126"}}
contracts:
  - id: sc
    customer: {name: Contact NV, country: BE}
    start: 2024-03-15
    lines:
      - {item: Smartconnect Agent, unit_price: "100.00", per: month, quantity: 1}
events:
  - {date: 2024-03-15, type: payment, contract: sc, amount: "10000.00"}
"""


def test_smartconnect_8_7_invoice_at_an_indexed_price_cites_the_indexation_clause() -> None:
    """8.7: at the 2025-03-15 renewal the price is indexed to 100 x (0.2 + 0.8 x 126/120) =
    104.00, invoiced 12 x 104.00 = 1248.00: that invoice cites 8.7 besides its billing and
    payment clauses; the first invoice (1200.00 at the contract's price) does not."""
    result = run(SC_INDEX)
    invoices = [(a.date.isoformat(), str(a.get("amount")), a.clauses)
                for a in result.of("sc") if a.kind == "invoice_issued"]
    first_clauses = invoices[0][2]
    assert "8.7" not in first_clauses
    assert invoices == [("2024-03-15", "1200.00", first_clauses),
                        ("2025-03-15", "1248.00", (*first_clauses, "8.7"))]


SC_LATE = """
policy: smartconnect
until: 2027-03-31
contracts:
  - id: late
    customer: {name: Late NV, country: BE}
    start: 2027-01-04
    OVERRIDES
    lines:
      - {item: Smartconnect Agent, unit_price: "100.00", per: month, quantity: 1}
  - id: ontime
    customer: {name: On Time NV, country: BE}
    start: 2027-01-04
    OVERRIDES
    lines:
      - {item: Smartconnect Agent, unit_price: "100.00", per: month, quantity: 1}
events:
  - {date: 2027-02-03, type: payment, contract: ontime, amount: "1452.00"}
"""
COMPENSATION = ('overrides: {compensation: {clause: "BE law 2 Aug 2002 art. 6", '
                'amount: "40.00"}}')


def test_statutory_fixed_compensation_is_off_by_default_and_a_contract_can_switch_it_on(
) -> None:
    """Directive 2011/7/EU art. 6 / BE law of 2 August 2002 art. 6: EUR 40 per late invoice,
    no reminder needed. Smartconnect's terms (8.5) name interest only: the pack charges
    nothing. Switched on for the contract: invoice 2027-01-04 of 12 x 100.00 = 1200.00, due
    2027-01-04 + 30 days = 2027-02-03 (8.3); unpaid, EUR 40.00 is charged on 2027-02-04 as
    its own item INV-COMP. Paid on the due date at its total, 1200.00 + 21 % VAT = 1452.00
    (ontime): nothing."""
    off = run(SC_LATE.replace("    OVERRIDES\n", ""))
    assert [a for a in off.actions if a.kind == "compensation_charged"] == []

    on = run(SC_LATE.replace("OVERRIDES", COMPENSATION))
    charged = [a for a in on.actions if a.kind == "compensation_charged"]
    assert len(charged) == 1
    act = charged[0]
    invoice = next(a for a in on.of("late") if a.kind == "invoice_issued")
    assert (invoice.date.isoformat(), str(invoice.get("amount")),
            str(invoice.get("due_date"))) == ("2027-01-04", "1200.00", "2027-02-03")
    assert (act.contract, act.date.isoformat(), str(act.get("amount")), act.clauses) == (
        "late", "2027-02-04", "40.00", ("BE law 2 Aug 2002 art. 6",))
    assert act.get("charge_ref") == f"{invoice.get('ref')}-COMP"
    assert any(it.ref == act.get("charge_ref") and str(it.amount) == "40.00"
               for it in on.states["late"].items)
