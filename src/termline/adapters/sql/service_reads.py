"""SQL for what the service answers besides the ledger: contracts with their stored info,
customers, the e-mail outbox, webhook endpoints and deliveries, and the ledger's actions and
documents as pages (`keyset`). Every query is scoped by the tenant's id."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Row, insert, select, update

from termline.adapters.sql import service_tables as s
from termline.adapters.sql import tables as t
from termline.adapters.sql.keyset import Order, cursor, page
from termline.adapters.sql.sql_rows import SqlRows

Record = Row[*tuple[object, ...]]  # a row as the query selected it (read by column name)
Page = tuple[Sequence[Record], bool]


class ServiceReads(SqlRows):
    # --- the ledger -----------------------------------------------------------------------
    def actions(self, tenant_id: int, *, contract: str | None, kind: str | None,
                since: date | None, until: date | None, after: int | None, limit: int
                ) -> Page:
        a, c = t.actions.c, t.contracts.c
        order = Order(a.date, a.id)
        query = select(a.id, a.body).where(a.tenant_id == tenant_id)
        if contract is not None:
            query = query.join(t.contracts, c.id == a.contract_id).where(c.ref == contract)
        if kind is not None:
            query = query.where(a.kind == kind)
        if since is not None:
            query = query.where(a.date >= since)
        if until is not None:
            query = query.where(a.date <= until)
        key = None if after is None else cursor(self.conn, order, a.id == after,
                                                a.tenant_id == tenant_id)
        return page(self.conn, query, order, key, limit)

    def documents_page(self, tenant_id: int, *, contract: str | None, after: str | None,
                       limit: int) -> Page:
        """Numbered documents (invoices, credit notes, fees, interest) by issue day."""
        d, c = t.documents.c, t.contracts.c
        order = Order(d.issued, d.id)
        query = select(d.number).join(t.contracts, c.id == d.contract_id).where(
            d.tenant_id == tenant_id)
        if contract is not None:
            query = query.where(c.ref == contract)
        key = None if after is None else cursor(self.conn, order, d.number == after,
                                                d.tenant_id == tenant_id)
        return page(self.conn, query, order, key, limit)

    def invoice_vat(self, contract_id: int, action_key: str) -> tuple[Decimal, Decimal] | None:
        """(total incl. VAT, VAT) of the invoice row behind a numbered invoice."""
        i = t.invoices.c
        row = self.conn.execute(select(i.amount, i.vat).where(
            i.contract_id == contract_id, i.action_key == action_key)).first()
        return None if row is None else (Decimal(row.amount), Decimal(row.vat))

    # --- contracts ------------------------------------------------------------------------
    def contract_rows(self, tenant_id: int, ids: Sequence[int]) -> list[Record]:
        """The contracts with their pack, currency, metadata and language, in `ids`' order."""
        c, pv, ci = t.contracts.c, t.policy_versions.c, s.contract_info.c
        rows = {int(r.id): r for r in self.conn.execute(
            select(c.id, c.tenant_id, c.document, c.policy_version_id, c.currency, pv.pack,
                   ci.metadata, ci.language)
            .join(t.policy_versions, pv.id == c.policy_version_id)
            .outerjoin(s.contract_info, ci.contract_id == c.id)
            .where(c.tenant_id == tenant_id, c.id.in_(list(ids))))}
        return [rows[i] for i in ids if i in rows]

    def contracts_page(self, tenant_id: int, after: str | None, limit: int) -> Page:
        c = t.contracts.c
        order = Order(c.start, c.id)
        key = None if after is None else cursor(self.conn, order, c.ref == after,
                                                c.tenant_id == tenant_id)
        return page(self.conn, select(c.id).where(c.tenant_id == tenant_id), order, key, limit)

    def add_contract_info(self, tenant_id: int, contract_id: int, metadata: dict[str, str],
                          language: str) -> None:
        self.conn.execute(insert(s.contract_info).values(
            contract_id=contract_id, tenant_id=tenant_id, metadata=json.dumps(metadata),
            language=language))

    def set_contract_metadata(self, contract_id: int, metadata: dict[str, str]) -> None:
        self.conn.execute(update(s.contract_info).where(
            s.contract_info.c.contract_id == contract_id).values(metadata=json.dumps(metadata)))

    # --- customers ------------------------------------------------------------------------
    def customers_page(self, tenant_id: int, after: int | None, limit: int) -> Page:
        cu = t.customers.c
        order = Order(cu.id, cu.id)  # a customer has no date of its own: the order it came
        key = None if after is None else cursor(self.conn, order, cu.id == after,
                                                cu.tenant_id == tenant_id)
        return page(self.conn, select(t.customers).where(cu.tenant_id == tenant_id), order,
                    key, limit)

    def customer(self, tenant_id: int, customer_id: int) -> Record | None:
        cu = t.customers.c
        return self.conn.execute(select(t.customers).where(
            cu.id == customer_id, cu.tenant_id == tenant_id)).first()

    def customer_refs(self, customer_id: int) -> list[str]:
        c = t.contracts.c
        return [str(r) for r in self.conn.execute(
            select(c.ref).where(c.customer_id == customer_id).order_by(c.id)).scalars()]

    def customer_metadata(self, customer_id: int) -> dict[str, str]:
        ci = s.customer_info.c
        text = self.conn.execute(select(ci.metadata).where(ci.customer_id == customer_id)
                                 ).scalar()
        return dict(json.loads(text)) if text else {}

    def set_customer_metadata(self, tenant_id: int, customer_id: int,
                              metadata: dict[str, str]) -> None:
        ci = s.customer_info.c
        text = json.dumps(metadata)
        if self.conn.execute(update(s.customer_info).where(ci.customer_id == customer_id)
                             .values(metadata=text)).rowcount == 0:
            self.conn.execute(insert(s.customer_info).values(
                customer_id=customer_id, tenant_id=tenant_id, metadata=text))

    # --- the e-mail outbox ----------------------------------------------------------------
    def emails_page(self, tenant_id: int, *, contract: str | None, status: str | None,
                    after: str | None, limit: int) -> Page:
        m, c = s.emails.c, t.contracts.c
        order = Order(m.created_at, m.id)
        query = select(m.id, m.msg_id, m.kind, m.to_addr, m.subject, m.status, m.attempts,
                       m.created_at, m.sent_at, m.last_error, c.ref).outerjoin(
            t.contracts, c.id == m.contract_id).where(m.tenant_id == tenant_id)
        if contract is not None:
            query = query.where(c.ref == contract)
        if status is not None:
            query = query.where(m.status == status)
        key = None if after is None else cursor(self.conn, order, m.msg_id == after,
                                                m.tenant_id == tenant_id)
        return page(self.conn, query, order, key, limit)

    # --- webhooks -------------------------------------------------------------------------
    def endpoints_page(self, tenant_id: int, after: int | None, limit: int) -> Page:
        e = s.webhook_endpoints.c
        order = Order(e.created_at, e.id)
        key = None if after is None else cursor(self.conn, order, e.id == after,
                                                e.tenant_id == tenant_id)
        return page(self.conn, select(s.webhook_endpoints).where(e.tenant_id == tenant_id),
                    order, key, limit)

    def endpoint(self, tenant_id: int, endpoint_id: int) -> Record | None:
        e = s.webhook_endpoints.c
        return self.conn.execute(select(s.webhook_endpoints).where(
            e.id == endpoint_id, e.tenant_id == tenant_id)).first()

    def set_endpoint_enabled(self, endpoint_id: int, enabled: bool, now: datetime) -> None:
        e = s.webhook_endpoints.c
        self.conn.execute(update(s.webhook_endpoints).where(e.id == endpoint_id).values(
            enabled=enabled, disabled_at=None if enabled else now, failing_since=None))

    def deliveries_page(self, endpoint_id: int, *, status: str | None, after: str | None,
                        limit: int) -> Page:
        d = s.webhook_deliveries.c
        order = Order(d.created_at, d.id)
        query = select(s.webhook_deliveries).where(d.endpoint_id == endpoint_id)
        if status is not None:
            query = query.where(d.status == status)
        key = None if after is None else cursor(self.conn, order, d.msg_id == after,
                                                d.endpoint_id == endpoint_id)
        return page(self.conn, query, order, key, limit)

    def delivery(self, tenant_id: int, msg_id: str) -> Record | None:
        d = s.webhook_deliveries.c
        return self.conn.execute(select(s.webhook_deliveries).where(
            d.msg_id == msg_id, d.tenant_id == tenant_id)).first()

    def attempts(self, delivery_id: int) -> list[Record]:
        at = s.webhook_attempts.c
        return list(self.conn.execute(select(at.at, at.status_code, at.latency_ms, at.response)
                                      .where(at.delivery_id == delivery_id).order_by(at.id)))

    def redeliver(self, delivery_id: int, now: datetime) -> Record:
        d = s.webhook_deliveries.c
        self.conn.execute(update(s.webhook_deliveries).where(d.id == delivery_id).values(
            status="pending", next_attempt_at=now))
        return self.conn.execute(select(s.webhook_deliveries).where(d.id == delivery_id)).one()
