"""`contract import contracts.csv|jsonl`: a book kept in a spreadsheet, one row per line."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import typer

from termline.entrypoints.cli import session
from termline.entrypoints.cli.session import DecimalComma, Tenant


def contract_import(file: Path, tenant: Tenant = None, decimal_comma: DecimalComma = None
                    ) -> None:
    """Store every contract of FILE (.csv or .jsonl, one row per contract line), or none.

    Columns: id, customer, start, policy, item, unit_price; optional country, email,
    trial_days, billing_period, per, quantity. Rows with the same id are one contract."""
    from termline.app import intake
    from termline.app.contract_rows import read_contract_rows

    notes: list[str] = []
    contracts = read_contract_rows(file, decimal_comma, notes)
    for note in notes:
        session.err.print(f"note: {note}", highlight=False, soft_wrap=True)
    uow = session.open_store()
    ids = intake.add_contracts(uow(), contracts, tenant, added_at=datetime.now(UTC))
    lines = sum(len(c.lines) for c, _ in contracts)
    session.out.print(f"{len(ids)} contract(s) with {lines} line(s) stored",
                             highlight=False)


def register(contract_app: typer.Typer) -> None:
    contract_app.command("import")(contract_import)
