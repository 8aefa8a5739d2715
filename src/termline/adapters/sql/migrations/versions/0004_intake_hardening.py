"""Contracts set aside by the run, and voided events (issue 8).

`contract_runs.problem` holds why a contract's step failed (JSON: error, day, event ids); the
run skips such a contract (its `next_due` is moved to the end of time) until a correction or
`contract resume` clears it. `event_voids` is the append-only record of events an operator
withdrew: the run reads the log without them and recomputes what they caused.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("contract_runs") as batch:
        batch.add_column(sa.Column("problem", sa.Text(), nullable=True))
    op.create_table(
        "event_voids",
        sa.Column("event_id", Id, nullable=False),
        sa.Column("tenant_id", Id, nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"],
                                name="fk_event_voids_event_id_events"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"],
                                name="fk_event_voids_tenant_id_tenants"),
        sa.PrimaryKeyConstraint("event_id", name="pk_event_voids"),
    )


def downgrade() -> None:
    op.drop_table("event_voids")
    with op.batch_alter_table("contract_runs") as batch:
        batch.drop_column("problem")
