"""Bad input gets an error naming the file, the line and the field; nothing runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from termline.domain.contract import parse_scenario
from termline.domain.errors import PolicyError, ScenarioError
from termline.domain.policy import load_policy_file
from termline.domain.policy.policy_file import BUILTIN_PACKS, load_pack

PACKS_DIR = Path(__file__).parent.parent / "src/termline/domain/policy/packs"

GOOD = """\
policy: smartweb
until: 2027-12-31
contracts:
  - id: acme
    customer: {name: Acme ApS}
    start: 2027-01-04
    lines:
      - {item: SmartWeb Shop, unit_price: "50.00", per: month, quantity: 1}
events:
  - {date: 2027-01-10, type: payment, contract: acme, amount: "300.00"}
"""


@pytest.mark.parametrize("pack", BUILTIN_PACKS)
def test_every_builtin_pack_validates(pack: str) -> None:
    policy = load_pack(pack)
    assert policy.pack == pack
    assert policy.source.governing_law


def test_good_scenario_parses() -> None:
    scenario = parse_scenario(GOOD, "good.yaml")
    assert [c.id for c in scenario.contracts] == ["acme"]


def test_unknown_event_type_names_line_and_field() -> None:
    text = GOOD.replace("type: payment", "type: refund")
    with pytest.raises(ScenarioError) as err:
        parse_scenario(text, "s.yaml")
    assert err.value.line == 10
    assert err.value.field == "events.0.type"
    assert "unknown event type 'refund'" in str(err.value)


def test_missing_event_field_names_it() -> None:
    text = GOOD.replace(', amount: "300.00"', "")
    with pytest.raises(ScenarioError) as err:
        parse_scenario(text, "s.yaml")
    assert err.value.field == "events.0.amount"
    assert err.value.line == 10


def test_float_amount_is_refused() -> None:
    text = GOOD.replace('unit_price: "50.00"', "unit_price: 50.1")
    with pytest.raises(ScenarioError) as err:
        parse_scenario(text, "s.yaml")
    assert err.value.field == "contracts.0.lines.0.unit_price"
    assert err.value.line == 8
    assert "floats lose cents" in str(err.value)


def test_bad_date_is_refused_with_its_line() -> None:
    text = GOOD.replace("start: 2027-01-04", "start: 2027-02-30")
    with pytest.raises(ScenarioError) as err:
        parse_scenario(text, "s.yaml")
    assert (err.value.field, err.value.line) == ("contracts.0.start", 6)


def test_event_for_unknown_contract() -> None:
    text = GOOD.replace("contract: acme", "contract: acne")
    with pytest.raises(ScenarioError, match="no contract with id 'acne'") as err:
        parse_scenario(text, "s.yaml")
    assert err.value.line == 10


def test_override_not_marked_overridable_is_refused() -> None:
    text = GOOD.replace("    start: 2027-01-04\n",
                        "    start: 2027-01-04\n    overrides: {payment.term: 30 days}\n")
    with pytest.raises(ScenarioError, match="not overridable") as err:
        parse_scenario(text, "s.yaml")
    assert err.value.line == 7


def test_unknown_top_level_key() -> None:
    with pytest.raises(ScenarioError, match="unknown field") as err:
        parse_scenario(GOOD + "extra: 1\n", "s.yaml")
    assert err.value.line == 11


def test_policy_error_names_file_line_and_field(tmp_path: Path) -> None:
    text = (PACKS_DIR / "smartweb.yaml").read_text()
    broken = text.replace("  term: 8 days", "  term: eight days")
    path = tmp_path / "p.yaml"
    path.write_text(broken)
    with pytest.raises(PolicyError) as err:
        load_policy_file(path)
    line = broken.splitlines().index("  term: eight days") + 1
    assert (err.value.source, err.value.line, err.value.field) == (str(path), line, "payment.term")
    assert "not a duration" in str(err.value)


def test_policy_rule_without_clause_is_refused(tmp_path: Path) -> None:
    text = (PACKS_DIR / "smartweb.yaml").read_text()
    broken = text.replace('payment:\n  clause: "4.2"\n', "payment:\n")
    path = tmp_path / "p.yaml"
    path.write_text(broken)
    with pytest.raises(PolicyError) as err:
        load_policy_file(path)
    assert err.value.field == "payment.clause"
