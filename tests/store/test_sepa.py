"""SEPA direct debit for ClientCom 5.2 ("monthly direct debit"): the pain.008.001.02 file of the
collections due on a day, valid under the schema sepaxml ships, and returns (bank CSV or
pain.002) stored as `payment_failed` events that let 5.2 block access."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import yaml
from lxml import etree
from sepaxml.validation import try_valid_xml

from documents.conftest import PROFILE
from tests.store.test_equivalence import termline

BOOK = """
policy: clientcom
until: 2027-04-30
contracts:
  - id: dd
    customer: {name: Klant NV, country: BE, vat_number: BE0477472701,
               address: {street: Rue 2, city: Liège, postal_code: "4000"}}
    start: 2027-01-04
    mandate: {id: CC-MANDATE-0001, signed: 2026-12-15, iban: BE48001123456727}
    lines:
      - {item: Smart voicemail, unit_price: "29.00", per: month, quantity: 1}
events: []
"""
NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.008.001.02"}
PAIN002 = """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.03">
  <CstmrPmtStsRpt>
    <GrpHdr><MsgId>RJ-1</MsgId><CreDtTm>2027-03-08T07:00:00</CreDtTm></GrpHdr>
    <OrgnlGrpInfAndSts><OrgnlMsgId>BE69ZZZ050D000000008-20270306</OrgnlMsgId>
      <OrgnlMsgNmId>pain.008.001.02</OrgnlMsgNmId></OrgnlGrpInfAndSts>
    <OrgnlPmtInfAndSts><OrgnlPmtInfId>BE69ZZZ050D000000008-20270306-1</OrgnlPmtInfId>
      <TxInfAndSts><OrgnlEndToEndId>SC2027-000002</OrgnlEndToEndId><TxSts>RJCT</TxSts>
        <StsRsnInf><Rsn><Cd>MS03</Cd></Rsn></StsRsnInf></TxInfAndSts>
    </OrgnlPmtInfAndSts>
  </CstmrPmtStsRpt>
</Document>
"""


def _setup(db_url: str, tmp_path: Path) -> None:
    termline(db_url, "db", "upgrade")
    termline(db_url, "tenant", "add", "default")
    (tmp_path / "book.yaml").write_text(BOOK)
    (tmp_path / "profile.yaml").write_text(yaml.safe_dump(
        {**PROFILE, "creditor_id": "BE69ZZZ050D000000008"}))
    termline(db_url, "import", str(tmp_path / "book.yaml"))
    termline(db_url, "tenant", "profile", "default", str(tmp_path / "profile.yaml"))


def test_pain008_collects_the_invoice_due_with_mandate_id_and_signature_date_5_2(
        db_url: str, tmp_path: Path, valid: Callable[[bytes], None]) -> None:
    """ClientCom 5.1/5.2: 29.00 a month invoiced on the 4th, due 30 days later (the pack's
    Belgian statutory default): 4 January -> 3 February. With 21 % VAT: 29.00 + 6.09 = 35.09,
    collected on 3 February as the mandate's first debit (FRST); February's invoice (due
    6 March) is the next one (RCUR). The invoice's UBL says SEPA direct debit (59) with the
    mandate (PEPPOL-EN16931-R061)."""
    _setup(db_url, tmp_path)
    termline(db_url, "run", "--until", "2027-02-10")
    first = tmp_path / "2027-02-03.xml"
    termline(db_url, "sepa", "collect", "--on", "2027-02-03", "-o", str(first))
    data = first.read_bytes()
    try_valid_xml(data, "pain.008.001.02")  # sepaxml's own schema check
    root = etree.fromstring(data)
    tx = root.find(".//p:DrctDbtTxInf", NS)
    assert tx is not None
    assert [(el.text) for el in (tx.find("p:PmtId/p:EndToEndId", NS),
                                 tx.find("p:InstdAmt", NS),
                                 tx.find("p:DrctDbtTx/p:MndtRltdInf/p:MndtId", NS),
                                 tx.find("p:DrctDbtTx/p:MndtRltdInf/p:DtOfSgntr", NS),
                                 tx.find("p:DbtrAcct/p:Id/p:IBAN", NS))] == [
        "SC2027-000001", "35.09", "CC-MANDATE-0001", "2026-12-15", "BE48001123456727"]
    assert root.findtext(".//p:SeqTp", namespaces=NS) == "FRST"
    assert root.findtext(".//p:ReqdColltnDt", namespaces=NS) == "2027-02-03"
    assert root.findtext(".//p:CdtrSchmeId//p:Othr/p:Id", namespaces=NS) == \
        "BE69ZZZ050D000000008"
    # the same collections written again: the same message id (a bank refuses the second
    # file), created before the collection date with the scheme's lead time (D-1: 2 February)
    again = tmp_path / "again.xml"
    termline(db_url, "sepa", "collect", "--on", "2027-02-03", "-o", str(again))
    second_root = etree.fromstring(again.read_bytes())
    msg_id = root.findtext(".//p:GrpHdr/p:MsgId", namespaces=NS)
    assert msg_id is not None and len(msg_id) <= 35
    assert second_root.findtext(".//p:GrpHdr/p:MsgId", namespaces=NS) == msg_id
    created = root.findtext(".//p:GrpHdr/p:CreDtTm", namespaces=NS)
    assert created is not None and created[:10] <= "2027-02-02"
    termline(db_url, "run", "--until", "2027-03-06")
    # February's invoice is due 6 March 2027, a Saturday: collected on Monday 8 March
    # (TARGET2), as the mandate's second debit (RCUR), under another message id
    second = tmp_path / "2027-03-08.xml"
    termline(db_url, "sepa", "collect", "--on", "2027-03-08", "-o", str(second))
    march = etree.fromstring(second.read_bytes())
    assert march.findtext(".//p:SeqTp", namespaces=NS) == "RCUR"
    assert march.findtext(".//p:ReqdColltnDt", namespaces=NS) == "2027-03-08"
    assert march.findtext(".//p:GrpHdr/p:MsgId", namespaces=NS) != msg_id
    ubl = tmp_path / "inv.xml"
    termline(db_url, "invoice", "ubl", "SC2027-000001", "-o", str(ubl))
    valid(ubl.read_bytes())
    assert b"<cbc:PaymentMeansCode>59</cbc:PaymentMeansCode>" in ubl.read_bytes()
    assert b"<cbc:ID>CC-MANDATE-0001</cbc:ID>" in ubl.read_bytes()


def test_returned_debits_become_payment_failed_and_block_access_after_30_days_5_2(
        db_url: str, tmp_path: Path) -> None:
    """5.2: a debit that 'cannot be executed' lets ClientCom block access 30 days after the
    claim became due: due 3 February, the 30 days run out at the end of 5 March, blocked on
    6 March. The bank's CSV returns SC2027-000001 on 5 February (stored once however often it
    is read); a pain.002 rejects SC2027-000002 (due 6 March) on 8 March."""
    _setup(db_url, tmp_path)
    termline(db_url, "run", "--until", "2027-02-04")
    csv_file = tmp_path / "returns.csv"
    csv_file.write_text("date,end_to_end_id,reason\n2027-02-05,SC2027-000001,AM04\n")
    assert "1 failed collection(s) stored" in termline(db_url, "sepa", "returns",
                                                       str(csv_file))
    assert "0 failed collection(s) stored, 1 already" in termline(db_url, "sepa", "returns",
                                                                  str(csv_file))
    termline(db_url, "run", "--until", "2027-03-06")
    pain002 = tmp_path / "status.xml"
    pain002.write_text(PAIN002)
    termline(db_url, "sepa", "returns", str(pain002))
    termline(db_url, "run", "--until", "2027-03-10")
    actions = json.loads(termline(db_url, "timeline", "dd", "-f", "json"))["actions"]
    assert [(a["date"], a.get("reference")) for a in actions
            if a["kind"] == "payment_failed"] == [("2027-02-05", "SC2027-000001@2027-02-05"),
                                                  ("2027-03-08", "SC2027-000002@2027-03-08")]
    assert [(a["date"], a["ref"]) for a in actions if a["kind"] == "access_suspended"] == [
        ("2027-03-06", "dd-0001")]
