"""The SQLAlchemy unit of work: one connection, one transaction, a repository over it."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import IntegrityError

from termline.adapters.sql.bank_repository import SqlBankEntries
from termline.adapters.sql.db import WRITE_OPTION
from termline.adapters.sql.outbox_repository import SqlOutbox
from termline.adapters.sql.repository import Repository
from termline.domain.errors import ConcurrentWrite


class SqlUnitOfWork:
    """`with uow:` opens a transaction; `commit()` ends it; leaving without commit rolls back.
    A unique key's refusal that leaves the block (SQLAlchemy's IntegrityError) leaves it as
    `ConcurrentWrite`, the words of `app.ports`, so that no caller names the database's."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._conn: Connection | None = None
        self.repo: Repository
        # each aggregate's repository (`app/ports.py`): the same object over one connection
        self.tenants: Repository
        self.policies: Repository
        self.contracts: Repository
        self.events: Repository
        self.runs: Repository
        self.ledger: Repository
        self.bank: SqlBankEntries
        self.outbox: SqlOutbox

    def __enter__(self) -> SqlUnitOfWork:
        self._conn = self.engine.connect().execution_options(**{WRITE_OPTION: True})
        self._conn.begin()
        self.repo = Repository(self._conn)
        self.tenants = self.policies = self.contracts = self.repo
        self.events = self.runs = self.ledger = self.repo
        self.bank = SqlBankEntries(self._conn)
        self.outbox = SqlOutbox(self._conn)
        return self

    def commit(self) -> None:
        assert self._conn is not None
        self._conn.commit()
        self._conn.begin()

    def rollback(self) -> None:
        assert self._conn is not None
        self._conn.rollback()
        self._conn.begin()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        assert self._conn is not None
        self._conn.rollback()
        self._conn.close()
        self._conn = None
        if isinstance(exc, IntegrityError):
            raise ConcurrentWrite(f"the store refused a duplicate: {exc.orig}") from exc
