"""The item a payment names, resolved at intake to the engine's ref of the invoice.

A payer names an invoice by its structured reference (the Belgian OGM as printed), by its
legal number, or (a direct debit) by the end-to-end id of the collection, which termline sets
to the invoice's legal number. The engine knows its items by its own refs (`acme-0001`), so
the store looks the name up among the tenant's documents when the event arrives and stores
the payment with `invoice` set to the document's item. A name no document carries yet stays
as given: the engine finds no such item and applies the money by the pack's rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from sqlalchemy import select

from termline.adapters.documents.references import structured
from termline.adapters.sql import tables as t
from termline.adapters.sql.sql_rows import SqlRows, connection
from termline.app.inputs import LocatedEvent
from termline.domain.contract.model import (
    DisputeResolved,
    EventBase,
    InvoiceCredited,
    InvoiceDisputed,
    Payment,
)
from termline.domain.errors import InputError


def resolve(repo: object, tenant_id: int, event: EventBase) -> EventBase:
    """`event` with the item it names as the engine's ref, when a document carries the name.

    Only a payment that names something, a dispute or its resolution (`ref`: an invoice's
    number or structured reference as the customer quotes it) and a credit note by hand read
    the documents (which only the SQL store holds); every other event passes through on any
    store."""
    if isinstance(event, InvoiceCredited):
        return credited(repo, tenant_id, event)
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
    keys = set(_keys(name))
    row = conn.execute(select(d.source_ref).join(t.contracts, t.contracts.c.id == d.contract_id)
                       .where(d.tenant_id == tenant_id, d.kind == "invoice",
                              t.contracts.c.ref == contract,
                              (d.number.in_(keys)) | (d.payment_reference.in_(keys)))
                       .order_by(d.id.desc()).limit(1)).first()
    return None if row is None else str(row.source_ref)


def credited(repo: object, tenant_id: int, event: InvoiceCredited) -> InvoiceCredited:
    """A credit note given as an event names its document by legal number: it must be an
    invoice, fee or interest document of the event's contract, and the item credited is that
    document's (whatever `invoice` said). `termline invoice credit` checks the amount too."""
    d, c = t.documents.c, t.contracts.c
    row = connection(repo).execute(
        select(d.source_ref).join(t.contracts, c.id == d.contract_id)
        .where(d.tenant_id == tenant_id, d.kind == "invoice", c.ref == event.contract,
               d.number == event.document)).first()
    if row is None:
        raise InputError(f"contract {event.contract!r} has no invoice {event.document!r}",
                         field="document")
    return event.model_copy(update={"invoice": str(row.source_ref)})


def resolve_all(repo: object, tenant_id: int, chunk: Sequence[LocatedEvent]
                ) -> list[LocatedEvent]:
    """`resolve` for a chunk of a streamed import (`book_import`, `scenario_import`), in one
    query: each payment naming an invoice is stored naming its item, as one `payment` event
    given alone is (issue 17: cash goes first to the item the payment names)."""
    located = [replace(e, event=credited(repo, tenant_id, e.event))
               if isinstance(e.event, InvoiceCredited) else e for e in chunk]
    names: dict[str, set[str]] = {}
    for e in located:
        if isinstance(e.event, Payment) and (e.event.invoice or e.event.end_to_end_id):
            name = str(e.event.invoice or e.event.end_to_end_id)
            names.setdefault(e.event.contract, set()).update(_keys(name))
    if not names:
        return located
    d, c = t.documents.c, t.contracts.c
    wanted = set().union(*names.values())
    found: dict[tuple[str, str], str] = {}
    for r in connection(repo).execute(
            select(c.ref, d.number, d.payment_reference, d.source_ref)
            .join(t.contracts, c.id == d.contract_id)
            .where(d.tenant_id == tenant_id, d.kind == "invoice", c.ref.in_(set(names)),
                   d.number.in_(wanted) | d.payment_reference.in_(wanted))
            .order_by(d.id)):  # the latest revision of a number last
        found[(str(r.ref), str(r.number))] = str(r.source_ref)
        found[(str(r.ref), str(r.payment_reference))] = str(r.source_ref)
    out = []
    for e in located:
        if isinstance(e.event, Payment) and (e.event.invoice or e.event.end_to_end_id):
            name = str(e.event.invoice or e.event.end_to_end_id)
            ref = next((found[(e.event.contract, key)] for key in _keys(name)
                        if (e.event.contract, key) in found), None)
            if ref is not None:
                e = replace(e, event=e.event.model_copy(update={"invoice": ref}))
        out.append(e)
    return out


def _keys(name: str) -> list[str]:
    digits = structured(name)
    return [name] if digits is None else [name, digits]
