"""`termline journal` (the double-entry journal, CSV or JSON) and `termline vat report` (a
Belgian VAT return's sales grids and the intra-community listing of a quarter)."""

from __future__ import annotations

import csv
import sys
from datetime import date
from enum import StrEnum
from typing import Annotated

import typer

from termline.domain.errors import InputError
from termline.entrypoints.cli.error_boundary import fail as _fail
from termline.entrypoints.cli.session import Tenant
from termline.entrypoints.cli.session import open_store as _uow
from termline.entrypoints.cli.session import print_json as _print_json

vat_app = typer.Typer(no_args_is_help=True, help="VAT returns from the journal.")
COLUMNS = ("date", "document", "kind", "account", "debit", "credit", "vat_code", "customer",
           "customer_vat")


class JournalFormat(StrEnum):
    csv = "csv"
    json = "json"


def _day(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        _fail(InputError(f"not a date (YYYY-MM-DD): {text!r}", field=option))
        raise AssertionError("unreachable") from None


def journal(from_: Annotated[str | None, typer.Option("--from", help="First day.")] = None,
            to: Annotated[str | None, typer.Option("--to", help="Last day.")] = None,
            format: Annotated[JournalFormat, typer.Option("--format", "-f")]
            = JournalFormat.csv,
            tenant: Tenant = None) -> None:
    """The double-entry journal: sales, VAT, credit notes, fees, interest and payments, one
    line per account movement (accounts from the tenant profile's chart, PCMN by default)."""
    from termline.app import journal as service

    start, end = _day(from_, "--from"), _day(to, "--to")
    if start is not None and end is not None and end < start:
        _fail(InputError(f"--to {end} is before --from {start}", field="--to"))
    rows = service.journal(_uow()(), tenant, start, end)
    if format is JournalFormat.json:
        _print_json(rows)
        return
    writer = csv.DictWriter(sys.stdout, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)


@vat_app.command("report")
def vat_report(quarter: Annotated[str, typer.Option("--quarter", help="e.g. 2027Q1")],
               tenant: Tenant = None) -> None:
    """The sales grids of a Belgian VAT return (00-03, 44, 47, 48, 49, 54, 64) and the
    intra-community listing of a quarter, from the journal."""
    from termline.adapters.journal.vat_return import quarter as parse
    from termline.app import journal as service

    start, end = parse(quarter)
    _print_json(service.vat(_uow()(), tenant, start, end))


def register(app: typer.Typer) -> None:
    app.command("journal")(journal)
    app.add_typer(vat_app, name="vat")
