"""Invoices with their lines, payments and allocations, projected from the actions a run appends.

`Repository.add_actions` calls `project` in the transaction that appends the actions and the
new contract state, so the tables and the ledger commit together or not at all.

* `invoices` + `invoice_lines`: one row per `invoice_issued` action; the lines are the invoice
  item's lines in the new state (`state.item(ref).lines`), which add up to its amount.
* `payments`: one row per `payment` event the engine has processed.
* `allocations`: one row per `payment_applied` action, with where its money came from: a
  payment event (`payment_id`), the customer's credit, an SLA credit or a defect refund.
* each numbered document's open amount and status (`kept.keep_documents`, migration 0014),
  set again for the documents of the items this batch allocated to or documented.

Append-only, like the ledger. A back-dated event makes the run recompute the contract: the
actions the rerun adds get their rows, and rows of actions it no longer produces stay; the
ledger's `action_corrected` (natural key "correction|" + the original's) marks them. An invoice
number issued again with other content gets the next `revision`. So totals over these tables
hold for the rows whose action is not corrected.

No backfill: after an upgrade from 0001 the tables fill from the next stored day on (a
recompute also records the payments of earlier days, since it replays them).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, select

from termline.adapters.sql import tables as t
from termline.adapters.sql.driver_sql import Pairs, Reads
from termline.adapters.sql.kept import add_to_months, keep_documents
from termline.adapters.sql.numbering import is_charge, number_new
from termline.adapters.sql.store_records import NewAction, StoredContract, field_value
from termline.adapters.sql.writes import insert_dicts, insert_rows
from termline.domain.contract.model import Payment, event_sort_key
from termline.domain.engine.actions import Action
from termline.domain.engine.state import ContractState, InvoiceLine, Item
from termline.domain.errors import TermlineError
from termline.domain.values.money import ZERO

MONEY_IN = ("payment_applied", "credit_recorded")
# Money settled like a payment without a payment event, by the reference the engine gives it.
SETTLEMENTS = {"sla-credit ": "sla_credit", "defect-refund ": "defect_refund",
               "credit-note ": "credit_note"}  # payments.credit_notes.PREFIX


class ProjectionError(TermlineError):
    """The actions to project disagree with the state or the events they came from, or a value
    does not fit its column without rounding."""


@dataclass(frozen=True)
class PaymentEvent:
    id: int
    event: Payment


Source = tuple[str, int | None]  # ("payment", event id) | ("credit" | "sla_credit" | ..., None)


def sources(day: Sequence[Action], payments: Sequence[PaymentEvent]) -> list[Source | None]:
    """Where the money of each `payment_applied` of one day came from (None for other actions).

    `day` is all of one day's actions in the engine's order and `payments` the day's payment
    events in the engine's order (`event_sort_key`). Events come before the day's invoices,
    dunning and mechanism phases, and payments before other events (docs/engine-semantics.md,
    "Order within a day"), so the day's first `payment_applied` (not from credit) and
    `credit_recorded` actions are the payments', each payment's adding up to its amount.
    """
    out: list[Source | None] = [None] * len(day)
    money = iter([i for i, act in enumerate(day)
                  if act.kind in MONEY_IN and _field(act, "source") != "credit"])
    for pay in payments:
        remaining = pay.event.amount
        while remaining > ZERO:
            i = next(money, None)
            if i is None:
                raise ProjectionError(f"payment event {pay.id} of {pay.event.date}: "
                                      f"{remaining} of it is applied by no action")
            act = day[i]
            if act.kind == "payment_applied":
                if _field(act, "reference") != (pay.event.reference or None):
                    raise ProjectionError(f"payment event {pay.id} of {pay.event.date}: "
                                          f"applied under reference {_field(act, 'reference')}")
                out[i] = ("payment", pay.id)
            remaining -= _amount(act)
        if remaining != ZERO:
            raise ProjectionError(f"payment event {pay.id} of {pay.event.date}: its actions "
                                  f"add up to {pay.event.amount - remaining}, "
                                  f"not {pay.event.amount}")
    for i, act in enumerate(day):
        if act.kind != "payment_applied" or out[i] is not None:
            continue
        if _field(act, "source") == "credit":
            out[i] = ("credit", None)
            continue
        reference = str(_field(act, "reference") or "")
        found = next((name for prefix, name in SETTLEMENTS.items()
                      if reference.startswith(prefix)), None)
        if found is None:
            raise ProjectionError(f"payment_applied on {act.date} to {_field(act, 'ref')}: "
                                  "no payment event, credit or settlement behind it")
        out[i] = (found, None)
    return out


def project(conn: Connection, contract: StoredContract, state: ContractState,
            stored: Sequence[NewAction], replayed: Sequence[NewAction] | None = None) -> None:
    """Add the rows for the actions `stored` appends to the ledger (already inserted).

    `state` is the contract's state after them. `replayed`: every action of the days of
    `stored` in the engine's order, when `stored` is only the part the ledger lacked (a
    recompute); by default `stored` holds whole days.
    """
    if replayed is None:
        project_days(conn, [(contract, state, stored)])
        return
    paid: dict[date, list[PaymentEvent]] = {}
    payment_rows: dict[int, int] = {}
    if any(n.action.kind in MONEY_IN for n in replayed):
        paid = _replayed_payment_events(conn, contract, replayed)
        payment_rows = _add_payments(conn, [(contract, paid)])
    allocated = _allocation_rows(contract, state, stored, replayed, paid, payment_rows)
    allocated += _reversal_rows(conn, contract, state, stored)
    insert_dicts(conn, t.allocations, allocated)
    invoiced = _add_invoices(conn, [(contract, state, stored)])
    numbered = number_new(conn, invoiced, _charges([(contract, state, stored)]))
    _keep_documents(conn, [(contract, stored)], allocated, numbered, invoiced)
    notices(conn, [(contract, stored)], {contract.id: state})


def project_days(conn: Connection,
                 days: Sequence[tuple[StoredContract, ContractState, Sequence[NewAction]]]
                 ) -> None:
    """`project` for whole run days of many contracts, in a few statements for the batch."""
    if not days:
        return
    ids = sorted({i for _, _, stored in days if any(n.action.kind in MONEY_IN for n in stored)
                  for n in stored for i in n.cause_events})
    events = {int(i): PaymentEvent(int(i), Payment.model_validate_json(payload))
              for i, payload in Reads(conn).rows(
                  "SELECT id, payload FROM events WHERE type = 'payment' AND id IN {in}", ids)} \
        if ids else {}
    paid_by_contract = [_by_day([events[i] for i in sorted(
        {i for n in stored for i in n.cause_events if i in events})]) for _, _, stored in days]
    payment_rows = _add_payments(conn, [(contract, paid) for (contract, _, _), paid
                                        in zip(days, paid_by_contract, strict=True)])
    allocated = [
        row for (contract, state, stored), paid in zip(days, paid_by_contract, strict=True)
        for row in _allocation_rows(contract, state, stored, stored, paid, payment_rows)]
    allocated += [row for contract, state, stored in days
                  for row in _reversal_rows(conn, contract, state, stored)]
    insert_dicts(conn, t.allocations, allocated)
    invoiced = _add_invoices(conn, days)
    numbered = number_new(conn, invoiced, _charges(days))
    _keep_documents(conn, [(contract, stored) for contract, _, stored in days], allocated,
                    numbered, invoiced)
    notices(conn, [(contract, stored) for contract, _, stored in days],
            {contract.id: state for contract, state, _ in days})


def _keep_documents(conn: Connection, days: Sequence[tuple[StoredContract, Sequence[NewAction]]],
                    allocated: Sequence[dict[str, Any]], numbered: Sequence[dict[str, Any]],
                    invoiced: Sequence[dict[str, Any]]) -> None:
    """Each document's kept open amount and status (`kept.keep_documents`) after this
    batch's allocations and documents: those of the items allocated to or documented, and
    every one of a contract whose actions were corrected (the undone allocation's item).

    An invoice issued for the first time (revision 0) with nothing allocated to its item in
    this batch is left as `number_new` inserted it, open by its whole amount: no document came
    before it for its item and nothing paid it yet (the run's usual day, read nothing more)."""
    corrected = {contract.id for contract, stored in days
                 if any(n.action.kind == "action_corrected" for n in stored)}
    paid = {(int(r["contract_id"]), str(r["item_ref"])) for r in allocated}
    fresh = {(int(r["contract_id"]), str(r["ref"])) for r in invoiced
             if r["revision"] == 0} - paid
    documented = {(int(r["contract_id"]), str(r["source_ref"])) for r in numbered}
    keep_documents(conn, paid | (documented - fresh), corrected)


def notices(conn: Connection, days: Sequence[tuple[StoredContract, Sequence[NewAction]]],
            states: Mapping[int, ContractState] | None = None) -> None:
    """The service's hook: the webhook and e-mail outbox rows of the new actions, in this
    same transaction (`store.outbox`; nothing when no endpoint or address wants them)."""
    from termline.adapters.sql.outbox import enqueue

    enqueue(conn, days, states)


def _add_invoices(conn: Connection,
                  days: Sequence[tuple[StoredContract, ContractState, Sequence[NewAction]]]
                  ) -> list[dict[str, Any]]:
    """The invoices and lines of the `invoice_issued` actions stored (the invoice rows added);
    an invoice number issued again (a recompute) gets the next revision."""
    issued = [(contract, state, n, str(n.action.get("ref"))) for contract, state, stored in days
              for n in stored if n.action.kind == "invoice_issued"]
    if not issued:
        return []
    found = Reads(conn).rows(_REVISIONS, Pairs(frozenset((c.id, ref) for c, _, _, ref in issued)))
    revisions = {(int(cid), str(ref)): int(n) for cid, ref, n in found}
    rows, items = [], []
    for contract, state, n, ref in issued:
        item = _invoice_item(state, n.action, ref)
        revision = revisions.get((contract.id, ref), 0)
        revisions[(contract.id, ref)] = revision + 1
        rows.append(_invoice_row(contract, n, ref, revision, item))
        items.append(item)
    insert_dicts(conn, t.invoices, rows)
    insert_rows(conn, t.invoice_lines, _LINE_COLUMNS, [
        _line_row(row, pos, line) for row, item in zip(rows, items, strict=True)
        for pos, line in enumerate(item.lines, start=1)])
    return rows


_REVISIONS = ("SELECT contract_id, ref, count(*) FROM invoices "
              "WHERE (contract_id, ref) IN {pairs} GROUP BY contract_id, ref")
_LINE_COLUMNS = ("contract_id", "invoice_key", "position", "item", "quantity", "unit_price",
                 "amount")


def _charges(days: Sequence[tuple[StoredContract, ContractState, Sequence[NewAction]]]
             ) -> list[tuple[int, int, NewAction]]:
    return [(contract.tenant_id, contract.id, n) for contract, _, stored in days for n in stored
            if is_charge(n.action)]


def _replayed_payment_events(conn: Connection, contract: StoredContract,
                             replayed: Sequence[NewAction]) -> dict[date, list[PaymentEvent]]:
    """The payment events a recompute replayed: the contract's log up to its last day."""
    e = t.events.c
    last = max(n.action.date for n in replayed)
    return _by_day([PaymentEvent(int(row.id), Payment.model_validate_json(row.payload))
                    for row in conn.execute(select(e.id, e.payload).where(
                        e.type == "payment", e.contract_id == contract.id,
                        e.date >= contract.contract.start, e.date <= last))])


def _by_day(events: Sequence[PaymentEvent]) -> dict[date, list[PaymentEvent]]:
    """Payment events by day, each day in the engine's order."""
    by_day: dict[date, list[PaymentEvent]] = defaultdict(list)
    for pe in events:
        by_day[pe.event.date].append(pe)
    for todays in by_day.values():
        todays.sort(key=lambda pe: event_sort_key(pe.event))
    return by_day


def _add_payments(conn: Connection,
                  paid: Sequence[tuple[StoredContract, dict[date, list[PaymentEvent]]]]
                  ) -> dict[int, int]:
    """Insert the payments not stored yet; the payment row id of each event id."""
    owners = {pe.id: (contract, pe) for contract, by_day in paid
              for todays in by_day.values() for pe in todays}
    if not owners:
        return {}
    reads = Reads(conn)
    have = {int(i) for i, in reads.rows("SELECT event_id FROM payments WHERE event_id IN {in}",
                                        list(owners))}
    new = [(contract, pe) for event_id, (contract, pe) in owners.items() if event_id not in have]
    if new:
        currency = {int(cid): str(cur) for cid, cur in reads.rows(
            "SELECT id, currency FROM contracts WHERE id IN {in}",
            sorted({contract.id for contract, _ in new}))}
        insert_rows(conn, t.payments, _PAYMENT_COLUMNS, [
            (contract.tenant_id, contract.id, pe.id, pe.event.date,
             _fits(pe.event.amount, 4, "payment amount"), currency[contract.id],
             pe.event.reference) for contract, pe in new])
        add_to_months(conn, "cash", [(contract.tenant_id, pe.event.date, currency[contract.id],
                                      _fits(pe.event.amount, 4, "payment amount"))
                                     for contract, pe in new])
    return {int(event_id): int(pid) for pid, event_id in reads.rows(
        "SELECT id, event_id FROM payments WHERE event_id IN {in}", list(owners))}


_PAYMENT_COLUMNS = ("tenant_id", "contract_id", "event_id", "date", "amount", "currency",
                    "reference")


def _allocation_rows(contract: StoredContract, state: ContractState,
                     stored: Sequence[NewAction], whole: Sequence[NewAction],
                     paid: dict[date, list[PaymentEvent]], payment_rows: dict[int, int]
                     ) -> list[dict[str, Any]]:
    new_keys = {n.natural_key for n in stored if n.action.kind == "payment_applied"}
    if not new_keys:
        return []
    days = {n.action.date for n in stored if n.natural_key in new_keys}
    rows: list[dict[str, Any]] = []
    for day in sorted(days):
        todays = [n for n in whole if n.action.date == day]
        found = sources([n.action for n in todays], paid.get(day, []))
        for n, source in zip(todays, found, strict=True):
            if n.natural_key not in new_keys or source is None:
                continue
            act = n.action
            ref = str(act.get("ref"))
            try:
                item_kind = state.item(ref).kind
            except KeyError:
                raise ProjectionError(f"payment_applied on {act.date}: no item {ref} in the "
                                      "contract's state") from None
            kind, event_id = source
            rows.append({
                "tenant_id": contract.tenant_id, "contract_id": contract.id,
                "payment_id": payment_rows[event_id] if event_id is not None else None,
                "source": kind, "item_ref": ref, "item_kind": item_kind, "date": act.date,
                "amount": _fits(_amount(act), 4, "allocation"), "currency": act.currency,
                "action_key": n.natural_key})
    return rows


def _reversal_rows(conn: Connection, contract: StoredContract, state: ContractState,
                   stored: Sequence[NewAction]) -> list[dict[str, Any]]:
    """A negative allocation for each `payment_reversed` (a returned payment, payment/returns.py),
    naming the payment it undoes."""
    reversed_ = [n for n in stored if n.action.kind == "payment_reversed"]
    if not reversed_:
        return []
    p = t.payments.c
    rows = []
    for n in reversed_:
        act = n.action
        payment_id = conn.execute(select(p.id).where(
            p.contract_id == contract.id, p.reference == str(act.get("reference")))
            .order_by(p.id.desc()).limit(1)).scalar()
        ref = str(act.get("ref"))
        rows.append({
            "tenant_id": contract.tenant_id, "contract_id": contract.id,
            "payment_id": payment_id, "source": "returned", "item_ref": ref,
            "item_kind": state.item(ref).kind, "date": act.date,
            "amount": -_fits(_amount(act), 4, "allocation"), "currency": act.currency,
            "action_key": n.natural_key})
    return rows


def _invoice_row(contract: StoredContract, n: NewAction, ref: str, revision: int, item: Item
                 ) -> dict[str, Any]:
    act = n.action
    return {"tenant_id": contract.tenant_id, "contract_id": contract.id, "ref": ref,
            "revision": revision, "kind": str(act.get("invoice_kind")), "issued": act.date,
            "due": act.get("due_date"), "period_start": act.get("period_start"),
            "period_end": act.get("period_end"),
            "amount": _fits(item.amount, 4, "invoice amount"), "vat": _fits(item.vat, 4, "VAT"),
            "currency": act.currency,
            "action_key": n.natural_key, "policy_version_id": contract.policy_version_id}


def _line_row(invoice: dict[str, Any], position: int, line: InvoiceLine) -> tuple[object, ...]:
    """A row of `_LINE_COLUMNS`."""
    return (invoice["contract_id"], invoice["action_key"], position, line.item,
            _fits(Decimal(line.quantity), 6, "line quantity"),
            _fits(line.unit_price, 6, "unit price"), _fits(line.amount, 4, "line amount"))


def _invoice_item(state: ContractState, act: Action, ref: str) -> Item:
    try:
        item = state.item(ref)
    except KeyError:
        raise ProjectionError(f"invoice {ref} of {act.date}: not in the contract's state") \
            from None
    total = sum((line.amount for line in item.lines), ZERO)
    if item.kind != "invoice" or item.issued != act.date or item.net != _amount(act) \
            or total != item.net or _field(act, "total") != item.amount:
        raise ProjectionError(f"invoice {ref} of {act.date}: the action says {_amount(act)}, "
                              f"the state's item {item.amount} issued {item.issued} with lines "
                              f"adding up to {total}")
    return item


def _field(act: Action, key: str) -> Any:
    """The field's value (the last one of that key, as a dict of the fields holds), or None."""
    return field_value(act, key)


def _amount(act: Action) -> Decimal:
    value = _field(act, "amount")
    if not isinstance(value, Decimal):
        raise ProjectionError(f"{act.kind} of {act.date} has no amount")
    return value


def _fits(value: Decimal, places: int, what: str) -> Decimal:
    """The value unchanged, or an error: a NUMERIC column would round it silently."""
    if value != value.quantize(Decimal(1).scaleb(-places)):
        raise ProjectionError(f"{what} {value} has more than {places} decimal places")
    return value

