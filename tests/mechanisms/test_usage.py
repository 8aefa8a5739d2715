"""Metered usage, one-off purchases and storage warnings (issue 3, "One-off and usage charges").

Expected dates and amounts are worked out by hand from the seed text in the comments; the
clause is named in each test's name or docstring.
"""

from __future__ import annotations

from decimal import Decimal

import termline.domain.policy  # noqa: F401  (the policy schema first: the rules modules import it)
from scenario_helpers import actions, balance, kinds, one, run
from termline.domain.mechanisms.usage.metering import overage, quantity_value, record
from termline.domain.mechanisms.usage.rules import MeterRule

# --- pure functions ---------------------------------------------------------------------------


def _meter(measure: str) -> MeterRule:
    return MeterRule.model_validate({"clause": "x", "item": "X", "unit": "u",
                                     "measure": measure})


def test_peak_meter_keeps_the_highest_reading_total_meter_adds() -> None:
    assert record(_meter("peak"), Decimal("112.5"), Decimal("95")) == Decimal("112.5")
    assert record(_meter("peak"), Decimal("95"), Decimal("112.5")) == Decimal("112.5")
    assert record(_meter("total"), Decimal("600"), Decimal("700")) == Decimal("1300")


def test_overage_is_use_above_the_allowance_rounded_half_up() -> None:
    # 1,300 mailings - 1,000 included = 300 x 0.02 = 6.00
    assert overage(Decimal("1300"), Decimal("1000"), Decimal("0.02")).amount == Decimal("6.00")
    # 10.5 GB over at 0.333 = 3.4965 -> 3.50 (half-up at the cent)
    assert overage(Decimal("20.5"), Decimal("10"), Decimal("0.333")).amount == Decimal("3.50")
    # within the allowance: nothing
    below = overage(Decimal("9"), Decimal("10"), Decimal("1"))
    assert (below.over, below.amount) == (Decimal(0), Decimal("0.00"))


def test_quantities_are_plain_text_not_money() -> None:
    assert [quantity_value(Decimal(v)) for v in ("80", "100.00", "112.50", "1E+2")] == [
        "80", "100", "112.5", "100"]


# --- Smartconnect 7.1: fair-use storage, 80 % warning, storage fee ---------------------------

SC_OVERRIDES = '{usage.meters.storage.included: "100", usage.meters.storage.unit_price: "0.50"}'


def _smartconnect(events: str, overrides: str = SC_OVERRIDES, until: str = "2027-04-10") -> str:
    return f"""
policy: smartconnect
until: {until}
contracts:
  - id: acme
    customer: {{name: Acme NV, country: BE}}
    start: 2027-01-04
    overrides: {overrides}
    lines:
      - {{item: Smartconnect seat, unit_price: "40.00", per: month, quantity: 5}}
events: [{events}]
"""


STORAGE = """
  {date: 2027-01-05, type: payment, contract: acme, amount: "2400.00"},
  {date: 2027-02-10, type: usage, contract: acme, meter: storage, quantity: "79.9"},
  {date: 2027-02-11, type: usage, contract: acme, meter: storage, quantity: "80"},
  {date: 2027-02-12, type: usage, contract: acme, meter: storage, quantity: "95"},
  {date: 2027-02-20, type: usage, contract: acme, meter: storage, quantity: "112.5"},
  {date: 2027-03-03, type: usage, contract: acme, meter: storage, quantity: "70"},
  {date: 2027-03-10, type: usage, contract: acme, meter: storage, quantity: "85"}
"""


def test_smartconnect_7_1_storage_warning_at_80_percent_once_per_crossing() -> None:
    """7.1 'will notify the CUSTOMER when reaching 80% of the storage limit'.

    Limit 100 GB (contract-level): 80 % = 80 GB. 02-10: 79.9 < 80, no warning; 02-11: 80 >= 80,
    warning; 02-12 (95) and 02-20 (112.5) are still above: no new warning; 03-03: 70 < 80
    re-arms; 03-10: 85 >= 80, second warning.
    """
    result = run(_smartconnect(STORAGE))
    warnings = actions(result, "acme", "storage_warning")
    assert [(w["date"], w["quantity"], w["limit"], w["percent"], w["clauses"])
            for w in warnings] == [("2027-02-11", "80", "100", "80", ["7.1"]),
                                   ("2027-03-10", "85", "100", "80", ["7.1"])]


def test_smartconnect_7_1_storage_above_the_limit_charged_per_month() -> None:
    """7.1 'If the used amount of disk storage space exceeds this limit, the CUSTOMER will be
    charged the then-current storage fee'.

    February's highest reading is 112.5 GB: 12.5 GB above the 100 GB limit x EUR 0.50 = 6.25,
    charged when the month closes on 02-28 on a one-off invoice (the subscription is invoiced
    yearly), due 02-28 + 30 days (8.3 pack term) = 03-30. March peaks at 85 GB: nothing.
    """
    result = run(_smartconnect(STORAGE))
    charged = one(result, "acme", "usage_charged")
    assert charged == {
        "date": "2027-02-28", "kind": "usage_charged", "contract": "acme", "clauses": ["7.1"],
        "meter": "storage", "quantity": "112.5", "included": "100", "overage": "12.5",
        "unit": "GB", "unit_price": "0.50", "amount": "6.25", "period_start": "2027-02-01",
        "period_end": "2027-02-28", "billing": "immediate", "currency": "EUR"}
    invoices = actions(result, "acme", "invoice_issued")
    assert [(i["date"], i["amount"], i["due_date"], i["invoice_kind"], i["clauses"])
            for i in invoices] == [
        ("2027-01-04", "2400.00", "2027-02-03", "subscription", ["8.1", "10.4", "8.3"]),
        ("2027-02-28", "6.25", "2027-03-30", "usage", ["7.1"])]


def test_smartconnect_7_1_usage_refused_without_the_contract_level_limit_and_fee() -> None:
    """7.1 states neither the fair-use limit nor the fee: without them a reading is refused."""
    result = run(_smartconnect(
        "{date: 2027-02-10, type: usage, contract: acme, meter: storage, quantity: \"90\"}",
        overrides="{}"))
    refused = one(result, "acme", "event_refused")
    assert refused["event"] == "usage" and refused["clauses"] == ["7.1"]
    assert "usage.meters.storage.included" in refused["reason"]
    assert "usage_charged" not in kinds(result, "acme")


def test_unknown_meter_is_refused_with_the_metered_services() -> None:
    result = run(_smartconnect(
        "{date: 2027-02-10, type: usage, contract: acme, meter: mailings, quantity: \"9\"}"))
    refused = one(result, "acme", "event_refused")
    assert refused["reason"] == "the terms meter no 'mailings' (metered: storage)"


# --- SuperOffice 11.3: metered services on the next invoice -----------------------------------

SO_OVERRIDES = """{usage.meters.mass_mailings.included: "1000",
      usage.meters.mass_mailings.unit_price: "0.02",
      usage.meters.storage.included: "10", usage.meters.storage.unit_price: "1.00"}"""


def _superoffice(events: str, until: str = "2027-05-10") -> str:
    return f"""
policy: superoffice
until: {until}
contracts:
  - id: nord
    customer: {{name: Nord AS, country: "NO"}}
    start: 2027-02-10
    billing_period: 1 month
    overrides: {SO_OVERRIDES}
    lines:
      - {{item: CRM Online, unit_price: "55.00", per: month, quantity: 2}}
events: [{events}]
"""


MARCH_USE = """
  {date: 2027-03-05, type: usage, contract: nord, meter: mass_mailings, quantity: "600"},
  {date: 2027-03-20, type: usage, contract: nord, meter: mass_mailings, quantity: "700"},
  {date: 2027-03-02, type: usage, contract: nord, meter: storage, quantity: "9"},
  {date: 2027-03-15, type: usage, contract: nord, meter: storage, quantity: "12.4"},
  {date: 2027-03-25, type: usage, contract: nord, meter: storage, quantity: "11"},
  {date: 2027-04-12, type: usage, contract: nord, meter: mass_mailings, quantity: "900"}
"""


def test_superoffice_11_3_overage_added_to_the_next_invoice_period() -> None:
    """11.3 'Gebruik boven het maximumgebruik ... wordt toegevoegd aan de volgende Factuurperiode'.

    Contractdatum 2027-02-10, monthly Factuurperiode from the month change 2027-03-01 (11.1):
    invoices on 03-01, 04-01, 05-01 of 2 x 55.00 = 110.00.
    March: mailings 600 + 700 = 1,300, 300 above 1,000 x 0.02 = 6.00; storage peaks at 12.4 GB,
    2.4 above 10 x 1.00 = 2.40. Both close on 03-31 and ride on the 04-01 invoice:
    110.00 + 6.00 + 2.40 = 118.40. April: 900 mailings <= 1,000: the 05-01 invoice is 110.00.
    """
    result = run(_superoffice(MARCH_USE))
    charged = actions(result, "nord", "usage_charged")
    # in the pack's order of meters: storage first
    assert [(c["date"], c["meter"], c["quantity"], c["overage"], c["amount"], c["billing"],
             c["clauses"]) for c in charged] == [
        ("2027-03-31", "storage", "12.4", "2.4", "2.40", "next_invoice", ["11.3", "1.2"]),
        ("2027-03-31", "mass_mailings", "1300", "300", "6.00", "next_invoice", ["11.3", "1.2"])]
    invoices = actions(result, "nord", "invoice_issued")
    assert [(i["date"], i["amount"], i["invoice_kind"]) for i in invoices] == [
        ("2027-03-01", "110.00", "subscription"), ("2027-04-01", "118.40", "subscription"),
        ("2027-05-01", "110.00", "subscription")]
    assert result.states["nord"].usage.pending == ()


def test_superoffice_11_3_overage_invoiced_when_the_contract_ends_first() -> None:
    """11.3 with 3 ¶5: SuperOffice terminates on 2027-03-21 for a breach of clause 3.

    No Factuurperiode follows, so March's open periods close on the last day, 03-21: storage
    peak 12.4 -> 2.40; mailings 600 + 700 = 1,300 -> 300 x 0.02 = 6.00; a usage invoice of
    8.40 is issued on 03-21 (the measuring period itself is 03-01 .. 03-31).
    """
    events = MARCH_USE.replace(
        "{date: 2027-03-25, type: usage, contract: nord, meter: storage, quantity: \"11\"},",
        "{date: 2027-03-21, type: provider_termination, contract: nord, reason: misuse},")
    result = run(_superoffice(events, until="2027-04-30"))
    charged = actions(result, "nord", "usage_charged")
    assert [(c["date"], c["amount"], c["period_end"]) for c in charged] == [
        ("2027-03-21", "2.40", "2027-03-31"), ("2027-03-21", "6.00", "2027-03-31")]
    usage_invoices = [i for i in actions(result, "nord", "invoice_issued")
                      if i["invoice_kind"] == "usage"]
    assert [(i["date"], i["amount"], i["clauses"]) for i in usage_invoices] == [
        ("2027-03-21", "8.40", ["11.3", "1.2"])]
    # the April reading comes after the end: refused, nothing more charged
    refused = one(result, "nord", "event_refused")
    assert (refused["date"], refused["event"]) == ("2027-04-12", "usage")


def test_superoffice_11_4_extra_service_invoiced_after_delivery() -> None:
    """11.4: approved consultancy is invoiced after it is performed, at the agreed price:
    a purchase event on 2027-03-17 for 750.00 -> invoice of 750.00 that day, due 03-17 + 30
    days = 04-16 (pack payment term)."""
    result = run(_superoffice(
        "{date: 2027-03-17, type: purchase, contract: nord, item: Consultancy, "
        "amount: \"750.00\"}", until="2027-03-31"))
    bought = one(result, "nord", "purchase_charged")
    assert (bought["item"], bought["amount"], bought["billing"], bought["clauses"]) == (
        "Consultancy", "750.00", "immediate", ["11.4"])
    invoice = [i for i in actions(result, "nord", "invoice_issued")
               if i["invoice_kind"] == "purchase"]
    assert [(i["date"], i["amount"], i["due_date"]) for i in invoice] == [
        ("2027-03-17", "750.00", "2027-04-16")]


# --- SmartWeb 10.1 / 10.7: Design Store purchases and the EUR 27 transfer ------------------


def _smartweb(events: str, until: str = "2027-03-31") -> str:
    return f"""
policy: smartweb
until: {until}
contracts:
  - id: shop
    customer: {{name: Shop ApS, country: DK}}
    start: 2027-01-04
    lines:
      - {{item: SmartWeb Shop, unit_price: "50.00", per: month, quantity: 1}}
events: [{events}]
"""


def test_smartweb_10_1_10_7_design_purchase_invoiced_at_once_and_never_refunded() -> None:
    """10.1 Design bought in the Design Store; 10.7 the purchase cannot be cancelled.

    Design bought 2027-02-10 for 149.00: invoiced that day, due 02-10 + 8 days = 02-18 (4.2).
    SmartWeb ends the contract on 2027-02-12 (15.1 (3)): no credit or refund for the Design; the
    customer still owes subscription 6 x 50.00 = 300.00 + 149.00 = 449.00 net, at the
    invoices' totals with 25 % Danish VAT 375.00 + 186.25 = 561.25 (principal, before dunning
    fees). A purchase after the end is refused.
    """
    result = run(_smartweb("""
      {date: 2027-02-10, type: purchase, contract: shop, item: "Design: Nordic", amount: "149.00"},
      {date: 2027-02-12, type: provider_termination, contract: shop, reason: breach},
      {date: 2027-02-14, type: purchase, contract: shop, item: "Design: Alpine", amount: "99.00"}
    """, until="2027-02-16"))
    bought = one(result, "shop", "purchase_charged")
    assert bought == {"date": "2027-02-10", "kind": "purchase_charged", "contract": "shop",
                      "clauses": ["10.1", "10.7"], "item": "Design: Nordic",
                      "amount": "149.00", "billing": "immediate", "cancellable": False,
                      "currency": "EUR"}
    invoices = actions(result, "shop", "invoice_issued")
    assert [(i["date"], i["amount"], i["due_date"], i["invoice_kind"]) for i in invoices] == [
        ("2027-01-04", "300.00", "2027-01-12", "subscription"),
        ("2027-02-10", "149.00", "2027-02-18", "purchase")]
    assert "credit_recorded" not in kinds(result, "shop")
    assert balance(result, "shop")["principal"] == "561.25"
    refused = one(result, "shop", "event_refused")
    assert (refused["date"], refused["event"], refused["reason"]) == (
        "2027-02-14", "purchase", "contract is terminated")


def test_smartweb_10_1_design_transfer_costs_eur_27() -> None:
    """10.1: assisted transfer of a Design 'against a charge of EUR 27': 27.00 is invoiced,
    any other amount is refused."""
    result = run(_smartweb("""
      {date: 2027-01-05, type: payment, contract: shop, amount: "375.00"},
      {date: 2027-03-01, type: purchase, contract: shop, item: Design transfer, amount: "27.00"},
      {date: 2027-03-02, type: purchase, contract: shop, item: Design transfer, amount: "30.00"}
    """))
    bought = one(result, "shop", "purchase_charged")
    assert (bought["date"], bought["amount"], bought["clauses"]) == ("2027-03-01", "27.00",
                                                                     ["10.1"])
    purchase_invoices = [i for i in actions(result, "shop", "invoice_issued")
                         if i["invoice_kind"] == "purchase"]
    assert [(i["date"], i["amount"]) for i in purchase_invoices] == [("2027-03-01", "27.00")]
    refused = one(result, "shop", "event_refused")
    assert refused["reason"] == "the terms fix the price of 'Design transfer' at 27.00"


def test_purchase_refused_where_the_pack_has_no_one_off_items() -> None:
    """ClientCom's terms provide no one-off purchase: the event is refused."""
    result = run("""
policy: clientcom
until: 2027-02-28
contracts:
  - id: cc
    customer: {name: Voice BV, country: BE}
    start: 2027-01-04
    lines:
      - {item: Smart voicemail, unit_price: "30.00", per: month, quantity: 1}
events:
  - {date: 2027-02-01, type: purchase, contract: cc, item: Extra, amount: "10.00"}
""")
    refused = one(result, "cc", "event_refused")
    assert refused["reason"] == "the terms provide no one-off purchase of 'Extra'"
