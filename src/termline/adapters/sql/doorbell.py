"""The scheduler's doorbell across processes (`termline serve --workers N` on PostgreSQL).

An event stored by a worker process that does not run the scheduler must wake the one that
does (the holder of the advisory lock, `app.leader`) at once, not at its next poll. The
storing process sends `NOTIFY termline_wake` with its schema as the payload (one database may
hold several stores, one per schema); every process listens on a connection of its own and
rings its scheduler's bell for a notification of its schema. PostgreSQL delivers a
notification only after the sending transaction commits, and the event is committed before
the ring, so the woken scheduler finds it.

Rings are sent from a thread of their own: a request never waits for one, and the rings of a
burst of requests go out as one notification. SQLite needs none of this: one process serves
it, and its scheduler's bell is rung in process.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable

import psycopg
from sqlalchemy import Engine, text

log = logging.getLogger("termline.doorbell")
CHANNEL = "termline_wake"
RETRY = 1.0  # seconds before a lost listening connection is opened again


def _schema(engine: Engine) -> str:
    with engine.connect() as conn:
        return str(conn.execute(text("SELECT current_schema()")).scalar_one())


class Doorbell:
    """`ring()` from any thread; `listen(on_ring)` calls `on_ring` for each ring (of any
    process of this store, this one's too) until `stop()`."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.schema = _schema(engine)
        self._stop = threading.Event()
        self._rung = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self, on_ring: Callable[[], None]) -> None:
        self._threads = [threading.Thread(target=self._send, name="doorbell-send", daemon=True),
                         threading.Thread(target=self._listen, args=(on_ring,),
                                          name="doorbell-listen", daemon=True)]
        for thread in self._threads:
            thread.start()

    def ring(self) -> None:
        self._rung.set()

    def stop(self) -> None:
        self._stop.set()
        self._rung.set()
        for thread in self._threads:
            thread.join(timeout=5)

    def _send(self) -> None:
        while True:
            self._rung.wait()
            if self._stop.is_set():
                return
            self._rung.clear()  # rings from now on go out with the next notification
            try:
                with self.engine.begin() as conn:
                    conn.execute(text("SELECT pg_notify(:c, :s)"),
                                 {"c": CHANNEL, "s": self.schema})
            except Exception:  # the scheduler's poll still finds the event
                log.exception("doorbell: could not notify")

    def _listen(self, on_ring: Callable[[], None]) -> None:
        while not self._stop.is_set():
            conn: psycopg.Connection[tuple[object, ...]] | None = None  # closed at the end
            try:
                raw = self.engine.raw_connection()
                listening = raw.driver_connection
                assert listening is not None
                conn = listening
                raw.detach()  # held for as long as the process listens, not the pool's
                listening.autocommit = True
                listening.execute(f"LISTEN {CHANNEL}")
                while not self._stop.is_set():
                    if any(n.payload == self.schema for n in listening.notifies(timeout=0.5)):
                        on_ring()
            except Exception:
                if not self._stop.is_set():
                    log.exception("doorbell: listening failed; again in %s s", RETRY)
                    self._stop.wait(RETRY)
            finally:
                if conn is not None:
                    with contextlib.suppress(Exception):  # gone already
                        conn.close()
