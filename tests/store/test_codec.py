"""The generic state codec: any ContractState survives JSON and back, unchanged."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from termline.engine import simulate_scenario
from termline.engine.state import ContractState
from termline.policy import BUILTIN_PACKS
from termline.scenario import parse_scenario
from termline.store.codec import CodecError, decode, encode
from tests.store.books import scenario_text


def roundtrip(value: object, tp: object) -> object:
    return decode(tp, json.loads(json.dumps(encode(value, tp))))


@pytest.mark.parametrize("pack", BUILTIN_PACKS)
def test_every_state_of_a_pack_simulation_round_trips(pack: str) -> None:
    scenario = parse_scenario(scenario_text(pack))
    for until in (date(2027, 2, 15), date(2027, 8, 1), date(2028, 3, 31)):
        result = simulate_scenario(scenario, until)
        for state in result.states.values():
            assert roundtrip(state, ContractState) == state


# Finite decimals only: NaN is not equal to itself and no state holds one.
_decimals = st.decimals(allow_nan=False, allow_infinity=False, places=4,
                        min_value=Decimal("-1e12"), max_value=Decimal("1e12"))
st.register_type_strategy(Decimal, _decimals)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.from_type(ContractState))
def test_any_generated_state_round_trips(state: ContractState) -> None:
    assert roundtrip(state, ContractState) == state


@dataclass(frozen=True)
class Inner:
    when: datetime
    amounts: tuple[Decimal, ...] = ()


@dataclass(frozen=True)
class Outer:
    tag: str
    inner: Inner | None
    pair: tuple[date, int | Decimal]
    flags: frozenset[str] = frozenset()
    table: dict[str, Inner] | None = None
    yes: bool = False


def test_nested_unions_timestamps_and_sets_round_trip() -> None:
    stamp = datetime(2027, 3, 1, 9, 30, tzinfo=timezone(timedelta(hours=1)))
    value = Outer("x", Inner(stamp, (Decimal("1.10"), Decimal("-0.0001"))),
                  (date(2027, 1, 31), Decimal("2.5")), frozenset({"b", "a"}),
                  {"k": Inner(stamp)}, True)
    encoded = encode(value, Outer)
    assert encoded["pair"] == ["2027-01-31", ["Decimal", "2.5"]]
    assert encoded["flags"] == ["a", "b"]
    assert roundtrip(value, Outer) == value
    assert str(roundtrip(value, Outer).inner.amounts[0]) == "1.10"  # type: ignore[attr-defined]


def test_defaults_are_left_out_and_missing_fields_take_them() -> None:
    assert encode(ContractState(), ContractState) == {}
    assert decode(ContractState, {}) == ContractState()


def test_unknown_fields_and_wrong_types_are_errors() -> None:
    with pytest.raises(CodecError, match="no field"):
        decode(ContractState, {"nope": 1})
    with pytest.raises(CodecError):
        decode(ContractState, {"seq": "3"})
    with pytest.raises(CodecError):
        encode(1.5, float)
