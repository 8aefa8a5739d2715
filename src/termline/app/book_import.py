"""A large book streamed into the store: JSON Lines of contracts (scenario-shaped, each with
its `policy`) or the contracts CSV of `contract import`, and JSON Lines of events.

Memory stays constant: the files are read a line at a time and written a chunk at a time;
what a chunk needs of the store (stored refs, customers, the contracts events name, stored
event keys) is asked of the store per chunk, and only policy versions are cached (a book has
a handful). Every row passes the checks of the other intake paths (the pydantic models,
`check_event`, `event_key`), and the whole import is one transaction: a bad row anywhere
raises an `InputError` naming file, line and field, and nothing is stored.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from termline.adapters.files.csv_table import detect_stream, separator_of, stream_rows
from termline.adapters.sql.bulk import BulkRows, RefTaken
from termline.adapters.sql.sql_rows import connection
from termline.adapters.sql.store_records import StoredContract, Tenant, customer_key
from termline.app.contract_rows import contract_rows_stream
from termline.app.inputs import LocatedEvent, _event, contract_policy
from termline.app.intake import check_event, event_key, tenant
from termline.app.naming import resolve_all
from termline.app.ports import UnitOfWork
from termline.app.run_parts import tenant_tables
from termline.app.write_behind import write_behind
from termline.domain.contract.model import BROADCAST, BroadcastBase, Contract, EventBase
from termline.domain.errors import InputError
from termline.domain.policy.schema import Policy

CHUNK = 5000
# (stage, bytes read, file size): drives a progress bar
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Imported:
    contracts: int
    events: int
    already_stored: int  # events of the file stored before (same natural key)


def _lines(path: Path, progress: Progress | None, stage: str
           ) -> Iterator[tuple[int, str]]:
    """The non-blank lines of a file with their numbers, reporting the bytes read."""
    source = str(path)
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", source=source) from None
    total = path.stat().st_size
    done = 0
    with handle:
        for number, raw in enumerate(handle, start=1):
            done += len(raw)
            if progress is not None and number % 1000 == 0:
                progress(stage, done, total)
            try:
                line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError:
                raise InputError("not UTF-8 text", source=source, line=number) from None
            if line.strip():
                yield number, line
    if progress is not None:
        progress(stage, total, total)


def _json_object(line: str, source: str, number: int, what: str, **options: Any
                 ) -> dict[str, Any]:
    try:
        raw = json.loads(line, **options)
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc.msg}", source=source, line=number) from None
    if not isinstance(raw, dict):
        raise InputError(f"{what} line is a JSON object", source=source, line=number)
    return raw


def _with_policies(path: Path, contracts: Iterator[tuple[int, Contract]]
                   ) -> Iterator[tuple[int, Contract, Policy]]:
    """Each contract with its policy, the overrides applied once per combination (the
    policy depends on these alone), one Policy object per combination."""
    source = str(path)
    policies: dict[tuple[Any, ...], Policy] = {}
    for number, contract in contracts:
        overrides = json.dumps(contract.overrides, sort_keys=True, default=str) \
            if contract.overrides else ""
        key = (contract.policy, overrides, contract.billing_period,
               contract.trial_days is not None)
        policy = policies.get(key)
        if policy is None:
            policy = contract_policy(contract, source, path.parent, lambda _, n=number: n)
            policies[key] = policy
        yield number, contract, policy


def _jsonl_contracts(path: Path, progress: Progress | None) -> Iterator[tuple[int, Contract]]:
    source = str(path)
    for number, line in _lines(path, progress, "contracts"):
        raw = _json_object(line, source, number, "a contract", parse_float=str)
        try:
            contract = Contract.model_validate(raw)
        except ValidationError as exc:
            first = exc.errors()[0]
            message = "unknown field" if first["type"] == "extra_forbidden" else first["msg"]
            raise InputError(message, source=source, line=number,
                             field=".".join(map(str, first["loc"])) or None) from None
        if contract.policy is None:
            raise InputError("a stored contract names its `policy` (pack or file)",
                             source=source, line=number, field="policy")
        yield number, contract


def contract_stream(path: Path, progress: Progress | None = None,
                    decimal_comma: bool | None = None, notes: list[str] | None = None
                    ) -> Iterator[tuple[int, Contract, Policy]]:
    """(line, contract, policy) of a .jsonl book (one contract a line) or a contracts CSV.
    A CSV's decimal commas, unless `decimal_comma` says, are detected in a first pass (what
    was detected is added to `notes`)."""
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        return _with_policies(path, _jsonl_contracts(path, progress))
    if suffix == ".csv":
        if decimal_comma is None:
            decimal_comma = _detect_decimal_comma(path, notes)
        return _with_policies(path, contract_rows_stream(
            path, _lines(path, progress, "contracts"), decimal_comma))
    raise InputError("a streamed book of contracts is .jsonl (one contract a line) or .csv "
                     "(the columns of `contract import`)", source=str(path))


def _detect_decimal_comma(path: Path, notes: list[str] | None) -> bool:
    from termline.app.contract_rows import CONTRACT_COLUMNS, LINE_COLUMNS, REQUIRED

    source = str(path)
    lines = _lines(path, None, "contracts")
    header = next((item for item in lines if not item[1].lstrip().startswith("#")), None)
    if header is None:
        return False
    separator = separator_of(header[1])
    rows = stream_rows(_chain(header, lines), source,
                       (*CONTRACT_COLUMNS, *LINE_COLUMNS), ("unit_price",), False, REQUIRED)
    example = detect_stream(rows, separator, ("unit_price",))
    if example is not None and notes is not None:
        notes.append(f"{source}: decimal commas detected (';' between cells): {example} is "
                     f"read as {example.replace('.', '').replace(',', '.')}")
    return example is not None


def _chain(first: tuple[int, str], rest: Iterator[tuple[int, str]]
           ) -> Iterator[tuple[int, str]]:
    yield first
    yield from rest


def event_stream(path: Path, progress: Progress | None = None) -> Iterator[LocatedEvent]:
    source = str(path)
    if path.suffix.lower() not in (".jsonl", ".ndjson"):
        raise InputError("a streamed file of events is .jsonl (one event a line)",
                         source=source)
    for number, line in _lines(path, progress, "events"):
        yield _event(_json_object(line, source, number, "an event"), source, number)


def file_digest(path: Path) -> str:
    """The file's content hash, read in blocks: its events' identity (`event_key`)."""
    sha = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


def _chunks(items: Iterator[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


@dataclass(frozen=True)
class Prepared:
    """A chunk with what its rows need that the store does not: computed where the chunk is
    read, so that the writer (a thread of its own on PostgreSQL) only writes."""

    items: list[tuple[int, Contract, Policy]]
    keys: list[str]  # each contract's customer_key
    documents: list[str]  # each contract as stored


def prepare(chunk: list[tuple[int, Contract, Policy]]) -> Prepared:
    return Prepared(chunk, [customer_key(c.customer) for _, c, _ in chunk],
                    [c.model_dump_json(by_alias=True) for _, c, _ in chunk])


class _Importer:
    def __init__(self, uow: UnitOfWork, owner: Tenant) -> None:
        self.repo = uow.repo
        self.bulk = BulkRows(connection(uow.repo))
        self.owner = owner
        self.versions: dict[int, int] = {}  # id(policy) -> stored version
        self.policies: dict[int, Policy] = {}  # stored version -> policy
        self.indices = tenant_tables(owner)[1]
        self.had_contracts = self.bulk.has_contracts(owner.id)

    def contracts(self, source: str, chunk: list[tuple[int, Contract, Policy]] | Prepared
                  ) -> int:
        """Check and store a chunk of (line, contract, policy): how many were stored."""
        ready = chunk if isinstance(chunk, Prepared) else prepare(chunk)
        seen: set[str] = set()
        for number, contract, _ in ready.items:
            if contract.id in seen:
                raise InputError(f"contract id {contract.id!r} appears twice",
                                 source=source, line=number, field="id")
            seen.add(contract.id)
        # A tenant without contracts before the import can only meet a ref again in the
        # file itself: the store's unique key refuses it (`RefTaken`, the earlier line then
        # found by reading the file again), sparing every chunk a look-up.
        stored = self.bulk.stored_refs(self.owner.id, seen) if self.had_contracts else set()
        for number, contract, _ in ready.items:
            if contract.id in stored:
                raise InputError(f"contract {contract.id!r} is stored already for tenant "
                                 f"{self.owner.name!r} (or appears earlier in the file)",
                                 source=source, line=number, field="id")
        customers = self.bulk.customer_ids(self.owner.id, {
            key: c.customer for key, (_, c, _) in zip(ready.keys, ready.items, strict=True)})
        rows = []
        for key, (_, contract, policy) in zip(ready.keys, ready.items, strict=True):
            version = self.versions.get(id(policy))
            if version is None:  # the streams reuse one Policy object per combination
                version = self.versions[id(policy)] = self.repo.policy_version(policy)
                self.policies[version] = policy
            rows.append((contract, policy, version, customers[key]))
        try:
            self.bulk.add_contracts(self.owner.id, rows, ready.documents)
        except RefTaken as exc:
            exc.refs = [(number, contract.id) for number, contract, _ in ready.items]
            raise
        return len(rows)

    def _policy(self, stored: StoredContract) -> Policy:
        found = self.policies.get(stored.policy_version_id)
        if found is None:
            found = self.policies[stored.policy_version_id] = \
                self.repo.policy(stored.policy_version_id)
        return found

    def events(self, chunk: list[LocatedEvent], keys: list[str]) -> tuple[int, int]:
        """Check and store a chunk of events under their natural keys (`event_key`):
        (stored, already stored)."""
        refs = {e.event.contract for e in chunk if not isinstance(e.event, BroadcastBase)}
        by_ref = self.bulk.contracts_by_ref(self.owner.id, refs)
        targets: list[int | None] = []
        for located in chunk:
            event = located.event
            if event.contract == BROADCAST and isinstance(event, BroadcastBase):
                for page in self.bulk.contract_pages(self.owner.id, CHUNK):
                    for stored in page:
                        # not a contract that starts later (as `intake._add_events`)
                        if event.date >= stored.contract.start:
                            check_event(event, stored, self._policy(stored), self.indices,
                                        located)
                targets.append(None)
                continue
            found = by_ref.get(event.contract)
            check_event(event, found, self._policy(found) if found else None, self.indices,
                        located)
            assert found is not None
            targets.append(found.id)
        stored_payloads = self.bulk.event_payloads(self.owner.id, set(keys))
        new: list[tuple[int | None, EventBase, str]] = []
        earliest: dict[int, date] = {}
        broadcasts: list[date] = []
        duplicates = 0
        # a payment naming an invoice (legal number, structured reference) names its item
        for located, target, key in zip(resolve_all(self.repo, self.owner.id, chunk), targets,
                                        keys, strict=True):
            event = located.event
            payload = event.model_dump_json(by_alias=True)
            before = stored_payloads.get(key)
            if before is not None:
                if event.reference is not None and before != payload:
                    raise InputError(f"reference {event.reference!r} names another stored "
                                     f"event: {before}", source=located.source,
                                     line=located.line, field="reference")
                duplicates += 1
                continue
            stored_payloads[key] = payload  # the same reference twice in the file is one
            new.append((target, event, key))
            if target is None:
                broadcasts.append(event.date)
            elif target not in earliest or event.date < earliest[target]:
                earliest[target] = event.date
        self.bulk.add_events(self.owner.id, new)
        self.bulk.note_events(earliest)
        for day in broadcasts:
            self.repo.note_event(self.owner.id, None, day)
        return len(new), duplicates


def _repeated(path: Path, taken: RefTaken, decimal_comma: bool | None) -> Exception:
    """The error for a ref the store refused in a chunk: the first contract of the chunk
    whose ref the file gave before, read again from the start (an error path: the file is
    not held), or the store's own error when another import stored it meanwhile."""
    chunk = {ref: line for line, ref in reversed(taken.refs)}
    first_line = min(chunk.values())
    earlier: dict[str, int] = {}
    for line, contract, _ in contract_stream(path, None, decimal_comma):
        if line >= first_line:
            break
        if contract.id in chunk:
            earlier.setdefault(contract.id, line)
    for line, ref in taken.refs:
        if ref in earlier:
            return InputError(f"contract id {ref!r} appears twice (first on line "
                              f"{earlier[ref]})", source=str(path), line=line, field="id")
    assert taken.__cause__ is not None
    return taken.__cause__  # type: ignore[return-value]


def import_book(uow: UnitOfWork, contracts: Path | None = None, events: Path | None = None,
                tenant_name: str | None = None, progress: Progress | None = None,
                decimal_comma: bool | None = None, chunk: int = CHUNK,
                notes: list[str] | None = None) -> Imported:
    """Stream a book of contracts and/or a file of events into the store, all or nothing."""
    origin = file_digest(events) if events is not None else ""
    added = stored_before = contract_count = 0
    with uow:
        importer = _Importer(uow, tenant(uow.repo, tenant_name))
        with importer.bulk.small_page_cache():
            if contracts is not None:
                parts = map(prepare, _chunks(contract_stream(contracts, progress,
                                                             decimal_comma, notes), chunk))
                source = str(contracts)
                try:
                    if importer.bulk.pg:
                        contract_count = write_behind(
                            parts, lambda part: importer.contracts(source, part))
                    else:  # sqlite3 takes the GIL back after every row: a thread would wait
                        for part in parts:
                            contract_count += importer.contracts(source, part)
                except RefTaken as exc:
                    raise _repeated(contracts, exc, decimal_comma) from None
            if events is not None:
                for located_part in _chunks(event_stream(events, progress), chunk):
                    new, dup = importer.events(
                    located_part, [event_key(e.event, origin, e.line or 0) for e in located_part])
                    added += new
                    stored_before += dup
            uow.commit()
    return Imported(contract_count, added, stored_before)
