"""What the run's new actions announce: webhook deliveries and e-mails (pure functions).

The store calls these in the transaction that appends the actions (`store.outbox`), so an
outbox row exists exactly when its action does. Identifiers are derived from the action's
natural key: a delivery's `webhook-id` is the same on every attempt, and receivers drop
duplicates by it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from termline.adapters.bank.target2 import PRENOTIFICATION_DAYS, collection_date
from termline.adapters.catalogue import language_of
from termline.adapters.notify.render import render

# Action kind -> e-mail template (the notices the terms require or imply).
EMAIL_KINDS = ("invoice_issued", "reminder_sent", "access_suspended", "access_restored",
               "breach_notice_sent", "contract_terminated", "change_announced",
               "data_deletion_scheduled")


@dataclass(frozen=True)
class NewEntry:
    """One action just appended: its contract, natural key, kind and ledger body (JSON)."""
    tenant_id: int
    contract_id: int
    natural_key: str
    kind: str
    body: str


@dataclass(frozen=True)
class Endpoint:
    id: int
    tenant_id: int
    events: tuple[str, ...]  # action kinds, or ("*",)

    def wants(self, kind: str) -> bool:
        return "*" in self.events or kind in self.events


@dataclass(frozen=True)
class Recipient:
    contract_ref: str
    customer: str
    email: str | None
    language: str
    mandate: str | None = None  # collected by SEPA direct debit under this mandate
    prenotice_days: int = PRENOTIFICATION_DAYS


@dataclass(frozen=True)
class TenantInfo:
    """The seller as its customers' e-mails name it: the profile's legal name, address, VAT
    number and terms URL (the tenant's display name or name without a profile), its sender
    (`mail_from`, None: the operator's) and its language for customers without one."""
    name: str
    terms_url: str
    address: tuple[str, ...] = ()  # street, postal code and city, country code
    vat_number: str | None = None
    mail_from: str | None = None
    language: str = "en"


def tenant_info(name: str, settings: Mapping[str, Any]) -> TenantInfo:
    """A tenant's `TenantInfo` from its settings: the seller profile first, then the settings
    the API sets (`display_name`, `terms_url`)."""
    profile = settings.get("profile") or {}
    town = " ".join(str(profile[k]) for k in ("postal_code", "city") if profile.get(k))
    address = tuple(x for x in (profile.get("street"), town, profile.get("country")) if x)
    return TenantInfo(profile.get("legal_name") or settings.get("display_name") or name,
                      profile.get("terms_url") or settings.get("terms_url") or "",
                      address, profile.get("vat_number"), profile.get("mail_from"),
                      language_of(profile.get("language")))


def recipient_language(contract_language: str | None, stored_language: str | None,
                       tenant: TenantInfo) -> str:
    """The language of a contract's e-mails and documents: the customer's as the contract
    gives it (every intake path stores it), else as the API stored it beside the contract,
    else the seller's."""
    return language_of(contract_language or stored_language or tenant.language)


@dataclass(frozen=True)
class Details:
    """What an e-mail states beyond its action (the invoice record's amounts incl. VAT, a
    reminder's open items and deadline) and what it carries attached (`store.outbox`)."""
    context: Mapping[str, Any]
    attachments: tuple[Mapping[str, Any], ...] = ()


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def webhook_rows(entries: Sequence[NewEntry], endpoints: Sequence[Endpoint]
                 ) -> list[dict[str, Any]]:
    """One pending delivery per action and endpoint of its tenant that wants its kind, in the
    actions' order (the ledger's order per contract)."""
    rows = []
    for entry in entries:
        for ep in endpoints:
            if ep.tenant_id != entry.tenant_id or not ep.wants(entry.kind):
                continue
            rows.append({
                "tenant_id": entry.tenant_id, "endpoint_id": ep.id,
                "contract_id": entry.contract_id, "action_key": entry.natural_key,
                "msg_id": "msg_" + _digest(f"{ep.id}|{entry.contract_id}|"
                                           f"{entry.natural_key}")[:40],
                "type": entry.kind, "data": entry.body, "status": "pending", "attempts": 0})
    return rows


def email_context(entry_body: Mapping[str, Any], recipient: Recipient, tenant: TenantInfo,
                  export_until: str | None = None) -> dict[str, Any]:
    collection = None
    if recipient.mandate and entry_body.get("kind") == "invoice_issued" \
            and entry_body.get("due_date"):
        # the pre-notification of the debit (SEPA Core PT-04.03), as on the invoice
        collection = collection_date(date.fromisoformat(str(entry_body["due_date"])),
                                     date.fromisoformat(str(entry_body["date"])),
                                     recipient.prenotice_days).isoformat()
    return {"a": dict(entry_body), "customer": recipient.customer,
            "contract": recipient.contract_ref, "tenant": tenant.name,
            "seller_address": tenant.address, "seller_vat": tenant.vat_number,
            "terms_url": tenant.terms_url, "clauses": ", ".join(entry_body.get("clauses", [])),
            "export_until": export_until, "fee_text": _fee_text(entry_body),
            "mandate": recipient.mandate, "collection": collection}


def _fee_text(body: Mapping[str, Any]) -> str | None:
    """A reminder's fee as the e-mail states it; None when there is none (no "fee of 0.00")."""
    fee = body.get("fee")
    try:
        charged = fee is not None and Decimal(str(fee)) > 0
    except ArithmeticError:
        charged = False
    return f"{fee} {body.get('currency') or ''}".strip() if charged else None


def email_rows(entries: Sequence[NewEntry], recipients: Mapping[int, Recipient],
               tenants: Mapping[int, TenantInfo],
               details: Mapping[tuple[int, str], Details] | None = None
               ) -> list[dict[str, Any]]:
    """One e-mail per action of a kind the customer is told about, to the contract's customer
    address in the customer's language, from the tenant's sender; contracts without an
    address get none. `details` (by contract id and natural key) add to what an e-mail says
    and name its attachments."""
    rows = []
    export_until: dict[int, str] = {}
    for entry in entries:
        recipient = recipients.get(entry.contract_id)
        if entry.kind not in EMAIL_KINDS or recipient is None or not recipient.email:
            continue
        body = json.loads(entry.body)
        if entry.kind == "contract_terminated" and body.get("export_until"):
            export_until[entry.contract_id] = str(body["export_until"])
        tenant = tenants[entry.tenant_id]
        extra = (details or {}).get((entry.contract_id, entry.natural_key))
        context = email_context(body, recipient, tenant, export_until.get(entry.contract_id))
        if extra is not None:
            context.update(extra.context)
        mail = render(entry.kind, recipient.language, context)
        rows.append({
            "tenant_id": entry.tenant_id, "contract_id": entry.contract_id,
            "msg_id": "eml_" + _digest(f"{entry.contract_id}|{entry.natural_key}")[:40],
            "kind": entry.kind, "to_addr": recipient.email, "subject": mail.subject,
            "body": mail.body, "status": "pending", "attempts": 0,
            "from_addr": tenant.mail_from,
            "attachments": json.dumps([dict(a) for a in extra.attachments])
            if extra is not None and extra.attachments else None})
    return rows


NOT_SENT = "not_sent"
BEFORE_ADDED = "not sent: before the contract was added"


def hold_back(rows: Sequence[dict[str, Any]], entries: Sequence[NewEntry],
              added_on: Mapping[int, date]) -> list[dict[str, Any]]:
    """A contract added back-dated does not e-mail its history: a notice for an action dated
    before the day the contract was added is recorded as not sent, with why."""
    dated = {(e.contract_id, "eml_" + _digest(f"{e.contract_id}|{e.natural_key}")[:40]):
             str(json.loads(e.body).get("date", "")) for e in entries}
    out = []
    for row in rows:
        added = added_on.get(row["contract_id"])
        day = dated.get((row["contract_id"], row["msg_id"]), "")
        if added is not None and day and day < added.isoformat():
            row = {**row, "status": NOT_SENT, "last_error": BEFORE_ADDED}
        out.append(row)
    return out


@dataclass(frozen=True)
class NoticeDeadline:
    """A contract's last day to give notice, as `engine.deadlines` gives it."""
    tenant_id: int
    contract_id: int
    date: str
    term_end: str
    clauses: tuple[str, ...]


def renewal_rows(deadlines: Sequence[NoticeDeadline], recipients: Mapping[int, Recipient],
                 tenants: Mapping[int, TenantInfo]) -> list[dict[str, Any]]:
    """One renewal reminder per notice deadline (the customer-side radar), to the contract's
    customer; its id is derived from the deadline, so each is sent once however often asked."""
    rows = []
    for d in deadlines:
        recipient = recipients.get(d.contract_id)
        if recipient is None or not recipient.email:
            continue
        body = {"date": d.date, "effective": d.term_end, "clauses": list(d.clauses)}
        tenant = tenants[d.tenant_id]
        mail = render("renewal_reminder", recipient.language,
                      email_context(body, recipient, tenant))
        rows.append({
            "tenant_id": d.tenant_id, "contract_id": d.contract_id,
            "msg_id": "eml_" + _digest(f"{d.contract_id}|renewal|{d.date}")[:40],
            "kind": "renewal_reminder", "to_addr": recipient.email, "subject": mail.subject,
            "body": mail.body, "status": "pending", "attempts": 0,
            "from_addr": tenant.mail_from, "attachments": None})
    return rows
