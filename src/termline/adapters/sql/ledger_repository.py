"""The action ledger: append-only, one row per action with its natural key and sequence;
appending also projects invoices, payments and allocations (`projection`)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from termline.adapters.sql import tables as t
from termline.adapters.sql.jsontext import dumps, loads
from termline.adapters.sql.projection import project, project_days
from termline.adapters.sql.sql_rows import SqlRows
from termline.adapters.sql.store_records import (
    NewAction,
    RunDay,
    StoredAction,
    StoredContract,
    field_value,
)
from termline.adapters.sql.writes import insert_rows
from termline.domain.engine.state import ContractState

ACTION_COLUMNS = ("tenant_id", "contract_id", "seq", "date", "kind", "natural_key", "clauses",
                  "body", "amount", "currency", "policy_version_id", "cause_date",
                  "cause_events", "recorded_on")


class SqlLedger(SqlRows):
    def stored_actions(self, contract_id: int) -> list[StoredAction]:
        a = t.actions.c
        rows = self.conn.execute(select(a.natural_key, a.seq, a.date, a.kind, a.body)
                                 .where(a.contract_id == contract_id).order_by(a.seq))
        return [StoredAction(r.natural_key, r.seq, r.date, r.kind, loads(r.body))
                for r in rows]

    def add_actions(self, contract: StoredContract, first_seq: int, new: Sequence[NewAction],
                    recorded_on: date, state: ContractState,
                    replayed: Sequence[NewAction] | None = None) -> None:
        """Append to the ledger, and project invoices, payments and allocations from it.

        `state` is the contract's state after `new`; `replayed`, for a recompute, every action
        of the rerun (see `store.projection.project`).
        """
        if not new:
            return
        insert_rows(self.conn, t.actions, ACTION_COLUMNS,
                    _action_rows(contract, first_seq, new, recorded_on))
        project(self.conn, contract, state, new, replayed)

    def add_days(self, days: Sequence[RunDay], recorded_on: date) -> None:
        """`add_actions` for a batch of contract days: one insert, one projection."""
        rows = [row for day in days
                for row in _action_rows(day.contract, day.first_seq, day.items, recorded_on)]
        if rows:
            insert_rows(self.conn, t.actions, ACTION_COLUMNS, rows)
            project_days(self.conn, [(d.contract, d.state, d.items) for d in days if d.items])

    def ledger(self, tenant_id: int | None, contract_ref: str | None
               ) -> list[tuple[date, str, int, dict[str, Any]]]:
        """(date, contract ref, seq, action JSON) of the stored actions."""
        a, c = t.actions.c, t.contracts.c
        query = select(a.date, c.ref, a.seq, a.body).join(
            t.contracts, t.contracts.c.id == a.contract_id)
        if tenant_id is not None:
            query = query.where(a.tenant_id == tenant_id)
        if contract_ref is not None:
            query = query.where(c.ref == contract_ref)
        return [(r.date, r.ref, r.seq, json.loads(r.body)) for r in self.conn.execute(query)]


def _action_rows(contract: StoredContract, first_seq: int, new: Sequence[NewAction],
                 recorded_on: date) -> list[tuple[Any, ...]]:
    rows = []
    for i, item in enumerate(new):
        act = item.action
        amount = field_value(act, "amount")
        rows.append((
            contract.tenant_id, contract.id, first_seq + i, act.date, act.kind,
            item.natural_key, dumps(list(act.clauses)),
            item.body if item.body is not None else dumps(act.to_json()),
            amount if isinstance(amount, Decimal) else None, act.currency,
            contract.policy_version_id, item.cause_date, dumps(list(item.cause_events)),
            recorded_on))
    return rows
