"""The outboxes, filled in the transaction that appends a run's actions.

`enqueue` reads the endpoints and recipients the new actions concern and inserts the rows the
pure `notify.derive` functions give: a committed run has its notices, a rolled-back one none.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from sqlalchemy import Connection, insert, select

from termline.adapters.bank.target2 import PRENOTIFICATION_DAYS
from termline.adapters.notify.derive import (
    EMAIL_KINDS,
    Endpoint,
    NewEntry,
    Recipient,
    email_rows,
    hold_back,
    recipient_language,
    tenant_info,
    webhook_rows,
)
from termline.adapters.sql import service_tables as s
from termline.adapters.sql import tables as t
from termline.adapters.sql.driver_sql import Reads
from termline.adapters.sql.dues import details
from termline.adapters.sql.jsontext import dumps
from termline.domain.policy.schema import Policy

if TYPE_CHECKING:
    from termline.adapters.sql.store_records import NewAction, StoredContract
    from termline.domain.engine.state import ContractState


_ENDPOINTS = ("SELECT id, tenant_id, events FROM webhook_endpoints WHERE tenant_id IN {in} "
              "AND enabled ORDER BY id")


def _prenotice(conn: Connection, version_id: int) -> int:
    """The days of pre-notification of a direct debit under a stored version of the terms."""
    text = conn.execute(select(t.policy_versions.c.policy)
                        .where(t.policy_versions.c.id == version_id)).scalar_one()
    return Policy.model_validate_json(text).payment.direct_debit_prenotice


def entries(days: Sequence[tuple[StoredContract, Sequence[NewAction]]]) -> list[NewEntry]:
    # the body the ledger stores (the run passes it; `store.jsontext.dumps` otherwise)
    return [NewEntry(contract.tenant_id, contract.id, n.natural_key, n.action.kind,
                     n.body if n.body is not None else dumps(n.action.to_json()))
            for contract, new in days for n in new]


def enqueue(conn: Connection, days: Sequence[tuple[StoredContract, Sequence[NewAction]]],
            states: Mapping[int, ContractState] | None = None) -> None:
    """The outbox rows of the new actions; `states` (by contract id, after the actions) give a
    reminder's open items (`store.dues`)."""
    tenant_ids = {c.tenant_id for c, acts in days if acts}
    if not tenant_ids:
        return
    # through the driver (`driver_sql`): asked for every batch the run stores
    endpoints = [Endpoint(int(eid), int(tid), tuple(json.loads(events)))
                 for eid, tid, events in Reads(conn).rows(_ENDPOINTS, sorted(tenant_ids))]
    mailing = any(n.action.kind in EMAIL_KINDS and c.mailable for c, acts in days for n in acts)
    if not endpoints and not mailing:
        return  # no webhook and nothing to tell a customer by e-mail: no more for this batch
    new = entries(days)
    hooks = webhook_rows(new, endpoints)
    if hooks:
        conn.execute(insert(s.webhook_deliveries), hooks)
    if not mailing:
        return
    contracts = {c.id: c for c, _ in days}
    notice: dict[int, int] = {}
    for c in contracts.values():  # the terms' pre-notification of a direct debit
        if c.contract.mandate is not None and c.policy_version_id not in notice:
            notice[c.policy_version_id] = _prenotice(conn, c.policy_version_id)
    tn = t.tenants.c
    settings = {int(row.id): json.loads(row.settings) for row in conn.execute(
        select(tn.id, tn.settings).where(tn.id.in_(tenant_ids)))}
    names = dict(conn.execute(select(tn.id, tn.name).where(tn.id.in_(tenant_ids))).all())
    tenants = {tid: tenant_info(str(names[tid]), settings[tid]) for tid in settings}
    info = s.contract_info.c
    stored_languages = dict(conn.execute(select(info.contract_id, info.language).where(
        info.contract_id.in_(list(contracts)))).all())
    languages = {cid: recipient_language(c.contract.customer.language,
                                         stored_languages.get(cid), tenants[c.tenant_id])
                 for cid, c in contracts.items()}
    recipients = {cid: Recipient(c.contract.id, c.contract.customer.name,
                                 c.contract.customer.email, languages[cid],
                                 c.contract.mandate.id if c.contract.mandate else None,
                                 notice.get(c.policy_version_id, PRENOTIFICATION_DAYS))
                  for cid, c in contracts.items()}
    more = details(conn, days, states or {}, settings, languages)
    mails = email_rows(new, recipients, tenants, more)
    col = t.contracts.c
    added = {int(r.id): r.added_on for r in conn.execute(select(col.id, col.added_on).where(
        col.id.in_(list(contracts)), col.added_on.is_not(None)))}
    mails = hold_back(mails, new, added)
    if mails:
        conn.execute(insert(s.emails), mails)
