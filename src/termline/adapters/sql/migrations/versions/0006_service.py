"""The service: API keys, idempotency keys, the audit trail, customer and contract metadata, webhook
endpoints, the webhook and e-mail outboxes and the delivery log.

Nothing to backfill: the outboxes fill from the next stored day on (actions stored before the
upgrade are not announced).

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Stamp = sa.DateTime(timezone=True)
NOW = sa.text("CURRENT_TIMESTAMP")


def _id() -> sa.Column[int]:
    return sa.Column("id", Id, autoincrement=True, nullable=False)


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"],
                                   name=f"fk_{table}_{column}_{target}")


def upgrade() -> None:
    op.create_table(
        "api_keys", _id(),
        sa.Column("tenant_id", Id, nullable=False),
        sa.Column("public_id", sa.String(32), nullable=False),
        sa.Column("salt", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("scopes", sa.Text(), nullable=False),
        sa.Column("created_at", Stamp, nullable=False),
        sa.Column("revoked_at", Stamp),
        sa.PrimaryKeyConstraint("id", name="pk_api_keys"),
        _fk("api_keys", "tenant_id", "tenants"),
        sa.UniqueConstraint("public_id", name="uq_api_keys_public_id"),
    )
    op.create_table(
        "idempotency_keys", _id(),
        sa.Column("tenant_id", Id, nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", Stamp, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_idempotency_keys"),
        _fk("idempotency_keys", "tenant_id", "tenants"),
        sa.UniqueConstraint("tenant_id", "key", name="uq_idempotency_keys_tenant_id_key"),
    )
    op.create_table(
        "audit_log", _id(),
        sa.Column("tenant_id", Id, nullable=False),
        sa.Column("key_id", Id),
        sa.Column("at", Stamp, nullable=False),
        sa.Column("method", sa.String(8), nullable=False),
        sa.Column("path", sa.String(400), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(255)),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
        _fk("audit_log", "tenant_id", "tenants"),
        _fk("audit_log", "key_id", "api_keys"),
    )
    op.create_index("ix_audit_log_tenant_id_id", "audit_log", ["tenant_id", "id"])
    op.create_table(
        "contract_info",
        sa.Column("contract_id", Id, nullable=False),
        sa.Column("tenant_id", Id, nullable=False),
        sa.Column("metadata", sa.Text(), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.PrimaryKeyConstraint("contract_id", name="pk_contract_info"),
        _fk("contract_info", "contract_id", "contracts"),
        _fk("contract_info", "tenant_id", "tenants"),
    )
    op.create_table(
        "customer_info",
        sa.Column("customer_id", Id, nullable=False),
        sa.Column("tenant_id", Id, nullable=False),
        sa.Column("metadata", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("customer_id", name="pk_customer_info"),
        _fk("customer_info", "customer_id", "customers"),
        _fk("customer_info", "tenant_id", "tenants"),
    )
    op.create_table(
        "webhook_endpoints", _id(),
        sa.Column("tenant_id", Id, nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("events", sa.Text(), nullable=False),
        sa.Column("secret", sa.String(100), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", Stamp, nullable=False),
        sa.Column("failing_since", Stamp),
        sa.Column("disabled_at", Stamp),
        sa.PrimaryKeyConstraint("id", name="pk_webhook_endpoints"),
        _fk("webhook_endpoints", "tenant_id", "tenants"),
    )
    op.create_index("ix_webhook_endpoints_tenant_id_id", "webhook_endpoints",
                    ["tenant_id", "id"])
    op.create_table(
        "webhook_deliveries", _id(),
        sa.Column("tenant_id", Id, nullable=False),
        sa.Column("endpoint_id", Id, nullable=False),
        sa.Column("contract_id", Id, nullable=False),
        sa.Column("action_key", sa.String(200), nullable=False),
        sa.Column("msg_id", sa.String(64), nullable=False),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("created_at", Stamp, nullable=False, server_default=NOW),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", Stamp, nullable=False, server_default=NOW),
        sa.Column("delivered_at", Stamp),
        sa.PrimaryKeyConstraint("id", name="pk_webhook_deliveries"),
        _fk("webhook_deliveries", "tenant_id", "tenants"),
        _fk("webhook_deliveries", "endpoint_id", "webhook_endpoints"),
        _fk("webhook_deliveries", "contract_id", "contracts"),
        sa.UniqueConstraint("msg_id", name="uq_webhook_deliveries_msg_id"),
    )
    op.create_index("ix_webhook_deliveries_status_next_attempt_at", "webhook_deliveries",
                    ["status", "next_attempt_at"])
    op.create_index("ix_webhook_deliveries_endpoint_id_contract_id_id", "webhook_deliveries",
                    ["endpoint_id", "contract_id", "id"])
    op.create_table(
        "webhook_attempts", _id(),
        sa.Column("delivery_id", Id, nullable=False),
        sa.Column("at", Stamp, nullable=False),
        sa.Column("status_code", sa.Integer()),
        sa.Column("latency_ms", sa.Integer(), nullable=False),
        sa.Column("response", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_webhook_attempts"),
        _fk("webhook_attempts", "delivery_id", "webhook_deliveries"),
    )
    op.create_index("ix_webhook_attempts_delivery_id", "webhook_attempts", ["delivery_id"])
    op.create_table(
        "emails", _id(),
        sa.Column("tenant_id", Id, nullable=False),
        sa.Column("contract_id", Id),
        sa.Column("msg_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("to_addr", sa.String(400), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", Stamp, nullable=False, server_default=NOW),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", Stamp, nullable=False, server_default=NOW),
        sa.Column("sent_at", Stamp),
        sa.Column("last_error", sa.Text()),
        sa.PrimaryKeyConstraint("id", name="pk_emails"),
        _fk("emails", "tenant_id", "tenants"),
        _fk("emails", "contract_id", "contracts"),
        sa.UniqueConstraint("msg_id", name="uq_emails_msg_id"),
    )
    op.create_index("ix_emails_status_next_attempt_at", "emails", ["status", "next_attempt_at"])


def downgrade() -> None:
    for index, table in (("ix_emails_status_next_attempt_at", "emails"),
                         ("ix_webhook_attempts_delivery_id", "webhook_attempts"),
                         ("ix_webhook_deliveries_endpoint_id_contract_id_id",
                          "webhook_deliveries"),
                         ("ix_webhook_deliveries_status_next_attempt_at", "webhook_deliveries"),
                         ("ix_webhook_endpoints_tenant_id_id", "webhook_endpoints"),
                         ("ix_audit_log_tenant_id_id", "audit_log")):
        op.drop_index(index, table)
    for table in ("emails", "webhook_attempts", "webhook_deliveries", "webhook_endpoints",
                  "customer_info", "contract_info", "audit_log", "idempotency_keys", "api_keys"):
        op.drop_table(table)
