"""The served application: the API with the scheduler and the outbox delivery in its
lifespan. `termline serve` builds it in its process; with `--workers N`, uvicorn's worker
processes build it with `app_from_env` (settings passed in TERMLINE_SERVE_* variables) and
the scheduler runs in the one process holding the advisory lock (`app.leader`), woken by
the others through PostgreSQL's LISTEN/NOTIFY (`adapters.sql.doorbell`) when they store an
event, while every process delivers (leases keep a message to one attempt)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import threading
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from uvicorn.protocols.http.auto import AutoHTTPProtocol

from termline.adapters.notify.outbound import Allow
from termline.app.database import Engine

PURGE_EVERY = timedelta(hours=1)
LEASE_ENV = "TERMLINE_DELIVERY_LEASE"


_HTTP: Any = AutoHTTPProtocol  # uvicorn's own choice (httptools when installed, else h11)


class NoDelayHTTP(_HTTP):  # type: ignore[misc]
    """uvicorn's HTTP protocol with TCP_NODELAY on each connection, for `--workers N`.

    With several workers uvicorn binds the listening socket itself as
    `socket.socket(family)`, whose `proto` is 0, and asyncio sets TCP_NODELAY only on
    sockets whose `proto` says TCP: the accepted connections kept Nagle's algorithm, and an
    answer written in two parts (head, body) waited for the client's delayed ACK, about
    40 ms per request (the unexplained 55-100 ms of an idle request with two workers). One
    process binds through `loop.create_server`, which gets it right.
    """

    def connection_made(self, transport: asyncio.Transport) -> None:
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            with contextlib.suppress(OSError):  # not a TCP socket after all
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)


def now() -> datetime:
    return datetime.now(UTC)


def delivery_lease(environ: Mapping[str, str]) -> timedelta:
    """How long one delivery attempt holds its message (`TERMLINE_DELIVERY_LEASE`, in seconds,
    60 by default): a message held by a process that died is tried again once it runs out. A
    lease shorter than an attempt's time-outs (13 s for a webhook) lets a slow attempt be
    made twice: receivers de-duplicate by `webhook-id`, and nothing is ever lost."""
    from termline.domain.errors import TermlineError

    text = environ.get(LEASE_ENV)
    if text is None:
        from termline.adapters.notify.dispatch import LEASE

        return LEASE
    try:
        seconds = float(text)
    except ValueError:
        seconds = 0.0
    if not 1 <= seconds <= 3600:
        raise TermlineError(f"{LEASE_ENV}: {text!r} is not a number of seconds from 1 to 3600")
    return timedelta(seconds=seconds)


def build(engine: Engine, allow: Allow, *, poll: float, batch: int,
          leader: Callable[[], bool] | None = None) -> FastAPI:
    from termline.adapters.notify.dispatch import Dispatcher, MailSettings
    from termline.app import database
    from termline.app.attachments import attacher
    from termline.app.idempotency import purge
    from termline.app.scheduler import Scheduler
    from termline.entrypoints.api.app import create_app

    mail = MailSettings(os.environ.get("TERMLINE_SMTP_URL") or None,
                        Path(os.environ.get("TERMLINE_OUTBOX_DIR") or "outbox"),
                        os.environ.get("TERMLINE_MAIL_FROM") or "termline@localhost")
    dispatcher = Dispatcher(engine, now, mail, poll=poll, attach=attacher(engine), allow=allow,
                            lease=delivery_lease(os.environ))
    purged = [now() - PURGE_EVERY]

    def after_pass(_: Any) -> None:
        dispatcher.wake()  # the pass may have written outbox rows
        if now() - purged[0] >= PURGE_EVERY:  # idempotency keys older than 48 hours
            purge(engine, now())
            purged[0] = now()

    scheduler = Scheduler(database.units_of_work(engine), now, poll=poll, batch=batch,
                          after_pass=after_pass, leader=leader)
    # several processes (PostgreSQL): an event stored here wakes the leader's scheduler
    doorbell = database.doorbell(engine) if leader is not None else None

    def wake() -> None:
        if doorbell is None or scheduler.leading:
            scheduler.wake()
        else:
            doorbell.ring()

    def rung() -> None:
        if scheduler.leading:
            scheduler.wake()

    @asynccontextmanager
    async def lifespan(_: Any) -> AsyncIterator[None]:
        threads = [threading.Thread(target=scheduler.run_forever, name="scheduler"),
                   threading.Thread(target=dispatcher.run_forever, name="delivery")]
        for thread in threads:
            thread.start()
        if doorbell is not None:
            doorbell.start(rung)
        try:
            yield
        finally:
            # SIGTERM: uvicorn has stopped taking requests; the scheduler finishes the batch
            # in hand and claims nothing more, delivery finishes the attempt in hand.
            scheduler.stop()
            dispatcher.stop()
            if doorbell is not None:
                doorbell.stop()
            for thread in threads:
                thread.join()

    future_runs = os.environ.get("TERMLINE_DEV_FUTURE_RUNS") == "1"  # development, tests
    return create_app(engine, now, wake=wake, lifespan=lifespan, outbound=allow,
                      future_runs=future_runs)


def app_from_env() -> FastAPI:
    """The factory uvicorn's worker processes call (the parent upgraded the schema)."""
    import logging

    from termline.app.database import engine as make_engine
    from termline.app.leader import Leader

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    engine = make_engine(os.environ["TERMLINE_DATABASE_URL"])
    return build(engine, Allow.from_env(os.environ),
                 poll=float(os.environ.get("TERMLINE_SERVE_POLL", "1")),
                 batch=int(os.environ.get("TERMLINE_SERVE_BATCH", "50")),
                 leader=Leader(engine).lead)
