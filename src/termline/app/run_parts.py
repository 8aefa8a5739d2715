"""What the claiming run (`run`) and a step process (`stepping`) share: the run's report, its
quiet collector, a tenant's tables, how far a contract is stepped and why one is set aside.

Free of the store's driver, so that a step process, which imports this and the pure core only,
starts without SQLAlchemy (`stepping`)."""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from termline.adapters.sql.store_records import RunState, StoredEvent, Tenant
from termline.domain.errors import StepFailed
from termline.domain.mechanisms.pricing.series import IndexTable, from_mapping
from termline.domain.rates.table import RateTable, builtin_rates


@dataclass
class RunReport:
    contracts: int = 0
    days: int = 0
    actions: int = 0
    corrections: int = 0
    conflicts: int = 0
    # contracts whose step failed, by ref: why (see `set_aside`); the rest of the book ran on
    set_aside: dict[str, dict[str, Any]] = field(default_factory=dict)
    # the pipelined run's writer waiting for its step processes, in seconds: a measure for
    # the bench, left out of the JSON, which the same book and days print byte for byte
    step_wait_s: float = field(default=0.0, compare=False)

    def to_json(self) -> dict[str, Any]:
        return {"contracts": self.contracts, "days": self.days, "actions": self.actions,
                "corrections": self.corrections, "conflicts": self.conflicts,
                "set_aside": dict(sorted(self.set_aside.items()))}

    def add(self, other: RunReport) -> None:
        """Count another run (or worker) in."""
        self.contracts += other.contracts
        self.days += other.days
        self.actions += other.actions
        self.corrections += other.corrections
        self.conflicts += other.conflicts
        self.set_aside.update(other.set_aside)
        self.step_wait_s += other.step_wait_s


def tenant_tables(tenant: Tenant) -> tuple[RateTable, IndexTable]:
    source = f"tenant {tenant.name}"
    return (builtin_rates().merged(tenant.settings.get("statutory_rates", {}), source),
            from_mapping(tenant.settings.get("index_series", {}), source))


def seller_country(tenant: Tenant) -> str | None:
    """The seller's country for VAT: the tenant profile's (the one its documents name)."""
    profile = tenant.settings.get("profile") or {}
    country = profile.get("country")
    return str(country) if country else None


QUIET = (50_000, 20, 100)  # the collector's thresholds during a run


@contextmanager
def quiet_collector() -> Iterator[None]:
    """The garbage collector made cheap for the length of a run: what is loaded when it starts
    (modules, policies, caches) is frozen out of the collections, and a collection waits for
    50,000 new objects instead of 700. A contract day makes thousands of short-lived records
    and no reference cycles; the collector was a fifth of the run's time. Both are undone
    after the run, so a long-lived process (the service, the test suite) still collects its
    cyclic garbage (engines, connections) as before."""
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(*QUIET)
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


def wave_bound(old: RunState, until: date) -> date:
    """How far a claimed contract is stepped: to its due day, not past it (`Repository.wave`:
    the book moves a day at a time, so no document of a later day is numbered before one of
    an earlier day); a contract due later than its wake said is claimed again then."""
    return min(until, max(old.next_due, old.cursor + timedelta(days=1)))


def why_set_aside(exc: BaseException, day: object, events: Sequence[StoredEvent], cursor: date
             ) -> dict[str, Any]:
    """Why a contract was set aside, for the operator: the error, the day, that day's events,
    and the last day its run had stored (`cursor`)."""
    cause = exc.cause if isinstance(exc, StepFailed) else exc
    message = str(cause).strip().splitlines()[0] if str(cause).strip() else ""
    return {"error": f"{type(cause).__name__}: {message}" if message else type(cause).__name__,
            "day": day.isoformat() if isinstance(day, date) else None,
            "events": getattr(exc, "event_ids", None)
            or [e.id for e in events if isinstance(day, date) and e.event.date == day],
            "cursor": cursor.isoformat()}
