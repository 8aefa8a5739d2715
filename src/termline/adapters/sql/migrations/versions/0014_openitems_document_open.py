"""Each numbered document's open amount and status, kept where its allocations and credit
notes are written (issue 20, `kept.keep_documents`), and the tenant's documents by status and
currency (`book_documents`): the console's "open" filter reads an index on the status and its
totals a few kept rows instead of summing every open document's allocations, and the API,
the CLI and the console all read the one kept figure.

Backfill: every document's figures from the documents and the uncorrected allocations, by the
run's own function, a chunk of contracts at a time; then the totals summed from them by SQL.

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

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
CHUNK = 2000  # contracts


def upgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("open_amount", sa.Numeric(19, 4), nullable=False,
                                   server_default="0"))
        batch.add_column(sa.Column("status", sa.String(16), nullable=False,
                                   server_default="paid"))
    op.create_table(
        "book_documents",
        sa.Column("tenant_id", Id, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("documents", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"],
                                name="fk_book_documents_tenant_id_tenants"),
        sa.PrimaryKeyConstraint("tenant_id", "status", "currency", name="pk_book_documents"),
    )
    _backfill()
    op.create_index("ix_documents_tenant_id_status_issued_id", "documents",
                    ["tenant_id", "status", "issued", "id"])


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
    # the totals by status, summed from the kept statuses (amounts in ten-thousandths, rounded
    # from each stored value: a float on SQLite); what keep_documents moved above is replaced
    conn.exec_driver_sql("DELETE FROM book_documents")
    conn.exec_driver_sql(
        "INSERT INTO book_documents (tenant_id, status, currency, documents, amount) "
        "SELECT tenant_id, status, currency, count(*), "
        "sum(CAST(round(amount * 10000) AS BIGINT)) FROM documents "
        "GROUP BY tenant_id, status, currency")


def downgrade() -> None:
    op.drop_index("ix_documents_tenant_id_status_issued_id", "documents")
    op.drop_table("book_documents")
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("status")
        batch.drop_column("open_amount")
