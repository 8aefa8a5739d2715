"""How far each tenant's book has been run (`tenant_runs.run_through`); the claim's index.

A database from 0002 gets the table empty: balances and deadlines then read as of each
contract's cursor until the next `termline run` records its date.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    # The claim orders due contracts by (next_due, contract_id): with the id in the index a
    # claim reads its batch off the index instead of sorting every due contract each time.
    op.drop_index("ix_contract_runs_tenant_id_next_due", "contract_runs")
    op.create_index("ix_contract_runs_tenant_id_next_due_contract_id", "contract_runs",
                    ["tenant_id", "next_due", "contract_id"])
    op.create_index("ix_events_tenant_id_contract_id_date", "events",
                    ["tenant_id", "contract_id", "date"])
    op.create_table(
        "tenant_runs",
        sa.Column("tenant_id", Id, nullable=False),
        sa.Column("run_through", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"],
                                name="fk_tenant_runs_tenant_id_tenants"),
        sa.PrimaryKeyConstraint("tenant_id", name="pk_tenant_runs"),
    )


def downgrade() -> None:
    op.drop_table("tenant_runs")
    op.drop_index("ix_events_tenant_id_contract_id_date", "events")
    op.drop_index("ix_contract_runs_tenant_id_next_due_contract_id", "contract_runs")
    op.create_index("ix_contract_runs_tenant_id_next_due", "contract_runs",
                    ["tenant_id", "next_due"])
