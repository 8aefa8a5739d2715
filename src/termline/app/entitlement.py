"""Entitlement: the access a contract gives now, since when and under which clauses, read from
its state and its ledger (a pure function)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

# The access an action leaves the contract with (contract_terminated depends on retention).
_GIVES = {"trial_started": "full", "contract_started": "full", "access_restored": "full",
          "access_suspended": "suspended", "data_deleted": "none"}


@dataclass(frozen=True)
class Entitlement:
    access: str  # full | suspended | export_only | none
    since: date | None
    clauses: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"access": self.access,
                "since": self.since.isoformat() if self.since else None,
                "clauses": list(self.clauses)}


def entitlement(access: str, actions: Sequence[Mapping[str, Any]]) -> Entitlement:
    """`access` is the state's; `actions` the contract's ledger in order. The latest action
    that led to that access gives `since` and `clauses`."""
    for body in reversed(actions):
        kind = body["kind"]
        day = date.fromisoformat(body["date"])
        clauses = tuple(body.get("clauses", ()))
        if kind == "contract_terminated":
            if access == "export_only":
                return Entitlement(access, day + timedelta(days=1), clauses)
            if access == "none":
                until = body.get("export_until")
                since = date.fromisoformat(until) + timedelta(days=1) if until \
                    else day + timedelta(days=1)
                return Entitlement(access, since, clauses)
        elif _GIVES.get(kind) == access:
            return Entitlement(access, day, clauses)
    return Entitlement(access, None, ())
