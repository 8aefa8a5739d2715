"""No server-side request forgery (issue 18): a webhook URL reaches only public addresses.

Checked at creation (API and CLI, one function) and again before every attempt, after DNS
resolution, for every address family; the request goes to the checked address (a DNS answer
that changes in between cannot reach an internal one); https only unless the operator names a
host:port in TERMLINE_WEBHOOK_ALLOW; no redirects; the log keeps at most 200 bytes of an answer,
escaped, never markup."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from termline.adapters.notify.dispatch import EXCERPT, Dispatcher, MailSettings
from termline.adapters.notify.outbound import Allow, RefusedURL, check_url
from termline.adapters.sql import service_tables as s
from termline.adapters.sql.db import make_engine, upgrade
from termline.adapters.sql.uow import SqlUnitOfWork
from termline.app import intake
from termline.app import run as service
from termline.app.inputs import contract_policy
from termline.app.keys import create_key
from termline.app.webhook_endpoints import add_endpoint
from termline.domain.contract.model import Contract
from termline.entrypoints.api.app import create_app
from tests.service.conftest import TERMLINE, Receiver, free_port

NOW = datetime(2027, 1, 1, 9, tzinfo=UTC)

# one address per range that must never be called, by family
INTERNAL = {
    "IPv4 loopback": "127.0.0.1", "IPv4 loopback, other": "127.8.9.10",
    "IPv4 private 10/8": "10.0.0.7", "IPv4 private 172.16/12": "172.16.5.4",
    "IPv4 private 192.168/16": "192.168.1.1", "IPv4 link-local (cloud metadata)":
    "169.254.169.254", "IPv4 multicast": "224.0.0.1", "IPv4 reserved": "240.0.0.1",
    "IPv4 unspecified": "0.0.0.0", "IPv4 shared 100.64/10": "100.64.0.1",
    "IPv4 broadcast": "255.255.255.255", "IPv6 loopback": "::1",
    "IPv6 unspecified": "::", "IPv6 unique-local (AWS metadata)": "fd00:ec2::254",
    "IPv6 link-local": "fe80::1", "IPv6 multicast": "ff02::1",
    "IPv6 site-local": "fec0::1", "IPv4-mapped loopback": "::ffff:127.0.0.1",
    "IPv4-mapped private": "::ffff:10.0.0.1", "NAT64 of a private address": "64:ff9b::a00:1",
    "6to4 of loopback": "2002:7f00:1::1", "IPv6 documentation": "2001:db8::1",
}


@pytest.mark.parametrize("family", sorted(INTERNAL))
def test_an_internal_address_is_refused_by_family(family: str) -> None:
    address = INTERNAL[family]
    host = f"[{address}]" if ":" in address else address
    with pytest.raises(RefusedURL, match="only public addresses"):
        check_url(f"https://{host}/hooks")


@pytest.mark.parametrize("name", ["localhost", "metadata.google.internal", "ip6-localhost"])
def test_a_name_that_resolves_to_an_internal_address_or_not_at_all_is_refused(
        name: str) -> None:
    with pytest.raises(RefusedURL, match=r"only public addresses|does not resolve"):
        check_url(f"https://{name}/hooks")


def test_a_name_is_refused_when_any_of_its_addresses_is_internal() -> None:
    """A host answering a public and a private address could be reached at either."""
    with pytest.raises(RefusedURL, match=r"10\.1\.2\.3, a private"):
        check_url("https://mixed.example/h", resolve=lambda h, p: ["93.184.216.34", "10.1.2.3"])


def test_public_addresses_pass_and_the_url_is_normalised() -> None:
    v4 = check_url("HTTPS://Hooks.Example:8443/a?b=1#frag",
                   resolve=lambda h, p: ["93.184.216.34"])
    assert (v4.url, v4.host, v4.port, v4.address) == (
        "https://hooks.example:8443/a?b=1", "hooks.example", 8443, "93.184.216.34")
    assert v4.connect_url == "https://93.184.216.34:8443/a?b=1"
    assert v4.host_header == "hooks.example:8443"
    v6 = check_url("https://[2606:4700:4700::1111]/")
    assert v6.address == "2606:4700:4700::1111" and v6.connect_url == \
        "https://[2606:4700:4700::1111]:443/"


@pytest.mark.parametrize("url, reason", [
    ("http://93.184.216.34/h", "plain http"),
    ("javascript:alert(1)", "only https"),
    ("file:///etc/passwd", "only https"),
    ("ftp://example.com/", "only https"),
    ("https://user:pw@example.com/", "credentials"),
    ("https://example.com/h\r\nX-Evil: 1", "control character"),
    ("https://example.com/\x00", "control character"),
    ("https://exa mple.com/", "space"),
    ("https:///nohost", "no host"),
    ("https://example.com:99999/", "does not parse"),
    ("https://" + "a" * 2000 + ".com/", "1 to 2000"),
])
def test_malformed_or_unsafe_urls_are_refused(url: str, reason: str) -> None:
    with pytest.raises(RefusedURL, match=reason):
        check_url(url, resolve=lambda h, p: ["93.184.216.34"])


def test_the_operators_allow_list_admits_http_and_a_loopback_host_port_only() -> None:
    allow = Allow.parse("127.0.0.1:8099, localhost:8100")
    assert check_url("http://127.0.0.1:8099/h", allow).address == "127.0.0.1"
    assert check_url("http://localhost:8100/h", allow).address in ("127.0.0.1", "::1")
    with pytest.raises(RefusedURL):  # another port of the same host
        check_url("http://127.0.0.1:8098/h", allow)
    with pytest.raises(RefusedURL):
        check_url("https://127.0.0.1:8098/h", allow)


# --- at the door: the API and the CLI refuse, and store nothing ----------------------------
@pytest.fixture
def api(tmp_path: Path) -> Iterator[tuple[TestClient, Any]]:
    engine = make_engine(f"sqlite:///{tmp_path / 't.db'}")
    upgrade(engine)
    intake.add_tenant(SqlUnitOfWork(engine), "p")
    key = create_key(engine, "p", ("write",), NOW).key
    client = TestClient(create_app(engine, lambda: NOW),
                        headers={"Authorization": f"Bearer {key}"})
    yield client, engine
    engine.dispose()


def _endpoints(engine: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(s.webhook_endpoints))
                   .scalar_one())


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:8080/admin", "http://localhost/", "https://169.254.169.254/latest",
    "https://[fd00:ec2::254]/", "https://10.0.0.1/", "https://192.168.0.1/",
    "https://metadata.google.internal/computeMetadata/v1/", "https://[::1]/",
    "https://[::ffff:127.0.0.1]/", "https://example.com/\r\nHost: evil",
])
def test_the_api_refuses_an_internal_webhook_url_with_a_problem_and_stores_nothing(
        api: tuple[TestClient, Any], url: str) -> None:
    client, engine = api
    answer = client.post("/v1/webhook_endpoints", json={"url": url, "events": ["*"]})
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["field"] == "url"
    assert _endpoints(engine) == 0


def test_the_cli_refuses_it_too(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    env = {**os.environ, "TERMLINE_DATABASE_URL": db}
    env.pop("TERMLINE_WEBHOOK_ALLOW", None)
    for args in (["db", "upgrade"], ["tenant", "add", "p"]):
        subprocess.run([TERMLINE, *args], env=env, check=True, capture_output=True)
    done = subprocess.run([TERMLINE, "webhook", "add", "--tenant", "p", "--url",
                           "https://169.254.169.254/", "--event", "*"], env=env,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 2 and "--url" in done.stderr and "link-local" in done.stderr
    typo = subprocess.run([TERMLINE, "webhook", "add", "--tenant", "p", "--url",
                           "https://93.184.216.34/", "--event", "invoice_isued"], env=env,
                          capture_output=True, text=True, check=False)
    assert typo.returncode == 2 and "invoice_isued" in typo.stderr
    engine = make_engine(db)
    assert _endpoints(engine) == 0
    engine.dispose()


# --- at every attempt ----------------------------------------------------------------------
CONTRACT = Contract.model_validate({
    "id": "c", "policy": "smartweb", "start": "2027-01-01",
    "customer": {"name": "C ApS", "email": "c@example.com"},
    "lines": [{"item": "SmartWeb Shop", "unit_price": "100.00"}]})


def _book(tmp_path: Path, url: str, allow: Allow) -> Any:
    engine = make_engine(f"sqlite:///{tmp_path / 'd.db'}")
    upgrade(engine)
    intake.add_tenant(SqlUnitOfWork(engine), "p")
    intake.add_contracts(SqlUnitOfWork(engine),
                         [(CONTRACT, contract_policy(CONTRACT, "test", None))], "p")
    add_endpoint(engine, "p", url, ["contract_started"], None, NOW, allow=allow)
    service.run(lambda: SqlUnitOfWork(engine), date(2027, 1, 1))
    return engine


def _attempts(engine: Any) -> list[Any]:
    with engine.connect() as conn:
        return list(conn.execute(select(s.webhook_attempts).order_by(s.webhook_attempts.c.id)))


def test_an_allowed_host_withdrawn_later_is_refused_at_the_attempt_and_never_called(
        tmp_path: Path, receiver: Receiver) -> None:
    engine = _book(tmp_path, receiver.url, Allow.parse(receiver.allow))
    dispatcher = Dispatcher(engine, lambda: NOW, MailSettings(None, tmp_path / "o"))
    assert dispatcher.deliver_due() == 1
    dispatcher.close()
    [attempt] = _attempts(engine)
    assert attempt.status_code is None and attempt.response.startswith("refused: plain http")
    assert receiver.got == []
    with engine.connect() as conn:  # an http URL never passes without the allow list
        assert conn.execute(select(s.webhook_deliveries.c.status)).scalar_one() == "failed"


def test_dns_rebinding_after_creation_is_refused_at_the_attempt(
        tmp_path: Path, receiver: Receiver) -> None:
    """The name resolved to a public address when the endpoint was created and to 127.0.0.1
    at delivery: the attempt is refused, the receiver gets nothing, the delivery retries."""
    port = int(receiver.allow.split(":")[1])
    answers = iter([["93.184.216.34"]])
    engine = make_engine(f"sqlite:///{tmp_path / 'd.db'}")
    upgrade(engine)
    intake.add_tenant(SqlUnitOfWork(engine), "p")
    intake.add_contracts(SqlUnitOfWork(engine),
                         [(CONTRACT, contract_policy(CONTRACT, "test", None))], "p")
    from termline.app.webhook_endpoints import create_endpoint
    with engine.begin() as conn:
        create_endpoint(conn, 1, f"https://rebind.example:{port}/hooks", ["*"], NOW, Allow(),
                        resolve=lambda h, p: next(answers))
    service.run(lambda: SqlUnitOfWork(engine), date(2027, 1, 1))
    dispatcher = Dispatcher(engine, lambda: NOW, MailSettings(None, tmp_path / "o"),
                            resolve=lambda h, p: ["127.0.0.1"])
    assert dispatcher.deliver_due() == 1
    dispatcher.close()
    [attempt] = _attempts(engine)
    assert "127.0.0.1, a loopback address" in attempt.response and receiver.got == []
    with engine.connect() as conn:
        assert conn.execute(select(s.webhook_deliveries.c.status)
                            .order_by(s.webhook_deliveries.c.id)).first()[0] == "pending"


def test_the_request_goes_to_the_checked_address_with_the_hosts_name(
        tmp_path: Path, receiver: Receiver) -> None:
    """`hooks.example` resolved once, to the loopback receiver (allowed by host:port): the
    connection goes to that address and the Host header names the host."""
    port = int(receiver.allow.split(":")[1])
    allow = Allow.parse(f"hooks.example:{port}")
    resolver = lambda h, p: ["127.0.0.1"]  # noqa: E731
    engine = make_engine(f"sqlite:///{tmp_path / 'd.db'}")
    upgrade(engine)
    intake.add_tenant(SqlUnitOfWork(engine), "p")
    intake.add_contracts(SqlUnitOfWork(engine),
                         [(CONTRACT, contract_policy(CONTRACT, "test", None))], "p")
    from termline.app.webhook_endpoints import create_endpoint
    with engine.begin() as conn:
        create_endpoint(conn, 1, f"http://hooks.example:{port}/hooks", ["contract_started"],
                        NOW, allow, resolve=resolver)
    service.run(lambda: SqlUnitOfWork(engine), date(2027, 1, 1))
    dispatcher = Dispatcher(engine, lambda: NOW, MailSettings(None, tmp_path / "o"),
                            allow=allow, resolve=resolver)
    assert dispatcher.deliver_due() == 1
    dispatcher.close()
    [got] = receiver.wait_for(1)
    assert {k.lower(): v for k, v in got.headers.items()}["host"] == f"hooks.example:{port}"
    assert json.loads(got.body)["type"] == "contract_started"


@pytest.fixture
def hostile() -> Iterator[tuple[str, list[str]]]:
    """A receiver that answers a redirect to the metadata address, or a large HTML page."""
    port = free_port()
    mode: list[str] = ["redirect"]

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["content-length"]))
            if mode[0] == "redirect":
                self.send_response(307)
                self.send_header("location", "http://169.254.169.254/latest/meta-data/")
                self.end_headers()
                return
            page = b"<html><script>alert('secret')</script>" + b"x" * 5000 + b"</html>"
            self.send_response(500)
            self.send_header("content-type", "text/html")
            self.send_header("content-length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args: Any) -> None:
            pass

    import threading
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{port}/hooks", mode
    server.shutdown()
    server.server_close()


def test_redirects_are_not_followed_and_an_answer_is_kept_short_and_inert(
        tmp_path: Path, hostile: tuple[str, list[str]]) -> None:
    url, mode = hostile
    allow = Allow.parse(url.split("/")[2])
    engine = _book(tmp_path, url, allow)
    clock = [NOW]
    dispatcher = Dispatcher(engine, lambda: clock[0], MailSettings(None, tmp_path / "o"),
                            allow=allow)
    assert dispatcher.deliver_due() == 1
    mode[0] = "html"
    clock[0] = NOW.replace(hour=10)
    assert dispatcher.deliver_due() == 1
    dispatcher.close()
    redirect, page = _attempts(engine)
    assert redirect.status_code == 307  # a failure: the redirect is not followed
    assert page.status_code == 500
    assert len(page.response.encode()) <= EXCERPT == 200
    assert "<" not in page.response and "&lt;script&gt;" in page.response
    assert page.response.startswith("&lt;html&gt;&lt;script&gt;alert('secret')")
