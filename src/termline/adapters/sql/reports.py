"""Read-only queries for the command line's listings and summaries (SQL stays in store/)."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, func, select

from termline.adapters.sql import tables as t


def last_action_id(conn: Connection, tenant_id: int | None = None) -> int:
    """The id of the last stored action (0: none); actions are appended in id order."""
    query = select(func.max(t.actions.c.id))
    if tenant_id is not None:
        query = query.where(t.actions.c.tenant_id == tenant_id)
    return int(conn.execute(query).scalar() or 0)


def kinds_since(conn: Connection, after_id: int) -> Counter[str]:
    """How many actions of each kind were stored after action `after_id`."""
    a = t.actions.c
    rows = conn.execute(select(a.kind, func.count()).where(a.id > after_id).group_by(a.kind))
    return Counter({str(kind): int(n) for kind, n in rows})


def contracts_suspended_since(conn: Connection, after_id: int) -> int:
    a = t.actions.c
    return int(conn.execute(select(func.count(func.distinct(a.contract_id))).where(
        a.id > after_id, a.kind == "access_suspended")).scalar() or 0)


def keyed_ledger(conn: Connection, tenant_id: int, contract_ref: str | None
                 ) -> list[tuple[str, dict[str, Any]]]:
    """(natural key, action JSON) of a tenant's stored actions in simulate's order."""
    a, c = t.actions.c, t.contracts.c
    query = select(a.date, c.ref, a.seq, a.natural_key, a.body).join(
        t.contracts, c.id == a.contract_id).where(a.tenant_id == tenant_id)
    if contract_ref is not None:
        query = query.where(c.ref == contract_ref)
    rows = sorted(conn.execute(query), key=lambda r: (r.date, r.ref, r.seq))
    return [(r.natural_key, json.loads(r.body)) for r in rows]


def customer_names(conn: Connection, tenant_id: int) -> dict[str, str]:
    """Contract ref -> its customer's name."""
    c, cu = t.contracts.c, t.customers.c
    rows = conn.execute(select(c.ref, cu.name).join(t.customers, cu.id == c.customer_id)
                        .where(c.tenant_id == tenant_id))
    return {str(ref): str(name) for ref, name in rows}


def customers(conn: Connection, tenant_id: int) -> list[dict[str, Any]]:
    """A tenant's customers with their contracts' refs, by name."""
    c, cu = t.contracts.c, t.customers.c
    rows = conn.execute(select(cu.id, cu.name, cu.country, cu.email, c.ref)
                        .join(t.contracts, c.customer_id == cu.id, isouter=True)
                        .where(cu.tenant_id == tenant_id).order_by(cu.name, cu.id, c.ref))
    found: dict[int, dict[str, Any]] = {}
    for row in rows:
        entry = found.setdefault(row.id, {"customer": row.name, "country": row.country,
                                          "email": row.email, "contracts": []})
        if row.ref is not None:
            entry["contracts"].append(row.ref)
    return list(found.values())


def allocations_through(conn: Connection, tenant_id: int, on: date
                        ) -> dict[int, dict[str, list[tuple[date, Decimal]]]]:
    """Contract id -> item ref -> the (day, amount) allocated to it up to `on`, corrected
    allocations left out (returns are negative rows)."""
    from termline.adapters.sql.corrected import uncorrected

    a = t.allocations.c
    out: dict[int, dict[str, list[tuple[date, Decimal]]]] = {}
    for row in conn.execute(select(a.contract_id, a.item_ref, a.date, a.amount).where(
            a.tenant_id == tenant_id, a.date <= on, uncorrected(t.allocations))
            .order_by(a.id)):
        out.setdefault(int(row.contract_id), {}).setdefault(str(row.item_ref), []).append(
            (row.date, Decimal(row.amount)))
    return out
