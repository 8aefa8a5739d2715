"""Reading contract files and event files (YAML, CSV, JSON lines): located errors, no store."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel, ValidationError

from termline.adapters.files.csv_table import read_table
from termline.domain.contract.event_kinds import event_adapter, event_models
from termline.domain.contract.model import Contract, EventBase
from termline.domain.errors import InputError, ScenarioError
from termline.domain.policy.policy_file import apply_overrides
from termline.domain.policy.schema import Policy
from termline.domain.text.textfile import read_text
from termline.domain.text.yamlsource import pydantic_error, read_yaml


@dataclass(frozen=True)
class LocatedEvent:
    event: EventBase
    source: str
    line: int | None


def _read(path: Path, what: str) -> str:
    return read_text(path, what)


def read_contracts(path: Path) -> list[tuple[Contract, Policy]]:
    """A contract file: one contract mapping (scenario shape, with `policy`) or a list."""
    located = read_yaml(_read(path, "contract file"), str(path), ScenarioError)
    raw = located.data
    items = raw if isinstance(raw, list) else [raw]
    prefix_of = (lambda i: (i,)) if isinstance(raw, list) else (lambda i: ())
    out = []
    for i, item in enumerate(items):
        prefix: tuple[int, ...] = prefix_of(i)
        if not isinstance(item, dict):
            raise ScenarioError("a contract is a mapping", source=str(path),
                                line=located.line_of(list(prefix)))
        try:
            contract = Contract.model_validate(item)
        except ValidationError as exc:
            raise pydantic_error(exc, located, ScenarioError, prefix=prefix) from None
        if contract.policy is None:
            raise ScenarioError("a stored contract names its `policy` (pack or file)",
                                source=str(path), line=located.line_of([*prefix, "id"]),
                                field="policy")
        out.append((contract, contract_policy(contract, str(path), path.parent,
                                              lambda key, p=prefix: located.line_of([*p, key]))))
    return out


def contract_policy(contract: Contract, source: str, base_dir: Path | None,
                    line_of: Any = None) -> Policy:
    assert contract.policy is not None
    overrides = dict(contract.overrides)
    if contract.billing_period is not None:
        overrides.setdefault("billing.period", str(contract.billing_period))
    try:
        policy = apply_overrides(contract.policy, overrides, source=source, base_dir=base_dir)
    except InputError as exc:
        key = "overrides" if exc.field else "policy"
        raise ScenarioError(exc.message, source=source,
                            line=line_of(key) if line_of else None,
                            field=exc.field or "policy") from None
    if contract.trial_days is not None and not policy.trial.offered:
        raise ScenarioError(f"pack {policy.pack!r} offers no trial", source=source,
                            line=line_of("trial_days") if line_of else None, field="trial_days")
    return policy


def _event(raw: Any, source: str, line: int | None) -> LocatedEvent:
    if not isinstance(raw, dict):
        raise InputError("an event is an object", source=source, line=line)
    try:
        return LocatedEvent(event_adapter().validate_python(raw), source, line)
    except ValidationError as exc:
        first = exc.errors()[0]
        if first["type"] == "union_tag_invalid":
            raise InputError(f"unknown event type {raw.get('type')!r}", source=source,
                             line=line, field="type") from None
        if first["type"] == "union_tag_not_found":
            raise InputError("event has no 'type'", source=source, line=line,
                             field="type") from None
        loc = [str(p) for p in first["loc"][1:]]  # drop the discriminator tag
        message = "unknown field (not part of this event type)" \
            if first["type"] == "extra_forbidden" else first["msg"]
        raise InputError(message, source=source, line=line,
                         field=".".join(loc) or None) from None


def event_columns() -> tuple[frozenset[str], frozenset[str]]:
    """Every field of any installed event type (the CSV columns), and those that hold
    decimals."""
    return _columns(tuple(event_models()))


@cache
def _columns(models: tuple[type[BaseModel], ...]) -> tuple[frozenset[str], frozenset[str]]:
    columns: set[str] = set()
    numeric: set[str] = set()
    for model in models:
        for name, info in model.model_fields.items():
            key = info.alias or name
            columns.add(key)
            if Decimal in (info.annotation, *get_args(info.annotation)):
                numeric.add(key)
    return frozenset(columns), frozenset(numeric)


def read_events(path: Path, decimal_comma: bool | None = None,
                notes: list[str] | None = None) -> list[LocatedEvent]:
    """Events from a .csv (header row; empty cells are absent fields; `,` or `;`; see
    `csv_table`) or .jsonl file. What was detected (decimal commas) is added to `notes`."""
    text = _read(path, "event file")
    source = str(path)
    if path.suffix.lower() == ".csv":
        columns, numeric = event_columns()
        table = read_table(text, source, columns, numeric, decimal_comma,
                           required=("date", "type"))
        if notes is not None:
            notes += table.notes
        return [_event(dict(row.cells), source, row.line) for row in table.rows]
    if path.suffix.lower() in (".jsonl", ".ndjson"):
        out = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"not valid JSON: {exc.msg}", source=source,
                                 line=number) from None
            out.append(_event(raw, source, number))
        return out
    raise InputError("event files are .csv or .jsonl", source=source)


def parse_event(raw: dict[str, Any], source: str = "<command line>") -> LocatedEvent:
    return _event(raw, source, None)
