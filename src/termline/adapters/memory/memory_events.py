"""The event log in memory (`app.ports.Events`): append-only, one event per (tenant, natural
key), received order = id order, voids kept apart."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import date, datetime

from termline.adapters.memory.memory_tables import EventRow, MemoryTables, VoidRow
from termline.adapters.sql.store_records import (
    LoggedEvent,
    RawEvent,
    StoredContract,
    StoredEvent,
    stored_event,
)
from termline.domain.contract.model import AT_START, EventBase, taken_after


class MemoryEvents:
    def __init__(self, tables: MemoryTables) -> None:
        self.tables = tables

    def _live(self) -> Iterator[EventRow]:
        """The events no operator voided, in received order."""
        return (row for _, row in sorted(self.tables.events.items())
                if row.id not in self.tables.voids)

    def add_event(self, tenant_id: int, contract_id: int | None, event: EventBase,
                  natural_key: str) -> int | None:
        if (tenant_id, natural_key) in self.tables.event_keys:
            return None
        event_id = self.tables.new_id("events")
        self.tables.events[event_id] = EventRow(
            event_id, tenant_id, contract_id, event.date, event.type, natural_key,
            event.model_dump_json(by_alias=True))
        self.tables.event_keys[(tenant_id, natural_key)] = event_id
        return event_id

    def events(self, contract: StoredContract, after: date | None, until: date | None = None
               ) -> list[StoredEvent]:
        return [stored_event(row.id, row.date, row.payload) for row in self._live()
                if (row.contract_id == contract.id or (row.tenant_id == contract.tenant_id
                                                       and row.contract_id is None))
                and (row.date >= contract.contract.start or row.type in AT_START)
                and (until is None or row.date <= until)
                and (after is None or row.date > after)]

    def events_after(self, tenant_id: int, cursors: Sequence[tuple[StoredContract, date]]
                     ) -> dict[int, list[StoredEvent]]:
        raw = self.raw_events_after(tenant_id, [(sc.id, cursor, sc.contract.start)
                                                for sc, cursor in cursors])
        parsed: dict[int, StoredEvent] = {}
        return {cid: [parsed.get(i) or parsed.setdefault(i, stored_event(i, day, payload))
                      for i, day, payload in events] for cid, events in raw.items()}

    def events_mark(self) -> tuple[int, int] | None:
        return max(self.tables.events, default=0), len(self.tables.voids)

    def raw_events_after(self, tenant_id: int, cursors: Sequence[tuple[int, date, date]]
                         ) -> dict[int, list[RawEvent]]:
        bounds = {cid: (cursor, start) for cid, cursor, start in cursors}
        out: dict[int, list[RawEvent]] = {}
        for row in self._live():
            if row.contract_id is not None:
                targets = [row.contract_id] if row.contract_id in bounds else []
            else:
                targets = list(bounds) if row.tenant_id == tenant_id else []
            for cid in targets:
                cursor, start = bounds[cid]
                if taken_after(row.date, row.type, cursor, start):
                    out.setdefault(cid, []).append((row.id, row.date, row.payload))
        return out

    def event_log(self, tenant_id: int, contract_id: int | None = None) -> list[LoggedEvent]:
        out = []
        for _, row in sorted(self.tables.events.items()):
            if row.tenant_id != tenant_id or (
                    contract_id is not None and row.contract_id not in (contract_id, None)):
                continue
            ref = None if row.contract_id is None else self.tables.contracts[row.contract_id].ref
            void = self.tables.voids.get(row.id)
            out.append(LoggedEvent(row.id, ref, row.natural_key, json.loads(row.payload),
                                   None if void is None else void.reason))
        return out

    def void_event(self, tenant_id: int, event_id: int, reason: str, at: datetime
                   ) -> tuple[int | None, date]:
        row = self.tables.events.get(event_id)
        if row is None or row.tenant_id != tenant_id:
            raise LookupError(event_id)
        if event_id in self.tables.voids:
            raise ValueError(event_id)
        self.tables.voids[event_id] = VoidRow(event_id, tenant_id, reason, at)
        return row.contract_id, row.date

    def event_key_payload(self, tenant_id: int, natural_key: str) -> str | None:
        found = self.tables.event_keys.get((tenant_id, natural_key))
        return None if found is None else self.tables.events[found].payload
