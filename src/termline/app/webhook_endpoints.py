"""Webhook endpoints from the command line (the API has its own routes)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, func, insert, select

from termline.adapters.sql import service_tables as s
from termline.app.keys import _tenant_id


def add_endpoint(engine: Engine, tenant: str, url: str, events: list[str], secret: str,
                 now: datetime) -> str:
    with engine.begin() as conn:
        result = conn.execute(insert(s.webhook_endpoints).values(
            tenant_id=_tenant_id(conn, tenant), url=url, events=json.dumps(events),
            secret=secret, enabled=True, created_at=now))
        key = result.inserted_primary_key
        assert key is not None
        return f"we_{key[0]}"


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
