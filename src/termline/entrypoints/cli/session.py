"""What the store commands share: the consoles, the `--tenant`, `--batch`, `--format` and
`--decimal-comma` options, JSON output, and the unit of work on an up-to-date database."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.console import Console

from termline.entrypoints.cli import database
from termline.entrypoints.cli.error_boundary import fail

# Piped output (CI, files) gets a wide page instead of Rich's 80-column default.
out = Console(width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, soft_wrap=True)

Tenant = Annotated[str | None, typer.Option(
    "--tenant", envvar="TERMLINE_TENANT",
    help="Tenant name; needed when the store has several (or set TERMLINE_TENANT).")]

# the default stays each command's own: 50 for the daily run and the service, 500 for the bench
Batch = Annotated[int, typer.Option(
    min=1, help="At most this many contracts claimed per transaction.")]

DecimalComma = Annotated[bool | None, typer.Option(
    "--decimal-comma/--decimal-point",
    help="CSV numbers are written 250,00 (or 250.00); default: detected when unambiguous.")]


class Format(StrEnum):
    table = "table"
    json = "json"


def open_store() -> Callable[[], Any]:
    """A unit-of-work factory on an up-to-date database (else: run `termline db upgrade`)."""
    from termline.app import database as store

    engine = database.engine()  # one pooled connection: reopening SQLite costs a checkpoint
    if not store.is_current(engine):
        fail(f"database {store.shown(engine)} is at revision "
             f"{store.current_revision(engine) or 'none'}: run `termline db upgrade`")
    return store.units_of_work(engine)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
