"""`termline sepa collect|returns`: the direct debits due on a day for contracts paying by
mandate (a pain.008 file), and failed collections turned into `payment_failed` events."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from stdnum import iban as stdnum_iban
from stdnum.exceptions import ValidationError

from termline.adapters.bank import target2
from termline.adapters.bank.camt import Returned
from termline.adapters.bank.pain008 import (
    Collection,
    Creditor,
    Return,
    Transfer,
    pain001,
    pain008,
)
from termline.adapters.sql.document_store import DocumentStore
from termline.adapters.sql.repository import StoredContract, Tenant
from termline.adapters.sql.sql_rows import connection
from termline.app.documents import Lookups, build, open_net, profile_of
from termline.app.intake import event_key, tenant
from termline.app.ports import UnitOfWork
from termline.domain.contract.model import (
    CreditRefund,
    EventBase,
    PaymentFailed,
    PaymentReturned,
)
from termline.domain.errors import InputError, TermlineError


def collect(uow: UnitOfWork, on: date, tenant_name: str | None, now: datetime) -> bytes:
    """The pain.008 of every open invoice collected on `on` whose contract has a mandate: its
    due date, not before the pre-notification has run, on a TARGET2 business day
    (`bank.target2`). The first collection of a contract is FRST, later ones RCUR. Refused: a
    day TARGET2 is closed (naming the business day its collections go on) and a day whose
    file should have been sent already (naming that last day and the earliest date now)."""
    if not target2.is_business_day(on):
        raise InputError(f"{on} is not a TARGET2 business day: what falls due then is "
                         f"collected on {target2.on_or_after(on)}", field="--on")
    with uow:
        owner = tenant(uow.repo, tenant_name)
        today = now.astimezone(ZoneInfo(owner.timezone)).date()
        deadline = target2.submission_deadline(on)
        if deadline < today:
            raise InputError(f"{on} has passed for a collection: its file had to be sent by "
                             f"{deadline}, the last possible date (SEPA Core: one TARGET2 "
                             f"business day before); the earliest collection date now is "
                             f"{target2.earliest_collection(today)}", field="--on")
        profile = profile_of(uow.repo, tenant_name)
        if profile.creditor_id is None or profile.bic is None:
            raise TermlineError(f"tenant {owner.name!r}: the profile needs creditor_id and bic "
                                "to collect direct debits")
        stored_contracts = {c.contract.id: c for c in uow.repo.contracts(owner.id)}
        docs = DocumentStore(connection(uow.repo))
        collections = []
        lookups = Lookups()
        earlier: set[str] = set()
        notice: dict[int, int] = {}
        for stored in sorted(docs.documents(owner.id), key=lambda d: (d.due, d.number)):
            sc = stored_contracts[stored.contract_ref]
            contract = sc.contract
            if stored.kind != "invoice" or contract.mandate is None:
                continue
            if sc.policy_version_id not in notice:
                notice[sc.policy_version_id] = prenotice_days(uow, sc)
            day = target2.collection_date(stored.due, stored.issued,
                                          notice[sc.policy_version_id])
            if day < on:
                earlier.add(stored.contract_ref)
                continue
            if day != on:
                continue
            remaining = open_net(uow.repo, stored)
            if remaining <= 0:
                continue
            doc = build(uow.repo, stored, profile, lookups)
            mandate = contract.mandate
            collections.append(Collection(
                end_to_end=stored.number, debtor=contract.customer.name, iban=mandate.iban,
                bic=mandate.bic, amount=remaining, mandate_id=mandate.id,
                mandate_signed=mandate.signed,
                sequence="RCUR" if stored.contract_ref in earlier else "FRST",
                remittance=f"{stored.number} {doc.payment.reference}"))
            earlier.add(stored.contract_ref)
        creditor = Creditor(profile.legal_name, profile.iban, profile.bic, profile.creditor_id)
    return pain008(creditor, on, collections, now)


def refund(uow: UnitOfWork, contract_ref: str, amount: Decimal | None, on: date,
           iban: str | None, tenant_name: str | None, now: datetime) -> tuple[bytes, Decimal]:
    """A credit transfer (pain.001.001.03) paying back the contract's credit balance (or
    `amount` of it) on `on`, to `iban` or the mandate's account, and the `credit_refund`
    event that takes it off the credit, in one transaction. The credit is the one of the
    tenant's last run; `on` is a TARGET2 business day, today or later."""
    if not target2.is_business_day(on):
        raise InputError(f"{on} is not a TARGET2 business day: the next one is "
                         f"{target2.on_or_after(on)}", field="--on")
    with uow:
        owner = tenant(uow.repo, tenant_name)
        today = now.astimezone(ZoneInfo(owner.timezone)).date()
        if on < today:
            raise InputError(f"{on} has passed: the earliest execution date is "
                             f"{target2.on_or_after(today)}", field="--on")
        found = uow.repo.contracts(owner.id, contract_ref)
        if not found:
            raise InputError(f"no contract {contract_ref!r}", field="CONTRACT")
        sc = found[0]
        credit = uow.repo.run_state(sc.id).state.credit
        amount = credit if amount is None else amount
        if amount <= 0 or amount > credit:
            raise InputError(f"contract {contract_ref} holds a credit of {credit:.2f}: a "
                             f"refund of {amount:.2f} is not possible", field="--amount")
        mandate = sc.contract.mandate
        if iban is not None:
            try:
                iban = stdnum_iban.compact(stdnum_iban.validate(iban))
            except ValidationError as exc:
                raise InputError(f"not an IBAN: {iban!r} ({exc})", field="--iban") from None
        account = iban or (mandate.iban if mandate else None)
        if account is None:
            raise InputError(f"contract {contract_ref} has no mandate: give the account to "
                             "refund to", field="--iban")
        profile = profile_of(uow.repo, tenant_name)
        reference = f"REFUND-{contract_ref}-{on:%Y%m%d}-{amount:.2f}"
        event = CreditRefund(type="credit_refund", date=on, contract=contract_ref,
                             amount=amount, reference=reference)
        if uow.repo.add_event(owner.id, sc.id, event, event_key(event, None, 0)) is None:
            raise InputError(f"this refund ({reference}) is already stored", field="--amount")
        uow.repo.note_event(owner.id, sc.id, on)
        data = pain001(Creditor(profile.legal_name, profile.iban, profile.bic or "NOTPROVIDED",
                                profile.creditor_id or ""), on,
                       [Transfer(reference[:35], sc.contract.customer.name, account,
                                 mandate.bic if mandate and not iban else None, amount,
                                 f"Refund of credit, contract {contract_ref}")], now)
        uow.commit()
    return data, amount


def prenotice_days(uow: UnitOfWork, contract: StoredContract) -> int:
    """The pre-notification the contract's terms set for a direct debit (14 days unless they
    set less: the policy's payment.direct_debit_prenotice)."""
    policy = uow.repo.policy(contract.policy_version_id)
    return int(policy.payment.direct_debit_prenotice)


def returns(uow: UnitOfWork, found: Sequence[Return], tenant_name: str | None, source: str
            ) -> tuple[int, int]:
    """Store the returns read from a file (pain.002, CSV): (added, already stored)."""
    with uow:
        owner = tenant(uow.repo, tenant_name)
        outcomes = store_returns(uow, owner, found, source, strict=True)
        uow.commit()
    return outcomes.count("stored"), outcomes.count("already")


def _returned_payment(uow: UnitOfWork, owner_id: int, number: str, amount: Decimal | None
                      ) -> str | None:
    """The reference of the bank payment of invoice `number` a return gives back: the latest
    one not returned yet (of the returned amount, when the bank gives it)."""
    for paid in reversed(uow.bank.bank_payments_of(owner_id, number)):
        if amount is not None and paid.amount != amount:
            continue
        reference = json.loads(paid.payload).get("reference")
        if reference is None:
            continue
        key = event_key(_returned(number, paid.booked, reference, ""), None, 0)
        if uow.repo.event_key_payload(owner_id, key) is None:
            return str(reference)
    return None


def _returned(contract: str, day: date, payment: str, reason: str) -> PaymentReturned:
    return PaymentReturned(type="payment_returned", date=day, contract=contract,
                           payment=payment, reason=reason or None,
                           reference=f"{payment}@returned")


def store_returns(uow: UnitOfWork, owner: Tenant, found: Sequence[Return | Returned],
                  source: str, strict: bool) -> list[str]:
    """For each returned collection: a `payment_returned` event undoing the bank payment that
    paid its invoice (when one was imported: the invoice is open again), and a
    `payment_failed` event (a debit that could not be executed: ClientCom 5.2), dated the day
    of the return. References make both idempotent: the payment's reference @returned, and
    the invoice number @ the day. Per return: "stored", "already" (stored before) or
    "unknown" (no such invoice: an error when `strict`, as for a file of returns; a bank
    statement may also return debits another system collected)."""
    outcomes: list[str] = []
    docs = DocumentStore(connection(uow.repo))
    contracts = {c.contract.id: c for c in uow.repo.contracts(owner.id)}
    for ret in found:
        stored = docs.document(owner.id, ret.end_to_end)
        if stored is None and not strict:
            outcomes.append("unknown")
            continue
        if stored is None:
            raise InputError(f"no invoice {ret.end_to_end!r} for a returned collection",
                             source=source, line=getattr(ret, "line", None),
                             field="end_to_end_id")
        sc = contracts[stored.contract_ref]
        events: list[EventBase] = []
        payment = _returned_payment(uow, owner.id, ret.end_to_end,
                                    getattr(ret, "amount", None))
        if payment is not None:
            events.append(_returned(stored.contract_ref, ret.day, payment, ret.reason))
        events.append(PaymentFailed(type="payment_failed", date=ret.day,
                                    contract=stored.contract_ref,
                                    reference=f"{ret.end_to_end}@{ret.day.isoformat()}"))
        stored_any = False
        for event in events:
            if uow.repo.add_event(owner.id, sc.id, event, event_key(event, None, 0)) is not None:
                stored_any = True
        if not stored_any:
            outcomes.append("already")
            continue
        uow.repo.note_event(owner.id, sc.id, ret.day)
        outcomes.append("stored")
    return outcomes
