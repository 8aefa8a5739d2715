"""The console's use cases and HTTP rules without a browser, on SQLite and PostgreSQL: users and
sign-in (argon2, the per-address limit), sessions and CSRF, the Secure cookie behind HTTPS,
tenant isolation on every page, the customer's link, and the hand assignment of a bank credit
under concurrency."""

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
         "/console/documents/OT2027-000001/pdf", "/console/admin")


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
