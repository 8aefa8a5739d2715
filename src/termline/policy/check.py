"""`policy check`: every problem of a policy file in one run, each with its line and rule name.

Errors are what the loader refuses (the pydantic models, so the check and the loader never
disagree); warnings are smells of a valid policy: a rule that charges 0 %, an overridable initial
term whose renewal does not follow it, a flag or parameter that changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from pydantic import ValidationError

from termline.core.yamlsource import Located, read_yaml
from termline.errors import PolicyError
from termline.policy.loader import with_examples
from termline.policy.schema import Policy, ladder_problems
from termline.policy.stored import round_trip_problems

Severity = Literal["error", "warning"]
_STEP = re.compile(r"step '(?P<name>[^']+)'")


@dataclass(frozen=True, slots=True)
class Problem:
    severity: Severity
    message: str
    line: int | None = None
    where: str | None = None  # the rule or step by name: "dunning.steps[reminder_2].fee"

    def __str__(self) -> str:
        parts = [f"line {self.line}" if self.line is not None else None,
                 f"field {self.where!r}" if self.where else None]
        where = ", ".join(p for p in parts if p)
        return f"{self.severity}: {where}: {self.message}" if where else \
            f"{self.severity}: {self.message}"

    def to_json(self) -> dict[str, Any]:
        return {"severity": self.severity, "line": self.line, "where": self.where,
                "message": self.message}


def _named(data: Any, path: Sequence[str | int]) -> str:
    """A pydantic location as text, list items by their name where they have one."""
    out = ""
    node = data
    for key in path:
        if isinstance(key, int):
            item = node[key] if isinstance(node, list) and key < len(node) else None
            label = None
            if isinstance(item, dict):
                label = item.get("name") or item.get("item") or item.get("clause")
            out += f"[{label}]" if isinstance(label, str) else f"[{key}]"
            node = item
        else:
            out += f".{key}" if out else key
            node = node.get(key) if isinstance(node, dict) else None
    return out


def _step_line(located: Located, path: Sequence[str | int], name: str) -> int | None:
    """The line of the list item called `name` below `path` (a dunning step, a tier...)."""
    node: Any = located.data
    for key in path:
        node = node.get(key) if isinstance(node, dict) else None
    candidates: list[tuple[list[str | int], Any]] = [(list(path), node)]
    while candidates:
        where, item = candidates.pop()
        if isinstance(item, list):
            for i, sub in enumerate(item):
                if isinstance(sub, dict) and sub.get("name") == name:
                    return located.line_of([*where, i])
                candidates.append(([*where, i], sub))
        elif isinstance(item, dict):
            candidates.extend(([*where, k], v) for k, v in item.items())
    return None


def _errors(exc: ValidationError, located: Located) -> list[Problem]:
    problems = []
    for error in exc.errors():
        loc = [p for p in error["loc"]
               if not (isinstance(p, str) and (p.startswith("function-") or "[" in p))]
        path = [p for p in loc if isinstance(p, (str, int))]
        message = str(error["msg"]).removeprefix("Value error, ")
        if error.get("type") == "extra_forbidden":
            message = "unknown field (not part of the format)"
        where = _named(located.data, path) or None
        for part in message.split("\n"):
            line = located.line_of(path)
            step = _STEP.search(part)
            if step:
                line = _step_line(located, path, step.group("name")) or line
            problems.append(Problem("error", part, line, where))
    return problems


def _ladder(located: Located, known: set[str]) -> list[Problem]:
    """The ladder's problems when a bad step field kept the model from checking the ladder."""
    dunning = located.data.get("dunning")
    steps = dunning.get("steps") if isinstance(dunning, dict) else None
    if not isinstance(steps, list) or not all(isinstance(s, dict) for s in steps):
        return []
    out = []
    for message in ladder_problems(steps):
        if message in known:
            continue
        step = _STEP.search(message)
        line = _step_line(located, ["dunning"], step.group("name")) if step else None
        out.append(Problem("error", message, line or located.line_of(["dunning", "steps"]),
                           "dunning.steps"))
    return out


def check_text(text: str, source: str) -> tuple[Policy | None, list[Problem]]:
    """The policy (None if invalid) and every problem found, errors first, in line order."""
    try:
        located = read_yaml(text, source, PolicyError)
    except PolicyError as exc:
        return None, [Problem("error", exc.message, exc.line)]
    if not isinstance(located.data, dict):
        return None, [Problem("error", "a policy is a YAML mapping", 1)]
    try:
        data = with_examples(located.data, located.source, located)
    except PolicyError as exc:
        return None, [Problem("error", exc.message, exc.line, exc.field)]
    try:
        policy = Policy.model_validate(data)
    except ValidationError as exc:
        problems = _errors(exc, located)
        problems += _ladder(located, {p.message for p in problems})
        return None, sorted(problems, key=lambda p: (p.line or 0))
    kept = [Problem("error", message, None, None) for message in round_trip_problems(policy)]
    if kept:
        return None, kept
    return policy, sorted(smells(policy, located), key=lambda p: (p.line or 0))


def smells(policy: Policy, located: Located) -> list[Problem]:
    """Warnings about a valid policy: it loads, but probably does not say what was meant."""
    found: list[Problem] = []

    def warn(message: str, *path: str | int) -> None:
        found.append(Problem("warning", message, located.line_of(path),
                             _named(located.data, path)))

    zero = Decimal(0)
    for i, step in enumerate(policy.dunning.steps):
        for name in ("fee", "percent_of_principal", "minimum_fee"):
            value = getattr(step, name)
            if value is not None and value == zero:
                warn(f"step '{step.name}': {name} 0 charges nothing; leave it out, or use "
                     "kind: hand_over for a step that charges nothing", "dunning", "steps", i,
                     name)
        if not step.enabled and step.delay.number:
            warn(f"step '{step.name}': a delay on a step that is switched off changes nothing",
                 "dunning", "steps", i, "delay")
    if policy.interest.rate is not None and policy.interest.rate == zero:
        warn("interest rate 0 charges nothing; use method: none", "interest", "rate")
    if policy.interest.method == "none" and policy.interest.rate is not None:
        warn("a rate with method: none changes nothing", "interest", "rate")
    overridable = set(policy.overridable)
    if ("term.initial" in overridable and "term.renewal" not in overridable
            and policy.term.renewal != "initial" and "term" not in overridable):
        warn("term.initial is overridable but term.renewal is not: a contract with another "
             "initial term keeps the pack's renewal; write renewal: initial or make "
             "term.renewal overridable too", "overridable")
    if not policy.trial.offered and policy.trial.default_days is not None:
        warn("trial.default_days with offered: false changes nothing", "trial", "default_days")
    for party in ("customer", "provider"):
        notice = getattr(policy.termination, party)
        if not notice.allowed and notice.period is not None:
            warn(f"termination.{party}.period with allowed: false changes nothing",
                 "termination", party, "period")
        if notice.before_invoice_dispatch and notice.effect != "term_end":
            warn(f"termination.{party}.before_invoice_dispatch only applies to effect: "
                 "term_end", "termination", party, "before_invoice_dispatch")
    if policy.dunning.restore_clause is not None and not any(
            s.kind == "suspension" for s in policy.dunning.steps):
        warn("dunning.restore_clause without a suspension step changes nothing", "dunning",
             "restore_clause")
    if not policy.provider_termination.enabled and policy.provider_termination.delay.number:
        warn("a delay on a switched-off right changes nothing", "provider_termination", "delay")
    cap = policy.prices.increase_cap if policy.prices is not None else None
    if (cap is not None and cap.below_list_price_only and not cap.list_prices
            and not any("prices.increase_cap".startswith(p) or
                        p.startswith("prices.increase_cap.list_prices") for p in overridable)):
        warn("below_list_price_only without list_prices (and not overridable) caps nothing",
             "prices", "increase_cap", "below_list_price_only")
    for path in policy.overridable:
        head = path.split(".")[0]
        if head not in type(policy).model_fields:
            warn(f"overridable path {path!r} names no section of the format", "overridable")
    return found
