"""`import book.yaml`: a scenario file stored as it is read, its `contracts` list streamed a
contract at a time (`core.yamlstream`) and written a chunk at a time through the streamed
book's writer; its events (a tenth of a book's size) are held, sorted as `load_scenario`
sorts them and stored in chunks. Every check and error is the whole-file reader's
(`scenario.loader`), and the import is one transaction: all or nothing.

The scenario's keys may come in any order (PyYAML's `safe_dump` sorts them: `contracts`
first). Its `policy` and `until` are checked where they are read, or at the end when they
follow the contracts (then a bad contract is reported before a bad `until`). A contract
without its own pack read before the scenario's default pack, a key given twice, or a file
that is not one plain mapping is read whole (`load_scenario`), as before.
"""

from __future__ import annotations

import codecs
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import yaml
from pydantic import ValidationError

from termline.adapters.sql.bulk import RefTaken
from termline.app.book_import import CHUNK, Progress, _Importer
from termline.app.inputs import LocatedEvent
from termline.app.intake import event_key, merge_scenario_settings, tenant
from termline.app.ports import UnitOfWork
from termline.domain.contract.model import Contract, EventBase, event_sort_key
from termline.domain.contract.scenario_file import (
    _ScenarioFile,
    scenario_contract,
    scenario_event,
    scenario_policy,
)
from termline.domain.errors import ScenarioError
from termline.domain.policy.schema import Policy
from termline.domain.text.yamlsource import Located, pydantic_error
from termline.domain.text.yamlstream import Entry, NotAMapping, entries

_HEAD = ("policy", "until")


def text_digest(path: Path, what: str = "scenario") -> str:
    """The digest `load_scenario` gives the file (of its text, without a BOM), read in
    blocks, refusing what `read_text` refuses with the same words."""
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise ScenarioError(f"cannot read {what}: {exc.strerror}", source=str(path)) from None
    sha = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    lines = 0
    first = True
    with handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            if first:
                if block.startswith((b"\xff\xfe", b"\xfe\xff")):
                    raise ScenarioError(f"{what} is UTF-16 text: save it as UTF-8",
                                        source=str(path))
                block = block.removeprefix(codecs.BOM_UTF8)
                first = False
            try:
                decoder.decode(block)
            except UnicodeDecodeError as exc:
                line = lines + block.count(b"\n", 0, exc.start) + 1
                raise ScenarioError(f"{what} is not UTF-8 text (byte 0x{block[exc.start]:02x}): "
                                    "save it as UTF-8", source=str(path), line=line) from None
            if b"\x00" in block:
                line = lines + block.count(b"\n", 0, block.index(b"\x00")) + 1
                raise ScenarioError(f"{what} is binary, not text (a NUL byte)",
                                    source=str(path), line=line)
            lines += block.count(b"\n")
            sha.update(block)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise ScenarioError(f"{what} is not UTF-8 text (it ends inside a character): save "
                                "it as UTF-8", source=str(path), line=lines + 1) from None
    return sha.hexdigest()


class _Counted:
    """A binary file that reports how far it has been read (for the progress bar)."""

    def __init__(self, handle: IO[bytes], total: int, progress: Progress | None) -> None:
        self.handle, self.total, self.progress, self.done = handle, total, progress, 0

    def read(self, size: int = -1) -> bytes:
        block = self.handle.read(size)
        self.done += len(block)
        if self.progress is not None:
            self.progress("scenario", self.done, self.total)
        return block


Nodes = dict[str, tuple[yaml.Node, yaml.Node]]  # key -> (key node, value node)


def _check_head(head: dict[str, Any], nodes: Nodes, streamed: set[str],
                source: str) -> _ScenarioFile:
    """The scenario's keys as `load_scenario` checks them; the items of the streamed lists
    are checked one at a time where they are read."""
    whole = {**head, **{key: [{}] if key == "contracts" else [] for key in streamed}}
    try:
        return _ScenarioFile.model_validate(whole)
    except ValidationError as exc:
        marks = [k.start_mark for k, _ in nodes.values()]
        root = yaml.MappingNode("tag:yaml.org,2002:map", list(nodes.values()),
                                marks[0] if marks else _START, None)
        raise pydantic_error(exc, Located(whole, root, source), ScenarioError) from None


_START = yaml.Mark("", 0, 0, 0, None, 0)


def _contracts(path: Path, stream: Iterator[Entry], first: Entry, default: str | None,
               seen: set[str]) -> Iterator[tuple[int, Contract, Policy]]:
    """The contracts of the streamed list that begins with `first`, each with its policy
    (one Policy object per combination of pack, overrides, period and trial). A contract
    without its own pack while the scenario's `default` is not yet read (it follows the
    contracts) raises `NotAMapping`."""
    source = str(path)
    policies: dict[tuple[Any, ...], Policy] = {}
    entry: Entry | None = first
    while entry is not None and not entry.end:
        assert entry.item is not None
        located = Located(None, entry.node, source, at=("contracts", entry.item))
        if not isinstance(entry.data, dict):
            raise ScenarioError("Input should be a valid dictionary", source=source,
                                line=entry.node.start_mark.line + 1,
                                field=f"contracts.{entry.item}")
        contract = scenario_contract(entry.item, entry.data, located, seen)
        if contract.policy is None and default is None:
            raise NotAMapping
        overrides = json.dumps(contract.overrides, sort_keys=True, default=str) \
            if contract.overrides else ""
        key = (contract.policy or default, overrides, contract.billing_period,
               contract.trial_days is not None)
        policy = policies.get(key)
        if policy is None:
            policy = policies[key] = scenario_policy(entry.item, contract, default or "",
                                                     located, path.parent)
        yield entry.node.start_mark.line + 1, contract, policy
        entry = next(stream, None)


def import_scenario_file(uow: UnitOfWork, path: Path, tenant_name: str | None = None,
                         progress: Progress | None = None, chunk: int = CHUNK
                         ) -> tuple[int, int]:
    """Store a scenario file's contracts and events, all or nothing: (contracts, events)
    stored. Raises `NotAMapping` (nothing stored) for a file to read whole instead."""
    source = str(path)
    digest = text_digest(path)
    head: dict[str, Any] = {}
    nodes: Nodes = {}
    streamed: set[str] = set()
    seen: set[str] = set()
    events: list[tuple[EventBase, int]] = []
    count = 0
    with uow, path.open("rb") as handle:
        owner = tenant(uow.repo, tenant_name)
        importer = _Importer(uow, owner)
        counted: Any = _Counted(handle, path.stat().st_size, progress)
        stream = entries(counted, source, frozenset({"contracts", "events"}), ScenarioError)
        with importer.bulk.small_page_cache():
            for entry in stream:
                if entry.item in (None, 0) and not (entry.end and entry.key in streamed):
                    if entry.key in nodes:
                        raise NotAMapping  # a key twice: the whole-file reader keeps the last
                    nodes[entry.key] = (entry.key_node, entry.node)
                if entry.item == 0:
                    streamed.add(entry.key)
                if entry.key == "contracts" and entry.item == 0:
                    if all(key in head for key in _HEAD):  # else checked at the end
                        _check_head(head, nodes, streamed, source)
                    batch: list[tuple[int, Contract, Policy]] = []
                    default = head.get("policy") if isinstance(head.get("policy"), str) \
                        else None
                    try:
                        for item in _contracts(path, stream, entry, default, seen):
                            batch.append(item)
                            if len(batch) == chunk:
                                count += importer.contracts(source, batch)
                                batch = []
                        count += importer.contracts(source, batch) if batch else 0
                    except RefTaken as exc:  # `seen` has the file's: another import's ref
                        assert exc.__cause__ is not None
                        raise exc.__cause__ from None
                elif entry.key == "events" and entry.item is not None:
                    located = Located(None, entry.node, source, at=("events", entry.item))
                    events.append((scenario_event(entry.item, entry.data, located),
                                   entry.node.start_mark.line + 1))
                elif entry.end:
                    if entry.key not in streamed:
                        head[entry.key] = []  # an empty list
                else:
                    head[entry.key] = entry.data
            checked = _check_head(head, nodes, streamed, source)
            owner = merge_scenario_settings(uow.repo, owner, checked.statutory_rates,
                                            checked.index_series, source)
            importer = _Importer(uow, owner)
            ordered = sorted(range(len(events)), key=lambda n: event_sort_key(events[n][0]))
            added = 0
            for first in range(0, len(ordered), chunk):
                part = ordered[first:first + chunk]
                keys = [event_key(events[n][0], digest, position)
                        for position, n in enumerate(part, start=first)]
                new, _ = importer.events(
                    [LocatedEvent(events[n][0], source, events[n][1]) for n in part], keys)
                added += new
            uow.commit()
    return count, added
