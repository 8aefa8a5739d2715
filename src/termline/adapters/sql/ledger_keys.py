"""The ledger's natural keys and bodies of a contract's actions: date, kind, a hash of the body
and the occurrence of that body on the day.

Apart from the repository so that it compiles with the pure core (`[tool.termline.compiled]`):
the run keys every action it stores, a few per contract day.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from termline.adapters.sql.jsontext import dumps
from termline.domain.engine.actions import Action


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def action_keys(actions: Iterable[Action]) -> list[str]:
    """Natural keys of a contract's actions: date, kind, content hash and occurrence."""
    return [key for key, _ in keyed_bodies(actions)]


def keyed_bodies(actions: Iterable[Action]) -> list[tuple[str, str]]:
    """(natural key, JSON body) of each action; the body is what the ledger stores."""
    seen: dict[str, int] = {}
    out = []
    for act in actions:
        body = dumps(act.to_json())
        base = f"{act.date.isoformat()}|{act.kind}|{digest(body)[:24]}"
        seen[base] = seen.get(base, 0) + 1
        out.append((f"{base}|{seen[base]}", body))
    return out
