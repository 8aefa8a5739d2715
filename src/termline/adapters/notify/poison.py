"""A message that can never be sent (a bad address, a header with CR/LF) is found before it
is tried, and marked failed with its reason: it must not abort the delivery round of
everyone else, nor be retried for days."""

from __future__ import annotations

from typing import Any

from email_validator import EmailNotValidError, validate_email

_BREAKS = ("\r", "\n", "\x00")


def address_problem(address: str | None) -> str | None:
    """Why an e-mail address cannot be used, or None."""
    if not address:
        return "no address"
    if any(c in address for c in _BREAKS):
        return "the address holds a line break or NUL"
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError as exc:
        return f"not an e-mail address: {exc}"
    return None


def email_problem(row: Any) -> str | None:
    """Why an outbox e-mail can never be sent, or None."""
    reason = address_problem(row.to_addr)
    if reason is not None:
        return f"to: {reason}"
    for name in ("subject", "kind", "msg_id"):
        value = getattr(row, name, None) or ""
        if any(c in value for c in _BREAKS):
            return f"{name}: a header value holds a line break or NUL"
    return None
