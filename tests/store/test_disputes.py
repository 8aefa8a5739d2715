"""Issue 17, disputes and endings in the store, on SQLite and PostgreSQL (`db_url`): a dispute
named by the invoice's legal number holds the invoice across runs (the state codec keeps
`on_hold`), and its resolution is a credit note in the credit-note series that settles it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from lxml import etree

from tests.store.test_equivalence import termline
from tests.store.test_money_model import _book, _documents

# SmartTrackers (seed 004, Dutch law) with 6.9 switched on: the written notice the day after
# the due date, the suspension 14 days after the notice. Belgian seller profile (SC numbers),
# Belgian customer: 3000.00 + 21 % VAT = 3630.00 per yearly invoice, due 30 days later (6.6).
SMARTTRACKERS = """
policy: smarttrackers
until: 2025-12-31
contracts:
  - id: held
    customer: {name: Held BV, country: BE, vat_number: BE0477472701}
    start: 2025-01-01
    overrides: {"dunning.steps.suspension_notice.enabled": true,
                "dunning.steps.suspension.enabled": true}
    lines: [{item: SmartTrackers Platform, unit_price: "250.00", per: month, quantity: 1}]
events: []
"""


def _event(db_url: str, kind: str, day: str, **fields: str) -> None:
    extra = [arg for key, value in fields.items() for arg in ("--field", f"{key}={value}")]
    termline(db_url, "event", "add", "--contract", "held", "--type", kind, "--date", day,
             *extra)


def _ledger(db_url: str) -> list[dict[str, object]]:
    actions: list[dict[str, object]] = json.loads(
        termline(db_url, "ledger", "--format", "json"))["actions"]
    return actions


def test_a_dispute_by_number_holds_the_invoice_across_runs_and_upheld_is_credited(
        db_url: str, tmp_path: Path, valid: Callable[[bytes], None]) -> None:
    """6.6, 6.9: SC2025-000001 of 2025-01-01, 3630.00, due 2025-01-31. The customer disputes
    it by its number on 2025-01-20 (inside the 30 days): the store names the engine's item
    (held-0001) and the invoice is on hold. A run to 2025-03-01 passes the days the notice
    (2025-02-01) and the suspension (2025-02-15) would otherwise fall on: neither happens, and
    the next run (from the stored state) still holds it. Upheld on 2025-03-10: a credit note
    SCCN2025-000001 for SC2025-000001, 3000.00 + 630.00 = 3630.00, settles the invoice; the
    balance is 0.00 with no credit, and the documents' open amounts agree (0.00). The credit
    note passes the CEN and Peppol rules."""
    _book(db_url, tmp_path, SMARTTRACKERS)
    termline(db_url, "run", "--until", "2025-01-15")
    assert [(d["number"], d["total"], d["due"]) for d in _documents(db_url)] == [
        ("SC2025-000001", "3630.00", "2025-01-31")]
    _event(db_url, "invoice_disputed", "2025-01-20", ref="SC2025-000001")
    termline(db_url, "run", "--until", "2025-03-01")
    _event(db_url, "dispute_resolved", "2025-03-10", ref="SC2025-000001", outcome="upheld")
    termline(db_url, "run", "--until", "2025-03-31")
    ledger = _ledger(db_url)
    assert [(a["date"], a["kind"]) for a in ledger] == [
        ("2025-01-01", "contract_started"), ("2025-01-01", "invoice_issued"),
        ("2025-01-20", "invoice_dispute_received"), ("2025-03-10", "dispute_upheld"),
        ("2025-03-10", "invoice_credited"), ("2025-03-10", "payment_applied")]
    received = next(a for a in ledger if a["kind"] == "invoice_dispute_received")
    assert (received["ref"], received["window_until"], received["on_hold"]) == (
        "held-0001", "2025-01-31", True)
    docs = {d["number"]: d for d in _documents(db_url)}
    credit = docs["SCCN2025-000001"]
    assert (credit["kind"], credit["net"], credit["vat"], credit["total"],
            credit["credit_note_for"], credit["issued"]) == (
        "credit_note", "3000.00", "630.00", "3630.00", "SC2025-000001", "2025-03-10")
    assert docs["SC2025-000001"]["open"] == "0.00"
    out = tmp_path / "credit.xml"
    termline(db_url, "invoice", "ubl", "SCCN2025-000001", "-o", str(out))
    valid(out.read_bytes())
    assert b"<cbc:ID>SC2025-000001</cbc:ID>" in out.read_bytes()  # its BillingReference
    # in full, it mirrors the invoice's lines (issue 17: a credit note mirrors what it credits)
    invoice = tmp_path / "invoice.xml"
    termline(db_url, "invoice", "ubl", "SC2025-000001", "-o", str(invoice))
    assert _lines(out.read_bytes()) == _lines(invoice.read_bytes())
    assert len(_lines(invoice.read_bytes())) >= 1
    (row,) = json.loads(termline(db_url, "balance", "-f", "json"))
    assert (row["principal"], row["interest"], row["total"], row["credit"]) == (
        "0.00", "0.00", "0.00", "0.00")


def _lines(xml: bytes) -> list[tuple[str, str]]:
    """Each UBL line's item name and net amount (BT-153, BT-131)."""
    cbc = "{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2}"
    cac = "{urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2}"
    root = etree.fromstring(xml)
    return [(str(line.findtext(f"{cac}Item/{cbc}Name")),
             str(line.findtext(f"{cbc}LineExtensionAmount")))
            for line in root if line.tag in (f"{cac}InvoiceLine", f"{cac}CreditNoteLine")]


def test_a_rejected_dispute_resumes_and_a_second_resolution_is_refused(
        db_url: str, tmp_path: Path) -> None:
    """6.6, 6.9: disputed on 2025-01-20, rejected on 2025-03-10 (each run stops between the
    events, so the hold and the day it ended come back from the stored state): the notice on
    max(2025-01-31, 2025-03-10) + 1 day = 2025-03-11, the suspension 14 days later on
    2025-03-25. A second resolution on 2025-04-01 is refused: nothing is on hold."""
    _book(db_url, tmp_path, SMARTTRACKERS)
    _event(db_url, "invoice_disputed", "2025-01-20", ref="held-0001")
    termline(db_url, "run", "--until", "2025-03-01")
    _event(db_url, "dispute_resolved", "2025-03-10", ref="held-0001", outcome="rejected")
    termline(db_url, "run", "--until", "2025-03-10")
    termline(db_url, "run", "--until", "2025-03-20")
    _event(db_url, "dispute_resolved", "2025-04-01", ref="held-0001", outcome="upheld")
    termline(db_url, "run", "--until", "2025-04-30")
    assert [(a["date"], a["kind"], a.get("reason")) for a in _ledger(db_url)][2:] == [
        ("2025-01-20", "invoice_dispute_received", None),
        ("2025-03-10", "dispute_rejected", None),
        ("2025-03-11", "payment_notice_sent", None),
        ("2025-03-25", "access_suspended", None),
        ("2025-04-01", "event_refused", "invoice held-0001 is not on hold: no dispute to resolve")]
    assert [d["kind"] for d in _documents(db_url)] == ["invoice"]
