"""Documents for a simulation's ledger (the demo): numbered in ledger order with the same rules
as the store (`store.numbering`): an invoice per `invoice_issued`, an invoice per reminder fee,
collection cost and interest charge (naming its invoice's number), a credit note per SLA credit,
defect refund and invoice credited (a dispute upheld, a period after the end), the last for the
invoice it credits."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from termline.adapters.documents.build import (
    Issued,
    IssuedLine,
    charge_label,
    charge_source,
    credit_note_label,
    document,
)
from termline.adapters.documents.model import Document
from termline.adapters.documents.parties import SellerProfile
from termline.adapters.documents.terms import document_language, payment_terms
from termline.domain.engine.actions import Action
from termline.domain.engine.simulate import SimulationResult

CREDITS = {"sla_credit", "defect_refund"}


def _language(result: SimulationResult, contract: str, profile: SellerProfile) -> str:
    return document_language(result.contexts[contract].contract.customer.language,
                             profile.language)


def documents(result: SimulationResult, profile: SellerProfile) -> list[Document]:
    counters: dict[tuple[str, int], int] = {}
    latest: dict[str, tuple[str, object]] = {}
    numbers: dict[tuple[str, str], str] = {}  # (contract, engine ref) -> the invoice's number
    out = []
    ordered = sorted(enumerate(result.actions), key=lambda p: (p[1].date, p[0]))
    for _, act in ordered:
        issued = _issued(act, result, profile, counters, latest, numbers)
        if issued is None:
            continue
        if act.kind == "invoice_issued":
            numbers[(act.contract, str(act.get("ref")))] = issued.number
        if issued.kind == "invoice" and issued.invoice_kind not in ("fee", "interest"):
            latest[act.contract] = (issued.number, issued.issued)
            latest[f"{act.contract}|{issued.source}"] = (issued.number, issued.issued)
        contract = result.contexts[act.contract].contract
        language = _language(result, act.contract, profile)
        out.append(document(issued, profile, contract, payment_terms(
            result.contexts[act.contract].policy, profile, language)))
    return out


def _number(profile: SellerProfile, counters: dict[tuple[str, int], int], credit: bool,
            year: int) -> str:
    prefix = profile.credit_prefix if credit else profile.invoice_prefix
    key = (prefix, year if profile.number_per_year else 0)
    counters[key] = counters.get(key, 0) + 1
    return f"{prefix}{year}-{counters[key]:06d}" if profile.number_per_year \
        else f"{prefix}{counters[key]:06d}"


def _issued(act: Action, result: SimulationResult, profile: SellerProfile,
            counters: dict[tuple[str, int], int], latest: dict[str, tuple[str, object]],
            numbers: dict[tuple[str, str], str]) -> Issued | None:
    currency = act.currency or "EUR"
    language = _language(result, act.contract, profile)
    if act.kind == "invoice_issued":
        ref = str(act.get("ref"))
        item = result.states[act.contract].item(ref)
        start, end = act.get("period_start"), act.get("period_end")
        period = (start, end) if start is not None and end is not None else None
        return Issued("invoice", _number(profile, counters, False, act.date.year), act.date,
                      item.due, currency,
                      tuple(IssuedLine(ln.item, Decimal(ln.quantity), ln.unit_price, ln.amount)
                            for ln in item.lines), ref, str(act.get("invoice_kind")),
                      period)  # type: ignore[arg-type]
    if act.kind == "invoice_credited" and "document" not in dict(act.fields):  # the engine's own
        amount = act.get("amount")
        assert isinstance(amount, Decimal)
        label = credit_note_label(act)
        return Issued("credit_note", _number(profile, counters, True, act.date.year),
                      act.date, act.date, currency,
                      (IssuedLine(charge_label(act.kind, label, language), Decimal(1),
                                  amount, amount),),
                      label, str(act.get("reason")), None,
                      numbers.get((act.contract, str(act.get("ref")))))
    if act.kind in CREDITS:
        amount = act.get("amount")
        assert isinstance(amount, Decimal)
        label = (f"sla-credit {act.get('window')}" if act.kind == "sla_credit"
                 else f"defect-refund {act.get('defect')}")
        before = latest.get(act.contract)
        return Issued("credit_note", _number(profile, counters, True, act.date.year),
                      act.date, act.date, currency,
                      (IssuedLine(charge_label(act.kind, label, language), Decimal(1),
                                  amount, amount),),
                      label, act.kind, None, before[0] if before else None)
    fee = act.get("fee") if act.kind == "reminder_sent" else None
    if act.kind in ("collection_costs_charged", "interest_charged", "charge_applied",
                    "compensation_charged") or \
            (isinstance(fee, Decimal) and fee > 0):
        amount = fee if fee is not None else act.get("amount")
        assert isinstance(amount, Decimal)
        ref, reason = charge_source(act)
        # the invoice it arises from, by legal number (BT-25/BT-26)
        invoice = act.get("invoice") if act.kind == "interest_charged" else act.get("ref")
        source = latest.get(f"{act.contract}|{invoice}")
        number = str(source[0]) if source else None
        day = source[1] if source else None
        return Issued("invoice", _number(profile, counters, False, act.date.year), act.date,
                      act.date, currency,
                      (IssuedLine(charge_label(reason, ref, language, number), Decimal(1),
                                  amount, amount),),
                      ref, reason, refers_to=number,
                      refers_to_date=day if isinstance(day, date) else None)
    return None
