"""`records.replace` (issue 16, a typed `replace`): mypy checks every call's field names and
value types as it checks `dataclasses.replace`, while Python runs the fast copy of
`record_copy.replace`, whose result is the one `dataclasses.replace` gives."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from mypy import api as mypy_api

from termline.domain.values import record_copy, records

SRC = Path(__file__).resolve().parent.parent / "src"

SNIPPET = '''\
from __future__ import annotations

from dataclasses import dataclass

from termline.domain.values.records import replace


@dataclass(frozen=True)
class Item:
    ref: str
    open: int
    on_hold: bool = False


item = Item("INV-1", 100)
ok = replace(item, open=0, on_hold=True)
misspelt = replace(item, onhold=True)
wrong_type = replace(item, open="0")
'''


def _mypy(tmp_path: Path, source: str) -> list[str]:
    (tmp_path / "snippet.py").write_text(source)
    config = tmp_path / "mypy.ini"
    config.write_text(f"[mypy]\nstrict = True\nmypy_path = {SRC}\n"
                      f"cache_dir = {tmp_path / 'cache'}\n")
    out, err, _ = mypy_api.run(["--config-file", str(config), str(tmp_path / "snippet.py")])
    assert err == ""
    return [line.split(": ", 1)[1] for line in out.splitlines() if ": error: " in line]


def test_mypy_refuses_a_misspelt_field_and_a_value_of_the_wrong_type(tmp_path: Path) -> None:
    """The two bad calls of the snippet are errors at their lines; the good one is not."""
    errors = _mypy(tmp_path, SNIPPET)
    assert errors == [
        'error: Unexpected keyword argument "onhold" for "replace" of "Item"; '
        'did you mean "on_hold"?  [call-arg]',
        'error: Argument "open" to "replace" of "Item" has incompatible type "str"; '
        'expected "int"  [arg-type]',
    ]


def test_mypy_passes_the_good_calls(tmp_path: Path) -> None:
    good = "\n".join(line for line in SNIPPET.splitlines()
                     if not line.startswith(("misspelt", "wrong_type")))
    assert _mypy(tmp_path, good + "\n") == []


def test_python_runs_the_fast_copy() -> None:
    assert records.replace is record_copy.replace
    assert records.replace is not dataclasses.replace


@dataclasses.dataclass(frozen=True)
class _Plain:
    ref: str
    open: int
    on_hold: bool = False


@dataclasses.dataclass(frozen=True, slots=True)
class _Slotted:
    ref: str
    open: int


@dataclasses.dataclass(frozen=True)
class _Checked:
    ref: str
    open: int

    def __post_init__(self) -> None:
        if self.open < 0:
            raise ValueError("negative")


@pytest.mark.parametrize("record", [_Plain("INV-1", 100), _Slotted("INV-1", 100),
                                    _Checked("INV-1", 100)])
def test_the_fast_copy_gives_what_dataclasses_replace_gives(record: object) -> None:
    fast = record_copy.replace(record, open=0)
    assert fast == dataclasses.replace(record, open=0)
    assert type(fast) is type(record) and fast is not record
    assert record == type(record)("INV-1", 100)  # the original is untouched


def test_the_fast_copy_refuses_an_unknown_field() -> None:
    with pytest.raises(TypeError, match="_Plain has no field"):
        record_copy.replace(_Plain("INV-1", 100), onhold=True)


def test_a_record_with_post_init_is_checked_as_dataclasses_replace_checks_it() -> None:
    with pytest.raises(ValueError, match="negative"):
        record_copy.replace(_Checked("INV-1", 100), open=-1)
