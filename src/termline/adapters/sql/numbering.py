"""Legal numbers for the invoices and credit notes a run issues, in the run's transaction.

* Each invoice row the projection adds (every revision: a back-dated correction that issues an
  invoice again with other content gets a new number) becomes a numbered invoice.
* Each invoice whose action the ledger corrects (`action_corrected`: the revision a recompute
  replaces, an invoice it no longer issues, a fee or interest charge that no longer follows)
  gets a credit note in full (reason `correction`) referring to its number.
* Each fee, interest or charge document keeps the legal number of the invoice it arises from
  (`credit_note_for`, EN 16931 BT-25), as a credit note keeps the invoice it corrects.
* Each credit note by hand (`invoice_credited`) becomes a credit note (reason `credit`) for the
  document it names, its amount the credited total including VAT.
* Each SLA credit and defect refund (`sla_credit`, `defect_refund` actions) becomes a credit
  note for the contract's latest invoice issued by then, whether the engine applies the money
  to an open invoice or keeps it as credit; each reminder fee, collection cost and interest
  charge becomes an invoice of its own.

Numbers are `{prefix}{year}-{n:06d}` (or `{prefix}{n:06d}` for a tenant numbering across years,
profile `number_per_year: false`), gapless per tenant, series and year: the counter row is
incremented with UPDATE ... RETURNING, which on PostgreSQL holds its row lock until commit, so
concurrent runs take turns on it and a rolled back run leaves no gap. Documents are numbered
in a fixed order (issue date, contract, action) so a batch numbers the same way every time.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, select

from termline.adapters.documents.build import charge_source, credit_note_label
from termline.adapters.documents.references import ogm_digits
from termline.adapters.sql import tables as t
from termline.adapters.sql.driver_sql import Pairs, Reads
from termline.adapters.sql.kept import add_to_months, count_documents, lock_totals
from termline.adapters.sql.writes import insert_dicts
from termline.domain.values.money import ZERO
from termline.domain.values.record_build import assigned

if TYPE_CHECKING:
    from termline.adapters.sql.store_records import NewAction
    from termline.domain.engine.actions import Action

CREDIT_KINDS = frozenset({"sla_credit", "defect_refund"})
CORRECTED = "correction|"  # the run's natural key of an action_corrected: + the original's
# every charge is a document (issue 17): fees, collection costs, interest, the policy's named
# charges (a fixed interest step, a penalty) and statutory compensation
CHARGE_KINDS = CREDIT_KINDS | {"collection_costs_charged", "interest_charged", "charge_applied",
                               "compensation_charged", "invoice_credited"}
MANUAL_CREDIT = "credit"  # the reason of a credit note by hand (`termline invoice credit`)


@assigned  # one for each document a batch numbers
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
    credits_ref: str | None = None  # the engine ref of the invoice an engine credit credits
    arises_from: str | None = None  # a charge's invoice (engine ref): its legal number is kept


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
               charges: Sequence[tuple[int, int, NewAction]]) -> list[dict[str, Any]]:
    """Number the invoices just inserted and the documents of the charges and credits just
    stored ((tenant id, contract id, action), see `_charges`); the document rows inserted.
    Each is inserted open by its whole amount (an invoice) or as a credit note: the caller
    then keeps the figures of its item's documents (`kept.keep_documents`)."""
    pending = (_invoices(invoice_rows)
               + _charges(conn, [c for c in charges if c[2].action.kind != "action_corrected"])
               + _corrections(conn, [c for c in charges
                                     if c[2].action.kind == "action_corrected"]))
    if not pending:
        return []
    tenants = {p.tenant_id for p in pending}
    series = {int(tid): series_of(json.loads(settings)) for tid, settings in Reads(conn).rows(
        "SELECT id, settings FROM tenants WHERE id IN {in}", sorted(tenants))}
    pending.sort(key=lambda p: (p.tenant_id, p.kind == "credit_note", p.issued, p.contract_id,
                                p.action_key))
    groups: dict[tuple[int, str, int], list[Pending]] = {}
    for p in pending:
        s = series[p.tenant_id]
        prefix = s.invoice_prefix if p.kind == "invoice" else s.credit_prefix
        groups.setdefault((p.tenant_id, prefix, p.issued.year if s.per_year else 0),
                          []).append(p)
    lock_totals(conn, tenants)  # before the series' rows, as the run takes them (`kept`)
    numbered: list[tuple[Pending, str]] = []
    for (tenant_id, prefix, year), todo in groups.items():
        last = _take(conn, tenant_id, prefix, year, len(todo))
        for n, p in enumerate(todo, start=last - len(todo) + 1):
            numbered.append((p, f"{prefix}{year}-{n:06d}" if year else f"{prefix}{n:06d}"))
    sources = _sources(conn, numbered)
    # this batch's invoices, (contract, ref) -> number: what an engine credit of one credits
    batch = {(p.contract_id, p.source_ref): number for p, number in numbered
             if p.kind == "invoice"}
    rows = []
    for p, number in numbered:
        if p.arises_from is not None:
            p = replace(p, credit_note_for=sources.get((p.contract_id, p.arises_from, p.issued)))
        elif p.credit_note_for is None and p.credits_ref is not None:
            p = replace(p, credit_note_for=batch.get((p.contract_id, p.credits_ref)))
        rows.append({
            "tenant_id": p.tenant_id, "contract_id": p.contract_id, "number": number,
            "kind": p.kind, "reason": p.reason, "issued": p.issued, "due": p.due,
            "action_key": p.action_key, "source_ref": p.source_ref, "amount": p.amount,
            "currency": p.currency, "credit_note_for": p.credit_note_for,
            "payment_reference": ogm_digits(number, p.kind == "credit_note")
            if series[p.tenant_id].structured else number,
            "open_amount": p.amount if _status(p) == "open" else ZERO,
            "status": _status(p)})
    insert_dicts(conn, t.documents, rows)
    count_documents(conn, [(p.tenant_id, _status(p), p.currency, p.amount, 1)
                           for p, _ in numbered])
    add_to_months(conn, "invoiced", [
        (p.tenant_id, p.issued, p.currency, -p.amount if p.kind == "credit_note" else p.amount)
        for p in pending])
    return rows


def _status(p: Pending) -> str:
    """A document's status as numbered: an invoice open by its whole amount (paid when that is
    0), else a credit note (`kept.keep_documents` then keeps it)."""
    if p.kind != "invoice":
        return "credit_note"
    return "open" if p.amount > ZERO else "paid"


def _sources(conn: Connection, numbered: Sequence[tuple[Pending, str]]
             ) -> dict[tuple[int, str, date], str]:
    """The legal number of the invoice each charge arises from (EN 16931 BT-25): the latest
    revision of that invoice issued by the charge's day, numbered in this batch or before."""
    wanted = {(p.contract_id, p.arises_from, p.issued) for p, _ in numbered
              if p.arises_from is not None}
    if not wanted:
        return {}
    reads = Reads(conn)
    issued: dict[tuple[int, str], list[tuple[date, str]]] = {}
    for cid, ref, day, number in reads.rows(
            "SELECT contract_id, source_ref, issued, number FROM documents "
            "WHERE (contract_id, source_ref) IN {pairs} AND kind = 'invoice' ORDER BY id",
            Pairs(frozenset((c, ref) for c, ref, _ in wanted))):
        issued.setdefault((int(cid), str(ref)), []).append((reads.day(day), str(number)))
    for p, number in numbered:
        if p.kind == "invoice":
            issued.setdefault((p.contract_id, p.source_ref), []).append((p.issued, number))
    out = {}
    for contract_id, ref, day in wanted:
        before = [n for when, n in issued.get((contract_id, ref), []) if when <= day]
        if before:
            out[(contract_id, ref, day)] = before[-1]
    return out


def _take(conn: Connection, tenant_id: int, series: str, year: int, count: int) -> int:
    """Reserve `count` numbers of a series; the last one reserved."""
    reads = Reads(conn)
    reads.execute("INSERT INTO document_series (tenant_id, series, year, last) "
                  "VALUES ({p}, {p}, {p}, 0) ON CONFLICT DO NOTHING", tenant_id, series, year)
    (last,), = reads.rows("UPDATE document_series SET last = last + {p} WHERE tenant_id = {p} "
                          "AND series = {p} AND year = {p} RETURNING last",
                          count, tenant_id, series, year)
    return int(last)


def _invoices(rows: Sequence[dict[str, Any]]) -> list[Pending]:
    return [Pending(r["tenant_id"], r["contract_id"], "invoice", r["kind"], r["issued"],
                    r["due"], r["action_key"], r["ref"], r["amount"], r["currency"])
            for r in rows]


def _corrections(conn: Connection, fixes: Sequence[tuple[int, int, NewAction]]
                 ) -> list[Pending]:
    """A credit note in full for each invoice (also a fee or interest invoice) whose action
    the ledger corrects, dated the day the correction is recorded."""
    if not fixes:
        return []
    originals = {(c, n.natural_key.removeprefix(CORRECTED)): (tenant_id, n)
                 for tenant_id, c, n in fixes}
    reads = Reads(conn)
    out = []
    for cid, key, number, ref, amount, currency in reads.rows(
            "SELECT contract_id, action_key, number, source_ref, amount, currency "
            "FROM documents WHERE (contract_id, action_key) IN {pairs} AND kind = 'invoice'",
            Pairs(frozenset(originals))):
        tenant_id, n = originals[(int(cid), str(key))]
        out.append(Pending(tenant_id, int(cid), "credit_note", "correction", n.action.date,
                           n.action.date, str(key), str(ref), Decimal(reads.money(amount)),
                           str(currency), str(number)))
    return out


def _charges(conn: Connection, charges: Sequence[tuple[int, int, NewAction]]) -> list[Pending]:
    """Documents for the engine's other money actions: a credit note for each SLA credit and
    defect refund, for the contract's latest invoice issued by then (the period the credit is
    for is billed by then); an invoice for each reminder fee, collection cost and interest
    charge (compensation, outside the scope of VAT: docs/readings.md)."""
    if not charges:
        return []
    d = t.documents.c
    reads = Reads(conn)
    latest: dict[int, list[tuple[date, str]]] = {}
    for cid, issued, number in reads.rows(
            "SELECT contract_id, issued, number FROM documents WHERE contract_id IN {in} "
            "AND kind = 'invoice' AND reason NOT IN ('fee', 'interest') ORDER BY id",
            sorted({c for _, c, _ in charges})):
        latest.setdefault(int(cid), []).append((reads.day(issued), str(number)))
    out = []
    for tenant_id, contract_id, n in charges:
        act = n.action
        amount = act.get("fee") if act.kind == "reminder_sent" else act.get("amount")
        assert isinstance(amount, Decimal)
        currency = act.currency or "EUR"
        if act.kind == "invoice_credited" and "document" in dict(act.fields):
            # a credit note by hand: its total, VAT included, for the document it names
            out.append(Pending(tenant_id, contract_id, "credit_note", MANUAL_CREDIT, act.date,
                               act.date, n.natural_key, str(act.get("ref")), amount, currency,
                               str(act.get("document"))))
            continue
        if act.kind == "invoice_credited":  # the engine's: a dispute upheld, a period after the end
            ref = str(act.get("ref"))
            number = conn.execute(select(d.number).where(
                d.contract_id == contract_id, d.kind == "invoice", d.source_ref == ref)
                .order_by(d.id.desc()).limit(1)).scalar()
            out.append(Pending(tenant_id, contract_id, "credit_note", str(act.get("reason")),
                               act.date, act.date, n.natural_key, credit_note_label(act),
                               amount, currency, number, ref))
            continue
        if act.kind in CREDIT_KINDS:
            label = (f"sla-credit {act.get('window')}" if act.kind == "sla_credit"
                     else f"defect-refund {act.get('defect')}")
            before = [num for issued, num in latest.get(contract_id, []) if issued <= act.date]
            out.append(Pending(tenant_id, contract_id, "credit_note", act.kind, act.date,
                               act.date, n.natural_key, label, amount, currency,
                               before[-1] if before else None))
            continue
        ref, reason = charge_source(act)
        invoice = act.get("invoice") if act.kind == "interest_charged" else act.get("ref")
        out.append(Pending(tenant_id, contract_id, "invoice", reason, act.date, act.date,
                           n.natural_key, ref, amount, currency,
                           arises_from=str(invoice) if invoice is not None else None))
    return out


def is_charge(act: Action) -> bool:
    """An action that becomes a document of its own (see `_charges`, `_corrections`)."""
    if act.kind == "action_corrected":
        return True
    if act.kind == "reminder_sent":
        fee = act.get("fee")
        return isinstance(fee, Decimal) and fee > 0
    return act.kind in CHARGE_KINDS
