"""ISO 20022 CAMT.053 (bank-to-customer statement) reader: the credit entries, each with the
bank's own reference for it (the natural key of an import), amount, booking date, debtor name
and remittance information (structured creditor reference or free text).

Namespace versions differ between banks (camt.053.001.02 ... .08); the reader matches element
names whatever the namespace.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from lxml import etree

from termline.domain.errors import InputError


@dataclass(frozen=True, slots=True)
class Credit:
    entry_ref: str  # the bank's reference for the entry (AcctSvcrRef, else NtryRef)
    booked: date
    amount: Decimal
    currency: str
    debtor: str | None
    structured_ref: str | None  # CdtrRefInf/Ref, e.g. a Belgian OGM (Tp SCOR, Issr BBA)
    reference_issuer: str | None
    text: str  # unstructured remittance lines joined


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname


def _child(el: etree._Element | None, *path: str) -> etree._Element | None:
    for name in path:
        if el is None:
            return None
        el = next((c for c in el if isinstance(c.tag, str) and _local(c) == name), None)
    return el


def _children(el: etree._Element, name: str) -> list[etree._Element]:
    return [c for c in el.iter() if isinstance(c.tag, str) and _local(c) == name]


def _text(el: etree._Element | None, *path: str) -> str | None:
    found = _child(el, *path)
    return None if found is None or found.text is None else found.text.strip() or None


def read(data: bytes, source: str = "statement") -> list[Credit]:
    """The credit entries of every statement in the file, in file order."""
    try:
        root = etree.fromstring(data)
    except etree.XMLSyntaxError as exc:
        raise InputError(f"not XML: {exc}", source=source, line=exc.lineno) from None
    if not _children(root, "BkToCstmrStmt"):
        raise InputError("not a CAMT.053 statement (no BkToCstmrStmt)", source=source)
    credits = []
    for entry in _children(root, "Ntry"):
        line = entry.sourceline if isinstance(entry.sourceline, int) else None
        if _text(entry, "CdtDbtInd") != "CRDT":
            continue
        status = _text(entry, "Sts") or _text(entry, "Sts", "Cd")
        if status not in (None, "BOOK"):
            continue
        ref = _text(entry, "AcctSvcrRef") or _text(entry, "NtryRef") or \
            _text(entry, "NtryDtls", "TxDtls", "Refs", "AcctSvcrRef")
        if ref is None:
            raise InputError("credit entry without a bank reference (AcctSvcrRef or "
                             "NtryRef)", source=source, line=line, field="AcctSvcrRef")
        amt = _child(entry, "Amt")
        try:
            amount = Decimal((amt.text or "").strip()) if amt is not None else None
        except InvalidOperation:
            amount = None
        if amount is None or amt is None:
            raise InputError("entry without a valid amount", source=source, line=line,
                             field="Amt")
        booked = _text(entry, "BookgDt", "Dt") or (_text(entry, "BookgDt", "DtTm") or "")[:10]
        try:
            day = date.fromisoformat(booked)
        except ValueError:
            raise InputError(f"booking date {booked!r} is not YYYY-MM-DD", source=source,
                             line=line, field="BookgDt") from None
        tx = _child(entry, "NtryDtls", "TxDtls")
        debtor = _text(tx, "RltdPties", "Dbtr", "Nm") or \
            _text(tx, "RltdPties", "Dbtr", "Pty", "Nm")
        rmt = _child(tx, "RmtInf")
        ustrd = [(u.text or "").strip() for u in (rmt if rmt is not None else [])
                 if isinstance(u.tag, str) and _local(u) == "Ustrd"]
        cdtr = _child(rmt, "Strd", "CdtrRefInf")
        credits.append(Credit(
            entry_ref=ref, booked=day, amount=amount, currency=amt.get("Ccy", ""),
            debtor=debtor, structured_ref=_text(cdtr, "Ref"),
            reference_issuer=_text(cdtr, "Tp", "Issr"), text=" ".join(u for u in ustrd if u)))
    return credits
