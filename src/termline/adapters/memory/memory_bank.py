"""Imported bank lines in memory (`app.ports.BankEntries`)."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from termline.adapters.memory.memory_tables import MemoryTables, conflict
from termline.adapters.sql.store_records import BankEntry, BankMatch, BankPayment, UnmatchedEntry


class MemoryBankEntries:
    def __init__(self, tables: MemoryTables) -> None:
        self.tables = tables

    def bank_entry_known(self, tenant_id: int, entry_ref: str) -> bool:
        return (tenant_id, entry_ref) in self.tables.bank_refs

    def add_bank_entry(self, entry: BankEntry) -> int:
        key = (entry.tenant_id, entry.entry_ref)
        if key in self.tables.bank_refs:
            raise conflict("bank_entries", key)
        entry_id = self.tables.new_id("bank_entries")
        self.tables.bank_entries[entry_id] = dataclasses.replace(entry, id=entry_id)
        self.tables.bank_refs[key] = entry_id
        return entry_id

    def add_bank_match(self, match: BankMatch) -> None:
        if match.entry_id not in self.tables.bank_entries \
                or match.event_id not in self.tables.events:
            raise ValueError(f"bank_matches: no bank line {match.entry_id} or event "
                             f"{match.event_id} (a foreign key)")
        if any(m.event_id == match.event_id for m in self.tables.bank_matches.values()):
            raise conflict("bank_matches", match.event_id)
        self.tables.bank_matches[self.tables.new_id("bank_matches")] = match

    def bank_entry(self, tenant_id: int, entry_ref: str) -> BankEntry | None:
        entry_id = self.tables.bank_refs.get((tenant_id, entry_ref))
        return None if entry_id is None else self.tables.bank_entries[entry_id]

    def set_bank_entry_matched(self, entry_id: int, document_number: str, event_id: int
                               ) -> None:
        entry = self.tables.bank_entries.get(entry_id)
        if entry is not None:
            self.tables.bank_entries[entry_id] = dataclasses.replace(
                entry, status="matched", document_number=document_number, event_id=event_id)

    def bank_assigned(self, entry_id: int) -> Decimal:
        return sum((m.amount for m in self.tables.bank_matches.values()
                    if m.entry_id == entry_id), Decimal(0))

    def bank_payments_of(self, tenant_id: int, number: str) -> list[BankPayment]:
        found = [(self.tables.bank_entries[m.entry_id], match_id, m)
                 for match_id, m in self.tables.bank_matches.items()
                 if m.tenant_id == tenant_id and m.document_number == number]
        found.sort(key=lambda f: (f[0].booked, f[1]))
        return [BankPayment(e.entry_ref, e.booked, m.amount, m.by, m.event_id,
                            self.tables.events[m.event_id].payload) for e, _, m in found]

    def unmatched(self, tenant_id: int) -> list[UnmatchedEntry]:
        return [UnmatchedEntry(e.entry_ref, e.booked, e.amount, e.currency, e.debtor,
                               e.structured_ref, e.text, e.amount - self.bank_assigned(i))
                for i, e in sorted(self.tables.bank_entries.items(), key=lambda f: (
                    f[1].booked, f[0])) if e.tenant_id == tenant_id and e.status == "unmatched"]
