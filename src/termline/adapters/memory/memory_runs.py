"""Run state in memory (`app.ports.Runs`).

What it does not model: row locks. A unit of work holds the whole book (`MemoryBook`), so
`claim` never has to skip a row another worker holds (PostgreSQL's `FOR UPDATE SKIP LOCKED`)
and `note_event` never waits for a worker's claim: concurrent workers take turns, as they do
on SQLite. The optimistic check of `save_runs` is modelled as stored.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from termline.adapters.memory.memory_contracts import stored_contract
from termline.adapters.memory.memory_tables import MemoryTables, RunRow
from termline.adapters.sql.codec import decode, encode
from termline.adapters.sql.jsontext import dumps, loads
from termline.adapters.sql.store_records import (
    NEVER,
    DueRun,
    RunState,
    StoredContract,
    claimable,
)
from termline.domain.engine.state import ContractState


class MemoryRuns:
    def __init__(self, tables: MemoryTables) -> None:
        self.tables = tables

    def _due(self, tenant_id: int, until: date) -> list[RunRow]:
        """The tenant's due run rows, the most overdue first."""
        last = claimable(until)
        return sorted((row for row in self.tables.runs.values()
                       if row.tenant_id == tenant_id and row.next_due <= last),
                      key=lambda row: (row.next_due, row.contract_id))

    def _wave(self, tenant_id: int, until: date) -> list[RunRow]:
        """The due rows of the earliest due day only: a run takes the book a day at a time, so
        every document of one day is numbered before any of a later day (as the SQL store)."""
        rows = self._due(tenant_id, until)
        return [row for row in rows if row.next_due == rows[0].next_due] if rows else []

    def wave(self, tenant_id: int, until: date) -> date | None:
        rows = self._due(tenant_id, until)
        return rows[0].next_due if rows else None

    def _claimed(self, rows: Sequence[RunRow]) -> list[tuple[StoredContract, RunState]]:
        return [(stored_contract(self.tables.contracts[row.contract_id]), _run_state(row))
                for row in rows]

    def note_event(self, tenant_id: int, contract_id: int | None, day: date) -> None:
        for row in list(self.tables.runs.values()):
            if (row.contract_id != contract_id if contract_id is not None
                    else row.tenant_id != tenant_id):
                continue
            if row.cursor >= day:
                row = replace(row, recompute_from=day if row.recompute_from is None
                              else min(row.recompute_from, day))
            if row.next_due > day:
                row = replace(row, next_due=day)
            self.tables.runs[row.contract_id] = row

    def defer_note(self, tenant_id: int, contract_id: int | None, day: date) -> None:
        self.tables.notes[self.tables.new_id("event_notes")] = (tenant_id, contract_id, day)

    def take_notes(self) -> int:
        taken = list(self.tables.notes.values())
        self.tables.notes.clear()
        for tenant_id, contract_id, day in taken:
            self.note_event(tenant_id, contract_id, day)
        return len(taken)

    def count_due(self, tenant_id: int, until: date) -> int:
        return len(self._due(tenant_id, until))

    def refresh_statistics(self) -> list[str]:
        return []  # no planner

    def claim(self, tenant_id: int, until: date, limit: int = 1
              ) -> list[tuple[StoredContract, RunState]]:
        return self._claimed(self._wave(tenant_id, until)[:limit])

    def due_runs(self, tenant_id: int, until: date, limit: int, skip: Collection[int] = ()
                 ) -> list[DueRun]:
        out = []
        for row in self._wave(tenant_id, until)[:limit + len(skip)]:
            if row.contract_id in skip:
                continue
            contract = self.tables.contracts[row.contract_id]
            state: ContractState = decode(ContractState, loads(row.state))  # status, access
            out.append(DueRun(row.contract_id, row.tenant_id, contract.policy_version_id,
                              contract.start, contract.document, row.state, row.cursor,
                              row.next_due, row.recompute_from, row.action_count,
                              contract.currency, state.status, state.access))
        return out[:limit]

    def run_marks(self, contract_ids: Sequence[int]
                  ) -> dict[int, tuple[date, date, date | None, int]]:
        rows = (self.tables.runs.get(cid) for cid in contract_ids)
        return {row.contract_id: (row.cursor, row.next_due, row.recompute_from,
                                  row.action_count)
                for row in rows if row is not None and row.problem is None}

    def claim_ids(self, contract_ids: Sequence[int]) -> list[tuple[StoredContract, RunState]]:
        return self._claimed([self.tables.runs[cid] for cid in sorted(set(contract_ids))
                              if cid in self.tables.runs])

    def set_aside(self, contract_id: int, problem: dict[str, Any]) -> None:
        row = self.tables.runs.get(contract_id)
        if row is not None:
            self.tables.runs[contract_id] = replace(row, problem=dumps(problem), next_due=NEVER)

    def resume(self, contract_id: int) -> bool:
        row = self.tables.runs.get(contract_id)
        if row is None or row.problem is None:
            return False
        self.tables.runs[contract_id] = replace(row, next_due=row.cursor + timedelta(days=1))
        return True

    def problems(self, tenant_id: int) -> dict[int, dict[str, Any]]:
        return {row.contract_id: json.loads(row.problem) for row in self.tables.runs.values()
                if row.tenant_id == tenant_id and row.problem is not None}

    def run_state(self, contract_id: int) -> RunState:
        return _run_state(self.tables.runs[contract_id])

    def save_run(self, old: RunState, new: RunState) -> bool:
        return self.save_runs([(old, new)])

    def save_runs(self, pairs: Sequence[tuple[RunState, RunState]],
                  encoded: Sequence[str] | None = None) -> bool:
        return self._save(pairs, encoded, False)

    def save_stepped(self, runs: Sequence[tuple[DueRun, RunState]], encoded: Sequence[str]
                     ) -> bool:
        return self._save([(RunState(row.contract_id, ContractState(), row.cursor,
                                     row.next_due, row.recompute_from, row.action_count), new)
                           for row, new in runs], encoded, True)

    def _save(self, pairs: Sequence[tuple[RunState, RunState]],
              encoded: Sequence[str] | None, exact: bool) -> bool:
        if not pairs:
            return True
        texts = encoded if encoded is not None else [
            dumps(encode(new.state, ContractState)) for _, new in pairs]
        saved = 0
        for (old, new), text in zip(pairs, texts, strict=True):
            row = self.tables.runs.get(old.contract_id)
            if row is None or row.cursor != old.cursor or row.action_count != old.action_count:
                continue
            if exact and (row.next_due, row.recompute_from, row.problem) != (
                    old.next_due, old.recompute_from, None):
                continue
            self.tables.runs[old.contract_id] = replace(
                row, state=text, cursor=new.cursor, next_due=new.next_due,
                recompute_from=new.recompute_from, action_count=new.action_count, problem=None)
            saved += 1
        return saved == len(pairs)


def _run_state(row: RunRow) -> RunState:
    return RunState(row.contract_id, decode(ContractState, loads(row.state)), row.cursor,
                    row.next_due, row.recompute_from, row.action_count,
                    json.loads(row.problem) if row.problem else None)
