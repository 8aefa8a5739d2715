"""The in-memory store's tables: one dict per table, rows immutable, each table's ids counted
from 1 in insertion order as the SQL store's identity columns are. Text columns hold what the
SQL store holds (JSON text, the encoded state), so what is read back is what was stored."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import Any

from termline.adapters.sql.store_records import BankEntry, BankMatch, NewEmail

Day = date  # a column named `date` shadows the type in the classes below


@dataclass(frozen=True)
class TenantRow:
    id: int
    name: str
    timezone: str
    settings: str


@dataclass(frozen=True)
class ContractRow:
    id: int
    tenant_id: int
    ref: str
    customer_id: int
    policy_version_id: int
    start: date
    currency: str
    document: str


@dataclass(frozen=True)
class RunRow:
    contract_id: int
    tenant_id: int
    state: str
    cursor: date
    next_due: date
    recompute_from: date | None
    action_count: int
    problem: str | None = None


@dataclass(frozen=True)
class EventRow:
    id: int
    tenant_id: int
    contract_id: int | None
    date: date
    type: str
    natural_key: str
    payload: str


@dataclass(frozen=True)
class VoidRow:
    event_id: int
    tenant_id: int
    reason: str
    recorded_at: datetime


@dataclass(frozen=True)
class ActionRow:
    id: int
    tenant_id: int
    contract_id: int
    seq: int
    date: date
    kind: str
    natural_key: str
    body: str
    recorded_on: Day


@dataclass
class MemoryTables:
    tenants: dict[int, TenantRow] = field(default_factory=dict)
    tenant_runs: dict[int, date] = field(default_factory=dict)
    policy_versions: dict[int, str] = field(default_factory=dict)
    policy_hashes: dict[str, int] = field(default_factory=dict)
    customers: dict[tuple[int, str], int] = field(default_factory=dict)
    contracts: dict[int, ContractRow] = field(default_factory=dict)
    runs: dict[int, RunRow] = field(default_factory=dict)
    events: dict[int, EventRow] = field(default_factory=dict)
    event_keys: dict[tuple[int, str], int] = field(default_factory=dict)
    voids: dict[int, VoidRow] = field(default_factory=dict)
    actions: dict[int, ActionRow] = field(default_factory=dict)
    action_keys: dict[tuple[int, str], int] = field(default_factory=dict)
    action_seqs: dict[tuple[int, int], int] = field(default_factory=dict)
    bank_entries: dict[int, BankEntry] = field(default_factory=dict)
    bank_refs: dict[tuple[int, str], int] = field(default_factory=dict)
    bank_matches: dict[int, BankMatch] = field(default_factory=dict)
    emails: dict[str, NewEmail] = field(default_factory=dict)  # by message id
    contract_languages: dict[int, tuple[int, str]] = field(default_factory=dict)
    notes: dict[int, tuple[int, int | None, date]] = field(default_factory=dict)  # event_notes
    ids: dict[str, int] = field(default_factory=dict)  # the last id given, per table

    def new_id(self, table: str) -> int:
        self.ids[table] = self.ids.get(table, 0) + 1
        return self.ids[table]

    def copy(self) -> MemoryTables:
        """Every table copied (the rows are immutable, so a copy of each dict suffices)."""
        return MemoryTables(**{f.name: dict(getattr(self, f.name)) for f in fields(self)})

    def load(self, other: MemoryTables) -> None:
        """Become a copy of `other`, in place (the repositories hold this object)."""
        for f in fields(self):
            setattr(self, f.name, dict(getattr(other, f.name)))


class MemoryBook:
    """What a database is to the SQL store: the committed tables, and one writer at a time
    (as SQLite's write lock: a unit of work holds the book from `with` to its end)."""

    def __init__(self) -> None:
        self.committed = MemoryTables()
        self.lock = threading.Lock()
        self.holder: int | None = None  # the thread inside a unit of work

    def enter(self) -> None:
        if self.holder == threading.get_ident():
            raise RuntimeError("a unit of work of this thread holds the in-memory book already")
        self.lock.acquire()
        self.holder = threading.get_ident()

    def leave(self) -> None:
        self.holder = None
        self.lock.release()


class Conflict(ValueError):
    """What the SQL store's unique constraints raise (IntegrityError) in the fake; as there,
    one that leaves the unit of work leaves it as `ConcurrentWrite`."""


def conflict(table: str, key: Any) -> Conflict:
    return Conflict(f"{table}: {key!r} is stored already")
