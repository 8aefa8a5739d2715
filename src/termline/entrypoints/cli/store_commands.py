"""Store commands: `db upgrade`, `tenant add`, `contract add`, `event add|import`, `import`,
`run`, `ledger`, `timeline` (and the store side of `deadlines`). The database URL comes from
TERMLINE_DATABASE_URL."""

from __future__ import annotations

import hashlib
import json
import sys
import time
from collections.abc import Callable
from contextlib import ExitStack
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer
from rich.progress import Progress
from rich.table import Table

from termline.domain.errors import InputError
from termline.entrypoints.cli import database, listing
from termline.entrypoints.cli.error_boundary import fail
from termline.entrypoints.cli.session import (
    Batch,
    DecimalComma,
    Format,
    Tenant,
    err,
    open_store,
    out,
    print_json,
)

db_app = typer.Typer(no_args_is_help=True, help="The store's schema (migrations).")
tenant_app = typer.Typer(no_args_is_help=True, help="Providers whose books the store runs.")
contract_app = typer.Typer(no_args_is_help=True, help="Stored contracts.")
event_app = typer.Typer(no_args_is_help=True, help="The input event log.")



@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Apply the migrations (an older database upgrades in place)."""
    from termline.app.database import current_revision, upgrade

    engine = database.engine(pooled=False, must_exist=False)
    upgrade(engine, revision)
    out.print(f"database at revision {current_revision(engine)}")


@db_app.command("downgrade")
def db_downgrade(revision: str) -> None:
    """Undo migrations down to REVISION (`base`: an empty database)."""
    from termline.app.database import current_revision, downgrade

    engine = database.engine(pooled=False)
    downgrade(engine, revision)
    out.print(f"database at revision {current_revision(engine) or 'base'}")


@tenant_app.command("add")
def tenant_add(name: str, timezone: Annotated[str, typer.Option("--timezone")] = "UTC") -> None:
    """Add a tenant; its runs count days in TIMEZONE."""
    from termline.app import intake

    uow = open_store()
    intake.add_tenant(uow(), name, timezone)
    out.print(f"tenant {name} ({timezone})")


@contract_app.command("add")
def contract_add(file: Path, tenant: Tenant = None) -> None:
    """Store the contract(s) of FILE (a scenario `contracts` entry, with `policy`)."""
    from termline.app import intake
    from termline.app.inputs import read_contracts

    contracts = read_contracts(file)
    uow = open_store()
    ids = intake.add_contracts(uow(), contracts, tenant, added_at=datetime.now(UTC))
    out.print(f"{len(ids)} contract(s) stored: {', '.join(c.id for c, _ in contracts)}")


def _field(pair: str) -> tuple[str, str]:
    key, sep, value = pair.partition("=")
    if not sep or not key:
        fail(InputError(f"expected key=value, got {pair!r}", field="--field"))
    return key.strip(), value


@event_app.command("add")
def event_add(
    contract: Annotated[str | None, typer.Option("--contract")] = None,
    type_: Annotated[str | None, typer.Option("--type")] = None,
    date_: Annotated[str | None, typer.Option("--date")] = None,
    field: Annotated[list[str] | None, typer.Option("--field", help="key=value")] = None,
    json_: Annotated[str | None, typer.Option("--json", help="The event as JSON.")] = None,
    tenant: Tenant = None,
) -> None:
    """Store one event (validated against its contract)."""
    from termline.app import intake
    from termline.app.inputs import parse_event

    raw: dict[str, Any] = {}
    if json_ is not None:
        try:
            given = json.loads(json_)
        except json.JSONDecodeError as exc:
            fail(InputError(f"not valid JSON: {exc.msg}", field="--json"))
        if not isinstance(given, dict):
            fail(InputError(f"an event is a JSON object ({{\"type\": ...}}), not "
                             f"{type(given).__name__ if given is not None else 'null'}",
                             field="--json"))
        raw = given
    for key, value in (("contract", contract), ("type", type_), ("date", date_)):
        if value is not None:
            raw[key] = value
    raw.update(_field(p) for p in field or ())
    located = parse_event(raw)
    uow = open_store()
    added, _ = intake.add_events(uow(), [located], tenant)
    out.print("event stored" if added else "event already stored (same reference)")


@event_app.command("import")
def event_import(file: Path, tenant: Tenant = None, decimal_comma: DecimalComma = None) -> None:
    """Store every event of FILE (.csv or .jsonl), or none if one is invalid.

    CSV: a header row naming the event fields (see the README), `,` or `;` between cells."""
    from termline.app import intake
    from termline.app.inputs import read_events

    notes: list[str] = []
    events = read_events(file, decimal_comma, notes)
    for note in notes:
        err.print(f"note: {note}", highlight=False, soft_wrap=True)
    uow = open_store()
    origin = hashlib.sha256(file.read_bytes()).hexdigest()  # the file's identity (event_key)
    added, dup = intake.add_events(uow(), events, tenant, origin)
    out.print(f"{added} event(s) stored, {dup} already stored")


def import_scenario(scenario: Path, tenant: Tenant = None) -> None:
    """Store a scenario file's contracts and events in one step (its `until` is ignored)."""
    from termline.app import intake
    from termline.domain.contract import load_scenario

    loaded = load_scenario(scenario)
    uow = open_store()
    contracts, events = intake.import_scenario(uow(), loaded, tenant)
    out.print(f"{contracts} contract(s) and {events} event(s) stored")


def _today_by_tenant(uow: Callable[[], Any]) -> dict[str, date]:
    with uow() as unit:
        return {tn.name: datetime.now(ZoneInfo(tn.timezone)).date()
                for tn in unit.repo.tenants()}


def _run_until(uow: Callable[[], Any], until: str | None) -> date | dict[str, date]:
    if until is None:
        return _today_by_tenant(uow)
    from termline.app.run import LAST_RUN_DAY

    try:
        day = date.fromisoformat(until)
    except ValueError:
        fail(InputError(f"not a date (YYYY-MM-DD): {until!r}", field="--until"))
    if day > LAST_RUN_DAY:
        fail(InputError(f"the last day a run can reach is {LAST_RUN_DAY}", field="--until"))
    return day


def _one_pass(uow: Callable[[], Any], day: date | dict[str, date], json_: bool,
              label: str, batch: int, jobs: int = 0) -> dict[str, Any]:
    from termline.app import pipeline, run_tally
    from termline.app import run as service

    before = run_tally.mark(uow())
    started = time.perf_counter()
    with ExitStack() as stack:
        steps = stack.enter_context(pipeline.step_processes(jobs)) if jobs else None

        def running(progress: Callable[[int, int], None] | None) -> Any:
            if steps is None:
                return service.run(uow, day, progress, batch=batch)
            return pipeline.run_pipelined(uow, day, steps, jobs, progress, batch=batch)
        if sys.stdout.isatty() and not json_:
            with Progress(console=out, transient=True) as bar:
                task = bar.add_task(label, total=None)
                report = running(lambda done, total: bar.update(
                    task, completed=done, total=total))
        else:
            report = running(None)
    wall = round(time.perf_counter() - started, 3)
    tally = run_tally.since(uow(), before)
    return {**report.to_json(), "wall_s": wall, "kinds": dict(sorted(tally.kinds.items())),
            "contracts_suspended": tally.contracts_suspended}


def _summary(data: dict[str, Any]) -> str:
    """The run in the user's words: "1,204 invoices issued, 37 reminders sent, ..."."""
    from termline.entrypoints.cli.words import run_summary

    return run_summary(data["kinds"], data["contracts_suspended"], data["contracts"],
                       data["wall_s"]) + _set_aside(data.get("set_aside", {}))


def _set_aside(found: dict[str, Any]) -> str:
    if not found:
        return ""
    names = "; ".join(f"{ref} ({p['error']})" for ref, p in sorted(found.items())[:5])
    more = f" and {len(found) - 5} more" if len(found) > 5 else ""
    return (f"\n{len(found)} contract(s) set aside, the rest ran on: {names}{more}. "
            "See `termline contract problems`, correct with `termline event void`.")


def run(
    until: Annotated[str | None, typer.Option(help="Last day run (default: each tenant's "
                                                   "today in its time zone).")] = None,
    json_: Annotated[bool, typer.Option("--json")] = False,
    batch: Batch = 50,
    jobs: Annotated[int, typer.Option(min=0, help="Processes that step contracts while this "
                                                  "one stores (one writer; for SQLite's "
                                                  "single writer on a large book). 0: step "
                                                  "here.")] = 0,
) -> None:
    """Do everything due up to and including UNTIL, each contract day by day."""
    uow = open_store()
    data = _one_pass(uow, _run_until(uow, until), json_, "running contracts", batch, jobs)
    if json_:
        print_json(data)
    else:
        out.print(_summary(data), soft_wrap=True, highlight=False)


def worker(
    until: Annotated[str | None, typer.Option(help="Last day run (default: each tenant's "
                                                   "today in its time zone, read anew on "
                                                   "each pass).")] = None,
    poll: Annotated[float, typer.Option(help="Seconds between passes; 0: stop when nothing "
                                             "is due.")] = 0.0,
    json_: Annotated[bool, typer.Option("--json")] = False,
    batch: Batch = 50,
) -> None:
    """Claim due contracts and run them, alongside any number of other workers.

    Workers share the book through the store: on PostgreSQL each claims its contracts with
    FOR UPDATE SKIP LOCKED; on SQLite they take turns (one writer at a time). Every contract
    day is stored exactly once, whichever worker runs it.
    """
    uow = open_store()
    while True:
        data = _one_pass(uow, _run_until(uow, until), json_, "worker", batch)
        if json_:
            sys.stdout.write(json.dumps(data) + "\n")
            sys.stdout.flush()
        else:
            out.print(_summary(data), soft_wrap=True, highlight=False)
        if poll <= 0:
            return
        time.sleep(poll)


def ledger(
    tenant: Tenant = None,
    contract: Annotated[str | None, typer.Option("--contract")] = None,
    format: Annotated[listing.Format, typer.Option("--format", "-f")] = listing.Format.table,
) -> None:
    """The stored actions with amounts (a corrected action is marked).

    `--format json` prints actions and balances as `simulate --format json` does."""
    from termline.app import views
    from termline.entrypoints.cli.listing import ledger_table

    uow = open_store()
    if format is listing.Format.json:
        print_json(views.ledger(uow(), tenant, contract))
        return
    ledger_table(uow, tenant, contract, format)


def book_deadlines(tenant: str | None, on: date | None, within: Any
                   ) -> tuple[list[dict[str, Any]], date]:
    """`termline deadlines` without a scenario: the stored contracts' deadlines, and the day
    they are computed for (ON, else today in each tenant's time zone; the earliest of them)."""
    from termline.app import views
    from termline.entrypoints.cli.listing import past_last_run

    uow = open_store()
    if on is not None:
        past_last_run(uow, tenant, on)
    when: date | dict[str, date] = on if on is not None else _today_by_tenant(uow)
    if isinstance(when, dict) and tenant is not None:
        # An unknown tenant gets any day: the view then says it does not exist.
        when = when.get(tenant) or datetime.now(UTC).date()
    rows = views.deadlines(uow(), tenant, on=when, within=within)
    day = when if isinstance(when, date) else min(when.values(),
                                                   default=datetime.now(UTC).date())
    return rows, day


def timeline(
    contract: str,
    tenant: Tenant = None,
    format: Annotated[Format, typer.Option("--format", "-f")] = Format.table,
) -> None:
    """A stored contract's past actions with their clauses and its upcoming deadlines."""
    from termline.app import views

    uow = open_store()
    data = views.timeline(uow(), contract, tenant)
    if format is Format.json:
        print_json(data)
        return
    table = Table("date", "kind", "clauses", "detail", title=f"{contract} — "
                  f"{data['customer']} (as of {data['as_of']})")
    skip = {"date", "kind", "contract", "clauses"}
    for row in data["actions"]:
        detail = ", ".join(f"{k}={v}" for k, v in row.items() if k not in skip)
        table.add_row(row["date"], row["kind"], ", ".join(row["clauses"]), detail)
    for row in data["deadlines"]:
        detail = ", ".join(f"{k}={v}" for k, v in row.items() if k not in skip)
        table.add_row(row["date"], f"[bold]next: {row['kind']}[/]", ", ".join(row["clauses"]),
                      detail)
    out.print(table)


def register_groups(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
    app.add_typer(tenant_app, name="tenant")
    app.add_typer(contract_app, name="contract")
    app.add_typer(event_app, name="event")


def register_commands(app: typer.Typer) -> None:
    app.command("run")(run)
    app.command("worker")(worker)
    app.command("bench")(bench)
    app.command("ledger")(ledger)
    app.command("timeline")(timeline)


def bench(
    contracts: Annotated[int, typer.Option(min=1, help="Contracts in the synthetic book.")],
    days: Annotated[int, typer.Option(min=1, help="Days run, from the first start date.")],
    db: Annotated[str, typer.Option(help="Database URL the bench owns: a SQLite file is "
                                         "replaced, PostgreSQL gets schema termline_bench.")],
    spread: Annotated[int, typer.Option(min=1, help="Days over which start dates spread.")]
    = 365,
    batch: Batch = 500,
    first: Annotated[str, typer.Option(help="First start date.")] = "2027-01-01",
    workers: Annotated[int, typer.Option(min=1, help="Worker processes running each day "
                                                     "(PostgreSQL: side by side).")] = 1,
    jobs: Annotated[int, typer.Option(min=0, help="Step processes beside one writer "
                                                  "(see `run --jobs`).")] = 0,
    json_: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Benchmark the persistent run on a synthetic book (see termline.devtools.bench)."""
    from termline.devtools import bench as runner

    try:
        start = date.fromisoformat(first)
    except ValueError:
        fail(InputError(f"not a date (YYYY-MM-DD): {first!r}", field="--first"))
        return
    db = database.url(db, must_exist=False, name="--db")
    if sys.stderr.isatty() and not json_:
        with Progress(console=err, transient=True) as bar:
            tasks: dict[str, Any] = {}

            def show(stage: str, done: int, total: int) -> None:
                if stage not in tasks:
                    tasks[stage] = bar.add_task(stage, total=total)
                bar.update(tasks[stage], completed=done, total=total)

            report = runner.bench(db, contracts, days, start, spread, batch, progress=show,
                                  workers=workers, jobs=jobs)
    else:
        report = runner.bench(db, contracts, days, start, spread, batch, workers=workers,
                              jobs=jobs)
    data = report.to_json()
    if json_:
        print_json(data)
        return
    table = Table("measure", "value", title=f"termline bench ({data['db']})")
    for key, value in data.items():
        table.add_row(key, str(value))
    out.print(table)
