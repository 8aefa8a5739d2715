"""Tenants: their settings and how far their book has been run."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from sqlalchemy import insert, select, update

from termline.adapters.sql import tables as t
from termline.adapters.sql.jsontext import dumps
from termline.adapters.sql.sql_rows import SqlRows, new_id
from termline.adapters.sql.store_records import Tenant


class SqlTenants(SqlRows):
    def tenant(self, name: str) -> Tenant | None:
        row = self.conn.execute(select(t.tenants).where(t.tenants.c.name == name)).first()
        return None if row is None else Tenant(row.id, row.name, row.timezone,
                                               json.loads(row.settings))

    def tenants(self) -> list[Tenant]:
        rows = self.conn.execute(select(t.tenants).order_by(t.tenants.c.id))
        return [Tenant(r.id, r.name, r.timezone, json.loads(r.settings)) for r in rows]

    def add_tenant(self, name: str, timezone: str, settings: dict[str, Any]) -> int:
        result = self.conn.execute(insert(t.tenants).values(
            name=name, timezone=timezone, settings=dumps(settings)))
        return new_id(result)

    def set_tenant_settings(self, tenant_id: int, settings: dict[str, Any]) -> None:
        self.conn.execute(update(t.tenants).where(t.tenants.c.id == tenant_id)
                          .values(settings=dumps(settings)))

    def run_through(self, tenant_id: int) -> date | None:
        return self.conn.execute(select(t.tenant_runs.c.run_through).where(
            t.tenant_runs.c.tenant_id == tenant_id)).scalar()

    def record_run(self, tenant_id: int, day: date) -> None:
        """Note that the tenant's book has been run through `day` (never moves back).

        Workers finishing together all record: the row is created if missing without a
        conflict (ON CONFLICT DO NOTHING waits for a concurrent creator), then moved forward.
        """
        runs = t.tenant_runs.c
        self.conn.execute(self.dialect().insert(t.tenant_runs).values(
            tenant_id=tenant_id, run_through=day).on_conflict_do_nothing())
        self.conn.execute(update(t.tenant_runs).where(runs.tenant_id == tenant_id,
                                                      runs.run_through < day)
                          .values(run_through=day))
