"""The in-memory unit of work: a transaction over a `MemoryBook`, with every aggregate's fake
repository (`app.ports.UnitOfWork`)."""

from __future__ import annotations

from types import TracebackType

from termline.adapters.memory.memory_bank import MemoryBankEntries
from termline.adapters.memory.memory_contracts import MemoryContracts
from termline.adapters.memory.memory_events import MemoryEvents
from termline.adapters.memory.memory_ledger import MemoryLedger
from termline.adapters.memory.memory_outbox import MemoryOutbox
from termline.adapters.memory.memory_policies import MemoryPolicies
from termline.adapters.memory.memory_runs import MemoryRuns
from termline.adapters.memory.memory_tables import Conflict, MemoryBook, MemoryTables
from termline.adapters.memory.memory_tenants import MemoryTenants
from termline.domain.errors import ConcurrentWrite


class MemoryStore(MemoryTenants, MemoryPolicies, MemoryContracts, MemoryEvents, MemoryRuns,
                  MemoryLedger):
    """Every aggregate's fake over one transaction's tables (`uow.repo`)."""

    def __init__(self, tables: MemoryTables) -> None:
        self.tables = tables


class MemoryUnitOfWork:
    """`with uow:` takes the book (one writer at a time) and works on a copy of its tables;
    `commit()` makes the copy the book's; leaving without commit drops it."""

    def __init__(self, book: MemoryBook) -> None:
        self.book = book
        self.work = MemoryTables()
        self.repo = MemoryStore(self.work)
        self.tenants = MemoryTenants(self.work)
        self.policies = MemoryPolicies(self.work)
        self.contracts = MemoryContracts(self.work)
        self.events = MemoryEvents(self.work)
        self.runs = MemoryRuns(self.work)
        self.ledger = MemoryLedger(self.work)
        self.bank = MemoryBankEntries(self.work)
        self.outbox = MemoryOutbox(self.work)
        self._open = False

    def __enter__(self) -> MemoryUnitOfWork:
        self.book.enter()
        self._open = True
        self.work.load(self.book.committed)
        return self

    def commit(self) -> None:
        assert self._open
        self.book.committed = self.work.copy()

    def rollback(self) -> None:
        assert self._open
        self.work.load(self.book.committed)

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.work.load(MemoryTables())
        self._open = False
        self.book.leave()
        if isinstance(exc, Conflict):
            raise ConcurrentWrite(f"the store refused a duplicate: {exc}") from exc
