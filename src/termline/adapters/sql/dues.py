"""What the e-mails of a run's new actions state beyond the action, read in the run's
transaction (`store.outbox`): an invoice's net, VAT and total from its invoice record, and for
a reminder the items open that day (each with its record's total and open amount incl. VAT),
the fee, the deadline (the day the terms' next dunning step applies) and the dunning letter.

Documents are numbered before the notices are written (`store.projection`), so the records
exist. A tenant without a seller profile has no numbered documents: its e-mails show the
engine's references and amounts, and no letter is attached.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from babel.dates import format_date
from babel.numbers import format_currency
from sqlalchemy import Connection, select

from termline.adapters.catalogue import LOCALES, language_of, text
from termline.adapters.documents.build import (
    CHARGE_LABELS,
    Issued,
    charge_label,
    document,
    lines_of,
)
from termline.adapters.documents.letter import KIND_MESSAGES, DueLine, Letter
from termline.adapters.documents.parties import SellerProfile
from termline.adapters.notify.derive import Details
from termline.adapters.sql import tables as t
from termline.adapters.sql.document_store import DocumentStore
from termline.adapters.sql.store_records import NewAction, StoredContract
from termline.domain.contract.model import Contract
from termline.domain.engine.state import ContractState, Item, business_calendar
from termline.domain.mechanisms.dunning.ladder import next_step
from termline.domain.policy.schema import Policy

KINDS = ("invoice_issued", "reminder_sent")


@dataclass(frozen=True)
class Record:
    """An invoice record as the customer's documents show it."""
    number: str
    issued: date
    due: date
    net: Decimal
    vat: Decimal
    total: Decimal
    reference: str


def details(conn: Connection, days: Sequence[tuple[StoredContract, Sequence[NewAction]]],
            states: Mapping[int, ContractState], settings: Mapping[int, Mapping[str, Any]],
            languages: Mapping[int, str]) -> dict[tuple[int, str], Details]:
    """`Details` for the new invoice and reminder actions of contracts with an e-mail address
    (keyed by contract id and natural key)."""
    out: dict[tuple[int, str], Details] = {}
    policies: dict[int, Policy] = {}
    for contract, new in days:
        wanted = [n for n in new if n.action.kind in KINDS]
        if not wanted or not contract.mailable:
            continue
        raw = settings.get(contract.tenant_id, {}).get("profile")
        profile = SellerProfile.model_validate(raw) if raw else None
        language = languages[contract.id]
        state = states.get(contract.id)
        refs = {str(n.action.get("ref")) for n in wanted} | (
            {i.ref for i in state.items if i.open > 0} if state is not None else set())
        records = _records(conn, contract, profile, refs) if profile is not None else {}
        for n in wanted:
            act = n.action
            if act.kind == "invoice_issued":
                record = records.get(str(act.get("ref")))
                if record is not None:
                    out[(contract.id, n.natural_key)] = Details(
                        _money_context(record, act.currency or "EUR", language),
                        ({"invoice": record.number},))
                continue
            if state is None:
                continue
            if contract.policy_version_id not in policies:
                policies[contract.policy_version_id] = Policy.model_validate_json(
                    conn.execute(select(t.policy_versions.c.policy).where(
                        t.policy_versions.c.id == contract.policy_version_id)).scalar_one())
            out[(contract.id, n.natural_key)] = _reminder(
                n, contract.contract, state, policies[contract.policy_version_id], records,
                profile, language)
    return out


def _records(conn: Connection, contract: StoredContract, profile: SellerProfile,
             refs: set[str]) -> dict[str, Record]:
    """The contract's latest numbered invoice for each of these engine item refs, with its
    totals."""
    store = DocumentStore(conn)
    latest = {d.source_ref: d for d in store.documents(contract.tenant_id, contract.contract.id)
              if d.kind == "invoice" and d.source_ref in refs}
    out = {}
    for ref, stored in latest.items():
        if stored.reason in CHARGE_LABELS:
            rows = [(charge_label(stored.reason, ref), Decimal(1), stored.amount,
                     stored.amount)]
        else:
            rows = store.invoice_lines(stored.contract_id, stored.action_key)
        doc = document(Issued("invoice", stored.number, stored.issued, stored.due,
                              stored.currency, lines_of(rows), ref, stored.reason),
                       profile, contract.contract)
        out[ref] = Record(stored.number, stored.issued, stored.due, doc.net, doc.vat,
                          doc.total, doc.payment.reference)
    return out


def _money(value: Decimal, currency: str, language: str) -> str:
    return str(format_currency(value, currency, locale=LOCALES[language_of(language)]))


def _day(value: date, language: str) -> str:
    return str(format_date(value, format="long", locale=LOCALES[language_of(language)]))


def _money_context(record: Record, currency: str, language: str) -> dict[str, Any]:
    return {"number": record.number, "net": _money(record.net, currency, language),
            "vat": _money(record.vat, currency, language),
            "total": _money(record.total, currency, language),
            "due": _day(record.due, language)}


def due_lines(items: Sequence[Item], day: date, records: Mapping[str, Record]
              ) -> tuple[DueLine, ...]:
    """The items open on `day`, oldest first, each with its record's total and open amount
    incl. VAT (the engine's amounts where the tenant has no numbered documents). The item is
    the document's total incl. VAT (issue 17), so its open amount is what the letter states."""
    out = []
    for item in sorted((i for i in items if i.issued <= day and i.open > 0),
                       key=lambda i: (i.issued, i.seq)):
        record = records.get(item.ref)
        if record is None:
            out.append(DueLine(item.ref, item.kind, item.issued, item.due, item.amount,
                               item.open))
        else:
            out.append(DueLine(record.number, item.kind, record.issued, record.due,
                               record.total, item.open))
    return tuple(out)


def _reminder(n: NewAction, contract: Contract, state: ContractState, policy: Policy,
              records: Mapping[str, Record], profile: SellerProfile | None, language: str
              ) -> Details:
    act = n.action
    ref = str(act.get("ref"))
    currency = act.currency or policy.currency
    fee = act.get("fee")
    fee = fee if isinstance(fee, Decimal) else Decimal(0)
    lines = due_lines(state.items, act.date, records)
    deadline: date | None = None
    next_clauses: tuple[str, ...] = ()
    invoice = next((i for i in state.items if i.ref == ref), None)
    if invoice is not None:
        found = next_step(policy.dunning, invoice, state,
                          business_calendar(policy.calendar, policy.closed_days))
        if found is not None:
            deadline, next_clauses = found[1], policy.dunning.steps[found[0]].clause
    record = records.get(ref)
    total = sum((ln.open for ln in lines), Decimal(0))
    context: dict[str, Any] = {
        "dues": [{"document": ln.document, "what": text(language, KIND_MESSAGES[ln.kind]),
                  "due": _day(ln.due, language), "open": _money(ln.open, currency, language)}
                 for ln in lines],
        "total_due": _money(total, currency, language),
        "fee_text": _money(fee, currency, language) if fee > 0 else None,
        "deadline": _day(deadline, language) if deadline else None,
        "next_clauses": ", ".join(next_clauses),
        "invoice_number": record.number if record else ref,
    }
    if profile is None:
        return Details(context)
    context["attached"] = True
    customer = contract.customer
    address = customer.address
    letter = Letter(
        language, act.date, int(str(act.get("number") or 1)), contract.id,
        record.number if record else ref, currency, lines, fee, act.clauses, deadline,
        tuple(next_clauses),
        {k: v for k, v in {"legal_name": profile.legal_name, "street": profile.street,
                           "postal_code": profile.postal_code, "city": profile.city,
                           "country": profile.country, "vat_number": profile.vat_number,
                           "iban": profile.iban, "bic": profile.bic}.items() if v},
        {k: v for k, v in {"name": customer.name, "country": customer.country,
                           "street": address.street if address else None,
                           "postal_code": address.postal_code if address else None,
                           "city": address.city if address else None}.items() if v},
        record.reference if record else ref,
        profile.terms_url)
    attachments: list[Mapping[str, Any]] = [{"letter": json.loads(json.dumps(
        letter.to_json()))}]
    if record is not None:
        attachments.insert(0, {"invoice": record.number})
    return Details(context, tuple(attachments))
