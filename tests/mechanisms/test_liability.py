"""Liability caps (issue 3, "Liability"): the cap on a date with its arithmetic and clauses.

Each test simulates the scenario through the event date and asks for the cap; expected amounts
are computed by hand from the seed text in the docstrings. "Paid" is cash basis: the money
applied to the contract's items (payment_applied) before the event day. An invoice is paid at
its total including VAT (issue 17); a cap counts what was paid without the VAT (SmartWeb 13.5
says so: "exclusive of VAT"; a licence fee or an amount paid to the provider is likewise the
provider's, the VAT is the state's), so the figures are those of the net prices.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

from typer.testing import CliRunner

import termline.domain.policy  # noqa: F401  (the policy schema first: the rules modules import it)
from scenario_helpers import run
from termline.domain.mechanisms.liability.cap import CapResult, Claim
from termline.domain.mechanisms.liability.compute import cap_on
from termline.entrypoints.cli.app import app


def _cap(scenario: str, contract: str, on: str, **claim: object) -> CapResult:
    day = date.fromisoformat(on)
    return cap_on(run(scenario, until=day), contract, Claim(event=day, **claim))  # type: ignore[arg-type]


def _money(result: CapResult) -> str | None:
    return None if result.cap is None else f"{result.cap:.2f}"


# --- Smartconnect 13.5 ---------------------------------------------------------------------

SC = """
policy: smartconnect
until: 2027-12-31
contracts:
  - id: acme
    customer: {name: Acme NV, country: BE}
    start: 2026-01-05
    overrides: {usage.meters.storage.included: "100", usage.meters.storage.unit_price: "0.50"}
    lines:
      - {item: Smartconnect seat, unit_price: "40.00", per: month, quantity: SEATS}
events:
  - {date: 2026-01-10, type: payment, contract: acme, amount: "PAID"}
  - {date: 2026-02-10, type: usage, contract: acme, meter: storage, quantity: "112.5"}
  - {date: 2026-03-05, type: payment, contract: acme, amount: "7.56"}
  - {date: 2027-01-20, type: payment, contract: acme, amount: "PAID"}
"""


def _sc(seats: int = 5) -> str:
    # each year's invoice at its total, + 21 % Belgian VAT: 5 seats 2400.00 -> 2904.00
    return SC.replace("SEATS", str(seats)).replace(
        "PAID", f"{Decimal(seats * 40 * 12) * Decimal('1.21'):.2f}")


def test_smartconnect_13_5_licence_fees_paid_in_the_12_months_before_the_act() -> None:
    """13.5: 'the total aggregate license fee actually paid ... during the preceding twelve (12)
    months prior to the act or omission'.

    5 seats x 40.00 x 12 = 2,400.00 a year, paid 2026-01-10 and (renewal) 2027-01-20; February
    2026 storage above fair use, 12.5 GB x 0.50 = 6.25 (+ 21 % VAT = 7.5625 -> 7.56), paid
    2026-03-05: not a licence fee. Each year is paid at its total, 2400.00 + 21 % = 2904.00;
    the licence share of it without VAT is 2904.00 x 2400.00 / 2904.00 = 2400.00.
    * act on 2027-01-10: window 2026-01-10 .. 2027-01-09 holds the 2026-01-10 payment: 2,400.00
    * act on 2027-01-11: window 2026-01-11 .. 2027-01-10: only the storage fee: 0.00
    * act on 2027-01-20: the payment of the act's own day does not count: 0.00
    * act on 2027-01-21: window 2026-01-21 .. 2027-01-20: 2,400.00
    """
    caps = {on: _cap(_sc(), "acme", on) for on in
            ("2027-01-10", "2027-01-11", "2027-01-20", "2027-01-21")}
    assert {on: _money(c) for on, c in caps.items()} == {
        "2027-01-10": "2400.00", "2027-01-11": "0.00", "2027-01-20": "0.00",
        "2027-01-21": "2400.00"}
    first = caps["2027-01-10"]
    assert first.clauses == ("13.5",) and first.currency == "EUR"
    assert first.explanation[0] == (
        "13.5: licence fees received 2026-01-10 .. 2027-01-09 (12 months before the event of "
        "2027-01-10): 1 payment(s), 2400.00 EUR")


def test_smartconnect_13_5_never_more_than_eur_10000_all_claims_together() -> None:
    """13.5: 'cannot in any circumstances, separately or all together, exceed EUR 10,000'.

    30 seats x 40.00 x 12 = 14,400.00 paid 2026-01-10; act 2026-06-01: min(14,400, 10,000) =
    10,000.00; with 9,000.00 already paid out: 10,000 - 9,000 = 1,000.00 left.
    """
    assert _money(_cap(_sc(30), "acme", "2026-06-01")) == "10000.00"
    left = _cap(_sc(30), "acme", "2026-06-01", paid_out=Decimal("9000"))
    assert _money(left) == "1000.00"
    assert left.explanation[-1] == "cap: 1000.00 EUR"


# --- SmartWeb 13.5 -------------------------------------------------------------------------

SW = """
policy: smartweb
until: 2027-12-31
contracts:
  - id: shop
    customer: {name: Shop ApS, country: DK}
    start: 2027-01-04
    lines:
      - {item: SmartWeb Shop, unit_price: "PRICE", per: month, quantity: 1}
events:
  - {date: 2027-01-05, type: payment, contract: shop, amount: "PAID"}
  - {date: 2027-02-10, type: purchase, contract: shop, item: "Design: Nordic", amount: "149.00"}
  - {date: 2027-02-12, type: payment, contract: shop, amount: "186.25"}
"""


def test_smartweb_13_5_payments_excl_vat_in_12_months_at_most_eur_2680() -> None:
    """13.5: 'the Customer's payment exclusive of VAT for the 12 months preceding the event ...
    to a maximum of EUR 2,680'.

    50.00/month: first six-month invoice 300.00 (375.00 with 25 % Danish VAT) paid 01-05,
    Design 149.00 (186.25 with VAT) paid 02-12; event 2027-03-01: exclusive of VAT 300.00 +
    149.00 = 449.00 (every payment counts, not only the subscription).
    1,000.00/month: 6,000.00 (7,500.00 with VAT) paid -> min(6,149.00, 2,680.00) = 2,680.00,
    per event: liability already paid out does not lower it.
    """
    small = SW.replace("PRICE", "50.00").replace("PAID", "375.00")
    assert _money(_cap(small, "shop", "2027-03-01")) == "449.00"
    big = SW.replace("PRICE", "1000.00").replace("PAID", "7500.00")
    capped = _cap(big, "shop", "2027-03-01", paid_out=Decimal("2680"))
    assert _money(capped) == "2680.00"
    assert capped.clauses == ("13.5",)
    assert "13.5: min(6149.00 EUR, maximum 2680.00 EUR) = 2680.00 EUR" in capped.explanation


# --- ClientCom 11.2 / 11.3 -----------------------------------------------------------------

CC = """
policy: clientcom
until: 2027-12-31
contracts:
  - id: cc
    customer: {name: Voice BV, country: BE}
    start: 2027-01-04
    lines:
      - {item: Smart voicemail, unit_price: "30.00", per: month, quantity: 1}
events:
""" + "".join(f"  - {{date: 2027-{m:02d}-10, type: payment, contract: cc, amount: \"36.30\"}}\n"
              for m in range(1, 8))


def test_clientcom_11_3_six_months_of_payments_when_no_insurance_pays() -> None:
    """11.3: 'the amount paid by the User to ClientCom in the six months prior to the
    loss-causing event'.

    30.00 + 21 % VAT = 36.30 paid on the 10th of January .. July 2027 (30.00 of it without
    VAT). Event 2027-08-10: window 02-10 .. 08-09,
    payments of February .. July = 6 x 30.00 = 180.00. Event 2027-08-11: window 02-11 ..
    08-10, March .. July = 150.00.
    """
    on_10 = _cap(CC, "cc", "2027-08-10")
    assert _money(on_10) == "180.00"
    assert on_10.clauses == ("11.2", "11.3")
    assert _money(_cap(CC, "cc", "2027-08-11")) == "150.00"


def test_clientcom_11_2_insurer_payout_plus_excess() -> None:
    """11.2: 'limited to the amount paid out by the insurer ... plus the excess to be borne by
    ClientCom': 5,000.00 + 1,000.00 = 6,000.00."""
    result = _cap(CC, "cc", "2027-08-10", insurance_payout=Decimal("5000"),
                  excess=Decimal("1000"))
    assert (_money(result), result.clauses) == ("6000.00", ("11.2",))


def test_clientcom_11_1_no_cap_for_intent_or_gross_negligence(tmp_path: Path) -> None:
    """11.1: 'Except in the case of intent or gross negligence, ClientCom shall only be liable
    for damage as described in the following paragraphs': a claim of intent or gross
    negligence has no contractual cap (citing 11.1; issue 19: `liability --kind` printed the
    general cap); any other claim keeps 11.3's 180.00 of the same day (6 x 30.00 paid in the
    six months before 2027-08-10), data protection included (11.1 does not name it)."""
    for kind in ("intent", "gross_negligence"):
        found = _cap(CC, "cc", "2027-08-10", kind=kind)
        assert (found.cap, found.clauses) == (None, ("11.1",))
        assert f"11.1: {kind.replace('_', ' ')}: liability without a cap" in found.explanation
    assert _money(_cap(CC, "cc", "2027-08-10", kind="data_protection")) == "180.00"
    assert _money(_cap(CC, "cc", "2027-08-10")) == "180.00"
    path = tmp_path / "cc.yaml"
    path.write_text(CC, "utf-8")
    result = runner.invoke(app, ["liability", str(path), "--contract", "cc", "--on",
                                 "2027-08-10", "--kind", "intent", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert (json.loads(result.stdout)["cap"], json.loads(result.stdout)["clauses"]) == (
        None, ["11.1"])


# --- SuperOffice 7 -------------------------------------------------------------------------

SO = """
policy: superoffice
until: 2027-12-31
contracts:
  - id: nord
    customer: {name: Nord AS, country: "NO"}
    start: 2027-02-10
    billing_period: 1 month
    lines:
      - {item: CRM Online, unit_price: "55.00", per: month, quantity: 2}
events:
  - {date: 2027-05-10, type: seat_change, contract: nord, item: CRM Online, quantity: 3}
"""


def test_superoffice_7_one_contract_term_of_fees_for_the_whole_contract() -> None:
    """7 ¶4: liability 'voor de volledige duur van het Contract beperkt tot de compensatie voor
    één Contracttermijn', read as 12 months of fees.

    Event 2027-04-01: 2 users x 55.00 x 12 = 1,320.00; with 320.00 already paid out under the
    contract: 1,000.00. Event 2027-06-01, after the third user (05-10): 3 x 55.00 x 12 =
    1,980.00 (the price list in force on the event day).
    """
    assert _money(_cap(SO, "nord", "2027-04-01")) == "1320.00"
    left = _cap(SO, "nord", "2027-04-01", paid_out=Decimal("320"))
    assert (_money(left), left.clauses) == ("1000.00", ("7",))
    assert _money(_cap(SO, "nord", "2027-06-01")) == "1980.00"


# --- SmartTrackers 11.1, 11.4, 11.5 --------------------------------------------------------

ST = """
policy: smarttrackers
until: 2028-12-31
contracts:
  - id: kpi
    customer: {name: KPI BV, country: NL}
    start: 2027-01-01
    overrides: OVERRIDES
    lines:
      - {item: Tracker users, unit_price: "25.00", per: month, quantity: 3}
      - {item: Compliance module, unit_price: "600.00", per: year, quantity: 1}
events: []
"""


def _st(overrides: str = "{}") -> str:
    return ST.replace("OVERRIDES", overrides)


def test_smarttrackers_11_1_price_of_the_agreement_one_year_at_most() -> None:
    """11.1: the price stipulated for the agreement (excl. VAT); one year of fees for a longer
    continuing agreement.

    Fees per month: 3 x 25.00 + 600.00 / 12 = 75.00 + 50.00 = 125.00.
    * 1-year term: 12 x 125.00 = 1,500.00 (event 2027-03-01).
    * initial term of 6 months (term.initial override): the agreement's price is 6 x 125.00 =
      750.00 (event 2027-03-01); after the renewal for 12 months (event 2027-08-01): 1,500.00.
    """
    assert _money(_cap(_st(), "kpi", "2027-03-01")) == "1500.00"
    short = _st('{term.initial: "6 months"}')
    assert _money(_cap(short, "kpi", "2027-03-01")) == "750.00"
    assert _money(_cap(short, "kpi", "2027-08-01")) == "1500.00"


def test_smarttrackers_11_1_total_liability_never_above_eur_100000() -> None:
    """11.1: 'In no event shall SmartTrackers's total liability ... exceed EUR 100,000'.

    10 users at 1,000.00/month: 12 x (10,000.00 + 50.00) = 120,600.00 -> 100,000.00; with
    99,000.00 paid out: 1,000.00."""
    big = _st().replace("unit_price: \"25.00\", per: month, quantity: 3",
                        "unit_price: \"1000.00\", per: month, quantity: 10")
    assert _money(_cap(big, "kpi", "2027-03-01")) == "100000.00"
    assert _money(_cap(big, "kpi", "2027-03-01", paid_out=Decimal("99000"))) == "1000.00"


def test_smarttrackers_11_5_injury_or_property_damage_eur_1250000() -> None:
    """11.5: damage from death, physical injury or material damage to property never exceeds
    EUR 1,250,000: that cap, not the 11.1 cap."""
    result = _cap(_st(), "kpi", "2027-03-01", kind="injury")
    assert (_money(result), result.clauses) == ("1250000.00", ("11.5",))


def test_smarttrackers_11_4_damage_reported_within_one_month_of_discovery() -> None:
    """11.4: a report 'no later than within one (1) month' after discovery is a condition.

    Discovered 2027-01-31: deadline 2027-02-28 (one month, clamped to February's end).
    Reported 02-28: on time, cap 1,500.00; reported 03-01: no right to compensation, 0.00.
    Without a discovery date the condition is listed.
    """
    on_time = _cap(_st(), "kpi", "2027-03-15", discovered=date(2027, 1, 31),
                   reported=date(2027, 2, 28))
    assert (_money(on_time), on_time.clauses) == ("1500.00", ("11.4", "11.1"))
    late = _cap(_st(), "kpi", "2027-03-15", discovered=date(2027, 1, 31),
                reported=date(2027, 3, 1))
    assert (_money(late), late.clauses) == ("0.00", ("11.4",))
    assert "after the deadline 2027-02-28" in late.explanation[0]
    open_claim = _cap(_st(), "kpi", "2027-03-15")
    assert open_claim.conditions == ("11.4: compensation only if the damage is reported in "
                                     "writing within 1 month of discovery",)


# --- the command ---------------------------------------------------------------------------

runner = CliRunner()


def test_cli_liability_json_gives_cap_currency_clauses_explanation(tmp_path: Path) -> None:
    """`termline liability SCENARIO --contract ID --on DATE --format json` (SmartTrackers 11.5
    injury: 1,250,000.00; 11.1 otherwise: 1,500.00)."""
    path = tmp_path / "st.yaml"
    path.write_text(_st(), "utf-8")
    result = runner.invoke(app, ["liability", str(path), "--contract", "kpi", "--on",
                                 "2027-03-01", "--format", "json", "--kind", "injury"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["cap"], data["currency"], data["clauses"]) == ("1250000.00", "EUR", ["11.5"])
    assert data["explanation"] and data["contract"] == "kpi" and data["on"] == "2027-03-01"
    table = runner.invoke(app, ["liability", str(path), "--contract", "kpi", "--on",
                                "2027-03-01"])
    assert table.exit_code == 0, table.output
    assert "1500.00 EUR" in table.stdout and "11.1" in table.stdout


def test_cli_liability_unknown_contract_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "st.yaml"
    path.write_text(_st(), "utf-8")
    result = runner.invoke(app, ["liability", str(path), "--contract", "nope", "--on",
                                 "2027-03-01"])
    assert result.exit_code == 2
    assert "no contract 'nope'" in result.output
