"""The console's SQL: its users, sessions and sign-in attempts, and the paged, filtered reads of
a book that a browser asks for (a page of contracts, of invoices, the months, the queues).

Lists are filtered and paged in the database (keyset on the contract's id, an offset for the
invoices): a page of a 1,000,000-contract book reads a page of rows. A contract's status and
access are the columns the run keeps beside its state, and the book's receivables are summed
from the open items it keeps (`kept`, migration 0013); a document's open amount and status
are kept with it (`kept.keep_documents`, migration 0014).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    case,
    delete,
    func,
    insert,
    select,
    update,
)

from termline.adapters.sql import console_tables as ct
from termline.adapters.sql import kept
from termline.adapters.sql import service_tables as s
from termline.adapters.sql import tables as t
from termline.domain.contract.model import Contract

_RUN = t.contract_runs.c
_CON = t.contracts.c
_CUS = t.customers.c


@dataclass(frozen=True, slots=True)
class SessionRow:
    user_id: int
    tenant_id: int
    tenant: str
    email: str
    role: str
    csrf: str


@dataclass(frozen=True, slots=True)
class ContractRow:
    id: int
    ref: str
    customer: str
    customer_id: int
    pack: str
    start: date
    status: str
    access: str
    state: str  # the stored state's JSON
    problem: str | None
    next_due: date
    cursor: date
    policy_version_id: int


def _prefix(column: Any, start: str) -> list[ColumnElement[bool]]:
    """`column` starts with `start` (case as stored), as a range an index can serve."""
    return [column >= start, column < start + "\U0010ffff"]


class ConsoleStore:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    # --- users ------------------------------------------------------------------------------
    def add_user(self, tenant_id: int, email: str, password_hash: str, role: str,
                 at: datetime) -> int:
        result = self.conn.execute(insert(ct.console_users).values(
            tenant_id=tenant_id, email=email, password_hash=password_hash, role=role,
            created_at=at))
        key = result.inserted_primary_key
        assert key is not None
        return int(key[0])

    def user_by_email(self, email: str) -> Any:
        u = ct.console_users.c
        return self.conn.execute(select(ct.console_users).where(
            u.email == email, u.disabled_at.is_(None))).first()

    def set_password(self, user_id: int, password_hash: str) -> None:
        u = ct.console_users.c
        self.conn.execute(update(ct.console_users).where(u.id == user_id)
                          .values(password_hash=password_hash))

    def users(self, tenant_id: int) -> list[dict[str, Any]]:
        u = ct.console_users.c
        return [dict(r._mapping) for r in self.conn.execute(
            select(u.id, u.email, u.role, u.created_at, u.disabled_at)
            .where(u.tenant_id == tenant_id).order_by(u.email))]

    # --- sessions ---------------------------------------------------------------------------
    def add_session(self, token_hash: str, user_id: int, tenant_id: int, csrf: str,
                    at: datetime, expires: datetime) -> None:
        self.conn.execute(insert(ct.console_sessions).values(
            token_hash=token_hash, user_id=user_id, tenant_id=tenant_id, csrf=csrf,
            created_at=at, expires_at=expires))

    def session(self, token_hash: str, now: datetime) -> SessionRow | None:
        se, u, tn = ct.console_sessions.c, ct.console_users.c, t.tenants.c
        row = self.conn.execute(
            select(se.user_id, se.tenant_id, tn.name, u.email, u.role, se.csrf, se.expires_at)
            .join(ct.console_users, u.id == se.user_id)
            .join(t.tenants, tn.id == se.tenant_id)
            .where(se.token_hash == token_hash, u.disabled_at.is_(None),
                   u.tenant_id == se.tenant_id)).first()
        if row is None:
            return None
        expires = row.expires_at
        if expires.tzinfo is None:  # SQLite gives back naive UTC
            expires = expires.replace(tzinfo=now.tzinfo)
        if expires <= now:
            return None
        return SessionRow(int(row.user_id), int(row.tenant_id), str(row.name), str(row.email),
                          str(row.role), str(row.csrf))

    def drop_session(self, token_hash: str) -> None:
        self.conn.execute(delete(ct.console_sessions)
                          .where(ct.console_sessions.c.token_hash == token_hash))

    # --- sign-in attempts -------------------------------------------------------------------
    def add_attempt(self, address: str, email: str, at: datetime, ok: bool) -> None:
        self.conn.execute(insert(ct.console_signin_attempts).values(
            address=address, email=email[:400], at=at, ok=ok))

    def failures_since(self, address: str, since: datetime) -> int:
        a = ct.console_signin_attempts.c
        return int(self.conn.execute(select(func.count()).where(
            a.address == address, a.at > since, a.ok.is_(False))).scalar_one())

    # --- secrets ----------------------------------------------------------------------------
    def secret(self, name: str) -> str | None:
        sc = ct.console_secrets.c
        found = self.conn.execute(select(sc.secret).where(sc.name == name)).scalar()
        return None if found is None else str(found)

    def add_secret(self, name: str, secret: str, at: datetime) -> None:
        self.conn.execute(insert(ct.console_secrets).values(name=name, secret=secret,
                                                            created_at=at))

    # --- contracts ------------------------------------------------------------------------
    def _contract_select(self) -> Any:
        pv = t.policy_versions.c
        return (select(_CON.id, _CON.ref, _CUS.name.label("customer"), _CUS.id.label("cid"),
                       pv.pack, _CON.start,
                       _RUN.status, _RUN.access,
                       _RUN.state, _RUN.problem, _RUN.next_due, _RUN.cursor,
                       _CON.policy_version_id)
                .select_from(t.contracts.join(t.customers, _CUS.id == _CON.customer_id)
                             .join(t.contract_runs, _RUN.contract_id == _CON.id)
                             .join(t.policy_versions, pv.id == _CON.policy_version_id)))

    @staticmethod
    def _contract_row(r: Any) -> ContractRow:
        return ContractRow(int(r.id), str(r.ref), str(r.customer), int(r.cid), str(r.pack),
                           r.start, str(r.status), str(r.access), str(r.state), r.problem,
                           r.next_due, r.cursor, int(r.policy_version_id))

    def contract_page(self, tenant_id: int, *, ref: str | None = None,
                      customer: str | None = None, status: str | None = None,
                      pack: str | None = None, problems: bool = False,
                      after_id: int = 0, limit: int = 25) -> list[ContractRow]:
        """Up to `limit` contracts with an id above `after_id`, filtered: `ref` and `customer`
        by prefix (case as stored), `status` and `pack` exactly."""
        if status:  # the kept column's index gives the status's contracts in id order
            query = self._contract_select().where(
                _RUN.tenant_id == tenant_id, _RUN.status == status,
                _RUN.contract_id > after_id).order_by(_RUN.contract_id)
        else:
            query = self._contract_select().where(
                _CON.tenant_id == tenant_id, _CON.id > after_id).order_by(_CON.id)
        if ref:
            query = query.where(*_prefix(_CON.ref, ref))
        if customer:
            query = query.where(*_prefix(_CUS.name, customer))
        if pack:
            query = query.where(t.policy_versions.c.pack == pack)
        if problems:  # the partial index of the set-aside ones
            aside = select(_RUN.contract_id).where(_RUN.tenant_id == tenant_id,
                                                   _RUN.problem.is_not(None))
            query = query.where(_CON.id.in_(aside))
        rows = self.conn.execute(query.limit(limit))
        return [self._contract_row(r) for r in rows]

    def contract_row(self, tenant_id: int, ref: str) -> ContractRow | None:
        row = self.conn.execute(self._contract_select().where(
            _CON.tenant_id == tenant_id, _CON.ref == ref)).first()
        return None if row is None else self._contract_row(row)

    def customer_contracts(self, tenant_id: int, customer_id: int) -> list[ContractRow]:
        rows = self.conn.execute(self._contract_select().where(
            _CON.tenant_id == tenant_id, _CON.customer_id == customer_id).order_by(_CON.ref))
        return [self._contract_row(r) for r in rows]

    def contracts_due_by(self, tenant_id: int, last: date, limit: int) -> list[ContractRow]:
        """Contracts whose next acting day (a deadline is one: `engine.wake`) is by `last`."""
        rows = self.conn.execute(self._contract_select().where(
            _RUN.tenant_id == tenant_id, _RUN.next_due <= last)
            .order_by(_RUN.next_due, _RUN.contract_id).limit(limit))
        return [self._contract_row(r) for r in rows]

    def contracts_by_id(self, ids: Sequence[int]) -> dict[int, Contract]:
        """The contracts as given (their documents), by id."""
        if not ids:
            return {}
        rows = self.conn.execute(select(_CON.id, _CON.document).where(_CON.id.in_(ids)))
        return {int(r.id): Contract.model_validate_json(r.document) for r in rows}

    def status_counts(self, tenant_id: int) -> list[tuple[str, str, int]]:
        """(status, access, contracts) from the totals the run keeps (`kept`)."""
        return kept.counts(self.conn, tenant_id)

    def late_contracts(self, tenant_id: int, on: date) -> list[int]:
        """The contracts with an invoice open past its due date on `on` (the kept items)."""
        o = ct.contract_open_items.c
        return [int(i) for i in self.conn.execute(
            select(o.contract_id).where(o.tenant_id == tenant_id, o.kind == "invoice",
                                        o.due < on).distinct()).scalars()]

    def contract_rows(self, ids: Sequence[int]) -> list[ContractRow]:
        if not ids:
            return []
        rows = self.conn.execute(self._contract_select().where(_CON.id.in_(ids)))
        return [self._contract_row(r) for r in rows]

    def open_by_due(self, tenant_id: int) -> list[tuple[str, str, date, Decimal]]:
        """(currency, kind, due date, open amount) from the totals the run keeps."""
        return kept.open_by_due(self.conn, tenant_id)

    def contract_events(self, tenant_id: int, contract_id: int) -> list[dict[str, Any]]:
        """A contract's own events and its tenant's broadcast ones, in received order, voided
        ones with their reason (`Repository.event_log` for one contract, by two index
        look-ups)."""
        e, v = t.events.c, t.event_voids.c
        own = select(e.id).where(e.tenant_id == tenant_id, e.contract_id == contract_id)
        broadcast = select(e.id).where(e.tenant_id == tenant_id, e.contract_id.is_(None))
        ids = own.union_all(broadcast).subquery()
        rows = self.conn.execute(
            select(e.id, e.payload, e.contract_id, v.reason)
            .select_from(t.events.join(ids, ids.c.id == e.id)
                         .outerjoin(t.event_voids, v.event_id == e.id))
            .order_by(e.id))
        return [{"id": int(r.id), "payload": json.loads(r.payload),
                 "broadcast": r.contract_id is None, "voided": r.reason} for r in rows]

    # --- customers --------------------------------------------------------------------------
    def customers_named(self, tenant_id: int, name: str) -> list[int]:
        return [int(i) for i in self.conn.execute(select(_CUS.id).where(
            _CUS.tenant_id == tenant_id, _CUS.name == name).order_by(_CUS.id)).scalars()]

    def customer(self, tenant_id: int, customer_id: int) -> Any:
        return self.conn.execute(select(t.customers).where(
            _CUS.tenant_id == tenant_id, _CUS.id == customer_id)).first()

    def language(self, contract_id: int) -> str | None:
        ci = s.contract_info.c
        found = self.conn.execute(select(ci.language).where(ci.contract_id == contract_id)
                                  ).scalar()
        return None if found is None else str(found)

    # --- money per month ------------------------------------------------------------------
    def invoiced_by_month(self, tenant_id: int, first: date) -> list[tuple[str, str, Decimal]]:
        """(YYYY-MM, currency, amount incl. VAT) of the documents issued from `first`'s month
        on, credit notes subtracted (kept as they are numbered: `kept.add_to_months`)."""
        return kept.months(self.conn, tenant_id, f"{first.year:04d}-{first.month:02d}",
                           "invoiced")

    def cash_by_month(self, tenant_id: int, first: date) -> list[tuple[str, str, Decimal]]:
        """(YYYY-MM, currency, amount) of the payments received from `first`'s month on."""
        return kept.months(self.conn, tenant_id, f"{first.year:04d}-{first.month:02d}",
                           "cash")

    def _month(self, column: Any) -> Any:
        if self.conn.dialect.name == "postgresql":
            return func.to_char(column, "YYYY-MM")
        return func.strftime("%Y-%m", column)

    # --- invoices ---------------------------------------------------------------------------
    # A document's open amount and status are kept with it where its allocations and credit
    # notes are written (`kept.keep_documents`, migration 0014): a status filter reads the
    # index on (tenant, status, issued, id), and the totals of a filter on nothing but the
    # status the tenant's kept totals by status and currency (`book_documents`), not every
    # document's allocations.
    def _invoice_filter(self, tenant_id: int, first: date | None, last: date | None,
                        status: str | None, customer: str | None) -> list[Any]:
        d = t.documents.c
        where: list[Any] = [d.tenant_id == tenant_id]
        if status in ("open", "paid", "credit_note"):  # a credit note's status is its kind
            where.append(d.status == status)
        if first is not None:
            where.append(d.issued >= first)
        if last is not None:
            where.append(d.issued <= last)
        if customer:
            where.append(and_(*_prefix(_CUS.name, customer)))
        return where

    def _invoice_from(self) -> Any:
        d = t.documents.c
        return t.documents.join(t.contracts, _CON.id == d.contract_id).join(
            t.customers, _CUS.id == _CON.customer_id)

    def invoice_page(self, tenant_id: int, *, first: date | None = None,
                     last: date | None = None, status: str | None = None,
                     customer: str | None = None, offset: int = 0, limit: int | None = 50
                     ) -> list[dict[str, Any]]:
        d = t.documents.c
        query = (select(d.id, d.number, d.kind, d.reason, d.issued, d.due, d.amount,
                        d.currency, d.source_ref, d.credit_note_for, d.contract_id,
                        _CON.ref.label("contract"), _CUS.name.label("customer"),
                        d.open_amount, d.status)
                 .select_from(self._invoice_from())
                 .where(*self._invoice_filter(tenant_id, first, last, status, customer))
                 .order_by(d.issued.desc(), d.id.desc()).offset(offset))
        if limit is not None:
            query = query.limit(limit)
        return [dict(r._mapping) for r in self.conn.execute(query)]

    def invoice_totals(self, tenant_id: int, *, first: date | None = None,
                       last: date | None = None, status: str | None = None,
                       customer: str | None = None) -> list[tuple[str, int, Decimal]]:
        """(currency, documents, amount incl. VAT with credit notes subtracted) of the filter:
        from the totals kept by status and currency (`kept.document_totals`) when the filter
        is on nothing but the status, else summed over the filter's documents."""
        d = t.documents.c
        if first is None and last is None and not customer:
            out: dict[str, tuple[int, Decimal]] = {}
            for kept_status, currency, n, value in kept.document_totals(self.conn, tenant_id):
                if status in ("open", "paid", "credit_note") and kept_status != status:
                    continue
                count, total = out.get(currency, (0, Decimal(0)))
                out[currency] = (count + n, total + (-value if kept_status == "credit_note"
                                                     else value))
            return sorted((c, n, v) for c, (n, v) in out.items() if n)
        # a credit note is the one status whose amount is subtracted (the index alone)
        signed = case((d.status == "credit_note", -d.amount), else_=d.amount)
        rows = self.conn.execute(
            select(d.currency, func.count(), func.sum(signed))
            .select_from(self._invoice_from() if customer else t.documents)
            .where(*self._invoice_filter(tenant_id, first, last, status, customer))
            .group_by(d.currency))
        return sorted((str(c), int(n), Decimal(v)) for c, n, v in rows)

    # --- bank entries -----------------------------------------------------------------------
    def bank_entry(self, tenant_id: int, entry_ref: str) -> Any:
        e = t.bank_entries.c
        return self.conn.execute(select(t.bank_entries).where(
            e.tenant_id == tenant_id, e.entry_ref == entry_ref).with_for_update()).first()

    def match_entry(self, entry_id: int, number: str, event_id: int) -> bool:
        """Mark an unmatched credit matched to a document and its payment event; False when
        another hand matched it first."""
        e = t.bank_entries.c
        done = self.conn.execute(update(t.bank_entries).where(
            e.id == entry_id, e.status == "unmatched").values(
            status="matched", document_number=number, event_id=event_id))
        return bool(done.rowcount)

    def open_invoices(self, tenant_id: int, currency: str, first: date, last: date,
                      scan: int = 2000) -> list[dict[str, Any]]:
        """Invoices of one currency issued from `first` to `last` with an amount still open
        (kept: `kept.keep_documents`), newest first: at most the `scan` newest open ones of
        the period are looked at (the index on the status and issue date serves them)."""
        d = t.documents.c
        recent = (select(d.id).where(d.tenant_id == tenant_id, d.status == "open",
                                     d.issued >= first, d.issued <= last)
                  .order_by(d.issued.desc(), d.id.desc()).limit(scan).subquery())
        query = (select(d.number, d.issued, d.due, d.amount, d.currency, d.source_ref,
                        d.contract_id, _CON.ref.label("contract"),
                        _CUS.name.label("customer"), d.open_amount.label("owed"))
                 .select_from(self._invoice_from().join(recent, recent.c.id == d.id))
                 .where(d.currency == currency)
                 .order_by(d.issued.desc(), d.id.desc()))
        return [dict(r._mapping) for r in self.conn.execute(query)]

    # --- deliveries ------------------------------------------------------------------------
    def failed_deliveries(self, tenant_id: int, limit: int) -> list[dict[str, Any]]:
        w, we, em = s.webhook_deliveries.c, s.webhook_endpoints.c, s.emails.c
        hooks = [{"channel": "webhook", "msg_id": r.msg_id, "type": r.type, "to": r.url,
                  "attempts": r.attempts, "created_at": r.created_at,
                  "contract": r.ref} for r in self.conn.execute(
            select(w.msg_id, w.type, we.url, w.attempts, w.created_at, _CON.ref)
            .join(s.webhook_endpoints, we.id == w.endpoint_id)
            .join(t.contracts, _CON.id == w.contract_id)
            .where(w.tenant_id == tenant_id, w.status == "failed")
            .order_by(w.id.desc()).limit(limit))]
        mails = [{"channel": "email", "msg_id": r.msg_id, "type": r.kind, "to": r.to_addr,
                  "attempts": r.attempts, "created_at": r.created_at,
                  "error": r.last_error} for r in self.conn.execute(
            select(em.msg_id, em.kind, em.to_addr, em.attempts, em.created_at, em.last_error)
            .where(em.tenant_id == tenant_id, em.status == "failed")
            .order_by(em.id.desc()).limit(limit))]
        return hooks + mails

    def retry_delivery(self, tenant_id: int, channel: str, msg_id: str, now: datetime
                       ) -> bool:
        """Send a failed delivery again at the next round; False when the tenant has none."""
        table = s.webhook_deliveries if channel == "webhook" else s.emails
        c = table.c
        done = self.conn.execute(update(table).where(
            c.tenant_id == tenant_id, c.msg_id == msg_id, c.status == "failed")
            .values(status="pending", next_attempt_at=now))
        return bool(done.rowcount)
