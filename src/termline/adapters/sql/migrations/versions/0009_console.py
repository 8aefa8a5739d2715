"""The console: its users (argon2 hashes), sessions (token hashes, CSRF tokens), sign-in
attempts (the per-address limit) and the secret that signs customers' links; indexes for its
lists (a tenant's contracts by id, a customer's contracts, customers by name, documents
newest first).

Nothing to backfill: users are added with `termline user add`.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Stamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "console_users",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("tenant_id", Id, nullable=False),
        sa.Column("email", sa.String(400), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("created_at", Stamp, nullable=False),
        sa.Column("disabled_at", Stamp),
        sa.PrimaryKeyConstraint("id", name="pk_console_users"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"],
                                name="fk_console_users_tenant_id_tenants"),
        sa.UniqueConstraint("email", name="uq_console_users_email"),
    )
    op.create_table(
        "console_sessions",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("user_id", Id, nullable=False),
        sa.Column("tenant_id", Id, nullable=False),
        sa.Column("csrf", sa.String(64), nullable=False),
        sa.Column("created_at", Stamp, nullable=False),
        sa.Column("expires_at", Stamp, nullable=False),
        sa.PrimaryKeyConstraint("token_hash", name="pk_console_sessions"),
        sa.ForeignKeyConstraint(["user_id"], ["console_users.id"],
                                name="fk_console_sessions_user_id_console_users"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"],
                                name="fk_console_sessions_tenant_id_tenants"),
    )
    op.create_index("ix_console_sessions_user_id", "console_sessions", ["user_id"])
    op.create_table(
        "console_signin_attempts",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("email", sa.String(400), nullable=False),
        sa.Column("at", Stamp, nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_console_signin_attempts"),
    )
    op.create_index("ix_console_signin_attempts_address_at", "console_signin_attempts",
                    ["address", "at"])
    op.create_table(
        "console_secrets",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("secret", sa.String(128), nullable=False),
        sa.Column("created_at", Stamp, nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_console_secrets"),
    )


    op.create_index("ix_contracts_tenant_id_id", "contracts", ["tenant_id", "id"])
    op.create_index("ix_contracts_customer_id", "contracts", ["customer_id"])
    op.create_index("ix_customers_tenant_id_name", "customers", ["tenant_id", "name"])
    set_aside = sa.text("problem IS NOT NULL")
    op.create_index("ix_contract_runs_set_aside", "contract_runs", ["tenant_id", "contract_id"],
                    sqlite_where=set_aside, postgresql_where=set_aside)
    op.create_index("ix_documents_tenant_id_issued_id", "documents",
                    ["tenant_id", "issued", "id"])


def downgrade() -> None:
    op.drop_index("ix_documents_tenant_id_issued_id", "documents")
    op.drop_index("ix_contract_runs_set_aside", "contract_runs")
    op.drop_index("ix_customers_tenant_id_name", "customers")
    op.drop_index("ix_contracts_customer_id", "contracts")
    op.drop_index("ix_contracts_tenant_id_id", "contracts")
    op.drop_table("console_secrets")
    op.drop_index("ix_console_signin_attempts_address_at", "console_signin_attempts")
    op.drop_table("console_signin_attempts")
    op.drop_index("ix_console_sessions_user_id", "console_sessions")
    op.drop_table("console_sessions")
    op.drop_table("console_users")
