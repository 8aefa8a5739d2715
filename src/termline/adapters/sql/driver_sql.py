"""The run's fixed statements sent to the driver as text, with a batch's keys as one parameter.

A batch's look-ups name its 500 contracts (or their refs): SQLAlchemy renders an `IN` list of
that many bound parameters anew for every execution on SQLite, and builds a `Row` with a
type processor per value for every row read. Here a statement is written once, with `{p}` for
a parameter and `IN {in}` for "the column is one of the values of one array parameter", and
turned once per dialect into the driver's own text: `= ANY(%s)` with a list on PostgreSQL,
`IN (SELECT value FROM json_each(?))` with the list as JSON text on SQLite. It runs on the
same DB-API connection, so in the caller's transaction. The rows come back as the driver's
tuples; `Reads.day` and `Reads.money` turn a date or a NUMERIC(19, 4) into what SQLAlchemy's
`Date` and `Numeric(asdecimal=True)` give (on SQLite: ISO text, and a REAL formatted with four
decimals), so that what the caller computes from them does not depend on which path read them.

`FROM {bounds}` is a table `b(id, after)` of one `Pairs` parameter's (id, ISO day) pairs, for
a join that reads each contract's rows after its own day.

A look-up by (contract, key) pairs is written `(x, y) IN {pairs}` with one `Pairs` parameter,
which stands for two at its place in the text. On PostgreSQL it is that condition over the
pairs themselves (`unnest` of an id array and a text array): with two `= ANY` arrays on a
two-column index the planner searches it for every combination of the two (500 contracts and
500 keys: 250,000 descents), or prices that and scans the table whole instead. On SQLite it is
the same condition over the pairs as one JSON array of [id, text] (`json_each`): each id is
looked up in the index and its rows kept when their pair is asked. Until issue 16's fifteenth
round SQLite had the two columns' `IN` each, which descends the index for every combination too:
a batch of 417 contracts' invoices cost 5 ms a look-up, 24 ms with keys in no order, against
1 ms so (docs/benchmarks.md).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy import Connection
from sqlalchemy.engine.interfaces import DBAPICursor

from termline.adapters.sql.writes import driver_errors


@functools.cache
def driver_text(template: str, postgresql: bool) -> str:
    """The template as the driver's SQL (see the module's docstring)."""
    if postgresql:
        template = template.replace(
            "IN {pairs}", "IN (SELECT * FROM unnest({p}::bigint[], {p}::text[]))").replace(
            "{bounds}", "unnest({p}::bigint[], {p}::date[]) AS b(id, after)")
        return template.replace("IN {in}", "= ANY({p})").replace("{p}", "%s")
    template = _PAIRS.sub(r"(\1, \2) IN (SELECT json_extract(value, '$[0]'), "
                          r"json_extract(value, '$[1]') FROM json_each({p}))", template)
    template = template.replace(
        "{bounds}", "(SELECT json_extract(value, '$[0]') AS id, json_extract(value, '$[1]') "
                    "AS after FROM json_each({p})) AS b")
    return template.replace("{in}", "(SELECT value FROM json_each({p}))").replace("{p}", "?")


_PAIRS = re.compile(r"\(([\w.]+), ([\w.]+)\) IN \{pairs\}")


class Pairs(NamedTuple):
    """The parameter of `(x, y) IN {pairs}`: (id, text) pairs, each once."""

    pairs: frozenset[tuple[int, str]]

    def columns(self) -> tuple[list[int], list[str]]:
        ordered = sorted(self.pairs)
        return [a for a, _ in ordered], [b for _, b in ordered]

    def values(self) -> tuple[list[tuple[int, str]]]:
        return (sorted(self.pairs),)


# a row as the driver gives it: its values are what the columns hold (see `Reads.day`, `money`)
Row = tuple[Any, ...]


class Reads:
    """The fixed statements of one connection (and its transaction)."""

    __slots__ = ("conn", "pg")

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.pg = conn.dialect.name == "postgresql"

    def day(self, value: object) -> Any:
        """A `Date` column's value as SQLAlchemy reads it (psycopg gives dates itself)."""
        if self.pg or value is None:
            return value
        return date.fromisoformat(str(value))

    def money(self, value: object) -> Any:
        """A NUMERIC(19, 4) column's value as SQLAlchemy's `Numeric(asdecimal=True)` reads it:
        on SQLite its processor `to_decimal_processor_factory` formats the REAL with four
        decimals; psycopg gives Decimals itself."""
        if self.pg or value is None:
            return value
        return Decimal(f"{value:.4f}")

    def rows(self, template: str, *params: object) -> list[Row]:
        """The rows of a query; a list parameter is an `IN {in}` array, a `Pairs` one the pairs
        of `IN {pairs}`."""
        return self._run(template, params, fetch=True)[0]

    def execute(self, template: str, *params: object) -> int:
        """A statement without rows; how many rows it changed."""
        return self._run(template, params, fetch=False)[1]

    def many(self, template: str, rows: Sequence[Sequence[object]]) -> None:
        """A statement for each row of parameters (no array parameters)."""
        if not rows:
            return
        sql = driver_text(template, self.pg)
        cursor = self._cursor()
        try:
            with driver_errors(self.conn, sql):
                cursor.executemany(sql, rows)
        finally:
            cursor.close()

    def _cursor(self) -> DBAPICursor:
        if not self.conn.in_transaction():
            self.conn.begin()  # as SQLAlchemy's own statements would (autobegin)
        raw = self.conn.connection.driver_connection
        assert raw is not None
        cursor: DBAPICursor = raw.cursor()
        return cursor

    def _run(self, template: str, params: tuple[object, ...], fetch: bool
             ) -> tuple[list[Row], int]:
        sql = driver_text(template, self.pg)
        if any(isinstance(p, Pairs) for p in params):
            params = tuple(q for p in params for q in (
                (p.columns() if self.pg else p.values()) if isinstance(p, Pairs) else (p,)))
        if not self.pg:
            params = tuple(json.dumps(p) if isinstance(p, list) else p for p in params)
        cursor = self._cursor()
        try:
            with driver_errors(self.conn, sql):
                cursor.execute(sql, params)
                return (list(cursor.fetchall()) if fetch else []), cursor.rowcount
        finally:
            cursor.close()
