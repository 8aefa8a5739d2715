"""Delivery from the outboxes: signed webhooks (Standard Webhooks) and e-mails (SMTP, or .eml
files when no SMTP server is configured).

At least once: a row is marked delivered only after its receiver accepted it, so a process
killed in between sends it again. In order per contract: a delivery waits while an earlier one
of the same endpoint and contract is pending. A failed attempt is retried with exponential
backoff over about three days (`BACKOFF`); each attempt is logged with status, latency and an
excerpt of the answer. An endpoint that gives a delivery up after failing for days is disabled
and its tenant told (`notice_email`).

Isolation: attempts run in a thread pool, at most `PER_ENDPOINT` at once per endpoint and
`PER_TENANT` per tenant (webhooks and e-mails counted apart), with a short connect time-out and
a circuit breaker per endpoint (`notify.isolation`), so an endpoint that never answers holds
its own slots only. Every URL is checked again before each attempt and the request goes to
the address that check resolved (`notify.outbound`); a message that can never be sent (a bad
address, a header with CR/LF) is marked failed with its reason (`notify.poison`).
"""

from __future__ import annotations

import html
import json
import logging
import re
import smtplib
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from functools import partial
from hashlib import sha256
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import Engine, and_, exists, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from standardwebhooks.webhooks import Webhook

from termline.adapters.notify.isolation import Breaker, Key, Slots
from termline.adapters.notify.outbound import (
    NOTHING_ALLOWED,
    Allow,
    RefusedURL,
    Resolver,
    check_url,
    system_resolver,
)
from termline.adapters.notify.poison import email_problem
from termline.adapters.sql import service_tables as s
from termline.adapters.sql import tables as t
from termline.domain.errors import TermlineError

log = logging.getLogger("termline.adapters.notify")
Clock = Callable[[], datetime]
# The files an e-mail row names (`emails.attachments`): (file name, media type, content).
Attachment = tuple[str, str, bytes]
Attach = Callable[[Any], list[Attachment]]

# Seconds to wait after the n-th failed attempt: about 2.8 days in all, then given up.
BACKOFF = (5, 30, 120, 600, 1800, 3600, 7200, 14400, 28800, 43200, 57600, 86400)
# An endpoint that gives up a delivery after failing this long is disabled.
DISABLE_AFTER = timedelta(days=2)
EXCERPT = 200  # bytes of an answer kept in the delivery log
PER_ENDPOINT = 4  # attempts at once per webhook endpoint
PER_TENANT = 8  # attempts at once per tenant (webhooks and e-mails each)
WORKERS = 32
TIMEOUT = httpx.Timeout(10.0, connect=3.0)
SMTP_TIMEOUT = 5.0


@dataclass(frozen=True)
class MailSettings:
    smtp_url: str | None  # smtp://host:port; None: write .eml files
    outbox_dir: Path
    sender: str = "termline@localhost"


def payload(kind: str, timestamp: datetime, data: str, action_id: int | None = None) -> str:
    """`{"type", "timestamp", "data"}` with `data` the ledger's JSON byte for byte, its `id`
    first (the action's id in `GET /v1/actions`) when the action is known."""
    if action_id is not None and data.startswith("{") and data != "{}":
        data = f'{{"id":{int(action_id)},{data[1:]}'
    return (f'{{"type":{json.dumps(kind)},"timestamp":{json.dumps(timestamp.isoformat())},'
            f'"data":{data}}}')


# How long one attempt holds a message (see `Dispatcher._lease`); longer than any attempt's
# time-outs (3 + 10 s for a webhook, 5 s per SMTP command).
LEASE = timedelta(seconds=60)


def retry_at(now: datetime, attempts: int) -> datetime | None:
    """When to try again after `attempts` failed attempts; None: give up."""
    if attempts > len(BACKOFF):
        return None
    return now + timedelta(seconds=BACKOFF[attempts - 1])


def excerpt(data: bytes) -> str:
    """At most EXCERPT bytes of an answer as inert text: control characters dropped and HTML
    escaped (then cut again, never inside an entity), so a page a receiver returns is never
    shown to the tenant as markup."""
    text = data[:EXCERPT].decode("utf-8", "replace")
    text = "".join(c if c.isprintable() or c in " \t" else " " for c in text)
    text = html.escape(text, quote=False)
    while len(text.encode("utf-8")) > EXCERPT:
        text = text[:-1]
    return re.sub(r"&[a-z]*$", "", text)


class Dispatcher:
    def __init__(self, engine: Engine, clock: Clock, mail: MailSettings,
                 client: httpx.Client | None = None, poll: float = 1.0, *,
                 attach: Attach | None = None, allow: Allow = NOTHING_ALLOWED,
                 resolve: Resolver = system_resolver, workers: int = WORKERS,
                 lease: timedelta = LEASE) -> None:
        self.engine = engine
        self.lease = lease
        # renders what a row names as attached (the service's `service.attachments`); without
        # it e-mails go without their PDFs
        self.attach = attach
        self.clock = clock
        self.mail = mail
        self.client = client or httpx.Client(timeout=TIMEOUT, follow_redirects=False,
                                             trust_env=False)
        self.poll = poll
        self.allow = allow
        self.resolve = resolve
        self.breaker = Breaker(clock)
        self.slots = Slots()
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="deliver")
        self._stop = threading.Event()
        self._bell = threading.Event()

    def wake(self) -> None:
        self._bell.set()

    def stop(self) -> None:
        self._stop.set()
        self._bell.set()

    def run_forever(self) -> None:
        """Start due attempts without waiting for them; an attempt that ends rings the bell
        (the next message of its contract may now be in line)."""
        try:
            while not self._stop.is_set():
                self._bell.clear()
                try:
                    busy = len(self.pump_webhooks()) + len(self.pump_emails())
                except Exception:  # the next round tries again; nothing was marked done
                    log.exception("delivery round failed")
                    busy = 0
                self._bell.wait(self.poll if not busy else min(self.poll, 0.05))
        finally:
            self._pool.shutdown(wait=True)  # the attempts in hand finish

    def close(self) -> None:
        self._pool.shutdown(wait=True)

    def _submit(self, keys: list[tuple[Key, int]], work: Callable[[], None]
                ) -> Future[None]:
        def run() -> None:
            try:
                work()
            except Exception:  # one message's failure is its own: log it, go on
                log.exception("delivery attempt failed")
            finally:
                self.slots.give(keys)
                self._bell.set()
        return self._pool.submit(run)

    # --- webhooks -------------------------------------------------------------------------
    def deliver_due(self, limit: int = 100) -> int:
        """Attempt every due webhook delivery that is first in line for its contract, and wait
        for those attempts; how many were started."""
        futures = self.pump_webhooks(limit)
        wait(futures)
        return len(futures)

    def pump_webhooks(self, limit: int = 100) -> list[Future[None]]:
        """Start the due deliveries that are first in line for their contract, on endpoints
        with a free slot and a closed (or probing) circuit; without waiting for them."""
        d, e = s.webhook_deliveries.c, s.webhook_endpoints.c
        earlier = s.webhook_deliveries.alias("earlier")
        now = self.clock()
        tripped = self.breaker.open_keys()
        full = self.slots.full(PER_ENDPOINT, "endpoint")
        busy_tenants = self.slots.full(PER_TENANT, "hook-tenant")
        a = t.actions.c
        query = (select(d.id, d.msg_id, d.type, d.data, d.created_at, d.attempts,
                        d.endpoint_id, e.url, e.secret, e.failing_since, e.tenant_id,
                        a.id.label("action_id"))
                 .join(s.webhook_endpoints, e.id == d.endpoint_id)
                 .outerjoin(t.actions, and_(a.contract_id == d.contract_id,
                                            a.natural_key == d.action_key))
                 .where(d.status == "pending", d.next_attempt_at <= now, e.enabled.is_(True),
                        ~exists().where(and_(earlier.c.endpoint_id == d.endpoint_id,
                                             earlier.c.contract_id == d.contract_id,
                                             earlier.c.status == "pending",
                                             earlier.c.id < d.id)))
                 .order_by(d.id).limit(limit))
        if full:
            query = query.where(d.endpoint_id.not_in(full))
        if tripped:  # unless the tenant enabled it again since (which clears failing_since)
            query = query.where(or_(d.endpoint_id.not_in(tripped), e.failing_since.is_(None)))
        if busy_tenants:
            query = query.where(e.tenant_id.not_in(busy_tenants))
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        futures = []
        for row in rows:
            if self._stop.is_set():
                break
            keys: list[tuple[Key, int]] = [(("endpoint", row.endpoint_id), PER_ENDPOINT),
                                                (("hook-tenant", row.tenant_id), PER_TENANT)]
            circuit = ("circuit", row.endpoint_id)
            if row.failing_since is None:
                self.breaker.reset(circuit)
            if not self.breaker.allow(circuit):
                continue
            if not self.slots.take(keys):
                self.breaker.cancel(circuit)
                continue
            if not self._lease(s.webhook_deliveries, row.id, row.attempts, now):
                self.slots.give(keys)
                self.breaker.cancel(circuit)
                continue
            futures.append(self._submit(keys, partial(self._attempt, row)))
        return futures

    def _lease(self, table: Any, row_id: int, attempts: int, now: datetime) -> bool:
        """Take a due message for one attempt: its next attempt moves the lease ahead, so another
        `serve` process that selected it too finds it no longer due and leaves it. A process
        that dies mid-attempt leaves the lease to expire: the message is tried again."""
        c = table.c
        with self.engine.begin() as conn:
            taken = conn.execute(update(table).where(
                c.id == row_id, c.status == "pending", c.attempts == attempts,
                c.next_attempt_at <= now).values(next_attempt_at=now + self.lease))
        return bool(taken.rowcount)

    def _post(self, row: Any) -> tuple[int | None, str, bool]:
        """One request: status (None: no answer), the log's excerpt, and whether the message
        can never be delivered as it stands (its URL no longer parses)."""
        try:
            target = check_url(row.url, self.allow, self.resolve)
        except RefusedURL as exc:
            return None, f"refused: {exc}"[:EXCERPT], exc.permanent
        body = payload(row.type, _aware(row.created_at, self.clock()), row.data,
                       row.action_id)
        sent_at = self.clock()
        signature = Webhook(row.secret).sign(row.msg_id, sent_at, body)
        headers = {"content-type": "application/json", "webhook-id": row.msg_id,
                   "webhook-timestamp": str(int(sent_at.timestamp())),
                   "webhook-signature": signature, "user-agent": "termline-webhooks/1",
                   "host": target.host_header}
        # to the address checked above, never to a second resolution (DNS rebinding); TLS
        # still verifies the certificate against the host's name
        extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
        try:
            with self.client.stream("POST", target.connect_url, content=body.encode("utf-8"),
                                    headers=headers, extensions=extensions) as answer:
                first = b""
                for chunk in answer.iter_bytes(EXCERPT):
                    first = chunk
                    break
                return answer.status_code, excerpt(first), False
        except httpx.HTTPError as exc:
            return None, excerpt(f"{type(exc).__name__}: {exc}".encode()), False

    def _attempt(self, row: Any) -> None:
        sent_at = self.clock()
        started = time.perf_counter()
        status, answer, poison = self._post(row)
        latency = int((time.perf_counter() - started) * 1000)
        ok = status is not None and 200 <= status < 300
        if not poison:
            self.breaker.record(("circuit", row.endpoint_id), ok)
        else:
            self.breaker.cancel(("circuit", row.endpoint_id))
        d, e = s.webhook_deliveries.c, s.webhook_endpoints.c
        now = self.clock()
        with self.engine.begin() as conn:
            conn.execute(insert(s.webhook_attempts).values(
                delivery_id=row.id, at=sent_at, status_code=status, latency_ms=latency,
                response=answer))
            attempts = row.attempts + 1
            if ok:
                conn.execute(update(s.webhook_deliveries).where(d.id == row.id).values(
                    status="delivered", attempts=attempts, delivered_at=now))
                conn.execute(update(s.webhook_endpoints).where(e.id == row.endpoint_id)
                             .values(failing_since=None))
                return
            again = None if poison else retry_at(now, attempts)
            log.warning("webhook %s to we_%s failed (%s, attempt %d): %s", row.msg_id,
                        row.endpoint_id, status or "no answer", attempts,
                        "retry at " + again.isoformat() if again else "given up")
            conn.execute(update(s.webhook_deliveries).where(d.id == row.id).values(
                status="pending" if again else "failed", attempts=attempts,
                next_attempt_at=again or now))
            since = row.failing_since or now
            if row.failing_since is None:
                conn.execute(update(s.webhook_endpoints).where(e.id == row.endpoint_id)
                             .values(failing_since=now))
            elif again is None and now - _aware(since, now) >= DISABLE_AFTER:
                conn.execute(update(s.webhook_endpoints).where(e.id == row.endpoint_id)
                             .values(enabled=False, disabled_at=now))
                self._notice_disabled(conn, row, now)

    def _notice_disabled(self, conn: Any, row: Any, now: datetime) -> None:
        tn = t.tenants.c
        settings = json.loads(conn.execute(select(tn.settings).where(
            tn.id == row.tenant_id)).scalar_one())
        to = settings.get("notice_email")
        if not to:
            log.warning("webhook endpoint we_%s disabled; tenant has no notice_email",
                        row.endpoint_id)
            return
        msg_id = "eml_" + sha256(f"disabled|{row.endpoint_id}|{now.isoformat()}".encode()
                                 ).hexdigest()[:40]
        try:
            with conn.begin_nested():
                conn.execute(insert(s.emails).values(
                    tenant_id=row.tenant_id, contract_id=None, msg_id=msg_id,
                    kind="endpoint_disabled", to_addr=to,
                    subject=f"Webhook endpoint we_{row.endpoint_id} disabled",
                    body=(f"Deliveries to {row.url} have failed for more than "
                          f"{DISABLE_AFTER.days} days, so the endpoint has been disabled. "
                          "Enable it again with POST /v1/webhook_endpoints/"
                          f"we_{row.endpoint_id}/enable once it answers; pending deliveries "
                          "then resume.\n"),
                    status="pending", attempts=0, next_attempt_at=now))
        except IntegrityError:
            pass

    # --- e-mail ---------------------------------------------------------------------------
    def send_due(self, limit: int = 100) -> int:
        """Send every due e-mail and wait for those attempts; how many were started."""
        futures = self.pump_emails(limit)
        wait(futures)
        return len(futures)

    def pump_emails(self, limit: int = 100) -> list[Future[None]]:
        m = s.emails.c
        now = self.clock()
        busy = self.slots.full(PER_TENANT, "mail-tenant")
        earlier = s.emails.alias("earlier")
        # in order per contract, as the webhooks: a reminder never overtakes its invoice
        query = select(s.emails).where(
            m.status == "pending", m.next_attempt_at <= now,
            ~exists().where(and_(earlier.c.contract_id == m.contract_id,
                                 earlier.c.status == "pending", earlier.c.id < m.id)))
        if busy:
            query = query.where(m.tenant_id.not_in(busy))
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(m.id).limit(limit)).all()
        futures = []
        for row in rows:
            if self._stop.is_set():
                break
            keys: list[tuple[Key, int]] = [(("mail-tenant", row.tenant_id), PER_TENANT)]
            if not self.slots.take(keys):
                continue
            if not self._lease(s.emails, row.id, row.attempts, now):
                self.slots.give(keys)
                continue
            futures.append(self._submit(keys, partial(self._mail, row)))
        return futures

    def _mail(self, row: Any) -> None:
        error = email_problem(row)
        poison = error is not None
        if error is None:
            try:
                self._send(row)
            except (OSError, smtplib.SMTPException, TermlineError) as exc:
                error = f"{type(exc).__name__}: {exc}"[:EXCERPT]
                # the server refused the recipient itself: trying again will not help
                poison = isinstance(exc, smtplib.SMTPRecipientsRefused)
            except (ValueError, TypeError, UnicodeError) as exc:  # the message cannot be built
                error, poison = f"{type(exc).__name__}: {exc}"[:EXCERPT], True
        attempts = row.attempts + 1
        done = self.clock()
        again = retry_at(done, attempts) if error and not poison else None
        if error:
            log.warning("e-mail %s failed (attempt %d): %s", row.msg_id, attempts, error)
        m = s.emails.c
        with self.engine.begin() as conn:
            conn.execute(update(s.emails).where(m.id == row.id).values(
                status="sent" if error is None else ("pending" if again else "failed"),
                attempts=attempts, sent_at=done if error is None else None,
                next_attempt_at=again or done, last_error=error))

    def message(self, row: Any) -> EmailMessage:
        msg = EmailMessage()
        msg["From"] = getattr(row, "from_addr", None) or self.mail.sender
        msg["To"] = row.to_addr
        msg["Subject"] = row.subject
        msg["Message-ID"] = f"<{row.msg_id}@termline>"
        msg["Date"] = format_datetime(_aware(row.created_at, self.clock()))
        msg["X-Termline-Kind"] = row.kind
        msg.set_content(row.body)
        if self.attach is not None and getattr(row, "attachments", None):
            for name, media_type, content in self.attach(row):
                maintype, _, subtype = media_type.partition("/")
                msg.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
        return msg

    def _send(self, row: Any) -> None:
        msg = self.message(row)
        if self.mail.smtp_url is None:
            self.mail.outbox_dir.mkdir(parents=True, exist_ok=True)
            target = self.mail.outbox_dir / f"{row.msg_id}.eml"
            partial = target.with_suffix(".part")
            partial.write_bytes(msg.as_bytes())
            partial.replace(target)
            return
        parts = urlsplit(self.mail.smtp_url)
        with smtplib.SMTP(parts.hostname or "localhost", parts.port or 25,
                          timeout=SMTP_TIMEOUT) as smtp:
            if parts.scheme == "smtp+starttls":
                smtp.starttls()
            if parts.username:
                smtp.login(parts.username, parts.password or "")
            smtp.send_message(msg)


def _aware(value: datetime, like: datetime) -> datetime:
    """SQLite gives timestamps back without their zone: they were stored in UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=like.tzinfo)
