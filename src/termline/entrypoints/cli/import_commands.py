"""`import`: a scenario file (YAML, for mid-size books), or a large book streamed from JSON
Lines of contracts (or the contracts CSV) and JSON Lines of events, in constant memory."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

from termline.domain.errors import InputError
from termline.entrypoints.cli import session, store_commands
from termline.entrypoints.cli.error_boundary import fail
from termline.entrypoints.cli.session import DecimalComma, Tenant


def import_book(
    scenario: Annotated[Path | None, typer.Argument(
        help="A scenario file (YAML): its contracts and events.")] = None,
    contracts: Annotated[Path | None, typer.Option(
        "--contracts", help="A book streamed a line at a time: .jsonl (one scenario contract "
                            "with `policy` a line) or .csv (the columns of `contract import`, "
                            "a contract's rows together).")] = None,
    events: Annotated[Path | None, typer.Option(
        "--events", help="Events streamed a line at a time (.jsonl, one event a line).")]
    = None,
    tenant: Tenant = None,
    decimal_comma: DecimalComma = None,
) -> None:
    """Store a scenario file's contracts and events (its `until` is ignored), or stream a large
    book with --contracts and/or --events. All or nothing either way."""
    if scenario is not None and (contracts or events):
        fail(InputError("give a scenario file or --contracts/--events, not both",
                        field="--contracts"))
    if scenario is not None:
        _import_scenario(scenario, tenant)
        return
    if contracts is None and events is None:
        fail(InputError("nothing to import: give a scenario file, --contracts or --events",
                        field="SCENARIO"))
    from termline.app.book_import import import_book as stream
    from termline.app.run_parts import quiet_collector

    # Everything loaded so far lives as long as the command: left out of the collector's
    # passes, which a million short-lived contract models otherwise trigger over and over
    # (8 % of the import's time at 100,000 contracts).
    with quiet_collector():
        uow = session.open_store()
        notes: list[str] = []
        began = time.perf_counter()
        if sys.stderr.isatty():
            columns = (TextColumn("{task.description}"), BarColumn(), DownloadColumn(),
                       TimeRemainingColumn())
            with Progress(*columns, console=session.err, transient=True) as bar:
                tasks: dict[str, Any] = {}

                def show(stage: str, done: int, total: int) -> None:
                    if stage not in tasks:
                        tasks[stage] = bar.add_task(stage, total=total)
                    bar.update(tasks[stage], completed=done, total=total)

                report = stream(uow(), contracts, events, tenant, show, decimal_comma, notes=notes)
        else:
            report = stream(uow(), contracts, events, tenant, None, decimal_comma, notes=notes)
    for note in notes:
        session.err.print(f"note: {note}", highlight=False, soft_wrap=True)
    session.out.print(
        f"{report.contracts} contract(s) and {report.events} event(s) stored, "
        f"{report.already_stored} event(s) already stored "
        f"({time.perf_counter() - began:.1f} s)", highlight=False)


def _import_scenario(scenario: Path, tenant: str | None) -> None:
    """A scenario streamed (its contracts read and stored a chunk at a time), or read whole
    when its layout does not allow that (`service.scenario_import`)."""
    from termline.app.scenario_import import import_scenario_file
    from termline.domain.text.yamlstream import NotAMapping

    uow = session.open_store()
    try:
        if sys.stderr.isatty():
            with Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(),
                          TimeRemainingColumn(), console=session.err,
                          transient=True) as bar:
                task = bar.add_task("scenario", total=None)
                contracts, events = import_scenario_file(
                    uow(), scenario, tenant,
                    lambda _, done, total: bar.update(task, completed=done, total=total))
        else:
            contracts, events = import_scenario_file(uow(), scenario, tenant)
    except NotAMapping:
        store_commands.import_scenario(scenario, tenant)
        return
    session.out.print(f"{contracts} contract(s) and {events} event(s) stored")


def register(app: typer.Typer) -> None:
    app.command("import")(import_book)
