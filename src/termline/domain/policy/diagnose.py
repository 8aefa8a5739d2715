"""What `policy check` adds to the models' own errors: the rule at fault by its name, "did you
mean" for a misspelt field or value, and the problems that span fields.

Cross-field rules are written once here, each naming the field at fault, so that the loader
(through the Policy model) and `policy check` refuse the same things, and the check can place
each problem on the line of that field, next to every other problem of the file.
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from termline.domain.values.duration import Duration

Path = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Finding:
    message: str
    path: Path


def did_you_mean(word: str, choices: Sequence[str]) -> str:
    """' (did you mean 'x'?)' for the closest choice, or ''."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _models(annotation: Any) -> Iterator[type[BaseModel]]:
    """The models an annotation can hold (through Optional, unions, tuples, lists, dicts)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
        return
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        yield from _models(typing.get_args(annotation)[0])
        return
    if origin in (typing.Union, types.UnionType, tuple, list):
        for arg in typing.get_args(annotation):
            yield from _models(arg)


def field_names(model: type[BaseModel]) -> list[str]:
    """The names a policy file writes for the model's fields (aliases where they have one)."""
    return [info.alias or name for name, info in model.model_fields.items()]


def _field(model: type[BaseModel], key: str) -> Any:
    for name, info in model.model_fields.items():
        if key in (name, info.alias):
            return info
    return None


def model_at(root: type[BaseModel], path: Sequence[str | int]) -> type[BaseModel] | None:
    """The model that holds the fields at `path` (list items skipped), or None."""
    model: type[BaseModel] | None = root
    for key in path:
        if isinstance(key, int) or model is None:
            continue
        info = _field(model, key)
        if info is None:
            return None
        found = list(_models(info.annotation))
        model = found[0] if found else None
    return model


def unknown_field_hint(root: type[BaseModel], path: Sequence[str | int]) -> str:
    """For an unknown field at `path`: the closest field the format has there."""
    if not path or not isinstance(path[-1], str):
        return ""
    model = model_at(root, path[:-1])
    return did_you_mean(path[-1], field_names(model)) if model is not None else ""


_QUOTED = re.compile(r"'([^']*)'")


def value_hint(expected: str, given: Any) -> str:
    """For a value outside a list of choices (a pydantic literal error's `expected`)."""
    if not isinstance(given, str):
        return ""
    return did_you_mean(given, _QUOTED.findall(expected))


def overridable_target(root: type[BaseModel], dotted: str, steps: Sequence[str]
                       ) -> str | None:
    """Why the overridable path `dotted` names nothing the format has (None when it does).

    A path goes through the models' fields; in `dunning.steps` the next part is a step's name;
    below a field that holds a mapping (a price list) any key is the contract's to give."""
    model: type[BaseModel] | None = root
    parts = dotted.split(".")
    i = 0
    while i < len(parts):
        part = parts[i]
        if model is None:
            return None  # below a value without fields: a mapping's own keys
        info = _field(model, part)
        if info is None:
            where = ".".join(parts[:i]) or "the top level"
            return (f"{where} has no field {part!r}"
                    f"{did_you_mean(part, field_names(model))}")
        found = list(_models(info.annotation))
        if parts[:i + 1] == ["dunning", "steps"] and i + 1 < len(parts):
            name = parts[i + 1]
            if name not in steps:
                return (f"the ladder has no step {name!r}{did_you_mean(name, steps)}")
            i += 1
        model = found[0] if found else None
        if model is None and i + 1 < len(parts) and typing.get_origin(info.annotation) \
                not in (dict, typing.Union, types.UnionType) and not _is_mapping(info.annotation):
            return f"{'.'.join(parts[:i + 1])} is a value: it has no field {parts[i + 1]!r}"
        i += 1
    return None


def _is_mapping(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _is_mapping(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return any(_is_mapping(a) for a in typing.get_args(annotation))
    return origin in (dict, Mapping)


# --- rules over several fields -------------------------------------------------------------

def longer(a: Duration, b: Duration) -> bool:
    """Whether `a` is longer than `b` from any day (business days are not compared)."""
    from datetime import date

    if not (a.is_calendar() and b.is_calendar()):
        return False
    starts = (date(2001, 1, 31), date(2001, 3, 1), date(2004, 2, 29))
    return any(a.add_to(d) > b.add_to(d) for d in starts)


def billing_outlasts_term(term: Any, billing: Any) -> list[Finding]:
    """Each renewal lasts at least one billing period (an initial term may be shorter: the
    renewal then continues the period already invoiced)."""
    period, renewal = billing.period, term.renewal
    length = term.initial if renewal == "initial" else renewal
    if isinstance(length, Duration) and longer(period, length):
        return [Finding(
            f"billing.period {period} is longer than the renewal term {length} (clause "
            f"{', '.join(term.clause)}): every period would outlast its term",
            ("billing", "period"))]
    return []


def notice_for_the_billing_period(termination: Any, billing: Any) -> list[Finding]:
    """A notice rule keyed by billing period has a period for the policy's own."""
    out = []
    for party in ("customer", "provider"):
        rule = getattr(termination, party)
        if rule.allowed and rule.period_by_billing and rule.period is None \
                and rule.period_for(billing.period) is None:
            keys = ", ".join(rule.period_by_billing)
            out.append(Finding(f"termination.{party}.period_by_billing has no period for the "
                               f"billing period {billing.period} (it gives {keys}); add it, "
                               "or a 'period' for the others",
                               ("termination", party, "period_by_billing")))
    return out


def interest_step_exists(interest: Any, dunning: Any) -> list[Finding]:
    names = [s.name for s in dunning.steps]
    if interest.requires_step is not None and interest.requires_step not in names:
        return [Finding(f"interest.requires_step names {interest.requires_step!r}, which is "
                        f"not a step of the ladder{did_you_mean(interest.requires_step, names)}",
                        ("interest", "requires_step"))]
    return []


def statutory_rates_known(interest: Any) -> list[Finding]:
    """Statutory interest needs a rate table for its jurisdiction: shipped, or in the policy."""
    from termline.domain.rates.table import builtin_rates

    country = interest.jurisdiction
    shipped = sorted(builtin_rates().periods)
    if interest.method != "statutory" or not country or country in shipped or interest.rates:
        return []
    return [Finding(
        f"no statutory interest rates ship for {country!r} (shipped: {', '.join(shipped)}"
        f"){did_you_mean(country, shipped)}: give them in the policy as interest.rates "
        f"({{YYYY-MM-DD: \"rate\"}}, each rate in force from its date, with its source in "
        "notes), or write the rate the terms give with method monthly_started", (
            "interest", "jurisdiction"))]


# each rule with the top-level sections it reads: the check runs a rule when they validate
CROSS_FIELD = (
    (("term", "billing"), billing_outlasts_term),
    (("interest", "dunning"), interest_step_exists),
    (("interest",), statutory_rates_known),
    (("termination", "billing"), notice_for_the_billing_period),
)


def cross_field(sections: Mapping[str, Any]) -> list[Finding]:
    out: list[Finding] = []
    for names, rule in CROSS_FIELD:
        if all(n in sections for n in names):
            out += rule(*(sections[n] for n in names))
    return out
