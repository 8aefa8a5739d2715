"""Health, the built-in policies, the caller's tenant, and `simulate` (nothing stored)."""

from __future__ import annotations

import json
from typing import Annotated, Any

import yaml
from fastapi import APIRouter, Path

from termline.app import answers
from termline.app.health import store_health
from termline.domain.errors import InputError
from termline.domain.policy.policy_file import BUILTIN_PACKS, load_pack
from termline.entrypoints.api.deps import Admin, Ctx, Reader
from termline.entrypoints.api.models import Health, SimulateIn, TenantOut, TenantPatch
from termline.entrypoints.api.problems import Problem, errors

router = APIRouter()
Pack = Annotated[str, Path(description="A built-in pack name.", max_length=100)]


@router.get("/v1/health", response_model=Health, tags=["meta"], responses=errors(503, keyed=False))
def health(ctx: Ctx) -> dict[str, Any]:
    """200 once the store is reachable (no key needed)."""
    try:
        database, revision = store_health(ctx.engine)
    except Exception as exc:  # any database failure is "not reachable"
        raise Problem(503, f"the store is not reachable: {type(exc).__name__}",
                      kind="unavailable") from None
    return {"status": "ok", "database": database, "revision": revision}


def _pack(name: str) -> Any:
    if name not in BUILTIN_PACKS:
        raise Problem(404, f"no built-in pack {name!r}", field="pack", kind="not-found")
    return load_pack(name)


@router.get("/v1/policies", tags=["policies"], responses=errors(401, 403))
def list_policies(who: Reader) -> dict[str, Any]:
    """The built-in packs."""
    data = [{"pack": p.pack, "currency": p.currency, "source": p.source.model_dump(mode="json")}
            for p in (load_pack(name) for name in BUILTIN_PACKS)]
    return {"data": data, "has_more": False}


@router.get("/v1/policies/{pack}", tags=["policies"], responses=errors(401, 403, 404))
def show_policy(pack: Pack, who: Reader) -> dict[str, Any]:
    """A pack's rules, each with its clauses."""
    from termline.entrypoints.cli import render

    policy = _pack(pack)
    return {"pack": policy.pack, "source": policy.source.model_dump(mode="json"),
            "rules": render.policy_rules(policy)}


@router.get("/v1/policies/{pack}/coverage", tags=["policies"], responses=errors(401, 403, 404))
def policy_coverage(pack: Pack, who: Reader) -> dict[str, Any]:
    """Every operational clause of the pack's T&Cs: implemented, later or not operational."""
    policy = _pack(pack)
    return {"data": [entry.model_dump(mode="json", exclude_none=True)
                     for entry in policy.coverage], "has_more": False}


@router.get("/v1/tenant", response_model=TenantOut, tags=["tenant"], responses=errors(401, 403))
def get_tenant(who: Reader, ctx: Ctx) -> dict[str, Any]:
    """The caller's tenant: its time zone and what its notices say and where they go."""
    return answers.tenant_settings(ctx.uow(), who.tenant_name)


@router.patch("/v1/tenant", response_model=TenantOut, tags=["tenant"],
              responses=errors(401, 403, 422))
def patch_tenant(body: TenantPatch, who: Admin, ctx: Ctx) -> dict[str, Any]:
    """Set the terms URL the e-mails cite, the renewal reminder's lead (days before each
    notice deadline) and the address for the service's own notices (admin scope)."""
    return answers.set_tenant_settings(ctx.uow(), who.tenant_name,
                                       body.model_dump(exclude_unset=True))


def _builtin_only(scenario: dict[str, Any]) -> None:
    """A scenario sent over HTTP names built-in packs only (a path would read server files)."""
    refs = [("scenario.policy", scenario.get("policy"))]
    contracts = scenario.get("contracts")
    if isinstance(contracts, list):
        refs += [(f"scenario.contracts.{i}.policy", c.get("policy"))
                 for i, c in enumerate(contracts) if isinstance(c, dict)]
    for field, ref in refs:
        if ref is not None and ref not in BUILTIN_PACKS:
            raise Problem(422, f"not a built-in pack: {ref!r}", field=field,
                          kind="invalid-input")


@router.post("/v1/simulate", tags=["simulate"], responses=errors(401, 403, 404, 422))
def simulate(body: SimulateIn, who: Reader, ctx: Ctx) -> dict[str, Any]:
    """A what-if; nothing is stored or sent. Either a scenario (the scenario file as JSON) in,
    its actions and balances out (horizon: the scenario's `until`, or `until` here); or a
    stored `contract` with hypothetical `events`: its stored events and policy as they are,
    the new ones added, its actions and balance to `until`."""
    from termline.app.whatif import NotFound, what_if
    from termline.domain.contract.scenario_file import parse_scenario
    from termline.domain.engine.simulate import simulate_scenario

    if body.contract is not None:
        assert body.until is not None
        try:
            return what_if(ctx.uow(), who.tenant_id, body.contract, list(body.events),
                           body.until).to_json()
        except NotFound as exc:
            raise Problem(404, exc.message, field="contract", kind="not-found") from None
        except InputError as exc:
            raise Problem(422, exc.message, field=exc.field, kind="invalid-input") from None
    assert body.scenario is not None
    _builtin_only(body.scenario)
    scenario = dict(body.scenario)
    if body.until is not None:
        scenario["until"] = body.until.isoformat()
    try:
        loaded = parse_scenario(yaml.safe_dump(json.loads(json.dumps(scenario, default=str))),
                                "request body")
        if len(loaded.contracts) > 50 or any(
                (loaded.until - c.start).days > 3660 for c in loaded.contracts):
            raise Problem(422, "at most 50 contracts over at most ten years each",
                          field="scenario.until", kind="invalid-input")
        result = simulate_scenario(loaded)
    except InputError as exc:
        raise Problem(422, exc.message, field=f"scenario.{exc.field}" if exc.field
                      else "scenario", kind="invalid-input") from None
    data: dict[str, Any] = result.to_json()
    return data
