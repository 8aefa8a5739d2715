"""SEPA direct debit: the pain.008.001.02 collection file of the invoices due on a day (the
`sepaxml` package, checked against the schema it ships), and returns of failed collections
(pain.002 status reports, or a bank's CSV) read back as the invoices they concern.

The message id derives from the creditor, the collection date and the collections it holds
(a hash of their end-to-end ids and amounts): the same collections written twice carry the
same id (the bank refuses the second file, so nothing is collected twice), and any other file
gets another. The creation time is the moment the file is written; the caller refuses a file
whose collection date is too close or past (`bank.target2`).
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from importlib import resources
from typing import Any, Literal

from lxml import etree
from sepaxml import SepaDD, SepaTransfer

from termline.domain.errors import InputError

SCHEMA = "pain.008.001.02"
SequenceType = Literal["FRST", "RCUR"]


@dataclass(frozen=True, slots=True)
class Creditor:
    name: str
    iban: str
    bic: str
    creditor_id: str  # SEPA creditor identifier, e.g. BE69ZZZ050D000000008


@dataclass(frozen=True, slots=True)
class Collection:
    end_to_end: str  # the invoice number
    debtor: str
    iban: str
    bic: str | None
    amount: Decimal  # euro, to the cent
    mandate_id: str
    mandate_signed: date
    sequence: SequenceType
    remittance: str


@dataclass(frozen=True, slots=True)
class Return:
    end_to_end: str
    day: date
    reason: str


def message_id(creditor_id: str, on: date, collections: Sequence[Collection]) -> str:
    """At most 33 characters (MsgId max 35, and its batches add "-n")."""
    ident = "".join(ch for ch in creditor_id if ch.isalnum())[:16]
    content = "|".join(f"{c.end_to_end}:{c.amount}" for c in
                       sorted(collections, key=lambda c: c.end_to_end))
    return f"{ident}-{on:%y%m%d}-{hashlib.sha256(content.encode()).hexdigest()[:9]}"


def pain008(creditor: Creditor, on: date, collections: Sequence[Collection],
            created: datetime) -> bytes:
    """The pain.008.001.02 file collecting `collections` on `on` (CORE scheme), created at
    `created` (timezone-aware; written in UTC)."""
    if created.tzinfo is None:
        raise ValueError("the creation time must be timezone-aware")
    if not collections:
        raise InputError(f"no direct debit is due on {on}", field="--on")
    sepa = SepaDD({"name": creditor.name, "IBAN": creditor.iban, "BIC": creditor.bic,
                   "batch": True, "creditor_id": creditor.creditor_id, "currency": "EUR"},
                  schema=SCHEMA, clean=True)
    for c in collections:
        payment: dict[str, Any] = {
            "name": c.debtor, "IBAN": c.iban, "amount": int(c.amount * 100),
            "type": c.sequence, "collection_date": on, "mandate_id": c.mandate_id,
            "mandate_date": c.mandate_signed, "description": c.remittance,
            "endtoend_id": c.end_to_end}
        if c.bic:
            payment["BIC"] = c.bic
        sepa.add_payment(payment)
    raw = sepa.export(validate=False)
    root = etree.fromstring(raw)
    ns = {"p": root.nsmap[None]}
    from datetime import UTC

    stamp = created.astimezone(UTC).replace(microsecond=0, tzinfo=None).isoformat()
    msg = message_id(creditor.creditor_id, on, collections)
    for el in root.iterfind(".//p:GrpHdr/p:CreDtTm", ns):
        el.text = stamp
    for el in root.iterfind(".//p:GrpHdr/p:MsgId", ns):
        el.text = msg
    for i, el in enumerate(root.iterfind(".//p:PmtInf/p:PmtInfId", ns), start=1):
        el.text = f"{msg}-{i}"
    out = bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
    validate(out)
    return out


def _schema(name: str = SCHEMA) -> etree.XMLSchema:
    path = resources.files("sepaxml").joinpath("schemas", f"{name}.xsd")
    return etree.XMLSchema(etree.parse(str(path)))


def validate(document: bytes, name: str = SCHEMA) -> None:
    """Raise ValueError naming the first schema error of a pain.008.001.02 (or `name`) file."""
    schema = _schema(name)
    try:
        schema.assertValid(etree.fromstring(document))
    except etree.DocumentInvalid as exc:
        raise ValueError(f"{name} does not validate: {exc}") from None


TRANSFER_SCHEMA = "pain.001.001.03"


@dataclass(frozen=True, slots=True)
class Transfer:
    end_to_end: str
    creditor: str  # who receives the money (the customer refunded)
    iban: str
    bic: str | None
    amount: Decimal
    remittance: str


def pain001(debtor: Creditor, on: date, transfers: Sequence[Transfer], created: datetime
            ) -> bytes:
    """The pain.001.001.03 credit transfer file paying `transfers` on `on` from the seller's
    account (`debtor`), checked against the schema sepaxml ships."""
    if created.tzinfo is None:
        raise ValueError("the creation time must be timezone-aware")
    sepa = SepaTransfer({"name": debtor.name, "IBAN": debtor.iban, "BIC": debtor.bic,
                         "batch": True, "currency": "EUR"}, schema=TRANSFER_SCHEMA,
                        clean=True)
    for tr in transfers:
        payment: dict[str, Any] = {
            "name": tr.creditor, "IBAN": tr.iban, "amount": int(tr.amount * 100),
            "execution_date": on, "description": tr.remittance,
            "endtoend_id": tr.end_to_end}
        if tr.bic:
            payment["BIC"] = tr.bic
        sepa.add_payment(payment)
    root = etree.fromstring(sepa.export(validate=False))
    ns = {"p": root.nsmap[None]}
    from datetime import UTC

    ident = "".join(ch for ch in debtor.iban if ch.isalnum())[-10:]
    content = "|".join(f"{t.end_to_end}:{t.amount}" for t in transfers)
    msg = f"RF{ident}-{on:%y%m%d}-{hashlib.sha256(content.encode()).hexdigest()[:9]}"
    for el in root.iterfind(".//p:GrpHdr/p:CreDtTm", ns):
        el.text = created.astimezone(UTC).replace(microsecond=0, tzinfo=None).isoformat()
    for el in root.iterfind(".//p:GrpHdr/p:MsgId", ns):
        el.text = msg
    for i, el in enumerate(root.iterfind(".//p:PmtInf/p:PmtInfId", ns), start=1):
        el.text = f"{msg}-{i}"
    out = bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
    validate(out, TRANSFER_SCHEMA)
    return out


def read_pain002(data: bytes, source: str) -> list[Return]:
    """Rejected or returned transactions (TxSts RJCT) of a pain.002 status report."""
    try:
        root = etree.fromstring(data)
    except etree.XMLSyntaxError as exc:
        raise InputError(f"not XML: {exc}", source=source, line=exc.lineno) from None

    def local(el: etree._Element) -> str:
        return etree.QName(el).localname if isinstance(el.tag, str) else ""

    created = next((el.text for el in root.iter() if local(el) == "CreDtTm"), None)
    out = []
    for tx in (el for el in root.iter() if local(el) == "TxInfAndSts"):
        fields = {local(el): (el.text or "").strip() for el in tx.iter()}
        if fields.get("TxSts") != "RJCT":
            continue
        if not fields.get("OrgnlEndToEndId"):
            raise InputError("rejected transaction without OrgnlEndToEndId", source=source,
                             line=tx.sourceline if isinstance(tx.sourceline, int) else None)
        day = fields.get("ReqdColltnDt") or (created or "")[:10]
        try:
            when = date.fromisoformat(day)
        except ValueError:
            raise InputError(f"no date for the rejection of {fields['OrgnlEndToEndId']}",
                             source=source, field="CreDtTm") from None
        out.append(Return(fields["OrgnlEndToEndId"], when, fields.get("Cd", "")))
    return out


def read_returns_csv(text: str, source: str) -> list[Return]:
    """A bank's return list as CSV with the columns date, end_to_end_id, reason."""
    rows = csv.DictReader(io.StringIO(text))
    missing = {"date", "end_to_end_id"} - set(rows.fieldnames or ())
    if missing:
        raise InputError(f"missing column(s) {', '.join(sorted(missing))}", source=source,
                         line=1)
    out = []
    for line, row in enumerate(rows, start=2):
        try:
            when = date.fromisoformat(row["date"].strip())
        except ValueError:
            raise InputError(f"not a date (YYYY-MM-DD): {row['date']!r}", source=source,
                             line=line, field="date") from None
        if not row["end_to_end_id"].strip():
            raise InputError("empty end_to_end_id", source=source, line=line,
                             field="end_to_end_id")
        out.append(Return(row["end_to_end_id"].strip(), when, (row.get("reason") or "").strip()))
    return out
