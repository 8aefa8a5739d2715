"""Events the API stored and the run has not yet noted in the contracts' run rows (issue 18):
a request appends a note here instead of locking the contract's run row, which a worker holds
from its claim to its commit; the run takes the notes before it counts and claims.

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "event_notes",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("tenant_id", Id, nullable=False),
        sa.Column("contract_id", Id),
        sa.Column("day", sa.Date(), nullable=False),
    )


def downgrade() -> None:
    # notes not yet taken are applied first, so that no stored event is left unnoted
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT tenant_id, contract_id, day FROM event_notes")).all()
    for tenant_id, contract_id, day in rows:
        target = "contract_id = :c" if contract_id is not None else "tenant_id = :t"
        least = "min(coalesce(recompute_from, :d), :d)" if bind.dialect.name == "sqlite" \
            else "least(coalesce(recompute_from, :d), :d)"
        params = {"c": contract_id, "t": tenant_id, "d": day}
        bind.execute(sa.text(f"UPDATE contract_runs SET recompute_from = {least} "
                             f"WHERE {target} AND cursor >= :d"), params)
        bind.execute(sa.text(f"UPDATE contract_runs SET next_due = :d "
                             f"WHERE {target} AND next_due > :d"), params)
    op.drop_table("event_notes")
