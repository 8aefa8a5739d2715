"""The ledger's tables no longer key their tenant and policy version copies to the shared rows.

`actions`, `invoices`, `payments`, `allocations` and `documents` hold the contract's tenant id
and policy version id as copies; the contract's own keys check them. On PostgreSQL a foreign
key to the tenant row locks it (FOR KEY SHARE) for every row the run inserts: every worker of
a tenant locks the same row, and the checks were about a tenth of a billing day's time with
one worker (issue 12). Nothing to migrate: the values stay.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

DROPPED = (
    ("actions", "tenant_id", "tenants"), ("actions", "policy_version_id", "policy_versions"),
    ("invoices", "tenant_id", "tenants"), ("invoices", "policy_version_id", "policy_versions"),
    ("payments", "tenant_id", "tenants"), ("allocations", "tenant_id", "tenants"),
    ("documents", "tenant_id", "tenants"),
)


def _name(table: str, column: str, target: str) -> str:
    return f"fk_{table}_{column}_{target}"


def upgrade() -> None:
    for table in dict.fromkeys(t for t, _, _ in DROPPED):
        with op.batch_alter_table(table) as batch:  # SQLite: rebuilt (see store.db.upgrade)
            for _, column, target in [d for d in DROPPED if d[0] == table]:
                batch.drop_constraint(_name(table, column, target), type_="foreignkey")


def downgrade() -> None:
    for table in dict.fromkeys(t for t, _, _ in DROPPED):
        with op.batch_alter_table(table) as batch:
            for _, column, target in [d for d in DROPPED if d[0] == table]:
                batch.create_foreign_key(_name(table, column, target), target, [column], ["id"])
