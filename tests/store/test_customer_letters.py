"""What customers receive (issue 18): reminders that state what is due per item incl. VAT, the
fee and the clause, in the customer's language (German, French, Dutch) whichever path stored
the contract, signed by the tenant's seller (legal name, address, terms URL) from its own
sender, with the invoice PDF and the dunning letter PDF attached, sent through a real SMTP
server (aiosmtpd).

The book: tenant Smartconnect BV (Belgian seller profile, `mail_from`) runs the SmartWeb pack
(4.1: billed six months in advance; 4.2: payment within 8 days; first reminder 10 days after
the due date with a fee of 14.00, the second 10 days after the first). Each contract:
SmartWeb Shop 50.00 a month from 2027-01-04, never paid: 6 x 50.00 = 300.00. The customers
have no VAT number, so the Belgian seller charges its standard rate: 300.00 + 21 % = 363.00.
Invoice 2027-01-04, due 2027-01-12; reminder 1 on 2027-01-22 with a fee of 14.00 (its own
invoice, compensation: outside the scope of VAT, docs/readings.md). Due on 2027-01-22:
363.00 + 14.00 = 377.00. Deadline: the second reminder (4.2) on 2027-02-01.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import UTC, datetime
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select

from documents.conftest import PROFILE
from termline.adapters.documents.letter import Letter
from termline.adapters.notify.dispatch import Dispatcher, MailSettings
from termline.adapters.sql import service_tables as s
from termline.adapters.sql.db import make_engine
from termline.app.attachments import attacher
from tests.service.conftest import Mailbox, smtp  # noqa: F401 - the aiosmtpd fixture
from tests.store.test_equivalence import termline

ROOT = Path(__file__).resolve().parents[2]
SENDER = "Smartconnect Billing <billing@smartconnect.example>"
CUSTOMERS = {  # contract: (language, country, name, how it is stored)
    "kunde": ("de", "DE", "Müller GmbH", "contract add"),
    "client": ("fr", "BE", "Dupont SPRL", "contract import"),
    "klant": ("nl", "NL", "Jansen BV", "import"),
}


def _tools() -> tuple[str, str]:
    found = shutil.which("pdftoppm"), shutil.which("pdftotext")
    if None in found:
        if os.environ.get("CI") == "true":
            pytest.fail("pdftoppm/pdftotext (poppler-utils) missing under CI=true")
        pytest.skip("pdftoppm/pdftotext (poppler-utils) are not installed")
    return found[0] or "", found[1] or ""


def _contract(ref: str) -> dict[str, Any]:
    language, country, name, _ = CUSTOMERS[ref]
    return {"id": ref, "policy": "smartweb", "start": "2027-01-04",
            "customer": {"name": name, "country": country, "email": f"{ref}@customer.example",
                         "language": language,
                         "address": {"street": "Main 1", "city": "Town", "postal_code": "1000"}},
            "lines": [{"item": "SmartWeb Shop", "unit_price": "50.00", "per": "month"}]}


def _book(db_url: str, tmp_path: Path) -> None:
    """The three contracts, each by another intake path, run to 2027-01-22."""
    termline(db_url, "db", "upgrade")
    termline(db_url, "tenant", "add", "default")
    profile = tmp_path / "profile.yaml"
    profile.write_text(yaml.safe_dump({**PROFILE, "mail_from": SENDER}))
    termline(db_url, "tenant", "profile", "default", str(profile))
    added = tmp_path / "kunde.yaml"
    added.write_text(yaml.safe_dump(_contract("kunde")))
    termline(db_url, "contract", "add", str(added))
    client = _contract("client")
    rows = tmp_path / "client.csv"
    rows.write_text("id,customer,country,email,language,start,policy,item,unit_price,per\n"
                    f"client,{client['customer']['name']},BE,client@customer.example,fr,"
                    "2027-01-04,smartweb,SmartWeb Shop,50.00,month\n", "utf-8")
    termline(db_url, "contract", "import", str(rows))
    scenario = tmp_path / "klant.yaml"
    klant = _contract("klant")
    klant.pop("policy")
    scenario.write_text(yaml.safe_dump({"policy": "smartweb", "until": "2027-01-22",
                                        "contracts": [klant], "events": []}))
    termline(db_url, "import", str(scenario))
    termline(db_url, "run", "--until", "2027-01-22")


def _emails(db_url: str) -> dict[tuple[str, str], Any]:
    engine = make_engine(db_url)
    with engine.connect() as conn:
        rows = conn.execute(select(s.emails).order_by(s.emails.c.id)).all()
    engine.dispose()
    return {(r.to_addr.split("@")[0], r.kind): r for r in rows}


EXPECTED = {  # what each reminder e-mail states, in its language (4.2, hand computation above)
    "kunde": ("Mahnung 1: Rechnung SC2027-000001 ist überfällig", ["363,00 €", "14,00 €",
              "Gesamtbetrag fällig: 377,00 €", "Ziffer(n): 4.2", "1. Februar 2027"]),
    "client": ("Rappel 1 : la facture SC2027-000002 est échue", ["363,00 €", "14,00 €",
               "Total à payer : 377,00 €", "Article(s) : 4.2", "1 février 2027"]),
    "klant": ("Herinnering 1: factuur SC2027-000003 is vervallen", ["€ 363,00", "€ 14,00",
              "Totaal te betalen: € 377,00", "Artikel(s): 4.2", "1 februari 2027"]),
}


def test_reminders_state_what_is_due_in_the_customers_language_with_pdfs_4_2(
        db_url: str, tmp_path: Path, smtp: Mailbox) -> None:  # noqa: F811
    """SmartWeb 4.2 under tenant Smartconnect BV: each customer's reminder e-mail, in the
    language its contract was stored with (contract add, contract import, import), lists the
    invoice (363.00 incl. 21 % VAT) and the fee (14.00), the total 377.00, the deadline (the
    second reminder on 1 February) and clause 4.2; it comes from the tenant's sender, is
    signed with the seller's legal name, address and terms URL, and carries the invoice's PDF
    and the reminder letter's PDF."""
    _book(db_url, tmp_path)
    mails = _emails(db_url)
    for ref, (subject, phrases) in EXPECTED.items():
        row = mails[(ref, "reminder_sent")]
        assert row.subject == subject
        body = row.body.replace("\xa0", " ").replace("\u202f", " ")  # Babel's spaces
        for phrase in phrases:
            assert phrase in body, (ref, phrase, body)
        assert "Smartconnect BV\nKerkstraat 1\n9000 Gent\nBE" in row.body
        assert "https://smartconnect.example/terms" in row.body
        assert "SmartWeb ApS" not in row.body
        assert row.from_addr == SENDER
        specs = json.loads(row.attachments)
        assert [next(iter(x)) for x in specs] == ["invoice", "letter"]
        invoice = mails[(ref, "invoice_issued")]
        assert "363,00" in invoice.body and json.loads(invoice.attachments) == [
            {"invoice": specs[0]["invoice"]}]
    engine = make_engine(db_url)
    clock = lambda: datetime(2027, 1, 22, 9, tzinfo=UTC)  # noqa: E731
    dispatcher = Dispatcher(engine, clock, MailSettings(smtp.url, tmp_path / "outbox"),
                            attach=attacher(engine))
    # delivery keeps each contract's e-mails in order (issue 18): one per contract a round
    rounds = [dispatcher.send_due() for _ in range(4)]
    assert sum(rounds) == 6 and rounds[-1] == 0
    got: list[Message] = smtp.wait_for(6)
    engine.dispose()
    reminders = [m for m in got if m["X-Termline-Kind"] == "reminder_sent"]
    assert len(reminders) == 3
    for message in reminders:
        assert message["From"] == SENDER
        files = {str(part.get_filename()): part.get_payload(decode=True)
                 for part in message.walk() if part.get_filename()}
        assert len(files) == 2 and all(f.startswith(b"%PDF") for f in files.values())
        assert any(name.endswith("-reminder-1.pdf") for name in files)


LETTER_TEXT = {  # the letter's words for the amount due and the clause, per language
    "de": ("Gesamtbetrag fällig", "377,00", "Ziffer 4.2"),
    "fr": ("Total à payer", "377,00", "article 4.2"),
    "nl": ("Totaal te betalen", "377,00", "artikel 4.2"),
}


@pytest.mark.parametrize("language", ["de", "fr", "nl"])
def test_dunning_letter_renders_to_png_with_amount_due_and_clause_4_2(
        db_url: str, tmp_path: Path, language: str) -> None:
    """The first reminder's letter, rendered to PDF and to PNG (pdftoppm), read back with
    pdftotext: the total due 377,00 (363,00 incl. VAT + 14,00 fee), the fee sentence and clause
    4.2 in the customer's language; the seller's legal name; the deadline 1 February 2027."""
    pdftoppm, pdftotext = _tools()
    _book(db_url, tmp_path)
    ref = {"de": "kunde", "fr": "client", "nl": "klant"}[language]
    row = _emails(db_url)[(ref, "reminder_sent")]
    letter = Letter.from_json(json.loads(row.attachments)[1]["letter"])
    assert letter.language == language and str(letter.total_due) == "377.00"
    engine = make_engine(db_url)
    (_, _, pdf), = [a for a in attacher(engine)(row) if "reminder" in a[0]]
    engine.dispose()
    path = tmp_path / f"letter-{language}.pdf"
    path.write_bytes(pdf)
    subprocess.run([pdftoppm, "-r", "60", "-png", "-singlefile", str(path),
                    str(tmp_path / f"letter-{language}")], check=True)
    png = tmp_path / f"letter-{language}.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    text = subprocess.run([pdftotext, "-layout", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout.replace("\xa0", " ")
    total_label, total, clause = LETTER_TEXT[language]
    total_line = next(line for line in text.splitlines() if total_label in line)
    assert total in total_line
    assert clause in text and "Smartconnect BV" in text and "SmartWeb ApS" not in text
    assert "14,00" in text and "363,00" in text
    if os.environ.get("TERMLINE_WRITE_LETTERS"):  # refresh docs/letters/ for the reader
        shutil.copy(png, ROOT / "docs" / "letters" / f"reminder-{language}.png")
