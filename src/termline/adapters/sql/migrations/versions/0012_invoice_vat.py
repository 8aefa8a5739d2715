"""The VAT of each stored invoice: the receivable is the document (issue 17).

`invoices.amount` is the invoice's total including VAT, the open item the engine keeps; `vat`
is the VAT in it, decided when the engine issued the invoice (the lines add up to amount - vat).
Rows stored before this revision hold the net amount and no VAT (0): they are what the engine
counted then.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("invoices", sa.Column("vat", sa.Numeric(19, 4), nullable=False,
                                        server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("invoices") as batch:
        batch.drop_column("vat")
