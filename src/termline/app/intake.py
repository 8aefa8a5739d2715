"""Intake handlers: tenants, contracts, events and whole scenarios, each all-or-nothing."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import uuid4
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel
from sqlalchemy import Connection, update
from sqlalchemy.exc import DBAPIError

from termline.adapters.sql import event_batch
from termline.adapters.sql import tables as t
from termline.adapters.sql.repository import StoredContract, Tenant, digest
from termline.adapters.sql.sql_rows import connection
from termline.adapters.sql.store_records import customer_key
from termline.app.inputs import LocatedEvent
from termline.app.naming import resolve
from termline.app.ports import Store, UnitOfWork
from termline.app.run_parts import tenant_tables
from termline.domain.contract.checks import event_problems
from termline.domain.contract.model import BROADCAST, BroadcastBase, Contract, EventBase
from termline.domain.contract.scenario_file import Scenario
from termline.domain.errors import InputError
from termline.domain.mechanisms.pricing.series import IndexTable, from_mapping
from termline.domain.policy.schema import Policy
from termline.domain.rates.table import builtin_rates


class UnknownTenant(InputError):
    """No tenant has that name, or no name was given and the store has none or several."""


def add_tenant(uow: UnitOfWork, name: str, timezone: str = "UTC") -> int:
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(f"unknown time zone {timezone!r}", field="--timezone") from None
    with uow:
        if uow.repo.tenant(name) is not None:
            raise InputError(f"tenant {name!r} exists already", field="name")
        tenant_id = uow.repo.add_tenant(name, timezone, {})
        uow.commit()
    return tenant_id


def tenant(repo: Store, name: str | None) -> Tenant:
    """The named tenant; without a name the store's only tenant. Never creates one: a book
    filed under a tenant nobody chose is a book nobody finds."""
    if name is not None:
        found = repo.tenant(name)
        if found is not None:
            return found
    known = sorted(tn.name for tn in repo.tenants())
    if name is None and len(known) == 1:
        found = repo.tenant(known[0])
        assert found is not None
        return found
    listed = f"tenants: {', '.join(known)}" if known else "the store has no tenant"
    if name is not None:
        raise UnknownTenant(f"no tenant {name!r} ({listed}; add one with `termline tenant "
                            "add NAME`)", field="--tenant")
    if not known:
        raise UnknownTenant("the store has no tenant: add one first with `termline tenant add "
                            "NAME --timezone ZONE`", field="--tenant")
    raise UnknownTenant(f"the store has {len(known)} tenants ({', '.join(known)}): choose one "
                        "with --tenant NAME or TERMLINE_TENANT", field="--tenant")


def _add_contracts(repo: Store, owner: Tenant,
                   contracts: Sequence[tuple[Contract, Policy]], chunk: int = 5000) -> list[int]:
    """Store the contracts a chunk at a time (`store.bulk`), refusing a ref stored already."""
    versions: dict[int, int] = {}  # id(policy) -> stored version: a scenario shares policies
    ids: list[int] = []
    seen: set[str] = set()
    for first in range(0, len(contracts), chunk):
        part = contracts[first:first + chunk]
        stored = repo.stored_refs(owner.id, {c.id for c, _ in part})
        for contract, _ in part:
            if contract.id in seen or contract.id in stored:
                raise InputError(f"contract {contract.id!r} is stored already for tenant "
                                 f"{owner.name!r}", field="id")
            seen.add(contract.id)
        customers = repo.customers(owner.id, (c.customer for c, _ in part))
        rows = []
        for contract, policy in part:
            if id(policy) not in versions:
                versions[id(policy)] = repo.policy_version(policy)
            rows.append((contract, policy, versions[id(policy)],
                         customers[customer_key(contract.customer)]))
        ids += repo.add_contracts(owner.id, rows)
    return ids


def add_contracts(uow: UnitOfWork, contracts: Sequence[tuple[Contract, Policy]],
                  tenant_name: str | None = None, added_at: datetime | None = None
                  ) -> list[int]:
    """Store the contracts; `added_at` (now) keeps notices from going out for actions dated
    before the tenant's local day of it (`mark_added`)."""
    with uow:
        owner = tenant(uow.repo, tenant_name)
        ids = _add_contracts(uow.repo, owner, contracts)
        if added_at is not None:
            mark_added(connection(uow.repo), ids, local_day(owner, added_at))
        uow.commit()
    return ids


def local_day(owner: Tenant, at: datetime) -> date:
    return at.astimezone(ZoneInfo(owner.timezone)).date()


def mark_added(conn: Connection, contract_ids: Sequence[int], day: date) -> None:
    for first in range(0, len(contract_ids), 1000):
        conn.execute(update(t.contracts).where(t.contracts.c.id.in_(
            contract_ids[first:first + 1000])).values(added_on=day))


def check_event(event: EventBase, contract: StoredContract | None, policy: Policy | None,
                indices: IndexTable | None, where: LocatedEvent | None) -> None:
    """What `simulate` checks of an event against its contract, for events given to the store;
    with the tenant's index data, also what a price change will need."""
    source, line = (where.source, where.line) if where else (None, None)
    for field, message in event_problems(event, contract.contract if contract else None,
                                         policy, indices):
        raise InputError(message, source=source, line=line, field=field)


def event_key(event: EventBase, origin: str | None, position: int) -> str:
    """An event's identity in the log, the natural key that keeps it from being stored twice.

    The sender's `reference` when it gives one (the same reference twice is one event);
    otherwise its place in the file it came from (`origin`: the file's content hash), so the
    same file imported twice is applied once; otherwise (a single `event add`) a fresh
    identity: two identical transfers on one day are two payments.
    """
    if event.reference is not None:
        return "ref:" + digest(event.reference)[:60]
    if origin is not None:
        return f"src:{origin[:40]}:{position}"
    return "one:" + uuid4().hex


# The API's check of each event, in the transaction that stores it: (unit of work, tenant,
# event, its stored contract or None, that contract's policy or None, the tenant's index
# data, its position in the request). It raises to refuse; it replaces `check_event`.
Check = Callable[[UnitOfWork, Tenant, EventBase, StoredContract | None, Policy | None,
                  IndexTable, int], None]
# Up to this many events are checked against their own contracts, looked up one by one (the
# API's requests); more, or a broadcast, read the tenant's contracts once (files).
FEW = 20


def _add_events(uow: UnitOfWork, owner: Tenant, events: Sequence[EventBase],
                located: Sequence[LocatedEvent | None], origin: str | None,
                check: Check | None = None, defer: bool = False) -> tuple[int, int]:
    repo = uow.repo
    by_ref: dict[str, StoredContract | None] = {}
    if len(events) > FEW or any(e.contract == BROADCAST for e in events):
        by_ref.update((c.contract.id, c) for c in repo.contracts(owner.id))
        everyone = True
    else:
        everyone = False

    def contract_of(ref: str) -> StoredContract | None:
        if ref not in by_ref and not everyone:
            found = repo.contracts(owner.id, ref)
            by_ref[ref] = found[0] if found else None
        return by_ref.get(ref)

    policies: dict[int, Policy] = {}

    def policy_of(stored: StoredContract) -> Policy:
        if stored.policy_version_id not in policies:
            policies[stored.policy_version_id] = repo.policy(stored.policy_version_id)
        return policies[stored.policy_version_id]

    indices = tenant_tables(owner)[1]
    targets: list[int | None] = []
    for position, (event, where) in enumerate(zip(events, located, strict=True)):
        if event.contract == BROADCAST and isinstance(event, BroadcastBase):
            # a contract that starts later is not checked: of the checks only the date (not
            # before the start) depends on it, and a list price dated before the start is
            # taken on the start day (`received_on`), any other broadcast never
            for stored in by_ref.values():
                if stored is not None and event.date >= stored.contract.start:
                    check_event(event, stored, policy_of(stored), indices, where)
            if check is not None:
                check(uow, owner, event, None, None, indices, position)
            targets.append(None)
            continue
        found = contract_of(event.contract)
        policy = policy_of(found) if found else None
        if check is not None:
            check(uow, owner, event, found, policy, indices, position)
        else:
            check_event(event, found, policy, indices, where)
        assert found is not None
        targets.append(found.id)
    added = duplicates = 0
    for position, (event, target, where) in enumerate(zip(events, targets, located,
                                                          strict=True)):
        key = event_key(event, origin, where.line if where and where.line else position)
        event = resolve(repo, owner.id, event)
        if repo.add_event(owner.id, target, event, key) is None:
            _same_as_stored(repo, owner, event, key, where)
            duplicates += 1
            continue
        added += 1
        if defer:
            repo.defer_note(owner.id, target, event.date)
        else:
            repo.note_event(owner.id, target, event.date)
    return added, duplicates


class ReferenceTaken(InputError):
    """The event's reference names another event already stored (a conflict with the log)."""


def request_origin(idempotency_key: str, events: Sequence[BaseModel]) -> str:
    """The identity of a request's events when it gives an `Idempotency-Key`: the key with the
    events themselves, so a retry of the request (after the server died between storing and
    answering, or after the key's reservation expired) is applied once, and the key reused
    later for other events is another request."""
    text = idempotency_key + "\n" + "\n".join(e.model_dump_json(by_alias=True) for e in events)
    return "idem" + digest(text)[:36]


def _same_as_stored(repo: Store, owner: Tenant, event: EventBase, key: str,
                    where: LocatedEvent | None) -> None:
    """A reference already stored must name the same event, or the sender has two."""
    if event.reference is None:
        return
    stored = repo.event_key_payload(owner.id, key)
    if stored is not None and stored != event.model_dump_json(by_alias=True):
        raise ReferenceTaken(f"reference {event.reference!r} names another stored event: "
                         f"{stored}", source=where.source if where else None,
                         line=where.line if where else None, field="reference")


def add_events(uow: UnitOfWork, events: Sequence[LocatedEvent],
               tenant_name: str | None = None, origin: str | None = None,
               check: Check | None = None, defer: bool = False,
               owner: Tenant | None = None) -> tuple[int, int]:
    """Validate every event against the store, then store them all: (added, already stored).

    `origin` identifies the file they come from (its content hash; see `event_key`), or the
    request (its idempotency key with the events: `request_origin`). `check` replaces the
    checks against the contract (the API's, which answer 404 and 422 and ask the terms).
    `defer` leaves the events' contracts to be made due by the run (`Runs.defer_note`): the
    service, whose scheduler takes the notes at each pass, so that a request never waits for
    a batch the scheduler holds. `owner`: the tenant as the caller read it already (the API's,
    with the key), instead of by `tenant_name`.
    """
    with uow:
        counts = _add_events(uow, owner or tenant(uow.repo, tenant_name),
                             [e.event for e in events], list(events), origin, check, defer)
        uow.commit()
    return counts


@dataclass(frozen=True)
class EventRequest:
    """One API request storing one event: its tenant (as read with the caller's key), the
    event, its origin (`request_origin`) and the API's check."""
    owner: Tenant
    event: EventBase
    origin: str | None
    check: Check


def add_requests(new_uow: Callable[[], UnitOfWork], batch: Sequence[EventRequest]
                 ) -> list[tuple[int, int] | Exception]:
    """`add_events` of one event for each request of a batch, in one transaction: their
    contracts with their policies in one select, each request checked on its own (one refused
    answers its own error and stores nothing, the others go on), the events in one insert,
    their notes in one. Each answer is (added, already stored) or the error of that request.
    A failure of the transaction itself (a concurrent write, the database) runs each request
    alone, as `add_events`, so that one request's trouble is its own."""
    alone = [n for n, r in enumerate(batch) if r.event.contract == BROADCAST]
    together = [n for n, r in enumerate(batch) if r.event.contract != BROADCAST]
    answers: list[tuple[int, int] | Exception | None] = [None] * len(batch)
    try:
        if together:
            found = _add_requests(new_uow(), [batch[n] for n in together])
            for n, answer in zip(together, found, strict=True):
                answers[n] = answer
    except Exception:  # each request again on its own: its trouble is its own
        alone = list(range(len(batch)))
    for n in alone:
        answers[n] = _alone(new_uow(), batch[n])
    return [a for a in answers if a is not None]


def _alone(uow: UnitOfWork, request: EventRequest) -> tuple[int, int] | Exception:
    try:
        return add_events(uow, [LocatedEvent(request.event, "request body", None)],
                          origin=request.origin, check=request.check, defer=True,
                          owner=request.owner)
    except Exception as exc:  # the request's answer
        return exc


def _add_requests(uow: UnitOfWork, batch: Sequence[EventRequest]
                  ) -> list[tuple[int, int] | Exception]:
    with uow:
        repo = uow.repo
        conn = connection(repo)
        stored = event_batch.contracts(conn, {(r.owner.id, r.event.contract) for r in batch})
        answers: list[tuple[int, int] | Exception] = [(0, 0)] * len(batch)
        indices: dict[int, IndexTable] = {}
        rows: list[tuple[int, int, EventBase, str]] = []  # (request, contract id, event, key)
        for n, r in enumerate(batch):
            if r.owner.id not in indices:
                indices[r.owner.id] = tenant_tables(r.owner)[1]
            found, policy = stored.get((r.owner.id, r.event.contract), (None, None))
            try:
                r.check(uow, r.owner, r.event, found, policy, indices[r.owner.id], 0)
            except DBAPIError:
                raise  # the transaction is lost: the batch again, each request alone
            except Exception as exc:  # this request's refusal, not the others'
                answers[n] = exc
                continue
            assert found is not None  # the check refuses an unknown contract
            rows.append((n, found.id, resolve(repo, r.owner.id, r.event),
                         event_key(r.event, r.origin, 0)))
        first: dict[tuple[int, str], int] = {}
        for n, _, _, key in rows:
            first.setdefault((batch[n].owner.id, key), n)
        new = event_batch.add_events(conn, [
            (batch[n].owner.id, target, event, key) for n, target, event, key in rows
            if first[(batch[n].owner.id, key)] == n])
        notes = []
        for n, target, event, key in rows:
            owner = batch[n].owner
            if first[(owner.id, key)] == n and (owner.id, key) in new:
                answers[n] = (1, 0)
                notes.append((owner.id, target, event.date))
                continue
            try:
                _same_as_stored(repo, owner, event, key, None)
                answers[n] = (0, 1)
            except ReferenceTaken as exc:
                answers[n] = exc
        event_batch.add_notes(conn, notes)
        uow.commit()
    return answers


def merge_scenario_settings(repo: Store, owner: Tenant,
                            statutory_rates: dict[str, dict[str, Any]],
                            index_series: dict[str, dict[str, Any]], source: str) -> Tenant:
    """A scenario's statutory rates and index series, checked and merged into its tenant's
    settings: the tenant as it is now."""
    builtin_rates().merged(statutory_rates, source)  # validates
    from_mapping(index_series, source)
    settings = dict(owner.settings)
    for key, extra in (("statutory_rates", statutory_rates), ("index_series", index_series)):
        if extra:
            merged = {**settings.get(key, {})}
            for country, values in extra.items():
                merged[country] = {**merged.get(country, {}),
                                   **{str(k): v for k, v in values.items()}}
            settings[key] = merged
    if settings != owner.settings:
        repo.set_tenant_settings(owner.id, settings)
        owner = Tenant(owner.id, owner.name, owner.timezone, settings)
    return owner


def import_scenario(uow: UnitOfWork, scenario: Scenario, tenant_name: str | None = None
                    ) -> tuple[int, int]:
    """A scenario's contracts and events in one transaction (its `until` is ignored)."""
    with uow:
        owner = merge_scenario_settings(uow.repo, tenant(uow.repo, tenant_name),
                                        scenario.statutory_rates, scenario.index_series,
                                        scenario.source)
        ids = _add_contracts(uow.repo, owner,
                             [(c, scenario.policies[c.id]) for c in scenario.contracts])
        added, _ = _add_events(uow, owner, scenario.events, [None] * len(scenario.events),
                               scenario.digest)
        uow.commit()
    return len(ids), added
