"""Intake handlers: tenants, contracts, events and whole scenarios, each all-or-nothing."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from termline.errors import InputError
from termline.policy.schema import Policy
from termline.pricing.series import from_mapping
from termline.rates.table import builtin_rates
from termline.scenario.loader import Scenario
from termline.scenario.model import BROADCAST, Contract, _Broadcast
from termline.service.inputs import LocatedEvent
from termline.service.unit_of_work import UnitOfWork
from termline.store.repository import Repository, StoredContract, Tenant, event_keys


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


def tenant(repo: Repository, name: str | None) -> Tenant:
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


def _add_contracts(repo: Repository, owner: Tenant,
                   contracts: Sequence[tuple[Contract, Policy]]) -> list[int]:
    existing = {c.contract.id for c in repo.contracts(owner.id)}
    ids = []
    for contract, policy in contracts:
        if contract.id in existing:
            raise InputError(f"contract {contract.id!r} is stored already for tenant "
                             f"{owner.name!r}", field="id")
        existing.add(contract.id)
        ids.append(repo.add_contract(owner.id, contract, policy))
    return ids


def add_contracts(uow: UnitOfWork, contracts: Sequence[tuple[Contract, Policy]],
                  tenant_name: str | None = None) -> list[int]:
    with uow:
        ids = _add_contracts(uow.repo, tenant(uow.repo, tenant_name), contracts)
        uow.commit()
    return ids


def check_event(event: Any, contract: Contract | None, where: LocatedEvent | None) -> None:
    """What the scenario loader checks against the contract, for events given to the store."""
    source, line = (where.source, where.line) if where else (None, None)
    if contract is None:
        raise InputError(f"no contract with id {event.contract!r}", source=source, line=line,
                         field="contract")
    if event.date < contract.start:
        raise InputError(f"event dated {event.date} is before contract {contract.id!r} starts "
                         f"({contract.start})", source=source, line=line, field="date")
    if event.type == "seat_change" and event.item not in {ln.item for ln in contract.lines}:
        raise InputError(f"contract {contract.id!r} has no line {event.item!r}", source=source,
                         line=line, field="item")
    if event.type == "trial_converted" and contract.trial_days is None:
        raise InputError(f"contract {contract.id!r} has no trial", source=source, line=line,
                         field="type")


def _add_events(repo: Repository, owner: Tenant, events: Sequence[Any],
                located: Sequence[LocatedEvent | None]) -> tuple[int, int]:
    by_ref: dict[str, StoredContract] = {c.contract.id: c for c in repo.contracts(owner.id)}
    targets: list[int | None] = []
    for event, where in zip(events, located, strict=True):
        if event.contract == BROADCAST and isinstance(event, _Broadcast):
            targets.append(None)
            continue
        stored = by_ref.get(event.contract)
        check_event(event, stored.contract if stored else None, where)
        assert stored is not None
        targets.append(stored.id)
    added = duplicates = 0
    for event, target, key in zip(events, targets, event_keys(events), strict=True):
        if repo.add_event(owner.id, target, event, key) is None:
            duplicates += 1
            continue
        added += 1
        repo.note_event(owner.id, target, event.date)
    return added, duplicates


def add_events(uow: UnitOfWork, events: Sequence[LocatedEvent],
               tenant_name: str | None = None) -> tuple[int, int]:
    """Validate every event against the store, then store them all: (added, already stored)."""
    with uow:
        counts = _add_events(uow.repo, tenant(uow.repo, tenant_name),
                             [e.event for e in events], list(events))
        uow.commit()
    return counts


def import_scenario(uow: UnitOfWork, scenario: Scenario, tenant_name: str | None = None
                    ) -> tuple[int, int]:
    """A scenario's contracts and events in one transaction (its `until` is ignored)."""
    with uow:
        owner = tenant(uow.repo, tenant_name)
        builtin_rates().merged(scenario.statutory_rates, scenario.source)  # validates
        from_mapping(scenario.index_series, scenario.source)
        settings = dict(owner.settings)
        for key in ("statutory_rates", "index_series"):
            extra = getattr(scenario, key)
            if extra:
                merged = {**settings.get(key, {})}
                for country, values in extra.items():
                    merged[country] = {**merged.get(country, {}),
                                       **{str(k): v for k, v in values.items()}}
                settings[key] = merged
        if settings != owner.settings:
            uow.repo.set_tenant_settings(owner.id, settings)
        ids = _add_contracts(uow.repo, owner,
                             [(c, scenario.policies[c.id]) for c in scenario.contracts])
        added, _ = _add_events(uow.repo, owner, scenario.events, [None] * len(scenario.events))
        uow.commit()
    return len(ids), added
