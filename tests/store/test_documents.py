"""Numbered documents from the store (issue 10): gapless numbers assigned in the run's
transaction (also with two workers at once), a credit note for an SLA credit, the `invoice`
commands' output, every stored UBL valid under the official rules, and the PDF's pages."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from documents.conftest import PROFILE
from termline.adapters.sql import tables as t
from termline.adapters.sql.db import make_engine
from tests.store.books import synthetic_scenario
from tests.store.conftest import workers_at_once
from tests.store.test_equivalence import termline
from tests.store.test_workers import UNTIL

SO = """
policy: superoffice
until: 2027-04-30
contracts:
  - id: c
    customer: {name: Klant BV, country: BE, vat_number: BE0477472701, language: nl,
               address: {street: Rue 2, city: Liège, postal_code: "4000"}}
    start: 2027-01-01
    billing_period: 1 month
    lines:
      - {item: CRM Online, unit_price: "50.00", per: month, quantity: 10}
events:
  - {date: 2027-01-01, type: payment, contract: c, amount: "605.00"}
  - {date: 2027-02-01, type: payment, contract: c, amount: "605.00"}
  - {date: 2027-03-01, type: payment, contract: c, amount: "605.00"}
  - {type: maintenance_announced, start: "2027-03-10T10:00:00+01:00",
     end: "2027-03-10T10:30:00+01:00", class: emergency,
     announced_at: "2027-03-09T12:00:00+01:00"}
  - {type: incident, contract: c, start: "2027-03-10T09:00:00+01:00",
     end: "2027-03-10T12:00:00+01:00", reported_at: "2027-03-10T09:30:00+01:00"}
"""


def _profile(db_url: str, tmp_path: Path) -> None:
    path = tmp_path / "profile.yaml"
    path.write_text(yaml.safe_dump(PROFILE))
    termline(db_url, "tenant", "profile", "default", str(path))


def _book(db_url: str, tmp_path: Path) -> list[dict[str, str]]:
    termline(db_url, "db", "upgrade")
    termline(db_url, "tenant", "add", "default")
    scenario = tmp_path / "so.yaml"
    scenario.write_text(SO)
    termline(db_url, "import", str(scenario))
    _profile(db_url, tmp_path)
    termline(db_url, "run", "--until", "2027-04-30")
    rows: list[dict[str, str]] = json.loads(termline(db_url, "invoice", "list", "--format",
                                                     "json"))
    return rows


def test_sla_credit_becomes_a_credit_note_for_the_months_invoice_4(
        db_url: str, tmp_path: Path, valid: Callable[[bytes], None]) -> None:
    """SuperOffice 4 (see test_sla): 10 users x 50.00 billed monthly from 1 January; March's
    outage earns 500.00 x 120 / 44,580 = 1.35 on 31 March. Four invoices SC2027-000001..4
    (1 Jan, 1 Feb, 1 Mar, 1 Apr), each 500.00 + 21 % = 605.00 (a Belgian customer); the
    credit note SCCN2027-000001 of 31 March credits the March invoice SC2027-000003:
    1.35 + 0.28 VAT (1.35 x 21 % = 0.2835) = 1.63. January to March are paid (605.00 each,
    the totals: issue 17); April is open for its total less the credit note's total, which the
    engine applied from the customer's credit: 605.00 - 1.63 = 603.37."""
    rows = _book(db_url, tmp_path)
    assert list(rows[0]) == ["number", "ref", "contract", "kind", "issued", "due",
                                          "net", "vat", "total", "currency", "open",
                                          "credit_note_for"]
    assert [(r["number"], r["kind"], r["issued"], r["net"], r["vat"], r["total"], r["open"],
             r["credit_note_for"]) for r in rows] == [
        ("SC2027-000001", "invoice", "2027-01-01", "500.00", "105.00", "605.00", "0.00", None),
        ("SC2027-000002", "invoice", "2027-02-01", "500.00", "105.00", "605.00", "0.00", None),
        ("SC2027-000003", "invoice", "2027-03-01", "500.00", "105.00", "605.00", "0.00", None),
        ("SCCN2027-000001", "credit_note", "2027-03-31", "1.35", "0.28", "1.63", "0.00",
         "SC2027-000003"),
        ("SC2027-000004", "invoice", "2027-04-01", "500.00", "105.00", "605.00", "603.37",
         None),
    ]
    for row in rows:
        out = tmp_path / f"{row['number']}.xml"
        termline(db_url, "invoice", "ubl", row["number"], "-o", str(out))
        valid(out.read_bytes())
    # stored once: asking again serves the same bytes, one blob per distinct content
    again = tmp_path / "again.xml"
    termline(db_url, "invoice", "ubl", "SC2027-000004", "-o", str(again))
    assert again.read_bytes() == (tmp_path / "SC2027-000004.xml").read_bytes()
    engine = make_engine(db_url)
    with engine.connect() as conn:
        files = conn.execute(select(t.document_files.c.format)).scalars().all()
        assert sorted(files) == ["pdf"] * 5 + ["ubl"] * 5
    engine.dispose()


def _pdftoppm() -> str:
    found = shutil.which("pdftoppm")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("pdftoppm (poppler-utils) is missing under CI=true")
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    return found


def test_pdf_pages_render_and_show_number_total_and_ogm(db_url: str, tmp_path: Path) -> None:
    """The April invoice's PDF in Dutch (the customer's language): one A4 page rendered to PNG
    by pdftoppm; its text shows the number, the total 605,00 (Belgian Dutch: decimal comma),
    the OGM +++202/7000/00425+++ (2,027,000,004 = 97 x 20,896,907 + 25) and the payment clause
    in Dutch, naming the tenant (Smartconnect BV) that runs the SuperOffice pack (11.1), not the
    pack's author (issue 18: the line was English and named SuperOffice)."""
    pdftoppm = _pdftoppm()
    _book(db_url, tmp_path)
    pdf = tmp_path / "april.pdf"
    termline(db_url, "invoice", "pdf", "SC2027-000004", "-o", str(pdf))
    subprocess.run([pdftoppm, "-r", "50", "-png", str(pdf), str(tmp_path / "page")],
                   check=True)
    pages = sorted(tmp_path.glob("page*.png"))
    assert len(pages) == 1 and pages[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    text = subprocess.run([str(Path(pdftoppm).with_name("pdftotext")), "-layout", str(pdf),
                           "-"], check=True, capture_output=True, text=True).stdout
    assert "Factuur SC2027-000004" in text
    assert "€ 605,00" in text
    assert "+++202/7000/00425+++" in text
    assert "Gestructureerde mededeling".upper() in text  # a Belgian seller's OGM
    assert "Smartconnect BV: betaling binnen 30 dagen (artikel 11.1)" in text


def test_two_workers_number_invoices_without_gaps(db_url: str, tmp_path: Path) -> None:
    """Two `termline worker` processes run a 30-contract book at once (PostgreSQL: side by
    side, SQLite: taking turns). Every invoice (and every fee and interest charge) gets exactly
    one number, and per year the numbers are 1..n with no gap and no repeat; the series'
    counter ends at n."""
    scenario = synthetic_scenario(tmp_path / "book.yaml", 30, UNTIL)
    termline(db_url, "db", "upgrade")
    termline(db_url, "tenant", "add", "default")
    termline(db_url, "import", str(scenario))
    _profile(db_url, tmp_path)
    workers_at_once(db_url, UNTIL, batch=3)  # on PostgreSQL both take numbers
    engine = make_engine(db_url)
    with engine.connect() as conn:
        invoices = conn.execute(select(t.invoices.c.action_key)).scalars().all()
        d = t.documents.c
        numbers = conn.execute(select(d.number, d.action_key, d.reason).where(
            d.kind == "invoice")).all()
        series = {(r.series, r.year): r.last for r in conn.execute(select(t.document_series))}
    engine.dispose()
    # every invoice_issued has its number; fees and interest are invoices of their own
    assert sorted(k for _, k, reason in numbers if reason not in ("fee", "interest")) == \
        sorted(invoices)
    by_year: dict[str, list[int]] = {}
    for number, _, _ in numbers:
        year, seq = number.removeprefix("SC").split("-")
        by_year.setdefault(year, []).append(int(seq))
    assert len(by_year) >= 2
    for year, seqs in by_year.items():
        assert sorted(seqs) == list(range(1, len(seqs) + 1)), year
        assert series[("SC", int(year))] == len(seqs)


SW = """
policy: smartweb
until: 2027-03-31
contracts:
  - id: dk
    customer: {name: Kunde ApS, country: DK, vat_number: DK13585628, language: da,
               address: {street: Vej 1, city: København, postal_code: "1000"}}
    start: 2027-01-04
    lines:
      - {item: SmartWeb Shop, unit_price: "50.00", per: month, quantity: 1}
events:
  - {date: 2027-02-20, type: payment, contract: dk, amount: "50.00"}
"""


def test_reminder_fees_are_invoices_of_their_own_outside_the_scope_of_vat_4_2(
        db_url: str, tmp_path: Path, valid: Callable[[bytes], None]) -> None:
    """SmartWeb 4.1/4.2 with a Belgian seller and a Danish business customer: the 6-month
    invoice of 4 January (6 x 50.00 = 300.00, due after 8 days on 12 January) is reverse
    charged (AE, no VAT). Unpaid, it gets reminders 10 days after the due date (22 January)
    and 10 days later (1 February), each with a 14.00 fee: two invoices of their own, outside
    the scope of VAT (O: compensation, not a supply). 50.00 paid on 20 February, naming no
    invoice, goes by payment.allocation oldest_first: the oldest invoice's costs, then its
    principal: 14.00 + 14.00 to the fees, 22.00 to the invoice: 278.00 open."""
    termline(db_url, "db", "upgrade")
    termline(db_url, "tenant", "add", "default")
    scenario = tmp_path / "sw.yaml"
    scenario.write_text(SW)
    termline(db_url, "import", str(scenario))
    _profile(db_url, tmp_path)
    termline(db_url, "run", "--until", "2027-03-31")
    rows = json.loads(termline(db_url, "invoice", "list", "--format", "json"))
    assert [(r["number"], r["ref"], r["issued"], r["due"], r["net"], r["vat"], r["total"],
             r["open"]) for r in rows] == [
        ("SC2027-000001", "dk-0001", "2027-01-04", "2027-01-12", "300.00", "0.00", "300.00",
         "278.00"),
        ("SC2027-000002", "dk-0001-R1", "2027-01-22", "2027-01-22", "14.00", "0.00", "14.00",
         "0.00"),
        ("SC2027-000003", "dk-0001-R2", "2027-02-01", "2027-02-01", "14.00", "0.00", "14.00",
         "0.00"),
    ]
    shown = json.loads(termline(db_url, "invoice", "show", "SC2027-000002"))
    assert shown["vat"] == [{"category": "O", "percent": "0", "taxable": "14.00",
                             "tax": "0.00"}]
    assert json.loads(termline(db_url, "invoice", "show", "SC2027-000001"))["vat"][0][
        "category"] == "AE"
    for row in rows:
        out = tmp_path / f"{row['number']}.xml"
        termline(db_url, "invoice", "ubl", row["number"], "-o", str(out))
        valid(out.read_bytes())


def test_profile_and_buyer_numbers_are_checked_when_stored(db_url: str, tmp_path: Path) -> None:
    """python-stdnum checks when data is stored: an IBAN with a wrong check digit is refused
    with the field named and nothing stored; a stored profile shows normalised numbers; a
    customer's VAT number with a wrong mod 97 check is refused with its line and field."""
    from typer.testing import CliRunner

    from termline.entrypoints.cli.app import app

    termline(db_url, "db", "upgrade")
    termline(db_url, "tenant", "add", "acme")
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({**PROFILE, "iban": "BE36 3101 2345 6737"}))
    runner = CliRunner()
    env = {"TERMLINE_DATABASE_URL": db_url}
    refused = runner.invoke(app, ["tenant", "profile", "acme", str(bad)], env=env)
    assert refused.exit_code == 2
    assert "field 'iban'" in refused.stderr and "bad.yaml" in refused.stderr
    assert runner.invoke(app, ["tenant", "profile", "acme"], env=env).exit_code == 2
    _ok = tmp_path / "ok.yaml"
    _ok.write_text(yaml.safe_dump(PROFILE))
    termline(db_url, "tenant", "profile", "acme", str(_ok))
    shown = json.loads(termline(db_url, "tenant", "profile", "acme"))
    assert (shown["vat_number"], shown["company_id"], shown["iban"], shown["peppol_id"]) == (
        "BE0403019261", "0403019261", "BE35310123456737", "0208:0403019261")
    scenario = tmp_path / "bad-customer.yaml"
    scenario.write_text(SO.replace("BE0477472701", "BE0477472702"))
    bad_vat = runner.invoke(app, ["import", str(scenario)], env=env)
    assert bad_vat.exit_code == 2
    assert "vat_number" in bad_vat.stderr and "checksum" in bad_vat.stderr


def test_a_back_dated_correction_reissues_under_a_new_number_with_a_credit_note(
        db_url: str, tmp_path: Path, valid: Callable[[bytes], None]) -> None:
    """SmartWeb 4.1: 1 x 50.00 x 6 months = 300.00 invoiced 4 January (SC2027-000001) and paid
    on the 5th. On 10 January a seat change to 3 dated 4 January arrives: the run recomputes,
    the invoice is issued again as 3 x 50.00 x 6 = 900.00 under a new number (SC2027-000002;
    a number is never reused) and SC2027-000001 is credited in full by SCCN2027-000001, dated
    the day the correction is recorded. Open: 900.00 - 300.00 paid = 600.00 (reverse charged,
    no VAT)."""
    termline(db_url, "db", "upgrade")
    termline(db_url, "tenant", "add", "default")
    scenario = tmp_path / "sw.yaml"
    scenario.write_text(SW.replace('date: 2027-02-20, type: payment, contract: dk, amount: '
                                   '"50.00"', 'date: 2027-01-05, type: payment, contract: dk, '
                                   'amount: "300.00"'))
    termline(db_url, "import", str(scenario))
    _profile(db_url, tmp_path)
    termline(db_url, "run", "--until", "2027-01-10")
    termline(db_url, "event", "add", "--contract", "dk", "--type", "seat_change", "--date",
             "2027-01-04", "--field", "item=SmartWeb Shop", "--field", "quantity=3")
    termline(db_url, "run", "--until", "2027-01-10")
    rows = json.loads(termline(db_url, "invoice", "list", "--format", "json"))
    assert [(r["number"], r["kind"], r["issued"], r["total"], r["open"], r["credit_note_for"])
            for r in rows] == [
        ("SC2027-000001", "invoice", "2027-01-04", "300.00", "0.00", None),
        ("SC2027-000002", "invoice", "2027-01-04", "900.00", "600.00", None),
        ("SCCN2027-000001", "credit_note", "2027-01-10", "300.00", "0.00", "SC2027-000001"),
    ]
    for row in rows:
        out = tmp_path / f"{row['number']}.xml"
        termline(db_url, "invoice", "ubl", row["number"], "-o", str(out))
        valid(out.read_bytes())


CC = """
policy: clientcom
until: 2027-04-30
contracts:
  - id: dd
    customer: {name: Klant NV, country: BE, vat_number: BE0477472701,
               address: {street: Rue 2, city: Liège, postal_code: "4000"}}
    start: 2027-01-04
    lines:
      - {item: Smart voicemail, unit_price: "29.00", per: month, quantity: 1}
events: []
"""


def test_an_invoice_a_correction_no_longer_issues_is_credited_in_full_6_2(
        db_url: str, tmp_path: Path, valid: Callable[[bytes], None]) -> None:
    """ClientCom 6.1/6.2: 29.00 + 21 % = 35.09 invoiced on 4 January and 4 February (monthly
    renewal). A termination notice dated 10 January arrives on 10 February: the contract ends
    at max(end of January, end of the first month 3 February) = 3 February, so the February
    invoice SC2027-000002 no longer follows. It keeps its number and is cancelled by credit
    note SCCN2027-000001 of 10 February (35.09), and is no longer open."""
    termline(db_url, "db", "upgrade")
    termline(db_url, "tenant", "add", "default")
    (tmp_path / "cc.yaml").write_text(CC)
    termline(db_url, "import", str(tmp_path / "cc.yaml"))
    _profile(db_url, tmp_path)
    termline(db_url, "run", "--until", "2027-02-10")
    termline(db_url, "event", "add", "--contract", "dd", "--type", "termination_notice",
             "--date", "2027-01-10", "--field", "by=customer")
    termline(db_url, "run", "--until", "2027-02-10")
    rows = json.loads(termline(db_url, "invoice", "list", "--format", "json"))
    assert [(r["number"], r["issued"], r["total"], r["open"], r["credit_note_for"])
            for r in rows] == [
        ("SC2027-000001", "2027-01-04", "35.09", "35.09", None),
        ("SC2027-000002", "2027-02-04", "35.09", "0.00", None),
        ("SCCN2027-000001", "2027-02-10", "35.09", "0.00", "SC2027-000002"),
    ]
    out = tmp_path / "cn.xml"
    termline(db_url, "invoice", "ubl", "SCCN2027-000001", "-o", str(out))
    valid(out.read_bytes())
