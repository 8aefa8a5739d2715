"""One exception tree for the whole package; entrypoints map it to exit codes."""

from __future__ import annotations


class TermlineError(Exception):
    """Base class of every error termline raises on purpose."""


class InputError(TermlineError):
    """A file or value given to termline is invalid; names where (file, line, field)."""

    def __init__(self, message: str, *, source: str | None = None, line: int | None = None,
                 field: str | None = None) -> None:
        self.source = source
        self.line = line
        self.field = field
        where = ", ".join(
            part for part in (
                source,
                f"line {line}" if line is not None else None,
                f"field {field!r}" if field else None,
            ) if part
        )
        super().__init__(f"{where}: {message}" if where else message)
        self.message = message


class ConcurrentWrite(TermlineError):
    """A unique key of the store refused a write: another transaction stored the same record
    between this one's check and its insert. The unit of work raises it as it rolls back
    (`app.ports.UnitOfWork`); a retry finds the other's record."""


class PolicyError(InputError):
    """A policy file does not validate."""


class ScenarioError(InputError):
    """A scenario file does not validate."""


class UnknownPack(PolicyError):
    """No built-in pack has that name and no file has that path."""


class MissingRate(TermlineError):
    """A statutory interest rate or an index value needed for a date is not known."""


class MissingIndex(MissingRate):
    """An index series, or one of its monthly values, needed for a price change is not known."""


class StepFailed(TermlineError):
    """The daily step of one contract could not be computed (a value out of range, an input
    the mechanisms cannot handle): the run sets that contract aside and goes on."""

    def __init__(self, contract: str, day: object, cause: BaseException) -> None:
        self.contract = contract
        self.day = day
        self.cause = cause
        detail = str(cause) or type(cause).__name__
        super().__init__(f"contract {contract!r}: the step of {day} failed: {detail}")
