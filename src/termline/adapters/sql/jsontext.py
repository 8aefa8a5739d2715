"""The JSON text the store writes: compact, UTF-8, keys in insertion order.

Action bodies are hashed into natural keys, so the text must never change for the same value:
orjson writes exactly what `json.dumps(ensure_ascii=False, separators=(",", ":"))` writes for
the values the store holds (str keys, str, int, bool, None, lists, dicts), ten times faster.
What it would write differently or refuses (an int past 64 bits, a lone surrogate, a non-str
key, a str or dict subclass) goes to the standard library, which writes what it always wrote.
Floats never occur: money is text.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

_STRICT = (orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_DATETIME
           | orjson.OPT_PASSTHROUGH_SUBCLASS)


def dumps(data: Any) -> str:
    try:
        return orjson.dumps(data, option=_STRICT).decode()
    except TypeError:
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def loads(text: str | bytes) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:  # what only the standard library reads (a lone surrogate)
        return json.loads(text)
