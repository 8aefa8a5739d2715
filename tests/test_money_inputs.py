"""Money and text that must never be wrong (issue 8): refused at the door with file, line and
field, the same in a scenario as in the store's intake."""

from __future__ import annotations

import pytest

from termline.domain.contract import parse_scenario
from termline.domain.errors import ScenarioError

SCENARIO = """\
policy: smartweb
until: 2027-12-31
contracts:
  - id: acme
    customer: {{name: {name}, country: DK}}
    start: 2027-01-04
    lines:
      - {{item: SmartWeb Shop, unit_price: {price}, per: month, quantity: 1}}
events:
  - {{date: 2027-01-10, type: payment, contract: acme, amount: {amount}}}
"""


def _parse(price: str = '"50.00"', amount: str = '"300.00"', name: str = "Acme ApS") -> None:
    parse_scenario(SCENARIO.format(price=price, amount=amount, name=name), "book.yaml")


@pytest.mark.parametrize(("price", "message"), [
    ('"-50.00"', "greater than 0"),  # today: a stored invoice of -300.00
    ('"0"', "greater than 0"),
    ('"1e30"', "out of range"),
    ('"50.00001"', "more than 4 decimals"),
    ('"NaN"', "finite number"),
    ('"Infinity"', "finite number"),
])
def test_a_unit_price_that_is_not_a_price_is_refused_with_its_line(price: str,
                                                                   message: str) -> None:
    with pytest.raises(ScenarioError, match=message) as err:
        _parse(price=price)
    assert (err.value.source, err.value.line) == ("book.yaml", 8)
    assert err.value.field == "contracts.0.lines.0.unit_price"


@pytest.mark.parametrize(("amount", "message"), [
    ('"0.00001"', "more than 4 decimals"),
    ('"0.001"', "more decimals than EUR has"),  # SmartWeb bills in EUR: cents, no less
    ('"1e400"', "out of range"),
    ('"1000000000000000.00"', "out of range"),  # NUMERIC(19,4) overflow on PostgreSQL
    ('"-5.00"', "greater than 0"),
])
def test_a_payment_amount_the_currency_cannot_hold_is_refused_with_its_line(
        amount: str, message: str) -> None:
    with pytest.raises(ScenarioError, match=message) as err:
        _parse(amount=amount)
    assert (err.value.line, err.value.field) == (10, "events.0.amount")


def test_four_decimal_unit_prices_are_prices() -> None:
    """Per-unit prices may go below the cent (0.0125 per GB): four decimals pass."""
    _parse(price='"0.0125"')


def test_a_contract_worth_more_than_the_store_can_count_is_refused() -> None:
    """9,000,000,000,000 a month is 108,000,000,000,000 a year: beyond 10^13."""
    with pytest.raises(ScenarioError, match="out of range") as err:
        _parse(price='"9000000000000"')
    assert err.value.field == "contracts.0.lines"


def test_a_nul_byte_is_refused_with_its_field() -> None:
    with pytest.raises(ScenarioError, match="contains a NUL byte") as err:
        _parse(name='"Acme\\0 ApS"')
    assert (err.value.line, err.value.field) == (5, "contracts.0.customer.name")


def test_text_longer_than_the_store_keeps_is_refused() -> None:
    with pytest.raises(ScenarioError, match="at most 400 characters") as err:
        _parse(name="A" * 401)
    assert err.value.field == "contracts.0.customer.name"
    long_id = SCENARIO.replace("id: acme", "id: " + "c" * 101).replace(
        "contract: acme", "contract: " + "c" * 101)
    with pytest.raises(ScenarioError, match="at most 100 characters"):
        parse_scenario(long_id.format(price='"50.00"', amount='"1.00"', name="A"), "b.yaml")


def test_a_country_is_two_letters() -> None:
    with pytest.raises(ScenarioError, match="pattern") as err:
        parse_scenario(SCENARIO.replace("country: DK", "country: DNK").format(
            price='"50.00"', amount='"1.00"', name="A"), "b.yaml")
    assert err.value.field == "contracts.0.customer.country"
