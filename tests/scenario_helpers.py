"""Small helpers for scenario tests: run a YAML scenario and pick actions out of the result."""

from __future__ import annotations

import textwrap
from datetime import date
from typing import Any

from termline.domain.contract import parse_scenario
from termline.domain.engine import SimulationResult, simulate_scenario


def run(yaml_text: str, until: date | None = None) -> SimulationResult:
    return simulate_scenario(parse_scenario(textwrap.dedent(yaml_text), "<test>"), until)


def actions(result: SimulationResult, contract: str, kind: str | None = None
            ) -> list[dict[str, Any]]:
    return [a.to_json() for a in result.of(contract) if kind is None or a.kind == kind]


def kinds(result: SimulationResult, contract: str) -> list[str]:
    return [a.kind for a in result.of(contract)]


def one(result: SimulationResult, contract: str, kind: str) -> dict[str, Any]:
    found = actions(result, contract, kind)
    assert len(found) == 1, f"expected one {kind}, got {found}"
    return found[0]


def balance(result: SimulationResult, contract: str) -> dict[str, Any]:
    return next(b.to_json() for b in result.balances if b.contract == contract)
