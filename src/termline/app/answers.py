"""What the service answers about a tenant's book besides contracts and invoices: the ledger's
actions, customers, the e-mail outbox, the tenant's settings, webhook endpoints and their
deliveries. Each use case is scoped by the caller's tenant: another tenant's id is not found.
Pages come from one helper (`adapters.sql.keyset`): ordered by date then id, a cursor that
names no row of the listing is not found (404: it is a valid id, only not one of the tenant's
listing)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime

from termline.adapters.sql.keyset import UnknownCursor
from termline.adapters.sql.service_reads import Record, ServiceReads
from termline.adapters.sql.sql_rows import connection
from termline.app.ports import UnitOfWork
from termline.domain.errors import InputError
from termline.domain.values.rule import JsonDict as Json  # an object the API answers

__all__ = ["Json", "NotFound", "Page"]

RENEWAL_REMINDER_DAYS = 30


class NotFound(InputError):
    """The tenant has no such thing (another tenant's is the same: never "forbidden")."""


@dataclass(frozen=True)
class Page:
    data: list[Json]
    has_more: bool

    def to_json(self) -> Json:
        return {"data": self.data, "has_more": self.has_more}


@contextmanager
def reads(uow: UnitOfWork, what: str | None = None) -> Iterator[ServiceReads]:
    """The service's queries over the unit of work's connection; a cursor naming no `what`
    of the tenant is not found (`starting_after`)."""
    with uow:
        try:
            yield ServiceReads(connection(uow.repo))
        except UnknownCursor:
            raise NotFound(f"no {what or 'item'} to start after", field="starting_after"
                           ) from None
        uow.commit()


def paged(rows: tuple[Sequence[Record], bool], show: Callable[[Record], Json]) -> Page:
    found, more = rows
    return Page([show(r) for r in found], more)


def _stamp(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


# --- the ledger ------------------------------------------------------------------------------
def actions(uow: UnitOfWork, tenant_id: int, *, contract: str | None = None,
            kind: str | None = None, since: date | None = None, until: date | None = None,
            after: int | None = None, limit: int = 20) -> Page:
    """The actions as `simulate` prints them, each with its `id`, by date then id."""
    with reads(uow, "action") as q:
        return paged(q.actions(tenant_id, contract=contract, kind=kind, since=since,
                               until=until, after=after, limit=limit),
                     lambda r: {"id": int(r.id), **json.loads(r.body)})


# --- customers -------------------------------------------------------------------------------
def _customer(q: ServiceReads, row: Record) -> Json:
    return {"id": f"cus_{row.id}", "name": row.name, "country": row.country,
            "email": row.email, "contracts": q.customer_refs(int(row.id)),
            "metadata": q.customer_metadata(int(row.id))}


def _found_customer(q: ServiceReads, tenant_id: int, customer_id: int) -> Record:
    row = q.customer(tenant_id, customer_id)
    if row is None:
        raise NotFound(f"no customer 'cus_{customer_id}'", field="id")
    return row


def customers(uow: UnitOfWork, tenant_id: int, after: int | None, limit: int) -> Page:
    with reads(uow, "customer") as q:
        return paged(q.customers_page(tenant_id, after, limit), lambda r: _customer(q, r))


def customer(uow: UnitOfWork, tenant_id: int, customer_id: int) -> Json:
    with reads(uow) as q:
        return _customer(q, _found_customer(q, tenant_id, customer_id))


def set_customer_metadata(uow: UnitOfWork, tenant_id: int, customer_id: int,
                          metadata: dict[str, str]) -> Json:
    with reads(uow) as q:
        row = _found_customer(q, tenant_id, customer_id)
        q.set_customer_metadata(tenant_id, customer_id, metadata)
        return _customer(q, row)


# --- the e-mail outbox -----------------------------------------------------------------------
def emails(uow: UnitOfWork, tenant_id: int, *, contract: str | None, status: str | None,
           after: str | None, limit: int) -> Page:
    with reads(uow, "e-mail") as q:
        return paged(q.emails_page(tenant_id, contract=contract, status=status, after=after,
                                   limit=limit),
                     lambda r: {"id": r.msg_id, "kind": r.kind, "contract": r.ref,
                                "to": r.to_addr, "subject": r.subject, "status": r.status,
                                "attempts": r.attempts, "created_at": _stamp(r.created_at),
                                "sent_at": _stamp(r.sent_at), "last_error": r.last_error})


# --- the tenant's settings -------------------------------------------------------------------
def _settings(name: str, timezone: str, settings: Json) -> Json:
    return {"name": name, "timezone": timezone, "terms_url": settings.get("terms_url"),
            "renewal_reminder_days": settings.get("renewal_reminder_days",
                                                  RENEWAL_REMINDER_DAYS),
            "notice_email": settings.get("notice_email")}


def tenant_settings(uow: UnitOfWork, tenant_name: str) -> Json:
    with uow:
        found = uow.tenants.tenant(tenant_name)
        assert found is not None
        return _settings(found.name, found.timezone, found.settings)


def set_tenant_settings(uow: UnitOfWork, tenant_name: str, changes: Json
                        ) -> Json:
    """Each change set; None takes the setting back to its default."""
    with uow:
        found = uow.tenants.tenant(tenant_name)
        assert found is not None
        settings = dict(found.settings)
        for name, value in changes.items():
            if value is None:
                settings.pop(name, None)
            else:
                settings[name] = value
        uow.tenants.set_tenant_settings(found.id, settings)
        uow.commit()
        return _settings(found.name, found.timezone, settings)


# --- webhook endpoints and deliveries --------------------------------------------------------
def endpoint_json(row: Record, secret: str | None = None) -> Json:
    return {"id": f"we_{row.id}", "url": row.url, "events": json.loads(row.events),
            "enabled": bool(row.enabled), "created_at": _stamp(row.created_at),
            "disabled_at": _stamp(row.disabled_at), "secret": secret}


def _found_endpoint(q: ServiceReads, tenant_id: int, endpoint_id: int) -> Record:
    row = q.endpoint(tenant_id, endpoint_id)
    if row is None:
        raise NotFound(f"no webhook endpoint 'we_{endpoint_id}'", field="id")
    return row


def endpoints(uow: UnitOfWork, tenant_id: int, after: int | None, limit: int) -> Page:
    with reads(uow, "webhook endpoint") as q:
        return paged(q.endpoints_page(tenant_id, after, limit), endpoint_json)


def endpoint(uow: UnitOfWork, tenant_id: int, endpoint_id: int) -> Json:
    with reads(uow) as q:
        return endpoint_json(_found_endpoint(q, tenant_id, endpoint_id))


def set_endpoint_enabled(uow: UnitOfWork, tenant_id: int, endpoint_id: int, enabled: bool,
                         now: datetime) -> Json:
    with reads(uow) as q:
        _found_endpoint(q, tenant_id, endpoint_id)
        q.set_endpoint_enabled(endpoint_id, enabled, now)
        return endpoint_json(_found_endpoint(q, tenant_id, endpoint_id))


def _delivery(q: ServiceReads, row: Record) -> Json:
    return {"id": row.msg_id, "endpoint": f"we_{row.endpoint_id}", "type": row.type,
            "status": row.status,
            "attempts": [{"at": _stamp(a.at), "status_code": a.status_code,
                          "latency_ms": a.latency_ms, "response": a.response}
                         for a in q.attempts(int(row.id))],
            "created_at": _stamp(row.created_at),
            "next_attempt_at": _stamp(row.next_attempt_at) if row.status == "pending"
            else None,
            "delivered_at": _stamp(row.delivered_at)}


def deliveries(uow: UnitOfWork, tenant_id: int, endpoint_id: int, *, status: str | None,
               after: str | None, limit: int) -> Page:
    with reads(uow, "delivery") as q:
        _found_endpoint(q, tenant_id, endpoint_id)
        return paged(q.deliveries_page(endpoint_id, status=status, after=after, limit=limit),
                     lambda r: _delivery(q, r))


def redeliver(uow: UnitOfWork, tenant_id: int, msg_id: str, now: datetime) -> Json:
    """Send a delivery again now (also one already delivered or given up)."""
    with reads(uow) as q:
        row = q.delivery(tenant_id, msg_id)
        if row is None:
            raise NotFound(f"no delivery {msg_id!r}", field="id")
        return _delivery(q, q.redeliver(int(row.id), now))
