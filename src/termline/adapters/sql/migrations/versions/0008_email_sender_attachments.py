"""E-mails name their sender and what they carry attached (issue 18).

`emails.from_addr`: the tenant's `mail_from` (seller profile) when the e-mail was written, NULL
for the operator's `TERMLINE_MAIL_FROM`. `emails.attachments`: JSON list of what to attach,
rendered when the e-mail is sent: `{"invoice": NUMBER}` (the invoice's stored PDF) and
`{"letter": {...}}` (the dunning letter's content as of the reminder). E-mails written before
keep NULL in both: no attachments, the operator's sender.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("emails") as batch:
        batch.add_column(sa.Column("from_addr", sa.String(400)))
        batch.add_column(sa.Column("attachments", sa.Text()))


def downgrade() -> None:
    with op.batch_alter_table("emails") as batch:
        batch.drop_column("attachments")
        batch.drop_column("from_addr")
