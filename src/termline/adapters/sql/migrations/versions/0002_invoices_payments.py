"""Invoices with their lines, payments and allocations: a projection of the ledger.

No backfill: on a database from 0001 the four tables start empty, and the next `termline run`
fills them for the days it stores (see `termline.adapters.sql.projection`). Invoices and allocations
of days stored before the upgrade stay in the ledger only; the ledger remains the record.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Money = sa.Numeric(19, 4)
Quantity = sa.Numeric(19, 6)


def upgrade() -> None:
    op.create_table(
        "invoices",
        sa.Column("id", Id, autoincrement=True),
        sa.Column("tenant_id", Id, nullable=False),
        sa.Column("contract_id", Id, nullable=False),
        sa.Column("ref", sa.String(200), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("issued", sa.Date, nullable=False),
        sa.Column("due", sa.Date, nullable=False),
        sa.Column("period_start", sa.Date),
        sa.Column("period_end", sa.Date),
        sa.Column("amount", Money, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("action_key", sa.String(200), nullable=False),
        sa.Column("policy_version_id", Id, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_invoices"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"],
                                name="fk_invoices_tenant_id_tenants"),
        sa.ForeignKeyConstraint(["contract_id"], ["contracts.id"],
                                name="fk_invoices_contract_id_contracts"),
        sa.ForeignKeyConstraint(["contract_id", "action_key"],
                                ["actions.contract_id", "actions.natural_key"],
                                name="fk_invoices_contract_id_actions"),
        sa.ForeignKeyConstraint(["policy_version_id"], ["policy_versions.id"],
                                name="fk_invoices_policy_version_id_policy_versions"),
        sa.UniqueConstraint("contract_id", "ref", "revision",
                            name="uq_invoices_contract_id_ref_revision"),
        sa.UniqueConstraint("contract_id", "action_key",
                            name="uq_invoices_contract_id_action_key"),
    )
    op.create_index("ix_invoices_tenant_id_issued", "invoices", ["tenant_id", "issued"])
    op.create_table(
        "invoice_lines",
        sa.Column("id", Id, autoincrement=True),
        sa.Column("contract_id", Id, nullable=False),
        sa.Column("invoice_key", sa.String(200), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("item", sa.String(200), nullable=False),
        sa.Column("quantity", Quantity, nullable=False),
        sa.Column("unit_price", Quantity, nullable=False),
        sa.Column("amount", Money, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_invoice_lines"),
        sa.ForeignKeyConstraint(["contract_id", "invoice_key"],
                                ["invoices.contract_id", "invoices.action_key"],
                                name="fk_invoice_lines_contract_id_invoices"),
        sa.UniqueConstraint("contract_id", "invoice_key", "position",
                            name="uq_invoice_lines_contract_id_invoice_key_position"),
    )
    op.create_table(
        "payments",
        sa.Column("id", Id, autoincrement=True),
        sa.Column("tenant_id", Id, nullable=False),
        sa.Column("contract_id", Id, nullable=False),
        sa.Column("event_id", Id, nullable=False),
        sa.Column("date", sa.Date, nullable=False),
        sa.Column("amount", Money, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("reference", sa.Text),
        sa.PrimaryKeyConstraint("id", name="pk_payments"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"],
                                name="fk_payments_tenant_id_tenants"),
        sa.ForeignKeyConstraint(["contract_id"], ["contracts.id"],
                                name="fk_payments_contract_id_contracts"),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], name="fk_payments_event_id_events"),
        sa.UniqueConstraint("event_id", name="uq_payments_event_id"),
    )
    op.create_index("ix_payments_tenant_id_date", "payments", ["tenant_id", "date"])
    op.create_table(
        "allocations",
        sa.Column("id", Id, autoincrement=True),
        sa.Column("tenant_id", Id, nullable=False),
        sa.Column("contract_id", Id, nullable=False),
        sa.Column("payment_id", Id),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("item_ref", sa.String(200), nullable=False),
        sa.Column("item_kind", sa.String(16), nullable=False),
        sa.Column("date", sa.Date, nullable=False),
        sa.Column("amount", Money, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("action_key", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_allocations"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"],
                                name="fk_allocations_tenant_id_tenants"),
        sa.ForeignKeyConstraint(["contract_id"], ["contracts.id"],
                                name="fk_allocations_contract_id_contracts"),
        sa.ForeignKeyConstraint(["contract_id", "action_key"],
                                ["actions.contract_id", "actions.natural_key"],
                                name="fk_allocations_contract_id_actions"),
        sa.ForeignKeyConstraint(["payment_id"], ["payments.id"],
                                name="fk_allocations_payment_id_payments"),
        sa.UniqueConstraint("contract_id", "action_key",
                            name="uq_allocations_contract_id_action_key"),
    )
    op.create_index("ix_allocations_payment_id", "allocations", ["payment_id"])
    op.create_index("ix_allocations_contract_id_item_ref", "allocations",
                    ["contract_id", "item_ref"])


def downgrade() -> None:
    op.drop_index("ix_allocations_contract_id_item_ref", "allocations")
    op.drop_index("ix_allocations_payment_id", "allocations")
    op.drop_table("allocations")
    op.drop_index("ix_payments_tenant_id_date", "payments")
    op.drop_table("payments")
    op.drop_table("invoice_lines")
    op.drop_index("ix_invoices_tenant_id_issued", "invoices")
    op.drop_table("invoices")
