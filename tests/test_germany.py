"""Issue 19, Germany: statutory interest at the Bundesbank's base rate + 9 points, the EUR 40
lump sum offset against collection costs, regional holiday calendars, and statutory interest
refused for a country whose rates neither ship nor stand in the policy.

The text that needs these is the German property-software provider's AGB of issue 19, whose
late-payment clause refers to the statute; the statute's own words are modelled:
- § 288 (2) BGB: "Bei Rechtsgeschäften, an denen ein Verbraucher nicht beteiligt ist, beträgt
  der Zinssatz für Entgeltforderungen neun Prozentpunkte über dem Basiszinssatz."
- § 288 (5) BGB: "... einen Anspruch auf Zahlung einer Pauschale in Höhe von 40 Euro. ... Die
  Pauschale nach Satz 1 ist auf einen geschuldeten Schadensersatz anzurechnen, soweit der
  Schaden in Kosten der Rechtsverfolgung begründet ist."
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from termline.domain.policy.check import check_text
from termline.domain.rates.table import builtin_rates
from termline.domain.values.calendar import Calendar
from tests.scenario_helpers import balance, run

CUSTOM = Path(__file__).resolve().parent / "fixtures/custom/policy.yaml"


def german(tmp_path: Path, interest: str = "  method: statutory\n  jurisdiction: DE\n",
           ladder: str | None = None) -> Path:
    """The custom policy as a German provider's: Berlin's holidays, German law (so the seller
    charges German VAT, 19 % § 12 (1) UStG, to a German customer), statutory interest, the
    lump sum offset against collection costs, reminders with a EUR 5 fee and collection costs
    of 15 % after the third."""
    text = CUSTOM.read_text("utf-8").replace("calendar: BE", "calendar: DE-BE")
    text = text.replace("governing_law: BE", "governing_law: DE")
    start, end = text.index("\ndunning:"), text.index("\ncompensation:")
    text = text[:start] + (ladder or """
dunning:
  clause: "4.1"
  steps:
    - {name: reminder_1, kind: reminder, clause: "4.1", after: 10 days, from: due_date,
       fee: "5.00"}
    - {name: reminder_2, kind: reminder, clause: "4.1", after: 10 days, from: previous_step,
       fee: "5.00"}
    - {name: collection, kind: collection, clause: "4.3", after: 10 days,
       from: previous_step, percent_of_principal: "15"}

interest:
  clause: "4.2"
""" + interest) + text[end:]
    text = text.replace('  amount: "40.00"\n', '  amount: "40.00"\n  offset: collection_costs\n')
    path = tmp_path / "de.yaml"
    path.write_text(text, "utf-8")
    return path


# Issue 17: the open item is the invoice total incl. VAT: 1,200.00 net + 19 % = 1,428.00; the
# payment pays that total and names the invoice (else payment.allocation oldest_first would
# give the EUR 40 lump sum its share first, § 367 BGB: costs, interest, then principal).
def scenario(policy: Path, start: str, pay: str | None, until: str) -> str:
    events = (f'  - {{date: {pay}, type: payment, contract: k, amount: "1428.00", '
              f'invoice: k-0001}}\n'
              if pay else "  []\n")
    return f"""
policy: {policy}
until: {until}
contracts:
  - id: k
    customer: {{name: Kunde GmbH, country: DE}}
    start: {start}
    overrides: {{term.initial: 12 months}}
    lines:
      - {{item: ERP Seat, unit_price: "50.00", per: month, quantity: 2}}
events:
{events}"""


def test_the_german_base_rates_ship_as_dated_data_plus_nine_points() -> None:
    """Bundesbank base rate 1 Jan 2025 2.27 %, 1 Jul 2025 1.27 %: + 9 = 11.27 and 10.27."""
    table = builtin_rates()
    assert table.rate_on("DE", date(2025, 3, 1))[0].rate == Decimal("11.27")
    assert table.rate_on("DE", date(2025, 7, 1))[0].rate == Decimal("10.27")
    assert table.change_dates("DE")[:2] == (date(2024, 1, 1), date(2024, 7, 1))


def test_statutory_interest_across_a_half_year_at_base_plus_nine(tmp_path: Path) -> None:
    """EUR 1,200.00 net (2 seats x 50 x 12 months, 3.1) + 19 % VAT = 1,428.00 invoiced
    2025-05-16, due 30 days later (3.2): 2025-06-15; paid 2025-07-15. § 288 (2) BGB on the
    Entgeltforderung incl. VAT (interest.base gross, issue 17): 16 days at 11.27 % (to 1 July)
    and 14 days at 10.27 %: 1428 x (0.1127 x 16 + 0.1027 x 14) / 365 = 12.6799 -> EUR 12.68."""
    result = run(scenario(german(tmp_path), "2025-05-16", "2025-07-15", "2025-07-16"))
    (interest,) = [a for a in result.of("k") if a.kind == "interest_charged"]
    assert interest.date == date(2025, 7, 15)
    assert interest.get("amount") == Decimal("12.68")


def test_the_lump_sum_is_offset_against_reminder_fees_and_collection_costs(
        tmp_path: Path) -> None:
    """Invoice 2025-01-06 (a Monday) due 2025-02-05. § 288 (5): EUR 40 on 02-06; the reminders
    of 02-15 and 02-25 (EUR 5 each) are costs of collection the lump sum already covers: 0
    charged, 5 offset each; the collection costs of 03-07, 15 % of the unpaid 1,428.00
    (1,200 net + 19 % VAT, issue 17) = 214.20, add only what exceeds the lump:
    max(40, 10 + 214.20) - max(40, 10) = 184.20 (offset 30). The invoice bears
    40 + 184.20 = 224.20 = max(40, 224.20), not 40 + 5 + 5 + 214.20 = 264.20."""
    result = run(scenario(german(tmp_path), "2025-01-06", None, "2025-03-10"))
    costs = [(a.kind, a.date, dict(a.fields).get("amount", dict(a.fields).get("fee")),
              dict(a.fields).get("offset"))
             for a in result.of("k") if a.kind in (
                 "compensation_charged", "reminder_sent", "collection_costs_charged")]
    assert costs == [
        ("compensation_charged", date(2025, 2, 6), Decimal("40.00"), None),
        ("reminder_sent", date(2025, 2, 15), Decimal("0.00"), Decimal("5.00")),
        ("reminder_sent", date(2025, 2, 25), Decimal("0.00"), Decimal("5.00")),
        ("collection_costs_charged", date(2025, 3, 7), Decimal("184.20"), Decimal("30.00")),
    ]
    assert Decimal(balance(result, "k")["fees"]) == Decimal("224.20")


def test_without_the_offset_the_lump_sum_stacks(tmp_path: Path) -> None:
    """The same ladder where the terms stack them (BE law of 2 August 2002 art. 6 has no
    offset): 40 + 5 + 5 + 15 % x 1,428.00 (214.20) = 264.20."""
    path = german(tmp_path)
    path.write_text(path.read_text("utf-8").replace("  offset: collection_costs\n", ""))
    result = run(scenario(path, "2025-01-06", None, "2025-03-10"))
    assert Decimal(balance(result, "k")["fees"]) == Decimal("264.20")


def test_berlin_holidays_through_the_regional_calendar(tmp_path: Path) -> None:
    """International Women's Day, 8 March, is a public holiday in Berlin (since 2019), not in
    Germany as a whole: DE-BE does not count Monday 2027-03-08 as a business day."""
    assert not Calendar("DE-BE").is_business_day(date(2027, 3, 8))
    assert Calendar("DE").is_business_day(date(2027, 3, 8))
    assert Calendar("DE-BE").add_business_days(date(2027, 3, 5), 1) == date(2027, 3, 9)
    policy, problems = check_text(german(tmp_path).read_text("utf-8"), "de.yaml")
    assert policy is not None and policy.calendar == "DE-BE"
    _, problems = check_text(german(tmp_path).read_text("utf-8").replace("DE-BE", "DE-BER"),
                             "de.yaml")
    (problem,) = [p for p in problems if p.severity == "error"]
    assert problem.where == "calendar" and "did you mean 'DE-BE'?" in problem.message


def test_statutory_interest_for_a_country_with_no_rates_is_refused_naming_how(
        tmp_path: Path) -> None:
    """Austria (§ 456 UGB: 9.2 points over the base rate) ships no table: check refuses it on
    the jurisdiction's line, naming interest.rates; with the rates in the policy it runs:
    1,428.00 (1,200 net + 19 % VAT) x 12.5 % x 30 / 365 = 14.6712 -> EUR 14.67."""
    path = german(tmp_path, "  method: statutory\n  jurisdiction: AT\n")
    text = path.read_text("utf-8")
    _, problems = check_text(text, "at.yaml")
    (problem,) = [p for p in problems if p.severity == "error"]
    assert problem.where == "interest.jurisdiction"
    assert problem.line == text.splitlines().index("  jurisdiction: AT") + 1
    assert "no statutory interest rates ship for 'AT'" in problem.message
    assert "interest.rates" in problem.message
    path = german(tmp_path, '  method: statutory\n  jurisdiction: AT\n'
                            '  rates: {2025-01-01: "12.5"}\n')
    policy, problems = check_text(path.read_text("utf-8"), "at.yaml")
    assert policy is not None, problems
    result = run(scenario(path, "2025-01-06", "2025-03-07", "2025-03-08"))
    (interest,) = [a for a in result.of("k") if a.kind == "interest_charged"]
    assert interest.get("amount") == Decimal("14.67")
