"""Legal documents: gapless number series, numbered invoices and credit notes, their rendered
files stored once by content, and imported bank statement lines.

No backfill: invoices stored before the upgrade get no number; the next `termline run` numbers
the invoices it issues from then on.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Money = sa.Numeric(19, 4)


def upgrade() -> None:
    op.create_table(
        "document_series",
        sa.Column("tenant_id", Id, nullable=False),
        sa.Column("series", sa.String(40), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("last", sa.Integer, nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"],
                                name="fk_document_series_tenant_id_tenants"),
        sa.PrimaryKeyConstraint("tenant_id", "series", "year", name="pk_document_series"),
    )
    op.create_table(
        "documents",
        sa.Column("id", Id, autoincrement=True),
        sa.Column("tenant_id", Id, nullable=False),
        sa.Column("contract_id", Id, nullable=False),
        sa.Column("number", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("issued", sa.Date, nullable=False),
        sa.Column("due", sa.Date, nullable=False),
        sa.Column("action_key", sa.String(200), nullable=False),
        sa.Column("source_ref", sa.String(200), nullable=False),
        sa.Column("amount", Money, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("credit_note_for", sa.String(64)),
        sa.Column("payment_reference", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_documents"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"],
                                name="fk_documents_tenant_id_tenants"),
        sa.ForeignKeyConstraint(["contract_id"], ["contracts.id"],
                                name="fk_documents_contract_id_contracts"),
        sa.UniqueConstraint("tenant_id", "number", name="uq_documents_tenant_id_number"),
        sa.UniqueConstraint("contract_id", "kind", "action_key",
                            name="uq_documents_contract_id_kind_action_key"),
    )
    op.create_index("ix_documents_tenant_id_payment_reference", "documents",
                    ["tenant_id", "payment_reference"])
    op.create_index("ix_documents_contract_id_source_ref", "documents",
                    ["contract_id", "source_ref"])
    op.create_table(
        "blobs",
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("media_type", sa.String(64), nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.PrimaryKeyConstraint("sha256", name="pk_blobs"),
    )
    op.create_table(
        "document_files",
        sa.Column("document_id", Id, nullable=False),
        sa.Column("format", sa.String(8), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"],
                                name="fk_document_files_document_id_documents"),
        sa.ForeignKeyConstraint(["sha256"], ["blobs.sha256"],
                                name="fk_document_files_sha256_blobs"),
        sa.PrimaryKeyConstraint("document_id", "format", name="pk_document_files"),
    )
    op.create_table(
        "bank_entries",
        sa.Column("id", Id, autoincrement=True),
        sa.Column("tenant_id", Id, nullable=False),
        sa.Column("entry_ref", sa.String(200), nullable=False),
        sa.Column("booked", sa.Date, nullable=False),
        sa.Column("amount", Money, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("debtor", sa.String(400)),
        sa.Column("structured_ref", sa.String(64)),
        sa.Column("text", sa.Text),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("document_number", sa.String(64)),
        sa.Column("event_id", Id),
        sa.PrimaryKeyConstraint("id", name="pk_bank_entries"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"],
                                name="fk_bank_entries_tenant_id_tenants"),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"],
                                name="fk_bank_entries_event_id_events"),
        sa.UniqueConstraint("tenant_id", "entry_ref", name="uq_bank_entries_tenant_id_entry_ref"),
    )


def downgrade() -> None:
    op.drop_table("bank_entries")
    op.drop_table("document_files")
    op.drop_table("blobs")
    op.drop_index("ix_documents_contract_id_source_ref", "documents")
    op.drop_index("ix_documents_tenant_id_payment_reference", "documents")
    op.drop_table("documents")
    op.drop_table("document_series")
