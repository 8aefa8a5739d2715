"""Loading packs and policy files, and applying a contract's overrides."""

from __future__ import annotations

import copy
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from termline.core.textfile import read_text
from termline.core.yamlsource import Located, pydantic_error, read_yaml
from termline.errors import PolicyError, UnknownPack
from termline.policy.schema import Policy

BUILTIN_PACKS = ("smartconnect", "clientcom", "smartweb", "superoffice", "smarttrackers")


def _validate(located: Located) -> Policy:
    if not isinstance(located.data, dict):
        raise PolicyError("a policy is a YAML mapping", source=located.source, line=1)
    try:
        return Policy.model_validate(located.data)
    except ValidationError as exc:
        raise pydantic_error(exc, located, PolicyError) from None


@lru_cache(maxsize=32)
def _builtin(name: str) -> tuple[Policy, Any]:
    text = resources.files("termline.policy.packs").joinpath(f"{name}.yaml").read_text("utf-8")
    located = read_yaml(text, f"termline/policy/packs/{name}.yaml", PolicyError)
    return _validate(located), located.data


def load_pack(name: str) -> Policy:
    if name not in BUILTIN_PACKS:
        raise UnknownPack(f"no built-in pack {name!r} (built-in: {', '.join(BUILTIN_PACKS)})")
    return _builtin(name)[0]


def load_policy_file(path: str | Path) -> Policy:
    p = Path(path)
    if not p.exists():
        raise UnknownPack("cannot read policy file: No such file or directory", source=str(p))
    return _validate(read_yaml(read_text(p, "policy file", PolicyError), str(p), PolicyError))


def _raw(policy_ref: str, base_dir: Path | None) -> tuple[Policy, Any]:
    if policy_ref in BUILTIN_PACKS:
        return _builtin(policy_ref)
    path = Path(policy_ref)
    if base_dir is not None and not path.is_absolute():
        path = base_dir / path
    if not path.exists():
        raise UnknownPack(
            f"{policy_ref!r} is neither a built-in pack ({', '.join(BUILTIN_PACKS)}) nor a file"
        )
    text = read_text(path, "policy file", PolicyError)
    located = read_yaml(text, str(path), PolicyError)
    return _validate(located), located.data


def resolve_policy(policy_ref: str, base_dir: Path | None = None) -> Policy:
    return _raw(policy_ref, base_dir)[0]


def _set(data: Any, path: list[str], value: Any, dotted: str) -> None:
    node = data
    for i, key in enumerate(path):
        last = i == len(path) - 1
        if isinstance(node, list):
            match = [item for item in node if isinstance(item, dict) and item.get("name") == key]
            if not match:
                raise PolicyError(f"no step named {key!r}", field=dotted)
            if last:
                raise PolicyError("a whole step cannot be replaced; set its fields", field=dotted)
            node = match[0]
            continue
        if not isinstance(node, dict):
            raise PolicyError("path goes through a value that has no fields", field=dotted)
        if last:
            node[key] = value
        else:
            if key not in node or node[key] is None:
                node[key] = {}
            node = node[key]


def apply_overrides(policy_ref: str, overrides: dict[str, Any], *, source: str | None = None,
                    base_dir: Path | None = None) -> Policy:
    """The policy with a contract's overrides applied; only paths the pack marks overridable."""
    policy, raw = _raw(policy_ref, base_dir)
    if not overrides:
        return policy
    data = copy.deepcopy(raw)
    for dotted, value in sorted(overrides.items()):
        if not any(dotted == p or dotted.startswith(p + ".") for p in policy.overridable):
            raise PolicyError(
                f"not overridable in pack {policy.pack!r} (overridable: "
                f"{', '.join(policy.overridable) or 'none'})", source=source,
                field=f"overrides.{dotted}",
            )
        _set(data, dotted.split("."), value, f"overrides.{dotted}")
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise PolicyError(f"override makes the policy invalid at {where}: {first['msg']}",
                          source=source, field="overrides") from None
