"""One seeded store, one server (`create_app`, as `termline serve` builds it) and one Chromium
for the console's browser tests: Debian's /usr/bin/chromium through Playwright, nothing
downloaded. The server's clock is fixed at 2027-02-10 12:00 UTC and a write's doorbell runs
the book to that day at once (the scheduler of `serve` does it within a second)."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import uvicorn

import termline.domain.registry  # noqa: F401
from termline.adapters.sql.db import make_engine, upgrade
from termline.app.run import run
from termline.entrypoints.api.app import create_app
from tests.console.seed import NOW, PASSWORD, TODAY, USERS, seed, uow_factory

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
AXE = Path(__file__).parent / "vendor" / "axe.min.js"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Console:
    url: str
    engine: Any
    app: Any


@pytest.fixture(scope="session")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    path = tmp_path_factory.mktemp("console") / "book.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    seed(engine)
    app = create_app(engine, lambda: NOW, wake=lambda: run(uow_factory(engine), TODAY))
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the console's server did not start"
    yield Console(f"http://127.0.0.1:{port}", engine, app)
    server.should_exit = True
    thread.join(timeout=10)
    engine.dispose()


# one Chromium for the module that drives it: Playwright's sync API marks an event loop as
# running in this thread while it is open, and a later test in the same process that calls
# asyncio.run() (tests/service/test_event_batches.py) would fail in any order that put it after
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not os.path.exists(CHROMIUM):
        reason = "Debian's chromium is not installed (bash .ci/system-deps)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@dataclass
class Session:
    """A signed-in browser context with the console errors it saw."""

    page: Any
    context: Any
    errors: list[str] = field(default_factory=list)


def open_session(browser: Any, console: Console, who: str | None) -> Session:
    context = browser.new_context(base_url=console.url)
    page = context.new_page()
    session = Session(page, context)
    page.on("console", lambda m: session.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: session.errors.append(str(exc)))
    if who is not None:
        page.goto("/console/signin")
        page.get_by_label("E-mail address").fill(USERS[who])
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/console/book")
    return session


@pytest.fixture
def as_finance(browser: Any, console: Console) -> Iterator[Session]:
    session = open_session(browser, console, "finance")
    yield session
    session.context.close()


def axe_violations(page: Any) -> list[str]:
    """axe-core's serious and critical violations on the page (the vendored axe.min.js)."""
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']}))"
                          ".violations.map(v => ({id: v.id, impact: v.impact, "
                          "nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 3)}))")
    return [f"{v['id']} ({v['impact']}): {v['nodes']}" for v in found
            if v["impact"] in ("serious", "critical")]


def shoot(page: Any, name: str) -> None:
    """A screenshot for docs/console.md, only when TERMLINE_SCREENSHOTS names the folder."""
    folder = os.environ.get("TERMLINE_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)
