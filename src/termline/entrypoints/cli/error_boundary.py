"""The command line's one error boundary: an error the user can fix is one line on stderr and
exit status 2, never a traceback.

Commands raise; they do not catch. `ErrorBoundary` is the class of the top-level Typer group,
so every command and sub-command runs inside it, from the console script and from
`typer.testing.CliRunner` alike. What it does not know (a bug) still shows its traceback.
"""

from __future__ import annotations

import os
import re
from decimal import DecimalException
from typing import Any, NoReturn

import typer
from rich.console import Console
from typer.core import TyperGroup

from termline.domain.errors import ConcurrentWrite, TermlineError

err = Console(stderr=True, soft_wrap=True, highlight=False)

URL_VARIABLE = "TERMLINE_DATABASE_URL"
_DATE_RANGE = re.compile(r"\byear -?\d+ is out of range|date value out of range")
_PASSWORD = re.compile(r"(://[^:/@\s]*:)([^@\s]*)(@)")


def mask(text: str) -> str:
    """`text` with every URL's password replaced by ***, and the configured URL's password
    wherever it appears (a driver may quote it back)."""
    masked = _PASSWORD.sub(r"\1***\3", text)
    url = os.environ.get(URL_VARIABLE, "")
    found = _PASSWORD.search(url)
    if found and found.group(2):
        masked = masked.replace(found.group(2), "***")
    return masked


def one_line(message: str) -> str:
    return "; ".join(part.strip() for part in message.splitlines() if part.strip())


def fail(exc: Exception | str) -> NoReturn:
    """Print `error: ...` (one line, passwords masked) and exit 2."""
    text = exc if isinstance(exc, str) else str(exc)
    err.print(f"[bold red]error:[/] {mask(one_line(text))}", markup=True)
    raise typer.Exit(2)


def warn(message: str) -> None:
    err.print(f"[yellow]warning:[/] {mask(one_line(message))}", markup=True)


def describe(exc: BaseException, argv: list[str]) -> str | None:
    """The one-line message for an error the user can act on; None for a bug."""
    from yaml import YAMLError

    from termline.app import database

    command = " ".join(argv)
    # a unique key's refusal (`ConcurrentWrite`) stays a traceback: a bug (or a race) the
    # user cannot fix
    if isinstance(exc, TermlineError) and not isinstance(exc, ConcurrentWrite):
        return str(exc)
    # the database is unreachable or refuses a value
    reason = database.unreachable(exc)
    if reason is not None:
        return f"database {database_label()}: {one_line(reason)}"
    if database.not_a_url(exc):
        return f"{URL_VARIABLE}: not a usable database URL ({exc})"
    if isinstance(exc, UnicodeDecodeError):
        return (f"an input of `{command}` is not UTF-8 text (byte 0x{exc.object[exc.start]:02x} "
                f"at offset {exc.start}); save it as UTF-8")
    if isinstance(exc, OverflowError) or (
            isinstance(exc, ValueError) and _DATE_RANGE.search(str(exc))):
        return (f"a date is out of range in `{command}` ({exc}): the calendar ends at "
                "9999-12-31")
    if isinstance(exc, DecimalException):
        return (f"an amount in `{command}` is out of range for money (too large or too "
                "precise)")
    if isinstance(exc, YAMLError):
        return f"not valid YAML in `{command}`: {one_line(str(exc))}"
    if isinstance(exc, RecursionError):
        return f"an input of `{command}` is nested too deeply"
    if isinstance(exc, IsADirectoryError | NotADirectoryError | FileNotFoundError
                  | PermissionError):
        name = exc.filename if exc.filename is not None else command
        return f"{name}: {exc.strerror}"
    return None


def database_label() -> str:
    """The configured database URL, password masked."""
    from termline.app.database import DEFAULT_URL

    return mask(os.environ.get(URL_VARIABLE) or DEFAULT_URL)


class ErrorBoundary(TyperGroup):
    """The top-level group: runs the chosen command and turns known errors into one line."""

    def invoke(self, ctx: Any) -> Any:
        argv = [*getattr(ctx, "_protected_args", []), *ctx.args]
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise
        except Exception as exc:
            message = describe(exc, argv)
            if message is None:
                raise
            fail(message)

