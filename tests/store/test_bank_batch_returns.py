"""Issue 17, the bank side: a batch-booked direct-debit credit (one CAMT entry, two
transactions) pays both invoices it collected; a returned direct debit (a CAMT debit with its
reason, the bank's CSV, or a pain.002) reopens exactly what it had paid, and the terms'
dunning acts on it again (ClientCom 5.2); a credit no rule matched is applied by hand
(`bank assign`). Both databases."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from termline.entrypoints.cli.app import app
from tests.store.test_equivalence import termline
from tests.store.test_sepa_safeguards import store_book

# ClientCom 5.1/5.2: monthly invoices on the 4th, due 30 days later, collected by direct debit.
# dd1: 1 x 29.00 = 29.00 + 21 % VAT 6.09 = 35.09; dd2: 2 x 29.00 = 58.00 + 12.18 = 70.18.
BOOK = """
policy: clientcom
until: 2027-04-30
contracts:
  - id: dd1
    customer: {name: Klant NV, country: BE, vat_number: BE0477472701,
               address: {street: Rue 2, city: Liège, postal_code: "4000"}}
    start: 2027-01-04
    mandate: {id: CC-MANDATE-0001, signed: 2026-12-15, iban: BE48001123456727}
    lines: [{item: Smart voicemail, unit_price: "29.00", per: month, quantity: 1}]
  - id: dd2
    customer: {name: Ander BV, country: BE, vat_number: BE0403019261,
               address: {street: Straat 9, city: Gent, postal_code: "9000"}}
    start: 2027-01-04
    mandate: {id: CC-MANDATE-0002, signed: 2026-12-16, iban: BE71096123456769}
    lines: [{item: Smart voicemail, unit_price: "29.00", per: month, quantity: 2}]
events: []
"""


def _tx(e2e: str, amount: str, ref: str | None = None, rtr: str | None = None) -> str:
    refs = (f"<AcctSvcrRef>{ref}</AcctSvcrRef>" if ref else "") + \
        f"<EndToEndId>{e2e}</EndToEndId>"
    ret = f"<RtrInf><Rsn><Cd>{rtr}</Cd></Rsn></RtrInf>" if rtr else ""
    return (f"<TxDtls><Refs>{refs}</Refs><AmtDtls><TxAmt><Amt Ccy=\"EUR\">{amount}</Amt>"
            f"</TxAmt></AmtDtls><RmtInf><Ustrd>{e2e}</Ustrd></RmtInf>{ret}</TxDtls>")


def _statement(day: str, *entries: str) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>STMT-{day}</MsgId><CreDtTm>{day}T18:00:00</CreDtTm></GrpHdr>
    <Stmt><Id>STMT-{day}-1</Id><CreDtTm>{day}T18:00:00</CreDtTm>
      <Acct><Id><IBAN>BE35310123456737</IBAN></Id></Acct>{"".join(entries)}
    </Stmt>
  </BkToCstmrStmt>
</Document>
"""


def _entry(ref: str, amount: str, direction: str, day: str, family: str, sub: str,
           details: str) -> str:
    return f"""
      <Ntry><Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>{direction}</CdtDbtInd><Sts>BOOK</Sts>
        <BookgDt><Dt>{day}</Dt></BookgDt><AcctSvcrRef>{ref}</AcctSvcrRef>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>{family}</Cd><SubFmlyCd>{sub}</SubFmlyCd></Fmly>
        </Domn></BkTxCd><NtryDtls>{details}</NtryDtls></Ntry>"""


def _setup(db_url: str, tmp_path: Path) -> dict[str, str]:
    store_book(db_url, tmp_path, BOOK)
    termline(db_url, "run", "--until", "2027-02-02")
    return {r["contract"]: r["number"] for r in _invoices(db_url)
            if r["issued"] == "2027-01-04"}


def _invoices(db_url: str) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = json.loads(termline(db_url, "invoice", "list", "-f", "json"))
    return rows


def _open(db_url: str) -> dict[str, str]:
    return {r["number"]: r["open"] for r in _invoices(db_url)}


def _batch(numbers: dict[str, str]) -> str:
    """The bank books the collection of 3 February as one credit of 35.09 + 70.18 = 105.27
    with the two transactions in its details."""
    return _statement("2027-02-03", _entry(
        "B7B0203-0001", "105.27", "CRDT", "2027-02-03", "IDDT", "ESDD",
        _tx(numbers["dd1"], "35.09") + _tx(numbers["dd2"], "70.18")))


def test_a_batch_direct_debit_credit_of_two_transactions_pays_both_invoices_5_1(
        db_url: str, tmp_path: Path) -> None:
    """ClientCom 5.1: the two January invoices (35.09 and 70.18, due 3 February) are collected
    together; the bank books one entry of 105.27 whose two TxDtls carry the invoice numbers as
    end-to-end ids. Each transaction pays its own invoice: the engine applies 35.09 to
    dd1-0001 and 70.18 to dd2-0001 (issue 17: the items are the invoice totals incl. 21 % VAT;
    references B7B0203-0001/1 and /2); both are open 0.00."""
    numbers = _setup(db_url, tmp_path)
    statement = tmp_path / "batch.xml"
    statement.write_text(_batch(numbers))
    report = json.loads(termline(db_url, "bank", "import", str(statement), "--json"))
    assert report == {"entries": 2, "matched": 2, "unmatched": 0, "already_imported": 0,
                      "returned": 0, "lines": [
                          {"entry": "B7B0203-0001/1", "amount": "35.09",
                           "matched_to": [numbers["dd1"]], "by": "reference"},
                          {"entry": "B7B0203-0001/2", "amount": "70.18",
                           "matched_to": [numbers["dd2"]], "by": "reference"}]}
    termline(db_url, "run", "--until", "2027-02-03")
    ledger = json.loads(termline(db_url, "ledger", "--format", "json"))["actions"]
    assert sorted((a["contract"], a["ref"], a["amount"], a["reference"]) for a in ledger
                  if a["kind"] == "payment_applied") == [
        ("dd1", "dd1-0001", "35.09", "B7B0203-0001/1"),
        ("dd2", "dd2-0001", "70.18", "B7B0203-0001/2")]
    opened = _open(db_url)
    assert (opened[numbers["dd1"]], opened[numbers["dd2"]]) == ("0.00", "0.00")


def test_a_camt_return_reopens_the_collected_invoice_and_5_2_blocks_access(
        db_url: str, tmp_path: Path) -> None:
    """ClientCom 5.2: after the batch above, the debtor's bank returns dd1's debit of 35.09 on
    8 February (CAMT debit entry, reason AM04 insufficient funds). dd1-0001 is open again by
    exactly what the debit paid (35.09, the gross item of issue 17, as on the invoice list);
    dd2 stays paid. The
    return is also a failed debit: access is blocked 30 days after the due date (3 February
    + 30 days = 5 March, blocked on 6 March). Reading the statement again changes nothing."""
    numbers = _setup(db_url, tmp_path)
    (tmp_path / "batch.xml").write_text(_batch(numbers))
    termline(db_url, "bank", "import", str(tmp_path / "batch.xml"))
    termline(db_url, "run", "--until", "2027-02-07")
    back = tmp_path / "return.xml"
    back.write_text(_statement("2027-02-08", _entry(
        "B7B0208-0009", "35.09", "DBIT", "2027-02-08", "IDDT", "UPDD",
        _tx(numbers["dd1"], "35.09", rtr="AM04")), _entry(
        # a debit of another system's collection, returned: not ours, listed and skipped
        "B7B0208-0010", "12.00", "DBIT", "2027-02-08", "IDDT", "UPDD",
        _tx("OTHER-0001", "12.00", rtr="AC04")), _entry(
        # a card payment the company made: not a return at all
        "B7B0208-0011", "80.00", "DBIT", "2027-02-08", "CCRD", "POSD",
        "<TxDtls><RmtInf><Ustrd>fuel</Ustrd></RmtInf></TxDtls>")))
    report = json.loads(termline(db_url, "bank", "import", str(back), "--json"))
    assert (report["entries"], report["returned"], report["lines"]) == (0, 1, [
        {"entry": "B7B0208-0009", "amount": "-35.09", "matched_to": [numbers["dd1"]],
         "by": "return"},
        {"entry": "B7B0208-0010", "amount": "-12.00", "matched_to": [], "by": "return"}])
    assert json.loads(termline(db_url, "bank", "import", str(back), "--json"))[
        "returned"] == 0
    termline(db_url, "run", "--until", "2027-03-06")
    actions = json.loads(termline(db_url, "timeline", "dd1", "-f", "json"))["actions"]
    assert [(a["date"], a["reference"], a["amount"], a["reason"]) for a in actions
            if a["kind"] == "payment_returned"] == [
        ("2027-02-08", "B7B0203-0001/1", "35.09", "AM04")]
    assert [(a["ref"], a["amount"]) for a in actions if a["kind"] == "payment_reversed"] == [
        ("dd1-0001", "35.09")]
    assert [(a["date"], a["ref"]) for a in actions if a["kind"] == "access_suspended"] == [
        ("2027-03-06", "dd1-0001")]
    opened = _open(db_url)
    assert (opened[numbers["dd1"]], opened[numbers["dd2"]]) == ("35.09", "0.00")
    balances = {b["customer"]: b for b in json.loads(
        termline(db_url, "balance", "--format", "json"))}
    # 5.1 invoices monthly: February's and March's invoices (issued 4 February and 4 March,
    # not collected here) are open too, each at its total incl. 21 % VAT (issue 17):
    # dd1 35.09 x 3 = 105.27, dd2 70.18 x 2 = 140.36
    assert balances["Klant NV"]["principal"] == "105.27"
    assert balances["Ander BV"]["principal"] == "140.36"
    # What was open on an earlier day (receivables --on, from the stored allocations): on
    # 5 February, between the debit and its return, only February's invoices (issued 4
    # February, due 6 March: current); on 10 February dd1's January invoice again, 7 days
    # past its due date (3 February): 1-30. No interest before 5.3's notice of default.
    # Gross items (issue 17): dd1 35.09 a month, dd2 70.18.
    def aged(day: str) -> list[tuple[str, str, str, str]]:
        return [(r["customer"], r["current"], r["1-30"], r["total"]) for r in json.loads(
            termline(db_url, "receivables", "--on", day, "--format", "json"))]

    assert aged("2027-02-05") == [("Ander BV", "70.18", "0.00", "70.18"),
                                  ("Klant NV", "35.09", "0.00", "35.09")]
    assert aged("2027-02-10") == [("Ander BV", "70.18", "0.00", "70.18"),
                                  ("Klant NV", "35.09", "35.09", "70.18")]


def test_a_csv_return_reopens_the_invoice_once(db_url: str, tmp_path: Path) -> None:
    """The bank's CSV returns dd2's debit on 9 February (MD06, refund request): dd2-0001 is
    open again by 70.18 (58.00 + 21 % VAT 12.18, the gross item of issue 17, all of which the
    debit paid and the return takes back); the same file read twice stores it once."""
    numbers = _setup(db_url, tmp_path)
    (tmp_path / "batch.xml").write_text(_batch(numbers))
    termline(db_url, "bank", "import", str(tmp_path / "batch.xml"))
    termline(db_url, "run", "--until", "2027-02-08")
    csv_file = tmp_path / "returns.csv"
    csv_file.write_text(f"date,end_to_end_id,reason\n2027-02-09,{numbers['dd2']},MD06\n")
    assert "1 failed collection(s) stored" in termline(db_url, "sepa", "returns",
                                                       str(csv_file))
    assert "0 failed collection(s) stored, 1 already" in termline(
        db_url, "sepa", "returns", str(csv_file))
    termline(db_url, "run", "--until", "2027-02-10")
    opened = _open(db_url)
    assert (opened[numbers["dd1"]], opened[numbers["dd2"]]) == ("0.00", "70.18")
    actions = json.loads(termline(db_url, "timeline", "dd2", "-f", "json"))["actions"]
    assert [(a["date"], a["amount"], a["reason"]) for a in actions
            if a["kind"] == "payment_returned"] == [("2027-02-09", "70.18", "MD06")]


def test_bank_assign_splits_an_unmatched_credit_over_two_invoices(
        db_url: str, tmp_path: Path) -> None:
    """A treasurer pays 105.27 for both customers with no reference and another name: no rule
    matches, the line waits in `bank unmatched`. Assigned by hand, 35.09 to dd1's invoice
    (70.18 left unassigned) and the rest to dd2's: both invoices are paid, the line leaves the
    review list. Assigning more than is left is refused naming --amount, nothing stored."""
    numbers = _setup(db_url, tmp_path)
    plain = tmp_path / "plain.xml"
    plain.write_text(_statement("2027-02-05", _entry(
        "B7B0205-0003", "105.27", "CRDT", "2027-02-05", "RCDT", "ESCT",
        "<TxDtls><RltdPties><Dbtr><Nm>Groep Treasury</Nm></Dbtr></RltdPties>"
        "<RmtInf><Ustrd>januari</Ustrd></RmtInf></TxDtls>")))
    report = json.loads(termline(db_url, "bank", "import", str(plain), "--json"))
    assert report["lines"] == [{"entry": "B7B0205-0003", "amount": "105.27",
                                "matched_to": [], "by": None}]
    done = json.loads(termline(db_url, "bank", "assign", "B7B0205-0003", numbers["dd1"],
                               "--amount", "35.09", "--json"))
    assert done == {"entry": "B7B0205-0003", "amount": "35.09",
                    "matched_to": [numbers["dd1"]], "by": "manual", "unassigned": "70.18"}
    assert [(u["entry_ref"], u["open"]) for u in json.loads(
        termline(db_url, "bank", "unmatched", "-f", "json"))] == [("B7B0205-0003", "70.18")]
    refused = CliRunner().invoke(app, ["bank", "assign", "B7B0205-0003", numbers["dd2"],
                                       "--amount", "70.19"],
                                 env={"TERMLINE_DATABASE_URL": db_url})
    assert refused.exit_code == 2 and "--amount" in refused.stderr
    termline(db_url, "bank", "assign", "B7B0205-0003", numbers["dd2"])
    assert json.loads(termline(db_url, "bank", "unmatched", "-f", "json")) == []
    termline(db_url, "run", "--until", "2027-02-05")
    opened = _open(db_url)
    assert (opened[numbers["dd1"]], opened[numbers["dd2"]]) == ("0.00", "0.00")


def test_two_assigns_of_one_credit_at_once_apply_it_once(db_url: str, tmp_path: Path) -> None:
    """Two operators assign all of the same unmatched 105.27 at the same moment, one to each
    invoice: the line is locked while it is assigned, so one assignment is stored and the
    other is refused (the line is matched by then); one bank_matches row, one payment."""
    from concurrent.futures import ThreadPoolExecutor

    from sqlalchemy import func, select

    from termline.adapters.sql import tables as t
    from termline.adapters.sql.db import make_engine
    from termline.adapters.sql.uow import SqlUnitOfWork
    from termline.app import bank
    from termline.domain.errors import InputError

    numbers = _setup(db_url, tmp_path)
    plain = tmp_path / "plain.xml"
    plain.write_text(_statement("2027-02-05", _entry(
        "B7B0205-0003", "105.27", "CRDT", "2027-02-05", "RCDT", "ESCT",
        "<TxDtls><RmtInf><Ustrd>januari</Ustrd></RmtInf></TxDtls>")))
    termline(db_url, "bank", "import", str(plain))
    engine = make_engine(db_url)

    def assign(number: str) -> str:
        try:
            bank.assign(SqlUnitOfWork(engine), "B7B0205-0003", number, None, None)
            return "stored"
        except InputError as exc:
            return str(exc)

    with ThreadPoolExecutor(2) as pool:
        done = list(pool.map(assign, [numbers["dd1"], numbers["dd2"]]))
    with engine.connect() as conn:
        matches = conn.execute(select(func.count()).select_from(t.bank_matches)).scalar()
    engine.dispose()
    assert sorted(d == "stored" for d in done) == [False, True]
    assert "already matched" in next(d for d in done if d != "stored")
    assert matches == 1
