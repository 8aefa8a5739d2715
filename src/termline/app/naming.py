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
from termline.adapters.sql.sql_rows import SqlRows, connection
from termline.domain.contract.model import DisputeResolved, InvoiceDisputed, Payment


def resolve(repo: object, tenant_id: int, event: Any) -> Any:
    """`event` with the item it names as the engine's ref, when a document carries the name.

    Only a payment that names something, and a dispute or its resolution (`ref`: an invoice's
    number or structured reference as the customer quotes it), read the documents (which only
    the SQL store holds); every other event passes through on any store."""
    if isinstance(event, InvoiceDisputed | DisputeResolved):
        if not isinstance(repo, SqlRows):  # no documents: the engine's ref as given
            return event
        found = _source_ref(repo, tenant_id, event.contract, event.ref)
        return event if found is None else event.model_copy(update={"ref": found})
    if not isinstance(event, Payment):
        return event
    name = event.invoice or event.end_to_end_id
    if name is None:
        return event
    found = _source_ref(repo, tenant_id, event.contract, name)
    return event if found is None else event.model_copy(update={"invoice": found})


def _source_ref(repo: object, tenant_id: int, contract: str, name: str) -> str | None:
    """The engine's ref of the contract's invoice whose number or structured reference is
    `name`, or None."""
    conn = connection(repo)
    d = t.documents.c
    keys = {name}
    digits = structured(name)
    if digits is not None:
        keys.add(digits)
    row = conn.execute(select(d.source_ref).join(t.contracts, t.contracts.c.id == d.contract_id)
                       .where(d.tenant_id == tenant_id, d.kind == "invoice",
                              t.contracts.c.ref == contract,
                              (d.number.in_(keys)) | (d.payment_reference.in_(keys)))
                       .order_by(d.id.desc()).limit(1)).first()
    return None if row is None else str(row.source_ref)
