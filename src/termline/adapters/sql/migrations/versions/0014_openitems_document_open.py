"""Each numbered document's open amount and status, kept where its allocations and credit
notes are written (issue 20, `kept.keep_documents`): the console's "open" filter and its
totals read two indexes instead of summing every open document's allocations, and the API,
the CLI, the PDFs and the console all read the one kept figure.

Backfill: every document's figures from the documents and the uncorrected allocations, by the
run's own function, a chunk of contracts at a time.

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

CHUNK = 2000  # contracts


def upgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("open_amount", sa.Numeric(19, 4), nullable=False,
                                   server_default="0"))
        batch.add_column(sa.Column("status", sa.String(16), nullable=False,
                                   server_default="paid"))
    _backfill()
    op.create_index("ix_documents_tenant_id_status_issued_id", "documents",
                    ["tenant_id", "status", "issued", "id"])
    op.create_index("ix_documents_tenant_id_status_currency_amount", "documents",
                    ["tenant_id", "status", "currency", "amount"])


def _backfill() -> None:
    from termline.adapters.sql.kept import keep_documents

    conn = op.get_bind()
    last = 0
    while True:
        ids = [int(i) for i in conn.execute(sa.text(
            "SELECT DISTINCT contract_id FROM documents WHERE contract_id > :last "
            "ORDER BY contract_id LIMIT :n"), {"last": last, "n": CHUNK}).scalars()]
        if not ids:
            break
        last = ids[-1]
        keep_documents(conn, (), ids)


def downgrade() -> None:
    op.drop_index("ix_documents_tenant_id_status_currency_amount", "documents")
    op.drop_index("ix_documents_tenant_id_status_issued_id", "documents")
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("status")
        batch.drop_column("open_amount")
