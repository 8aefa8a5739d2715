"""The console's commands: `user add` (a console user, its password read from stdin) and
`customer link` (a signed, expiring, read-only URL to a customer's page)."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from typing import Annotated

import typer

from termline.domain.errors import InputError, TermlineError
from termline.entrypoints.cli.error_boundary import fail
from termline.entrypoints.cli.listing import customer_app
from termline.entrypoints.cli.session import open_store

user_app = typer.Typer(no_args_is_help=True, help="Users of the web console.")


def _uow() -> object:
    return open_store()()


@user_app.command("add")
def user_add(
    email: str,
    tenant: Annotated[str, typer.Option("--tenant", help="The tenant the user works for.")],
    role: Annotated[str, typer.Option("--role", help="admin, finance or viewer.")],
    password_stdin: Annotated[bool, typer.Option(
        "--password-stdin", help="Read the password from standard input (one line).")] = False,
) -> None:
    """Add a console user; the password is stored only as its argon2 hash."""
    from termline.app.console_auth import add_user

    try:
        if not password_stdin:
            raise InputError("give the password on standard input with --password-stdin "
                             "(never on the command line)", field="--password-stdin")
        password = sys.stdin.readline().rstrip("\r\n")
        add_user(_uow(), tenant, email, role, password, datetime.now(UTC))  # type: ignore[arg-type]
    except TermlineError as exc:
        fail(exc)
        return
    sys.stderr.write(f"console user {email.strip().lower()} ({role}) added to {tenant}\n")


def customer_link(
    customer: str,
    tenant: Annotated[str, typer.Option("--tenant", help="The customer's tenant.")],
    days: Annotated[int, typer.Option("--days", help="How long the link is valid.")] = 30,
    base_url: Annotated[str, typer.Option(
        "--base-url", envvar="TERMLINE_CONSOLE_URL",
        help="Where `termline serve` is reached.")] = "http://127.0.0.1:8080",
) -> None:
    """Print a signed, expiring, read-only URL to CUSTOMER's page (its contracts, deadlines,
    invoices and what is open). The signing secret is never printed."""
    from termline.app.customer_links import link

    try:
        url = link(_uow(), tenant, customer, days, datetime.now(UTC), base_url)  # type: ignore[arg-type]
    except TermlineError as exc:
        fail(exc)
        return
    sys.stdout.write(url + "\n")


def register(app: typer.Typer) -> None:
    app.add_typer(user_app, name="user")
    customer_app.command("link")(customer_link)


__all__ = ["register"]
