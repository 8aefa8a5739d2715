"""Contracts from a spreadsheet: one row per contract line (.csv or .jsonl), rows with the same
`id` are one contract. Validated as `contract add` validates a YAML contract: every error
names its file, line and column.

Columns: id, customer, start, policy, item, unit_price (required); country, email,
language (en, nl, fr, da, de: the customer's, for e-mails and documents), trial_days,
billing_period, per (month|year|period, default month), quantity (default 1).
On a contract's later rows the contract's columns may be left empty; if given they must
repeat the first row's value.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from termline.adapters.files.csv_table import Row, read_table, stream_rows
from termline.app.inputs import contract_policy
from termline.domain.contract.model import Contract
from termline.domain.errors import InputError
from termline.domain.policy.schema import Policy
from termline.domain.text.textfile import read_text

CONTRACT_COLUMNS = ("id", "customer", "country", "email", "language", "start", "policy",
                    "trial_days", "billing_period")
LINE_COLUMNS = ("item", "unit_price", "per", "quantity")
REQUIRED = ("id", "customer", "start", "policy", "item", "unit_price")
_CUSTOMER = {"customer": "name", "country": "country", "email": "email",
             "language": "language"}


def _rows(path: Path, text: str, decimal_comma: bool | None, notes: list[str]) -> list[Row]:
    source = str(path)
    if path.suffix.lower() == ".csv":
        table = read_table(text, source, (*CONTRACT_COLUMNS, *LINE_COLUMNS), ("unit_price",),
                           decimal_comma, required=REQUIRED)
        notes += table.notes
        return table.rows
    if path.suffix.lower() not in (".jsonl", ".ndjson"):
        raise InputError("contract files for `contract import` are .csv or .jsonl",
                         source=source)
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line, parse_float=str)  # 50.10 stays the text "50.10"
        except json.JSONDecodeError as exc:
            raise InputError(f"not valid JSON: {exc.msg}", source=source, line=number) from None
        if not isinstance(raw, dict):
            raise InputError("a contract line is a JSON object", source=source, line=number)
        unknown = sorted(set(raw) - {*CONTRACT_COLUMNS, *LINE_COLUMNS})
        if unknown:
            known = ", ".join((*CONTRACT_COLUMNS, *LINE_COLUMNS))
            raise InputError(f"unknown field (columns: {known})", source=source, line=number,
                             field=unknown[0])
        rows.append(Row(number, {k: v if isinstance(v, str) else json.dumps(v)
                                 for k, v in raw.items() if v not in (None, "")}))
    return rows


def read_contract_rows(path: Path, decimal_comma: bool | None = None,
                       notes: list[str] | None = None) -> list[tuple[Contract, Policy]]:
    """The contracts of a .csv or .jsonl file of contract lines, each with its policy."""
    source = str(path)
    found = _rows(path, read_text(path, "contract file"), decimal_comma,
                  notes if notes is not None else [])
    groups: dict[str, list[Row]] = {}
    for row in found:
        ref = row.cells.get("id")
        if ref is None:
            raise InputError("missing", source=source, line=row.line, field="id")
        for column in REQUIRED:  # a contract's later rows may leave its columns empty
            if column not in row.cells and (column in LINE_COLUMNS or ref not in groups):
                raise InputError("missing", source=source, line=row.line, field=column)
        groups.setdefault(ref, []).append(row)
    out = []
    for ref, rows in groups.items():
        first = rows[0]
        for row in rows[1:]:
            _agrees(source, ref, first, row)
        out.append(_contract(source, path.parent, first, rows))
    return out


def _agrees(source: str, ref: str, first: Row, row: Row) -> None:
    """A contract's later row may leave its contract's columns empty, never change them."""
    for column in CONTRACT_COLUMNS:
        given = row.cells.get(column)
        if given is not None and given != first.cells.get(column):
            raise InputError(f"contract {ref!r} has {column} {first.cells.get(column)!r} on "
                             f"line {first.line}", source=source, line=row.line, field=column)


def contract_rows_stream(path: Path, lines: Iterator[tuple[int, str]], decimal_comma: bool
                         ) -> Iterator[tuple[int, Contract]]:
    """(first line, contract) of a contracts CSV read a line at a time. A contract's rows
    follow each other (a contract whose rows are apart is reported as appearing twice)."""
    source = str(path)
    group: list[Row] = []

    def made() -> tuple[int, Contract]:
        return group[0].line, _contract_model(source, group[0], group)

    for row in stream_rows(lines, source, (*CONTRACT_COLUMNS, *LINE_COLUMNS), ("unit_price",),
                           decimal_comma, required=REQUIRED):
        ref = row.cells.get("id")
        if ref is None:
            raise InputError("missing", source=source, line=row.line, field="id")
        if group and ref != group[0].cells["id"]:
            yield made()
            group = []
        for column in REQUIRED:
            if column not in row.cells and (column in LINE_COLUMNS or not group):
                raise InputError("missing", source=source, line=row.line, field=column)
        if group:
            _agrees(source, ref, group[0], row)
        group.append(row)
    if group:
        yield made()


def _contract(source: str, base: Path, first: Row, rows: list[Row]
              ) -> tuple[Contract, Policy]:
    contract = _contract_model(source, first, rows)
    return contract, contract_policy(contract, source, base,
                                     lambda key: first.line)


def _contract_model(source: str, first: Row, rows: list[Row]) -> Contract:
    cells = first.cells
    raw: dict[str, Any] = {
        "id": cells["id"], "start": cells["start"], "policy": cells["policy"],
        "customer": {key: cells[col] for col, key in _CUSTOMER.items() if col in cells},
        "lines": [{k: row.cells[k] for k in LINE_COLUMNS if k in row.cells} for row in rows],
    }
    for column in ("trial_days", "billing_period"):
        if column in cells:
            raw[column] = cells[column]
    try:
        return Contract.model_validate(raw)
    except ValidationError as exc:
        raise _located(exc, source, first, rows) from None


def _located(exc: ValidationError, source: str, first: Row, rows: list[Row]) -> InputError:
    error = exc.errors()[0]
    loc = [p for p in error["loc"] if isinstance(p, str | int)]
    line, column = first.line, ".".join(map(str, loc)) or None
    if loc[:1] == ["lines"] and len(loc) > 1 and isinstance(loc[1], int) \
            and loc[1] < len(rows):
        line, column = rows[loc[1]].line, ".".join(map(str, loc[2:])) or "lines"
    elif loc[:1] == ["customer"]:
        column = {v: k for k, v in _CUSTOMER.items()}.get(str(loc[-1]), "customer")
    message = "unknown field" if error["type"] == "extra_forbidden" else error["msg"]
    return InputError(message, source=source, line=line, field=column)
