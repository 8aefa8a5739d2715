"""The item a payment names, resolved at intake to the engine's ref of the invoice.

A payer names an invoice by its structured reference (the Belgian OGM as printed), by its
legal number, or (a direct debit) by the end-to-end id of the collection, which termline sets
to the invoice's legal number. The engine knows its items by its own refs (`acme-0001`), so
the store looks the name up among the tenant's documents when the event arrives and stores
the payment with `invoice` set to the document's item. A name no document carries yet stays
as given: the engine finds no such item and applies the money by the pack's rule.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from termline.adapters.documents.references import structured
from termline.adapters.sql import tables as t
from termline.adapters.sql.sql_rows import connection
from termline.domain.contract.model import Payment


def resolve(repo: object, tenant_id: int, event: Any) -> Any:
    """`event` with the item it names as the engine's ref, when a document carries the name.

    Only a payment that names something reads the documents (which only the SQL store holds);
    every other event passes through on any store."""
    if not isinstance(event, Payment):
        return event
    name = event.invoice or event.end_to_end_id
    if name is None:
        return event
    conn = connection(repo)
    d = t.documents.c
    keys = {name}
    digits = structured(name)
    if digits is not None:
        keys.add(digits)
    row = conn.execute(select(d.source_ref).join(t.contracts, t.contracts.c.id == d.contract_id)
                       .where(d.tenant_id == tenant_id, d.kind == "invoice",
                              t.contracts.c.ref == event.contract,
                              (d.number.in_(keys)) | (d.payment_reference.in_(keys)))
                       .order_by(d.id.desc()).limit(1)).first()
    if row is None:
        return event
    return event.model_copy(update={"invoice": str(row.source_ref)})
