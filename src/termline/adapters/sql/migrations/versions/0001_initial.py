"""The first store: tenants, policy versions, customers, contracts, event log, action ledger,
contract run state.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "tenants",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("settings", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_tenants"),
        sa.UniqueConstraint("name", name="uq_tenants_name"),
    )
    op.create_table(
        "policy_versions",
        sa.Column("id", Id, autoincrement=True),
        sa.Column("pack", sa.String(200), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("policy", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_policy_versions"),
        sa.UniqueConstraint("content_hash", name="uq_policy_versions_content_hash"),
    )
    op.create_table(
        "customers",
        sa.Column("id", Id, autoincrement=True),
        sa.Column("tenant_id", Id, nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("name", sa.String(400), nullable=False),
        sa.Column("country", sa.String(2)),
        sa.Column("email", sa.String(400)),
        sa.PrimaryKeyConstraint("id", name="pk_customers"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"],
                                name="fk_customers_tenant_id_tenants"),
        sa.UniqueConstraint("tenant_id", "key", name="uq_customers_tenant_id_key"),
    )
    op.create_table(
        "contracts",
        sa.Column("id", Id, autoincrement=True),
        sa.Column("tenant_id", Id, nullable=False),
        sa.Column("ref", sa.String(200), nullable=False),
        sa.Column("customer_id", Id, nullable=False),
        sa.Column("policy_version_id", Id, nullable=False),
        sa.Column("start", sa.Date, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("document", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_contracts"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"],
                                name="fk_contracts_tenant_id_tenants"),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"],
                                name="fk_contracts_customer_id_customers"),
        sa.ForeignKeyConstraint(["policy_version_id"], ["policy_versions.id"],
                                name="fk_contracts_policy_version_id_policy_versions"),
        sa.UniqueConstraint("tenant_id", "ref", name="uq_contracts_tenant_id_ref"),
    )
    op.create_table(
        "events",
        sa.Column("id", Id, autoincrement=True),
        sa.Column("tenant_id", Id, nullable=False),
        sa.Column("contract_id", Id),
        sa.Column("date", sa.Date, nullable=False),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("natural_key", sa.String(100), nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_events"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name="fk_events_tenant_id_tenants"),
        sa.ForeignKeyConstraint(["contract_id"], ["contracts.id"],
                                name="fk_events_contract_id_contracts"),
        sa.UniqueConstraint("tenant_id", "natural_key", name="uq_events_tenant_id_natural_key"),
    )
    op.create_index("ix_events_contract_id_date", "events", ["contract_id", "date"])
    op.create_index("ix_events_tenant_id_date", "events", ["tenant_id", "date"])
    op.create_table(
        "actions",
        sa.Column("id", Id, autoincrement=True),
        sa.Column("tenant_id", Id, nullable=False),
        sa.Column("contract_id", Id, nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("date", sa.Date, nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("natural_key", sa.String(200), nullable=False),
        sa.Column("clauses", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("amount", sa.Numeric(19, 4)),
        sa.Column("currency", sa.String(3)),
        sa.Column("policy_version_id", Id, nullable=False),
        sa.Column("cause_date", sa.Date, nullable=False),
        sa.Column("cause_events", sa.Text, nullable=False),
        sa.Column("recorded_on", sa.Date, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_actions"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"],
                                name="fk_actions_tenant_id_tenants"),
        sa.ForeignKeyConstraint(["contract_id"], ["contracts.id"],
                                name="fk_actions_contract_id_contracts"),
        sa.ForeignKeyConstraint(["policy_version_id"], ["policy_versions.id"],
                                name="fk_actions_policy_version_id_policy_versions"),
        sa.UniqueConstraint("contract_id", "natural_key",
                            name="uq_actions_contract_id_natural_key"),
        sa.UniqueConstraint("contract_id", "seq", name="uq_actions_contract_id_seq"),
    )
    op.create_index("ix_actions_tenant_id_date", "actions", ["tenant_id", "date"])
    op.create_table(
        "contract_runs",
        sa.Column("contract_id", Id, nullable=False),
        sa.Column("tenant_id", Id, nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("cursor", sa.Date, nullable=False),
        sa.Column("next_due", sa.Date, nullable=False),
        sa.Column("recompute_from", sa.Date),
        sa.Column("action_count", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("contract_id", name="pk_contract_runs"),
        sa.ForeignKeyConstraint(["contract_id"], ["contracts.id"],
                                name="fk_contract_runs_contract_id_contracts"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"],
                                name="fk_contract_runs_tenant_id_tenants"),
    )
    op.create_index("ix_contract_runs_tenant_id_next_due", "contract_runs",
                    ["tenant_id", "next_due"])


def downgrade() -> None:
    op.drop_index("ix_contract_runs_tenant_id_next_due", "contract_runs")
    op.drop_table("contract_runs")
    op.drop_index("ix_actions_tenant_id_date", "actions")
    op.drop_table("actions")
    op.drop_index("ix_events_tenant_id_date", "events")
    op.drop_index("ix_events_contract_id_date", "events")
    op.drop_table("events")
    op.drop_table("contracts")
    op.drop_table("customers")
    op.drop_table("policy_versions")
    op.drop_table("tenants")
