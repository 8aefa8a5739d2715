"""Bank lines applied to documents: one row per (bank line, document) the money went to, with
how the line was matched (reference, number, amount, manual) and the payment event it became,
so a line can pay several invoices (`bank assign`), `bank import --json` can say what each
line paid, and a returned direct debit finds the payment it reverses.

No backfill: lines imported before the upgrade keep their `bank_entries` row only.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Money = sa.Numeric(19, 4)


def upgrade() -> None:
    op.create_table(
        "bank_matches",
        sa.Column("id", Id, autoincrement=True),
        sa.Column("tenant_id", Id, nullable=False),
        sa.Column("entry_id", Id, nullable=False),
        sa.Column("document_number", sa.String(64), nullable=False),
        sa.Column("amount", Money, nullable=False),
        sa.Column("by", sa.String(16), nullable=False),
        sa.Column("event_id", Id, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_bank_matches"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"],
                                name="fk_bank_matches_tenant_id_tenants"),
        sa.ForeignKeyConstraint(["entry_id"], ["bank_entries.id"],
                                name="fk_bank_matches_entry_id_bank_entries"),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"],
                                name="fk_bank_matches_event_id_events"),
        sa.UniqueConstraint("event_id", name="uq_bank_matches_event_id"),
    )
    op.create_index("ix_bank_matches_tenant_id_document_number", "bank_matches",
                    ["tenant_id", "document_number"])
    op.create_index("ix_bank_matches_entry_id", "bank_matches", ["entry_id"])


def downgrade() -> None:
    op.drop_index("ix_bank_matches_entry_id", "bank_matches")
    op.drop_index("ix_bank_matches_tenant_id_document_number", "bank_matches")
    op.drop_table("bank_matches")
