"""What the run keeps beside a contract's state for the console's book (migration 0013): the
state's status and access (columns of `contract_runs`, set by `save_runs`' own statement) and
its open items (`contract_open_items`, replaced here in the same transaction).

A contract's rows are written only by the transaction that stores its state and passes the
optimistic check of `save_runs` (on PostgreSQL it also holds the run row's lock), so two
workers never write one contract's rows; a conflict rolls the transaction back, rows and all.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, bindparam, delete, select

from termline.adapters.sql import console_tables as ct
from termline.adapters.sql import tables as t
from termline.domain.engine.state import ContractState
from termline.domain.values.money import ZERO


def open_rows(contract_id: int, state: ContractState) -> list[dict[str, Any]]:
    """A contract's open items as rows (the currency and tenant are the contract's)."""
    return [{"cid": contract_id, "ref": it.ref, "kind": it.kind, "due": it.due,
             "amount_open": it.open} for it in state.items if it.open > ZERO]


def keep_open_items(conn: Connection, states: Iterable[tuple[int, ContractState]]) -> None:
    """Replace the kept open items of these contracts by those of their new states."""
    pairs = list(states)
    if not pairs:
        return
    ids = sorted({cid for cid, _ in pairs})
    o = ct.contract_open_items.c
    conn.execute(delete(ct.contract_open_items).where(o.contract_id.in_(ids)))
    rows = [row for cid, state in pairs for row in open_rows(cid, state)]
    if not rows:
        return
    c = t.contracts.c
    # tenant and currency come from the contract's own row, in the one statement
    source = select(c.id, bindparam("ref"), c.tenant_id, c.currency, bindparam("kind"),
                    bindparam("due", type_=o.due.type),
                    bindparam("amount_open", type_=o.amount_open.type)).where(
        c.id == bindparam("cid"))
    conn.execute(ct.contract_open_items.insert().from_select(
        ["contract_id", "ref", "tenant_id", "currency", "kind", "due", "amount_open"], source),
        rows)
