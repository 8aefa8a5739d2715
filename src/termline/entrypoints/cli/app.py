"""`termline`: simulate scenarios, list deadlines, inspect policies, run the demo."""

from __future__ import annotations

import json
import os
import re
import sys
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from termline.domain.errors import InputError, TermlineError
from termline.domain.registry import bootstrap
from termline.entrypoints.cli import (
    console_commands,
    correction_commands,
    document_commands,
    import_commands,
    journal_commands,
    listing,
    policy_commands,
    render,
    service_commands,
    spreadsheets,
    store_commands,
)
from termline.entrypoints.cli.error_boundary import ErrorBoundary, fail

app = typer.Typer(cls=ErrorBoundary, no_args_is_help=True, add_completion=False,
                  help="Run a SaaS provider's Terms & Conditions as executable policy.")
policy_commands.register(app)
store_commands.register_groups(app)
correction_commands.register(store_commands.event_app, store_commands.contract_app)
import_commands.register(app)
store_commands.register_commands(app)
listing.register(app, store_commands.tenant_app, store_commands.contract_app)
spreadsheets.register(store_commands.contract_app)
document_commands.register(app)
journal_commands.register(app)
service_commands.register(app)
console_commands.register(app)

# Piped output (CI, files) gets a wide page instead of Rich's 80-column default.
out = Console(width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, soft_wrap=True)


class Format(StrEnum):
    table = "table"
    json = "json"


def _fail(exc: TermlineError) -> None:
    fail(exc)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        sys.stdout.write(f"termline {version('termline')}\n")
        raise typer.Exit()


@app.callback()
def _main(version: Annotated[bool, typer.Option(
        "--version", callback=_version, is_eager=True, help="Print the version and exit.")]
          = False) -> None:
    """Run a SaaS provider's Terms & Conditions as executable policy."""
    bootstrap()


def _date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        _fail(InputError(f"not a date (YYYY-MM-DD): {value!r}", field=option))
    return None  # pragma: no cover


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def _rates(path: Path | None) -> Any:
    from termline.domain.rates.table import builtin_rates
    from termline.domain.text.yamlsource import read_yaml

    table = builtin_rates()
    if path is None:
        return table
    from termline.domain.text.textfile import read_text

    located = read_yaml(read_text(path, "rates file"), str(path))
    return table.merged(located.data or {}, str(path))


@app.command()
def simulate(
    scenario: Path,
    format: Annotated[Format, typer.Option("--format", "-f")] = Format.table,
    until: Annotated[str | None, typer.Option(help="Last day simulated (YYYY-MM-DD).")] = None,
    rates: Annotated[Path | None, typer.Option(help="Extra statutory rates (YAML).")] = None,
    indices: Annotated[Path | None, typer.Option(
        help="Index series CSV (series,month,value); the scenario's index_series win.")] = None,
) -> None:
    """Run every contract of SCENARIO day by day and print what the terms make happen."""
    from termline.domain.contract import load_scenario
    from termline.domain.engine import simulate_scenario
    from termline.domain.mechanisms.pricing.series import load_index_csv

    series = load_index_csv(indices) if indices is not None else None
    result = simulate_scenario(load_scenario(scenario), _date(until, "--until"), _rates(rates),
                               series)
    if format is Format.json:
        _print_json(result.to_json())
    else:
        render.print_simulation(out, result)


_WITHIN_SHORT = re.compile(r"^\s*(\d+)\s*([dwmy])\s*$")


def _within(value: str | None) -> Any:
    """`--within`: 90d, 12w, 3m, 1y, or as the terms write it ("90 days", "3 months")."""
    from termline.domain.values.duration import Duration, Unit

    if value is None:
        return None
    short = _WITHIN_SHORT.match(value.lower())
    if short:
        unit = {"d": Unit.DAYS, "w": Unit.WEEKS, "m": Unit.MONTHS, "y": Unit.YEARS}
        return Duration(int(short.group(1)), unit[short.group(2)])
    try:
        found = Duration.parse(value)
    except ValueError:
        found = None
    if found is None or not found.is_calendar():
        _fail(InputError(f"not a calendar duration: {value!r} (write e.g. 90d, 12w, 3m, 1y, "
                         "'90 days', '3 months')", field="--within"))
    return found


@app.command()
def deadlines(
    scenario: Annotated[Path | None, typer.Argument(
        help="A scenario file; without it the deadlines of the store's contracts.")] = None,
    on: Annotated[str | None, typer.Option(help="The day to look from (default: today; from "
                                           "the store, in the tenant's time zone).")] = None,
    within: Annotated[str | None, typer.Option(
        help="Only deadlines from ON to ON + WITHIN: 90d, 12w, 3m, 1y, '90 days'.")] = None,
    ics: Annotated[Path | None, typer.Option(
        help="Also write the deadlines as an iCalendar file (one all-day event each).")] = None,
    tenant: Annotated[str | None, typer.Option(
        envvar="TERMLINE_TENANT", help="Store only: the tenant, needed when the store has "
        "several (or set TERMLINE_TENANT).")] = None,
    format: Annotated[Format, typer.Option("--format", "-f")] = Format.table,
) -> None:
    """The next dates that matter for each contract: last day to give notice, term end, ...

    From the store, each contract's state is as of its last run: run the book up to ON first.
    """
    from termline.adapters.files.calendar_export import calendar_bytes
    from termline.app.views import in_window
    from termline.domain.contract import load_scenario
    from termline.domain.engine.deadlines import deadlines as compute
    from termline.domain.engine.simulate import simulate_scenario

    window = _within(within)
    given = _date(on, "--on")
    if ics is not None:
        if ics.is_dir():
            _fail(InputError(f"{ics} is a folder: give a file name (e.g. {ics}/deadlines.ics)",
                             field="--ics"))
        if not ics.parent.is_dir():
            _fail(InputError(f"folder {ics.parent} does not exist", field="--ics"))
    if scenario is None:
        rows, day = store_commands.book_deadlines(tenant, given, window)
    else:
        if tenant is not None and tenant != os.environ.get("TERMLINE_TENANT"):
            _fail(InputError("--tenant selects stored contracts: not with a SCENARIO file",
                             field="--tenant"))
        day = given or date.today()
        result = simulate_scenario(load_scenario(scenario), day)
        rows = [{"customer": result.contexts[cid].contract.customer.name, **d.to_json()}
                for cid in sorted(result.states)
                for d in in_window(compute(result.states[cid], result.contexts[cid], day),
                                   day, window)]
    if ics is not None:
        ics.write_bytes(calendar_bytes(rows, day))
        err.print(f"{len(rows)} deadline(s) written to {ics}", highlight=False)
    if format is Format.json:
        _print_json(rows)
    else:
        out.print(render.deadlines_table(rows, f"Deadlines as of {day}"))


class ClaimKind(StrEnum):
    general = "general"
    injury = "injury"
    intent = "intent"
    gross_negligence = "gross_negligence"
    data_protection = "data_protection"


def _payout(text: str) -> tuple[Any, Any]:
    day, sep, amount = text.partition("=")
    if not sep:
        _fail(InputError(f"a payout is DATE=AMOUNT, got {text!r}", field="--payout"))
    return _date(day, "--payout"), _amount(amount, "--payout")


def _amount(value: str | None, option: str) -> Any:
    from termline.domain.values.money import D

    if value is None:
        return None
    try:
        return D(value)
    except ValueError:
        _fail(InputError(f"not an amount: {value!r}", field=option))
    return None  # pragma: no cover


@app.command()
def liability(
    scenario: Path,
    contract: Annotated[str, typer.Option(help="The contract's id in SCENARIO.")],
    on: Annotated[str, typer.Option(help="The day of the event liability arises from.")],
    format: Annotated[Format, typer.Option("--format", "-f")] = Format.table,
    kind: Annotated[ClaimKind, typer.Option(help="injury: death, injury, damage to property; "
                                            "intent, gross_negligence, data_protection: where "
                                            "the terms leave them uncapped.")
                    ] = ClaimKind.general,
    discovered: Annotated[str | None, typer.Option(help="Day the damage was discovered.")] = None,
    reported: Annotated[str | None, typer.Option(help="Day it was reported in writing.")] = None,
    insurance_payout: Annotated[str | None, typer.Option(help="Insurer's payout.")] = None,
    excess: Annotated[str | None, typer.Option(help="Provider's insurance excess.")] = None,
    paid_out: Annotated[str | None, typer.Option(help="Liability already paid out.")] = None,
    payout: Annotated[list[str] | None, typer.Option(
        help="An earlier payout of liability, DATE=AMOUNT (repeatable): it counts against an "
             "aggregate limit that resets per year only in its own year.")] = None,
) -> None:
    """The cap on the provider's liability for an event on a date, with arithmetic and clauses."""
    from termline.domain.contract import load_scenario
    from termline.domain.engine.simulate import simulate_scenario
    from termline.domain.mechanisms.liability.cap import Claim
    from termline.domain.mechanisms.liability.compute import cap_on
    from termline.domain.values.money import ZERO

    day = _date(on, "--on")
    assert day is not None
    claim = Claim(event=day, kind=kind.value, discovered=_date(discovered, "--discovered"),
                  reported=_date(reported, "--reported"),
                  insurance_payout=_amount(insurance_payout, "--insurance-payout"),
                  excess=_amount(excess, "--excess") or ZERO,
                  paid_out=_amount(paid_out, "--paid-out") or ZERO,
                  payouts=tuple(_payout(text) for text in payout or ()))
    result = cap_on(simulate_scenario(load_scenario(scenario), day), contract, claim)
    data = {"contract": contract, "on": day.isoformat(), "kind": kind.value, **result.to_json()}
    if format is Format.json:
        _print_json(data)
        return
    cap = "no contractual cap" if data["cap"] is None else f"{data['cap']} {data['currency']}"
    out.print(f"[bold]Liability cap[/] for {contract} on {day} ({kind.value}): [bold]{cap}[/] "
              f"(clauses {', '.join(result.clauses)})", highlight=False)
    for line in (*result.explanation, *(f"condition: {c}" for c in result.conditions)):
        out.print(f"  {line}", highlight=False)


@app.command()
def demo(out_dir: Annotated[Path, typer.Option("--out")] = Path("out"),
         documents: Annotated[bool, typer.Option(help="Also write each pack's invoices as "
                                                      "UBL and PDF.")] = True) -> None:
    """Run the five built-in packs over 24 months with a handful of customers each."""
    from termline.devtools.demo import run_demo

    run_demo(out_dir, out, documents)


def main() -> None:
    bootstrap()
    app()
