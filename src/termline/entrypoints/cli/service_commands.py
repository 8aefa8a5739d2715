"""Service commands: `serve` (the API, the scheduler and the outbox delivery in one process),
`key create|list|revoke`, `webhook add|list`. The database URL comes from
TERMLINE_DATABASE_URL; e-mail from TERMLINE_SMTP_URL or, without it, .eml files under
TERMLINE_OUTBOX_DIR (default outbox/)."""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
from datetime import UTC, datetime, timedelta
from typing import Annotated

import typer
from rich.table import Table

from termline.app.database import Engine
from termline.domain.errors import InputError, TermlineError
from termline.entrypoints.cli import database
from termline.entrypoints.cli.error_boundary import fail as _fail
from termline.entrypoints.cli.error_boundary import mask
from termline.entrypoints.cli.session import Batch, err, out

PURGE_EVERY = timedelta(hours=1)
key_app = typer.Typer(no_args_is_help=True, help="API keys (shown once, stored hashed).")
webhook_app = typer.Typer(no_args_is_help=True, help="Webhook endpoints of a tenant.")


def now() -> datetime:
    return datetime.now(UTC)


def _engine(upgrade_schema: bool = False) -> Engine:
    from termline.app import database as store

    engine = store.engine(database.url(must_exist=not upgrade_schema))
    if upgrade_schema:
        store.upgrade(engine)
    elif not store.is_current(engine):
        _fail(TermlineError(f"database {mask(store.shown(engine))} is not upgraded: "
                            "run `termline db upgrade`"))
    return engine


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8080,
    poll: Annotated[float, typer.Option(help="Seconds between scheduler and delivery "
                                             "rounds when nothing rings earlier.")] = 1.0,
    batch: Batch = 50,
    workers: Annotated[int, typer.Option(min=1, max=64, help="API processes (PostgreSQL); "
                                         "the scheduler runs in the one holding the "
                                         "advisory lock.")] = 1,
) -> None:
    """Run the API, the scheduler (each tenant's book at its local midnight, events within
    seconds) and the webhook and e-mail delivery, until SIGTERM or Ctrl-C. Upgrades the
    database schema first."""
    import uvicorn

    from termline.adapters.notify.outbound import Allow
    from termline.app import database as store
    from termline.entrypoints.cli.serve_app import build

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per delivery otherwise
    try:
        allow = Allow.from_env(os.environ)  # http and any address for these host:port pairs
    except TermlineError as exc:
        _fail(exc)
    engine = _engine(upgrade_schema=True)
    from termline.app.idempotency import release_pending

    release_pending(engine)  # left by requests that died with the last server
    if workers > 1:
        if store.backend(engine) != "postgresql":
            _fail(TermlineError("--workers: several processes need PostgreSQL (SQLite "
                                "serves from one)"))
        os.environ.update(TERMLINE_DATABASE_URL=store.shown(engine, hide_password=False),
                          TERMLINE_SERVE_POLL=str(poll), TERMLINE_SERVE_BATCH=str(batch))
        engine.dispose()
        err.print(f"termline serving on http://{host}:{port} (postgresql, {workers} workers)")
        uvicorn.run("termline.entrypoints.cli.serve_app:app_from_env", factory=True,
                    workers=workers, host=host, port=port, log_level="warning", lifespan="on",
                    http="termline.entrypoints.cli.serve_app:NoDelayHTTP")
        err.print("termline stopped")
        return
    app = build(engine, allow, poll=poll, batch=batch)
    err.print(f"termline serving on http://{host}:{port} ({store.backend(engine)})")
    # uvicorn shuts down gracefully on SIGTERM/SIGINT, then raises the signal again for the
    # handler it found: this one makes that a clean exit (status 0) instead of a kill.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    uvicorn.run(app, host=host, port=port, log_level="warning", lifespan="on")
    err.print("termline stopped")


@key_app.command("create")
def key_create(
    tenant: Annotated[str, typer.Option("--tenant", help="The tenant the key acts for.")],
    scope: Annotated[list[str], typer.Option("--scope", help="read, write or admin "
                                                             "(repeatable).")],
    json_: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Create an API key and print it: the only time it is shown."""
    from termline.app.keys import create_key

    engine = _engine()
    try:
        made = create_key(engine, tenant, tuple(scope), now())
    except TermlineError as exc:
        _fail(exc)
        return
    if json_:
        sys.stdout.write(json.dumps(made.to_json()) + "\n")
        return
    out.print(f"{made.id} ({', '.join(made.scopes)}): {made.key}", highlight=False)
    err.print("Store it now: termline keeps only a hash of it.")


@key_app.command("list")
def key_list(tenant: Annotated[str, typer.Option("--tenant")],
             json_: Annotated[bool, typer.Option("--json")] = False) -> None:
    """The tenant's keys (ids and scopes; never the keys)."""
    from termline.app.keys import list_keys

    try:
        rows = list_keys(_engine(), tenant)
    except TermlineError as exc:
        _fail(exc)
        return
    if json_:
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return
    table = Table("id", "scopes", "created", "revoked", title=f"API keys of {tenant}")
    for row in rows:
        table.add_row(row["id"], ", ".join(row["scopes"]), row["created_at"],
                      row["revoked_at"] or "")
    out.print(table)


@key_app.command("revoke")
def key_revoke(key_id: str) -> None:
    """Revoke a key (key_…): every request with it is a 401 from now on."""
    from termline.app.keys import revoke_key

    try:
        revoke_key(_engine(), key_id, now())
    except TermlineError as exc:
        _fail(exc)
    out.print(f"{key_id} revoked")


@webhook_app.command("add")
def webhook_add(
    tenant: Annotated[str, typer.Option("--tenant")],
    url: Annotated[str, typer.Option("--url")],
    event: Annotated[list[str], typer.Option("--event", help="Action kind, or * (repeatable).")],
    json_: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Add a webhook endpoint and print its signing secret (shown once)."""
    from termline.adapters.notify.outbound import Allow, RefusedURL
    from termline.app.webhook_endpoints import add_endpoint, new_secret

    secret = new_secret()
    try:
        endpoint_id = add_endpoint(_engine(), tenant, url, list(event), secret, now(),
                                   allow=Allow.from_env(os.environ))
    except RefusedURL as exc:
        _fail(TermlineError(f"--url: {exc}"))
        return
    except InputError as exc:
        _fail(TermlineError(f"--event: {exc.message}"))
        return
    except TermlineError as exc:
        _fail(exc)
        return
    if json_:
        sys.stdout.write(json.dumps({"id": endpoint_id, "secret": secret}) + "\n")
        return
    out.print(f"{endpoint_id} -> {url}: secret {secret}", highlight=False)


@webhook_app.command("list")
def webhook_list(tenant: Annotated[str, typer.Option("--tenant")]) -> None:
    """The tenant's endpoints with their delivery counts (never their secrets)."""
    from termline.app.webhook_endpoints import list_endpoints

    try:
        rows = list_endpoints(_engine(), tenant)
    except TermlineError as exc:
        _fail(exc)
        return
    table = Table("id", "url", "events", "enabled", "pending", "delivered", "failed")
    for row in rows:
        table.add_row(row["id"], row["url"], ", ".join(row["events"]), str(row["enabled"]),
                      *(str(row[k]) for k in ("pending", "delivered", "failed")))
    out.print(table)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    app.add_typer(key_app, name="key")
    app.add_typer(webhook_app, name="webhook")
