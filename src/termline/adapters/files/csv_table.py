"""CSV as spreadsheets write it: a UTF-8 byte-order mark, `,` or `;` between cells, decimal
commas; each row a mapping of the header's columns, or a located error.

Separator: `;` when the header has a `;` and no `,` (Excel's choice where the decimal mark is
a comma), else `,`. Decimal commas (`250,00`, `1.250,00`) are read in the columns that hold
numbers when asked (`decimal_comma=True`), or when the file shows them unambiguously: a `;`
file whose numbers all have a comma and none a dot, and at least one of them not in the
`1,250` form an English thousands separator also writes. They are then reported, never
silently guessed.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field

from termline.domain.errors import InputError

_COMMA_NUMBER = re.compile(r"^[+-]?(\d{1,3}(\.\d{3})+|\d+),\d+$")
_THOUSANDS_ONLY = re.compile(r"^[+-]?\d{1,3}(,\d{3})+$")
_DOT_NUMBER = re.compile(r"^[+-]?\d+\.\d+$")


@dataclass(frozen=True)
class Row:
    line: int
    cells: dict[str, str]  # the non-empty cells, by column


@dataclass
class Table:
    rows: list[Row]
    separator: str
    decimal_comma: bool
    notes: list[str] = field(default_factory=list)


def _separator(header: str) -> str:
    return ";" if ";" in header and "," not in header else ","


def _lines(text: str) -> Iterator[tuple[int, str]]:
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip() and not line.lstrip().startswith("#"):
            yield number, line


def _cells(line: str, sep: str, source: str, number: int) -> list[str]:
    try:
        return next(csv.reader([line], delimiter=sep, strict=True))
    except csv.Error as exc:
        raise InputError(f"not a CSV row: {exc}", source=source, line=number) from None


def read_table(text: str, source: str, columns: Collection[str], numeric: Collection[str],
               decimal_comma: bool | None = None, required: Collection[str] = ()) -> Table:
    """The rows of a CSV text whose header names some of `columns`. `numeric`: columns whose
    cells may carry a decimal comma. `decimal_comma`: True (read them), False (never), None
    (detect). Lines starting with # are comments."""
    body = [(n, line) for n, line in _lines(text)]
    if not body:
        raise InputError(f"empty file: expected a header row ({', '.join(sorted(required))}, "
                         "...)", source=source, line=1)
    header_line, header = body[0]
    names, sep = header_names(header, header_line, source, columns, required)
    parsed = [_cells(line, sep, source, number) for number, line in body]
    rows: list[Row] = []
    for (line, _), cells in zip(body[1:], parsed[1:], strict=True):
        rows.append(_row(names, sep, cells, source, line))
    table = Table(rows, sep, False)
    if decimal_comma is None:
        example = _detect(table, numeric)
        decimal_comma = example is not None
        if example is not None:
            table.notes.append(f"{source}: decimal commas detected (';' between cells): "
                               f"{example} is read as {_point(example)}")
    if decimal_comma:
        table.decimal_comma = True
        for row in table.rows:
            for name in numeric:
                value = row.cells.get(name)
                if value is not None and _COMMA_NUMBER.match(value):
                    row.cells[name] = _point(value)
    return table


def header_names(header: str, line: int, source: str, columns: Collection[str],
                 required: Collection[str]) -> tuple[list[str], str]:
    """The columns a header row names, and the separator it uses; or a located error."""
    sep = _separator(header)
    names = [cell.strip() for cell in _cells(header, sep, source, line)]
    for name in names:
        if name in columns:
            continue
        hint = ""
        if any(other in name for other in ("\t", "|", ";", ",")) or len(names) == 1:
            hint = " — the separator between cells is ',' or ';'"
        raise InputError(f"unknown column {name!r}{hint} (columns: "
                         f"{', '.join(sorted(columns))})", source=source, line=line)
    missing = [c for c in required if c not in names]
    if missing:
        raise InputError(f"no column {', '.join(map(repr, missing))} in the header "
                         f"{sep.join(names)!r}", source=source, line=line)
    if len(set(names)) != len(names):
        twice = sorted({n for n in names if names.count(n) > 1})
        raise InputError(f"column {', '.join(map(repr, twice))} appears twice",
                         source=source, line=line)
    return names, sep


def _row(names: list[str], sep: str, cells: list[str], source: str, line: int) -> Row:
    if len(cells) > len(names):
        hint = " (a decimal comma? quote the cell or use ';' between cells)" \
            if sep == "," else ""
        raise InputError(f"{len(cells)} cells where the header has {len(names)}: "
                         f"{sep.join(cells)!r}{hint}", source=source, line=line)
    return Row(line, {n: c.strip() for n, c in zip(names, cells, strict=False)
                      if c.strip() != ""})


def stream_rows(lines: Iterator[tuple[int, str]], source: str, columns: Collection[str],
                numeric: Collection[str], decimal_comma: bool,
                required: Collection[str] = ()) -> Iterator[Row]:
    """The rows of a CSV read a line at a time (`lines`: numbered, blank lines left out).
    Decimal commas cannot be detected without reading the file twice: they are read only
    when asked (`decimal_comma`)."""
    sep = ","
    names: list[str] | None = None
    for number, line in lines:
        if line.lstrip().startswith("#"):
            continue
        if names is None:
            names, sep = header_names(line.rstrip("\r\n"), number, source, columns, required)
            continue
        row = _row(names, sep, _cells(line.rstrip("\r\n"), sep, source, number), source,
                   number)
        if decimal_comma:
            for name in numeric:
                value = row.cells.get(name)
                if value is not None and _COMMA_NUMBER.match(value):
                    row.cells[name] = _point(value)
        yield row
    if names is None:
        raise InputError(f"empty file: expected a header row ({', '.join(sorted(required))}, "
                         "...)", source=source, line=1)


def detect_stream(rows: Iterator[Row], separator: str, numeric: Collection[str]) -> str | None:
    """`_detect` over rows read a line at a time (a first pass over a large file)."""
    clear = None
    commas = False
    for row in rows:
        for name in numeric:
            value = row.cells.get(name)
            if value is None:
                continue
            if _DOT_NUMBER.match(value):
                return None
            if _COMMA_NUMBER.match(value):
                commas = True
                if clear is None and not _THOUSANDS_ONLY.match(value):
                    clear = value
    return clear if separator == ";" and commas else None


def separator_of(header: str) -> str:
    return _separator(header)


def _point(value: str) -> str:
    return value.replace(".", "").replace(",", ".")


def _detect(table: Table, numeric: Collection[str]) -> str | None:
    """The first decimal-comma number when the file unambiguously writes them, else None."""
    values = [v for row in table.rows for n in numeric if (v := row.cells.get(n)) is not None]
    commas = [v for v in values if _COMMA_NUMBER.match(v)]
    if table.separator != ";" or not commas or any(_DOT_NUMBER.match(v) for v in values):
        return None
    clear = [v for v in commas if not _THOUSANDS_ONLY.match(v)]
    return clear[0] if clear else None
