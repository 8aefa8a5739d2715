"""The served application: the API with the scheduler and the outbox delivery in its
lifespan. `termline serve` builds it in its process; with `--workers N`, uvicorn's worker
processes build it with `app_from_env` (settings passed in TERMLINE_SERVE_* variables) and
the scheduler runs in the one process holding the advisory lock (`app.leader`), woken by
the others through PostgreSQL's LISTEN/NOTIFY (`adapters.sql.doorbell`) when they store an
event, while every process delivers (leases keep a message to one attempt)."""

from __future__ import annotations

import os
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from termline.adapters.notify.outbound import Allow
from termline.app.database import Engine

PURGE_EVERY = timedelta(hours=1)


def now() -> datetime:
    return datetime.now(UTC)


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
    dispatcher = Dispatcher(engine, now, mail, poll=poll, attach=attacher(engine), allow=allow)
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
