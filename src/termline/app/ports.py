"""The port the handlers use: a unit of work holding a repository (see adapters/sql/uow.py)."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Protocol, Self

from termline.adapters.sql.repository import Repository


class UnitOfWork(Protocol):
    repo: Repository

    def __enter__(self) -> Self: ...

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None: ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...


UowFactory = Callable[[], UnitOfWork]
