"""The action ledger in memory (`app.ports.Ledger`): append-only, one action per (contract,
natural key) and per (contract, seq).

What it does not model: the projection the SQL ledger runs in the same transaction (invoices,
invoice lines, payments, allocations, document numbers: `adapters/sql/projection.py`). The
documents, balances and receivables read from those tables need the SQL store.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from termline.adapters.memory.memory_tables import ActionRow, MemoryTables, conflict
from termline.adapters.sql.jsontext import dumps, loads
from termline.adapters.sql.store_records import NewAction, RunDay, StoredAction, StoredContract
from termline.domain.engine.state import ContractState


class MemoryLedger:
    def __init__(self, tables: MemoryTables) -> None:
        self.tables = tables

    def stored_actions(self, contract_id: int) -> list[StoredAction]:
        rows = sorted((row for row in self.tables.actions.values()
                       if row.contract_id == contract_id), key=lambda row: row.seq)
        return [StoredAction(r.natural_key, r.seq, r.date, r.kind, loads(r.body)) for r in rows]

    def add_actions(self, contract: StoredContract, first_seq: int, new: Sequence[NewAction],
                    recorded_on: date, state: ContractState,
                    replayed: Sequence[NewAction] | None = None) -> None:
        self._append(contract, first_seq, new, recorded_on)

    def add_days(self, days: Sequence[RunDay], recorded_on: date) -> None:
        for day in days:
            self._append(day.contract, day.first_seq, day.items, recorded_on)

    def _append(self, contract: StoredContract, first_seq: int, new: Sequence[NewAction],
                recorded_on: date) -> None:
        keys = [(contract.id, item.natural_key) for item in new]
        seqs = [(contract.id, first_seq + i) for i in range(len(new))]
        taken = [k for k in keys if k in self.tables.action_keys] + [
            s for s in seqs if s in self.tables.action_seqs]
        if taken or len(set(keys)) < len(keys):  # all or nothing, as the SQL insert
            raise conflict("actions", taken[0] if taken else keys)
        for i, item in enumerate(new):
            key, seq = keys[i], seqs[i]
            action_id = self.tables.new_id("actions")
            act = item.action
            self.tables.actions[action_id] = ActionRow(
                action_id, contract.tenant_id, contract.id, first_seq + i, act.date, act.kind,
                item.natural_key, item.body if item.body is not None else dumps(act.to_json()),
                recorded_on)
            self.tables.action_keys[key] = self.tables.action_seqs[seq] = action_id

    def ledger(self, tenant_id: int | None, contract_ref: str | None
               ) -> list[tuple[date, str, int, dict[str, Any]]]:
        out = []
        for _, row in sorted(self.tables.actions.items()):
            ref = self.tables.contracts[row.contract_id].ref
            if (tenant_id is None or row.tenant_id == tenant_id) and (
                    contract_ref is None or ref == contract_ref):
                out.append((row.date, ref, row.seq, json.loads(row.body)))
        return out
