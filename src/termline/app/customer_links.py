"""The customer's read-only link: `/console/c/<token>`, the token an HMAC-SHA256-signed
(tenant, customer, expiry) triple. The secret is `TERMLINE_CONSOLE_SECRET` when set, else one
drawn once and kept in the store (`console_secrets`); it is never printed."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from termline.adapters.sql.console_repo import ConsoleStore
from termline.adapters.sql.sql_rows import connection
from termline.app.intake import tenant as find_tenant
from termline.app.ports import UnitOfWork
from termline.domain.errors import InputError, TermlineError

ENV = "TERMLINE_CONSOLE_SECRET"
_NAME = "customer_links"


class BadLink(TermlineError):
    """A link that was not signed by this store, was altered, or has expired."""


@dataclass(frozen=True, slots=True)
class CustomerGrant:
    tenant_id: int
    customer_id: int
    expires: datetime


def _secret(store: ConsoleStore, now: datetime) -> bytes:
    given = os.environ.get(ENV)
    if given:
        return given.encode()
    found = store.secret(_NAME)
    if found is None:
        found = secrets.token_urlsafe(48)
        store.add_secret(_NAME, found, now)
    return found.encode()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(secret: bytes, grant: CustomerGrant) -> str:
    body = json.dumps([grant.tenant_id, grant.customer_id, int(grant.expires.timestamp())],
                      separators=(",", ":")).encode()
    mac = hmac.new(secret, body, hashlib.sha256).digest()
    return f"{_b64(body)}.{_b64(mac)}"


def link(uow: UnitOfWork, tenant_name: str, customer: str, days: int, now: datetime,
         base_url: str) -> str:
    """A signed URL to the customer's page, valid `days` days from `now`."""
    if not 1 <= days <= 366:
        raise InputError("a link lasts 1 to 366 days", field="--days")
    with uow:
        owner = find_tenant(uow.repo, tenant_name)
        store = ConsoleStore(connection(uow.repo))
        found = store.customers_named(owner.id, customer)
        if not found:
            raise InputError(f"tenant {owner.name!r} has no customer named {customer!r}",
                             field="CUSTOMER")
        if len(found) > 1:
            raise InputError(f"{len(found)} customers of {owner.name!r} are named {customer!r}",
                             field="CUSTOMER")
        token = sign(_secret(store, now), CustomerGrant(owner.id, found[0],
                                                        now + timedelta(days=days)))
        uow.commit()
    return f"{base_url.rstrip('/')}/console/c/{token}"


def verify(uow: UnitOfWork, token: str, now: datetime) -> CustomerGrant:
    """The grant a token carries, if this store signed it and it has not expired."""
    body64, _, mac64 = token.partition(".")
    try:
        body, mac = _unb64(body64), _unb64(mac64)
        tenant_id, customer_id, expires = json.loads(body)
    except (ValueError, TypeError):
        raise BadLink("not a customer link") from None
    with uow:
        store = ConsoleStore(connection(uow.repo))
        secret = _secret(store, now)
        uow.commit()
    if not hmac.compare_digest(hmac.new(secret, body, hashlib.sha256).digest(), mac):
        raise BadLink("not a customer link")
    grant = CustomerGrant(int(tenant_id), int(customer_id),
                          datetime.fromtimestamp(int(expires), tz=now.tzinfo))
    if grant.expires <= now:
        raise BadLink("this link has expired: ask your provider for a new one")
    return grant
