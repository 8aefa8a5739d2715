"""Loading packs and policy files, and applying a contract's overrides."""

from __future__ import annotations

import copy
import difflib
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from termline.domain.errors import PolicyError, UnknownPack
from termline.domain.policy.diagnose import model_at
from termline.domain.policy.parameters import _set, with_examples
from termline.domain.policy.schema import Policy
from termline.domain.policy.todo import find_todos
from termline.domain.text.textfile import read_text
from termline.domain.text.yamlsource import Located, pydantic_error, read_yaml

PACKS = "termline.domain.policy.packs"  # the built-in packs, shipped as package data

BUILTIN_PACKS = ("smartconnect", "clientcom", "smartweb", "superoffice", "smarttrackers")


def _validate(located: Located) -> Policy:
    if not isinstance(located.data, dict):
        raise PolicyError("a policy is a YAML mapping", source=located.source, line=1)

    todos = find_todos(located)
    if todos:
        todo = todos[0]
        raise PolicyError(f"{len(todos)} TODO{'' if len(todos) == 1 else 's'} left to write "
                          f"(a draft does not run; `policy check` lists them): {todo.text}",
                          source=located.source, line=todo.line, field=todo.where)
    try:
        return Policy.model_validate(with_examples(located.data, located.source, located))
    except (ValidationError, PolicyError) as exc:
        # every problem as `policy check` finds it: the first, on its field's line, is named
        from termline.domain.policy.check import problems_of

        errors = [p for p in problems_of(located)[1] if p.severity == "error"]
        if not errors:
            if isinstance(exc, PolicyError):
                raise
            raise pydantic_error(exc, located, PolicyError) from None
        first, more = errors[0], len(errors) - 1
        suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
        raise PolicyError(first.message + suffix, source=located.source, line=first.line,
                          field=first.where) from None


@lru_cache(maxsize=32)
def _builtin(name: str) -> tuple[Policy, Any]:
    text = resources.files(PACKS).joinpath(f"{name}.yaml").read_text("utf-8")
    located = read_yaml(text, f"termline/domain/policy/packs/{name}.yaml", PolicyError)
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


def _clause_of(policy: Policy, path: list[str]) -> tuple[str, ...]:
    """The clauses of the innermost rule along `path` (the one that fixes its value)."""
    node: Any = policy
    found: tuple[str, ...] = policy.term.clause if path[:1] == ["term"] else ()
    for key in path:
        if isinstance(node, tuple):
            node = next((s for s in node if getattr(s, "name", None) == key), None)
        else:
            node = getattr(node, key, None)
        if node is None:
            break
        clause = getattr(node, "clause", None)
        if isinstance(clause, tuple) and clause:
            found = clause
    return found


def apply_overrides(policy_ref: str, overrides: dict[str, Any], *, source: str | None = None,
                    base_dir: Path | None = None) -> Policy:
    """The policy with a contract's overrides applied; only paths the pack marks overridable
    or leaves to the contract. A value equal to the policy's own is accepted as it is."""
    policy, raw = _raw(policy_ref, base_dir)
    params = {p.path: p for p in policy.contract_parameters}
    overrides = dotted_overrides(overrides, (*policy.overridable, *params))
    allowed = (*policy.overridable, *params)
    for path, param in params.items():
        if path not in overrides:
            given = [d for d in overrides
                     if not any(d == p or d.startswith(p + ".") for p in allowed)]
            close = difflib.get_close_matches(path, given, n=1)
            hint = f" (it gives {close[0]!r}: did you mean {path!r}?)" if close else ""
            raise PolicyError(
                f"{path} is agreed per contract (clause {', '.join(param.clause)}): the "
                f"contract must give it{hint}", source=source, field=f"overrides.{path}")
    if not overrides:
        return policy
    data = with_examples(copy.deepcopy(raw))
    for dotted, value in sorted(overrides.items()):
        if not any(dotted == p or dotted.startswith(p + ".") for p in allowed):
            if _same(policy, raw, dotted, value):
                continue
            clauses = _clause_of(policy, dotted.split("."))
            fixed = f"clause {', '.join(clauses)} of " if clauses else ""
            close = difflib.get_close_matches(dotted, allowed, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise PolicyError(
                f"not overridable: {fixed}policy {policy.pack!r} fixes it (overridable: "
                f"{', '.join(allowed) or 'none'}){hint}", source=source,
                field=f"overrides.{dotted}",
            )
        _set(data, dotted.split("."), value, f"overrides.{dotted}")
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        message = str(first["msg"]).removeprefix("Value error, ")
        raise PolicyError(f"override makes the policy invalid at {where}: {message}",
                          source=source, field="overrides") from None


def dotted_overrides(overrides: dict[str, Any], allowed: tuple[str, ...]) -> dict[str, Any]:
    """Overrides as dotted paths: `{term: {initial: 12 months}}` is `{term.initial: 12
    months}`. A mapping is opened where it stands for a section of the format (its fields are
    set one by one, the rest of the section kept) or leads to a path contracts may set; a
    mapping the format holds as a value (a price list) is set whole."""
    out: dict[str, Any] = {}

    def section(path: list[str]) -> bool:
        if path[:2] == ["dunning", "steps"]:
            path = path[:2] + path[3:]  # the step's name stands for the list item
            if len(path) == 2:
                return True
        return model_at(Policy, path) is not None

    def walk(dotted: str, value: Any) -> None:
        leads = any(a.startswith(dotted + ".") for a in allowed) and dotted not in allowed
        if isinstance(value, dict) and value and (leads or section(dotted.split("."))):
            for key, sub in value.items():
                walk(f"{dotted}.{key}", sub)
        else:
            out[dotted] = value

    for key, value in overrides.items():
        walk(str(key), value)
    return out


def _same(policy: Policy, raw: Any, dotted: str, value: Any) -> bool:
    """Whether setting `dotted` to `value` leaves the policy as it is."""
    data = with_examples(copy.deepcopy(raw))
    try:
        _set(data, dotted.split("."), value, dotted)
        return Policy.model_validate(data) == policy
    except (PolicyError, ValidationError):
        return False
