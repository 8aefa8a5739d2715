"""Which projected rows a correction undid: the filter every reading of `invoices` and
`allocations` applies."""

from __future__ import annotations

from sqlalchemy import ColumnElement, Table, exists, literal

from termline.adapters.sql import tables as t


def uncorrected(table: Table) -> ColumnElement[bool]:
    """A filter on `invoices` or `allocations`: the rows whose action the ledger has not
    corrected (the run keys a correction "correction|" + the corrected action's key)."""
    a = t.actions.c
    return ~exists().where(a.contract_id == table.c.contract_id,
                           a.natural_key == literal("correction|") + table.c.action_key)
