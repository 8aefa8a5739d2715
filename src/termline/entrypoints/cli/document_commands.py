"""Document commands: `tenant profile`, `invoice list|show|ubl|pdf`, `bank import|unmatched`,
`sepa collect`."""

from __future__ import annotations

import sys
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml
from rich.table import Table

from termline.domain.errors import InputError
from termline.entrypoints.cli.error_boundary import fail as _fail
from termline.entrypoints.cli.session import Tenant, out
from termline.entrypoints.cli.session import open_store as _uow
from termline.entrypoints.cli.session import print_json as _print_json
from termline.entrypoints.cli.store_commands import tenant_app

invoice_app = typer.Typer(no_args_is_help=True, help="Numbered invoices and credit notes.")
bank_app = typer.Typer(no_args_is_help=True, help="Bank statements (CAMT.053).")
sepa_app = typer.Typer(no_args_is_help=True, help="SEPA direct debit collections.")


class Format(StrEnum):
    table = "table"
    json = "json"


@tenant_app.command("profile")
def tenant_profile(name: str, file: Annotated[Path | None, typer.Argument()] = None) -> None:
    """Store the seller profile of tenant NAME from FILE (YAML), or show it."""
    from termline.app import documents

    uow = _uow()
    if file is None:
        _print_json(documents.show_profile(uow(), name))
        return
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        _fail(InputError(str(exc), source=str(file)))
    documents.set_profile(uow(), name, data, str(file))
    out.print(f"profile of {name} stored")


@invoice_app.command("list")
def invoice_list(tenant: Tenant = None,
                 contract: Annotated[str | None, typer.Option("--contract")] = None,
                 format: Annotated[Format, typer.Option("--format", "-f")] = Format.table
                 ) -> None:
    """The tenant's numbered invoices and credit notes."""
    from termline.app import documents

    uow = _uow()
    rows = documents.list_documents(uow(), tenant, contract)
    if format is Format.json:
        _print_json(rows)
        return
    table = Table("number", "kind", "contract", "issued", "due", "net", "vat", "total", "open",
                  title="Documents")
    for r in rows:
        table.add_row(r["number"], r["kind"], r["contract"], r["issued"], r["due"], r["net"],
                      r["vat"], r["total"], r["open"])
    out.print(table)


@invoice_app.command("show")
def invoice_show(number: str, tenant: Tenant = None) -> None:
    """One document: parties, lines, VAT per category, totals, payment reference."""
    from termline.app import documents
    from termline.domain.values.money import fmt

    uow = _uow()
    doc = documents.show(uow(), tenant, number)
    tot = doc.totals
    data: dict[str, Any] = {
        "number": doc.number, "kind": doc.kind, "issued": doc.issued.isoformat(),
        "due": doc.due.isoformat(), "currency": doc.currency, "seller": doc.seller.name,
        "buyer": doc.buyer.name, "credit_note_for": doc.credit_note_for,
        "payment_reference": doc.payment.reference,
        "lines": [{"name": ln.name, "quantity": str(ln.quantity), "net": fmt(ln.net),
                   "vat": ln.category.code, "percent": str(ln.category.percent)}
                  for ln in doc.lines],
        "vat": [{"category": s.category.code, "percent": str(s.category.percent),
                 "taxable": fmt(s.taxable), "tax": fmt(s.tax)} for s in tot.subtotals],
        "net": fmt(tot.tax_exclusive), "tax": fmt(tot.tax), "total": fmt(tot.payable)}
    _print_json(data)


def _write(data: bytes, output: Path | None) -> None:
    if output is None:
        sys.stdout.buffer.write(data)
    else:
        output.write_bytes(data)
        out.print(f"written {output}")


@invoice_app.command("ubl")
def invoice_ubl(number: str, tenant: Tenant = None,
                output: Annotated[Path | None, typer.Option("-o", "--output")] = None) -> None:
    """The Peppol BIS 3.0 UBL of a document (with its PDF embedded)."""
    from termline.app import documents

    uow = _uow()
    _write(documents.ubl(uow(), tenant, number), output)


@invoice_app.command("pdf")
def invoice_pdf(number: str, tenant: Tenant = None,
                output: Annotated[Path | None, typer.Option("-o", "--output")] = None) -> None:
    """The PDF of a document."""
    from termline.app import documents

    uow = _uow()
    _write(documents.pdf(uow(), tenant, number), output)


@invoice_app.command("credit")
def invoice_credit(
        number: Annotated[str, typer.Argument(metavar="NUMBER",
                                              help="Legal number of an issued invoice.")],
        reason: Annotated[str, typer.Option("--reason", help="Why it is credited.")],
        amount: Annotated[str | None, typer.Option(
            "--amount", help="VAT included (default: all that is still creditable).")] = None,
        on: Annotated[str | None, typer.Option(
            "--on", help="Date of the credit note (default: the day the book is run "
                         "through).")] = None,
        tenant: Tenant = None,
        json_: Annotated[bool, typer.Option("--json")] = False) -> None:
    """A credit note by hand for an invoice, fee or interest document, in full or in part."""
    from termline.app import credit_notes

    day = None
    if on is not None:
        try:
            day = date.fromisoformat(on)
        except ValueError:
            _fail(InputError(f"not a date (YYYY-MM-DD): {on!r}", field="--on"))
    done = credit_notes.credit(_uow(), tenant, number, amount, reason, day)
    if json_:
        _print_json(done)
    else:
        out.print(f"credit note {done['number']} of {done['issued']} for {number}: "
                  f"{done['total']} {done['currency']}; {done['creditable']} still creditable")


def register(app: typer.Typer) -> None:
    app.add_typer(invoice_app, name="invoice")
    app.add_typer(bank_app, name="bank")
    app.add_typer(sepa_app, name="sepa")


@bank_app.command("import")
def bank_import(file: Path, tenant: Tenant = None,
                json_: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Match the credits of a CAMT.053 statement to open invoices; store them as payments.
    Returned direct debits on it reopen what they had paid."""
    from termline.adapters.bank.camt import read, returns
    from termline.app import bank

    try:
        data = file.read_bytes()
    except OSError as exc:
        _fail(InputError(str(exc), source=str(file)))
    credits = read(data, str(file))
    returned = returns(data, str(file))
    uow = _uow()
    report = bank.import_statement(uow, credits, tenant, returned=returned)
    if json_:
        _print_json(report)
    else:
        out.print(f"{report['entries']} credit(s): {report['matched']} matched, "
                  f"{report['unmatched']} unmatched, {report['already_imported']} already "
                  "imported" + (f"; {report['returned']} returned direct debit(s)"
                                if report["returned"] else ""))


def _amount_option(text: str | None) -> Decimal | None:
    """An `--amount` in euro with at most two decimals, or a clear error naming it."""
    if text is None:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or value != value.quantize(Decimal("0.01")):
        _fail(InputError(f"not an amount with at most 2 decimals: {text!r}", field="--amount"))
        raise AssertionError("unreachable")
    return value


@bank_app.command("assign")
def bank_assign(entry_ref: Annotated[str, typer.Argument(metavar="ENTRY_REF")],
                number: Annotated[str, typer.Argument(metavar="INVOICE_NUMBER")],
                amount: Annotated[str | None, typer.Option(
                    "--amount", help="Part of the credit (default: all that is unassigned).")]
                = None,
                tenant: Tenant = None,
                json_: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Apply an unmatched bank credit (or part of it) to an invoice by hand."""
    from termline.app import bank

    value = _amount_option(amount)
    uow = _uow()
    done = bank.assign(uow(), entry_ref, number, value, tenant)
    if json_:
        _print_json(done)
    else:
        out.print(f"{done['amount']} of {entry_ref} assigned to {number}; "
                  f"{done['unassigned']} left unassigned")


@bank_app.command("unmatched")
def bank_unmatched(tenant: Tenant = None,
                   format: Annotated[Format, typer.Option("--format", "-f")] = Format.table
                   ) -> None:
    """Imported credits no invoice was found for, to review."""
    from termline.app import bank

    uow = _uow()
    rows = bank.unmatched(uow(), tenant)
    if format is Format.json:
        _print_json(rows)
        return
    table = Table("entry", "booked", "amount", "debtor", "reference", "text",
                  title="Unmatched credits")
    for r in rows:
        table.add_row(r["entry_ref"], r["booked"], f"{r['amount']} {r['currency']}",
                      r["debtor"] or "", r["structured_ref"] or "", r["text"] or "")
    out.print(table)


@sepa_app.command("collect")
def sepa_collect(on: Annotated[str, typer.Option("--on", help="Collection date.")],
                 output: Annotated[Path, typer.Option("-o", "--output")],
                 tenant: Tenant = None) -> None:
    """Write the pain.008.001.02 file of the direct debits collected ON (a TARGET2 business
    day, at least one business day ahead)."""
    from datetime import UTC, date, datetime

    from termline.app import sepa_collection as sepa

    try:
        day = date.fromisoformat(on)
    except ValueError:
        _fail(InputError(f"not a date (YYYY-MM-DD): {on!r}", field="--on"))
        return
    uow = _uow()
    data = sepa.collect(uow(), day, tenant, datetime.now(UTC))
    output.write_bytes(data)
    out.print(f"written {output}")


@sepa_app.command("refund")
def sepa_refund(contract: Annotated[str, typer.Argument(metavar="CONTRACT")],
                on: Annotated[str, typer.Option("--on", help="Execution date.")],
                output: Annotated[Path, typer.Option("-o", "--output")],
                amount: Annotated[str | None, typer.Option(
                    "--amount", help="Part of the credit (default: all of it).")] = None,
                iban: Annotated[str | None, typer.Option(
                    "--iban", help="The account to pay (default: the mandate's).")] = None,
                tenant: Tenant = None) -> None:
    """Pay back a contract's credit balance: a pain.001.001.03 credit transfer file, and the
    credit_refund event that takes it off the books."""
    from datetime import UTC, date, datetime

    from termline.app import sepa_collection as sepa

    try:
        day = date.fromisoformat(on)
    except ValueError:
        _fail(InputError(f"not a date (YYYY-MM-DD): {on!r}", field="--on"))
        return
    value = _amount_option(amount)
    uow = _uow()
    data, paid = sepa.refund(uow(), contract, value, day, iban, tenant,
                                            datetime.now(UTC))
    output.write_bytes(data)
    out.print(f"written {output}: refund of {paid:.2f} to {contract}")


@sepa_app.command("returns")
def sepa_returns(file: Path, tenant: Tenant = None) -> None:
    """Store each returned collection (pain.002 XML or CSV with date,end_to_end_id,reason):
    the bank payment that paid its invoice is undone (payment_returned) and a payment_failed
    event lets the terms act."""
    from termline.adapters.bank.pain008 import read_pain002, read_returns_csv
    from termline.app import sepa_collection as sepa

    try:
        data = file.read_bytes()
    except OSError as exc:
        _fail(InputError(str(exc), source=str(file)))
        return
    found = (read_returns_csv(data.decode("utf-8"), str(file))
             if file.suffix.lower() == ".csv" else read_pain002(data, str(file)))
    uow = _uow()
    added, dup = sepa.returns(uow(), found, tenant, str(file))
    out.print(f"{added} failed collection(s) stored, {dup} already stored")
