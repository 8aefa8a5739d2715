"""Keyset paging, written once for every listing: rows ordered by (date, id), a page of
`limit` after a cursor row, and whether more follow.

A cursor is the last row of the previous page, named by the caller's public id and looked up
here as its (date, id): the next page starts strictly after it, so paging is stable while
rows are added (a new row dated after the cursor shows on a later page, never twice).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeVarTuple

from sqlalchemy import ColumnElement, Connection, Row, Select, and_, or_, select

Day = date | datetime | int  # a listing with no date of its own orders by id twice
Key = tuple[Day, int]
Ts = TypeVarTuple("Ts")


@dataclass(frozen=True)
class Order:
    """The columns a listing is ordered by: a date (or timestamp), then the row id."""
    date: ColumnElement[date] | ColumnElement[datetime] | ColumnElement[int]
    id: ColumnElement[int]


class UnknownCursor(LookupError):
    """The cursor names no row of the listing (another tenant's is the same)."""


def cursor(conn: Connection, order: Order, *where: ColumnElement[bool]) -> Key:
    """(date, id) of the row `where` selects: the cursor row of a listing."""
    row = conn.execute(select(order.date, order.id).where(*where)).first()
    if row is None:
        raise UnknownCursor
    day = row[0]
    assert isinstance(day, date | int)  # a datetime is a date
    return day, int(row[1])


def after(order: Order, key: Key) -> ColumnElement[bool]:
    day, row_id = key
    return or_(order.date > day, and_(order.date == day, order.id > row_id))


def page(conn: Connection, query: Select[*Ts], order: Order, key: Key | None,
         limit: int) -> tuple[Sequence[Row[*Ts]], bool]:
    """Up to `limit` rows of `query` after `key`, in (date, id) order, and whether more
    follow."""
    if key is not None:
        query = query.where(after(order, key))
    rows = conn.execute(query.order_by(order.date, order.id).limit(limit + 1)).all()
    return rows[:limit], len(rows) > limit
