"""Store commands: `db upgrade`, `tenant add`, `contract add`, `event add|import`, `import`,
`run`, `ledger`, `timeline` (and the store side of `deadlines`). The database URL comes from
TERMLINE_DATABASE_URL."""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from termline.errors import InputError, TermlineError

out = Console(width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, soft_wrap=True)

db_app = typer.Typer(no_args_is_help=True, help="The store's schema (migrations).")
tenant_app = typer.Typer(no_args_is_help=True, help="Providers whose books the store runs.")
contract_app = typer.Typer(no_args_is_help=True, help="Stored contracts.")
event_app = typer.Typer(no_args_is_help=True, help="The input event log.")

Tenant = Annotated[str | None, typer.Option("--tenant", help="Tenant name (default: default).")]


class Format(StrEnum):
    table = "table"
    json = "json"


def _url() -> str:
    from termline.store.db import DEFAULT_URL

    return os.environ.get("TERMLINE_DATABASE_URL") or DEFAULT_URL


def _fail(exc: Exception) -> None:
    err.print(f"[bold red]error:[/] {exc}", highlight=False)
    raise typer.Exit(2)


def _uow() -> Callable[[], Any]:
    """A unit-of-work factory on an up-to-date database (else: run `termline db upgrade`)."""
    from termline.store.db import current_revision, head_revision, make_engine
    from termline.store.uow import SqlUnitOfWork

    engine = make_engine(_url())  # one pooled connection: reopening SQLite costs a checkpoint
    current = current_revision(engine)
    if current != head_revision():
        _fail(TermlineError(f"database {engine.url.render_as_string()} is at revision "
                            f"{current or 'none'}: run `termline db upgrade`"))
    return lambda: SqlUnitOfWork(engine)


def _guard(call: Callable[[], Any]) -> Any:
    try:
        return call()
    except TermlineError as exc:
        _fail(exc)


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Apply the migrations (an older database upgrades in place)."""
    from termline.store.db import current_revision, make_engine, upgrade

    engine = make_engine(_url(), pooled=False)
    upgrade(engine, revision)
    out.print(f"database at revision {current_revision(engine)}")


@db_app.command("downgrade")
def db_downgrade(revision: str) -> None:
    """Undo migrations down to REVISION (`base`: an empty database)."""
    from termline.store.db import current_revision, downgrade, make_engine

    engine = make_engine(_url(), pooled=False)
    downgrade(engine, revision)
    out.print(f"database at revision {current_revision(engine) or 'base'}")


@tenant_app.command("add")
def tenant_add(name: str, timezone: Annotated[str, typer.Option("--timezone")] = "UTC") -> None:
    """Add a tenant; its runs count days in TIMEZONE."""
    from termline.service import intake

    uow = _uow()
    _guard(lambda: intake.add_tenant(uow(), name, timezone))
    out.print(f"tenant {name} ({timezone})")


@contract_app.command("add")
def contract_add(file: Path, tenant: Tenant = None) -> None:
    """Store the contract(s) of FILE (a scenario `contracts` entry, with `policy`)."""
    from termline.service import intake
    from termline.service.inputs import read_contracts

    contracts = _guard(lambda: read_contracts(file))
    uow = _uow()
    ids = _guard(lambda: intake.add_contracts(uow(), contracts, tenant))
    out.print(f"{len(ids)} contract(s) stored: {', '.join(c.id for c, _ in contracts)}")


def _field(pair: str) -> tuple[str, str]:
    key, sep, value = pair.partition("=")
    if not sep or not key:
        _fail(InputError(f"expected key=value, got {pair!r}", field="--field"))
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
    from termline.service import intake
    from termline.service.inputs import parse_event

    raw: dict[str, Any] = {}
    if json_ is not None:
        try:
            raw = json.loads(json_)
        except json.JSONDecodeError as exc:
            _fail(InputError(f"not valid JSON: {exc.msg}", field="--json"))
    for key, value in (("contract", contract), ("type", type_), ("date", date_)):
        if value is not None:
            raw[key] = value
    raw.update(_field(p) for p in field or ())
    located = _guard(lambda: parse_event(raw))
    uow = _uow()
    added, _ = _guard(lambda: intake.add_events(uow(), [located], tenant))
    out.print("event stored" if added else "event already stored (same reference)")


@event_app.command("import")
def event_import(file: Path, tenant: Tenant = None) -> None:
    """Store every event of FILE (.csv or .jsonl), or none if one is invalid."""
    from termline.service import intake
    from termline.service.inputs import read_events

    events = _guard(lambda: read_events(file))
    uow = _uow()
    origin = hashlib.sha256(file.read_bytes()).hexdigest()  # the file's identity (event_key)
    added, dup = _guard(lambda: intake.add_events(uow(), events, tenant, origin))
    out.print(f"{added} event(s) stored, {dup} already stored")


def import_scenario(scenario: Path, tenant: Tenant = None) -> None:
    """Store a scenario file's contracts and events in one step (its `until` is ignored)."""
    from termline.scenario import load_scenario
    from termline.service import intake

    loaded = _guard(lambda: load_scenario(scenario))
    uow = _uow()
    contracts, events = _guard(lambda: intake.import_scenario(uow(), loaded, tenant))
    out.print(f"{contracts} contract(s) and {events} event(s) stored")


def _today_by_tenant(uow: Callable[[], Any]) -> dict[str, date]:
    with uow() as unit:
        return {tn.name: datetime.now(ZoneInfo(tn.timezone)).date()
                for tn in unit.repo.tenants()}


def _run_until(uow: Callable[[], Any], until: str | None) -> date | dict[str, date]:
    if until is None:
        return _today_by_tenant(uow)
    try:
        return date.fromisoformat(until)
    except ValueError:
        _fail(InputError(f"not a date (YYYY-MM-DD): {until!r}", field="--until"))
        raise  # unreachable: _fail exits


def _one_pass(uow: Callable[[], Any], day: date | dict[str, date], json_: bool,
              label: str, batch: int) -> dict[str, Any]:
    from termline.service import run as service

    started = time.perf_counter()
    if sys.stdout.isatty() and not json_:
        with Progress(console=out, transient=True) as bar:
            task = bar.add_task(label, total=None)
            report = service.run(uow, day, lambda done, total: bar.update(
                task, completed=done, total=total), batch=batch)
    else:
        report = service.run(uow, day, batch=batch)
    return {**report.to_json(), "wall_s": round(time.perf_counter() - started, 3)}


def _summary(data: dict[str, Any]) -> str:
    return (f"{data['contracts']} contract day(s), {data['days']} day(s) stepped, "
            f"{data['actions']} action(s), {data['corrections']} correction(s) in "
            f"{data['wall_s']:.2f}s") + _set_aside(data.get("set_aside", {}))


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
    batch: Annotated[int, typer.Option(min=1, help="Contracts claimed per transaction.")] = 50,
) -> None:
    """Do everything due up to and including UNTIL, each contract day by day."""
    uow = _uow()
    data = _one_pass(uow, _run_until(uow, until), json_, "running contracts", batch)
    if json_:
        _print_json(data)
    else:
        out.print(_summary(data))


def worker(
    until: Annotated[str | None, typer.Option(help="Last day run (default: each tenant's "
                                                   "today in its time zone, read anew on "
                                                   "each pass).")] = None,
    poll: Annotated[float, typer.Option(help="Seconds between passes; 0: stop when nothing "
                                             "is due.")] = 0.0,
    json_: Annotated[bool, typer.Option("--json")] = False,
    batch: Annotated[int, typer.Option(min=1, help="Contracts claimed per transaction.")] = 50,
) -> None:
    """Claim due contracts and run them, alongside any number of other workers.

    Workers share the book through the store: on PostgreSQL each claims its contracts with
    FOR UPDATE SKIP LOCKED; on SQLite they take turns (one writer at a time). Every contract
    day is stored exactly once, whichever worker runs it.
    """
    uow = _uow()
    while True:
        data = _one_pass(uow, _run_until(uow, until), json_, "worker", batch)
        if json_:
            sys.stdout.write(json.dumps(data) + "\n")
            sys.stdout.flush()
        else:
            out.print(_summary(data))
        if poll <= 0:
            return
        time.sleep(poll)


def ledger(
    tenant: Tenant = None,
    contract: Annotated[str | None, typer.Option("--contract")] = None,
    format: Annotated[Format, typer.Option("--format", "-f")] = Format.json,
) -> None:
    """The stored actions (and balances), in the shape of `simulate --format json`."""
    from termline.service import views

    uow = _uow()
    data = _guard(lambda: views.ledger(uow(), tenant, contract))
    if format is Format.json:
        _print_json(data)
        return
    table = Table("date", "contract", "kind", "clauses", title="Ledger")
    for row in data["actions"]:
        table.add_row(row["date"], row["contract"], row["kind"], ", ".join(row["clauses"]))
    out.print(table)


def book_deadlines(tenant: str | None, on: date | None, within: Any
                   ) -> tuple[list[dict[str, Any]], date]:
    """`termline deadlines` without a scenario: the stored contracts' deadlines, and the day
    they are computed for (ON, else today in each tenant's time zone; the earliest of them)."""
    from termline.service import views

    uow = _uow()
    when: date | dict[str, date] = on if on is not None else _today_by_tenant(uow)
    if isinstance(when, dict) and tenant is not None:
        # An unknown tenant gets any day: the view then says it does not exist.
        when = when.get(tenant) or datetime.now(UTC).date()
    rows = _guard(lambda: views.deadlines(uow(), tenant, on=when, within=within))
    day = when if isinstance(when, date) else min(when.values(),
                                                   default=datetime.now(UTC).date())
    return rows, day


def timeline(
    contract: str,
    tenant: Tenant = None,
    format: Annotated[Format, typer.Option("--format", "-f")] = Format.table,
) -> None:
    """A stored contract's past actions with their clauses and its upcoming deadlines."""
    from termline.service import views

    uow = _uow()
    data = _guard(lambda: views.timeline(uow(), contract, tenant))
    if format is Format.json:
        _print_json(data)
        return
    table = Table("date", "kind", "clauses", "detail", title=f"{contract} (as of "
                  f"{data['as_of']})")
    skip = {"date", "kind", "contract", "clauses"}
    for row in data["actions"]:
        detail = ", ".join(f"{k}={v}" for k, v in row.items() if k not in skip)
        table.add_row(row["date"], row["kind"], ", ".join(row["clauses"]), detail)
    for row in data["deadlines"]:
        detail = ", ".join(f"{k}={v}" for k, v in row.items() if k not in skip)
        table.add_row(row["date"], f"[bold]next: {row['kind']}[/]", ", ".join(row["clauses"]),
                      detail)
    out.print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
    app.add_typer(tenant_app, name="tenant")
    app.add_typer(contract_app, name="contract")
    app.add_typer(event_app, name="event")
    from termline.cli import corrections

    corrections.register(event_app, contract_app)
    app.command("import")(import_scenario)
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
    batch: Annotated[int, typer.Option(min=1, help="Contracts claimed per transaction.")] = 500,
    first: Annotated[str, typer.Option(help="First start date.")] = "2027-01-01",
    workers: Annotated[int, typer.Option(min=1, help="Worker processes running each day "
                                                     "(PostgreSQL: side by side).")] = 1,
    json_: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Benchmark the persistent run on a synthetic book (see termline.bench)."""
    from termline import bench as runner

    try:
        start = date.fromisoformat(first)
    except ValueError:
        _fail(InputError(f"not a date (YYYY-MM-DD): {first!r}", field="--first"))
        return
    if sys.stderr.isatty() and not json_:
        with Progress(console=err, transient=True) as bar:
            tasks: dict[str, Any] = {}

            def show(stage: str, done: int, total: int) -> None:
                if stage not in tasks:
                    tasks[stage] = bar.add_task(stage, total=total)
                bar.update(tasks[stage], completed=done, total=total)

            report = runner.bench(db, contracts, days, start, spread, batch, progress=show,
                                  workers=workers)
    else:
        report = runner.bench(db, contracts, days, start, spread, batch, workers=workers)
    data = report.to_json()
    if json_:
        _print_json(data)
        return
    table = Table("measure", "value", title=f"termline bench ({data['db']})")
    for key, value in data.items():
        table.add_row(key, str(value))
    out.print(table)
