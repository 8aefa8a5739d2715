"""Keys and webhooks from the command line: a key is printed once and stored as a hash only,
listed without it, revoked for good; an endpoint's secret is printed once."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from termline.adapters.sql import service_tables as s
from termline.adapters.sql.db import make_engine
from termline.entrypoints.api.app import create_app
from termline.entrypoints.cli.app import app


def test_key_create_list_revoke_and_webhook_add(tmp_path: Path) -> None:
    runner = CliRunner()
    env = {"TERMLINE_DATABASE_URL": f"sqlite:///{tmp_path / 't.db'}"}
    assert runner.invoke(app, ["db", "upgrade"], env=env).exit_code == 0
    missing = runner.invoke(app, ["key", "create", "--tenant", "nobody", "--scope", "read"],
                            env=env)
    assert missing.exit_code == 2 and "no tenant 'nobody'" in missing.output
    assert runner.invoke(app, ["tenant", "add", "p"], env=env).exit_code == 0
    bad = runner.invoke(app, ["key", "create", "--tenant", "p", "--scope", "root"], env=env)
    assert bad.exit_code == 2 and "scopes are read, write, admin" in bad.output
    made = json.loads(runner.invoke(app, ["key", "create", "--tenant", "p", "--scope", "read",
                                          "--json"], env=env).stdout)
    assert set(made) == {"id", "key", "scopes"} and made["scopes"] == ["read"]
    engine = make_engine(env["TERMLINE_DATABASE_URL"])
    with engine.connect() as conn:
        stored = conn.execute(select(s.api_keys)).one()
    assert made["key"] not in json.dumps([str(v) for v in stored])  # only its HMAC
    listed = runner.invoke(app, ["key", "list", "--tenant", "p", "--json"], env=env).stdout
    assert made["key"] not in listed and json.loads(listed)[0]["id"] == made["id"]
    api = TestClient(create_app(engine, lambda: datetime(2027, 1, 1, tzinfo=UTC)))
    auth = {"Authorization": f"Bearer {made['key']}"}
    assert api.get("/v1/contracts", headers=auth).status_code == 200
    assert runner.invoke(app, ["key", "revoke", made["id"]], env=env).exit_code == 0
    assert api.get("/v1/contracts", headers=auth).status_code == 401
    local = runner.invoke(app, ["webhook", "add", "--tenant", "p", "--url",
                                "http://127.0.0.1:9/h", "--event", "*"], env=env)
    assert local.exit_code == 2 and "plain http is refused" in local.output  # issue 18
    allowed = {**env, "TERMLINE_WEBHOOK_ALLOW": "127.0.0.1:9"}  # the operator's development
    hook = runner.invoke(app, ["webhook", "add", "--tenant", "p", "--url",
                               "http://127.0.0.1:9/h", "--event", "*", "--json"], env=allowed)
    assert json.loads(hook.stdout)["secret"].startswith("whsec_")
    plain = runner.invoke(app, ["webhook", "add", "--tenant", "p", "--url",
                                "http://example.com/h", "--event", "*"], env=allowed)
    assert plain.exit_code == 2 and "plain http is refused" in plain.output
    table = runner.invoke(app, ["webhook", "list", "--tenant", "p"], env=env).stdout
    assert "we_1" in table and "whsec_" not in table
    engine.dispose()
