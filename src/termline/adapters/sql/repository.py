"""The SQL repository: one class per aggregate (tenants, policies, contracts, events, runs,
the ledger), each in its own module over the unit of work's connection; `Repository` is all
of them over one connection, as `uow.repo` (see `app/ports.py`)."""

from __future__ import annotations

from sqlalchemy import Connection

from termline.adapters.sql.contract_repository import SqlContracts
from termline.adapters.sql.event_repository import SqlEvents
from termline.adapters.sql.jsontext import dumps
from termline.adapters.sql.ledger_keys import action_keys, digest, keyed_bodies
from termline.adapters.sql.ledger_repository import ACTION_COLUMNS, SqlLedger
from termline.adapters.sql.policy_repository import SqlPolicies
from termline.adapters.sql.run_repository import SqlRuns
from termline.adapters.sql.sql_rows import connection
from termline.adapters.sql.store_records import (
    NEVER,
    LoggedEvent,
    NewAction,
    RunDay,
    RunState,
    StoredAction,
    StoredContract,
    StoredEvent,
    Tenant,
    Unreadable,
    stored_event,
)
from termline.adapters.sql.tenant_repository import SqlTenants
from termline.domain.contract.model import BROADCAST


class Repository(SqlTenants, SqlPolicies, SqlContracts, SqlEvents, SqlRuns, SqlLedger):
    """Every aggregate's repository over one connection."""

    def __init__(self, connection: Connection) -> None:
        super().__init__(connection)


__all__ = ["ACTION_COLUMNS", "BROADCAST", "NEVER", "LoggedEvent", "NewAction", "Repository",
           "RunDay", "RunState", "SqlContracts", "SqlEvents", "SqlLedger", "SqlPolicies",
           "SqlRuns", "SqlTenants", "StoredAction", "StoredContract", "StoredEvent", "Tenant",
           "Unreadable", "action_keys", "connection", "digest", "dumps", "keyed_bodies",
           "stored_event"]
