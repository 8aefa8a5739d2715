"""Console users and their sessions: argon2id password hashes, random session tokens stored
only as their SHA-256, a CSRF token per session, and a per-address limit on failed sign-ins.

Roles (each includes those before it): viewer reads; finance also applies payments, voids
events, resumes contracts and retries deliveries; admin also manages keys, webhooks and users.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import astuple, dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from termline.adapters.sql.console_repo import ConsoleStore, SessionRow
from termline.adapters.sql.sql_rows import connection
from termline.app.intake import tenant as find_tenant
from termline.app.ports import UnitOfWork
from termline.domain.errors import InputError, TermlineError

ROLES = ("viewer", "finance", "admin")
SESSION_LENGTH = timedelta(hours=12)
ATTEMPT_WINDOW = timedelta(minutes=15)
MAX_FAILURES = 5  # failed sign-ins from one address in the window before it must wait
_HASHER = PasswordHasher()  # argon2id with the library's (RFC 9106 low-memory) parameters
# verified when the address is unknown, so a wrong address costs what a wrong password does
_DUMMY = _HASHER.hash("termline: no such user")


class SignInRefused(TermlineError):
    """Wrong address or password (never saying which)."""


class TooManyAttempts(TermlineError):
    """The address failed too often lately: wait."""


@dataclass(frozen=True, slots=True)
class ConsoleUser(SessionRow):
    """Who a console request acts for: its session's user, tenant, role and CSRF token."""

    def can(self, role: str) -> bool:
        return ROLES.index(self.role) >= ROLES.index(role)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _email(raw: str) -> str:
    email = raw.strip().lower()
    if "@" not in email or len(email) > 400 or any(ch.isspace() for ch in email):
        raise InputError(f"not an e-mail address: {raw!r}", field="EMAIL")
    return email


def add_user(uow: UnitOfWork, tenant_name: str, email: str, role: str, password: str,
             now: datetime) -> int:
    """A console user of the tenant; the password is kept only as its argon2id hash."""
    if role not in ROLES:
        raise InputError(f"roles are {', '.join(ROLES)}, not {role!r}", field="--role")
    if len(password) < 12:
        raise InputError("a password has at least 12 characters", field="--password-stdin")
    address = _email(email)
    with uow:
        owner = find_tenant(uow.repo, tenant_name)
        store = ConsoleStore(connection(uow.repo))
        if store.user_by_email(address) is not None:
            raise InputError(f"a console user {address!r} exists already", field="EMAIL")
        user_id = store.add_user(owner.id, address, _HASHER.hash(password), role, now)
        uow.commit()
    return user_id


def sign_in(uow: UnitOfWork, address: str, email: str, password: str, now: datetime
            ) -> tuple[str, ConsoleUser]:
    """(session token for the cookie, the user). Every attempt is recorded; an address with
    `MAX_FAILURES` failures in the last `ATTEMPT_WINDOW` is refused before any check."""
    with uow:
        store = ConsoleStore(connection(uow.repo))
        if store.failures_since(address, now - ATTEMPT_WINDOW) >= MAX_FAILURES:
            raise TooManyAttempts("too many failed sign-ins from this address: try again in "
                                  f"{int(ATTEMPT_WINDOW.total_seconds() // 60)} minutes")
        row = store.user_by_email(email.strip().lower())
        try:
            _HASHER.verify(row.password_hash if row is not None else _DUMMY, password)
            ok = row is not None
        except (VerificationError, InvalidHashError):
            ok = False
        store.add_attempt(address, email.strip().lower(), now, ok)
        if not ok or row is None:
            uow.commit()
            raise SignInRefused("wrong e-mail address or password")
        if _HASHER.check_needs_rehash(row.password_hash):
            store.set_password(row.id, _HASHER.hash(password))
        token = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        store.add_session(token_hash(token), row.id, row.tenant_id, csrf, now,
                          now + SESSION_LENGTH)
        uow.commit()
        found = store.session(token_hash(token), now)
    assert found is not None
    return token, ConsoleUser(*astuple(found))


def session_user(uow: UnitOfWork, token: str | None, now: datetime) -> ConsoleUser | None:
    if not token:
        return None
    with uow:
        found = ConsoleStore(connection(uow.repo)).session(token_hash(token), now)
    return None if found is None else ConsoleUser(*astuple(found))


def sign_out(uow: UnitOfWork, token: str) -> None:
    with uow:
        ConsoleStore(connection(uow.repo)).drop_session(token_hash(token))
        uow.commit()


def csrf_ok(user: ConsoleUser, given: str | None) -> bool:
    return given is not None and hmac.compare_digest(user.csrf.encode(), given.encode())


def users(uow: UnitOfWork, tenant_name: str) -> list[dict[str, object]]:
    with uow:
        owner = find_tenant(uow.repo, tenant_name)
        return ConsoleStore(connection(uow.repo)).users(owner.id)
