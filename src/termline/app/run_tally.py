"""What a run stored, counted for its summary ("1,204 invoices issued, 37 reminders sent"):
the last action before it, then the actions stored after that one by kind."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from termline.adapters.sql import reports
from termline.adapters.sql.sql_rows import connection
from termline.app.ports import UnitOfWork


@dataclass(frozen=True)
class Tally:
    kinds: Counter[str]  # actions stored since the mark, by kind
    contracts_suspended: int  # contracts with an `access_suspended` among them


def mark(uow: UnitOfWork) -> int:
    """The id of the last stored action (0: none), to count from after a run."""
    with uow:
        return reports.last_action_id(connection(uow.repo))


def since(uow: UnitOfWork, after_id: int) -> Tally:
    """The actions stored after action `after_id` (`mark`)."""
    with uow:
        conn = connection(uow.repo)
        return Tally(reports.kinds_since(conn, after_id),
                     reports.contracts_suspended_since(conn, after_id))
