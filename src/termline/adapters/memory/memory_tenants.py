"""Tenants in memory (`app.ports.Tenants`)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from termline.adapters.memory.memory_tables import MemoryTables, TenantRow, conflict
from termline.adapters.sql.jsontext import dumps
from termline.adapters.sql.store_records import Tenant


class MemoryTenants:
    def __init__(self, tables: MemoryTables) -> None:
        self.tables = tables

    def tenant(self, name: str) -> Tenant | None:
        found = [row for row in self.tables.tenants.values() if row.name == name]
        return _tenant(found[0]) if found else None

    def tenants(self) -> list[Tenant]:
        return [_tenant(row) for _, row in sorted(self.tables.tenants.items())]

    def add_tenant(self, name: str, timezone: str, settings: dict[str, Any]) -> int:
        if self.tenant(name) is not None:
            raise conflict("tenants", name)
        tenant_id = self.tables.new_id("tenants")
        self.tables.tenants[tenant_id] = TenantRow(tenant_id, name, timezone, dumps(settings))
        return tenant_id

    def set_tenant_settings(self, tenant_id: int, settings: dict[str, Any]) -> None:
        row = self.tables.tenants.get(tenant_id)
        if row is not None:
            self.tables.tenants[tenant_id] = TenantRow(row.id, row.name, row.timezone,
                                                       dumps(settings))

    def run_through(self, tenant_id: int) -> date | None:
        return self.tables.tenant_runs.get(tenant_id)

    def record_run(self, tenant_id: int, day: date) -> None:
        known = self.tables.tenant_runs.get(tenant_id)
        if known is None or known < day:
            self.tables.tenant_runs[tenant_id] = day


def _tenant(row: TenantRow) -> Tenant:
    return Tenant(row.id, row.name, row.timezone, json.loads(row.settings))
