"""The ports the use cases need: one repository per aggregate, and a unit of work that holds
them over one transaction.

The SQL adapter implements them (`adapters/sql/*_repository.py`), the in-memory fakes too
(`adapters/memory/`); `tests/contract/` runs the same tests on both so they cannot drift.
`uow.repo` is every aggregate at once, for the call sites written before the split; new code
names the aggregate it needs (`uow.events`, `uow.runs`, `uow.bank`, ...); the bank lines and
the outbox are `uow.bank` and `uow.outbox` only.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from types import TracebackType
from typing import Any, Protocol, Self

from termline.adapters.sql.store_records import (
    BankEntry,
    BankMatch,
    BankPayment,
    DueRun,
    LoggedEvent,
    NewAction,
    NewEmail,
    RawEvent,
    RunDay,
    RunState,
    StoredAction,
    StoredContract,
    StoredEvent,
    Tenant,
    UnmatchedEntry,
)
from termline.domain.contract.model import Contract, Customer, EventBase
from termline.domain.engine.state import ContractState
from termline.domain.policy.schema import Policy


class Tenants(Protocol):
    """The providers whose books the store holds; a name is unique."""

    def tenant(self, name: str) -> Tenant | None: ...

    def tenants(self) -> list[Tenant]:
        """In the order they were added."""
        ...

    def add_tenant(self, name: str, timezone: str, settings: dict[str, Any]) -> int: ...

    def set_tenant_settings(self, tenant_id: int, settings: dict[str, Any]) -> None: ...

    def run_through(self, tenant_id: int) -> date | None:
        """The last day the tenant's book has been run through; None before the first run."""
        ...

    def record_run(self, tenant_id: int, day: date) -> None:
        """Never moves back; concurrent callers do not conflict."""
        ...


class Policies(Protocol):
    """Policy versions, stored once per content."""

    def policy_version(self, policy: Policy) -> int:
        """The id of the stored version with this exact content, stored now if new."""
        ...

    def policy(self, version_id: int) -> Policy: ...

    def policy_text(self, version_id: int) -> str: ...


class Contracts(Protocol):
    """Customers (one per name, country and e-mail within a tenant) and contracts (one per
    ref within a tenant). Adding a contract stores its run row: due on its first day."""

    def customer(self, tenant_id: int, customer: Customer) -> int: ...

    def add_contract(self, tenant_id: int, contract: Contract, policy: Policy) -> int: ...

    def stored_refs(self, tenant_id: int, refs: Collection[str]) -> set[str]:
        """Those of `refs` the tenant has a contract for."""
        ...

    def customers(self, tenant_id: int, customers: Iterable[Customer]) -> dict[str, int]:
        """The ids of these customers by their key (`bulk.customer_key`), new ones stored."""
        ...

    def add_contracts(self, tenant_id: int, rows: Sequence[tuple[Contract, Policy, int, int]],
                      documents: Sequence[str] | None = None) -> list[int]:
        """(contract, policy, policy version id, customer id) rows stored as `add_contract`
        stores one, in one go; their ids in order. `documents`: the contracts' JSON, when
        made beforehand."""
        ...

    def contracts(self, tenant_id: int | None = None, ref: str | None = None
                  ) -> list[StoredContract]:
        """In the order they were added."""
        ...


class Events(Protocol):
    """The event log: append-only, one event per (tenant, natural key), read in received
    order; a voided event stays in the log but no run reads it."""

    def add_event(self, tenant_id: int, contract_id: int | None, event: EventBase,
                  natural_key: str) -> int | None:
        """The new event's id; None when the natural key is stored already."""
        ...

    def events(self, contract: StoredContract, after: date | None, until: date | None = None
               ) -> list[StoredEvent]: ...

    def events_after(self, tenant_id: int, cursors: Sequence[tuple[StoredContract, date]]
                     ) -> dict[int, list[StoredEvent]]: ...

    def raw_events_after(self, tenant_id: int, cursors: Sequence[tuple[int, date, date]]
                         ) -> dict[int, list[RawEvent]]: ...

    def events_mark(self) -> tuple[int, int] | None:
        """A mark that moves whenever an event or a void is stored, on a store where that can
        be told cheaply (events read twice need not be read again if it stands); None where
        it cannot (read them again)."""
        ...

    def event_log(self, tenant_id: int, contract_id: int | None = None
                  ) -> list[LoggedEvent]: ...

    def void_event(self, tenant_id: int, event_id: int, reason: str, at: datetime
                   ) -> tuple[int | None, date]:
        """LookupError: no such event of the tenant; ValueError: voided already."""
        ...

    def event_key_payload(self, tenant_id: int, natural_key: str) -> str | None: ...


class Runs(Protocol):
    """Each contract's run row: state, cursor (last day computed), next acting day,
    the day to recompute from, the count of its actions, and why it was set aside."""

    def note_event(self, tenant_id: int, contract_id: int | None, day: date) -> None:
        """An event dated `day` arrived or was voided: the contract (all of the tenant's
        for a broadcast) is due by `day`, and recomputes from it when `day` <= cursor."""
        ...

    def defer_note(self, tenant_id: int, contract_id: int | None, day: date) -> None:
        """`note_event` left to the next `take_notes`: appends, never waits for a claim."""
        ...

    def take_notes(self) -> int:
        """Every deferred note applied as `note_event` and removed: how many."""
        ...

    def count_due(self, tenant_id: int, until: date) -> int: ...

    def refresh_statistics(self) -> list[str]:
        """The run's tables whose planner statistics were stale, gathered again now (a store
        whose plans need none: nothing)."""
        ...

    def claim(self, tenant_id: int, until: date, limit: int = 1
              ) -> list[tuple[StoredContract, RunState]]:
        """The most overdue first (next_due, then id); held by this unit of work."""
        ...

    def due_runs(self, tenant_id: int, until: date, limit: int, skip: Collection[int] = ()
                 ) -> list[DueRun]: ...

    def run_marks(self, contract_ids: Sequence[int]
                  ) -> dict[int, tuple[date, date, date | None, int]]: ...

    def claim_ids(self, contract_ids: Sequence[int]
                  ) -> list[tuple[StoredContract, RunState]]: ...

    def set_aside(self, contract_id: int, problem: dict[str, Any]) -> None: ...

    def resume(self, contract_id: int) -> bool: ...

    def problems(self, tenant_id: int) -> dict[int, dict[str, Any]]: ...

    def run_state(self, contract_id: int) -> RunState: ...

    def save_run(self, old: RunState, new: RunState) -> bool:
        """Stored only if cursor and action count are still `old`'s (optimistic check)."""
        ...

    def save_runs(self, pairs: Sequence[tuple[RunState, RunState]],
                  encoded: Sequence[str] | None = None) -> bool: ...

    def save_stepped(self, runs: Sequence[tuple[DueRun, RunState]], encoded: Sequence[str]
                     ) -> bool:
        """Stored only if each row is still as read (`DueRun.mark`, not set aside); on False
        the caller rolls back."""
        ...


class Ledger(Protocol):
    """The actions each contract's run appended, in sequence; never updated or deleted."""

    def stored_actions(self, contract_id: int) -> list[StoredAction]: ...

    def add_actions(self, contract: StoredContract, first_seq: int, new: Sequence[NewAction],
                    recorded_on: date, state: ContractState,
                    replayed: Sequence[NewAction] | None = None) -> None: ...

    def add_days(self, days: Sequence[RunDay], recorded_on: date) -> None: ...

    def ledger(self, tenant_id: int | None, contract_ref: str | None
               ) -> list[tuple[date, str, int, dict[str, Any]]]: ...


class BankEntries(Protocol):
    """Imported bank lines, one per (tenant, entry reference), and what each paid: one match
    per payment event, of one document."""

    def bank_entry_known(self, tenant_id: int, entry_ref: str) -> bool: ...

    def add_bank_entry(self, entry: BankEntry) -> int:
        """The new line's id; a reference the tenant has already is refused (a unique key)."""
        ...

    def add_bank_match(self, match: BankMatch) -> None:
        """Of a stored line and event; an event matched already is refused."""
        ...

    def bank_entry(self, tenant_id: int, entry_ref: str) -> BankEntry | None:
        """The line, held by this unit of work until it ends (SQL: FOR UPDATE)."""
        ...

    def set_bank_entry_matched(self, entry_id: int, document_number: str, event_id: int
                               ) -> None: ...

    def bank_assigned(self, entry_id: int) -> Decimal:
        """The sum of the line's matches (0 without any)."""
        ...

    def bank_payments_of(self, tenant_id: int, number: str) -> list[BankPayment]:
        """The matches that paid document `number`, by the line's booking day, then in the
        order they were stored, each with its event's payload."""
        ...

    def unmatched(self, tenant_id: int) -> list[UnmatchedEntry]:
        """The lines left unmatched at import, by booking day then import order, each with
        the amount its matches by hand have not assigned yet."""
        ...


class Outbox(Protocol):
    """The e-mails the use cases write for delivery, each stored once by its message id, and
    the language stored with each contract (`contract_info`), which addressing one reads."""

    def add_emails(self, emails: Sequence[NewEmail]) -> int:
        """How many were new (one whose message id is stored already is left as it is)."""
        ...

    def emails(self, tenant_id: int) -> list[NewEmail]:
        """The tenant's, in the order they were added."""
        ...

    def add_contract_info(self, tenant_id: int, contract_id: int, metadata: dict[str, str],
                          language: str) -> None:
        """Once per contract."""
        ...

    def contract_languages(self, tenant_id: int) -> dict[int, str]:
        """Contract id -> the language stored with it (contracts without one left out)."""
        ...


class Store(Tenants, Policies, Contracts, Events, Runs, Ledger, Protocol):
    """Every aggregate's repository over one transaction."""


class UnitOfWork(Protocol):
    """`with uow:` opens a transaction; `commit()` ends it; leaving without commit rolls
    back. A write a unique key refused leaves the block as `domain.errors.ConcurrentWrite`
    (another transaction stored the same record first)."""

    @property
    def repo(self) -> Store: ...

    @property
    def tenants(self) -> Tenants: ...

    @property
    def policies(self) -> Policies: ...

    @property
    def contracts(self) -> Contracts: ...

    @property
    def events(self) -> Events: ...

    @property
    def runs(self) -> Runs: ...

    @property
    def ledger(self) -> Ledger: ...

    @property
    def bank(self) -> BankEntries: ...

    @property
    def outbox(self) -> Outbox: ...

    def __enter__(self) -> Self: ...

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None: ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...


UowFactory = Callable[[], UnitOfWork]
