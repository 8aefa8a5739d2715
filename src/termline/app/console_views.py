"""What the console shows and does, as use cases over a unit of work: the book, a page of
contracts, a contract in full, the what-if, the work queues, the invoices and the customer's
page. No SQL here (`store.console_repo`); every amount comes from the contracts' open items
(their stored states) or the stored documents, as on the command line.

Figures are as of the tenant's last run (`run.as_of`), like `termline contract list`.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from termline.adapters.sql.codec import decode
from termline.adapters.sql.console_repo import ConsoleStore, ContractRow
from termline.adapters.sql.document_store import DocumentStore, StoredDocument
from termline.adapters.sql.jsontext import loads
from termline.adapters.sql.repository import StoredContract, Tenant
from termline.adapters.sql.sql_rows import connection
from termline.adapters.sql.store_records import Unreadable
from termline.app.documents import Lookups, NoProfile, build, open_net, profile_of
from termline.app.entitlement import entitlement
from termline.app.intake import event_key
from termline.app.intake import tenant as find_tenant
from termline.app.ports import Store, UnitOfWork
from termline.app.run import _Caches, as_of, context
from termline.domain.contract.event_kinds import event_adapter
from termline.domain.contract.model import EventBase, Payment
from termline.domain.engine.actions import Action
from termline.domain.engine.deadlines import deadlines as contract_deadlines
from termline.domain.engine.simulate import balance, run_contract
from termline.domain.engine.state import ContractState
from termline.domain.errors import InputError, TermlineError
from termline.domain.mechanisms.dunning.aging import BUCKETS, Aged, bucket
from termline.domain.policy import BUILTIN_PACKS
from termline.domain.policy.coverage import ancestors, row_pieces
from termline.domain.policy.schema import Policy
from termline.domain.values.money import ZERO, fmt

PAGE = 25
# the deadlines a customer acts on, in the order its page shows them
CUSTOMER_DEADLINES = ("notice_deadline", "objection_deadline", "price_change_objection",
                      "term_end", "trial_end", "next_invoice", "data_deletion")


class NotFound(TermlineError):
    """The tenant has no such contract, document or bank line (another tenant's is the same)."""


# --- clause texts --------------------------------------------------------------------------

def clause_texts(policy: Policy) -> dict[str, str]:
    """Each clause the pack accounts for -> what the terms say there (the coverage row's title,
    and its remark). A row for "6.1 / 6.2" gives both; "9" gives "9.1" through `clause_text`."""
    out: dict[str, str] = {}
    for entry in policy.coverage:
        text = entry.title if not entry.reason else f"{entry.title}. {entry.reason}"
        for piece in row_pieces(entry.clause):
            out.setdefault(piece, text)
        out.setdefault(entry.clause, text)
    return out


def clause_text(texts: dict[str, str], clause: str) -> str:
    if clause in texts:
        return texts[clause]
    for up in ancestors(clause):
        if up in texts:
            return texts[up]
    return ""


def _cited(texts: dict[str, str], clauses: Iterable[str]) -> list[dict[str, str]]:
    return [{"clause": c, "text": clause_text(texts, c)} for c in clauses]


# --- the book ------------------------------------------------------------------------------

def book(uow: UnitOfWork, tenant_name: str, today: date) -> dict[str, Any]:
    """Counts by status and access, what is owed and how late (per currency), invoices issued
    and cash received per month over the last 12 months, and the deadlines of the week.

    The counts and the amounts are summed by the database from what the run keeps beside each
    contract's state (its status, access and open items, migration 0013): the principal of
    the open invoices aged by due date on the run's day, the open fees, the interest charged
    and still open; to which the interest running on late principal that no document has
    charged yet is added, computed for the late contracts only (`_add_running_interest`)."""
    with uow:
        owner = find_tenant(uow.repo, tenant_name)
        store = ConsoleStore(connection(uow.repo))
        on = uow.repo.run_through(owner.id) or today
        aged = aged_open_items(store, owner.id, on)
        _add_running_interest(uow, store, owner, on, aged)
        # the twelve months ending with the run's month
        first = date(on.year - 1 + (on.month == 12), on.month % 12 + 1, 1)
        months = _months(first, on)
        invoiced = store.invoiced_by_month(owner.id, first)
        cash = store.cash_by_month(owner.id, first)
        week = _week(uow, store, owner, on, 7)
        result = {
            "tenant": owner.name, "as_of": on.isoformat(),
            "counts": [{"status": s, "access": a, "contracts": n}
                       for s, a, n in store.status_counts(owner.id)],
            "owed": [{"currency": cur, **{b: fmt(a.principal[b]) for b, _, _ in BUCKETS},
                      "fees": fmt(a.fees), "interest": fmt(a.interest), "total": fmt(a.total),
                      "buckets": [(b, a.principal[b]) for b, _, _ in BUCKETS]}
                     for cur, a in sorted(aged.items())],
            "months": months,
            "monthly": _monthly(_by_month(invoiced, months), _by_month(cash, months), months),
            "deadlines": week,
        }
        return result


def _add_running_interest(uow: UnitOfWork, store: ConsoleStore, owner: Tenant, on: date,
                          aged: dict[str, Aged], chunk: int = 500) -> None:
    """Add the interest that runs on late principal and no document has charged yet, as
    `balance` gives it on day `on`: computed for the contracts with an invoice past due only
    (the kept items name them), so the book's cost grows with the late contracts, not with
    the book."""
    late = store.late_contracts(owner.id, on)
    caches = _Caches()
    for start in range(0, len(late), chunk):
        rows = store.contract_rows(late[start:start + chunk])
        models = store.contracts_by_id([r.id for r in rows])
        for row in rows:
            stored = StoredContract(row.id, owner.id, models[row.id], row.policy_version_id)
            state: ContractState = decode(ContractState, loads(row.state))
            bal = balance(state, context(uow, stored, owner, caches), on)
            charged = sum((it.open for it in state.items
                           if it.kind == "interest" and it.open > ZERO), ZERO)
            if bal.interest != charged:
                aged.setdefault(bal.currency, Aged()).interest += bal.interest - charged


def aged_open_items(store: ConsoleStore, tenant_id: int, on: date) -> dict[str, Aged]:
    """The kept open amounts aged on day `on`, per currency: invoices in the buckets of
    `aging.BUCKETS` by days past due, fees and charged interest apart (as `aging.age`)."""
    out: dict[str, Aged] = {}
    for currency, kind, due, amount in store.open_by_due(tenant_id):
        aged = out.setdefault(currency, Aged())
        if kind == "invoice":
            aged.principal[bucket((on - due).days)] += amount
        elif kind == "fee":
            aged.fees += amount
        else:
            aged.interest += amount
    return out


def _months(first: date, last: date) -> list[str]:
    out, day = [], first
    while day <= last:
        out.append(f"{day.year:04d}-{day.month:02d}")
        day = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return out


def _by_month(rows: Sequence[tuple[str, str, Decimal]], months: list[str]
              ) -> dict[str, list[tuple[str, Decimal]]]:
    out: dict[str, dict[str, Decimal]] = {}
    for month, currency, amount in rows:
        out.setdefault(currency, {})[month] = amount
    return {cur: [(m, found.get(m, ZERO)) for m in months] for cur, found in out.items()}


def _monthly(invoiced: dict[str, list[tuple[str, Decimal]]],
             cash: dict[str, list[tuple[str, Decimal]]], months: list[str]
             ) -> list[dict[str, Any]]:
    zero = [(m, ZERO) for m in months]
    return [{"currency": cur,
             "invoiced": [v for _, v in invoiced.get(cur, zero)],
             "cash": [v for _, v in cash.get(cur, zero)],
             "rows": [(m, fmt(i), fmt(c)) for (m, i), (_, c) in
                      zip(invoiced.get(cur, zero), cash.get(cur, zero), strict=True)]}
            for cur in sorted({*invoiced, *cash})]


def _week(uow: UnitOfWork, store: ConsoleStore, owner: Tenant, on: date, days: int,
          limit: int = 200) -> list[dict[str, Any]]:
    """The deadlines from `on` to `on` + `days` of the contracts acting by then (a deadline is
    a wake day, `engine.wake`: a contract with one is due by it)."""
    last = on + timedelta(days=days)
    caches = _Caches()
    out = []
    rows = store.contracts_due_by(owner.id, last, limit)
    models = store.contracts_by_id([r.id for r in rows])
    for row in rows:
        stored = StoredContract(row.id, owner.id, models[row.id], row.policy_version_id)
        ctx = context(uow, stored, owner, caches)
        state: ContractState = decode(ContractState, loads(row.state))
        for d in contract_deadlines(state, ctx, on):
            if on <= d.date <= last:
                out.append({"customer": row.customer, **d.to_json()})
    return sorted(out, key=lambda d: (d["date"], d["contract"], d["kind"]))


# --- contracts -----------------------------------------------------------------------------

@dataclass(frozen=True)
class ContractFilter:
    ref: str | None = None
    customer: str | None = None
    status: str | None = None
    pack: str | None = None


def contract_page(uow: UnitOfWork, tenant_name: str, filt: ContractFilter, after_id: int = 0,
                  limit: int = PAGE) -> dict[str, Any]:
    """A page of the tenant's contracts (filtered in the database), each with its balance."""
    with uow:
        owner = find_tenant(uow.repo, tenant_name)
        store = ConsoleStore(connection(uow.repo))
        rows = store.contract_page(owner.id, ref=filt.ref, customer=filt.customer,
                                   status=filt.status, pack=filt.pack, after_id=after_id,
                                   limit=limit + 1)
        through = uow.repo.run_through(owner.id)
        models = store.contracts_by_id([r.id for r in rows[:limit]])
        caches = _Caches()
        out = []
        for row in rows[:limit]:
            stored = StoredContract(row.id, owner.id, models[row.id], row.policy_version_id)
            state: ContractState = decode(ContractState, loads(row.state))
            day = _as_of(row, through)
            bal = balance(state, context(uow, stored, owner, caches), day)
            out.append({"id": row.id, "contract": row.ref, "customer": row.customer,
                        "pack": row.pack, "status": row.status, "access": row.access,
                        "owed": fmt(bal.total), "currency": bal.currency,
                        "set_aside": row.problem is not None})
        return {"rows": out, "next_after": rows[limit - 1].id if len(rows) > limit else None,
                "packs": sorted(BUILTIN_PACKS)}


def _as_of(row: ContractRow, through: date | None) -> date:
    return through if through is not None and row.cursor < through else row.cursor


def _row(uow: UnitOfWork, owner: Tenant, ref: str) -> ContractRow:
    row = ConsoleStore(connection(uow.repo)).contract_row(owner.id, ref)
    if row is None:
        raise NotFound(f"no contract {ref!r}")
    return row


def contract(uow: UnitOfWork, tenant_name: str, ref: str) -> dict[str, Any]:
    """A contract in full: summary, timeline with clause texts, documents, open items,
    entitlement, deadlines, events."""
    with uow:
        owner = find_tenant(uow.repo, tenant_name)
        row = _row(uow, owner, ref)
        stored = uow.repo.contracts(owner.id, ref)[0]
        run_state = uow.repo.run_state(stored.id)
        ctx = context(uow, stored, owner)
        day = as_of(run_state, uow.repo.run_through(owner.id))
        state = run_state.state
        texts = clause_texts(ctx.policy)
        ledger = sorted(uow.repo.ledger(owner.id, ref), key=lambda r: (r[0], r[2]))
        actions = [body for *_, body in ledger]
        bal = balance(state, ctx, day)
        ent = entitlement(state.access, actions)
        documents = _documents(uow.repo, owner, ref)
        events = [{"id": e["id"], "date": e["payload"].get("date"),
                   "type": e["payload"].get("type"),
                   "contract": "*" if e["broadcast"] else ref, "voided": e["voided"],
                   "detail": {k: v for k, v in e["payload"].items()
                              if k not in ("date", "type", "contract")}}
                  for e in ConsoleStore(connection(uow.repo)).contract_events(owner.id, stored.id)]
        return {
            "contract": ref, "customer": stored.contract.customer.name, "pack": row.pack,
            "start": stored.contract.start.isoformat(), "as_of": day.isoformat(),
            "status": state.status, "access": state.access,
            "term_end": state.term_end.isoformat() if state.term_end else None,
            "lines": [line.model_dump(mode="json") for line in stored.contract.lines],
            "problem": run_state.problem,
            "balance": bal.to_json(),
            "entitlement": {**ent.to_json(), "cited": _cited(texts, ent.clauses)},
            "timeline": [{"date": a["date"], "kind": a["kind"],
                          "amount": a.get("amount"), "currency": a.get("currency"),
                          "cited": _cited(texts, a.get("clauses", ())),
                          "detail": _detail(a)} for a in actions],
            "open_items": [{"ref": it.ref, "kind": it.kind, "issued": it.issued.isoformat(),
                            "due": it.due.isoformat(), "amount": fmt(it.amount),
                            "open": fmt(it.open), "on_hold": it.on_hold}
                           for it in state.items if it.open > ZERO],
            "deadlines": [{**d.to_json(), "cited": _cited(texts, d.clauses)}
                          for d in contract_deadlines(state, ctx, day)],
            "documents": documents,
            "events": events,
            "items": sorted({line.item for line in stored.contract.lines}),
        }


_SHOWN = {"date", "kind", "contract", "clauses", "amount", "currency"}


def _detail(action: dict[str, Any]) -> str:
    return ", ".join(f"{k}: {v}" for k, v in action.items()
                     if k not in _SHOWN and not isinstance(v, dict | list))


def _documents(repo: Store, owner: Tenant, ref: str) -> list[dict[str, Any]]:
    docs = DocumentStore(connection(repo)).documents(owner.id, ref)
    if not docs:
        return []
    try:
        profile = profile_of(repo, owner.name)
    except NoProfile:
        return []
    out = []
    lookups = _lookups(repo, owner, ref)
    for stored in docs:
        doc = build(repo, stored, profile, lookups)
        remaining = open_net(repo, stored)
        out.append({"number": stored.number, "kind": stored.kind, "reason": stored.reason,
                    "issued": stored.issued.isoformat(), "due": stored.due.isoformat(),
                    "net": fmt(doc.net), "vat": fmt(doc.vat), "total": fmt(doc.total),
                    "open": fmt(remaining), "currency": stored.currency,
                    "status": _doc_status(stored),
                    "credit_note_for": stored.credit_note_for})
    return out


def _lookups(repo: Store, owner: Tenant, ref: str) -> Lookups:
    """What `build` reads of the contract, given: left empty, it reads the tenant's every
    contract on first use (made for listings of the whole book)."""
    return Lookups(contracts={(owner.id, ref): repo.contracts(owner.id, ref)[0]})


def _doc_status(stored: StoredDocument) -> str:
    """The status kept with the document (`kept.keep_documents`), as the API gives it but
    for a credit note's words."""
    return "credit note" if stored.status == "credit_note" else stored.status


# --- what-if -------------------------------------------------------------------------------

def hypothetical(raw: dict[str, Any], contract_ref: str) -> EventBase:
    """A what-if event from a form: payment (amount), termination_notice (by) or seat_change
    (item, quantity), validated as any event is."""
    kind = raw.get("type")
    if kind not in ("payment", "termination_notice", "seat_change"):
        raise InputError("a what-if event is a payment, a notice or a seat change",
                         field="type")
    fields = {"payment": ("amount",), "termination_notice": ("by",),
              "seat_change": ("item", "quantity")}[kind]
    data = {"type": kind, "date": raw.get("date"), "contract": contract_ref,
            **{f: raw.get(f) for f in fields}}
    try:
        return event_adapter().validate_python(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InputError(first["msg"], field=".".join(str(p) for p in first["loc"][1:])
                         or "event") from None


def what_if(uow: UnitOfWork, tenant_name: str, ref: str, extra: Sequence[EventBase],
            until: date) -> dict[str, Any]:
    """Run the stored contract's events plus `extra` through the engine's simulation up to
    `until`, in memory: the actions that would be added and those that would no longer
    happen, and the balance then. Nothing is stored."""
    with uow:
        owner = find_tenant(uow.repo, tenant_name)
        _row(uow, owner, ref)
        stored = uow.repo.contracts(owner.id, ref)[0]
        ctx = context(uow, stored, owner)
        events = [e.event for e in uow.repo.events(stored, None)
                  if not isinstance(e.event, Unreadable)]
    texts = clause_texts(ctx.policy)
    base_state, base = run_contract(ctx, events, until)
    state, acts = run_contract(ctx, [*events, *extra], until)
    before = _counted(base)
    after = _counted(acts)
    added = [a for a in acts if _take(after, before, a)]
    gone = [a for a in base if _take(_counted(base), _counted(acts), a)]

    def shown(a: Action) -> dict[str, Any]:
        body = a.to_json()
        return {"date": body["date"], "kind": body["kind"], "amount": body.get("amount"),
                "currency": body.get("currency"), "detail": _detail(body),
                "cited": _cited(texts, body.get("clauses", ()))}

    return {"until": until.isoformat(), "added": [shown(a) for a in added],
            "removed": [shown(a) for a in gone],
            "balance": balance(state, ctx, until).to_json(),
            "balance_without": balance(base_state, ctx, until).to_json(),
            "status": state.status, "access": state.access}


def _counted(acts: Sequence[Action]) -> dict[str, int]:
    out: dict[str, int] = {}
    for a in acts:
        key = json.dumps(a.to_json(), sort_keys=True, default=str)
        out[key] = out.get(key, 0) + 1
    return out


def _take(mine: dict[str, int], other: dict[str, int], a: Action) -> bool:
    """True for the occurrences of `a` beyond those `other` has (consumed as counted)."""
    key = json.dumps(a.to_json(), sort_keys=True, default=str)
    mine[key] -= 1
    return mine[key] >= other.get(key, 0)


# --- work queues ---------------------------------------------------------------------------

def queues(uow: UnitOfWork, tenant_name: str, limit: int = 50) -> dict[str, Any]:
    """Set-aside contracts with their failing day, events and error; bank credits nobody
    matched with the open invoices that could fit; failed deliveries."""
    with uow:
        owner = find_tenant(uow.repo, tenant_name)
        store = ConsoleStore(connection(uow.repo))
        problems = []
        for row in store.contract_page(owner.id, problems=True, limit=limit):
            problem = json.loads(row.problem) if row.problem else {}
            ids = set(problem.get("events", ()))
            events = [{"id": e["id"], "date": e["payload"].get("date"),
                       "type": e["payload"].get("type"), "voided": e["voided"],
                       "failing": e["id"] in ids}
                      for e in store.contract_events(owner.id, row.id)]
            problems.append({"contract": row.ref, "customer": row.customer,
                             "day": problem.get("day"), "error": problem.get("error"),
                             "events": events})
        credits = []
        for entry in uow.bank.unmatched(owner.id)[:limit]:
            fits = _fits(store.open_invoices(owner.id, entry.currency,
                                             entry.booked - CANDIDATE_DAYS, entry.booked),
                         entry.amount, entry.debtor)
            credits.append({**dataclasses.asdict(entry), "booked": entry.booked.isoformat(),
                            "amount": fmt(entry.amount),
                            "fits": [{"number": f["number"], "contract": f["contract"],
                                      "customer": f["customer"],
                                      "due": f["due"].isoformat(),
                                      "open": fmt(Decimal(f["owed"]))} for f in fits]})
        failed = [{**d, "created_at": str(d["created_at"])[:19]}
                  for d in store.failed_deliveries(owner.id, limit)]
        return {"problems": problems, "credits": credits, "deliveries": failed}


CANDIDATE_DAYS = timedelta(days=180)  # invoices issued this long before a credit may fit it


def _fits(found: list[dict[str, Any]], amount: Decimal, debtor: str | None, limit: int = 5
          ) -> list[dict[str, Any]]:
    """The open invoices most likely paid by a credit: the debtor's own first, then those
    whose open amount is nearest the credit's."""
    return sorted(found, key=lambda f: (f["customer"] != debtor,
                                        abs(Decimal(f["owed"]) - amount), f["issued"]))[:limit]


def assign_credit(uow: UnitOfWork, tenant_name: str, entry_ref: str, number: str
                  ) -> dict[str, Any]:
    """Match an unmatched bank credit to an invoice by hand: a `payment` event of the
    invoice's contract dated the booking day, whose reference is the bank's entry reference
    (so it is stored once however often it is assigned) naming the invoice, for the whole
    credit: the engine's items are gross (issue 17), so the credit pays the invoice first and
    what is left goes where the policy's allocation says, or stays as credit; nothing of it is
    lost. The credit is then matched."""
    with uow:
        owner = find_tenant(uow.repo, tenant_name)
        store = ConsoleStore(connection(uow.repo))
        entry = store.bank_entry(owner.id, entry_ref)
        if entry is None:
            raise NotFound(f"no bank credit {entry_ref!r}")
        if entry.status != "unmatched":
            raise InputError(f"bank credit {entry_ref!r} is matched already", field="entry")
        docs = DocumentStore(connection(uow.repo))
        stored = docs.document(owner.id, number)
        if stored is None or stored.kind != "invoice":
            raise NotFound(f"no invoice {number!r}")
        if stored.currency != entry.currency:
            raise InputError(f"the credit is in {entry.currency}, invoice {number} in "
                             f"{stored.currency}", field="number")
        contract_ = uow.repo.contracts(owner.id, stored.contract_ref)[0]
        if entry.booked < contract_.contract.start:
            raise InputError("the credit was booked before the contract started",
                             field="number")
        if open_net(uow.repo, stored) <= ZERO:
            raise InputError(f"invoice {number} has nothing open", field="number")
        amount = Decimal(entry.amount)
        event = Payment(type="payment", date=entry.booked, contract=stored.contract_ref,
                        amount=amount, reference=entry_ref, invoice=stored.source_ref)
        event_id = uow.repo.add_event(owner.id, contract_.id, event, event_key(event, None, 0))
        if event_id is not None:
            uow.repo.note_event(owner.id, contract_.id, event.date)
        if not store.match_entry(entry.id, number, event_id or 0) and event_id is None:
            raise InputError(f"bank credit {entry_ref!r} is matched already", field="entry")
        uow.commit()
    return {"entry": entry_ref, "invoice": number, "contract": stored.contract_ref,
            "amount": fmt(amount), "event": event_id}


def retry_delivery(uow: UnitOfWork, tenant_name: str, channel: str, msg_id: str,
                   now: datetime) -> bool:
    if channel not in ("webhook", "email"):
        raise InputError("a delivery is a webhook or an email", field="channel")
    with uow:
        owner = find_tenant(uow.repo, tenant_name)
        done = ConsoleStore(connection(uow.repo)).retry_delivery(owner.id, channel, msg_id, now)
        uow.commit()
    if not done:
        raise NotFound(f"no failed delivery {msg_id!r}")
    return done


# --- invoices ------------------------------------------------------------------------------

@dataclass(frozen=True)
class InvoiceFilter:
    first: date | None = None
    last: date | None = None
    status: str | None = None  # open | paid | credit_note
    customer: str | None = None


def invoices(uow: UnitOfWork, tenant_name: str, filt: InvoiceFilter, offset: int = 0,
             limit: int | None = 50) -> dict[str, Any]:
    """A page of the tenant's documents (filtered in the database) with the filter's totals."""
    if filt.status not in (None, "open", "paid", "credit_note"):
        raise InputError("status is open, paid or credit_note", field="status")
    with uow:
        owner = find_tenant(uow.repo, tenant_name)
        store = ConsoleStore(connection(uow.repo))
        rows = store.invoice_page(owner.id, first=filt.first, last=filt.last,
                                  status=filt.status, customer=filt.customer, offset=offset,
                                  limit=None if limit is None else limit + 1)
        shown = rows if limit is None else rows[:limit]
        out = []
        for r in shown:  # each document's open amount and status as kept (`kept`)
            status = "credit note" if r["status"] == "credit_note" else str(r["status"])
            owed = Decimal(r["open_amount"])
            out.append({"number": r["number"], "kind": r["kind"], "reason": r["reason"],
                        "contract": r["contract"], "customer": r["customer"],
                        "issued": r["issued"].isoformat(), "due": r["due"].isoformat(),
                        "total": fmt(r["amount"]), "open": fmt(owed),
                        "currency": r["currency"], "status": status,
                        "credit_note_for": r["credit_note_for"]})
        # a stored document's amount is its total incl. VAT, the engine's open item (issue 17)
        totals = [{"currency": c, "documents": n, "total": fmt(v)}
                  for c, n, v in store.invoice_totals(owner.id, first=filt.first, last=filt.last,
                                                         status=filt.status,
                                                         customer=filt.customer)]
        more = limit is not None and len(rows) > limit
        return {"rows": out, "totals": totals, "more": more}


def document_summary(uow: UnitOfWork, tenant_name: str, number: str) -> dict[str, Any]:
    with uow:
        owner = find_tenant(uow.repo, tenant_name)
        stored = DocumentStore(connection(uow.repo)).document(owner.id, number)
        if stored is None:
            raise NotFound(f"no document {number!r}")
        doc = build(uow.repo, stored, profile_of(uow.repo, owner.name),
                    _lookups(uow.repo, owner, stored.contract_ref))
        remaining = open_net(uow.repo, stored)
        return {"number": number, "kind": stored.kind, "contract": stored.contract_ref,
                "customer": doc.buyer.name, "issued": stored.issued.isoformat(),
                "due": stored.due.isoformat(), "net": fmt(doc.net), "vat": fmt(doc.vat),
                "total": fmt(doc.total), "open": fmt(remaining),
                "currency": stored.currency, "status": _doc_status(stored)}


# --- the customer's page -------------------------------------------------------------------

def customer_page(uow: UnitOfWork, tenant_id: int, customer_id: int) -> dict[str, Any]:
    """One customer's contracts (status, deadlines with the clause text, open items), its
    documents and what is open, in its language; nothing of any other customer."""
    with uow:
        owner = next((tn for tn in uow.repo.tenants() if tn.id == tenant_id), None)
        store = ConsoleStore(connection(uow.repo))
        cust = store.customer(tenant_id, customer_id) if owner is not None else None
        if owner is None or cust is None:
            raise NotFound("no such customer")
        rows = store.customer_contracts(tenant_id, customer_id)
        through = uow.repo.run_through(tenant_id)
        models = store.contracts_by_id([r.id for r in rows])
        caches = _Caches()
        contracts: list[dict[str, Any]] = []
        owed: dict[str, Decimal] = {}
        language = None
        for row in rows:
            stored = StoredContract(row.id, tenant_id, models[row.id], row.policy_version_id)
            ctx = context(uow, stored, owner, caches)
            state: ContractState = decode(ContractState, loads(row.state))
            day = _as_of(row, through)
            texts = clause_texts(ctx.policy)
            bal = balance(state, ctx, day)
            owed[bal.currency] = owed.get(bal.currency, ZERO) + bal.total
            language = language or store.language(row.id) or stored.contract.customer.language
            found = contract_deadlines(state, ctx, day)
            contracts.append({
                "contract": row.ref, "pack": row.pack, "status": state.status,
                "access": state.access, "as_of": day.isoformat(),
                "deadlines": [{**d.to_json(), "cited": _cited(texts, d.clauses)}
                              for d in sorted(found, key=lambda d: (
                                  CUSTOMER_DEADLINES.index(d.kind)
                                  if d.kind in CUSTOMER_DEADLINES else 99, d.date))],
                "open_items": [{"ref": it.ref, "kind": it.kind, "due": it.due.isoformat(),
                                "open": fmt(it.open)} for it in state.items
                               if it.open > ZERO],
                "owed": fmt(bal.total), "currency": bal.currency})
        documents = [d for r in rows for d in _documents(uow.repo, owner, r.ref)]
        return {"customer": cust.name, "tenant": owner.name, "language": language or "en",
                "contracts": contracts, "documents": documents,
                "owed": [{"currency": c, "total": fmt(v)} for c, v in sorted(owed.items())]}


def customer_deadline_rows(page: dict[str, Any]) -> list[dict[str, Any]]:
    """The customer's deadlines as `calendar_export` rows."""
    return [{"tenant": page["tenant"], "customer": page["customer"],
             **{k: v for k, v in d.items() if k != "cited"}}
            for c in page["contracts"] for d in c["deadlines"]]


def customer_document(uow: UnitOfWork, tenant_id: int, customer_id: int, number: str
                      ) -> tuple[str, StoredDocument]:
    """(tenant name, document) when the document is one of this customer's."""
    with uow:
        owner = next((tn for tn in uow.repo.tenants() if tn.id == tenant_id), None)
        store = ConsoleStore(connection(uow.repo))
        stored = DocumentStore(connection(uow.repo)).document(tenant_id, number) \
            if owner is not None else None
        refs = {r.ref for r in store.customer_contracts(tenant_id, customer_id)}
        if owner is None or stored is None or stored.contract_ref not in refs:
            raise NotFound(f"no document {number!r}")
        return owner.name, stored
