"""Documents from what the engine issued: an invoice record or a credit, the seller's profile and
the buyer as the contract gives it. Pure: no store, no clock."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_DOWN, Decimal

from termline.adapters.bank.target2 import PRENOTIFICATION_DAYS, collection_date
from termline.adapters.catalogue import text
from termline.adapters.documents.model import Document, DocumentKind, Line, Party, Payment
from termline.adapters.documents.parties import COMPANY_SCHEMES, VAT_SCHEMES, SellerProfile
from termline.adapters.documents.references import payment_reference
from termline.adapters.documents.terms import document_language
from termline.domain.contract.model import Contract, Customer
from termline.domain.engine.actions import Action
from termline.domain.mechanisms.tax.categories import Supply, VatCategory, category, reason
from termline.domain.values.money import round_money

# The engine's item kinds that are compensation, not a supply (docs/readings.md).
COMPENSATION_KINDS = frozenset({"fee", "interest"})


@dataclass(frozen=True, slots=True)
class IssuedLine:
    item: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Issued:
    """An invoice or credit note as numbered from the engine's records."""

    kind: DocumentKind
    number: str
    issued: date
    due: date
    currency: str
    lines: tuple[IssuedLine, ...]
    source: str  # the engine's item ref, or the settlement a credit note is for
    invoice_kind: str
    period: tuple[date, date] | None = None
    credit_note_for: str | None = None
    credit_note_for_date: date | None = None
    refers_to: str | None = None  # BT-25/26 of a charge: the invoice it arises from
    refers_to_date: date | None = None
    category: VatCategory | None = None  # a credit note's: the category of what it mirrors
    remark: str | None = None  # why a credit note by hand was made (its --reason)


def seller_party(profile: SellerProfile) -> Party:
    scheme, _, ident = profile.peppol_id.partition(":")
    return Party(name=profile.legal_name, country=profile.country, street=profile.street,
                 city=profile.city, postal_code=profile.postal_code,
                 vat_number=profile.vat_number, company_id=profile.company_id,
                 company_scheme=COMPANY_SCHEMES.get(profile.country)
                 if profile.company_id else None, endpoint=(scheme, ident))


def buyer_party(customer: Customer) -> Party:
    country = customer.country or (customer.vat_number[:2] if customer.vat_number else None)
    if country is None:
        country = "BE"
    endpoint: tuple[str, str] | None = None
    if customer.peppol_id:
        scheme, _, ident = customer.peppol_id.partition(":")
        endpoint = (scheme, ident)
    elif customer.company_id and country in COMPANY_SCHEMES:
        endpoint = (COMPANY_SCHEMES[country], customer.company_id)
    elif customer.vat_number and customer.vat_number[:2] in VAT_SCHEMES:
        prefix = customer.vat_number[:2]
        ident = customer.vat_number if prefix not in ("DK", "NO") else \
            "".join(ch for ch in customer.vat_number if ch.isdigit())
        endpoint = (VAT_SCHEMES[prefix], ident)
    address = customer.address
    return Party(name=customer.name, country=country,
                 street=address.street if address else None,
                 city=address.city if address else None,
                 postal_code=address.postal_code if address else None,
                 vat_number=customer.vat_number, company_id=customer.company_id,
                 company_scheme=COMPANY_SCHEMES.get(country) if customer.company_id else None,
                 endpoint=endpoint, email=customer.email)


def document(issued: Issued, profile: SellerProfile, contract: Contract,
             terms: str | None = None, prenotice_days: int = PRENOTIFICATION_DAYS
             ) -> Document:
    customer = contract.customer
    supply: Supply = "compensation" if issued.invoice_kind in COMPENSATION_KINDS else "service"
    cat = issued.category or category(profile.country, customer.country,
                                      customer.vat_number, issued.issued, supply)
    lines = tuple(_line(ln, cat, issued.period) for ln in issued.lines)
    mandate = contract.mandate if issued.kind == "invoice" else None
    payment = Payment(reference=payment_reference(issued.number, profile.country,
                                                  issued.kind == "credit_note"),
                      iban=profile.iban, bic=profile.bic,
                      mandate=mandate.id if mandate else None,
                      payer_iban=mandate.iban if mandate else None,
                      collection=collection_date(issued.due, issued.issued, prenotice_days)
                      if mandate else None)
    note, values = None, {}
    if cat.code == "AE":
        note = cat.exemption_reason
    elif cat.code == "S":
        note, values = reason(profile.country, customer.country, customer.vat_number,
                              cat) or (None, {})
    seller, buyer = seller_party(profile), buyer_party(customer)
    if cat.code == "O":  # BR-O-02: no VAT identifiers on a document outside the scope of VAT
        seller, buyer = replace(seller, vat_number=None), replace(buyer, vat_number=None)
    return Document(kind=issued.kind, number=issued.number, issued=issued.issued,
                    due=issued.due, currency=issued.currency, seller=seller,
                    buyer=buyer, lines=lines, payment=payment,
                    buyer_reference=contract.id, period=issued.period,
                    credit_note_for=issued.credit_note_for,
                    credit_note_for_date=issued.credit_note_for_date, terms=terms, note=note,
                    language=document_language(customer.language, profile.language),
                    source=issued.source,
                    invoice_kind=issued.invoice_kind, note_values=tuple(values.items()),
                    refers_to=issued.refers_to, refers_to_date=issued.refers_to_date,
                    remark=issued.remark)


def _line(line: IssuedLine, cat: VatCategory, period: tuple[date, date] | None) -> Line:
    return Line(name=line.item, quantity=line.quantity, unit_price=line.unit_price,
                net=round_money(line.amount), category=cat, period=period)


def lines_of(rows: Sequence[tuple[str, Decimal, Decimal, Decimal]]) -> tuple[IssuedLine, ...]:
    return tuple(IssuedLine(item, Decimal(q), Decimal(p), Decimal(a)) for item, q, p, a in rows)


# msgids of the catalogue (`termline.adapters.catalogue`): the line text of a fee or
# interest document.
CHARGE_LABELS = {"fee": "Reminder fee / collection costs for invoice {invoice} ({ref})",
                 "interest": "Late-payment interest on invoice {invoice} ({ref})"}
CREDIT_LABELS = {"sla-credit": "Service credit (SLA)", "defect-refund": "Refund for a defect",
                 "dispute-upheld": "Credit for a dispute upheld on invoice",
                 "after-end": "Credit for a period after the end of the contract, invoice"}


def credit_note_label(act: Action) -> str:
    """The source label of the credit note of an `invoice_credited`: why, and the engine's
    ref of the invoice it credits (its number is the note's `credit_note_for`)."""
    why = "dispute-upheld" if act.get("reason") == "dispute_upheld" else "after-end"
    return f"{why} {act.get('ref')}"


def charge_source(act: Action) -> tuple[str, str]:
    """(source ref, reason) of a fee or interest charge that becomes a document of its own:
    a reminder's fee is `<invoice>-R<n>`, collection costs `<invoice>-COL`."""
    if act.kind == "reminder_sent":
        ref = f"{act.get('ref')}-R{act.get('number')}"
    elif act.kind == "collection_costs_charged":
        ref = f"{act.get('ref')}-COL"
    elif act.kind in ("charge_applied", "compensation_charged"):
        ref = str(act.get("charge_ref"))  # the charge's own item: <invoice>-<step>, -COMP
    else:
        ref = str(act.get("ref"))
    return ref, "interest" if act.kind == "interest_charged" else "fee"


def charge_label(reason: str, source_ref: str, language: str = "en",
                 invoice: str | None = None) -> str:
    """The line text of a one-line document (a fee, interest, an SLA credit, a refund) in the
    customer's language; `invoice`: the legal number of the invoice a fee or interest arises
    from (else the engine's ref)."""
    if reason in CHARGE_LABELS:
        return text(language, CHARGE_LABELS[reason],
                    invoice=invoice or source_ref.rsplit("-", 1)[0], ref=source_ref)
    for prefix, msgid in CREDIT_LABELS.items():
        source_ref = source_ref.replace(prefix, text(language, msgid))
    return source_ref


CENT = Decimal("0.01")


def credit_lines(source: Document, gross: Decimal) -> tuple[IssuedLine, ...] | None:
    """The lines of a credit note of `gross` (VAT included) for document `source`, mirroring
    its lines and VAT category; None when no amount to the cent gives that total.

    In full: the source's lines as they are. In part: the net `n` whose VAT, computed as
    EN 16931 computes it on the document (BR-CO-17: the category's net times its rate, rounded
    once to the cent), makes `n + VAT == gross` exactly; `n` is the gross divided by 1 + rate
    rounded half up to the cent, or the cent below or above it when that one adds up (tried in
    that order). Some totals no net reaches (at 21 %, 0.09: 0.07 + 0.01 = 0.08 and
    0.08 + 0.02 = 0.10): the caller refuses them. `n` is spread over the source's lines in
    proportion to their nets, cut to the cent, the cents left over given to the largest
    remainders (the first line on a tie), each as one unit at that price."""
    if gross == source.total:
        return tuple(IssuedLine(ln.name, ln.quantity, ln.unit_price, ln.net)
                     for ln in source.lines)
    rates = {(ln.category.code, ln.category.percent) for ln in source.lines}
    if len(rates) != 1:
        return None
    rate = source.lines[0].category.percent
    first = round_money(gross * 100 / (100 + rate))
    net = next((n for n in (first, first - CENT, first + CENT)
                if n > 0 and n + round_money(n * rate / 100) == gross), None)
    if net is None:
        return None
    weights = [ln.net for ln in source.lines]
    whole = sum(weights, Decimal(0))
    if whole <= 0 or any(w < 0 for w in weights):
        return (IssuedLine(source.lines[0].name, Decimal(1), net, net),)
    raw = [net * w / whole for w in weights]
    shares = [r.quantize(CENT, rounding=ROUND_DOWN) for r in raw]
    left = int((net - sum(shares, Decimal(0))) / CENT)
    for i in sorted(range(len(raw)), key=lambda i: (-(raw[i] - shares[i]), i))[:left]:
        shares[i] += CENT
    return tuple(IssuedLine(ln.name, Decimal(1), share, share)
                 for ln, share in zip(source.lines, shares, strict=True) if share != 0)
