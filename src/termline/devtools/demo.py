"""`make demo`: the five packs over 24 months, five customers each, timelines written to out/,
and each pack's invoices and credit notes as Peppol UBL and PDF in out/<pack>/.

Sellers and buyers here are SAMPLE parties: their VAT, enterprise and account numbers have
valid check digits but belong to no one."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from termline.adapters.documents.from_simulation import documents
from termline.adapters.documents.model import Document
from termline.adapters.documents.parties import SellerProfile
from termline.adapters.documents.pdf import render as render_pdf
from termline.adapters.documents.ubl import write as write_ubl
from termline.devtools.behaviour import customer_responder
from termline.domain.contract.model import (
    Contract,
    EventBase,
    Incident,
    TerminationNotice,
    TicketAnswered,
    TicketOpened,
)
from termline.domain.engine.actions import Action
from termline.domain.engine.simulate import SimulationResult, simulate
from termline.domain.mechanisms.liability.cap import Claim
from termline.domain.mechanisms.liability.compute import cap_on
from termline.domain.mechanisms.pricing.series import IndexTable
from termline.domain.policy import BUILTIN_PACKS, apply_overrides
from termline.domain.values.money import ZERO, fmt

START = date(2027, 1, 4)
UNTIL = date(2028, 12, 31)
# SAMPLE index values for the demo's Smartconnect 8.7 indexation (not official Agoria figures):
# renewal 2028-01-04: 45.00 x (0.2 + 0.8 x 134.55 / 130.00) = 45.00 x 1.028 = 46.26.
DEMO_INDICES = IndexTable.of({"agoria": {"2026-12": Decimal("130.00"),
                                         "2027-12": Decimal("134.55")}})

_LINES = {
    "smartconnect": {"item": "Contact center seat", "unit_price": "45.00", "per": "month",
                     "quantity": 5},
    "clientcom": {"item": "Smart voicemail", "unit_price": "29.00", "per": "month", "quantity": 1},
    "smartweb": {"item": "SmartWeb Shop", "unit_price": "50.00", "per": "month", "quantity": 1},
    "superoffice": {"item": "CRM Online Sales user", "unit_price": "55.00", "per": "month",
                    "quantity": 4},
    "smarttrackers": {"item": "SmartTrackers licence", "unit_price": "3000.00", "per": "year",
                      "quantity": 1},
}


@dataclass(frozen=True)
class Customer:
    id: str
    name: str
    behaviour: str  # on_time | late | never | cancels | trial
    start: date


# SAMPLE seller profiles, one per pack's provider (country of its governing law or seat).
_SELLER_BASE = {"street": "Demostraat 1", "invoice_prefix": "", "terms_url": None}
SELLERS: dict[str, dict[str, Any]] = {
    "smartconnect": {"legal_name": "Smartconnect NV (sample)", "city": "Gent",
                     "postal_code": "9000", "country": "BE", "vat_number": "BE0906790345",
                     "company_id": "0906790345", "iban": "BE23310229628691",
                     "bic": "BBRUBEBB", "peppol_id": "0208:0906790345",
                     "invoice_prefix": "SC", "language": "nl"},
    "clientcom": {"legal_name": "ClientCom BV (sample)", "city": "Antwerpen",
                  "postal_code": "2000", "country": "BE", "vat_number": "BE0774208765",
                  "company_id": "0774208765", "iban": "BE79001161316433", "bic": "GEBABEBB",
                  "peppol_id": "0208:0774208765", "invoice_prefix": "CC",
                  "creditor_id": "BE69ZZZ050D000000008", "language": "nl"},
    "smarttrackers": {"legal_name": "SmartTrackers B.V. (sample)", "city": "Utrecht",
                      "postal_code": "3511 AA", "country": "NL", "vat_number": "NL879712776B01",
                      "company_id": "12345678", "iban": "NL91ABNA0417164300",
                      "bic": "ABNANL2A", "peppol_id": "0106:12345678",
                      "invoice_prefix": "ST"},
    "smartweb": {"legal_name": "SmartWeb ApS (sample)", "city": "København",
                 "postal_code": "1050", "country": "DK", "vat_number": "DK95387454",
                 "company_id": "95387454", "iban": "DK5000400440116243", "bic": "DABADKKK",
                 "peppol_id": "0184:95387454", "invoice_prefix": "SW", "language": "da"},
    "superoffice": {"legal_name": "SuperOffice AS (sample)", "city": "Oslo",
                    "postal_code": "0150", "country": "NO", "vat_number": "NO852326387MVA",
                    "company_id": "852326387", "iban": "NO9386011117947", "bic": "DNBANOKK",
                    "peppol_id": "0192:852326387", "invoice_prefix": "SO"},
}
# SAMPLE buyers: Belgian, Dutch, Belgian, Danish and Norwegian businesses.
BUYERS: dict[str, dict[str, Any]] = {
    "ontime": {"country": "BE", "vat_number": "BE0513506221", "company_id": "0513506221",
               "language": "en", "address": {"street": "Kouter 7", "city": "Gent",
                                             "postal_code": "9000"}},
    "late": {"country": "NL", "vat_number": "NL609024309B01", "language": "nl",
             "address": {"street": "Oudegracht 12", "city": "Utrecht",
                         "postal_code": "3511 AB"}},
    "never": {"country": "BE", "vat_number": "BE0956644781", "company_id": "0956644781",
              "language": "fr", "address": {"street": "Rue Neuve 3", "city": "Bruxelles",
                                            "postal_code": "1000"}},
    "cancels": {"country": "DK", "vat_number": "DK63124478", "language": "da",
                "address": {"street": "Strøget 5", "city": "København",
                            "postal_code": "1160"}},
    "trial": {"country": "NO", "vat_number": "NO810018836MVA", "language": "en",
              "address": {"street": "Karl Johans gate 9", "city": "Oslo",
                          "postal_code": "0154"}},
}


CUSTOMERS = (
    Customer("ontime", "Prompt Payer Ltd", "on_time", START),
    Customer("late", "Latecomer BV", "late", START + timedelta(days=10)),
    Customer("never", "Never Pays NV", "never", START + timedelta(days=20)),
    Customer("cancels", "Short Stay ApS", "cancels", START + timedelta(days=31)),
    Customer("trial", "Just Looking AS", "trial", START + timedelta(days=45)),
)
# ClientCom 5.2 collects by monthly direct debit: each demo customer signed a SAMPLE mandate.
DEBTOR_IBANS = {"ontime": "BE27063787789373", "late": "BE43063287921701",
                "never": "BE78063421809686", "cancels": "BE44063792908145",
                "trial": "BE45063003390789"}


def _contracts(pack: str) -> list[Contract]:
    trial = apply_overrides(pack, {}).trial.offered
    out = []
    for c in CUSTOMERS:
        raw: dict[str, Any] = {"id": c.id, "customer": {"name": c.name, **BUYERS[c.id]},
                               "start": c.start, "lines": [_LINES[pack]]}
        if c.behaviour == "trial" and trial:
            raw["trial_days"] = 30
        if pack == "clientcom":
            raw["mandate"] = {"id": f"CC-MANDATE-{c.id.upper()}",
                              "signed": c.start - timedelta(days=7), "iban": DEBTOR_IBANS[c.id]}
        out.append(Contract.model_validate(raw))
    return out


def _service_events(pack: str) -> list[EventBase]:
    """An outage for every contract and a support ticket answered late (sla, support).

    SuperOffice 4: 3 h down on 14 Sept 2027, reported after 5 minutes, below 99.8 % for
    September: a proportional credit. Smartconnect 5.4: an error report on Monday 4 Oct 16:00 is
    due after 10 business hours (Wednesday 10:00) and answered at 15:00: a breach. Packs without
    an availability rule pass the broadcast incident by; the ticket goes only to packs with an
    error-report target.
    """
    incident = Incident.model_validate({
        "type": "incident", "start": "2027-09-14T09:00:00+02:00",
        "end": "2027-09-14T12:00:00+02:00", "reported_at": "2027-09-14T09:05:00+02:00"})
    support = apply_overrides(pack, {}).support
    if support is None or support.responses.error is None:
        return [incident]
    return [
        incident,
        TicketOpened.model_validate({"type": "ticket_opened", "date": "2027-10-04",
                                     "contract": "ontime", "ticket": "T-1",
                                     "at": "2027-10-04T16:00:00+02:00"}),
        TicketAnswered.model_validate({"type": "ticket_answered", "date": "2027-10-06",
                                       "contract": "ontime", "ticket": "T-1",
                                       "at": "2027-10-06T15:00:00+02:00"}),
    ]


def run_pack(pack: str) -> tuple[SimulationResult, list[Contract], list[EventBase]]:
    contracts = _contracts(pack)
    policies = {c.id: apply_overrides(pack, {}) for c in contracts}
    events: list[EventBase] = [TerminationNotice(type="termination_notice", date=date(2027, 6, 15),
                                           contract="cancels", by="customer")]
    events += _service_events(pack)
    behaviours = {c.id: c.behaviour if c.behaviour != "cancels" else "on_time" for c in CUSTOMERS}
    result = simulate(contracts, policies, events, UNTIL, respond=customer_responder(behaviours),
                      indices=DEMO_INDICES)
    return result, contracts, events


def _amount(act: Action, key: str = "amount") -> Decimal:
    value = act.get(key)
    assert isinstance(value, Decimal)
    return value


def _summary(pack: str, result: SimulationResult) -> dict[str, Any]:
    counts = Counter(a.kind for a in result.actions)
    invoiced = sum((_amount(a, "total") for a in result.actions
                    if a.kind == "invoice_issued"), ZERO)
    collected = sum((_amount(a) for a in result.actions if a.kind == "payment_applied"), ZERO)
    open_total = sum((b.total for b in result.balances), ZERO)
    return {"pack": pack, "actions": len(result.actions), "invoices": counts["invoice_issued"],
            "invoiced": fmt(invoiced), "collected": fmt(collected),
            "reminders": counts["reminder_sent"], "suspensions": counts["access_suspended"],
            "terminations": counts["contract_terminated"], "deletions": counts["data_deleted"],
            "open": fmt(open_total)}


LIABILITY_CONTRACT = "ontime"


def _liability(result: SimulationResult) -> dict[str, Any]:
    """The liability cap for the on-time payer, for a (general) event on the last day."""
    cap = cap_on(result, LIABILITY_CONTRACT, Claim(event=UNTIL))
    return {"contract": LIABILITY_CONTRACT, "on": UNTIL.isoformat(), **cap.to_json()}


def seller(pack: str) -> SellerProfile:
    return SellerProfile.model_validate({**_SELLER_BASE, **SELLERS[pack]})


def pack_documents(pack: str, result: SimulationResult | None = None) -> list[Document]:
    """The invoices and credit notes of a pack's demo ledger."""
    if result is None:
        result, _, _ = run_pack(pack)
    return documents(result, seller(pack))


def write_documents(pack: str, result: SimulationResult, out_dir: Path) -> int:
    """Each document's PDF and its UBL (with the PDF embedded) in out_dir/<pack>/."""
    folder = out_dir / pack
    folder.mkdir(parents=True, exist_ok=True)
    docs = pack_documents(pack, result)
    for doc in docs:
        pdf = render_pdf(doc)
        (folder / f"{doc.number}.pdf").write_bytes(pdf)
        attached = replace(doc, attachments=((f"{doc.number}.pdf", "application/pdf", pdf),))
        (folder / f"{doc.number}.xml").write_bytes(write_ubl(attached))
    return len(docs)


def run_demo(out_dir: Path, console: Console, with_documents: bool = True
             ) -> list[dict[str, Any]]:
    out_dir.mkdir(parents=True, exist_ok=True)
    table = Table(title=f"termline demo: five packs, {START} to {UNTIL}")
    columns = ("pack", "actions", "invoices", "invoiced", "collected", "reminders",
               "suspensions", "terminations", "deletions", "open")
    for col in columns:
        table.add_column(col, justify="left" if col == "pack" else "right")
    caps = Table(title=f"Liability cap for {LIABILITY_CONTRACT!r}, event on {UNTIL}")
    for col in ("pack", "cap", "clauses", "basis"):
        caps.add_column(col, justify="right" if col == "cap" else "left")
    summaries = []
    for pack in BUILTIN_PACKS:
        result, _, _ = run_pack(pack)
        (out_dir / f"{pack}.json").write_text(json.dumps(result.to_json(), indent=2) + "\n")
        summary = _summary(pack, result)
        if with_documents:
            summary["documents"] = write_documents(pack, result, out_dir)
        summary["liability"] = liability = _liability(result)
        summaries.append(summary)
        table.add_row(*(str(summary[c]) for c in columns))
        cap = ("no cap" if liability["cap"] is None
               else f"{liability['cap']} {liability['currency']}")
        basis = "\n".join(line for line in liability["explanation"]
                          if not line.startswith("cap:"))
        caps.add_row(pack, cap, ", ".join(liability["clauses"]), basis)
    console.print(table)
    console.print(caps)
    console.print(f"Timelines written to {out_dir}/<pack>.json (EUR, excl. VAT).")
    if with_documents:
        console.print(f"Invoices and credit notes (Peppol UBL with the PDF embedded, and PDF) "
                      f"written to {out_dir}/<pack>/: "
                      f"{sum(s['documents'] for s in summaries)} documents.")
    (out_dir / "summary.json").write_text(json.dumps(summaries, indent=2) + "\n")
    return summaries
