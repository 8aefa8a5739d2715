"""Handlers for seller profiles and the documents the store holds (`termline tenant profile`,
`termline invoice list|show|ubl|pdf`). A document's UBL and PDF are rendered once and stored
by content; later requests get the stored bytes."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from termline.adapters.documents.build import (
    CHARGE_LABELS,
    Issued,
    IssuedLine,
    charge_label,
    credit_lines,
    document,
    lines_of,
)
from termline.adapters.documents.model import Document, DocumentError
from termline.adapters.documents.parties import SellerProfile
from termline.adapters.documents.pdf import render
from termline.adapters.documents.terms import document_language, payment_terms
from termline.adapters.documents.ubl import write
from termline.adapters.sql.document_store import Bulk, DocumentStore, StoredDocument
from termline.adapters.sql.numbering import MANUAL_CREDIT
from termline.adapters.sql.repository import StoredContract
from termline.adapters.sql.sql_rows import connection
from termline.app.intake import tenant
from termline.app.ports import Store, UnitOfWork
from termline.domain.errors import InputError, TermlineError
from termline.domain.policy.schema import Policy
from termline.domain.values.money import ZERO, fmt, round_money


class UnknownDocument(InputError):
    """No document of the tenant has that number."""


class NoProfile(TermlineError):
    """The tenant has no seller profile: documents cannot name the seller."""


def set_profile(uow: UnitOfWork, tenant_name: str, data: Any, source: str) -> SellerProfile:
    try:
        profile = SellerProfile.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InputError(first["msg"], source=source,
                         field=".".join(str(p) for p in first["loc"]) or None) from None
    with uow:
        owner = tenant(uow.repo, tenant_name)
        uow.repo.set_tenant_settings(owner.id, {**owner.settings, "profile": profile.to_json()})
        uow.commit()
    return profile


def profile_of(repo: Store, tenant_name: str | None) -> SellerProfile:
    owner = tenant(repo, tenant_name)
    raw = owner.settings.get("profile")
    if raw is None:
        raise NoProfile(f"tenant {owner.name!r} has no seller profile: "
                        "`termline tenant profile NAME FILE.yaml`")
    return SellerProfile.model_validate(raw)


def show_profile(uow: UnitOfWork, tenant_name: str) -> dict[str, Any]:
    with uow:
        return profile_of(uow.repo, tenant_name).to_json()


def terms_text(policy: Policy, profile: SellerProfile, language: str = "en") -> str:
    """The clause governing payment and late fees, for the document's payment terms."""
    return payment_terms(policy, profile, language)


@dataclass
class Lookups:
    """Contracts and policies read once for a listing of many documents."""

    contracts: dict[tuple[int, str], StoredContract] = field(default_factory=dict)
    terms: dict[tuple[int, str], str] = field(default_factory=dict)
    prenotice: dict[int, int] = field(default_factory=dict)
    bulk: Bulk | None = None  # the tenant's lines, periods, payments, latest numbers

    def contract(self, repo: Store, tenant_id: int, ref: str) -> StoredContract:
        key = (tenant_id, ref)
        if key not in self.contracts:
            if not self.contracts:  # first use: the tenant's contracts in one query
                self.contracts.update({(c.tenant_id, c.contract.id): c
                                       for c in repo.contracts(tenant_id)})
            if key not in self.contracts:
                self.contracts[key] = repo.contracts(tenant_id, ref)[0]
        return self.contracts[key]

    def terms_of(self, repo: Store, version: int, profile: SellerProfile,
                 language: str = "en") -> str:
        if (version, language) not in self.terms:
            policy = repo.policy(version)
            self.terms[(version, language)] = terms_text(policy, profile, language)
            self.prenotice[version] = policy.payment.direct_debit_prenotice
        return self.terms[(version, language)]


# The engine's own credit notes (payments/credit_notes.py): a dispute upheld, an invoice for a
# period after the end. In full they repeat the invoice's lines; in part, one line.
ENGINE_CREDITS = ("dispute_upheld", "after_end")


def build(repo: Store, stored: StoredDocument, profile: SellerProfile,
          lookups: Lookups | None = None) -> Document:
    lookups = lookups or Lookups()
    docs = DocumentStore(connection(repo))
    contract = lookups.contract(repo, stored.tenant_id, stored.contract_ref)
    language = document_language(contract.contract.customer.language, profile.language)
    if stored.reason == MANUAL_CREDIT and stored.credit_note_for is not None:
        return _manual_credit(repo, stored, profile, lookups, contract)
    if stored.reason in ENGINE_CREDITS and stored.credit_note_for is not None:
        credited = credited_source(repo, stored, profile, lookups)
        if stored.amount == sum((ln.net for ln in credited.lines), ZERO):  # in full: its lines
            return _mirrored(repo, stored, profile, lookups, contract, credited,
                             credited.total, None)
    period = None
    kind = stored.reason
    if (stored.kind == "invoice" and stored.reason not in CHARGE_LABELS) \
            or stored.reason == "correction":
        key = (stored.contract_id, stored.action_key)
        if lookups.bulk is not None:
            rows, period = lookups.bulk.lines.get(key, []), lookups.bulk.periods.get(key)
        else:
            rows = docs.invoice_lines(*key)
            period = docs.invoice_period(*key)
        if not rows:  # the correction of a fee or interest invoice: its one line
            reason = "interest" if stored.source_ref.endswith("-INT") else "fee"
            label = charge_label(reason, stored.source_ref, language)
            rows = [(label, Decimal(1), stored.amount, stored.amount)]
            kind = reason  # a credit note mirrors what it credits: compensation, category O
    else:
        label = charge_label(stored.reason, stored.source_ref, language,
                             stored.credit_note_for if stored.kind == "invoice" else None)
        rows = [(label, Decimal(1), stored.amount, stored.amount)]
    # EN 16931 BT-25/BT-26: the legal number and issue date of the invoice this document
    # corrects (a credit note) or arises from (a fee, interest or charge)
    source = stored.credit_note_for
    source_day = None
    if source is not None:
        source_day = (lookups.bulk.issued.get(source) if lookups.bulk is not None
                      else docs.issued_on(stored.tenant_id, source))
    credit = stored.kind != "invoice"
    issued = Issued(kind="credit_note" if credit else "invoice",
                    number=stored.number, issued=stored.issued, due=stored.due,
                    currency=stored.currency, lines=lines_of(rows), source=stored.source_ref,
                    invoice_kind=kind, period=period,
                    credit_note_for=source if credit else None,
                    credit_note_for_date=source_day if credit else None,
                    refers_to=None if credit else source,
                    refers_to_date=None if credit else source_day)
    terms = lookups.terms_of(repo, contract.policy_version_id, profile, language)
    return document(issued, profile, contract.contract, terms,
                    lookups.prenotice[contract.policy_version_id])


def credited_source(repo: Store, stored: StoredDocument, profile: SellerProfile,
                    lookups: Lookups | None = None) -> Document:
    """The document a credit note by hand credits, as built."""
    assert stored.credit_note_for is not None
    source = DocumentStore(connection(repo)).document(stored.tenant_id, stored.credit_note_for)
    if source is None:
        raise UnknownDocument(f"{stored.number} credits {stored.credit_note_for}, which the "
                              "tenant does not have", field="NUMBER")
    return build(repo, source, profile, lookups)


def _manual_credit(repo: Store, stored: StoredDocument, profile: SellerProfile,
                   lookups: Lookups, contract: StoredContract) -> Document:
    """A credit note by hand (`termline invoice credit`): its total is the credited amount
    VAT included (`stored.amount`); its lines and VAT category mirror the document it credits
    (`credit_lines`), which it names by legal number and issue date (BT-25, BT-26)."""
    source = credited_source(repo, stored, profile, lookups)
    reason = DocumentStore(connection(repo)).action_text(stored.contract_id,
                                                         stored.action_key, "reason")
    return _mirrored(repo, stored, profile, lookups, contract, source, stored.amount,
                     str(reason) if reason else None)


def _mirrored(repo: Store, stored: StoredDocument, profile: SellerProfile, lookups: Lookups,
              contract: StoredContract, source: Document, gross: Decimal, remark: str | None
              ) -> Document:
    """A credit note of `gross` (VAT included) whose lines and VAT category mirror `source`
    (`credit_lines`), naming it by legal number and issue date (BT-25, BT-26)."""
    lines = credit_lines(source, gross)
    if lines is None:  # an amount `invoice credit` refuses, given as an event: one line
        rate = source.lines[0].category.percent if source.lines else ZERO
        net = round_money(gross * 100 / (100 + rate))
        lines = (IssuedLine(source.lines[0].name if source.lines else source.number,
                            Decimal(1), net, net),)
    issued = Issued(kind="credit_note", number=stored.number, issued=stored.issued,
                    due=stored.due, currency=stored.currency, lines=lines,
                    source=stored.source_ref, invoice_kind=source.invoice_kind,
                    period=source.period if gross == source.total else None,
                    credit_note_for=source.number, credit_note_for_date=source.issued,
                    category=source.lines[0].category if source.lines else None,
                    remark=remark)
    language = document_language(contract.contract.customer.language, profile.language)
    terms = lookups.terms_of(repo, contract.policy_version_id, profile, language)
    return document(issued, profile, contract.contract, terms,
                    lookups.prenotice[contract.policy_version_id])


def open_net(repo: Store, stored: StoredDocument, lookups: Lookups | None = None
             ) -> Decimal:
    """The amount of an invoice still open, including VAT (the engine's open item); 0 for a
    credit note, a replaced revision or an invoice a correction credit note cancels: the
    figure kept with the document where its allocations and credit notes are written
    (`kept.keep_documents`), the same one the console's lists filter and sum."""
    return stored.open_amount


def list_documents(uow: UnitOfWork, tenant_name: str | None, contract_ref: str | None
                   ) -> list[dict[str, Any]]:
    with uow:
        profile = profile_of(uow.repo, tenant_name)
        owner = tenant(uow.repo, tenant_name)
        out = []
        store = DocumentStore(connection(uow.repo))
        lookups = Lookups(bulk=store.bulk(owner.id))
        for stored in store.documents(owner.id, contract_ref):
            doc = build(uow.repo, stored, profile, lookups)
            out.append({"number": stored.number, "ref": stored.source_ref,
                        "contract": stored.contract_ref, "kind": stored.kind,
                        "issued": stored.issued.isoformat(), "due": stored.due.isoformat(),
                        "net": fmt(doc.net), "vat": fmt(doc.vat), "total": fmt(doc.total),
                        "currency": stored.currency,
                        "open": fmt(open_net(uow.repo, stored, lookups)),
                        "credit_note_for": stored.credit_note_for})
        return out


def _stored(uow: UnitOfWork, tenant_name: str | None, number: str
            ) -> tuple[StoredDocument, SellerProfile]:
    owner = tenant(uow.repo, tenant_name)
    stored = DocumentStore(connection(uow.repo)).document(owner.id, number)
    if stored is None:
        raise UnknownDocument(f"tenant {owner.name!r} has no document {number!r}",
                              field="NUMBER")
    return stored, profile_of(uow.repo, tenant_name)


def show(uow: UnitOfWork, tenant_name: str | None, number: str) -> Document:
    with uow:
        stored, profile = _stored(uow, tenant_name, number)
        return build(uow.repo, stored, profile)


def _file(uow: UnitOfWork, tenant_name: str | None, number: str, fmt_: str) -> bytes:
    with uow:
        stored, profile = _stored(uow, tenant_name, number)
        docs = DocumentStore(connection(uow.repo))
        found = docs.file(stored.id, fmt_)
        if found is not None:
            return found
        doc = build(uow.repo, stored, profile)
        pdf = docs.file(stored.id, "pdf")
        if pdf is None:
            pdf = render(doc, profile.logo)
            docs.add_file(stored.id, "pdf", "application/pdf", pdf)
        if fmt_ == "pdf":
            uow.commit()
            return pdf
        try:
            ubl = write(_with_pdf(doc, pdf))
        except DocumentError as exc:
            raise TermlineError(f"{number}: {exc}") from None
        docs.add_file(stored.id, "ubl", "application/xml", ubl)
        uow.commit()
        return ubl


def _with_pdf(doc: Document, pdf: bytes) -> Document:
    from dataclasses import replace

    return replace(doc, attachments=((f"{doc.number}.pdf", "application/pdf", pdf),))


def ubl(uow: UnitOfWork, tenant_name: str | None, number: str) -> bytes:
    return _file(uow, tenant_name, number, "ubl")


def pdf(uow: UnitOfWork, tenant_name: str | None, number: str) -> bytes:
    return _file(uow, tenant_name, number, "pdf")
