"""The day a contract was added to the store (`contracts.added_on`): notices are sent only for
actions dated on or after it (issue 18); a back-dated contract's older actions are recorded as
not sent. Contracts stored before this revision keep NULL: unknown, their notices go out as
before.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("contracts", sa.Column("added_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("contracts") as batch:
        batch.drop_column("added_on")
