"""Webhook endpoints: one way to create them (the CLI's `webhook add` and the API's
`POST /v1/webhook_endpoints` both call `create_endpoint`), and the CLI's listing."""

from __future__ import annotations

import json
import secrets
from base64 import b64encode
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select

from termline.adapters.notify.kinds import published
from termline.adapters.notify.outbound import (
    NOTHING_ALLOWED,
    Allow,
    Resolver,
    check_url,
    system_resolver,
)
from termline.adapters.sql import service_tables as s
from termline.adapters.sql.service_reads import Record
from termline.app.keys import _tenant_id
from termline.domain.errors import InputError

MAX_KINDS = 100


def new_secret() -> str:
    """A Standard Webhooks secret: whsec_ + base64 of 32 random bytes."""
    return "whsec_" + b64encode(secrets.token_bytes(32)).decode()


def check_kinds(events: Sequence[str]) -> list[str]:
    """The subscribed kinds: `*` or kinds from the published list (a typo never fires)."""
    if not 1 <= len(events) <= MAX_KINDS:
        raise InputError(f"1 to {MAX_KINDS} action kinds are required", field="events")
    for i, kind in enumerate(events):
        if kind != "*" and kind not in published():
            raise InputError(f"not an action kind: {kind[:100]!r}", field=f"events.{i}")
    return list(dict.fromkeys(events))


def create_endpoint(conn: Connection, tenant_id: int, url: str, events: Sequence[str],
                    now: datetime, allow: Allow, *, secret: str | None = None,
                    resolve: Resolver = system_resolver) -> tuple[Any, str]:
    """Store a new endpoint after checking its URL (`notify.outbound.check_url`: RefusedURL)
    and kinds (InputError); its row and signing secret."""
    target = check_url(url, allow, resolve)
    kinds = check_kinds(events)
    secret = secret or new_secret()
    result = conn.execute(insert(s.webhook_endpoints).values(
        tenant_id=tenant_id, url=target.url, events=json.dumps(kinds), secret=secret,
        enabled=True, created_at=now))
    key = result.inserted_primary_key
    assert key is not None
    row = conn.execute(select(s.webhook_endpoints).where(
        s.webhook_endpoints.c.id == key[0])).one()
    return row, secret


def add_tenant_endpoint(engine: Engine, tenant_id: int, url: str, events: Sequence[str],
                        now: datetime, allow: Allow) -> tuple[Record, str]:
    """`create_endpoint` in a transaction of its own, for a tenant known by id (the API's
    caller): its row and signing secret."""
    with engine.begin() as conn:
        return create_endpoint(conn, tenant_id, url, events, now, allow)


def add_endpoint(engine: Engine, tenant: str, url: str, events: list[str], secret: str | None,
                 now: datetime, *, allow: Allow = NOTHING_ALLOWED) -> str:
    """`create_endpoint` for a tenant named on the command line; the endpoint's id."""
    with engine.begin() as conn:
        row, _ = create_endpoint(conn, _tenant_id(conn, tenant), url, events, now, allow,
                                 secret=secret)
        return f"we_{row.id}"


def list_endpoints(engine: Engine, tenant: str) -> list[dict[str, Any]]:
    e, d = s.webhook_endpoints.c, s.webhook_deliveries.c
    with engine.connect() as conn:
        tenant_id = _tenant_id(conn, tenant)
        rows = conn.execute(select(e.id, e.url, e.events, e.enabled).where(
            e.tenant_id == tenant_id).order_by(e.id)).all()
        counts = {(r.endpoint_id, r.status): int(r.n) for r in conn.execute(
            select(d.endpoint_id, d.status, func.count().label("n"))
            .where(d.tenant_id == tenant_id).group_by(d.endpoint_id, d.status))}
    return [{"id": f"we_{r.id}", "url": r.url, "events": json.loads(r.events),
             "enabled": bool(r.enabled),
             **{k: counts.get((r.id, k), 0) for k in ("pending", "delivered", "failed")}}
            for r in rows]
