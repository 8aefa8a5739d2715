"""How well a draft matches a reference policy, field by field (docs/drafting.md).

The fields measured are the values `policy draft` looks for. A field counts for the
reference when the reference sets it (written in its YAML, not a default, not a TODO). A
drafted field is *right* when its value equals the reference's; it is *right and cited* when
its clauses also meet the reference rule's clauses. Recall = right and cited / set in the
reference; precision = right / set in the draft.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from termline.domain.policy.todo import is_todo
from termline.domain.values.duration import Duration, Unit

Value = tuple[object, frozenset[str]]


def _clauses(node: Any) -> frozenset[str]:
    raw = node.get("clause") if isinstance(node, dict) else None
    if raw is None or is_todo(raw):
        return frozenset()
    return frozenset(str(c) for c in (raw if isinstance(raw, list) else [raw]))


def _normal(value: object) -> object:
    """Durations in days or months (1 year = 12 months), decimals without trailing zeros."""
    if isinstance(value, str):
        try:
            d = Duration.parse(value)
        except ValueError:
            d = None
        if d is not None:
            if d.unit is Unit.YEARS:
                return ("months", 12 * d.number)
            if d.unit is Unit.WEEKS:
                return ("days", 7 * d.number)
            return (d.unit.value, d.number)
        try:
            return Decimal(value).normalize()
        except InvalidOperation:
            return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value).normalize()
    return value


def _at(*path: str) -> Callable[[dict[str, Any]], Value | None]:
    def get(data: dict[str, Any]) -> Value | None:
        node: Any = data
        clauses: frozenset[str] = frozenset()
        for key in path:
            if not isinstance(node, dict) or key not in node:
                return None
            clauses = _clauses(node) or clauses
            node = node[key]
        if node is None or is_todo(node) or isinstance(node, (dict, list)):
            return None
        return _normal(node), clauses
    return get


def _steps(data: dict[str, Any]) -> list[dict[str, Any]]:
    dunning = data.get("dunning")
    steps = dunning.get("steps") if isinstance(dunning, dict) else None
    return [s for s in steps or [] if isinstance(s, dict)]


def _reminders(data: dict[str, Any]) -> Value | None:
    found = [s for s in _steps(data) if s.get("kind") == "reminder"]
    if not found:
        return None
    return Decimal(len(found)), frozenset().union(*(_clauses(s) for s in found))


def _reminder_fee(data: dict[str, Any]) -> Value | None:
    found = [s for s in _steps(data) if s.get("kind") == "reminder" and s.get("fee")]
    return (_normal(str(found[0]["fee"])), _clauses(found[0])) if found else None


def _reminder_after(data: dict[str, object]) -> Value | None:
    """The delays of the reminder steps, in order; only when the reference sets every one."""
    found = [s for s in _steps(data) if s.get("kind") == "reminder"]
    delays = [s.get("after") for s in found]
    if not found or any(d is None or is_todo(d) for d in delays):
        return None
    return (tuple(_normal(str(d)) for d in delays),
            frozenset().union(*(_clauses(s) for s in found)))


def _suspension(key: str | None) -> Callable[[dict[str, Any]], Value | None]:
    def get(data: dict[str, Any]) -> Value | None:
        found = [s for s in _steps(data) if s.get("kind") == "suspension"]
        if not found:
            return None
        if key is None:
            return True, _clauses(found[0])
        value = found[0].get(key)
        return None if value is None or is_todo(value) else (_normal(value), _clauses(found[0]))
    return get


def _exists(*path: str) -> Callable[[dict[str, Any]], Value | None]:
    def get(data: dict[str, Any]) -> Value | None:
        node: Any = data
        for key in path:
            if not isinstance(node, dict) or key not in node or is_todo(node[key]):
                return None
            node = node[key]
        return True, _clauses(node)
    return get


def _basis_length(data: dict[str, Any]) -> Value | None:
    return _at("liability", "basis", "window")(data) or _at("liability", "basis", "period")(data)


FIELDS: dict[str, Callable[[dict[str, Any]], Value | None]] = {
    "term.initial": _at("term", "initial"),
    "term.renewal": _at("term", "renewal"),
    "termination.customer.period": _at("termination", "customer", "period"),
    "termination.customer.effect": _at("termination", "customer", "effect"),
    "termination.customer.before": _at("termination", "customer", "before"),
    "termination.provider.period": _at("termination", "provider", "period"),
    "termination.provider.effect": _at("termination", "provider", "effect"),
    "termination.provider.before": _at("termination", "provider", "before"),
    "billing.period": _at("billing", "period"),
    "payment.term": _at("payment", "term"),
    "interest.method": _at("interest", "method"),
    "interest.rate": _at("interest", "rate"),
    "interest.jurisdiction": _at("interest", "jurisdiction"),
    "interest.accrues_from": _at("interest", "accrues_from"),
    "compensation.amount": _at("compensation", "amount"),
    "trial.offered": _at("trial", "offered"),
    "trial.default_days": _at("trial", "default_days"),
    "dunning.reminders": _reminders,
    "dunning.reminder_fee": _reminder_fee,
    "dunning.reminders.after": _reminder_after,
    "dunning.suspension": _suspension(None),
    "dunning.suspension.after": _suspension("after"),
    "prices.price_changes.lead": _at("prices", "price_changes", "lead"),
    "prices.terms_changes.lead": _at("prices", "terms_changes", "lead"),
    "prices.increase_cap.percent": _at("prices", "increase_cap", "percent"),
    "prices.indexed": lambda d: _exists("prices", "indexation")(d) or _exists(
        "prices", "index_cap")(d),
    "liability.basis.kind": _at("liability", "basis", "kind"),
    "liability.basis.length": _basis_length,
    "liability.basis.percent": _at("liability", "basis", "percent"),
    "liability.maximum.amount": _at("liability", "maximum", "amount"),
    "sla.availability.target": _at("sla", "availability", "target"),
    "sla.availability.window": _at("sla", "availability", "window"),
    "sla.availability.credit": _exists("sla", "availability", "credit"),
    "support.hours.opens": _at("support", "hours", "opens"),
    "support.hours.closes": _at("support", "hours", "closes"),
    "support.responses.error": lambda d: _at("support", "responses", "error", "business_hours")(
        d) or _at("support", "responses", "error", "business_days")(d),
    "support.responses.question": lambda d: _at("support", "responses", "question",
                                                "business_hours")(d) or _at(
        "support", "responses", "question", "business_days")(d),
    "backups.cadence": _at("backups", "cadence"),
    "backups.retention": _at("backups", "retention"),
    "retention.deletion.after": _at("retention", "deletion", "after"),
    "retention.export_window": _at("retention", "export_window"),
}


# Fields whose reference may leave the schema's default unwritten: a draft that writes the
# default where the reference writes the rule without the field says the same thing (right
# for precision; recall still counts only what the reference writes).
DEFAULTS: dict[str, tuple[tuple[str, ...], object]] = {
    "termination.customer.before": (("termination", "customer"), "term_end"),
    "termination.provider.before": (("termination", "provider"), "term_end"),
    "termination.customer.effect": (("termination", "customer"), "term_end"),
    "termination.provider.effect": (("termination", "provider"), "term_end"),
    "interest.accrues_from": (("interest",), "due_date"),
}


def _implied(data: dict[str, object], written: dict[str, Value]) -> dict[str, object]:
    out: dict[str, object] = {}
    for name, (parent, default) in DEFAULTS.items():
        node: object = data
        for key in parent:
            node = node.get(key) if isinstance(node, dict) else None
        if isinstance(node, dict) and name not in written:
            out[name] = default
    return out


@dataclass(frozen=True)
class Score:
    reference: dict[str, Value]
    draft: dict[str, Value]
    implied: dict[str, object] = field(default_factory=dict)

    @property
    def right(self) -> list[str]:
        """Drafted fields whose value equals the reference's (written or its default)."""
        return [k for k, (v, _) in self.draft.items()
                if (k in self.reference and self.reference[k][0] == v)
                or (k in self.implied and self.implied[k] == v)]

    @property
    def cited(self) -> list[str]:
        """Right fields whose clauses meet the reference rule's."""
        return [k for k in self.right
                if k in self.reference and self.draft[k][1] & self.reference[k][1]]

    @property
    def recall(self) -> float:
        return len(self.cited) / len(self.reference) if self.reference else 1.0

    @property
    def precision(self) -> float:
        return len(self.right) / len(self.draft) if self.draft else 1.0

    def rows(self) -> list[tuple[str, object, object, str]]:
        """(field, reference value, drafted value, verdict) of every field either sets."""
        out = []
        for name in FIELDS:
            ref, got = self.reference.get(name), self.draft.get(name)
            if ref is None and got is None:
                continue
            verdict = ("right, cited" if name in self.cited else "right, other clause"
                       if name in self.right and ref is not None else
                       "the reference's default" if name in self.right else
                       "missed" if got is None else
                       "not in reference" if ref is None else "wrong")
            out.append((name, ref[0] if ref else None, got[0] if got else None, verdict))
        return out


def values(data: dict[str, Any]) -> dict[str, Value]:
    out = {}
    for name, get in FIELDS.items():
        found = get(data)
        if found is not None:
            out[name] = found
    return out


def score(reference: dict[str, Any], draft: dict[str, Any]) -> Score:
    written = values(reference)
    return Score(written, values(draft), _implied(reference, written))
