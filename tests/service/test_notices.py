"""The notices derived from actions (pure): which actions become e-mails and webhooks, and
every template in every language names the clauses and the terms URL."""

from __future__ import annotations

import json

import pytest

from termline.adapters.notify.derive import (
    EMAIL_KINDS,
    Endpoint,
    NewEntry,
    Recipient,
    TenantInfo,
    email_rows,
    recipient_language,
    tenant_info,
    webhook_rows,
)
from termline.adapters.notify.render import LANGUAGES, render
from termline.app.entitlement import entitlement

# Actions as the SmartWeb ledger has them (README tour, clauses 4.1-4.3, 9.1, 14.1, 15.1-15.2)
ACTIONS = {
    "invoice_issued": {"date": "2027-01-01", "kind": "invoice_issued", "contract": "c",
                       "clauses": ["4.1", "4.2"], "ref": "c-0001", "amount": "600.00",
                       "due_date": "2027-01-09", "period_start": "2027-01-01",
                       "period_end": "2027-06-30", "invoice_kind": "subscription",
                       "currency": "EUR"},
    "reminder_sent": {"date": "2027-01-19", "kind": "reminder_sent", "contract": "c",
                      "clauses": ["4.2"], "ref": "c-0001", "number": 1, "fee": "14.00",
                      "currency": "EUR"},
    "access_suspended": {"date": "2027-02-06", "kind": "access_suspended", "contract": "c",
                         "clauses": ["4.3"], "ref": "c-0001"},
    "access_restored": {"date": "2027-02-08", "kind": "access_restored", "contract": "c",
                        "clauses": ["4.3"]},
    "breach_notice_sent": {"date": "2027-02-09", "kind": "breach_notice_sent",
                           "contract": "c", "clauses": ["15.1", "15.2"], "ref": "c-0001",
                           "remedy_until": "2027-02-19"},
    "contract_terminated": {"date": "2027-06-30", "kind": "contract_terminated",
                            "contract": "c", "clauses": ["14.1", "4.3"],
                            "effective_date": "2027-06-30", "reason": "notice",
                            "export_until": "2027-08-29"},
    "change_announced": {"date": "2027-02-01", "kind": "change_announced", "contract": "c",
                         "clauses": ["3.2"], "ref": "x", "change": "price",
                         "item": "SmartWeb Shop", "old_price": "100.00",
                         "new_price": "110.00", "effective_date": "2027-07-01"},
    "data_deletion_scheduled": {"date": "2027-06-30", "kind": "data_deletion_scheduled",
                                "contract": "c", "clauses": ["9.1"],
                                "delete_on": "2027-08-30"},
}
TENANT = TenantInfo("Provider", "https://provider.example/terms")


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", EMAIL_KINDS)
def test_every_notice_renders_in_every_language_with_its_clauses_and_terms(
        kind: str, language: str) -> None:
    action = ACTIONS[kind]
    entry = NewEntry(1, 7, f"{kind}|1", kind, json.dumps(action))
    (row,) = email_rows([entry], {7: Recipient("c", "Cust", "c@example.com", language)},
                        {1: TENANT})
    assert row["subject"] and "{{" not in row["subject"] + row["body"]
    assert ", ".join(action["clauses"]) in row["body"]
    assert "https://provider.example/terms" in row["body"]
    for key in ("due_date", "remedy_until", "export_until", "delete_on", "fee"):
        if key in action:
            assert action[key] in row["body"], (kind, language, key)


def test_no_address_no_email_and_webhooks_only_to_endpoints_that_want_the_kind() -> None:
    entries = [NewEntry(1, 7, "k1", "access_suspended", json.dumps(ACTIONS["access_suspended"])),
               NewEntry(1, 7, "k2", "payment_applied", "{}"),
               NewEntry(2, 9, "k3", "access_suspended", "{}")]
    assert email_rows(entries, {7: Recipient("c", "Cust", None, "en")}, {1: TENANT}) == []
    rows = webhook_rows(entries, [Endpoint(1, 1, ("access_suspended",)), Endpoint(2, 1, ("*",))])
    assert [(r["endpoint_id"], r["action_key"]) for r in rows] == [(1, "k1"), (2, "k1"),
                                                                  (2, "k2")]
    again = webhook_rows(entries, [Endpoint(1, 1, ("access_suspended",))])
    assert again[0]["msg_id"] == rows[0]["msg_id"]  # the webhook-id is the action's, stable


def test_entitlement_follows_the_action_that_set_the_access() -> None:
    """4.3: suspended from the suspension, full again from the restoration; after a
    termination with an export window (9.1) export only from the day after the last day, none
    from the day after the window."""
    ledger = [ACTIONS["access_suspended"], ACTIONS["access_restored"],
              ACTIONS["contract_terminated"]]
    assert entitlement("suspended", ledger[:1]).to_json() == {
        "access": "suspended", "since": "2027-02-06", "clauses": ["4.3"]}
    assert entitlement("full", ledger[:2]).to_json()["since"] == "2027-02-08"
    assert entitlement("export_only", ledger).to_json() == {
        "access": "export_only", "since": "2027-07-01", "clauses": ["14.1", "4.3"]}
    assert entitlement("none", ledger).to_json()["since"] == "2027-08-30"
    assert entitlement("none", []).to_json() == {"access": "none", "since": None,
                                                 "clauses": []}


def test_a_missing_language_falls_back_to_english() -> None:
    mail = render("access_restored", "sv", {"a": ACTIONS["access_restored"], "customer": "C",
                                            "contract": "c", "tenant": "P", "terms_url": "",
                                            "clauses": "4.3", "export_until": None})
    assert mail.subject == "Access restored: contract c"


def test_a_reminder_without_a_fee_says_nothing_of_a_fee() -> None:
    """A reminder step without a fee (e.g. SmartTrackers, ClientCom's first) writes "fee":
    "0.00" in the ledger; the e-mail then names no fee, in no language (issue 18: "a
    reminder fee of 0.00 EUR is charged")."""
    action = {**ACTIONS["reminder_sent"], "fee": "0.00"}
    for language in LANGUAGES:
        (row,) = email_rows([NewEntry(1, 7, "r|1", "reminder_sent", json.dumps(action))],
                            {7: Recipient("c", "Cust", "c@example.com", language)}, {1: TENANT})
        assert "0.00" not in row["body"], (language, row["body"])
    (fee,) = email_rows([NewEntry(1, 7, "r|1", "reminder_sent",
                                  json.dumps(ACTIONS["reminder_sent"]))],
                        {7: Recipient("c", "Cust", "c@example.com", "de")}, {1: TENANT})
    assert "Mahngebühr von 14.00 EUR" in fee["body"]


PROFILE = {"legal_name": "Provider NV", "street": "Kerkstraat 1", "city": "Gent",
           "postal_code": "9000", "country": "BE", "vat_number": "BE0403019261",
           "terms_url": "https://provider.example/voorwaarden", "language": "nl",
           "mail_from": "Provider Billing <billing@provider.example>"}


def test_every_email_is_signed_by_the_seller_and_sent_from_its_sender() -> None:
    """The tenant profile's legal name, address, VAT number and terms URL sign every e-mail
    (not the tenant's short name), and its `mail_from` is the e-mail's sender; without a
    profile the display name and the operator's sender."""
    info = tenant_info("prov", {"profile": PROFILE, "terms_url": "https://old.example/t"})
    assert info == TenantInfo("Provider NV", "https://provider.example/voorwaarden",
                              ("Kerkstraat 1", "9000 Gent", "BE"), "BE0403019261",
                              "Provider Billing <billing@provider.example>", "nl")
    for kind in EMAIL_KINDS:
        (row,) = email_rows([NewEntry(1, 7, "k", kind, json.dumps(ACTIONS[kind]))],
                            {7: Recipient("c", "Cust", "c@example.com", "fr")}, {1: info})
        assert row["body"].endswith("Provider NV\nKerkstraat 1\n9000 Gent\nBE\n"
                                    "TVA BE0403019261\n"), row["body"]
        assert "https://provider.example/voorwaarden" in row["body"]
        assert row["from_addr"] == "Provider Billing <billing@provider.example>"
    bare = tenant_info("prov", {"display_name": "Provider", "terms_url": "https://p.example"})
    assert (bare.name, bare.terms_url, bare.mail_from, bare.address) == (
        "Provider", "https://p.example", None, ())


def test_the_language_is_the_customers_then_the_stored_one_then_the_sellers() -> None:
    seller = tenant_info("prov", {"profile": PROFILE})
    assert recipient_language("de", "en", seller) == "de"
    assert recipient_language(None, "fr", seller) == "fr"
    assert recipient_language(None, None, seller) == "nl"
    assert recipient_language(None, None, TENANT) == "en"


@pytest.mark.parametrize("sender", ["billing@x.example\r\nBcc: a@b.example", "not-an-email",
                                    "a@b.example, c@d.example"])
def test_mail_from_refuses_what_is_not_one_address(sender: str) -> None:
    from pydantic import ValidationError

    from documents.conftest import PROFILE as SELLER
    from termline.adapters.documents.parties import SellerProfile

    with pytest.raises(ValidationError, match="mail_from"):
        SellerProfile.model_validate({**SELLER, "mail_from": sender})
