"""Peppol BIS Billing 3.0 (UBL 2.1) writer: Invoice (380) and CreditNote (381).

Elements follow the UBL 2.1 XSD sequence; the content follows EN 16931 and the Peppol rules
(see ../shared/spec/eu-facts.md §2). Output is deterministic: same document, same bytes.
"""

from __future__ import annotations

import base64
from decimal import Decimal
from typing import Any

from lxml import etree

from termline.adapters.documents.model import Document, DocumentError, Line, Party

CUSTOMIZATION = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
PROFILE = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
NS = {
    "inv": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
    "cn": "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
CAC = "{{{}}}".format(NS["cac"])
CBC = "{{{}}}".format(NS["cbc"])


def _sub(parent: Any, tag: str, text: str | None = None, **attrib: str) -> Any:
    prefix = CBC if tag.startswith("cbc:") else CAC
    el = etree.SubElement(parent, prefix + tag[4:], attrib)
    if text is not None:
        el.text = text
    return el


def _amount(value: Decimal) -> str:
    return f"{value:.2f}"


def _number(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text if text not in ("-0",) else "0"


def _scheme(parent: Any, scheme_id: str) -> None:
    _sub(_sub(parent, "cac:TaxScheme"), "cbc:ID", scheme_id)


def _party(parent: Any, party: Party, role: str) -> None:
    p = _sub(parent, "cac:Party")
    if party.endpoint is None:
        raise DocumentError(f"the {role} {party.name!r} has no Peppol endpoint: give its "
                            "peppol_id, VAT number or enterprise number")
    _sub(p, "cbc:EndpointID", party.endpoint[1], schemeID=party.endpoint[0])
    _sub(_sub(p, "cac:PartyName"), "cbc:Name", party.name)
    addr = _sub(p, "cac:PostalAddress")
    for tag, value in (("cbc:StreetName", party.street), ("cbc:CityName", party.city),
                       ("cbc:PostalZone", party.postal_code)):
        if value:
            _sub(addr, tag, value)
    _sub(_sub(addr, "cac:Country"), "cbc:IdentificationCode", party.country)
    if party.vat_number:
        tax = _sub(p, "cac:PartyTaxScheme")
        _sub(tax, "cbc:CompanyID", party.vat_number)
        _scheme(tax, "VAT")
    if role == "seller" and party.country == "NO":
        # NO-R-002: a Norwegian company states its registration in Foretaksregisteret
        # (foretaksregisterloven § 10-2), as a tax registration with scheme TAX (BT-32).
        tax = _sub(p, "cac:PartyTaxScheme")
        _sub(tax, "cbc:CompanyID", "Foretaksregisteret")
        _scheme(tax, "TAX")
    legal = _sub(p, "cac:PartyLegalEntity")
    _sub(legal, "cbc:RegistrationName", party.name)
    if party.company_id:
        if party.company_scheme:
            _sub(legal, "cbc:CompanyID", party.company_id, schemeID=party.company_scheme)
        else:
            _sub(legal, "cbc:CompanyID", party.company_id)
    if party.email:
        _sub(_sub(p, "cac:Contact"), "cbc:ElectronicMail", party.email)


def _category(parent: Any, tag: str, line: Line | None, cat: Any, with_reason: bool) -> None:
    c = _sub(parent, tag)
    _sub(c, "cbc:ID", cat.code)
    if cat.code != "O":  # BR-O-05: no rate on an item outside the scope of VAT
        _sub(c, "cbc:Percent", _number(cat.percent))
    if with_reason and cat.exemption_code:
        _sub(c, "cbc:TaxExemptionReasonCode", cat.exemption_code)
        _sub(c, "cbc:TaxExemptionReason", cat.exemption_reason)
    _scheme(c, "VAT")


def write(doc: Document) -> bytes:
    """The UBL XML of `doc`, UTF-8 with declaration."""
    invoice = doc.kind == "invoice"
    root_ns = NS["inv"] if invoice else NS["cn"]
    root = etree.Element(f"{{{root_ns}}}{'Invoice' if invoice else 'CreditNote'}",
                         nsmap={None: root_ns, "cac": NS["cac"], "cbc": NS["cbc"]})  # type: ignore[dict-item]
    cur = doc.currency
    _sub(root, "cbc:CustomizationID", CUSTOMIZATION)
    _sub(root, "cbc:ProfileID", PROFILE)
    _sub(root, "cbc:ID", doc.number)
    _sub(root, "cbc:IssueDate", doc.issued.isoformat())
    if invoice:
        _sub(root, "cbc:DueDate", doc.due.isoformat())
        _sub(root, "cbc:InvoiceTypeCode", "380")
    else:
        _sub(root, "cbc:CreditNoteTypeCode", "381")
    if doc.note_text:
        _sub(root, "cbc:Note", doc.note_text)
    _sub(root, "cbc:DocumentCurrencyCode", cur)
    _sub(root, "cbc:BuyerReference", doc.buyer_reference)
    if doc.period is not None:
        period = _sub(root, "cac:InvoicePeriod")
        _sub(period, "cbc:StartDate", doc.period[0].isoformat())
        _sub(period, "cbc:EndDate", doc.period[1].isoformat())
    if doc.preceding is not None:  # BG-3: BT-25 the legal number, BT-26 its issue date
        number, issued = doc.preceding
        ref = _sub(_sub(root, "cac:BillingReference"), "cac:InvoiceDocumentReference")
        _sub(ref, "cbc:ID", number)
        if issued is not None:
            _sub(ref, "cbc:IssueDate", issued.isoformat())
    for name, mime, data in doc.attachments:
        att = _sub(root, "cac:AdditionalDocumentReference")
        _sub(att, "cbc:ID", doc.number)
        _sub(_sub(att, "cac:Attachment"), "cbc:EmbeddedDocumentBinaryObject",
             base64.b64encode(data).decode("ascii"), mimeCode=mime, filename=name)
    _party(_sub(root, "cac:AccountingSupplierParty"), doc.seller, "seller")
    _party(_sub(root, "cac:AccountingCustomerParty"), doc.buyer, "buyer")
    pay = doc.payment
    means = _sub(root, "cac:PaymentMeans")
    _sub(means, "cbc:PaymentMeansCode", pay.means_code)
    if not invoice:
        _sub(means, "cbc:PaymentDueDate", doc.due.isoformat())
    _sub(means, "cbc:PaymentID", pay.reference)
    if pay.mandate:
        mandate = _sub(means, "cac:PaymentMandate")
        _sub(mandate, "cbc:ID", pay.mandate)
        if pay.payer_iban:
            _sub(_sub(mandate, "cac:PayerFinancialAccount"), "cbc:ID", pay.payer_iban)
    else:
        account = _sub(means, "cac:PayeeFinancialAccount")
        _sub(account, "cbc:ID", pay.iban)
        if pay.bic:
            _sub(_sub(account, "cac:FinancialInstitutionBranch"), "cbc:ID", pay.bic)
    note = doc.terms
    if pay.mandate and pay.collection is not None and invoice:
        # the pre-notification (SEPA Core PT-04.03): the amount and date of the debit
        debit = (f"SEPA direct debit of {doc.totals.payable:.2f} {doc.currency} on "
                 f"{pay.collection.isoformat()}, mandate {pay.mandate}")
        note = f"{debit}; {note}" if note else debit
    if note:
        _sub(_sub(root, "cac:PaymentTerms"), "cbc:Note", note)
    tot = doc.totals
    tax_total = _sub(root, "cac:TaxTotal")
    _sub(tax_total, "cbc:TaxAmount", _amount(tot.tax), currencyID=cur)
    for sub in tot.subtotals:
        st = _sub(tax_total, "cac:TaxSubtotal")
        _sub(st, "cbc:TaxableAmount", _amount(sub.taxable), currencyID=cur)
        _sub(st, "cbc:TaxAmount", _amount(sub.tax), currencyID=cur)
        _category(st, "cac:TaxCategory", None, sub.category, with_reason=True)
    money = _sub(root, "cac:LegalMonetaryTotal")
    _sub(money, "cbc:LineExtensionAmount", _amount(tot.line_total), currencyID=cur)
    _sub(money, "cbc:TaxExclusiveAmount", _amount(tot.tax_exclusive), currencyID=cur)
    _sub(money, "cbc:TaxInclusiveAmount", _amount(tot.tax_inclusive), currencyID=cur)
    if tot.prepaid:
        _sub(money, "cbc:PrepaidAmount", _amount(tot.prepaid), currencyID=cur)
    _sub(money, "cbc:PayableAmount", _amount(tot.payable), currencyID=cur)
    for i, line in enumerate(doc.lines, start=1):
        _line(root, i, line, cur, invoice)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                pretty_print=True))


def ubl_line_values(line: Line) -> tuple[Decimal, Decimal]:
    """(quantity, price) of a document's line as the UBL and the PDF write it."""
    return written_line(line.quantity, line.unit_price, line.net)


def written_line(quantity: Decimal, unit_price: Decimal, net: Decimal
                 ) -> tuple[Decimal, Decimal]:
    """(quantity, price) as written on the documents (and answered by the API): the price is
    never negative (BR-27) and quantity × price equals the net amount within the rules' slack
    (PEPPOL-EN16931-R120). A line whose engine amount is not quantity × unit price (a monthly
    price billed for a year, pro rata) is priced per unit for the period where that is exact
    to 4 decimals, else one unit at its net."""
    qty, price = quantity, unit_price
    if qty != 0 and abs(qty * price - net) > Decimal("0.01"):
        # a unit price per month billed for a longer period: the price of the period per unit
        per_unit = net / qty
        qty, price = (qty, per_unit) if per_unit == per_unit.quantize(Decimal("0.0001")) \
            else (Decimal(1), net)
    elif qty == 0:
        qty, price = Decimal(1), net
    if price < 0:
        qty, price = -qty, -price
    return qty, price


def _line(root: Any, index: int, line: Line, cur: str, invoice: bool) -> None:
    el = _sub(root, "cac:InvoiceLine" if invoice else "cac:CreditNoteLine")
    _sub(el, "cbc:ID", str(index))
    qty, price = ubl_line_values(line)
    _sub(el, "cbc:InvoicedQuantity" if invoice else "cbc:CreditedQuantity", _number(qty),
         unitCode="C62")
    _sub(el, "cbc:LineExtensionAmount", _amount(line.net), currencyID=cur)
    if line.period is not None:
        period = _sub(el, "cac:InvoicePeriod")
        _sub(period, "cbc:StartDate", line.period[0].isoformat())
        _sub(period, "cbc:EndDate", line.period[1].isoformat())
    item = _sub(el, "cac:Item")
    if line.note:
        _sub(item, "cbc:Description", line.note)
    _sub(item, "cbc:Name", line.name)
    _category(item, "cac:ClassifiedTaxCategory", line, line.category, with_reason=False)
    _sub(_sub(el, "cac:Price"), "cbc:PriceAmount", _number(price), currencyID=cur)
