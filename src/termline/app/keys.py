"""API keys: `tl_` + random, stored only as an HMAC with a per-key salt, compared in constant
time, shown once, revocable, with scopes (read < write < admin)."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update

from termline.adapters.sql import admissions
from termline.adapters.sql import service_tables as s
from termline.adapters.sql import tables as t
from termline.adapters.sql.store_records import Tenant
from termline.domain.errors import InputError

PREFIX = "tl_"
SCOPES = ("read", "write", "admin")


@dataclass(frozen=True)
class Principal:
    """Who a request acts for: the key's tenant and scopes."""
    key_id: int
    public_id: str
    tenant_id: int
    tenant_name: str
    scopes: tuple[str, ...]
    # the tenant's time zone and settings (JSON text) as read with the key: one statement
    # less for a request that needs the tenant, parsed only by one that does (`tenant()`)
    tenant_row: tuple[str, str] | None = field(default=None, compare=False, repr=False)

    def tenant(self) -> Tenant | None:
        if self.tenant_row is None:
            return None
        timezone, settings = self.tenant_row
        return Tenant(self.tenant_id, self.tenant_name, timezone, json.loads(settings))

    def allows(self, scope: str) -> bool:
        """A scope includes the ones below it: admin > write > read."""
        return any(SCOPES.index(have) >= SCOPES.index(scope) for have in self.scopes)


@dataclass(frozen=True)
class NewKey:
    id: str
    key: str
    scopes: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "key": self.key, "scopes": list(self.scopes)}


def _mac(salt: str, key: str) -> str:
    return hmac.new(salt.encode(), key.encode(), hashlib.sha256).hexdigest()


def create_key(engine: Engine, tenant_name: str, scopes: tuple[str, ...], now: datetime
               ) -> NewKey:
    """A new key for the tenant (which must exist); the only time the key is ever shown."""
    unknown = [sc for sc in scopes if sc not in SCOPES]
    if unknown or not scopes:
        raise InputError(f"scopes are {', '.join(SCOPES)}, not {', '.join(unknown) or 'none'}",
                         field="--scope")
    public_id = secrets.token_hex(8)
    key = f"{PREFIX}{public_id}_{secrets.token_urlsafe(32)}"
    salt = secrets.token_hex(16)
    with engine.begin() as conn:
        tenant_id = _tenant_id(conn, tenant_name)
        conn.execute(insert(s.api_keys).values(
            tenant_id=tenant_id, public_id=public_id, salt=salt, hash=_mac(salt, key),
            scopes=json.dumps(list(scopes)), created_at=now))
    return NewKey(f"key_{public_id}", key, scopes)


def _tenant_id(conn: Connection, name: str) -> int:
    found = conn.execute(select(t.tenants.c.id).where(t.tenants.c.name == name)).scalar()
    if found is None:
        raise InputError(f"no tenant {name!r} (add it with `termline tenant add`)",
                         field="--tenant")
    return int(found)


def list_keys(engine: Engine, tenant_name: str) -> list[dict[str, Any]]:
    k = s.api_keys.c
    with engine.connect() as conn:
        tenant_id = _tenant_id(conn, tenant_name)
        rows = conn.execute(select(k.public_id, k.scopes, k.created_at, k.revoked_at)
                            .where(k.tenant_id == tenant_id).order_by(k.id)).all()
    return [{"id": f"key_{r.public_id}", "scopes": json.loads(r.scopes),
             "created_at": r.created_at.isoformat(),
             "revoked_at": r.revoked_at.isoformat() if r.revoked_at else None} for r in rows]


def revoke_key(engine: Engine, key_id: str, now: datetime) -> None:
    public_id = key_id.removeprefix("key_")
    k = s.api_keys.c
    with engine.begin() as conn:
        done = conn.execute(update(s.api_keys).where(k.public_id == public_id,
                                                     k.revoked_at.is_(None))
                            .values(revoked_at=now)).rowcount
    if not done:
        raise InputError(f"no active key {key_id!r}", field="KEY_ID")


def authenticate(conn: Connection, key: str) -> Principal | None:
    """The principal of a presented key; None for a malformed, unknown or revoked one."""
    public_id = public_id_of(key)
    if public_id is None:
        return None
    return principal(key, public_id, admissions.key_rows(conn, [public_id]).get(public_id))


def public_id_of(key: str) -> str | None:
    """The public id a well-formed key names (None: malformed)."""
    if not key.startswith(PREFIX):
        return None
    public_id, sep, _ = key[len(PREFIX):].partition("_")
    return public_id if sep and len(public_id) == 16 else None


def authenticate_many(conn: Connection, keys: Collection[str]) -> dict[str, Principal | None]:
    """`authenticate` for the distinct keys of a batch of requests, in one select."""
    named = {key: public_id_of(key) for key in keys}
    rows = admissions.key_rows(conn, {p for p in named.values() if p is not None})
    return {key: None if public_id is None else principal(key, public_id, rows.get(public_id))
            for key, public_id in named.items()}


def principal(key: str, public_id: str, row: admissions.KeyRow | None) -> Principal | None:
    """The principal of a presented key given its stored row (None: unknown, revoked, or not
    this key)."""
    if row is None or row.revoked_at is not None:
        return None
    if not hmac.compare_digest(_mac(row.salt, key), row.hash):
        return None
    return Principal(int(row.id), public_id, int(row.tenant_id), str(row.name),
                     tuple(json.loads(row.scopes)),
                     (str(row.timezone), str(row.settings)))
