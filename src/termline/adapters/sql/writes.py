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

import functools
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, DateTime, Table
from sqlalchemy import exc as sa_exc


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
        with driver_errors(conn, statement), raw.cursor() as cursor, \
                cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join("?" * len(columns))
    _check_sqlite_types(table, columns)
    conn.exec_driver_sql(f"INSERT INTO {table.name} ({names}) VALUES ({marks})", list(rows))


def insert_dicts(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """`insert_rows` for rows given as dicts with the same keys."""
    if rows:
        columns = list(rows[0])
        if len(columns) == 1:
            insert_rows(conn, table, columns, [(row[columns[0]],) for row in rows])
        else:  # itemgetter of several keys gives the row's tuple, in C
            insert_rows(conn, table, columns, list(map(itemgetter(*columns), rows)))


@contextmanager
def driver_errors(conn: Connection, statement: str) -> Iterator[None]:
    """The driver's errors, raised by a statement sent past SQLAlchemy, as SQLAlchemy raises
    them (an `IntegrityError` is one), for the callers' handling of what the store refuses
    (`store.db.DATA_REFUSED`)."""
    dbapi = conn.dialect.loaded_dbapi
    try:
        yield
    except dbapi.Error as exc:
        raise sa_exc.DBAPIError.instance(statement, None, exc, dbapi.Error,
                                         dialect=conn.dialect) from exc


def _check_sqlite_types(table: Table, columns: Sequence[str]) -> None:
    for name in columns:
        if isinstance(table.c[name].type, DateTime):
            raise TypeError(f"{table.name}.{name}: timestamps are not written through here")


# The driver binds a date and a Decimal as SQLAlchemy's Date and Numeric do on SQLite (ISO
# text; the REAL of SQLAlchemy's `to_float`), in C, for every row of `insert_rows`. Registered
# by exact type: a datetime keeps its own adapter, and SQLAlchemy's own statements convert
# before the driver sees the value. A date through a bounded cache (functools' LRU, in C): a
# batch binds the same few days thousands of times, and `date.isoformat` formats through
# printf; a hit costs a quarter of that (docs/benchmarks.md, twelfth round). Not a Decimal:
# equal amounts are not always the same float (0 and -0).
sqlite3.register_adapter(date, functools.lru_cache(maxsize=4096)(date.isoformat))
sqlite3.register_adapter(Decimal, float)


def _null(value: None) -> None:
    """None as itself (NULL). Without an adapter of its own, the driver looks for one in its
    registry, then for `__adapt__` and `__conform__`, for every None it binds: about twice
    what binding an int costs, and a run binds a few in every row it writes."""
    return value


sqlite3.register_adapter(type(None), _null)
