"""The test suite's custom provider (LedgerLoop BV, tests/fixtures/custom): its policy with
sections replaced as a test needs, and one contract run under it."""

from __future__ import annotations

from pathlib import Path

from termline.domain.engine import SimulationResult
from tests.scenario_helpers import run

CUSTOM = Path(__file__).resolve().parent / "fixtures/custom/policy.yaml"


def custom_policy(tmp_path: Path, *replacements: tuple[str, str], extra: str = "") -> Path:
    """The custom policy with each (old, new) replaced (old must be there) and `extra`
    appended, written to tmp_path/p.yaml."""
    text = CUSTOM.read_text("utf-8")
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / "p.yaml"
    path.write_text(text + extra, "utf-8")
    return path


def run_one(policy: Path, until: str, events: str = "[]", *, start: str = "2027-01-04",
            seats: int = 2, price: str = "50.00", per: str = "month",
            contract: str = "") -> SimulationResult:
    """Contract `k` (K BV, BE) under `policy`, its initial term 12 months (2.1)."""
    return run(f"""
policy: {policy}
until: {until}
contracts:
  - id: k
    customer: {{name: K BV, country: BE}}
    start: {start}
    overrides: {{term.initial: 12 months}}{contract}
    lines:
      - {{item: ERP Seat, unit_price: "{price}", per: {per}, quantity: {seats}}}
events: {events}
""")
