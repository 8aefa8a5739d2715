"""The console's webhook pages: a tenant's endpoints with their recent deliveries, and what an
admin does with them. An endpoint is created only by `webhook_endpoints.add_endpoint` (the
CLI's and the API's URL and kind checks: a private address is refused with the rule named);
another tenant's endpoint or delivery is `NotFound`, like one that does not exist."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, delete, select, update

from termline.adapters.notify.outbound import Allow, RefusedURL
from termline.adapters.sql import service_tables as s
from termline.app.console_views import NotFound
from termline.app.keys import _tenant_id
from termline.app.webhook_endpoints import add_endpoint, new_secret
from termline.domain.errors import InputError

RECENT = 10  # deliveries shown per endpoint
SHOWN_BYTES = 200  # of an answer's body


def shown(response: str | None) -> str:
    """At most `SHOWN_BYTES` bytes of a stored answer (cut on a character boundary); the
    template escapes it."""
    data = (response or "").encode("utf-8")[:SHOWN_BYTES]
    return data.decode("utf-8", errors="ignore")


def endpoints(engine: Engine, tenant: str, recent: int = RECENT) -> list[dict[str, Any]]:
    """The tenant's endpoints, each with its `recent` last deliveries (status, attempts, the
    last attempt's HTTP status, duration and the start of its answer)."""
    e, d, a = s.webhook_endpoints.c, s.webhook_deliveries.c, s.webhook_attempts.c
    with engine.connect() as conn:
        tenant_id = _tenant_id(conn, tenant)
        out = []
        for row in conn.execute(select(s.webhook_endpoints).where(e.tenant_id == tenant_id)
                                .order_by(e.id)).all():
            deliveries = []
            for dl in conn.execute(select(d.id, d.msg_id, d.type, d.status, d.attempts,
                                          d.created_at).where(d.endpoint_id == row.id)
                                   .order_by(d.id.desc()).limit(recent)).all():
                last = conn.execute(select(a.at, a.status_code, a.latency_ms, a.response)
                                    .where(a.delivery_id == dl.id)
                                    .order_by(a.id.desc()).limit(1)).first()
                deliveries.append({
                    "msg_id": dl.msg_id, "type": dl.type, "status": dl.status,
                    "attempts": dl.attempts, "created_at": str(dl.created_at)[:19],
                    "status_code": last.status_code if last else None,
                    "duration_ms": last.latency_ms if last else None,
                    "response": shown(last.response) if last else ""})
            out.append({"id": f"we_{row.id}", "url": row.url, "events": json.loads(row.events),
                        "enabled": bool(row.enabled),
                        "created_at": str(row.created_at)[:19],
                        "disabled_at": str(row.disabled_at)[:19] if row.disabled_at else None,
                        "deliveries": deliveries})
        return out


def add(engine: Engine, tenant: str, url: str, events: str, now: datetime, allow: Allow
        ) -> tuple[str, str]:
    """A new endpoint through `add_endpoint`; (its id, its signing secret, shown once).
    `events`: action kinds separated by commas or spaces, `*` for all."""
    kinds = [k for k in events.replace(",", " ").split() if k] or ["*"]
    secret = new_secret()
    try:
        endpoint_id = add_endpoint(engine, tenant, url.strip(), kinds, secret, now, allow=allow)
    except RefusedURL as exc:
        raise InputError(f"refused: {exc}", field="url") from None
    return endpoint_id, secret


def _own(conn: Any, tenant_id: int, endpoint_id: str) -> int:
    e = s.webhook_endpoints.c
    number = endpoint_id.removeprefix("we_")
    found = conn.execute(select(e.id).where(
        e.id == int(number), e.tenant_id == tenant_id)).scalar() if number.isdigit() else None
    if found is None:
        raise NotFound(f"no webhook endpoint {endpoint_id!r}")
    return int(found)


def set_enabled(engine: Engine, tenant: str, endpoint_id: str, enabled: bool, now: datetime
                ) -> None:
    """Disable (its deliveries wait) or enable an endpoint, as the API's disable/enable."""
    e = s.webhook_endpoints.c
    with engine.begin() as conn:
        own = _own(conn, _tenant_id(conn, tenant), endpoint_id)
        conn.execute(update(s.webhook_endpoints).where(e.id == own).values(
            enabled=enabled, disabled_at=None if enabled else now, failing_since=None))


def remove(engine: Engine, tenant: str, endpoint_id: str) -> None:
    """Delete an endpoint with its deliveries and their attempts (nothing is sent to it
    again; the ledger keeps every action)."""
    d, a = s.webhook_deliveries.c, s.webhook_attempts.c
    with engine.begin() as conn:
        own = _own(conn, _tenant_id(conn, tenant), endpoint_id)
        ids = select(d.id).where(d.endpoint_id == own).scalar_subquery()
        conn.execute(delete(s.webhook_attempts).where(a.delivery_id.in_(ids)))
        conn.execute(delete(s.webhook_deliveries).where(d.endpoint_id == own))
        conn.execute(delete(s.webhook_endpoints).where(s.webhook_endpoints.c.id == own))
