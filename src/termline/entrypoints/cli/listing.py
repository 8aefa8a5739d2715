"""Listing and reading the book: `tenant list`, `customer list`, `contract list|show`,
`balance`, `receivables`, and the table form of `ledger`; each with --format table|json|csv."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Sequence
from datetime import date
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from termline.entrypoints.cli.error_boundary import fail, warn
from termline.entrypoints.cli.session import Tenant

out = Console(width=None if sys.stdout.isatty() else 160)

customer_app = typer.Typer(no_args_is_help=True, help="The customers of a tenant's contracts.")

class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


FormatOption = Annotated[Format, typer.Option("--format", "-f")]
_RIGHT = {"principal", "fees", "interest", "total", "credit", "amount", "open", "contracts",
          "current", "1-30", "31-60", "61-90", "90+"}


def emit(rows: Sequence[dict[str, Any]], format: Format, title: str,
         columns: Sequence[str] | None = None) -> None:
    """Rows as a Rich table, a JSON list, or CSV with a header (lists joined by spaces)."""
    if format is Format.json:
        sys.stdout.write(json.dumps(list(rows), indent=2, ensure_ascii=False) + "\n")
        return
    cols = list(columns or (rows[0].keys() if rows else []))

    def cell(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, list):
            return " ".join(map(str, value))
        return str(value)

    if format is Format.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(cols)
        for row in rows:
            writer.writerow([cell(row.get(c)) for c in cols])
        return
    table = Table(title=title)
    for col in cols:
        table.add_column(col, justify="right" if col in _RIGHT else "left", overflow="fold")
    for row in rows:
        table.add_row(*(cell(row.get(c)) for c in cols))
    out.print(table)


def _uow() -> Any:
    from termline.entrypoints.cli.session import open_store as factory

    return factory()


def tenant_list(format: FormatOption = Format.table) -> None:
    """The tenants (providers) of the store, with their time zone and last run."""
    from termline.app import book

    emit(book.tenants(_uow()()), format, "Tenants")


def customer_list(tenant: Tenant = None, format: FormatOption = Format.table) -> None:
    """The tenant's customers and their contracts."""
    from termline.app import book

    emit(book.customers(_uow()(), tenant), format, "Customers",
         ["customer", "country", "email", "contracts"])


def contract_list(tenant: Tenant = None, format: FormatOption = Format.table) -> None:
    """The tenant's contracts: customer, status, access, next due date, balance."""
    from termline.app import book

    emit(book.contracts(_uow()(), tenant), format, "Contracts",
         ["contract", "customer", "status", "access", "next_due", "next_deadline", "total",
          "currency", "as_of", "problem"] if format is Format.table else None)


def contract_show(contract: str, tenant: Tenant = None, format: FormatOption = Format.table
                  ) -> None:
    """One contract: terms, state, open items, balance and next deadlines."""
    from termline.app import book

    data = book.contract(_uow()(), tenant, contract)
    if format is Format.json:
        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        return
    if format is Format.csv:
        emit(data["open_items"], format, "", ["ref", "kind", "issued", "due", "amount", "open"])
        return
    cust = data["customer"]
    bal = data["balance"]
    out.print(f"[bold]{data['contract']}[/] — {cust['name']} ({data['pack']}, tenant "
              f"{data['tenant']}), from {data['start']}, as of {data['as_of']}", highlight=False)
    problem = f", problem: {data['problem']}" if data["problem"] else ""
    out.print(f"status {data['status']}, access {data['access']}, term ends "
              f"{data['term_end'] or '-'}{problem}", highlight=False)
    out.print(f"balance {bal['total']} {bal['currency']} (principal {bal['principal']}, fees "
              f"{bal['fees']}, interest {bal['interest']}; credit {bal['credit']})",
              highlight=False)
    emit(data["lines"], Format.table, "Lines")
    if data["open_items"]:
        emit(data["open_items"], Format.table, "Open items")
    emit([{"date": d["date"], "kind": d["kind"], "clauses": ", ".join(d["clauses"])}
          for d in data["deadlines"]], Format.table, "Next deadlines")


def balance_command(tenant: Tenant = None,
                    customer: Annotated[str | None, typer.Option(
                        help="Only this customer (by name).")] = None,
                    format: FormatOption = Format.table) -> None:
    """What each customer owes, summed over its contracts, as of the last run."""
    from termline.app import book

    emit(book.balances(_uow()(), tenant, customer), format, "Balances by customer")


def receivables(on: Annotated[str, typer.Option(help="The day to age from (YYYY-MM-DD).")],
                tenant: Tenant = None, format: FormatOption = Format.table) -> None:
    """Aged receivables per customer: principal by days past due, fees and interest apart.

    Buckets: current (not yet due), 1-30, 31-60, 61-90, 90+ days past due. A day before the
    last run: what was open then (items issued by then, paid by what was allocated by then)."""
    from termline.app import book
    from termline.domain.errors import InputError

    try:
        day = date.fromisoformat(on)
    except ValueError:
        raise InputError(f"not a date (YYYY-MM-DD): {on!r}", field="--on") from None
    uow = _uow()
    past_last_run(uow, tenant, day)
    rows = book.receivables(uow(), tenant, day)
    emit(rows, format, f"Aged receivables on {day}",
         ["customer", "current", "1-30", "31-60", "61-90", "90+", "fees", "interest", "total",
          "currency"])


def past_last_run(uow: Any, tenant: str | None, day: date) -> None:
    """Warn (stderr) when DAY is after the last day the tenant's book was run through: the
    stored states do not know what happened since."""
    from termline.app import book

    name, through = book.last_run(uow(), tenant)
    if through is None:
        warn(f"the book of tenant {name} was never run: run `termline run --until {day}` first")
    elif day > through:
        warn(f"the book of tenant {name} is run through {through}, before {day}: run "
             f"`termline run --until {day}` first for figures as of that day")


def ledger_table(uow: Any, tenant: str | None, contract: str | None,
                 format: Format = Format.table) -> None:
    """The ledger as a table (or CSV) with amounts and customer names; an action a later
    correction undid is marked `corrected` (and its correction says what it undid)."""
    from termline.app.ledger_rows import keyed_ledger

    found = keyed_ledger(uow(), tenant, contract)
    owner, rows, names = found.owner, found.rows, found.names
    undone = {body.get("natural_key") for _, body in rows if body["kind"] == "action_corrected"}
    if contract is not None and not rows and contract not in names:
        fail(f"no contract {contract!r} for tenant {owner.name!r}")
    lines = []
    for key, body in rows:
        # the open item's amount: a document's total including VAT (issue 17: the books are
        # gross), so the ledger agrees with `balance` and `invoice list`; net and VAT beside it
        amount = body.get("total") or body.get("amount") or body.get("fee")
        gross = "total" in body and "vat" in body
        notes = []
        if key in undone:
            notes.append("corrected")
        elif body["kind"] == "action_corrected":
            notes.append(f"undoes {body.get('original_kind')} of {body.get('original_date')}")
        if gross:
            notes.append(f"net {body.get('amount')} + VAT {body.get('vat')}")
        lines.append({"date": body["date"], "contract": body["contract"],
                      "customer": names.get(body["contract"], ""), "action": body["kind"],
                      "amount": amount, "currency": body.get("currency") if amount else None,
                      "net": body.get("amount") if gross else None,
                      "vat": body.get("vat") if gross else None,
                      "clauses": ", ".join(body["clauses"]), "note": "; ".join(notes)})
    if format is Format.csv:
        emit(lines, format, "", list(lines[0]) if lines else ["date", "contract", "action"])
        return
    table = Table("date", "contract", "customer", "action", "amount", "clauses", "note",
                  title=f"Ledger of {owner.name}")
    table.columns[4].justify = "right"
    for (key, _), line in zip(rows, lines, strict=True):
        money = f"{line['amount']} {line['currency']}" if line["amount"] is not None else ""
        table.add_row(line["date"], line["contract"], line["customer"], line["action"], money,
                      line["clauses"], line["note"],
                      style="strike dim" if key in undone else None)
    out.print(table)


def register(app: typer.Typer, tenant_app: typer.Typer, contract_app: typer.Typer) -> None:
    tenant_app.command("list")(tenant_list)
    customer_app.command("list")(customer_list)
    app.add_typer(customer_app, name="customer")
    contract_app.command("list")(contract_list)
    contract_app.command("show")(contract_show)
    app.command("balance")(balance_command)
    app.command("receivables")(receivables)
