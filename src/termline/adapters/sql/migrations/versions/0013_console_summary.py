"""What the run keeps for the console's book (issue 20): each contract's status and access as
columns of `contract_runs` (indexed: a rare status is found without reading the others, the
counts read the index), and its open items in `contract_open_items` (the book's aged
receivables are a sum over them, not a decoding of every contract's state).

Backfill: status and access are read from each stored state's JSON by SQL; the open items by
decoding the states that have items (minutes on a book of a million contracts, once).

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
CHUNK = 5000


def upgrade() -> None:
    with op.batch_alter_table("contract_runs") as batch:
        batch.add_column(sa.Column("status", sa.String(24), nullable=False,
                                   server_default="pending"))
        batch.add_column(sa.Column("access", sa.String(24), nullable=False,
                                   server_default="none"))
    op.create_table(
        "contract_open_items",
        sa.Column("contract_id", Id, nullable=False),
        sa.Column("ref", sa.String(200), nullable=False),
        sa.Column("tenant_id", Id, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("amount_open", sa.Numeric(19, 4), nullable=False),
        sa.ForeignKeyConstraint(["contract_id"], ["contracts.id"],
                                name="fk_contract_open_items_contract_id_contracts"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"],
                                name="fk_contract_open_items_tenant_id_tenants"),
        sa.PrimaryKeyConstraint("contract_id", "ref", name="pk_contract_open_items"),
    )
    _backfill()
    op.create_index("ix_contract_open_items_tenant_id_currency_kind_due_amount_open",
                    "contract_open_items",
                    ["tenant_id", "currency", "kind", "due", "amount_open"])
    op.create_index("ix_contract_runs_tenant_id_status_contract_id", "contract_runs",
                    ["tenant_id", "status", "contract_id"])
    op.create_index("ix_contract_runs_tenant_id_status_access", "contract_runs",
                    ["tenant_id", "status", "access"])


def _backfill() -> None:
    from termline.adapters.sql.codec import decode
    from termline.adapters.sql.jsontext import loads
    from termline.adapters.sql.kept import keep_open_items
    from termline.domain.engine.state import ContractState

    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        field = "(state::json ->> '{}')"
    else:
        field = "json_extract(state, '$.{}')"
    conn.exec_driver_sql(
        f"UPDATE contract_runs SET status = coalesce({field.format('status')}, 'pending'), "
        f"access = coalesce({field.format('access')}, 'none')")
    last = 0
    while True:
        rows = conn.execute(sa.text(
            "SELECT contract_id, state FROM contract_runs WHERE contract_id > :last "
            "ORDER BY contract_id LIMIT :n"), {"last": last, "n": CHUNK}).all()
        if not rows:
            return
        last = rows[-1][0]
        keep_open_items(conn, [(cid, decode(ContractState, loads(text))) for cid, text in rows
                               if '"items"' in text])


def downgrade() -> None:
    op.drop_index("ix_contract_runs_tenant_id_status_access", "contract_runs")
    op.drop_index("ix_contract_runs_tenant_id_status_contract_id", "contract_runs")
    op.drop_index("ix_contract_open_items_tenant_id_currency_kind_due_amount_open",
                  "contract_open_items")
    op.drop_table("contract_open_items")
    with op.batch_alter_table("contract_runs") as batch:
        batch.drop_column("access")
        batch.drop_column("status")
