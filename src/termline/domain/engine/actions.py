"""Actions: what termline does, each naming the clauses that caused it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Literal, cast, get_args

from mypy_extensions import mypyc_attr

from termline.domain.values.money import fmt
from termline.domain.values.record_build import assigned

Value = str | int | bool | date | Decimal | None

# Every kind of action the built-in mechanisms take: the ledger's, the projection's, the
# numbering's and the notices' shared vocabulary. A new built-in kind is added here first, so
# mypy finds every place that matches kinds by name. A mechanism added through the registry
# declares its own kinds instead (`Mechanism.actions`, installed by `install_action_kinds`) and
# makes its actions with `added_action`: no built-in code matches them by name.
ActionKind = Literal[
    "access_restored",
    "access_suspended",
    "action_corrected",
    "assignment_notice_violation",
    "assignment_notified",
    "audit_accepted",
    "audit_refused",
    "availability_measured",
    "backup_purge_due",
    "breach_notice_sent",
    "change_announced",
    "change_effective",
    "charge_applied",
    "claim_handed_over",
    "collection_costs_charged",
    "compensation_charged",
    "contract_renewed",
    "contract_started",
    "contract_terminated",
    "credit_recorded",
    "credit_refunded",
    "customer_right_closed",
    "customer_right_opened",
    "data_deleted",
    "data_deletion_instructed",
    "data_deletion_scheduled",
    "data_export_requested",
    "default_notice_sent",
    "defect_refund",
    "defect_remedy_due",
    "dispute_rejected",
    "dispute_upheld",
    "event_refused",
    "exit_consultation_due",
    "export_scheduled",
    "force_majeure_recorded",
    "incident_recorded",
    "interest_charged",
    "invoice_credited",
    "invoice_dispute_received",
    "invoice_issued",
    "list_price_changed",
    "maintenance_notice_violation",
    "maintenance_scheduled",
    "migration_announced",
    "migration_costs_declined",
    "objection_received",
    "payment_applied",
    "payment_failed",
    "payment_notice_sent",
    "payment_returned",
    "payment_reversed",
    "price_changed",
    "price_indexation_skipped",
    "provider_right_opened",
    "purchase_charged",
    "reminder_sent",
    "restore_accepted",
    "restore_refused",
    "seat_reduction_scheduled",
    "seats_changed",
    "sla_credit",
    "storage_warning",
    "subprocessor_change_notified",
    "subprocessor_change_recorded",
    "subprocessor_notice_violation",
    "support_response_breached",
    "support_response_due",
    "support_ticket_received",
    "termination_notice_received",
    "trial_ended",
    "trial_started",
    "usage_charged",
]
BUILT_IN_KINDS: frozenset[str] = frozenset(get_args(ActionKind))
_added: frozenset[str] = frozenset()


def install_action_kinds(kinds: Iterable[str]) -> None:
    """Set the action kinds the installed mechanisms declare beyond the built-in ones (each
    new, none twice)."""
    global _added
    found = list(kinds)
    clash = sorted({k for k in found if k in BUILT_IN_KINDS}
                   | {k for k in found if found.count(k) > 1})
    if clash:
        raise ValueError(f"action kinds declared twice or built in already: {clash}")
    _added = frozenset(found)


def action_kinds() -> frozenset[str]:
    """Every kind of action the engine can take now: the built-in ones and those of the
    installed mechanisms."""
    return BUILT_IN_KINDS | _added


@mypyc_attr(native_class=False)
@assigned
@dataclass(frozen=True, slots=True)
class Action:
    date: date
    kind: ActionKind
    contract: str
    clauses: tuple[str, ...]
    fields: tuple[tuple[str, Value], ...] = ()
    currency: str | None = None

    def __reduce__(self) -> tuple[type[Action], tuple[object, ...]]:
        # sent between processes (service.pipeline): a slotted dataclass's own pickling calls
        # dataclasses.fields() for every object, which cost as much as the step itself
        return (self.__class__, tuple(getattr(self, f) for f in self.__slots__))

    def get(self, key: str) -> Value:
        for k, v in self.fields:
            if k == key:
                return v
        raise KeyError(key)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "date": self.date.isoformat(), "kind": self.kind, "contract": self.contract,
            "clauses": list(self.clauses),
        }
        has_money = False
        for key, value in self.fields:
            if value is None:
                continue
            if isinstance(value, Decimal):
                out[key] = fmt(value)
                has_money = True
            elif isinstance(value, date):
                out[key] = value.isoformat()
            else:
                out[key] = value
        if has_money and self.currency:
            out["currency"] = self.currency
        return out


def refusal(day: date, contract: str, clauses: tuple[str, ...], event: str, reason: str
            ) -> list[Action]:
    """The answer to an event the terms do not allow: one `event_refused`, with the reason."""
    return [action(day, "event_refused", contract, clauses, event=event, reason=reason)]


def action(day: date, kind: ActionKind, contract: str, clauses: tuple[str, ...], *,
           currency: str | None = None, **fields: Value) -> Action:
    return Action(day, kind, contract, tuple(clauses), tuple(fields.items()), currency)


def added_action(day: date, kind: str, contract: str, clauses: tuple[str, ...], *,
                 currency: str | None = None, **fields: Value) -> Action:
    """An action of a kind an installed mechanism declared (`Mechanism.actions`); a kind
    nobody declared is a ValueError. It is typed as the built-in vocabulary, which it never
    meets by name: `install_action_kinds` keeps the two apart."""
    if kind not in _added:
        raise ValueError(f"action kind {kind!r} is declared by no installed mechanism "
                         "(Mechanism.actions)")
    return Action(day, cast(ActionKind, kind), contract, tuple(clauses),
                  tuple(fields.items()), currency)
