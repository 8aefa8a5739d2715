"""Legal numbers for the invoices and credit notes a run issues, in the run's transaction.

* Each invoice row the projection adds (every revision: a back-dated correction that issues an
  invoice again with other content gets a new number) becomes a numbered invoice; the revision
  it replaces gets a credit note in full (reason `correction`) referring to its number.
* Each allocation settled by an SLA credit or a defect refund becomes a credit note for the
  invoice it is applied to.

Numbers are `{prefix}{year}-{n:06d}` (or `{prefix}{n:06d}` for a tenant numbering across years,
profile `number_per_year: false`), gapless per tenant, series and year: the counter row is
incremented with UPDATE ... RETURNING, which on PostgreSQL holds its row lock until commit, so
concurrent runs take turns on it and a rolled back run leaves no gap. Documents are numbered
in a fixed order (issue date, contract, action) so a batch numbers the same way every time.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, and_, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from termline.documents.references import ogm_digits
from termline.store import tables as t

SETTLEMENT_REASONS = {"sla_credit", "defect_refund"}


@dataclass(frozen=True, slots=True)
class Pending:
    tenant_id: int
    contract_id: int
    kind: str  # invoice | credit_note
    reason: str
    issued: date
    due: date
    action_key: str
    source_ref: str
    amount: Decimal
    currency: str
    credit_note_for: str | None = None


@dataclass(frozen=True, slots=True)
class Series:
    invoice_prefix: str
    credit_prefix: str
    per_year: bool
    structured: bool  # Belgian seller: OGM payment references


def series_of(settings: dict[str, Any]) -> Series:
    profile = settings.get("profile") or {}
    prefix = str(profile.get("invoice_prefix", ""))
    return Series(prefix, str(profile.get("credit_note_prefix") or f"{prefix}CN"),
                  bool(profile.get("number_per_year", True)), profile.get("country") == "BE")


def number_new(conn: Connection, invoice_rows: Sequence[dict[str, Any]],
               allocation_rows: Sequence[dict[str, Any]]) -> None:
    """Number the documents behind the invoice and allocation rows just inserted."""
    pending = _invoices(conn, invoice_rows) + _settlements(conn, allocation_rows)
    if not pending:
        return
    tenants = {p.tenant_id for p in pending}
    series = {int(r.id): series_of(json.loads(r.settings)) for r in conn.execute(
        select(t.tenants.c.id, t.tenants.c.settings).where(t.tenants.c.id.in_(tenants)))}
    pending.sort(key=lambda p: (p.tenant_id, p.kind == "credit_note", p.issued, p.contract_id,
                                p.action_key))
    groups: dict[tuple[int, str, int], list[Pending]] = {}
    for p in pending:
        s = series[p.tenant_id]
        prefix = s.invoice_prefix if p.kind == "invoice" else s.credit_prefix
        groups.setdefault((p.tenant_id, prefix, p.issued.year if s.per_year else 0),
                          []).append(p)
    rows = []
    for (tenant_id, prefix, year), todo in groups.items():
        last = _take(conn, tenant_id, prefix, year, len(todo))
        for n, p in enumerate(todo, start=last - len(todo) + 1):
            number = f"{prefix}{year}-{n:06d}" if year else f"{prefix}{n:06d}"
            rows.append({
                "tenant_id": p.tenant_id, "contract_id": p.contract_id, "number": number,
                "kind": p.kind, "reason": p.reason, "issued": p.issued, "due": p.due,
                "action_key": p.action_key, "source_ref": p.source_ref, "amount": p.amount,
                "currency": p.currency, "credit_note_for": p.credit_note_for,
                "payment_reference": ogm_digits(number) if series[tenant_id].structured
                else number})
    conn.execute(insert(t.documents), rows)


def _take(conn: Connection, tenant_id: int, series: str, year: int, count: int) -> int:
    """Reserve `count` numbers of a series; the last one reserved."""
    s = t.document_series.c
    dialect = {"postgresql": postgresql, "sqlite": sqlite}[conn.dialect.name]
    conn.execute(dialect.insert(t.document_series).values(
        tenant_id=tenant_id, series=series, year=year, last=0).on_conflict_do_nothing())
    last = conn.execute(update(t.document_series).where(
        s.tenant_id == tenant_id, s.series == series, s.year == year)
        .values(last=s.last + count).returning(s.last)).scalar_one()
    return int(last)


def _invoices(conn: Connection, rows: Sequence[dict[str, Any]]) -> list[Pending]:
    out = [Pending(r["tenant_id"], r["contract_id"], "invoice", r["kind"], r["issued"], r["due"],
                   r["action_key"], r["ref"], r["amount"], r["currency"]) for r in rows]
    revised = [r for r in rows if r["revision"] > 0]
    if not revised:
        return out
    i, d = t.invoices.c, t.documents.c
    earlier = conn.execute(
        select(i.contract_id, i.ref, i.revision, i.action_key, d.number, d.amount, d.issued)
        .join(t.documents, and_(d.contract_id == i.contract_id, d.action_key == i.action_key,
                                d.kind == "invoice"))
        .where(or_(*(and_(i.contract_id == r["contract_id"], i.ref == r["ref"],
                          i.revision == r["revision"] - 1) for r in revised)))).all()
    by_ref = {(int(e.contract_id), str(e.ref)): e for e in earlier}
    for r in revised:
        old = by_ref.get((r["contract_id"], r["ref"]))
        if old is None:
            continue  # issued before documents were numbered (no backfill)
        out.append(Pending(r["tenant_id"], r["contract_id"], "credit_note", "correction",
                           r["issued"], r["issued"], str(old.action_key), r["ref"],
                           Decimal(old.amount), r["currency"], str(old.number)))
    return out


def _settlements(conn: Connection, rows: Sequence[dict[str, Any]]) -> list[Pending]:
    settled = [r for r in rows if r["source"] in SETTLEMENT_REASONS]
    if not settled:
        return []
    a, d = t.actions.c, t.documents.c
    keys = {(r["contract_id"], r["action_key"]) for r in settled}
    labels = {(int(x.contract_id), str(x.natural_key)): json.loads(x.body).get("reference")
              for x in conn.execute(select(a.contract_id, a.natural_key, a.body).where(
                  a.contract_id.in_({c for c, _ in keys}),
                  a.natural_key.in_({k for _, k in keys})))}
    numbers = {}
    for x in conn.execute(select(d.contract_id, d.source_ref, d.number).where(
            d.contract_id.in_({c for c, _ in keys}), d.kind == "invoice",
            d.source_ref.in_({r["item_ref"] for r in settled})).order_by(d.id)):
        numbers[(int(x.contract_id), str(x.source_ref))] = str(x.number)  # latest revision
    return [Pending(r["tenant_id"], r["contract_id"], "credit_note", r["source"], r["date"],
                    r["date"], r["action_key"],
                    str(labels.get((r["contract_id"], r["action_key"])) or r["source"]),
                    r["amount"], r["currency"], numbers.get((r["contract_id"], r["item_ref"])))
            for r in settled]
