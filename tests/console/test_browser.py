"""The console in a real browser (Debian's Chromium through Playwright) on the seeded book of
`tests/console/seed.py`: SmartWeb contracts run to 2027-02-10.

Hand figures (SmartWeb's terms, the pack `smartweb`):
- nopay: 6 months in advance at 100.00/month (4.1) -> invoice SW2027-000001 of 600.00 net,
  750.00 with 25 % VAT, issued 2027-01-01, due 2027-01-09 (8 days, 4.2); reminders on 01-19
  and 01-29 at 14.00 each (4.2: 28.00 of fees); suspended 2027-02-06, 7 days after the second
  reminder (4.3). Issue 17: the open item is the invoice total, 750.00. On 2027-02-10 the
  750.00 is 32 days past due (bucket 31-60) and carries one month of 1.5 % interest on the
  amount due incl. VAT, 750.00 x 1.5 % = 11.25 (4.2): 750 + 28 + 11.25 = 789.25 owed.
- acme paid its invoice (SW2027-000002, 300.00 + 25 % VAT = 375.00) on 2027-01-10: nothing open.
- broken's stored payment of "twelve" cannot be read: the run set it aside on 2027-01-20.
- the unmatched credit CRED-77 of 1,000.00 (payments are gross, issue 17): assigned to
  SW2027-000001 it pays the 750.00, then the 28.00 of fees and the 11.25 of interest
  (payment.allocation), 210.75 stays as credit, and 4.3 reopens access.

The tests that change the book come last (assign, void and resume), each on its own contract.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from termline.adapters.sql.uow import SqlUnitOfWork
from termline.app.customer_links import link
from tests.console.conftest import Console, Session, axe_violations, open_session, shoot
from tests.console.seed import NOW

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _clean(session: Session, page_name: str) -> None:
    """No serious or critical axe-core violation, no console error, on the page shown."""
    assert axe_violations(session.page) == [], page_name
    assert session.errors == [], page_name


def _text(page: Any, selector: str = "main") -> str:
    return re.sub(r"\s+", " ", page.locator(selector).inner_text())


def test_sign_in_form_is_accessible_and_refuses_a_wrong_password(browser: Any,
                                                                 console: Console) -> None:
    session = open_session(browser, console, None)
    page = session.page
    page.goto("/console/")
    page.wait_for_url("**/console/signin")
    shoot(page, "signin")
    _clean(session, "signin")
    page.get_by_label("E-mail address").fill("finance@acme.example")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    assert "wrong e-mail address or password" in _text(page)
    cookies = {c["name"] for c in session.context.cookies()}
    assert "termline_session" not in cookies
    session.context.close()


def test_session_cookie_is_httponly_and_samesite_lax(as_finance: Session) -> None:
    cookie = next(c for c in as_finance.context.cookies() if c["name"] == "termline_session")
    assert (cookie["httpOnly"], cookie["sameSite"], cookie["secure"]) == (True, "Lax", False)


def test_book_counts_ages_and_charts_the_receivables(as_finance: Session) -> None:
    """4.2/4.3: nopay's 750.00 (600.00 + 25 % VAT) is 32 days late on 2027-02-10 (31-60), with
    28.00 of reminder fees and 750.00 x 1.5 % = 11.25 of interest: 789.25 owed; acme runs,
    nopay is suspended. January invoiced 750 + 375 + 14 + 14 = 1153.00, acme's 375.00 paid."""
    page = as_finance.page
    page.goto("/console/book")
    rows = page.locator("section", has=page.locator("#h-status")).locator("tbody tr")
    counts = {re.sub(r"\s+", " ", rows.nth(i).inner_text()) for i in range(rows.count())}
    assert {"active full 1", "active suspended 1"} <= counts
    aged = _text(page, "section:has(#h-owed) tbody")
    assert aged == "0.00 0.00 750.00 0.00 0.00 28.00 11.25 789.25"
    assert page.get_by_role("img", name="Open principal by age in EUR").count() == 1
    months = _text(page, "section:has(#h-months) tbody")
    assert "2027-01 1153.00 375.00" in months  # 750 + 375 + 14 + 14 invoiced, 375 paid
    shoot(page, "book")
    _clean(as_finance, "book")


def test_contracts_are_searched_by_status_pack_customer_and_id(as_finance: Session) -> None:
    page = as_finance.page
    page.goto("/console/contracts")
    page.get_by_label("Status").select_option("active")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**status=active**")
    refs = page.locator("tbody tr td:first-child").all_inner_texts()
    assert refs == ["acme", "nopay"]
    assert "⚠ suspended" in _text(page, "tbody tr:nth-child(2)")
    page.goto("/console/contracts?customer=Nop&pack=smartweb")
    assert page.locator("tbody tr td:first-child").all_inner_texts() == ["nopay"]
    page.goto("/console/contracts?ref=bro")
    assert "✖ set aside" in _text(page, "tbody")
    page.goto("/console/contracts")
    shoot(page, "contracts")
    _clean(as_finance, "contracts")


def test_contract_page_shows_the_timeline_with_clause_texts_documents_and_deadlines(
        as_finance: Session) -> None:
    """The suspension of 2027-02-06 cites 4.3, whose text (the pack's coverage row) shows on
    hover; the open invoice is 600.00 net, 750.00 with VAT, all of it open (issue 17)."""
    page = as_finance.page
    page.goto("/console/contracts/nopay")
    suspended = page.locator("section:has(#h-timeline) tr", has_text="access suspended")
    assert suspended.locator("td").first.inner_text() == "2027-02-06"
    clause = suspended.locator(".clause", has_text="4.3")
    clause.hover()
    tip = clause.locator(".tip")
    assert tip.is_visible()
    assert tip.inner_text().startswith(
        "Suspension 7 days after the second reminder; no refund; reopen on payment")
    docs = _text(page, "section:has(#h-docs) tbody")
    assert "SW2027-000001 invoice 2027-01-01 2027-01-09 750.00 EUR 750.00 ● open" in docs
    items = _text(page, "section:has(#h-open) tbody")
    assert "nopay-0001 invoice 2027-01-01 2027-01-09 750.00 750.00" in items
    assert "⚠ suspended" in _text(page, ".facts")
    shoot(page, "contract")
    _clean(as_finance, "contract")


def test_what_if_payment_restores_access_and_stores_nothing(as_finance: Session,
                                                            console: Console) -> None:
    """4.3: a payment of 800.00 on 2027-02-10 pays principal, fees and interest (750.00 +
    28.00 + 11.25 = 789.25): access is
    restored that day. The simulation is not stored: the event log keeps its length."""
    page = as_finance.page
    page.goto("/console/contracts/nopay")
    before = page.locator("section:has(#h-events) tbody tr").count()
    page.get_by_label("Event", exact=True).select_option("payment")
    page.get_by_label("On", exact=True).fill("2027-02-10")
    page.get_by_label("Amount (payment)").fill("800.00")
    page.get_by_label("Simulate until").fill("2027-02-11")
    page.get_by_role("button", name="Simulate").click()
    result = page.locator("#whatif-result")
    result.get_by_text("Actions the event would add").wait_for()
    added = _text(page, "#whatif-result table:first-of-type tbody")
    assert "2027-02-10 access restored" in added
    assert "status active, access full" in _text(page, "#whatif-result h3")
    page.reload()
    assert page.locator("section:has(#h-events) tbody tr").count() == before
    assert "⚠ suspended" in _text(page, ".facts")
    _clean(as_finance, "what-if")


def test_invoices_filter_totals_csv_and_the_document_page(as_finance: Session,
                                                          console: Console) -> None:
    """Open: SW2027-000001 (600.00 + 25 % VAT = 750.00, issue 17) and the two reminder fee
    invoices (14.00 each, no VAT): 778.00."""
    page = as_finance.page
    page.goto("/console/invoices?status=open")
    assert _text(page, "table.totals tbody") == "EUR 3 778.00"
    assert page.locator("table:not(.totals) tbody tr td:first-child").all_inner_texts() == [
        "SW2027-000004", "SW2027-000003", "SW2027-000001"]
    with page.expect_download() as got:
        page.get_by_role("link", name="Export these as CSV").click()
    csv_text = Path(got.value.path()).read_text("utf-8")
    assert csv_text.splitlines()[0].startswith(
        "number,kind,contract,customer,issued,due,total,open")
    assert "SW2027-000001,invoice,nopay,Nopay ApS,2027-01-01,2027-01-09,750.00,750.00,EUR,open" \
        in csv_text
    assert len(csv_text.splitlines()) == 4
    shoot(page, "invoices")
    _clean(as_finance, "invoices")
    page.goto("/console/documents/SW2027-000001")
    assert "Net 600.00 + VAT 150.00 = 750.00 EUR" in _text(page)
    assert page.locator("iframe.pdf").get_attribute("src") == \
        "/console/documents/SW2027-000001/pdf"
    pdf = page.request.get("/console/documents/SW2027-000001/pdf")
    assert pdf.headers["content-type"] == "application/pdf" and pdf.body()[:5] == b"%PDF-"
    ubl = page.request.get("/console/documents/SW2027-000001/ubl")
    assert b"<cbc:ID>SW2027-000001</cbc:ID>" in ubl.body()
    shoot(page, "document")
    _clean(as_finance, "document")


def test_work_queues_list_the_set_aside_contract_the_credit_and_the_failed_email(
        as_finance: Session) -> None:
    page = as_finance.page
    page.goto("/console/queues")
    aside = _text(page, "section:has(#h-aside)")
    assert "broken · Broken ApS" in aside and "Failing day 2027-01-20" in aside
    # the event's error as the intake's bounds word it (issue 18: amounts as ASCII digits)
    assert "'twelve' is not an amount written as digits 0-9" in aside
    credit = _text(page, "section:has(#h-credits)")
    assert "1000.00 EUR booked 2027-02-10 from N. Payer" in credit
    assert "SW2027-000001 · nopay · Nopay ApS · due 2027-01-09 · 750.00 open" in credit
    failed = _text(page, "section:has(#h-deliveries) tbody")
    assert "email" in failed and "invoice_issued ap@nopay.example" in failed
    assert page.get_by_role("button", name=re.compile("^Retry eml_")).count() == 1
    shoot(page, "queues")
    _clean(as_finance, "queues")


def test_viewer_is_refused_every_change(browser: Any, console: Console) -> None:
    session = open_session(browser, console, "viewer")
    page = session.page
    page.goto("/console/queues")
    _clean(session, "queues as viewer")
    assert page.get_by_role("button", name=re.compile("^Void event")).count() == 0
    assert page.get_by_role("button", name=re.compile("^Assign credit")).count() == 0
    csrf = page.locator("input[name=csrf]").first.get_attribute("value")
    refused = page.request.post("/console/events/2/void",
                                form={"csrf": csrf, "reason": "viewer tries", "back": "broken"})
    assert refused.status == 403 and "needs finance" in refused.text()
    refused = page.request.post("/console/credits/assign",
                                form={"csrf": csrf, "entry": "CRED-77",
                                      "number": "SW2027-000001"})
    assert refused.status == 403
    answer = page.goto("/console/admin")
    assert answer is not None and answer.status == 403
    assert "Refused" in _text(page, "h1")
    assert axe_violations(page) == []
    session.context.close()


def test_a_change_without_the_csrf_token_is_refused(as_finance: Session) -> None:
    page = as_finance.page
    refused = page.request.post("/console/events/2/void",
                                form={"reason": "forged", "back": "broken"})
    assert refused.status == 403 and "form has expired" in refused.text()


def test_tenant_b_user_is_refused_tenant_a_pages(browser: Any, console: Console) -> None:
    session = open_session(browser, console, "other")
    page = session.page
    for path in ("/console/contracts/nopay", "/console/documents/SW2027-000001",
                 "/console/documents/SW2027-000001/pdf", "/console/documents/SW2027-000001/ubl"):
        answer = page.goto(path)
        assert answer is not None and answer.status == 404, path
    for path in ("/console/book", "/console/contracts", "/console/queues", "/console/invoices",
                 "/console/invoices.csv"):
        body = page.request.get(path).text()
        assert "nopay" not in body and "Acme" not in body and "CRED-77" not in body, path
    page.goto("/console/contracts")
    assert page.locator("tbody tr td:first-child").all_inner_texts() == ["beta"]
    refused = page.request.post("/console/credits/assign", form={
        "csrf": page.locator("input[name=csrf]").first.get_attribute("value"),
        "entry": "CRED-77", "number": "SW2027-000001"})
    assert refused.status == 404
    session.context.close()


def test_admin_page_lists_users_and_creates_a_key(browser: Any, console: Console) -> None:
    session = open_session(browser, console, "admin")
    page = session.page
    page.goto("/console/admin")
    users = _text(page, "section:has(#h-users) tbody")
    assert "viewer@acme.example viewer" in users and "other.example" not in users
    page.get_by_label("Scope").select_option("read")
    page.get_by_role("button", name="Create key").click()
    assert re.search(r"New API key \(shown this once, keep it now\): tl_[0-9a-f]{16}_",
                     _text(page))
    _clean(session, "admin")
    session.context.close()


def test_admin_adds_a_webhook_endpoint_and_a_private_address_is_refused(
        browser: Any, console: Console) -> None:
    """Issue 20: the webhook page adds an endpoint through `add_endpoint`: a private address
    is refused naming the rule, a public one is added with its secret shown once, and can be
    disabled; the page is keyboard-labelled and axe-clean."""
    session = open_session(browser, console, "admin")
    page = session.page
    page.goto("/console/webhooks")
    page.get_by_label("URL (https, a public address)").fill("https://192.168.1.20/hook")
    page.get_by_role("button", name="Add endpoint").click()
    assert "192.168.1.20 is a private address: only public addresses are called" in \
        _text(page)
    assert session.errors == [
        "Failed to load resource: the server responded with a status of 422 "
        "(Unprocessable Entity)"]  # the refusal's status, logged by the browser
    session.errors.clear()
    page.goto("/console/webhooks")
    page.get_by_label("URL (https, a public address)").fill("https://93.184.216.34/hook")
    page.get_by_label("Action kinds (comma-separated, * for all)").fill("invoice_issued")
    page.get_by_role("button", name="Add endpoint").click()
    found = re.search(r"Endpoint (we_[0-9]+) added\. Its signing secret \(shown this once, "
                      r"keep it now\): whsec_", _text(page))
    assert found is not None
    shoot(page, "webhooks")
    _clean(session, "webhooks")
    page.get_by_role("button", name=f"Disable {found.group(1)}").click()
    page.wait_for_url("**/console/webhooks")
    assert "State: disabled since 2027-02-10" in _text(page)
    page.get_by_role("button", name=f"Delete {found.group(1)} and its delivery log").click()
    page.wait_for_url("**/console/webhooks")
    assert "93.184.216.34" not in _text(page)
    _clean(session, "webhooks")
    session.context.close()


def test_customer_page_through_its_link_and_refused_after_expiry(browser: Any,
                                                                 console: Console) -> None:
    """Acme's page in Danish: SmartWeb 14.1 lets it give notice until 2027-06-19 (before the
    next 6-monthly invoice of 2027-06-20, 4.1), its term ends 2027-07-03 (2.2)."""
    url = link(SqlUnitOfWork(console.engine), "acme-provider", "Acme ApS", 30, NOW,
               console.url)
    session = open_session(browser, console, None)
    page = session.page
    page.goto(url)
    assert page.locator("html").get_attribute("lang") == "da"
    body = _text(page)
    assert "Dine aftaler med acme-provider" in body
    assert "2027-06-19 Sidste dag for opsigelse 14.1" in body
    assert "2027-07-03 Periodens udløb 2.2" in body
    assert "SW2027-000002" in body and "nopay" not in body and "Nopay" not in body
    shoot(page, "customer")
    _clean(session, "customer")
    ics = page.request.get(url + "/deadlines.ics")
    assert ics.status == 200 and "DTSTART;VALUE=DATE:20270619" in ics.text()
    pdf = page.request.get(url + "/documents/SW2027-000002/pdf")
    assert pdf.status == 200 and pdf.body()[:5] == b"%PDF-"
    other = page.request.get(url + "/documents/SW2027-000001/pdf")  # nopay's invoice
    assert other.status == 403
    tampered = url[:-3] + ("AAA" if not url.endswith("AAA") else "BBB")
    assert page.request.get(tampered).status == 403
    expired = link(SqlUnitOfWork(console.engine), "acme-provider", "Acme ApS", 30,
                   NOW - timedelta(days=31), console.url)
    answer = page.goto(expired)
    assert answer is not None and answer.status == 403
    assert "expired" in _text(page)
    session.context.close()


# --- the tests below change the book ------------------------------------------------------

def test_assigning_the_bank_credit_pays_the_invoice_and_restores_the_contract(
        as_finance: Session) -> None:
    """CRED-77 (1,000.00, a gross payment, issue 17) assigned to SW2027-000001: the payment
    pays the 750.00, the fees and the interest (4.2); 4.3 restores access on 2027-02-10."""
    page = as_finance.page
    page.goto("/console/queues")
    page.get_by_label(re.compile("^SW2027-000001 · nopay")).check()
    page.get_by_role("button", name="Assign credit CRED-77").click()
    page.wait_for_url("**/console/contracts/nopay")
    docs = _text(page, "section:has(#h-docs) tbody")
    assert "SW2027-000001 invoice 2027-01-01 2027-01-09 750.00 EUR 0.00 ✔ paid" in docs
    restored = page.locator("section:has(#h-timeline) tr", has_text="access restored")
    assert restored.locator("td").first.inner_text() == "2027-02-10"
    assert "4.3" in restored.inner_text()
    facts = _text(page, ".facts")
    assert "Access full since 2027-02-10" in facts
    page.goto("/console/queues")
    assert "Every bank credit is matched" in _text(page, "section:has(#h-credits)")
    _clean(as_finance, "assigned")


def test_resume_then_void_the_unreadable_event_brings_the_set_aside_contract_back(
        as_finance: Session) -> None:
    page = as_finance.page
    page.goto("/console/queues")
    page.get_by_role("button", name="Resume broken").click()
    page.wait_for_url("**/console/contracts/broken")
    # resumed, the run meets the same unreadable event and sets it aside again
    assert "Set aside by the run" in _text(page)
    page.goto("/console/queues")
    page.get_by_label("Reason to void event 2").fill("amount was never a number")
    page.get_by_role("button", name="Void event 2").click()
    page.wait_for_url("**/console/contracts/broken")
    assert page.get_by_text("Set aside by the run").count() == 0
    assert "voided: amount was never a number" in _text(page, "section:has(#h-events)")
    assert "active" in _text(page, ".facts")
    page.goto("/console/queues")
    assert "No contract is set aside" in _text(page, "section:has(#h-aside)")
    _clean(as_finance, "voided")
