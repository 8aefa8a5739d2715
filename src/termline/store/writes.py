"""Many rows through the driver's own bulk path, without per-row work in SQLAlchemy.

The daily run writes a few rows per contract day into tables that grow to millions of rows;
SQLAlchemy's per-row parameter processing cost as much as the database's own work. Here the
rows arrive as tuples in column order: PostgreSQL takes them by `COPY` (in the caller's
transaction), SQLite by the driver's `executemany`, with each value stored as SQLAlchemy
stores it (dates as ISO text, money as the REAL SQLAlchemy's Numeric binds) so that what is
read back does not depend on which path wrote it. The driver's errors are raised as
SQLAlchemy's (an `IntegrityError` is one), as the caller's fallbacks expect.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Date, DateTime, Numeric, Table
from sqlalchemy import exc as sa_exc

Adapt = Callable[[Any], Any]


def insert_rows(conn: Connection, table: Table, columns: Sequence[str],
                rows: Sequence[Sequence[Any]]) -> None:
    """Insert `rows` (tuples in the order of `columns`) into `table`."""
    if not rows:
        return
    names = ", ".join(f'"{c}"' for c in columns)
    if conn.dialect.name == "postgresql":
        statement = f"COPY {table.name} ({names}) FROM STDIN"
        raw = conn.connection.driver_connection
        assert raw is not None
        try:
            with raw.cursor() as cursor, cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row(row)
        except conn.dialect.loaded_dbapi.Error as exc:
            raise _wrapped(conn, statement, exc) from exc
        return
    marks = ", ".join("?" * len(columns))
    adapt = sqlite_adapter(table, columns)
    conn.exec_driver_sql(f"INSERT INTO {table.name} ({names}) VALUES ({marks})",
                         [adapt(row) for row in rows])


Row = Callable[[Sequence[Any]], tuple[Any, ...]]


def sqlite_adapter(table: Table, columns: Sequence[str]) -> Row:
    """A row's values as SQLAlchemy binds them on SQLite (only the columns that need it)."""
    convert: list[tuple[int, Adapt]] = []
    for i, name in enumerate(columns):
        kind = table.c[name].type
        if isinstance(kind, DateTime):
            raise TypeError(f"{table.name}.{name}: timestamps are not written through here")
        if isinstance(kind, Date):
            convert.append((i, _iso))
        elif isinstance(kind, Numeric):
            convert.append((i, _real))
    if not convert:
        return tuple

    def adapt(row: Sequence[Any]) -> tuple[Any, ...]:
        out = list(row)
        for i, fn in convert:
            out[i] = fn(out[i])
        return tuple(out)
    return adapt


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _real(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _wrapped(conn: Connection, statement: str, exc: Exception) -> sa_exc.StatementError:
    return sa_exc.DBAPIError.instance(statement, None, exc, conn.dialect.loaded_dbapi.Error,
                                      dialect=conn.dialect)
