"""One-off charges priced outside the terms (issue 3, "One-off and usage charges"), round 2.

Support and consultancy after acceptance (Smartconnect 5.2, 6.1, 10.7), the separate invoice
under force majeure (ClientCom 14.1 / 14.2), Customised Solutions (SmartWeb 6.1 / 6.2), hours of
out-of-scope support and expansion services (SuperOffice 6 ¶3, 11.2), additional work,
integrations and privacy assistance on the next invoice (SmartTrackers 6.10, 15.15, DPA-4.5 /
4.6). Expected dates and amounts are worked out by hand from the seed text in the docstrings.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

import termline.domain.policy  # noqa: F401  (the policy schema first: the rules modules import it)
from scenario_helpers import actions, balance, kinds, one, run
from termline.domain.mechanisms.usage.purchase_price import per_unit_amount
from termline.domain.mechanisms.usage.rules import PurchaseRule

# --- pure functions and rule validation ------------------------------------------------------


def test_per_unit_amount_is_quantity_times_rate_rounded_half_up() -> None:
    # 2.5 h x 145.00 = 362.50; 1.25 h x 99.99 = 124.9875 -> 124.99; 0.1 h x 0.05 = 0.005 -> 0.01
    assert per_unit_amount(Decimal("2.5"), Decimal("145.00")) == Decimal("362.50")
    assert per_unit_amount(Decimal("1.25"), Decimal("99.99")) == Decimal("124.99")
    assert per_unit_amount(Decimal("0.1"), Decimal("0.05")) == Decimal("0.01")


def test_purchase_rule_is_priced_one_way_only() -> None:
    base = {"clause": "x", "invoicing": "immediate"}
    with pytest.raises(ValueError, match="unit_price needs its unit"):
        PurchaseRule.model_validate({**base, "unit_price": "10"})
    with pytest.raises(ValueError, match="either at a fixed price or per unit"):
        PurchaseRule.model_validate({**base, "unit": "hours", "price": "10"})
    assert PurchaseRule.model_validate({**base, "unit": "hours"}).unit_price is None


# --- Smartconnect 5.2 / 6.1 / 10.7: billable only after the customer accepted ----------------


def _smartconnect(events: str, until: str = "2027-04-30") -> str:
    return f"""
policy: smartconnect
until: {until}
contracts:
  - id: acme
    customer: {{name: Acme NV, country: BE}}
    start: 2027-01-04
    lines:
      - {{item: Smartconnect seat, unit_price: "40.00", per: month, quantity: 5}}
events: [
  {{date: 2027-01-05, type: payment, contract: acme, amount: "2400.00"}},
  {events}]
"""


def test_smartconnect_5_2_consultancy_invoiced_only_after_the_customer_accepted() -> None:
    """5.2 'Any such invoicing must be accepted by the CUSTOMER prior to the service being
    delivered'.

    03-10: consultancy delivered without acceptance -> refused, nothing invoiced.
    03-15: consultancy of 480.00 delivered with accepted: true -> one-off invoice that day,
    due 03-15 + 30 days (8.3 pack term) = 04-14.
    """
    result = run(_smartconnect("""
      {date: 2027-03-10, type: purchase, contract: acme, item: Support or consultancy,
       amount: "300.00"},
      {date: 2027-03-15, type: purchase, contract: acme, item: Support or consultancy,
       amount: "480.00", accepted: true}"""))
    refused = one(result, "acme", "event_refused")
    assert (refused["date"], refused["event"], refused["clauses"], refused["reason"]) == (
        "2027-03-10", "purchase", ["5.2"],
        "'Support or consultancy' is billable only after the customer accepted it before "
        "delivery (accepted: true)")
    bought = one(result, "acme", "purchase_charged")
    assert (bought["date"], bought["amount"], bought["clauses"], bought["billing"]) == (
        "2027-03-15", "480.00", ["5.2"], "immediate")
    invoices = actions(result, "acme", "invoice_issued")
    assert [(i["date"], i["amount"], i["due_date"], i["invoice_kind"]) for i in invoices] == [
        ("2027-01-04", "2400.00", "2027-02-03", "subscription"),
        ("2027-03-15", "480.00", "2027-04-14", "purchase")]


def test_smartconnect_6_1_after_sales_service_billable_after_acceptance() -> None:
    """6.1 'After-sales service are not included in the retail price', read with 5.2: 250.00
    accepted and delivered on 2027-02-01 -> invoiced that day, due 02-01 + 30 = 03-03
    (February has 28 days: 02-01 + 27 = 02-28, + 3 = 03-03). An explicit accepted: false is
    refused too."""
    result = run(_smartconnect("""
      {date: 2027-02-01, type: purchase, contract: acme, item: After-sales service,
       amount: "250.00", accepted: true},
      {date: 2027-02-02, type: purchase, contract: acme, item: After-sales service,
       amount: "90.00", accepted: false}"""))
    bought = one(result, "acme", "purchase_charged")
    assert (bought["item"], bought["amount"], bought["clauses"]) == (
        "After-sales service", "250.00", ["6.1", "5.2"])
    invoice = [i for i in actions(result, "acme", "invoice_issued")
               if i["invoice_kind"] == "purchase"]
    assert [(i["date"], i["amount"], i["due_date"]) for i in invoice] == [
        ("2027-02-01", "250.00", "2027-03-03")]
    assert one(result, "acme", "event_refused")["date"] == "2027-02-02"


def test_smartconnect_10_7_data_conversion_needs_the_separate_agreement() -> None:
    """10.7 'Subject to separate agreement and payment': a conversion without the agreement is
    refused; with it, the agreed 1,200.00 is invoiced on delivery 2027-04-01, due 05-01."""
    result = run(_smartconnect("""
      {date: 2027-03-20, type: purchase, contract: acme, item: Data conversion,
       amount: "1200.00"},
      {date: 2027-04-01, type: purchase, contract: acme, item: Data conversion,
       amount: "1200.00", accepted: true}""", until="2027-04-05"))
    refused = one(result, "acme", "event_refused")
    assert (refused["date"], refused["clauses"]) == ("2027-03-20", ["10.7"])
    invoice = [i for i in actions(result, "acme", "invoice_issued")
               if i["invoice_kind"] == "purchase"]
    assert [(i["date"], i["amount"], i["due_date"], i["clauses"]) for i in invoice] == [
        ("2027-04-01", "1200.00", "2027-05-01", ["10.7"])]


# --- ClientCom 14.1 / 14.2: separate invoice for the part supplied, still dunned ---------------


def test_clientcom_14_2_partial_supply_invoiced_separately_and_14_1_payment_still_due() -> None:
    """14.2: under force majeure ClientCom charges 'separately for the part already supplied';
    14.1 excuses every obligation 'with the exception of a payment obligation'.

    Force majeure from 2027-03-01; the part supplied, 75.00, invoiced on 03-05, due 03-05 + 30
    days = 04-04 (5.2 pack term). It stays unpaid: the notice of default follows 14 days after
    the due date, on 04-18 (5.3 pack step), force majeure or not. The monthly subscription
    (29.00 on 01-04, 02-04, 03-04; 35.09 with 21 % Belgian VAT) is paid each time; the 04-04
    invoice is due only on 05-04, so the only overdue claim is the 14.2 invoice. Open principal
    on 04-30, each at its total including VAT: 75.00 + 15.75 = 90.75 and 35.09: 125.84.
    """
    result = run("""
policy: clientcom
until: 2027-04-30
contracts:
  - id: cc
    customer: {name: Voice BV, country: BE}
    start: 2027-01-04
    lines:
      - {item: Smart voicemail, unit_price: "29.00", per: month, quantity: 1}
events:
  - {date: 2027-01-04, type: payment, contract: cc, amount: "35.09"}
  - {date: 2027-02-04, type: payment, contract: cc, amount: "35.09"}
  - {date: 2027-03-04, type: payment, contract: cc, amount: "35.09"}
  - {date: 2027-03-01, type: force_majeure, start: 2027-03-01}
  - {date: 2027-03-05, type: purchase, contract: cc, item: Partial supply under force majeure,
     amount: "75.00"}
""")
    bought = one(result, "cc", "purchase_charged")
    assert (bought["date"], bought["amount"], bought["clauses"]) == (
        "2027-03-05", "75.00", ["14.2", "14.1"])
    invoice = [i for i in actions(result, "cc", "invoice_issued")
               if i["invoice_kind"] == "purchase"]
    assert [(i["date"], i["amount"], i["due_date"]) for i in invoice] == [
        ("2027-03-05", "75.00", "2027-04-04")]
    notices = actions(result, "cc", "default_notice_sent")
    assert [(n["date"], n["ref"], n["clauses"]) for n in notices] == [
        ("2027-04-18", invoice[0]["ref"], ["5.3"])]
    assert balance(result, "cc")["principal"] == "125.84"


# --- SmartWeb 6.1 / 6.2: Customised Solutions ----------------------------------------------


def test_smartweb_6_1_customised_solution_at_the_separately_agreed_price() -> None:
    """6.1: the price of a Customised Solution is 'separately agreed upon' in writing.

    Without the written agreement (accepted) the purchase is refused. Delivered 2027-02-15 at
    the agreed 1,500.00: invoiced that day, due 02-15 + 8 days = 02-23 (4.2). 6.2: it becomes
    part of the Application: the next subscription invoice, for the period from 07-04, dated
    14 days earlier (4.1 pack lead) on 06-20 and due 06-28, is 6 x 50.00 = 300.00, unchanged.
    Both invoices are paid on time at their totals with 25 % Danish VAT (01-05: 375.00,
    02-16: 1,875.00).
    """
    result = run("""
policy: smartweb
until: 2027-07-10
contracts:
  - id: shop
    customer: {name: Shop ApS, country: DK}
    start: 2027-01-04
    lines:
      - {item: SmartWeb Shop, unit_price: "50.00", per: month, quantity: 1}
events:
  - {date: 2027-01-05, type: payment, contract: shop, amount: "375.00"}
  - {date: 2027-02-16, type: payment, contract: shop, amount: "1875.00"}
  - {date: 2027-02-10, type: purchase, contract: shop, item: Customised Solution,
     amount: "1500.00"}
  - {date: 2027-02-15, type: purchase, contract: shop, item: Customised Solution,
     amount: "1500.00", accepted: true}
""")
    refused = one(result, "shop", "event_refused")
    assert (refused["date"], refused["clauses"]) == ("2027-02-10", ["6.1", "6.2"])
    bought = one(result, "shop", "purchase_charged")
    assert (bought["date"], bought["amount"], bought["clauses"], bought["cancellable"]) == (
        "2027-02-15", "1500.00", ["6.1", "6.2"], False)
    invoices = actions(result, "shop", "invoice_issued")
    assert [(i["date"], i["amount"], i["due_date"], i["invoice_kind"]) for i in invoices] == [
        ("2027-01-04", "300.00", "2027-01-12", "subscription"),
        ("2027-02-15", "1500.00", "2027-02-23", "purchase"),
        ("2027-06-20", "300.00", "2027-06-28", "subscription")]


# --- SuperOffice 6 ¶3 / 11.2 ---------------------------------------------------------------


def _superoffice(events: str, overrides: str) -> str:
    return f"""
policy: superoffice
until: 2027-04-30
contracts:
  - id: nord
    customer: {{name: Nord AS, country: "NO"}}
    start: 2027-02-10
    billing_period: 1 month
    overrides: {overrides}
    lines:
      - {{item: CRM Online, unit_price: "55.00", per: month, quantity: 2}}
events: [{events}]
"""


RATE = '{usage.purchases.out_of_scope_support.unit_price: "145.00"}'


def test_superoffice_6_out_of_scope_support_billed_per_hour_at_the_consultancy_rate() -> None:
    """6 ¶3: situations outside the support conditions are invoiced at the hourly consultancy
    rate (contract-level: 145.00 / hour).

    03-17: 2.5 hours x 145.00 = 362.50, invoiced that day after the work (11.4), due 03-17 +
    30 days = 04-16. 03-18: 2 hours claimed at 300.00 (should be 290.00) -> refused.
    """
    result = run(_superoffice("""
      {date: 2027-03-17, type: purchase, contract: nord, item: Out-of-scope support,
       quantity: "2.5", amount: "362.50"},
      {date: 2027-03-18, type: purchase, contract: nord, item: Out-of-scope support,
       quantity: "2", amount: "300.00"}""", RATE))
    bought = one(result, "nord", "purchase_charged")
    assert bought == {"date": "2027-03-17", "kind": "purchase_charged", "contract": "nord",
                      "clauses": ["6", "11.4"], "item": "Out-of-scope support",
                      "amount": "362.50", "billing": "immediate", "cancellable": False,
                      "quantity": "2.5", "unit": "hours", "unit_price": "145.00",
                      "currency": "EUR"}
    invoice = [i for i in actions(result, "nord", "invoice_issued")
               if i["invoice_kind"] == "purchase"]
    assert [(i["date"], i["amount"], i["due_date"]) for i in invoice] == [
        ("2027-03-17", "362.50", "2027-04-16")]
    refused = one(result, "nord", "event_refused")
    assert refused["reason"] == "2 hours x 145.00 = 290.00, not 300.00"


def test_superoffice_6_hours_refused_without_a_rate_or_a_quantity() -> None:
    """The rate is not in the contract: without the override the hours are refused; with the
    rate, a purchase without its number of hours is refused too."""
    no_rate = run(_superoffice("""
      {date: 2027-03-17, type: purchase, contract: nord, item: Out-of-scope support,
       quantity: "1", amount: "145.00"}""", "{}"))
    assert one(no_rate, "nord", "event_refused")["reason"] == (
        "no rate per hours for 'Out-of-scope support': it is contract-level "
        "(overrides usage.purchases.out_of_scope_support.unit_price)")
    no_hours = run(_superoffice("""
      {date: 2027-03-17, type: purchase, contract: nord, item: Out-of-scope support,
       amount: "145.00"}""", RATE))
    assert one(no_hours, "nord", "event_refused")["reason"] == (
        "'Out-of-scope support' is priced per hours: the purchase needs its quantity")
    assert "purchase_charged" not in kinds(no_rate, "nord") + kinds(no_hours, "nord")


def test_superoffice_11_2_expansion_service_at_the_website_price() -> None:
    """11.2: expansion services priced on superoffice.com: the event's amount, 199.00 on
    2027-04-06, invoiced that day after delivery (11.4), due 04-06 + 30 = 05-06."""
    result = run(_superoffice("""
      {date: 2027-04-06, type: purchase, contract: nord, item: Expansion service,
       amount: "199.00"}""", "{}"))
    bought = one(result, "nord", "purchase_charged")
    assert (bought["amount"], bought["clauses"]) == ("199.00", ["11.2", "11.4"])
    invoice = [i for i in actions(result, "nord", "invoice_issued")
               if i["invoice_kind"] == "purchase"]
    assert [(i["date"], i["amount"], i["due_date"]) for i in invoice] == [
        ("2027-04-06", "199.00", "2027-05-06")]


# --- SmartTrackers 6.10 / 15.15 / DPA-4.5-4.6: with the next invoice --------------------------


def _smarttrackers(events: str, until: str = "2027-04-10") -> str:
    return f"""
policy: smarttrackers
until: {until}
contracts:
  - id: st
    customer: {{name: Acme B.V., country: NL}}
    start: 2027-01-01
    billing_period: 1 month
    lines:
      - {{item: Trackers, unit_price: "100.00", per: month, quantity: 1}}
events: [{events}]
"""


def test_smarttrackers_6_10_additional_work_rides_on_the_next_invoice() -> None:
    """6.10 'Additional work will only be invoiced with the next invoice after written order
    ... or after completion'.

    Monthly invoicing in advance from 01-01 (contract-level billing.period 1 month): 100.00 on
    01-01, 02-01, 03-01, 04-01. Additional work of 640.00 completed 2027-02-12 and a 120.00
    integration fee (15.15) on 02-20: no invoice of their own; the 03-01 invoice is 100.00 +
    640.00 + 120.00 = 860.00 and the 04-01 one 100.00 again.
    """
    result = run(_smarttrackers("""
      {date: 2027-02-12, type: purchase, contract: st, item: Additional work, amount: "640.00"},
      {date: 2027-02-20, type: purchase, contract: st, item: Integration fee, amount: "120.00"}
    """))
    bought = actions(result, "st", "purchase_charged")
    assert [(b["date"], b["item"], b["amount"], b["billing"], b["clauses"]) for b in bought] == [
        ("2027-02-12", "Additional work", "640.00", "next_invoice", ["6.10"]),
        ("2027-02-20", "Integration fee", "120.00", "next_invoice", ["15.15"])]
    invoices = actions(result, "st", "invoice_issued")
    assert [(i["date"], i["amount"], i["invoice_kind"]) for i in invoices] == [
        ("2027-01-01", "100.00", "subscription"), ("2027-02-01", "100.00", "subscription"),
        ("2027-03-01", "860.00", "subscription"), ("2027-04-01", "100.00", "subscription")]
    assert result.states["st"].usage.pending == ()


def test_smarttrackers_dpa_4_6_assistance_beyond_standard_information_charged() -> None:
    """DPA-4.6: assistance exceeding the standard information 'may' be charged: 85.00 on
    2027-03-03, added to the next invoice of 04-01: 100.00 + 85.00 = 185.00 (DPA-4.5 standard
    assistance is free: no event, no charge)."""
    result = run(_smarttrackers("""
      {date: 2027-03-03, type: purchase, contract: st, item: Privacy assistance, amount: "85.00"}
    """))
    bought = one(result, "st", "purchase_charged")
    assert (bought["amount"], bought["clauses"]) == ("85.00", ["DPA-4.6", "DPA-4.5"])
    invoices = actions(result, "st", "invoice_issued")
    assert [(i["date"], i["amount"]) for i in invoices][-2:] == [
        ("2027-03-01", "100.00"), ("2027-04-01", "185.00")]
