"""Reading a scenario file: located errors, pack resolution, overrides applied per contract."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from termline.domain.contract.checks import event_problems
from termline.domain.contract.event_kinds import event_adapter
from termline.domain.contract.model import (
    BROADCAST,
    BroadcastBase,
    Contract,
    EventBase,
    event_sort_key,
)
from termline.domain.errors import InputError, ScenarioError
from termline.domain.policy.policy_file import apply_overrides
from termline.domain.policy.schema import Policy
from termline.domain.text.textfile import read_text
from termline.domain.text.yamlsource import Located, pydantic_error, read_yaml


class _ScenarioFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    policy: str
    until: date
    index_series: dict[str, dict[str, Any]] = Field(default_factory=dict)
    statutory_rates: dict[str, dict[str, Any]] = Field(default_factory=dict)
    contracts: list[dict[str, Any]] = Field(min_length=1)
    events: list[dict[str, Any]] = Field(default_factory=list)


@dataclass(frozen=True)
class Scenario:
    policy_ref: str
    until: date
    contracts: tuple[Contract, ...]
    policies: dict[str, Policy]
    events: tuple[EventBase, ...]
    statutory_rates: dict[str, dict[str, Any]]
    index_series: dict[str, dict[str, Any]]
    source: str
    digest: str = ""  # of the file's text: the identity of its events in a store


def load_scenario(path: str | Path) -> Scenario:
    p = Path(path)
    text = read_text(p, "scenario", ScenarioError)
    return parse_scenario(text, str(p), base_dir=p.parent)


def parse_scenario(text: str, source: str = "<scenario>", base_dir: Path | None = None) -> Scenario:
    located = read_yaml(text, source, ScenarioError)
    if not isinstance(located.data, dict):
        raise ScenarioError("a scenario is a YAML mapping", source=source, line=1)
    try:
        head = _ScenarioFile.model_validate(located.data)
    except ValidationError as exc:
        raise pydantic_error(exc, located, ScenarioError) from None
    contracts = _contracts(head, located)
    policies = _policies(head, contracts, located, base_dir)
    events = _events(head, located, {c.id: c for c in contracts}, policies)
    return Scenario(
        policy_ref=head.policy, until=head.until, contracts=contracts, policies=policies,
        events=tuple(sorted(events, key=event_sort_key)),
        statutory_rates=head.statutory_rates, index_series=head.index_series, source=source,
        digest=hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )


def _contracts(head: _ScenarioFile, located: Located) -> tuple[Contract, ...]:
    out: list[Contract] = []
    seen: set[str] = set()
    for i, raw in enumerate(head.contracts):
        out.append(scenario_contract(i, raw, located, seen))
    return tuple(out)


def scenario_contract(i: int, raw: Any, located: Located, seen: set[str]) -> Contract:
    """The scenario's i-th contract, its id added to `seen` (the ids before it)."""
    try:
        contract = Contract.model_validate(raw)
    except ValidationError as exc:
        raise pydantic_error(exc, located, ScenarioError, prefix=("contracts", i)) from None
    if contract.id in seen:
        raise ScenarioError(f"contract id {contract.id!r} appears twice", source=located.source,
                            line=located.line_of(["contracts", i, "id"]),
                            field=f"contracts.{i}.id")
    seen.add(contract.id)
    return contract


def _policies(head: _ScenarioFile, contracts: tuple[Contract, ...], located: Located,
              base_dir: Path | None) -> dict[str, Policy]:
    return {contract.id: scenario_policy(i, contract, head.policy, located, base_dir)
            for i, contract in enumerate(contracts)}


def scenario_policy(i: int, contract: Contract, default: str, located: Located,
                    base_dir: Path | None) -> Policy:
    """The policy of the scenario's i-th contract: its own or the scenario's `default`
    pack, with its overrides."""
    ref = contract.policy or default
    overrides = dict(contract.overrides)
    if contract.billing_period is not None:
        overrides.setdefault("billing.period", str(contract.billing_period))
    try:
        policy = apply_overrides(ref, overrides, source=located.source, base_dir=base_dir)
    except InputError as exc:
        key = "policy" if contract.policy else None
        path: list[str | int] = ["contracts", i, key or "overrides"]
        if exc.field and exc.field.startswith("overrides.") and key is None:
            path = ["contracts", i, "overrides", exc.field.split(".", 1)[1]]
        line = located.line_of(path) if exc.field else located.line_of(["policy"])
        raise ScenarioError(exc.message, source=located.source, line=line,
                            field=f"contracts.{i}." + (exc.field or "policy")) from None
    if contract.trial_days is not None and not policy.trial.offered:
        raise ScenarioError(f"pack {policy.pack!r} offers no trial", source=located.source,
                            line=located.line_of(["contracts", i, "trial_days"]),
                            field=f"contracts.{i}.trial_days")
    return policy


def _events(head: _ScenarioFile, located: Located, contracts: dict[str, Contract],
            policies: dict[str, Policy]) -> list[EventBase]:
    events = [scenario_event(i, raw, located) for i, raw in enumerate(head.events)]
    for i, event in enumerate(events):
        if event.contract == BROADCAST and isinstance(event, BroadcastBase):
            continue
        contract = contracts.get(event.contract)
        for field, message in event_problems(event, contract, policies.get(event.contract)):
            raise ScenarioError(message, source=located.source,
                                line=located.line_of(["events", i, field]),
                                field=f"events.{i}.{field}")
    return events


def scenario_event(i: int, raw: Any, located: Located) -> EventBase:
    """The scenario's i-th event, validated (not yet against its contract)."""
    try:
        return event_adapter().validate_python(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = [i, *first["loc"]]
        if len(loc) >= 2 and first["type"] != "union_tag_invalid":
            loc = [loc[0], *loc[2:]]  # drop the discriminator tag pydantic puts in the path
        if first["type"] == "union_tag_invalid":
            tag = raw.get("type") if isinstance(raw, dict) else None
            raise ScenarioError(
                f"unknown event type {tag!r}", source=located.source,
                line=located.line_of(["events", i, "type"]), field=f"events.{i}.type",
            ) from None
        if first["type"] == "union_tag_not_found":
            raise ScenarioError("event has no 'type'", source=located.source,
                                line=located.line_of(["events", i]),
                                field=f"events.{i}.type") from None
        path = ["events", *loc]
        raise ScenarioError(first["msg"] if first["type"] != "extra_forbidden" else
                            "unknown field (not part of this event type)",
                            source=located.source, line=located.line_of(path),
                            field=".".join(str(p) for p in path)) from None
