"""What the run keeps for the console's book (issue 20, `adapters/sql/kept.py`): each
contract's status and access as columns of `contract_runs` (indexed: a rare status is found
without reading the others), its open items in `contract_open_items`, and the tenant's totals
of both (`book_counts`, `book_added`, `book_open`) and the documents and payments per month
(`book_months`) that the book reads instead of decoding every contract's state or summing every
document.

Backfill: status and access are read from each stored state's JSON by SQL; the open items by
decoding the states that have items; the totals are then summed from those by SQL.

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
_OPEN_ITEMS = sa.table("contract_open_items", sa.column("contract_id"), sa.column("ref"),
                       sa.column("tenant_id"), sa.column("currency"), sa.column("kind"),
                       sa.column("due", sa.Date()), sa.column("amount_open",
                                                              sa.Numeric(19, 4)))


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
    op.create_table(
        "book_counts",
        sa.Column("tenant_id", Id, nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("access", sa.String(24), nullable=False),
        sa.Column("contracts", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"],
                                name="fk_book_counts_tenant_id_tenants"),
        sa.PrimaryKeyConstraint("tenant_id", "status", "access", name="pk_book_counts"),
    )
    op.create_table(
        "book_open",
        sa.Column("tenant_id", Id, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"],
                                name="fk_book_open_tenant_id_tenants"),
        sa.PrimaryKeyConstraint("tenant_id", "currency", "kind", "due", name="pk_book_open"),
    )
    op.create_table(
        "book_added",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("tenant_id", Id, nullable=False),
        sa.Column("contracts", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"],
                                name="fk_book_added_tenant_id_tenants"),
        sa.PrimaryKeyConstraint("id", name="pk_book_added"),
    )
    op.create_index("ix_book_added_tenant_id", "book_added", ["tenant_id"])
    op.create_table(
        "book_months",
        sa.Column("tenant_id", Id, nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("invoiced", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("cash", sa.BigInteger(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"],
                                name="fk_book_months_tenant_id_tenants"),
        sa.PrimaryKeyConstraint("tenant_id", "month", "currency", name="pk_book_months"),
    )
    _backfill()
    op.create_index("ix_contract_open_items_tenant_id_kind_due_contract_id",
                    "contract_open_items", ["tenant_id", "kind", "due", "contract_id"])
    op.create_index("ix_contract_runs_tenant_id_status_contract_id", "contract_runs",
                    ["tenant_id", "status", "contract_id"])
    op.create_index("ix_contract_runs_tenant_id_status_access", "contract_runs",
                    ["tenant_id", "status", "access"])


def _backfill() -> None:
    from termline.adapters.sql.codec import decode
    from termline.adapters.sql.jsontext import loads
    from termline.domain.engine.state import ContractState
    from termline.domain.values.money import ZERO

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
            "SELECT r.contract_id, r.tenant_id, c.currency, r.state FROM contract_runs r "
            "JOIN contracts c ON c.id = r.contract_id WHERE r.contract_id > :last "
            "ORDER BY r.contract_id LIMIT :n"), {"last": last, "n": CHUNK}).all()
        if not rows:
            break
        last = rows[-1][0]
        items = []
        for cid, tenant, cur, text in rows:
            if '"items"' not in text:
                continue  # an empty state (its default, left out): nothing open
            state: ContractState = decode(ContractState, loads(text))
            items += [{"contract_id": cid, "ref": it.ref, "tenant_id": tenant, "currency": cur,
                       "kind": it.kind, "due": it.due, "amount_open": it.open}
                      for it in state.items if it.open > ZERO]
        if items:
            conn.execute(sa.insert(_OPEN_ITEMS), items)
    # amounts in ten-thousandths, rounded from each stored value (a float on SQLite)
    units = "CAST(round(amount * 10000) AS BIGINT)"
    month = "to_char({}, 'YYYY-MM')" if conn.dialect.name == "postgresql" else \
        "strftime('%Y-%m', {})"
    conn.exec_driver_sql(
        "INSERT INTO book_months (tenant_id, month, currency, invoiced, cash) "
        f"SELECT tenant_id, {month.format('issued')}, currency, "
        f"sum(CASE WHEN kind = 'credit_note' THEN -{units} ELSE {units} END), 0 "
        "FROM documents "
        f"GROUP BY tenant_id, {month.format('issued')}, currency")
    # the payments' months, added to the documents' (a month may have either)
    for tenant, mon, cur, cash in conn.exec_driver_sql(
            f"SELECT tenant_id, {month.format('date')}, currency, sum({units}) FROM payments "
            f"GROUP BY tenant_id, {month.format('date')}, currency").all():
        done = conn.execute(sa.text(
            "UPDATE book_months SET cash = :cash WHERE tenant_id = :t AND month = :m "
            "AND currency = :c"), {"cash": cash, "t": tenant, "m": mon, "c": cur})
        if not done.rowcount:
            conn.execute(sa.text(
                "INSERT INTO book_months (tenant_id, month, currency, invoiced, cash) "
                "VALUES (:t, :m, :c, 0, :cash)"), {"cash": cash, "t": tenant, "m": mon,
                                                    "c": cur})
    conn.exec_driver_sql(
        "INSERT INTO book_counts (tenant_id, status, access, contracts) "
        "SELECT tenant_id, status, access, count(*) FROM contract_runs "
        "GROUP BY tenant_id, status, access")
    conn.exec_driver_sql(
        "INSERT INTO book_open (tenant_id, currency, kind, due, amount) "
        f"SELECT tenant_id, currency, kind, due, sum({units.replace('amount', 'amount_open')}) "
        "FROM contract_open_items "
        "GROUP BY tenant_id, currency, kind, due")


def downgrade() -> None:
    op.drop_index("ix_contract_runs_tenant_id_status_access", "contract_runs")
    op.drop_index("ix_contract_runs_tenant_id_status_contract_id", "contract_runs")
    op.drop_table("book_months")
    op.drop_index("ix_book_added_tenant_id", "book_added")
    op.drop_table("book_added")
    op.drop_table("book_open")
    op.drop_table("book_counts")
    op.drop_index("ix_contract_open_items_tenant_id_kind_due_contract_id",
                  "contract_open_items")
    op.drop_table("contract_open_items")
    with op.batch_alter_table("contract_runs") as batch:
        batch.drop_column("access")
        batch.drop_column("status")
