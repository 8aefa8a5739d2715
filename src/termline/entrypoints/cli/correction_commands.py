"""`event list`, `event void`, `contract resume`, `contract problems`: finding and correcting
the input that stopped a contract."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.table import Table

from termline.entrypoints.cli.session import Format, Tenant, out
from termline.entrypoints.cli.session import open_store as _uow
from termline.entrypoints.cli.session import print_json as _print_json


def event_list(contract: Annotated[str | None, typer.Option("--contract")] = None,
               tenant: Tenant = None,
               format: Annotated[Format, typer.Option("--format", "-f")] = Format.table
               ) -> None:
    """The stored events with their ids (a contract's own and the broadcast ones)."""
    from termline.app import corrections

    uow = _uow()
    rows = corrections.event_log(uow(), tenant, contract)
    if format is Format.json:
        _print_json(rows)
        return
    table = Table("id", "date", "contract", "type", "reference", "details", "voided")
    for row in rows:
        details = ", ".join(f"{k}={v}" for k, v in row["event"].items()
                            if k not in ("date", "contract", "type", "reference")
                            and v is not None)
        table.add_row(str(row["id"]), row["date"], row["contract"], row["type"],
                      row["reference"] or "", details, row["voided"] or "")
    out.print(table)


def event_void(event_id: Annotated[int, typer.Argument(metavar="ID")],
               reason: Annotated[str, typer.Option("--reason", help="Why (kept in the log).")],
               tenant: Tenant = None) -> None:
    """Withdraw an event (append-only): the next run recomputes without it."""
    from termline.app import corrections

    uow = _uow()
    at = datetime.now(UTC)
    corrections.void_event(uow(), tenant, event_id, reason, at)
    out.print(f"event {event_id} voided; the next run recomputes what it caused")


def contract_resume(contract: Annotated[str, typer.Argument(metavar="CONTRACT")],
                    tenant: Tenant = None) -> None:
    """Run a set-aside contract again from where it stopped."""
    from termline.app import corrections

    uow = _uow()
    done = corrections.resume(uow(), tenant, contract)
    out.print(f"contract {contract} will run again" if done
              else f"contract {contract} was not set aside")


def contract_problems(tenant: Tenant = None,
                      format: Annotated[Format, typer.Option("--format", "-f")] = Format.table
                      ) -> None:
    """The contracts the run set aside, with the error, the day and that day's events."""
    from termline.app import corrections

    uow = _uow()
    found = corrections.problems(uow(), tenant)
    if format is Format.json:
        _print_json(found)
        return
    table = Table("contract", "day", "events", "error")
    for ref, problem in sorted(found.items()):
        table.add_row(ref, problem.get("day") or "", ", ".join(map(str, problem["events"])),
                      problem["error"])
    out.print(table)


def register(event_app: typer.Typer, contract_app: typer.Typer) -> None:
    event_app.command("list")(event_list)
    event_app.command("void")(event_void)
    contract_app.command("resume")(contract_resume)
    contract_app.command("problems")(contract_problems)
