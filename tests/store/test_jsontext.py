"""The store's JSON text (`store.jsontext`) is the standard library's, byte for byte.

Action bodies are hashed into the ledger's natural keys: a body written differently after
an upgrade would key the same action anew and store it twice (issue 12 moved the text to
orjson for speed).
"""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from termline.adapters.sql.jsontext import dumps, loads

# what the store writes: str keys; str (any code point, lone surrogates too), int (also past
# 64 bits), bool and None; lists and dicts of them. Never floats: money is text.
SCALARS = st.none() | st.booleans() | st.integers() | st.text()
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=12)


def standard(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


@given(VALUES)
def test_the_text_is_the_standard_librarys(value: object) -> None:
    assert dumps(value) == standard(value)
    assert loads(dumps(value)) == value


def test_an_action_body_and_the_cases_orjson_does_not_write_alike() -> None:
    body = {"date": "2027-01-01", "kind": "invoice_issued", "contract": "acme",
            "clauses": ["4.1", "4.2"], "amount": "300.00", "currency": "EUR",
            "ref": "Ærø-1\u2028\x1f\"\\"}
    assert dumps(body) == standard(body) == (
        '{"date":"2027-01-01","kind":"invoice_issued","contract":"acme","clauses":["4.1","4.2"],'
        '"amount":"300.00","currency":"EUR","ref":"Ærø-1\u2028\\u001f\\"\\\\"}')
    for odd in ({"n": 2 ** 70}, {"s": "\ud800"}, {1: "int key"}):
        assert dumps(odd) == standard(odd)
    assert loads('["\\ud800", 123456789012345678901234567890]') == [
        "\ud800", 123456789012345678901234567890]
