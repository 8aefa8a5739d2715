"""Issue 19, prices and charges as the issue's texts word them: a quantity billed "per started
100 lines" (the use above the allowance rounded up to a block)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from tests.scenario_helpers import run

CUSTOM = Path(__file__).resolve().parent / "fixtures/custom/policy.yaml"
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
    text = CUSTOM.read_text("utf-8")
    at = text.index("\nprices:")
    path = tmp_path / "p.yaml"
    path.write_text(text[:at] + USAGE + text[at:], "utf-8")
    return path


@pytest.mark.parametrize(("used", "blocks", "amount"), [
    ("1250", "3", "15.00"), ("1300", "3", "15.00"), ("1301", "4", "20.00"),
    ("1000", None, None)])
def test_use_above_the_allowance_per_started_block(tmp_path: Path, used: str,
                                                   blocks: str | None, amount: str | None
                                                   ) -> None:
    """EUR 5.00 per started 100 lines above 1,000 in a calendar month: 1,250 lines are 250
    over, 3 started blocks, EUR 15.00; 1,300: 3 blocks; 1,301: 4 blocks, EUR 20.00; 1,000:
    nothing. Billed when the month closes (2027-02-28), on its own invoice."""
    result = run(f"""
policy: {policy(tmp_path)}
until: 2027-03-02
contracts:
  - id: k
    customer: {{name: K BV, country: BE}}
    start: 2027-01-04
    overrides: {{term.initial: 12 months}}
    lines:
      - {{item: ERP Seat, unit_price: "50.00", per: month, quantity: 1}}
events:
  - {{date: 2027-02-10, type: usage, contract: k, meter: lines, quantity: "{used}"}}
""")
    charged = [a for a in result.of("k") if a.kind == "usage_charged"]
    if blocks is None:
        assert charged == []
        return
    (act,) = charged
    assert act.date == date(2027, 2, 28)
    assert act.get("blocks") == blocks and act.get("block") == "100"
    assert act.get("amount") == Decimal(amount or "0")
    assert act.get("overage") == str(int(used) - 1000)
