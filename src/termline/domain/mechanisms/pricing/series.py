"""Public index series (Agoria, Belgian CPI, Danish net price index, ...) by month.

A series is a name and monthly values keyed ``YYYY-MM``. They come from the scenario's
``index_series:`` mapping or from a CSV file (see :func:`parse_index_csv`). A value that is not
there is an error (:class:`termline.domain.errors.MissingIndex`), never a silent zero.

CSV format (UTF-8; blank lines and lines starting with ``#`` are ignored)::

    series,month,value
    agoria,2024-12,126.50
    be-cpi,2024-11,131.07

``month`` is ``YYYY-MM``; ``value`` is a positive decimal written with a dot; a series and month
appear at most once.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from termline.domain.errors import InputError, MissingIndex, ScenarioError
from termline.domain.text.textfile import read_text

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
HEADER = ["series", "month", "value"]


def month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def shift_month(key: str, months: int) -> str:
    """`key` moved by whole months: shift_month("2025-01", -1) == "2024-12"."""
    year, month = int(key[:4]), int(key[5:7])
    index = year * 12 + (month - 1) + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def month_before(day: date) -> str:
    return shift_month(month_key(day), -1)


def _month(text: str) -> str:
    match = _MONTH.match(text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(f"a month is written YYYY-MM, got {text!r}")
    return text.strip()


def _value(raw: Any) -> Decimal:
    if isinstance(raw, bool) or raw is None:
        raise ValueError(f"not an index value: {raw!r}")
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation as exc:
        raise ValueError(f"not an index value: {raw!r}") from exc
    if not value.is_finite() or value <= 0:
        raise ValueError(f"an index value is a positive number, got {raw!r}")
    return value


@dataclass(frozen=True)
class IndexTable:
    """Monthly values of named index series; immutable."""

    series: tuple[tuple[str, tuple[tuple[str, Decimal], ...]], ...] = ()
    _lookup: dict[str, dict[str, Decimal]] = field(init=False, repr=False, compare=False,
                                                   hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_lookup", {name: dict(values) for name, values in self.series})

    @classmethod
    def of(cls, data: Mapping[str, Mapping[str, Decimal]]) -> IndexTable:
        return cls(tuple((name, tuple(sorted(values.items())))
                         for name, values in sorted(data.items())))

    def names(self) -> tuple[str, ...]:
        return tuple(self._lookup)

    def has(self, name: str) -> bool:
        return name in self._lookup

    def has_month(self, name: str, month: str) -> bool:
        return month in self._lookup.get(name, {})

    def value(self, name: str, month: str, *, purpose: str = "") -> Decimal:
        why = f" (needed for {purpose})" if purpose else ""
        values = self._lookup.get(name)
        if values is None:
            known = ", ".join(sorted(self._lookup)) or "none"
            raise MissingIndex(f"no index series {name!r}{why}; known series: {known}. Add it "
                               "to the scenario's index_series or an index CSV")
        found = values.get(month)
        if found is None:
            raise MissingIndex(f"index series {name!r} has no value for {month}{why}")
        return found

    def merged(self, other: IndexTable) -> IndexTable:
        """This table with `other`'s values added; `other` wins for the same series and month."""
        data = {name: dict(values) for name, values in self._lookup.items()}
        for name, values in other._lookup.items():
            data.setdefault(name, {}).update(values)
        return IndexTable.of(data)


def from_mapping(data: Mapping[str, Any], source: str | None = None) -> IndexTable:
    """The scenario's ``index_series:`` (series -> {"YYYY-MM": value}) as a table."""
    out: dict[str, dict[str, Decimal]] = {}
    for name, values in data.items():
        if not isinstance(values, Mapping):
            raise ScenarioError("an index series maps YYYY-MM months to values", source=source,
                                field=f"index_series.{name}")
        series: dict[str, Decimal] = {}
        for month, raw in values.items():
            try:
                series[_month(str(month))] = _value(raw)
            except ValueError as exc:
                raise ScenarioError(str(exc), source=source,
                                    field=f"index_series.{name}.{month}") from None
        out[str(name)] = series
    return IndexTable.of(out)


def parse_index_csv(text: str, source: str = "<csv>") -> IndexTable:
    """Read the CSV format in the module docstring; errors name the file and line."""
    data: dict[str, dict[str, Decimal]] = {}
    header_seen = False
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not row or not "".join(row).strip() or row[0].lstrip().startswith("#"):
            continue
        cells = [cell.strip() for cell in row]
        if not header_seen:
            if cells != HEADER:
                raise InputError(f"the first row must be the header {','.join(HEADER)}",
                                 source=source, line=number)
            header_seen = True
            continue
        if len(cells) != 3:
            raise InputError(f"expected 3 columns (series,month,value), got {len(cells)}",
                             source=source, line=number)
        name, month_text, raw = cells
        if not name:
            raise InputError("empty series name", source=source, line=number, field="series")
        try:
            month = _month(month_text)
        except ValueError as exc:
            raise InputError(str(exc), source=source, line=number, field="month") from None
        try:
            value = _value(raw)
        except ValueError as exc:
            raise InputError(str(exc), source=source, line=number, field="value") from None
        series = data.setdefault(name, {})
        if month in series:
            raise InputError(f"{name} {month} appears twice", source=source, line=number)
        series[month] = value
    if not header_seen:
        raise InputError(f"empty index file: expected the header {','.join(HEADER)}",
                         source=source, line=1)
    return IndexTable.of(data)


def load_index_csv(path: str | Path) -> IndexTable:
    """Read an index CSV file (I/O: for the CLI and callers outside the pure core)."""
    p = Path(path)
    return parse_index_csv(read_text(p, "index file"), str(p))
