"""`policy check`: every problem of a policy file in one run, each with its line and rule name.

Errors are what the loader refuses (the pydantic models, so the check and the loader never
disagree); warnings are smells of a valid policy: a rule that charges 0 %, an overridable initial
term whose renewal does not follow it, a flag or parameter that changes nothing.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import TypeAdapter, ValidationError

from termline.domain.errors import PolicyError
from termline.domain.policy.diagnose import (
    cross_field,
    longer,
    overridable_target,
    unknown_field_hint,
    value_hint,
)
from termline.domain.policy.parameters import with_examples
from termline.domain.policy.schema import Policy, ladder_findings
from termline.domain.policy.stored import round_trip_problems
from termline.domain.policy.todo import Todo, covered, find_todos, without_todos
from termline.domain.text.yamlsource import Located, read_yaml

Severity = Literal["error", "warning"]
CONTRACT_LEVEL = ("suspension", "breach_notice", "termination")
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
    """A location as text, list items by their index and name: `dunning.steps[2] (reminder_3)
    .fee` (the index finds it in the file, the name says which rule it is)."""
    out = ""
    node = data
    for key in path:
        if isinstance(key, int):
            item = node[key] if isinstance(node, list) and key < len(node) else None
            label = None
            if isinstance(item, dict):
                label = item.get("name") or item.get("item") or item.get("clause")
            out += f"[{key}] ({label})" if isinstance(label, str) else f"[{key}]"
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


def _at(located: Located, severity: Severity, message: str, path: Sequence[str | int]
        ) -> Problem:
    return Problem(severity, message, located.line_of(path), _named(located.data, path) or None)


def _replaced(loc: Sequence[Any], message: str) -> bool:
    """Errors of the rules over several fields, which the check reports itself, each on the
    line of its field: the policy's own (no location) and the ladder's (at `dunning`)."""
    return not loc or (tuple(loc) == ("dunning",) and message.startswith("step '"))


def _errors(exc: ValidationError, located: Located) -> list[Problem]:
    return _error_list(exc.errors(), located)


def _error_list(errors: Sequence[Any], located: Located) -> list[Problem]:
    problems = []
    for error in errors:
        loc = [p for p in error["loc"]
               if not (isinstance(p, str) and (p.startswith("function-") or "[" in p))]
        path = _without_tags([p for p in loc if isinstance(p, (str, int))], located.data)
        message = str(error["msg"]).removeprefix("Value error, ")
        if _replaced(path, message):
            continue
        if error.get("type") == "extra_forbidden":
            message = "unknown field (not part of the format)" + unknown_field_hint(Policy, path)
        elif error.get("type") == "literal_error":
            message += value_hint(str((error.get("ctx") or {}).get("expected", "")),
                                  error.get("input"))
        where = _named(located.data, path) or None
        for part in message.split("\n"):
            line = located.line_of(path)
            step = _STEP.search(part)
            if step:
                line = _step_line(located, path, step.group("name")) or line
            problems.append(Problem("error", part, line, where))
    return problems


def _without_tags(path: list[str | int], data: object) -> list[str | int]:
    """The path as the file writes it: pydantic puts the tag of a section chosen by its `kind`
    in the location (`liability.basis.paid_in_window.percent`), a key the file has not."""
    out: list[str | int] = []
    node = data
    for key in path:
        if (isinstance(key, str) and isinstance(node, dict) and key not in node
                and node.get("kind") == key):
            continue
        out.append(key)
        if isinstance(node, dict):
            node = node.get(key) if isinstance(key, str) else None
        elif isinstance(node, list) and isinstance(key, int) and key < len(node):
            node = node[key]
        else:
            node = None
    return out


def _ladder(located: Located) -> list[Problem]:
    """The ladder as a whole, each problem on the field of the step at fault; also when a bad
    step field kept the model from checking the ladder."""
    dunning = located.data.get("dunning")
    steps = dunning.get("steps") if isinstance(dunning, dict) else None
    if not isinstance(steps, list) or not all(isinstance(s, dict) for s in steps):
        return []
    return [_at(located, "error", message, ["dunning", "steps", index, field])
            for index, field, message in ladder_findings(steps)]


def _sections(data: dict[str, Any]) -> dict[str, Any]:
    """Each top-level section that validates on its own (its default when absent): the rules
    over several sections run on these, also when another section has errors."""
    out: dict[str, Any] = {}
    for name, info in Policy.model_fields.items():
        key = info.alias or name
        if key not in data:
            if not info.is_required():
                out[name] = info.get_default(call_default_factory=True)
            continue
        annotation: Any = Annotated[(info.annotation, *info.metadata)] if info.metadata \
            else info.annotation
        try:
            out[name] = TypeAdapter(annotation).validate_python(data[key])
        except (ValidationError, ValueError, TypeError):
            continue
    return out


def _filled(located: Located) -> tuple[Any, list[Problem]]:
    """The data with each contract parameter set to its example, and a problem for each value
    the policy also gives (all of them: one does not hide the others)."""
    problems: list[Problem] = []
    data = located.data
    while True:
        try:
            return with_examples(data, located.source, located), problems
        except PolicyError as exc:
            problems.append(Problem("error", exc.message, exc.line, exc.field))
            smaller = _without(data, exc.field.split(".")) if exc.field else data
            if smaller == data:  # nothing more to take out: report what was found
                return data, problems
            data = smaller


def _without(data: Any, path: list[str]) -> Any:
    out = copy.deepcopy(data)
    node = out
    for key in path[:-1]:
        node = node.get(key) if isinstance(node, dict) else None
    if isinstance(node, dict):
        node.pop(path[-1], None)
    return out


def problems_of(located: Located) -> tuple[Policy | None, list[Problem]]:
    """The policy (None if invalid) and every problem of a parsed policy file, in line order:
    the fields' own, the rules over several fields and the ladder's, each on its field's line."""
    if not isinstance(located.data, dict):
        return None, [Problem("error", "a policy is a YAML mapping", 1)]
    data, problems = _filled(located)
    policy: Policy | None = None
    try:
        policy = Policy.model_validate(data)
    except ValidationError as exc:
        problems += _errors(exc, located)
    known = {p.message for p in problems}
    problems += [p for p in _ladder(located) if p.message not in known]
    if isinstance(data, dict):
        problems += [_at(located, "error", f.message, f.path)
                     for f in cross_field(_sections(data))]
    if problems:
        return None, sorted(problems, key=lambda p: (p.line or 0))
    assert policy is not None
    kept = [Problem("error", message, None, None) for message in round_trip_problems(policy)]
    if kept:
        return None, kept
    return policy, sorted(smells(policy, located), key=lambda p: (p.line or 0))


def check_text(text: str, source: str) -> tuple[Policy | None, list[Problem]]:
    """The policy (None if invalid) and every problem found, errors first, in line order."""
    try:
        located = read_yaml(text, source, PolicyError)
    except PolicyError as exc:
        return None, [Problem("error", exc.message, exc.line)]
    if isinstance(located.data, dict):
        todos = find_todos(located)
        if todos:
            return None, check_draft(located, todos)
    return problems_of(located)


def check_draft(located: Located, todos: list[Todo]) -> list[Problem]:
    """A policy with TODO markers: each marker a warning, the rest checked as if the marked
    places were absent (errors they cause, such as a required field missing, are theirs)."""
    warnings = [Problem("warning", f"{t.text}: not yet written (a TODO is never a value; "
                        "simulate and import refuse the policy until it is written)", t.line,
                        t.where) for t in todos]
    data = without_todos(located.data, todos)
    try:
        data = with_examples(data, located.source, located)
        Policy.model_validate(data)
    except PolicyError as exc:
        return [Problem("error", exc.message, exc.line, exc.field), *warnings]
    except ValidationError as exc:
        kept = [e for e in exc.errors()
                if not covered(tuple(e["loc"]), todos, str(e.get("msg", "")))]
        if kept:
            errors = _error_list(kept, located)
            return sorted([*errors, *warnings], key=lambda p: (p.line or 0))
    return warnings


def is_draft(policy: Policy | None, problems: Sequence[Problem]) -> bool:
    """Whether `check_text` found a draft: TODO markers and no error."""
    return policy is None and bool(problems) and all(p.severity == "warning"
                                                     for p in problems)


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
        if step.of == "list_price" and step.percent is not None and policy.price_list is None:
            warn(f"step '{step.name}': of: list_price with no price_list: the fees are taken "
                 "at the contract's prices until a list_price_changed event gives a list price",
                 "dunning", "steps", i, "of")
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
    steps = [s.name for s in policy.dunning.steps]
    for i, path in enumerate(policy.overridable):
        why = overridable_target(Policy, path, steps)
        if why is not None:
            warn(f"overridable path {path!r} changes nothing: {why}", "overridable", i)
    sla = policy.sla
    if (sla is not None and sla.availability is not None
            and sla.availability.exclude_maintenance != "none" and sla.maintenance is None):
        warn(f"sla.availability.exclude_maintenance: {sla.availability.exclude_maintenance} "
             "with no sla.maintenance section changes nothing (no maintenance is "
             "announced or compliant)", "sla", "availability", "exclude_maintenance")
    if policy.seats.price == "list_price" and policy.price_list is None:
        warn("seats.price: list_price with no price_list: added users are billed at the "
             "contract's price until a list_price_changed event gives a list price", "seats",
             "price")
    found += _never(policy, located)
    for i, schedule in enumerate(policy.retention.deletions):
        main = policy.retention.deletion.after
        if main.is_calendar() and schedule.after.is_calendar() \
                and not longer(main, schedule.after):
            warn(f"retention.deletions '{schedule.name}' after {schedule.after} comes no "
                 f"earlier than retention.deletion ({policy.retention.deletion.after}), which "
                 "deletes everything: it changes nothing", "retention", "deletions", i,
                 "after")
    return found


def _never(policy: Policy, located: Located) -> list[Problem]:
    """Steps whose date can never come: they wait for a step that is switched off, or act on
    the contract after a step that terminated it."""
    out: list[Problem] = []
    never: set[str] = set()
    after_end: set[str] = set()
    for i, step in enumerate(policy.dunning.steps):
        waits = [policy.dunning.steps[i - 1].name if a == "previous_step" else a
                 for a in step.anchors if a not in ("invoice_date", "due_date")]
        waits += list(step.requires_steps)
        if not step.enabled:
            never.add(step.name)
        elif blocked := [w for w in waits if w in never]:
            never.add(step.name)
            out.append(_at(located, "warning", f"step '{step.name}' waits for "
                           f"{', '.join(repr(b) for b in blocked)}, which never happens "
                           "(switched off): this step can never come",
                           ["dunning", "steps", i, "from"]))
        ended = [w for w in waits if w in after_end]
        if ended and step.kind in CONTRACT_LEVEL:
            out.append(_at(located, "warning", f"step '{step.name}' ({step.kind}) comes after "
                           f"{ended[0]!r} terminated the contract: it can never act",
                           ["dunning", "steps", i, "kind"]))
        if step.kind == "termination" or ended:
            after_end.add(step.name)
    required = policy.interest.requires_step
    if required in never:
        out.append(_at(located, "warning", f"interest.requires_step {required!r} never "
                       "happens (switched off): no interest is ever charged",
                       ["interest", "requires_step"]))
    return out
