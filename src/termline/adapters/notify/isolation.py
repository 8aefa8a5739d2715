"""What keeps one tenant's receiver from stalling the others: bounded concurrent attempts per
key (an endpoint, a tenant) and a circuit breaker per endpoint.

Both are in memory, per process: they shape how fast this process tries, while the store's
leases decide who tries a message (`Dispatcher._lease`). Time comes from the dispatcher's
clock, so tests drive the breaker with the clock they give it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

Clock = Callable[[], datetime]
Key = tuple[str, int]  # ("endpoint", id), ("hook-tenant", id), ("circuit", id)...


class Slots:
    """At most `limit` attempts at once per key; `take` all of a message's keys or none."""

    def __init__(self) -> None:
        self._used: dict[Key, int] = {}
        self._lock = threading.Lock()

    def take(self, keys: Sequence[tuple[Key, int]]) -> bool:
        with self._lock:
            if any(self._used.get(key, 0) >= limit for key, limit in keys):
                return False
            for key, _ in keys:
                self._used[key] = self._used.get(key, 0) + 1
            return True

    def give(self, keys: Sequence[tuple[Key, int]]) -> None:
        with self._lock:
            for key, _ in keys:
                left = self._used.get(key, 0) - 1
                if left > 0:
                    self._used[key] = left
                else:
                    self._used.pop(key, None)

    def full(self, limit: int, kind: str) -> list[int]:
        """The ids of the keys `(kind, id)` whose slots are all taken (to leave them out of a
        query)."""
        with self._lock:
            return [key[1] for key, n in self._used.items() if key[0] == kind and n >= limit]


@dataclass
class _Circuit:
    failures: int = 0
    opened_at: datetime | None = None
    probing: bool = False


class Breaker:
    """Per endpoint: closed while it answers; open after `failures` failed attempts in a row
    (nothing is tried for `cool_off`); then half-open: one probe at a time, whose success
    closes it and whose failure opens it again."""

    def __init__(self, clock: Clock, failures: int = 5,
                 cool_off: timedelta = timedelta(seconds=30)) -> None:
        self.clock = clock
        self.failures = failures
        self.cool_off = cool_off
        self._circuits: dict[Key, _Circuit] = {}
        self._lock = threading.Lock()

    def state(self, key: Key) -> str:
        with self._lock:
            circuit = self._circuits.get(key)
            if circuit is None or circuit.opened_at is None:
                return "closed"
            if circuit.probing or self.clock() - circuit.opened_at < self.cool_off:
                return "open"
            return "half-open"

    def allow(self, key: Key) -> bool:
        """May an attempt start now? In half-open, the caller's attempt is the probe."""
        with self._lock:
            circuit = self._circuits.get(key)
            if circuit is None or circuit.opened_at is None:
                return True
            if circuit.probing or self.clock() - circuit.opened_at < self.cool_off:
                return False
            circuit.probing = True
            return True

    def cancel(self, key: Key) -> None:
        """An allowed attempt that did not start (another process took the message)."""
        with self._lock:
            circuit = self._circuits.get(key)
            if circuit is not None:
                circuit.probing = False

    def reset(self, key: Key) -> None:
        """Closed again: the endpoint was enabled again, or answered another process."""
        with self._lock:
            circuit = self._circuits.get(key)
            if circuit is not None and not circuit.probing:
                del self._circuits[key]

    def record(self, key: Key, ok: bool) -> None:
        with self._lock:
            circuit = self._circuits.setdefault(key, _Circuit())
            circuit.probing = False
            if ok:
                self._circuits.pop(key, None)
                return
            circuit.failures += 1
            if circuit.opened_at is not None or circuit.failures >= self.failures:
                circuit.opened_at = self.clock()

    def open_keys(self) -> list[int]:
        """The ids of the keys no attempt may start for now (open, or half-open with a probe
        out)."""
        now = self.clock()
        with self._lock:
            return [key[1] for key, c in self._circuits.items() if c.opened_at is not None
                    and (c.probing or now - c.opened_at < self.cool_off)]
