"""Service fixtures: `termline serve` as a subprocess, a webhook receiver and an SMTP server
in the test process (aiosmtpd), on free loopback ports."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller

from tests.store.conftest import db_url  # noqa: F401 - the fixture, on SQLite and PostgreSQL

ROOT = Path(__file__).resolve().parents[2]
TERMLINE = str(Path(sys.executable).parent / "termline")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cli(db: str, *args: str) -> str:
    done = subprocess.run([TERMLINE, *args], env={**os.environ, "TERMLINE_DATABASE_URL": db},
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


# --- webhooks ------------------------------------------------------------------------------
@dataclass
class Received:
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    url: str
    got: list[Received] = field(default_factory=list)
    delay: float = 0.0  # seconds each answer takes (to kill the server mid-delivery)
    status: int = 200

    @property
    def allow(self) -> str:
        """The TERMLINE_WEBHOOK_ALLOW entry that lets termline call this loopback receiver."""
        return self.url.split("/")[2]

    def wait_for(self, count: int, timeout: float = 30) -> list[Received]:
        deadline = time.monotonic() + timeout
        while len(self.got) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return list(self.got)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    port = free_port()
    box = Receiver(f"http://127.0.0.1:{port}/hooks")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["content-length"]))
            if box.delay:
                time.sleep(box.delay)
            if box.status == 200:
                box.got.append(Received(dict(self.headers.items()), body))
            self.send_response(box.status)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield box
    server.shutdown()
    server.server_close()


# --- e-mail --------------------------------------------------------------------------------
@dataclass
class Mailbox:
    url: str
    messages: list[Message] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"

    def wait_for(self, count: int, timeout: float = 30) -> list[Message]:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return list(self.messages)


@pytest.fixture
def smtp() -> Iterator[Mailbox]:
    port = free_port()
    box = Mailbox(f"smtp://127.0.0.1:{port}")
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    yield box
    controller.stop()


# --- the server ----------------------------------------------------------------------------
@dataclass
class Server:
    db: str
    env: dict[str, str]
    port: int
    log: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [TERMLINE, "serve", "--port", str(self.port), "--poll", "0.2"],
                env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 90  # ready when it answers; a loaded machine is slow
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()
            try:
                if httpx.get(f"{self.url}/v1/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"termline serve did not answer: {self.log.read_text()}")

    def stop(self, sig: int = signal.SIGTERM) -> int:
        assert self.process is not None
        self.process.send_signal(sig)
        code = self.process.wait(timeout=30)
        self.process = None
        return code


@pytest.fixture
def serve(db_url: str, tmp_path: Path, smtp: Mailbox) -> Iterator[Server]:  # noqa: F811
    """A server on a fresh database (its schema upgraded by `serve`), sending e-mail to `smtp`;
    not started (tests add tenants and keys first)."""
    # the tests' books start in 2027: POST /v1/runs may go past today (development flag)
    env = {**os.environ, "TERMLINE_DATABASE_URL": db_url, "TERMLINE_SMTP_URL": smtp.url,
           "TERMLINE_OUTBOX_DIR": str(tmp_path / "outbox"), "TERMLINE_DEV_FUTURE_RUNS": "1"}
    cli(db_url, "db", "upgrade")
    server = Server(db_url, env, free_port(), tmp_path / "serve.log")
    yield server
    if server.process is not None:
        # its group: `--workers N` has children, which a kill of the parent alone would orphan
        # (still holding database connections and running their schedulers)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.process.pid, signal.SIGKILL)
        server.process.wait()


def new_key(db: str, tenant: str, scope: str) -> str:
    made = json.loads(cli(db, "key", "create", "--tenant", tenant, "--scope", scope, "--json"))
    assert made["key"].startswith("tl_") and made["id"].startswith("key_")
    assert made["scopes"] == [scope]
    return str(made["key"])
