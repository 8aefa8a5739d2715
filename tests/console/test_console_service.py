"""The console's use cases and HTTP rules without a browser, on SQLite and PostgreSQL: users and
sign-in (argon2, the per-address limit), sessions and CSRF, the Secure cookie behind HTTPS,
tenant isolation on every page, the customer's link, the hand assignment of a bank credit
under concurrency, and the webhook pages (admin only changes, CSRF, tenant isolation)."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

import termline.domain.registry  # noqa: F401
from termline.adapters.sql import console_tables as ct
from termline.adapters.sql import tables as t
from termline.adapters.sql.db import make_engine, upgrade
from termline.adapters.sql.uow import SqlUnitOfWork
from termline.app import console_auth as auth
from termline.app import console_views as views
from termline.app import customer_links
from termline.app.run import run
from termline.domain.errors import InputError
from termline.entrypoints.api.app import create_app
from tests.console.seed import NOW, PASSWORD, TODAY, USERS, A, B, seed, uow_factory
from tests.store.conftest import db_url  # noqa: F401 - the fixture, on SQLite and PostgreSQL

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
TERMLINE = str(Path(sys.executable).parent / "termline")


@pytest.fixture
def engine(db_url: str) -> Iterator[Any]:  # noqa: F811
    eng = make_engine(db_url)
    upgrade(eng)
    seed(eng)
    yield eng
    eng.dispose()


def _client(engine: Any, base: str = "http://testserver") -> TestClient:
    app = create_app(engine, lambda: NOW, wake=lambda: run(uow_factory(engine), TODAY))
    return TestClient(app, base_url=base)


def _sign_in(client: TestClient, who: str, password: str = PASSWORD) -> Any:
    form = client.get("/console/signin")
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert csrf is not None
    return client.post("/console/signin", data={"csrf": csrf.group(1), "email": USERS[who],
                                                "password": password},
                       follow_redirects=False)


def _csrf(client: TestClient, path: str = "/console/book") -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', client.get(path).text)
    assert found is not None
    return found.group(1)


def test_passwords_are_stored_as_argon2id_hashes_only(engine: Any) -> None:
    with engine.connect() as conn:
        hashes = list(conn.execute(select(ct.console_users.c.password_hash)).scalars())
    assert len(hashes) == 4 and all(h.startswith("$argon2id$") for h in hashes)
    assert all(PASSWORD not in h for h in hashes)


def test_a_user_is_refused_an_unknown_role_a_short_password_and_a_second_account(
        engine: Any) -> None:
    uow = uow_factory(engine)
    with pytest.raises(InputError, match="roles are viewer, finance, admin"):
        auth.add_user(uow(), A, "x@acme.example", "owner", PASSWORD, NOW)
    with pytest.raises(InputError, match="at least 12 characters"):
        auth.add_user(uow(), A, "x@acme.example", "viewer", "short", NOW)
    with pytest.raises(InputError, match="exists already"):
        auth.add_user(uow(), B, "Finance@Acme.example", "viewer", PASSWORD, NOW)


def test_sign_in_sets_an_httponly_lax_cookie_secure_behind_https(engine: Any) -> None:
    plain = _sign_in(_client(engine), "finance")
    assert plain.status_code == 303
    cookie = plain.headers["set-cookie"].lower()
    assert "termline_session=" in cookie and "httponly" in cookie and "samesite=lax" in cookie
    assert "secure" not in cookie
    https = _client(engine, "https://console.example")
    answer = _sign_in(https, "finance")
    assert answer.status_code == 303 and "secure" in answer.headers["set-cookie"].lower()


def test_sign_in_attempts_are_limited_per_address(engine: Any) -> None:
    """Five failures from one address in 15 minutes: the sixth attempt is refused before the
    password is checked, even with the right one; the attempts are recorded."""
    client = _client(engine)
    for _ in range(auth.MAX_FAILURES):
        assert _sign_in(client, "finance", "wrong password!").status_code == 401
    refused = _sign_in(client, "finance")
    assert refused.status_code == 429 and "too many failed sign-ins" in refused.text
    with engine.connect() as conn:
        rows = conn.execute(select(func.count()).select_from(ct.console_signin_attempts)
                            ).scalar_one()
    assert rows == auth.MAX_FAILURES
    later = auth.sign_in(uow_factory(engine)(), "testclient", USERS["finance"], PASSWORD,
                         NOW + auth.ATTEMPT_WINDOW + timedelta(seconds=1))
    assert later[1].role == "finance"


def test_sessions_are_stored_as_hashes_and_expire(engine: Any) -> None:
    token, user = auth.sign_in(uow_factory(engine)(), "10.0.0.1", USERS["viewer"], PASSWORD,
                               NOW)
    with engine.connect() as conn:
        stored = list(conn.execute(select(ct.console_sessions.c.token_hash)).scalars())
    assert token not in stored and auth.token_hash(token) in stored
    assert auth.session_user(uow_factory(engine)(), token, NOW) == user
    assert auth.session_user(uow_factory(engine)(), token,
                             NOW + auth.SESSION_LENGTH) is None


def test_every_form_needs_the_session_csrf_token(engine: Any) -> None:
    client = _client(engine)
    _sign_in(client, "finance")
    assert client.post("/console/contracts/broken/resume", data={}).status_code == 403
    assert client.post("/console/contracts/broken/resume",
                       data={"csrf": "x" * 43}).status_code == 403
    done = client.post("/console/contracts/broken/resume", data={"csrf": _csrf(client)},
                       follow_redirects=False)
    assert done.status_code == 303
    client.get("/console/signin")  # sets the sign-in form's token; the post leaves it out
    assert client.post("/console/signin", data={"email": USERS["finance"],
                                                "password": PASSWORD}).status_code == 403


PAGES = ("/console/book", "/console/contracts", "/console/contracts/beta", "/console/queues",
         "/console/invoices", "/console/invoices.csv", "/console/documents/OT2027-000001",
         "/console/documents/OT2027-000001/pdf", "/console/admin", "/console/webhooks")


def test_a_user_of_tenant_a_never_sees_tenant_b_on_any_page(engine: Any) -> None:
    client = _client(engine)
    _sign_in(client, "admin")
    for path in PAGES:
        answer = client.get(path)
        if "beta" in path or "OT2027" in path:  # the page echoes only the id it was asked
            assert answer.status_code == 404, path
        else:
            assert answer.status_code == 200, path
            assert "beta" not in answer.text and "OT2027" not in answer.text, path
        assert "Beta ApS" not in answer.text and "ap@beta.example" not in answer.text, path
        assert "finance@other.example" not in answer.text, path
    other = _client(engine)
    _sign_in(other, "other")
    for path in ("/console/contracts/nopay", "/console/documents/SW2027-000001",
                 "/console/documents/SW2027-000001/ubl"):
        assert other.get(path).status_code == 404, path
    csrf = _csrf(other)
    for path, data in (("/console/events/1/void", {"reason": "x", "back": "acme"}),
                       ("/console/contracts/acme/resume", {}),
                       ("/console/credits/assign", {"entry": "CRED-77",
                                                    "number": "SW2027-000001"})):
        answer = other.post(path, data={"csrf": csrf, **data})
        assert answer.status_code in (404, 422), path
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(t.event_voids)).scalar_one() == 0


def test_without_a_session_pages_go_to_sign_in_and_writes_are_refused(engine: Any) -> None:
    client = _client(engine)
    for path in PAGES:
        answer = client.get(path, follow_redirects=False)
        assert (answer.status_code, answer.headers["location"]) == (303, "/console/signin")
    assert client.post("/console/credits/assign", data={}).status_code == 401


def test_the_customer_link_shows_that_customer_only_and_expires(engine: Any) -> None:
    url = customer_links.link(uow_factory(engine)(), A, "Nopay ApS", 30, NOW, "http://x")
    path = url.removeprefix("http://x")
    with engine.connect() as conn:
        secret = conn.execute(select(ct.console_secrets.c.secret)).scalar_one()
    assert secret not in url  # the link carries an HMAC of the grant, never the secret
    client = _client(engine)
    page = client.get(path)
    assert page.status_code == 200
    assert "Nopay ApS" in page.text and "Acme ApS" not in page.text
    assert "SW2027-000002" not in page.text  # acme's invoice
    assert client.get(path + "/documents/SW2027-000002/pdf").status_code == 403
    grant = customer_links.verify(uow_factory(engine)(), path.rsplit("/", 1)[1], NOW)
    assert grant.expires == NOW + timedelta(days=30)
    with pytest.raises(customer_links.BadLink, match="expired"):
        customer_links.verify(uow_factory(engine)(), path.rsplit("/", 1)[1],
                              NOW + timedelta(days=30))
    with pytest.raises(InputError, match="no customer named"):
        customer_links.link(uow_factory(engine)(), B, "Nopay ApS", 30, NOW, "http://x")


def test_cli_user_add_reads_the_password_from_stdin_and_link_names_the_customer(
        db_url: str) -> None:  # noqa: F811
    env = {"TERMLINE_DATABASE_URL": db_url, "PATH": "/usr/bin:/bin"}

    def cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run([TERMLINE, *args], input=stdin, capture_output=True, text=True,
                              env=env, timeout=60, check=False)

    assert cli("db", "upgrade").returncode == 0
    assert cli("tenant", "add", "t1").returncode == 0
    added = cli("user", "add", "ops@t1.example", "--tenant", "t1", "--role", "finance",
                "--password-stdin", stdin=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    assert PASSWORD not in added.stdout + added.stderr
    refused = cli("user", "add", "ops2@t1.example", "--tenant", "t1", "--role", "finance")
    assert refused.returncode == 2 and "--password-stdin" in refused.stderr
    missing = cli("customer", "link", "Nobody", "--tenant", "t1")
    assert missing.returncode == 2 and "no customer named 'Nobody'" in missing.stderr
    engine = make_engine(db_url)
    with engine.connect() as conn:
        assert conn.execute(select(ct.console_users.c.role)).scalar_one() == "finance"
    engine.dispose()


def test_a_credit_assigned_twice_at_once_posts_one_payment(engine: Any) -> None:
    """Two finance users assign CRED-77 at the same moment: one payment event (its reference
    is the bank's entry reference), the credit matched once; the other is told."""
    results: list[Any] = []

    def assign() -> None:
        try:
            results.append(views.assign_credit(SqlUnitOfWork(engine), A, "CRED-77",
                                               "SW2027-000001"))
        except Exception as exc:
            results.append(exc)

    threads = [threading.Thread(target=assign) for _ in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    done = [r for r in results if isinstance(r, dict)]
    # the whole credit, gross as the engine's items (issue 17): nothing of it is lost
    assert len(done) == 1 and done[0]["amount"] == "1000.00", results
    assert "matched already" in str(next(r for r in results if not isinstance(r, dict)))
    with engine.connect() as conn:
        payments = conn.execute(select(func.count()).select_from(t.events).where(
            t.events.c.type == "payment", t.events.c.natural_key.like("ref:%"))).scalar_one()
    assert payments == 2  # acme's BANK-1 and this one


def test_what_if_stores_nothing(engine: Any) -> None:
    with engine.connect() as conn:
        before = conn.execute(select(func.count()).select_from(t.events)).scalar_one()
    event = views.hypothetical({"type": "termination_notice", "date": "2027-02-10",
                                "by": "customer"}, "acme")
    result = views.what_if(SqlUnitOfWork(engine), A, "acme", [event], TODAY)
    assert result["status"] == "active"
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(t.events)).scalar_one() == before
    with pytest.raises(InputError, match="payment, a notice or a seat change"):
        views.hypothetical({"type": "objection", "date": "2027-02-10"}, "acme")


# --- webhooks (issue 20) -------------------------------------------------------------------

PUBLIC = "https://93.184.216.34/termline-hook"  # an address literal: nothing to resolve


def _hook_with_failed_delivery(engine: Any, tenant: str, answer: str) -> tuple[str, str]:
    """An endpoint of `tenant` (through `add_endpoint`) with one failed delivery whose last
    attempt answered `answer`: (endpoint id, delivery msg id)."""
    from termline.adapters.sql import service_tables as s
    from termline.app.webhook_endpoints import add_endpoint

    endpoint = add_endpoint(engine, tenant, PUBLIC, ["*"], None, NOW)
    with engine.begin() as conn:
        owner = conn.execute(select(t.tenants.c.id).where(t.tenants.c.name == tenant)
                             ).scalar_one()
        contract = conn.execute(select(t.contracts.c.id).where(
            t.contracts.c.tenant_id == owner).limit(1)).scalar_one()
        msg = f"msg_{tenant[:4]}" + "0" * 36
        delivery = conn.execute(s.webhook_deliveries.insert().values(
            tenant_id=owner, endpoint_id=int(endpoint.removeprefix("we_")),
            contract_id=contract, action_key="k", msg_id=msg, type="invoice_issued",
            data="{}", status="failed", attempts=8, next_attempt_at=NOW)
            .returning(s.webhook_deliveries.c.id)).scalar_one()
        conn.execute(s.webhook_attempts.insert().values(
            delivery_id=delivery, at=NOW, status_code=500, latency_ms=1234, response=answer))
    return endpoint, msg


def test_an_admin_adds_lists_disables_retries_and_deletes_a_webhook_endpoint(
        engine: Any) -> None:
    """Issue 20: the webhook page lists the endpoints with their recent deliveries (status,
    duration, at most 200 bytes of the answer, escaped); adding goes through `add_endpoint`
    with the CLI's and API's checks: a private address is refused naming the rule."""
    from termline.adapters.sql import service_tables as s

    answer = "<script>alert(1)</script>" + "é" * 200  # 26 + 400 bytes
    endpoint, msg = _hook_with_failed_delivery(engine, A, answer)
    client = _client(engine)
    _sign_in(client, "admin")
    page = client.get("/console/webhooks")
    assert page.status_code == 200
    assert PUBLIC in page.text and msg in page.text and "1234" in page.text
    assert "<script>alert(1)</script>" not in page.text
    # 26 bytes of the tag, then 87 two-byte characters: 200 bytes, cut on a character
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" + "é" * 87 + "</code>" in page.text
    csrf = _csrf(client, "/console/webhooks")
    refused = client.post("/console/webhooks", data={"csrf": csrf, "url": "https://10.1.2.3/x",
                                                     "events": "*"})
    assert refused.status_code == 422
    assert "10.1.2.3 is a private address: only public addresses are called" in refused.text
    bad_kind = client.post("/console/webhooks", data={"csrf": csrf, "url": PUBLIC,
                                                      "events": "invoice_isued"})
    assert bad_kind.status_code == 422 and "not an action kind" in bad_kind.text
    added = client.post("/console/webhooks", data={"csrf": csrf, "url": PUBLIC + "/2",
                                                   "events": "invoice_issued, payment_applied"})
    assert added.status_code == 200 and "whsec_" in added.text
    assert client.post(f"/console/webhooks/{endpoint}/disable", data={"csrf": csrf},
                       follow_redirects=False).status_code == 303
    assert client.post("/console/webhooks-retry", data={"csrf": csrf, "msg_id": msg},
                       follow_redirects=False).status_code == 303
    with engine.connect() as conn:
        e, d = s.webhook_endpoints.c, s.webhook_deliveries.c
        rows = conn.execute(select(e.url, e.events, e.enabled).order_by(e.id)).all()
        assert [(r.url, r.enabled) for r in rows] == [(PUBLIC, False), (PUBLIC + "/2", True)]
        assert rows[1].events == '["invoice_issued", "payment_applied"]'
        assert conn.execute(select(d.status).where(d.msg_id == msg)).scalar_one() == "pending"
    assert client.post(f"/console/webhooks/{endpoint}/delete", data={"csrf": csrf},
                       follow_redirects=False).status_code == 303
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(s.webhook_deliveries)
                            ).scalar_one() == 0
        assert conn.execute(select(func.count()).select_from(s.webhook_attempts)
                            ).scalar_one() == 0
        assert [r.url for r in conn.execute(select(s.webhook_endpoints.c.url))] == \
            [PUBLIC + "/2"]


def test_webhook_changes_need_admin_a_csrf_token_and_the_own_tenant(engine: Any) -> None:
    """A viewer or finance user sees the page without forms and is refused every change;
    a form without the session's token is refused; tenant B's admin neither sees nor
    changes tenant A's endpoint (404, like one that does not exist)."""
    from termline.adapters.sql import service_tables as s

    endpoint, msg = _hook_with_failed_delivery(engine, A, "down")
    for who in ("viewer", "finance"):
        client = _client(engine)
        _sign_in(client, who)
        page = client.get("/console/webhooks")
        assert page.status_code == 200 and PUBLIC in page.text
        assert 'action="/console/webhooks' not in page.text
        csrf = _csrf(client)
        for path, data in (("/console/webhooks", {"url": PUBLIC, "events": "*"}),
                           (f"/console/webhooks/{endpoint}/disable", {}),
                           (f"/console/webhooks/{endpoint}/delete", {}),
                           ("/console/webhooks-retry", {"msg_id": msg})):
            assert client.post(path, data={"csrf": csrf, **data}).status_code == 403, (who,
                                                                                       path)
    admin = _client(engine)
    _sign_in(admin, "admin")
    assert admin.post(f"/console/webhooks/{endpoint}/delete",
                      data={"csrf": "x" * 43}).status_code == 403
    with engine.begin() as conn:  # tenant B's user (finance in the seed) made an admin
        conn.execute(ct.console_users.update().where(
            ct.console_users.c.email == USERS["other"]).values(role="admin"))
    other = _client(engine)
    _sign_in(other, "other")
    page = other.get("/console/webhooks")
    assert page.status_code == 200
    assert PUBLIC not in page.text and msg not in page.text and endpoint not in page.text
    csrf = _csrf(other, "/console/webhooks")
    for path, data in ((f"/console/webhooks/{endpoint}/disable", {}),
                       (f"/console/webhooks/{endpoint}/delete", {}),
                       ("/console/webhooks-retry", {"msg_id": msg})):
        assert other.post(path, data={"csrf": csrf, **data}).status_code == 404, path
    with engine.connect() as conn:
        e, d = s.webhook_endpoints.c, s.webhook_deliveries.c
        assert conn.execute(select(e.enabled)).scalars().all() == [True]
        assert conn.execute(select(d.status)).scalars().all() == ["failed"]
