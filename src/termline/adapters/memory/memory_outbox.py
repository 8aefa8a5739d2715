"""The e-mail outbox in memory (`app.ports.Outbox`)."""

from __future__ import annotations

from collections.abc import Sequence

from termline.adapters.memory.memory_tables import MemoryTables, conflict
from termline.adapters.sql.store_records import NewEmail


class MemoryOutbox:
    def __init__(self, tables: MemoryTables) -> None:
        self.tables = tables

    def add_emails(self, emails: Sequence[NewEmail]) -> int:
        added = 0
        for email in emails:
            if email.msg_id not in self.tables.emails:
                self.tables.emails[email.msg_id] = email  # dicts keep the order of adding
                added += 1
        return added

    def emails(self, tenant_id: int) -> list[NewEmail]:
        return [e for e in self.tables.emails.values() if e.tenant_id == tenant_id]

    def add_contract_info(self, tenant_id: int, contract_id: int, metadata: dict[str, str],
                          language: str) -> None:
        if contract_id in self.tables.contract_languages:
            raise conflict("contract_info", contract_id)
        if contract_id not in self.tables.contracts:
            raise ValueError(f"contract_info: no contract {contract_id} (a foreign key)")
        self.tables.contract_languages[contract_id] = (tenant_id, language)

    def contract_languages(self, tenant_id: int) -> dict[int, str]:
        return {cid: language for cid, (tid, language)
                in self.tables.contract_languages.items() if tid == tenant_id}
