"""The generic state codec: any ContractState survives JSON and back, unchanged."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from termline.adapters.sql.codec import CodecError, Reuse, decode, encode
from termline.devtools.behaviour import customer_responder
from termline.devtools.synthetic import synthetic_book
from termline.domain.contract import parse_scenario
from termline.domain.engine import simulate_scenario
from termline.domain.engine.extension_states import NO_STATES, ExtensionStates
from termline.domain.engine.simulate import simulate
from termline.domain.engine.state import ContractState, InvoiceLine, Item
from termline.domain.mechanisms.pricing.state import PricingState
from termline.domain.policy import BUILTIN_PACKS
from termline.domain.values.records import replace
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
# No mechanism beyond the built-in ones is installed here: their states are tested with one
# that is (tests/test_extension_point.py).
st.register_type_strategy(ExtensionStates, st.just(NO_STATES))


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


def stored_text(state: ContractState) -> str:
    """The text the store keeps for a state (repository.dumps: compact, UTF-8 kept)."""
    return json.dumps(encode(state, ContractState), ensure_ascii=False, separators=(",", ":"))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000),
       until=st.dates(min_value=date(2027, 1, 1), max_value=date(2028, 12, 31)))
def test_simulated_states_round_trip_and_store_a_stable_text(seed: int, until: date) -> None:
    """The persistent run decodes a contract's stored state, steps it and stores it again every
    day: whatever day a synthetic book is stopped on, each state comes back equal and its text
    does not drift when it is decoded and encoded again (codec speed-up: output unchanged)."""
    book = synthetic_book(8, date(2027, 1, 1), seed=seed)
    result = simulate(book.contracts, book.policies, book.events, until,
                      respond=customer_responder(book.behaviours))
    for state in result.states.values():
        text = stored_text(state)
        back: ContractState = decode(ContractState, json.loads(text))
        assert back == state
        assert stored_text(back) == text


def test_a_state_is_stored_as_this_exact_text() -> None:
    """The stored format, written out by hand: fields in declaration order, those equal to
    their default left out (credit 0.00 == 0, the untouched sub-states), dates ISO, Decimals as
    their exact string, `int | Decimal` tagged. States already stored must keep loading."""
    line = InvoiceLine("SmartWeb Shop", 6, Decimal("50.00"), Decimal("300.00"))
    invoice = Item(ref="INV-1", kind="invoice", issued=date(2027, 1, 4), due=date(2027, 1, 18),
                   amount=Decimal("300.00"), seq=1, paid=Decimal("300.00"), lines=(line,),
                   principal_payments=((date(2027, 1, 10), Decimal("300.00")),),
                   settled_on=date(2027, 1, 10))
    state = ContractState(status="active", access="full", paid_start=date(2027, 1, 4),
                          term_start=date(2027, 1, 4), term_end=date(2028, 1, 3),
                          quantities=(("SmartWeb Shop", 1),), items=(invoice,),
                          credit=Decimal("0.00"), seq=1,
                          pricing=PricingState(indexed_until=date(2027, 12, 31)))
    assert stored_text(state) == (
        '{"status":"active","access":"full","paid_start":"2027-01-04",'
        '"term_start":"2027-01-04","term_end":"2028-01-03","quantities":[["SmartWeb Shop",1]],'
        '"items":[{"ref":"INV-1","kind":"invoice","issued":"2027-01-04","due":"2027-01-18",'
        '"amount":"300.00","seq":1,"paid":"300.00","lines":[{"item":"SmartWeb Shop",'
        '"quantity":["int",6],"unit_price":"50.00","amount":"300.00"}],'
        '"principal_payments":[["2027-01-10","300.00"]],"settled_on":"2027-01-10"}],'
        '"seq":1,"pricing":{"indexed_until":"2027-12-31"}}')
    assert decode(ContractState, json.loads(stored_text(state))) == state


def _two_invoices() -> ContractState:
    line = InvoiceLine("SmartWeb Shop", 1, Decimal("50.00"), Decimal("50.00"))
    first = Item(ref="INV-1", kind="invoice", issued=date(2027, 1, 4), due=date(2027, 1, 18),
                 amount=Decimal("60.50"), seq=1, paid=Decimal("60.50"), lines=(line,),
                 principal_payments=((date(2027, 1, 10), Decimal("60.50")),),
                 settled_on=date(2027, 1, 10), vat=Decimal("10.50"), vat_category="S 21")
    second = replace(first, ref="INV-2", issued=date(2027, 2, 4), due=date(2027, 2, 18), seq=2,
                     paid=Decimal("0.00"), principal_payments=(), settled_on=None)
    return ContractState(status="active", access="full", items=(first, second), seq=2)


def test_an_unchanged_record_is_encoded_as_the_json_it_was_read_from() -> None:
    """Decoded with a `Reuse` map, a state's records that come back unchanged in its successor
    (the same objects) encode as the very JSON they were read from; a changed record, and an
    equal record that is another object, are encoded afresh. Either way the text is the one a
    fresh encoding gives: INV-1 settled, INV-2 paid 60.50 on 2027-02-10."""
    data = json.loads(stored_text(_two_invoices()))
    reuse: Reuse = {}
    read: ContractState = decode(ContractState, data, reuse)
    settled, open_item = read.items
    paid = replace(open_item, paid=Decimal("60.50"), settled_on=date(2027, 2, 10),
                   principal_payments=((date(2027, 2, 10), Decimal("60.50")),))
    successor = replace(read, items=(settled, paid))
    out = encode(successor, ContractState, reuse)
    assert out["items"][0] is data["items"][0]
    assert out["items"][1] is not data["items"][1]
    assert out["items"][1]["lines"][0] is data["items"][1]["lines"][0]  # its line unchanged
    assert out == encode(successor, ContractState)
    assert out["items"][1]["settled_on"] == "2027-02-10"
    copy = replace(settled, ref="INV-1")  # equal, but not the object read
    assert copy == settled and copy is not settled
    again = encode(replace(read, items=(copy, open_item)), ContractState, reuse)
    assert again["items"][0] is not data["items"][0]
    assert again["items"][1] is data["items"][1]
    assert again == data


def test_a_record_stored_by_an_earlier_codec_keeps_its_text_while_unchanged() -> None:
    """A stored record may hold a field at its default that today's codec leaves out (an
    earlier version wrote `"credited":"0"`): reused, it keeps that text, which decodes to the
    same record; without the map it is written the way the codec writes today."""
    data = json.loads(stored_text(_two_invoices()))
    data["items"][0]["credited"] = "0"
    reuse: Reuse = {}
    read: ContractState = decode(ContractState, data, reuse)
    successor = replace(read, seq=3)
    kept = encode(successor, ContractState, reuse)
    assert kept["items"][0]["credited"] == "0"
    assert "credited" not in encode(successor, ContractState)["items"][0]
    assert decode(ContractState, kept) == decode(ContractState,
                                                 encode(successor, ContractState)) == successor


_elsewhere: list[object] = []


@dataclass(frozen=True)
class _Probe:
    """A record whose building decodes another record in another thread meanwhile."""

    n: int

    def __post_init__(self) -> None:
        other = threading.Thread(target=lambda: _elsewhere.append(
            decode(Inner, {"when": "2027-03-01T09:30:00+01:00"})))
        other.start()
        other.join()


def test_a_reuse_map_holds_only_what_its_own_decode_built() -> None:
    """The service decodes states in its request threads beside its scheduler's run: a decode
    in another thread while a `Reuse` map is in use is neither noted in it nor served from it."""
    reuse: Reuse = {}
    probe = decode(_Probe, {"n": 1}, reuse)
    assert list(reuse) == [id(probe)]
    (inner,) = _elsewhere
    assert isinstance(inner, Inner) and id(inner) not in reuse


def test_nested_errors_name_the_type_and_the_value() -> None:
    """A damaged stored state is refused with the place it breaks, not loaded half-way."""
    item = {"ref": "INV-1", "kind": "invoice", "issued": "2027-01-04", "due": "2027-01-18",
            "amount": "300.00", "seq": 1}
    line = {"item": "x", "quantity": ["float", 1.5], "unit_price": "1", "amount": "1.5"}
    with pytest.raises(CodecError, match=r"^'float' is none of int \| decimal.Decimal$"):
        decode(ContractState, {"items": [{**item, "lines": [line]}]})
    with pytest.raises(CodecError, match=r"^a tagged union value \[type, value\] is expected"):
        decode(ContractState, {"items": [{**item, "lines": [{**line, "quantity": 2}]}]})
    with pytest.raises(CodecError, match=r"^Item has no field\(s\) colour, size$"):
        decode(ContractState, {"items": [{**item, "size": 1, "colour": "red"}]})
    with pytest.raises(CodecError, match=r"^'invoiced' is not one of \('invoice', 'fee'"):
        decode(ContractState, {"items": [{**item, "kind": "invoiced"}]})
    with pytest.raises(CodecError, match=r"^Notice is stored as an object, got \[\]$"):
        decode(ContractState, {"notice": []})
    with pytest.raises(CodecError, match=r"^1\.5 fits none of int \| decimal.Decimal$"):
        encode(InvoiceLine("x", 1.5, Decimal(1), Decimal(1)), InvoiceLine)  # type: ignore[arg-type]
    with pytest.raises(CodecError, match=r"^True is not a int$"):
        encode(ContractState(seq=True), ContractState)
