"""Each document's open amount and status as the store keeps them (issue 20, migration 0014,
`kept.keep_documents`): the console's "open" filter and its totals, the API's invoice `open`,
`termline invoice list` and the bank matcher read them. They must always be what the
documents and the uncorrected allocations give, recomputed here apart (SQL over the stored
rows): a credit
note is `credit_note` with 0 open; an invoice a correction credit note names is `credited`,
0; an invoice whose engine item has a later invoice is `replaced`, 0; any other is its amount
less the uncorrected allocations to its item, `open` while above 0, else `paid`. Checked after
invoices, partial and back-dated payments, a bank credit assigned by hand, credit notes by
hand and by the engine (a dispute upheld, corrections), two workers at once, and a downgrade
to 0013 and upgrade (the backfill), on SQLite and PostgreSQL (`db_url`)."""

from __future__ import annotations

import json
import threading
from collections import Counter
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from termline.adapters.sql.console_repo import ConsoleStore
from termline.adapters.sql.db import downgrade, make_engine, upgrade
from termline.adapters.sql.uow import SqlUnitOfWork
from termline.app import credit_notes
from termline.app.console_views import InvoiceFilter, invoices
from tests.store.books import scenario_text, synthetic_scenario
from tests.store.conftest import workers_at_once
from tests.store.test_bank_batch_returns import BOOK as DIRECT_DEBITS
from tests.store.test_bank_batch_returns import _entry, _statement
from tests.store.test_console_summary import UNTIL
from tests.store.test_credit_note import CLIENTCOM
from tests.store.test_disputes import SMARTTRACKERS
from tests.store.test_equivalence import termline
from tests.store.test_money_model import _book, _pay
from tests.store.test_sepa_safeguards import store_book

CENT = Decimal("0.0001")
Figures = dict[str, tuple[Decimal, str]]  # document number -> (open amount, status)


def _money(value: Any) -> Decimal:
    """A stored amount (a REAL on SQLite) to its four decimals."""
    return Decimal(str(value)).quantize(CENT)


def _kept(conn: Any) -> Figures:
    return {str(n): (_money(o), str(s)) for n, o, s in conn.exec_driver_sql(
        "SELECT number, open_amount, status FROM documents")}


def _recomputed(conn: Any) -> Figures:
    """The figures from the documents and allocations, by the rules of the module's docstring
    (as `documents.open_net` and the API's status computed them before they were kept)."""
    paid = {(int(c), str(ref)): _money(v) for c, ref, v in conn.exec_driver_sql(
        "SELECT a.contract_id, a.item_ref, sum(a.amount) FROM allocations a "
        "WHERE NOT EXISTS (SELECT 1 FROM actions x WHERE x.contract_id = a.contract_id "
        "AND x.natural_key = 'correction|' || a.action_key) "
        "GROUP BY a.contract_id, a.item_ref")}
    docs = conn.exec_driver_sql(
        "SELECT id, tenant_id, contract_id, source_ref, number, kind, reason, credit_note_for, "
        "amount FROM documents ORDER BY id").all()
    latest = {(int(d.contract_id), str(d.source_ref)): int(d.id) for d in docs
              if d.kind == "invoice"}  # in id order: the last one stays
    cancelled = {(int(d.tenant_id), str(d.credit_note_for)) for d in docs
                 if d.kind == "credit_note" and d.reason == "correction"}
    out: Figures = {}
    for d in docs:
        key = (int(d.contract_id), str(d.source_ref))
        if d.kind == "credit_note":
            out[str(d.number)] = (Decimal(0), "credit_note")
        elif (int(d.tenant_id), str(d.number)) in cancelled:
            out[str(d.number)] = (Decimal(0), "credited")
        elif latest[key] != int(d.id):
            out[str(d.number)] = (Decimal(0), "replaced")
        else:
            left = max(_money(d.amount) - paid.get(key, Decimal(0)), Decimal(0))
            out[str(d.number)] = (left, "open" if left > 0 else "paid")
    return out


def _check(db_url: str) -> Figures:
    """The kept figures equal the recomputation; the CLI's `invoice list` shows them; an open
    or paid invoice's open amount is its engine item's (the kept open items of migration 0013,
    none when paid); the console's "open" filter lists exactly the open ones; the totals of
    every status filter (kept by status and currency) are the amounts of its documents, credit
    notes subtracted. Returns the figures."""
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            kept, expected = _kept(conn), _recomputed(conn)
            items = {(int(c), str(r)): _money(v) for c, r, v in conn.exec_driver_sql(
                "SELECT contract_id, ref, amount_open FROM contract_open_items")}
            docs = {str(n): (int(c), str(r)) for n, c, r in conn.exec_driver_sql(
                "SELECT number, contract_id, source_ref FROM documents")}
            tenant = int(conn.exec_driver_sql("SELECT min(id) FROM tenants").scalar_one())
            name = str(conn.exec_driver_sql(
                f"SELECT name FROM tenants WHERE id = {tenant}").scalar_one())
            amounts = {str(n): (_money(a), str(c)) for n, a, c in conn.exec_driver_sql(
                "SELECT number, amount, currency FROM documents")}
            store = ConsoleStore(conn)
            totals = {status: store.invoice_totals(tenant, status=status)
                      for status in (None, "open", "paid", "credit_note")}
        assert kept == expected
        assert kept, "no document: the comparison would prove nothing"
        for number, (left, status) in kept.items():
            if status in ("open", "paid"):
                assert items.get(docs[number], Decimal(0)) == left, number
        listed = {r["number"]: r["open"] for r in json.loads(
            termline(db_url, "invoice", "list", "-f", "json"))}
        assert listed == {n: f"{left:.2f}" for n, (left, _) in kept.items()}
        page = invoices(SqlUnitOfWork(engine), name, InvoiceFilter(status="open"), limit=None)
        assert sorted(r["number"] for r in page["rows"]) == sorted(
            n for n, (_, s) in kept.items() if s == "open")
        assert all(r["status"] == "open" and r["open"] == f"{kept[r['number']][0]:.2f}"
                   for r in page["rows"])
        for status, got in totals.items():  # the kept totals by status and currency
            summed: dict[str, tuple[int, Decimal]] = {}
            for n, (_, s) in kept.items():
                if status in (None, s):
                    amount, currency = amounts[n]
                    count, total = summed.get(currency, (0, Decimal(0)))
                    summed[currency] = (count + 1,
                                        total + (-amount if s == "credit_note" else amount))
            assert [(c, n, _money(v)) for c, n, v in got] == sorted(
                (c, n, v) for c, (n, v) in summed.items()), status
        return kept
    finally:
        engine.dispose()


def _number(db_url: str, contract: str, issued: str) -> str:
    rows = json.loads(termline(db_url, "invoice", "list", "-f", "json"))
    return str(next(r["number"] for r in rows if r["contract"] == contract
                    and r["issued"] == issued and r["kind"] == "invoice"))


def test_kept_figures_follow_payments_a_bank_credit_by_hand_credit_notes_and_the_backfill(
        db_url: str, tmp_path: Path) -> None:
    """ClientCom 5.1 (direct debits, 21 % VAT): dd1's invoice of 4 January is 35.09, dd2's
    70.18, both open after a run to 2 February. A back-dated payment of 10.00 by dd1 on 1
    February (a recompute: its actions are corrected and applied again) leaves 25.09 open. A
    bank credit of 20.00 with no reference, assigned by hand to dd2's invoice, leaves 50.18.
    A credit note by hand of 5.00 for dd1's invoice (`invoice credit`) leaves 20.09; the credit
    note is `credit_note`, 0. Then dd2 pays the rest, 50.18: `paid`. After each step the kept
    figures are the recomputed ones; then the store is taken back to 0013 (the columns
    dropped) and upgraded: the backfill gives the same figures."""
    store_book(db_url, tmp_path, DIRECT_DEBITS)
    termline(db_url, "run", "--until", "2027-02-02")
    first = _check(db_url)
    dd1 = _number(db_url, "dd1", "2027-01-04")
    dd2 = _number(db_url, "dd2", "2027-01-04")
    assert (first[dd1], first[dd2]) == ((Decimal("35.09"), "open"), (Decimal("70.18"), "open"))

    _pay(db_url, "dd1", "2027-02-01", "10.00")
    termline(db_url, "run", "--until", "2027-02-03")
    assert _check(db_url)[dd1] == (Decimal("25.09"), "open")

    plain = tmp_path / "plain.xml"
    plain.write_text(_statement("2027-02-05", _entry(
        "B7B0205-0009", "20.00", "CRDT", "2027-02-05", "RCDT", "ESCT",
        "<TxDtls><RltdPties><Dbtr><Nm>Someone Else</Nm></Dbtr></RltdPties>"
        "<RmtInf><Ustrd>?</Ustrd></RmtInf></TxDtls>")))
    termline(db_url, "bank", "import", str(plain))
    termline(db_url, "bank", "assign", "B7B0205-0009", dd2)
    termline(db_url, "run", "--until", "2027-02-05")
    assert _check(db_url)[dd2] == (Decimal("50.18"), "open")

    done = json.loads(termline(db_url, "invoice", "credit", dd1, "--amount", "5.00",
                               "--reason", "a week without service", "--json"))
    figures = _check(db_url)
    assert figures[dd1] == (Decimal("20.09"), "open")
    assert figures[done["number"]] == (Decimal(0), "credit_note")

    _pay(db_url, "dd2", "2027-02-06", "50.18")
    termline(db_url, "run", "--until", "2027-02-06")
    before = _check(db_url)
    assert before[dd2] == (Decimal(0), "paid")
    assert {"open", "paid", "credit_note"} <= {s for _, s in before.values()}

    engine = make_engine(db_url)
    try:
        downgrade(engine, "0013")
        with engine.connect() as conn:
            columns = {c for (c,) in conn.exec_driver_sql(
                "SELECT name FROM pragma_table_info('documents')" if engine.dialect.name ==
                "sqlite" else "SELECT column_name FROM information_schema.columns WHERE "
                "table_name = 'documents' AND table_schema = current_schema()")}
        assert "open_amount" not in columns and "status" not in columns
        upgrade(engine)
    finally:
        engine.dispose()
    assert _check(db_url) == before


def test_a_dispute_upheld_credits_the_invoice_and_a_correction_cancels_fees(
        db_url: str, tmp_path: Path) -> None:
    """SmartTrackers 6.6: SC2025-000001 (3630.00) disputed, then upheld: the engine's credit
    note settles it (`paid`, 0 open; the credit note `credit_note`). Then the smartweb book of
    the console's summary, whose never-payer pays back-dated: the recompute's correction credit
    notes cancel its fee invoices (`credited`, 0)."""
    _book(db_url, tmp_path, SMARTTRACKERS)
    termline(db_url, "run", "--until", "2025-01-15")
    assert _check(db_url)["SC2025-000001"] == (Decimal("3630.00"), "open")
    for kind, fields in (("invoice_disputed", ["ref=SC2025-000001"]),
                         ("dispute_resolved", ["ref=SC2025-000001", "outcome=upheld"])):
        day = "2025-01-20" if kind == "invoice_disputed" else "2025-03-10"
        termline(db_url, "event", "add", "--contract", "held", "--type", kind, "--date", day,
                 *[arg for f in fields for arg in ("--field", f)])
        termline(db_url, "run", "--until", "2025-03-01" if day < "2025-03-01"
                 else "2025-03-31")
    upheld = _check(db_url)
    assert upheld["SC2025-000001"] == (Decimal(0), "paid")
    assert upheld["SCCN2025-000001"] == (Decimal(0), "credit_note")


def test_a_back_dated_payment_cancels_fee_invoices_by_correction(
        db_url: str, tmp_path: Path) -> None:
    """The smartweb book of tests/store/test_console_summary.py: its never-payer is dunned
    (fee invoices, open), then pays 5000.00 back-dated to its start; the recompute's correction
    credit notes cancel the fee invoices: `credited`, 0 open, and its invoices are `paid`."""
    scenario = tmp_path / "book.yaml"
    scenario.write_text(scenario_text("smartweb", until=UNTIL.isoformat()), "utf-8")
    _book(db_url, tmp_path, scenario.read_text("utf-8"))
    termline(db_url, "run", "--until", "2027-05-20")
    dunned = _check(db_url)
    assert "open" in {s for _, s in dunned.values()}
    start = next(c["start"] for c in yaml.safe_load(scenario.read_text("utf-8"))["contracts"]
                 if c["id"] == "nopay")
    termline(db_url, "event", "add", "--contract", "nopay", "--type", "payment", "--date",
             str(start), "--field", "amount=5000.00")
    termline(db_url, "run", "--until", "2027-09-30")
    corrected = _check(db_url)
    statuses = Counter(s for _, s in corrected.values())
    assert statuses["credited"] > 0 and statuses["credit_note"] > 0 and statuses["paid"] > 0


def test_two_workers_at_once_keep_every_document(db_url: str, tmp_path: Path) -> None:
    """Two `termline worker`s run a 120-contract book's days at once (on PostgreSQL side by
    side): afterwards every document's kept figures are the recomputed ones; neither worker's
    writes were lost or left stale by the other's."""
    scenario = synthetic_scenario(tmp_path / "book.yaml", 120, UNTIL)
    _book(db_url, tmp_path, scenario.read_text("utf-8"))
    for until in (UNTIL - timedelta(days=200), UNTIL):
        workers_at_once(db_url, until, batch=1)
        figures = _check(db_url)
        statuses = {s for _, s in figures.values()}
        assert {"open", "paid"} <= statuses, statuses


def test_a_credit_by_hand_waits_for_a_run_of_its_contract_without_a_deadlock(
        db_url: str, tmp_path: Path) -> None:
    """The run stores a contract's state (its run row locked) and then keeps its documents'
    figures (the document's row updated). A credit by hand of one of its invoices at that
    moment locks the run row before the document's row, in the same order, so it waits for
    the run and then credits: 20.00 of SC2027-000001 (60.50, ClientCom) leaves 40.50 open.
    (Locking the document first, as it did, and then the run row in `note_event`, the two
    would wait for each other: PostgreSQL would abort one as a deadlock.)"""
    if not db_url.startswith("postgresql"):
        pytest.skip("row locks: PostgreSQL")
    _book(db_url, tmp_path, CLIENTCOM)
    termline(db_url, "run", "--until", "2027-02-05")
    engine = make_engine(db_url)
    outcome: list[Any] = []

    def credit() -> None:
        try:
            outcome.append(credit_notes.credit(lambda: SqlUnitOfWork(engine), None,
                                               "SC2027-000001", "20.00", "late"))
        except Exception as exc:
            outcome.append(exc)

    try:
        # what a run of the contract holds, in its order
        with engine.connect() as run, run.begin():
            contract = run.exec_driver_sql(
                "SELECT contract_id FROM documents WHERE number = 'SC2027-000001'"
            ).scalar_one()
            run.exec_driver_sql("SELECT contract_id FROM contract_runs WHERE "
                                "contract_id = %s FOR UPDATE", (contract,))
            thread = threading.Thread(target=credit)
            thread.start()
            thread.join(timeout=2)  # the credit is waiting for the run row by now
            assert thread.is_alive() and not outcome, outcome
            run.exec_driver_sql("UPDATE documents SET status = status "
                                "WHERE number = 'SC2027-000001'")
        thread.join(timeout=120)
    finally:
        engine.dispose()
    assert len(outcome) == 1 and isinstance(outcome[0], dict), outcome
    assert (outcome[0]["total"], outcome[0]["creditable"]) == ("20.00", "40.50")
    assert _check(db_url)["SC2027-000001"] == (Decimal("40.50"), "open")
