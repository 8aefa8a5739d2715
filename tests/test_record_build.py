"""`record_build` (issue 16): frozen records built without an `object.__setattr__` per field,
the same objects as their dataclass `__init__` builds: equal, the same hash, the same instance
dictionary in the same order, the same pickle, still frozen; and records whose `__init__` does
more than assign are left alone."""

from __future__ import annotations

import dataclasses
import inspect
import pickle
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import pytest

from termline.adapters.sql.codec import decode, encode
from termline.domain.engine.actions import Action
from termline.domain.engine.state import ContractState, Item, Notice, Receipt
from termline.domain.mechanisms.billing.lines import InvoiceLine
from termline.domain.mechanisms.pricing.state import PricingState
from termline.domain.mechanisms.tax.item_vat import ItemVat
from termline.domain.values import record_build
from termline.domain.values.record_build import assigned, plan
from termline.domain.values.records import replace


@dataclass(frozen=True)
class Sub:
    n: int = 0


@dataclass(frozen=True)
class Open:
    ref: str
    amount: Decimal
    on_hold: bool = False
    tags: tuple[str, ...] = ()
    sub: Sub = field(default_factory=Sub)


@dataclass(frozen=True, slots=True)
class Slotted:
    ref: str
    amount: Decimal
    on_hold: bool = False
    sub: Sub = field(default_factory=Sub)


ORIGINAL = {cls: cls.__init__ for cls in (Open, Slotted)}
SIGNATURE = {cls: inspect.signature(cls) for cls in (Open, Slotted)}
assigned(Open)
assigned(Slotted)


def _by_original(cls: type, *args: object, **kwargs: object) -> object:
    new = object.__new__(cls)
    ORIGINAL[cls](new, *args, **kwargs)
    return new


@pytest.mark.parametrize("cls", [Open, Slotted])
@pytest.mark.parametrize(("args", "kwargs"), [
    (("INV-1", Decimal("12.10")), {}),
    (("INV-1",), {"amount": Decimal("0.00"), "on_hold": True}),
    ((), {"ref": "INV-2", "amount": Decimal("1"), "sub": Sub(3)}),
])
def test_the_same_object_as_the_dataclass_init_builds(
        cls: type, args: tuple[object, ...], kwargs: dict[str, object]) -> None:
    assert record_build.fast(cls)
    fast = cls(*args, **kwargs)
    slow = _by_original(cls, *args, **kwargs)
    assert fast == slow
    assert hash(fast) == hash(slow)
    assert repr(fast) == repr(slow)
    assert pickle.dumps(fast) == pickle.dumps(slow)
    assert pickle.loads(pickle.dumps(fast)) == slow
    if cls is Open:
        assert list(vars(fast).items()) == list(vars(slow).items())
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.ref = "INV-9"  # type: ignore[misc]


@pytest.mark.parametrize("cls", [Open, Slotted])
def test_the_signature_and_errors_of_the_dataclass_init(cls: type) -> None:
    assert inspect.signature(cls) == SIGNATURE[cls]
    assert cls.__init__.__qualname__ == f"{cls.__name__}.__init__"
    with pytest.raises(TypeError, match="missing 1 required positional argument: 'amount'"):
        cls("INV-1")
    with pytest.raises(TypeError, match="unexpected keyword argument 'onhold'"):
        cls("INV-1", Decimal(1), onhold=True)


def test_a_default_factory_runs_for_each_record() -> None:
    first, second = Open("a", Decimal(1)), Open("b", Decimal(1))
    assert first.sub == Sub() and first.sub is not second.sub


@dataclass(frozen=True)
class Checked:
    amount: int

    def __post_init__(self) -> None:
        if self.amount < 0:
            raise ValueError("negative")


@dataclass(frozen=True)
class Derived:
    amount: int
    doubled: int = field(init=False, default=0)


@dataclass(frozen=True)
class OwnInit:
    amount: int

    def __init__(self, amount: str) -> None:
        object.__setattr__(self, "amount", int(amount))


@dataclass(frozen=True, kw_only=True)
class KeywordOnly:
    amount: int


@pytest.mark.parametrize("cls", [Checked, Derived, OwnInit, KeywordOnly])
def test_a_record_whose_init_does_more_than_assign_is_left_alone(cls: type) -> None:
    init = cls.__init__
    assert plan(cls) is None
    assert assigned(cls) is cls and cls.__init__ is init and not record_build.fast(cls)


def test_the_engine_records_are_built_the_fast_way() -> None:
    """The records the daily step builds for every contract day: a guard that they keep the
    faster `__init__` (and that a slotted one is still slotted), and that a fresh state holds
    the one shared start state of each mechanism rather than building six records."""
    for cls in (ContractState, Item, Receipt, Notice, Action, InvoiceLine, ItemVat, PricingState):
        assert record_build.fast(cls), cls
    assert not hasattr(Item("I", "invoice", date(2027, 1, 1), date(2027, 1, 15), Decimal(1), 1),
                       "__dict__")
    state = ContractState(status="active", seq=3)
    assert list(vars(state)) == [f.name for f in dataclasses.fields(ContractState)]
    assert state.pricing == PricingState() and state.pricing is ContractState().pricing
    decoded = decode(ContractState, encode(state))
    assert (decoded.pricing, decoded.usage, decoded.sla, decoded.support, decoded.privacy,
            decoded.backups) == (state.pricing, state.usage, state.sla, state.support,
                                 state.privacy, state.backups)
    assert all(getattr(decoded, f) is getattr(state, f)
               for f in ("pricing", "usage", "sla", "support", "privacy", "backups"))


@pytest.mark.parametrize("value", [
    Open("INV-1", Decimal("12.10")),
    Open("INV-1", Decimal("12.10"), True, ("x",), Sub(2)),
    Slotted("INV-1", Decimal("1")),
    ContractState(status="active", seq=2, credit=Decimal("3.00")),
])
def test_the_codec_decodes_the_objects_the_constructor_builds(value: object) -> None:
    decoded = decode(type(value), encode(value))
    assert decoded == value
    assert pickle.dumps(decoded) == pickle.dumps(value)
    assert replace(decoded) == value and pickle.dumps(replace(decoded)) == pickle.dumps(value)
