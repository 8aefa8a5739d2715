"""Issue 19, liability as the German property-software AGB of the issue words it: "unlimited
for injury, intent and gross negligence", a total cap of "25 %" of the fees "of the contract
year", "at most EUR 10,000 per calendar year", computed from the ledger's invoices (not
today's price x 12), with a floor (`minimum`) and per-event or aggregate limits that reset per
calendar or contract year."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from termline.domain.mechanisms.liability.cap import Claim, period_start
from termline.domain.mechanisms.liability.compute import cap_on
from termline.domain.policy.check import check_text
from termline.entrypoints.cli.app import app
from tests.custom_terms import run_one

CUSTOM = Path(__file__).resolve().parent / "fixtures/custom/policy.yaml"
LIABILITY = """
liability:
  clause: "6.1"
  basis: {clause: "6.1", kind: BASIS, percent: "25", aggregate: true, reset: calendar_year}
  minimum: {clause: "6.1", amount: "100.00"}
  maximum: {clause: "6.1", amount: "10000.00", aggregate: true, reset: calendar_year}
  unlimited: {clause: "6.2", kinds: [injury, intent, gross_negligence]}
"""


def policy(tmp_path: Path, basis: str = "contract_year_fees") -> Path:
    text = CUSTOM.read_text("utf-8")
    start, end = text.index("\nliability:"), text.index("\ncoverage:")
    text = text[:start] + LIABILITY.replace("kind: BASIS", f"kind: {basis}") + text[end:]
    if basis == "fees_payable":
        text = text.replace("kind: fees_payable,", "kind: fees_payable, window: 12 months,")
    policy_, problems = check_text(text, "p.yaml")
    assert policy_ is not None, problems
    path = tmp_path / "p.yaml"
    path.write_text(text, "utf-8")
    return path


def book(tmp_path: Path, seats: int = 2, basis: str = "contract_year_fees") -> Any:
    """2 seats x EUR 50 a month invoiced yearly (3.1) from 2027-01-04: EUR 1,200.00; 4 seats
    from 2027-03-04: the 2 added seats pro rata to 2028-01-03, 1200 x 306 / 365 = 1006.03;
    the renewal of 2028-01-04 invoices 4 seats: EUR 2,400.00."""
    return run_one(policy(tmp_path, basis), "2028-02-01", doubled(seats), seats=seats)


def doubled(seats: int) -> str:
    """The seats doubled on 2027-03-04."""
    return (f"[{{date: 2027-03-04, type: seat_change, contract: k, item: ERP Seat, "
            f"quantity: {seats * 2}}}]")


def test_the_fees_of_the_contract_year_come_from_the_ledger(tmp_path: Path) -> None:
    """Event 2027-06-01, contract year 2027-01-04 .. 2028-01-03: 1200.00 + 1006.03 = 2206.03;
    25 % = 551.5075 -> 551.51 (today's price x 12, 4 x 50 x 12 x 25 %, would give 600.00).
    Event 2028-01-10, the next contract year: 2400.00 x 25 % = 600.00."""
    result = book(tmp_path)
    first = cap_on(result, "k", Claim(event=date(2027, 6, 1)))
    assert first.cap == Decimal("551.51")
    assert ("6.1: fees of the contract year 2027-01-04 .. 2028-01-03 (from the invoices of its "
            "periods): 2 invoice(s), 2206.03 EUR") in first.explanation
    assert cap_on(result, "k", Claim(event=date(2028, 1, 10))).cap == Decimal("600.00")


def test_fees_payable_in_a_window_paid_or_not(tmp_path: Path) -> None:
    """fees_payable, 12 months before 2028-02-01 (from 2027-02-01): the invoices of 2027-03-04
    (1006.03) and 2028-01-04 (2400.00), none paid: 3406.03 x 25 % = 851.5075 -> 851.51."""
    result = book(tmp_path, basis="fees_payable")
    assert cap_on(result, "k", Claim(event=date(2028, 2, 1))).cap == Decimal("851.51")


def test_no_cap_for_injury_intent_and_gross_negligence(tmp_path: Path) -> None:
    """6.2 of the modelled text: unlimited for these kinds; data protection is not among them
    here, so the general cap applies to it."""
    result = book(tmp_path)
    for kind in ("injury", "intent", "gross_negligence"):
        found = cap_on(result, "k", Claim(event=date(2027, 6, 1), kind=kind))  # type: ignore[arg-type]
        assert found.cap is None and found.clauses == ("6.2",)
    general = cap_on(result, "k", Claim(event=date(2027, 6, 1), kind="data_protection"))
    assert general.cap == Decimal("551.51")


def test_a_minimum_under_a_percentage_cap(tmp_path: Path) -> None:
    """1 seat x 10 a month: 120.00 + the added seat pro rata 120 x 306 / 365 = 100.60 ->
    220.60 x 25 % = 55.15, below the minimum of 100.00: the cap is 100.00."""
    result = run_one(policy(tmp_path), "2027-06-01", doubled(1), seats=1, price="10.00")
    found = cap_on(result, "k", Claim(event=date(2027, 6, 1)))
    assert found.cap == Decimal("100.00")
    assert "6.1: 25 % of 220.60 EUR = 55.15 EUR" in found.explanation


def test_aggregate_limits_reset_per_calendar_year(tmp_path: Path) -> None:
    """Payouts of 300.00 on 2026-12-01 (the year before) and 100.00 on 2027-02-01 (this
    year): only the 100.00 counts against the yearly limits: 551.51 - 100.00 = 451.51; the
    EUR 10,000 a calendar year leaves 9,900.00 above it. Contract years run from the start
    day and its anniversaries."""
    result = book(tmp_path)
    later = cap_on(result, "k", Claim(event=date(2027, 6, 1), payouts=(
        (date(2026, 12, 1), Decimal("300.00")), (date(2027, 2, 1), Decimal("100.00")))))
    assert later.cap == Decimal("451.51")
    assert period_start("calendar_year", date(2027, 6, 1), date(2027, 1, 4)) == date(2027, 1, 1)
    assert period_start("contract_year", date(2028, 1, 3), date(2027, 1, 4)) == date(2027, 1, 4)
    assert period_start("contract_year", date(2028, 1, 4), date(2027, 1, 4)) == date(2028, 1, 4)
    assert period_start("none", date(2028, 1, 4), date(2027, 1, 4)) is None


def test_the_liability_command_takes_the_kinds_and_dated_payouts(tmp_path: Path) -> None:
    """`termline liability --kind intent`: no contractual cap (6.2); `--payout` dated in the
    year before does not count against the limits that reset per calendar year: 551.51; one
    of this year does: 551.51 - 100.00 = 451.51."""
    path = policy(tmp_path)
    scenario = tmp_path / "s.yaml"
    scenario.write_text(f"""
policy: {path}
until: 2027-06-01
contracts:
  - id: k
    customer: {{name: K GmbH, country: DE}}
    start: 2027-01-04
    overrides: {{term.initial: 12 months}}
    lines:
      - {{item: ERP Seat, unit_price: "50.00", per: month, quantity: 2}}
events: {doubled(2)}
""", "utf-8")
    runner = CliRunner()

    def cap(*args: str) -> Any:
        result = runner.invoke(app, ["liability", str(scenario), "--contract", "k", "--on",
                                     "2027-06-01", "-f", "json", *args])
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)["cap"]

    assert cap("--kind", "intent") is None
    assert cap("--payout", "2026-12-01=300.00") == "551.51"
    assert cap("--payout", "2026-12-01=300.00", "--payout", "2027-02-01=100.00") == "451.51"
    bad = runner.invoke(app, ["liability", str(scenario), "--contract", "k", "--on",
                              "2027-06-01", "--payout", "300"])
    assert bad.exit_code == 2 and "DATE=AMOUNT" in bad.output


def test_the_maximum_binds_per_calendar_year_or_per_event(tmp_path: Path) -> None:
    """"25 %, at most EUR 10,000 per calendar year" (issue 19's German AGB; the same ceiling
    as SmartConnect 13.5, seed 000: "cannot in any circumstances, separately or all together,
    exceed EUR 10,000"). 2 seats x EUR 2,000 a month: 48,000.00 for the contract year from
    2027-01-04, the 2 seats added on 2027-03-04 pro rata 48,000 x 306 / 365 = 40,241.10:
    88,241.10 x 25 % = 22,060.275 -> 22,060.28, above the maximum: 10,000.00. A payout of
    2,500.00 on 2027-02-01 (this calendar year) leaves 10,000 - 2,500 = 7,500.00; one on
    2026-12-01 (the year before) leaves 10,000.00. Per event (aggregate false on the basis
    and the maximum) no payout counts: 10,000.00."""
    result = run_one(policy(tmp_path), "2027-06-01", doubled(2), seats=2, price="2000.00")
    event = date(2027, 6, 1)
    first = cap_on(result, "k", Claim(event=event))
    assert first.cap == Decimal("10000.00")
    assert "6.1: min(22060.28 EUR, maximum 10000.00 EUR) = 10000.00 EUR" in first.explanation
    assert cap_on(result, "k", Claim(event=event, payouts=(
        (date(2027, 2, 1), Decimal("2500.00")),))).cap == Decimal("7500.00")
    assert cap_on(result, "k", Claim(event=event, payouts=(
        (date(2026, 12, 1), Decimal("2500.00")),))).cap == Decimal("10000.00")
    per_event = policy(tmp_path).read_text("utf-8").replace("aggregate: true", "aggregate: false")
    assert per_event.count("aggregate: false") == 2
    path = tmp_path / "per-event.yaml"
    path.write_text(per_event, "utf-8")
    result = run_one(path, "2027-06-01", doubled(2), seats=2, price="2000.00")
    assert cap_on(result, "k", Claim(event=event, payouts=(
        (date(2027, 2, 1), Decimal("2500.00")),))).cap == Decimal("10000.00")
