"""UBL reader: the fields termline writes, read back from any Peppol BIS 3.0 Invoice or
CreditNote (round trip of our own documents; the official examples read the same way)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from lxml import etree

from termline.adapters.documents.ubl import NS

_NS = {"cac": NS["cac"], "cbc": NS["cbc"]}


@dataclass(frozen=True, slots=True)
class ReadParty:
    name: str
    country: str
    vat_number: str | None
    endpoint: tuple[str, str] | None


@dataclass(frozen=True, slots=True)
class ReadLine:
    name: str
    quantity: Decimal
    net: Decimal
    category: str
    percent: Decimal | None


@dataclass(frozen=True, slots=True)
class ReadDocument:
    kind: str  # invoice | credit_note
    number: str
    issued: date
    due: date | None
    currency: str
    seller: ReadParty
    buyer: ReadParty
    lines: tuple[ReadLine, ...]
    vat: tuple[tuple[str, Decimal | None, Decimal, Decimal], ...]  # category, %, taxable, tax
    line_total: Decimal
    tax_exclusive: Decimal
    tax_inclusive: Decimal
    payable: Decimal
    payment_id: str | None
    credit_note_for: str | None


def _text(node: etree._Element, path: str) -> str | None:
    found = node.find(path, _NS)
    return None if found is None or found.text is None else found.text.strip()


def _req(node: etree._Element, path: str) -> str:
    value = _text(node, path)
    if value is None:
        raise ValueError(f"UBL document lacks {path}")
    return value


def _dec(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _party(node: etree._Element) -> ReadParty:
    endpoint = node.find("cac:Party/cbc:EndpointID", _NS)
    name = _text(node, "cac:Party/cac:PartyLegalEntity/cbc:RegistrationName") or \
        _req(node, "cac:Party/cac:PartyName/cbc:Name")
    return ReadParty(name=name,
                     country=_req(node, "cac:Party/cac:PostalAddress/cac:Country/"
                                        "cbc:IdentificationCode"),
                     vat_number=_text(node, "cac:Party/cac:PartyTaxScheme/cbc:CompanyID"),
                     endpoint=(endpoint.get("schemeID", ""), (endpoint.text or "").strip())
                     if endpoint is not None else None)


def read(data: bytes) -> ReadDocument:
    root = etree.fromstring(data)
    invoice = etree.QName(root).localname == "Invoice"
    line_tag, qty_tag = ("cac:InvoiceLine", "cbc:InvoicedQuantity") if invoice else \
        ("cac:CreditNoteLine", "cbc:CreditedQuantity")
    lines = tuple(ReadLine(name=_req(ln, "cac:Item/cbc:Name"),
                           quantity=Decimal(_req(ln, qty_tag)),
                           net=Decimal(_req(ln, "cbc:LineExtensionAmount")),
                           category=_req(ln, "cac:Item/cac:ClassifiedTaxCategory/cbc:ID"),
                           percent=_dec(_text(ln, "cac:Item/cac:ClassifiedTaxCategory/"
                                                  "cbc:Percent")))
                  for ln in root.findall(line_tag, _NS))
    vat = tuple((_req(st, "cac:TaxCategory/cbc:ID"), _dec(_text(st, "cac:TaxCategory/cbc:Percent")),
                 Decimal(_req(st, "cbc:TaxableAmount")), Decimal(_req(st, "cbc:TaxAmount")))
                for st in root.findall("cac:TaxTotal/cac:TaxSubtotal", _NS))
    due = _text(root, "cbc:DueDate") or _text(root, "cac:PaymentMeans/cbc:PaymentDueDate")
    money = "cac:LegalMonetaryTotal/"
    return ReadDocument(
        kind="invoice" if invoice else "credit_note", number=_req(root, "cbc:ID"),
        issued=date.fromisoformat(_req(root, "cbc:IssueDate")),
        due=date.fromisoformat(due) if due else None,
        currency=_req(root, "cbc:DocumentCurrencyCode"),
        seller=_party(_must(root, "cac:AccountingSupplierParty")),
        buyer=_party(_must(root, "cac:AccountingCustomerParty")), lines=lines, vat=vat,
        line_total=Decimal(_req(root, money + "cbc:LineExtensionAmount")),
        tax_exclusive=Decimal(_req(root, money + "cbc:TaxExclusiveAmount")),
        tax_inclusive=Decimal(_req(root, money + "cbc:TaxInclusiveAmount")),
        payable=Decimal(_req(root, money + "cbc:PayableAmount")),
        payment_id=_text(root, "cac:PaymentMeans/cbc:PaymentID"),
        credit_note_for=_text(root, "cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID"))


def _must(root: etree._Element, path: str) -> etree._Element:
    found = root.find(path, _NS)
    if found is None:
        raise ValueError(f"UBL document lacks {path}")
    return found
