"""ISO 20022 CAMT.053 (bank-to-customer statement) reader: the credit entries, each with the
bank's own reference for it (the natural key of an import), amount, booking date, debtor name
and remittance information (structured creditor reference or free text).

A batch-booked entry (one `Ntry` whose `NtryDtls` hold several `TxDtls`, as a bank books the
credit of a direct-debit collection file) is read as one credit per transaction, each with its
own amount (`AmtDtls/TxAmt/Amt`, else `Amt`), remittance, end-to-end id and reference (its own
`Refs/AcctSvcrRef` when it has one that differs from the entry's, else the entry's with
`/1`, `/2`... in file order); the transactions must add up to the entry. Debit entries that
return a direct debit (`RtrInf`, or the bank transaction code family `IDDT` with a return
sub-family) are read by `returns` with their reason code.

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
    end_to_end: str | None = None  # Refs/EndToEndId (a collection's: the invoice number)
    line: int | None = None  # where it is in the file


@dataclass(frozen=True, slots=True)
class Returned:
    """A debit entry giving back a collected direct debit."""

    entry_ref: str
    day: date  # booked
    amount: Decimal
    end_to_end: str
    reason: str  # ISO reason code (AM04, MD06, MS03...), "" when the bank gives none
    line: int | None = None


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


def _root(data: bytes, source: str) -> etree._Element:
    try:
        root = etree.fromstring(data)
    except etree.XMLSyntaxError as exc:
        raise InputError(f"not XML: {exc}", source=source, line=exc.lineno) from None
    if not _children(root, "BkToCstmrStmt"):
        raise InputError("not a CAMT.053 statement (no BkToCstmrStmt)", source=source)
    return root


def _amount(el: etree._Element | None, source: str, line: int | None, field: str
            ) -> tuple[Decimal, str]:
    try:
        amount = Decimal((el.text or "").strip()) if el is not None else None
    except InvalidOperation:
        amount = None
    if amount is None or el is None or not amount.is_finite() or amount <= 0:
        raise InputError("entry without a valid amount", source=source, line=line,
                         field=field)
    return amount, el.get("Ccy", "")


def _booked(entry: etree._Element, source: str, line: int | None) -> date:
    booked = _text(entry, "BookgDt", "Dt") or (_text(entry, "BookgDt", "DtTm") or "")[:10]
    try:
        return date.fromisoformat(booked)
    except ValueError:
        raise InputError(f"booking date {booked!r} is not YYYY-MM-DD", source=source,
                         line=line, field="BookgDt") from None


def _booked_entries(root: etree._Element, direction: str
                    ) -> list[tuple[etree._Element, int | None]]:
    out: list[tuple[etree._Element, int | None]] = []
    for entry in _children(root, "Ntry"):
        if _text(entry, "CdtDbtInd") != direction:
            continue
        status = _text(entry, "Sts") or _text(entry, "Sts", "Cd")
        if status not in (None, "BOOK"):
            continue
        out.append((entry, entry.sourceline if isinstance(entry.sourceline, int) else None))
    return out


def _entry_ref(entry: etree._Element, source: str, line: int | None) -> str:
    ref = _text(entry, "AcctSvcrRef") or _text(entry, "NtryRef") or \
        _text(entry, "NtryDtls", "TxDtls", "Refs", "AcctSvcrRef")
    if ref is None:
        raise InputError("entry without a bank reference (AcctSvcrRef or NtryRef)",
                         source=source, line=line, field="AcctSvcrRef")
    return ref


def _transactions(entry: etree._Element) -> list[etree._Element]:
    return [tx for details in entry if isinstance(details.tag, str)
            and _local(details) == "NtryDtls"
            for tx in details if isinstance(tx.tag, str) and _local(tx) == "TxDtls"]


def _tx_amount(tx: etree._Element, source: str) -> tuple[Decimal, str]:
    line = tx.sourceline if isinstance(tx.sourceline, int) else None
    el = _child(tx, "AmtDtls", "TxAmt", "Amt")
    if el is None:
        el = _child(tx, "Amt")
    if el is None:
        raise InputError("a transaction of a batch-booked entry without its amount "
                         "(AmtDtls/TxAmt/Amt or Amt)", source=source, line=line, field="TxAmt")
    return _amount(el, source, line, "TxAmt")


def _tx_refs(entry_ref: str, txs: list[etree._Element]) -> list[str]:
    """One reference per transaction: its own when the bank gives distinct ones, else the
    entry's with its position."""
    own = [_text(tx, "Refs", "AcctSvcrRef") for tx in txs]
    if len(txs) > 1 and all(own) and len(set(own)) == len(own) and entry_ref not in own:
        return [str(r) for r in own]
    if len(txs) == 1:
        return [entry_ref]
    return [f"{entry_ref}/{i}" for i in range(1, len(txs) + 1)]


def _credit(tx: etree._Element | None, ref: str, day: date, amount: Decimal, currency: str,
            line: int | None) -> Credit:
    debtor = _text(tx, "RltdPties", "Dbtr", "Nm") or \
        _text(tx, "RltdPties", "Dbtr", "Pty", "Nm")
    rmt = _child(tx, "RmtInf")
    ustrd = [(u.text or "").strip() for u in (rmt if rmt is not None else [])
             if isinstance(u.tag, str) and _local(u) == "Ustrd"]
    cdtr = _child(rmt, "Strd", "CdtrRefInf")
    end_to_end = _text(tx, "Refs", "EndToEndId")
    return Credit(entry_ref=ref, booked=day, amount=amount, currency=currency, debtor=debtor,
                  structured_ref=_text(cdtr, "Ref"),
                  reference_issuer=_text(cdtr, "Tp", "Issr"),
                  text=" ".join(u for u in ustrd if u),
                  end_to_end=None if end_to_end in (None, "NOTPROVIDED") else end_to_end,
                  line=line)


def read(data: bytes, source: str = "statement") -> list[Credit]:
    """The credits of every statement in the file, in file order: one per credit entry, or
    one per transaction of a batch-booked entry."""
    root = _root(data, source)
    credits = []
    for entry, line in _booked_entries(root, "CRDT"):
        ref = _entry_ref(entry, source, line)
        amount, currency = _amount(_child(entry, "Amt"), source, line, "Amt")
        day = _booked(entry, source, line)
        txs = _transactions(entry)
        if len(txs) <= 1:
            credits.append(_credit(txs[0] if txs else None, ref, day, amount, currency, line))
            continue
        parts = [_tx_amount(tx, source) for tx in txs]
        total = sum((a for a, _ in parts), Decimal(0))
        if total != amount:
            raise InputError(f"the {len(txs)} transactions of entry {ref} add up to {total}, "
                             f"not the entry's {amount}", source=source, line=line,
                             field="TxDtls")
        for tx, tx_ref, (part, ccy) in zip(txs, _tx_refs(ref, txs), parts, strict=True):
            credits.append(_credit(tx, tx_ref, day, part, ccy or currency,
                                   tx.sourceline if isinstance(tx.sourceline, int) else line))
    return credits


# ISO 20022 bank transaction codes of a creditor's collections given back: domain PMNT,
# family IDDT (issued direct debits), sub-family unpaid, reversal or return
_RETURN_SUBFAMILIES = {"UPDD", "RCDD", "PRDD", "PADD", "ARET"}


def returns(data: bytes, source: str = "statement") -> list[Returned]:
    """The debit entries that give back a direct debit: a transaction with return information
    (`RtrInf`), or booked under the bank transaction code PMNT/IDDT (issued direct debits)
    with an unpaid, reversal or return sub-family, carrying the original end-to-end id."""
    root = _root(data, source)
    out = []
    for entry, line in _booked_entries(root, "DBIT"):
        txs = _transactions(entry) or [entry]
        refs = _tx_refs(_entry_ref(entry, source, line), txs) if _transactions(entry) \
            else [_entry_ref(entry, source, line)]
        for tx, ref in zip(txs, refs, strict=True):
            info = _child(tx, "RtrInf")
            family = _text(entry, "BkTxCd", "Domn", "Fmly", "Cd")
            sub = _text(entry, "BkTxCd", "Domn", "Fmly", "SubFmlyCd")
            if info is None and not (family == "IDDT" and sub in _RETURN_SUBFAMILIES):
                continue
            tx_line = tx.sourceline if isinstance(tx.sourceline, int) else line
            e2e = _text(tx, "Refs", "EndToEndId") or _text(info, "OrgnlBkTxRef") if \
                tx is not entry else None
            if not e2e or e2e == "NOTPROVIDED":
                raise InputError(f"returned direct debit {ref} without the end-to-end id of "
                                 "the collection (Refs/EndToEndId)", source=source,
                                 line=tx_line, field="EndToEndId")
            if tx is entry or len(txs) == 1:
                amount, _ = _amount(_child(entry, "Amt"), source, line, "Amt")
            else:
                amount, _ = _tx_amount(tx, source)
            out.append(Returned(ref, _booked(entry, source, line), amount, e2e,
                                _text(info, "Rsn", "Cd") or _text(info, "Rsn", "Prtry") or "",
                                tx_line))
    return out
