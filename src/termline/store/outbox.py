"""The outboxes, filled in the transaction that appends a run's actions.

`enqueue` reads the endpoints and recipients the new actions concern and inserts the rows the
pure `notify.derive` functions give: a committed run has its notices, a rolled-back one none.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy import Connection, insert, select

from termline.notify.derive import (
    EMAIL_KINDS,
    Endpoint,
    NewEntry,
    Recipient,
    TenantInfo,
    email_rows,
    hold_back,
    webhook_rows,
)
from termline.store import service_tables as s
from termline.store import tables as t
from termline.store.jsontext import dumps

if TYPE_CHECKING:
    from termline.store.repository import NewAction, StoredContract

DEFAULT_TERMS_URL = ""


def entries(days: Sequence[tuple[StoredContract, Sequence[NewAction]]]) -> list[NewEntry]:
    # the body the ledger stores (the run passes it; `store.jsontext.dumps` otherwise)
    return [NewEntry(contract.tenant_id, contract.id, n.natural_key, n.action.kind,
                     n.body if n.body is not None else dumps(n.action.to_json()))
            for contract, new in days for n in new]


def enqueue(conn: Connection, days: Sequence[tuple[StoredContract, Sequence[NewAction]]]
            ) -> None:
    new = entries(days)
    if not new:
        return
    tenant_ids = {e.tenant_id for e in new}
    ep = s.webhook_endpoints.c
    endpoints = [Endpoint(int(r.id), int(r.tenant_id), tuple(json.loads(r.events)))
                 for r in conn.execute(select(ep.id, ep.tenant_id, ep.events).where(
                     ep.tenant_id.in_(tenant_ids), ep.enabled.is_(True)).order_by(ep.id))]
    hooks = webhook_rows(new, endpoints)
    if hooks:
        conn.execute(insert(s.webhook_deliveries), hooks)
    contracts = {c.id: c for c, _ in days}
    if not any(e.kind in EMAIL_KINDS and contracts[e.contract_id].contract.customer.email
               for e in new):
        return  # nothing to tell a customer by e-mail: no more queries for this batch
    info = s.contract_info.c
    languages = dict(conn.execute(select(info.contract_id, info.language).where(
        info.contract_id.in_(list(contracts)))).all())
    recipients = {cid: Recipient(c.contract.id, c.contract.customer.name,
                                 c.contract.customer.email, languages.get(cid, "en"))
                  for cid, c in contracts.items()}
    tn = t.tenants.c
    tenants = {}
    for row in conn.execute(select(tn.id, tn.name, tn.settings).where(tn.id.in_(tenant_ids))):
        settings = json.loads(row.settings)
        tenants[int(row.id)] = TenantInfo(settings.get("display_name") or row.name,
                                          settings.get("terms_url") or DEFAULT_TERMS_URL)
    mails = email_rows(new, recipients, tenants)
    c = t.contracts.c
    added = {int(r.id): r.added_on for r in conn.execute(select(c.id, c.added_on).where(
        c.id.in_(list(contracts)), c.added_on.is_not(None)))}
    mails = hold_back(mails, new, added)
    if mails:
        conn.execute(insert(s.emails), mails)
