"""A tenant's ledger as `termline ledger` lists it: each stored action's natural key and
JSON in simulate's order (day, contract, sequence), with its contract's customer name."""

from __future__ import annotations

from dataclasses import dataclass

from termline.adapters.sql import reports
from termline.adapters.sql.sql_rows import connection
from termline.adapters.sql.store_records import Tenant
from termline.app.intake import tenant as find_tenant
from termline.app.ports import UnitOfWork
from termline.domain.values.rule import JsonDict


@dataclass(frozen=True)
class KeyedLedger:
    owner: Tenant
    rows: list[tuple[str, JsonDict]]  # (natural key, action JSON)
    names: dict[str, str]  # contract ref -> its customer's name, every contract of the tenant


def keyed_ledger(uow: UnitOfWork, tenant: str | None, contract: str | None) -> KeyedLedger:
    """The tenant's actions (those of `contract` only, when given)."""
    with uow:
        owner = find_tenant(uow.repo, tenant)
        conn = connection(uow.repo)
        return KeyedLedger(owner, reports.keyed_ledger(conn, owner.id, contract),
                           reports.customer_names(conn, owner.id))
