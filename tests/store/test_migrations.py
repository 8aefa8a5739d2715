"""Migrations on both databases: an empty database upgrades to the tables the code uses."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from typer.testing import CliRunner

from termline.adapters.sql.db import (
    current_revision,
    downgrade,
    head_revision,
    make_engine,
    upgrade,
)
from termline.adapters.sql.schema import metadata
from termline.entrypoints.cli.app import app

TABLES = {"tenants", "policy_versions", "customers", "contracts", "events", "actions",
          "contract_runs", "invoices", "invoice_lines", "payments", "allocations",
          "tenant_runs", "event_voids", "document_series", "documents", "blobs",
          "document_files", "bank_entries", "bank_matches", "api_keys", "idempotency_keys",
          "audit_log",
          "contract_info", "customer_info", "webhook_endpoints", "webhook_deliveries",
          "webhook_attempts", "emails"}


def test_an_empty_database_upgrades_to_exactly_the_tables_of_the_code(db_url: str) -> None:
    engine = make_engine(db_url)
    assert current_revision(engine) is None
    upgrade(engine)
    assert current_revision(engine) == head_revision() == "0015"
    assert set(inspect(engine).get_table_names()) >= TABLES
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []
    engine.dispose()


def test_downgrade_then_upgrade_round_trips(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade(engine)
    downgrade(engine, "base")
    assert current_revision(engine) is None
    assert not TABLES & set(inspect(engine).get_table_names())
    upgrade(engine)
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []
    engine.dispose()


def test_commands_refuse_a_database_that_is_not_upgraded(db_url: str) -> None:
    runner = CliRunner()
    env = {"TERMLINE_DATABASE_URL": db_url}
    refused = runner.invoke(app, ["run", "--until", "2027-01-01"], env=env)
    assert refused.exit_code == 2
    assert "termline db upgrade" in refused.output
    done = runner.invoke(app, ["db", "upgrade"], env=env)
    assert (done.exit_code, done.stdout.strip()) == (0, "database at revision 0015")
    assert runner.invoke(app, ["run", "--until", "2027-01-01"], env=env).exit_code == 0
