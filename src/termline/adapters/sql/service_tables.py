"""The service's tables (migration 0006): API keys, idempotency, the audit trail, contract
metadata, webhook endpoints and the two outboxes with their delivery log.

The outboxes are filled in the transaction that appends the actions (`store.outbox`), so a
notice exists exactly when its action does. Timestamps are timezone-aware; an outbox row's
`created_at` is the database's clock at insert (the run itself reads no clock).
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
)

from termline.adapters.sql.tables import Id, metadata

Stamp = DateTime(timezone=True)

api_keys = Table(
    "api_keys", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("tenant_id", ForeignKey("tenants.id"), nullable=False),
    Column("public_id", String(32), nullable=False, unique=True),  # "key_" + this is the key id
    Column("salt", String(64), nullable=False),
    Column("hash", String(64), nullable=False),  # HMAC-SHA256(salt, key): the key itself is gone
    Column("scopes", Text, nullable=False),  # JSON list
    Column("created_at", Stamp, nullable=False),
    Column("revoked_at", Stamp),
)

idempotency_keys = Table(
    "idempotency_keys", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("tenant_id", ForeignKey("tenants.id"), nullable=False),
    Column("key", String(255), nullable=False),
    Column("request_hash", String(64), nullable=False),  # method, path and body
    Column("status", Integer, nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", Stamp, nullable=False),
    UniqueConstraint("tenant_id", "key"),
)

# Append-only: nothing updates or deletes a row.
audit_log = Table(
    "audit_log", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("tenant_id", ForeignKey("tenants.id"), nullable=False),
    Column("key_id", ForeignKey("api_keys.id")),  # NULL: the command line
    Column("at", Stamp, nullable=False),
    Column("method", String(8), nullable=False),
    Column("path", String(400), nullable=False),
    Column("status", Integer, nullable=False),
    Column("idempotency_key", String(255)),
    Column("request_hash", String(64), nullable=False),
    Index(None, "tenant_id", "id"),
)

contract_info = Table(
    "contract_info", metadata,
    Column("contract_id", ForeignKey("contracts.id"), primary_key=True),
    Column("tenant_id", ForeignKey("tenants.id"), nullable=False),
    Column("metadata", Text, nullable=False),  # JSON string map
    Column("language", String(8), nullable=False),  # the customer's: en, nl, fr, da
)

customer_info = Table(
    "customer_info", metadata,
    Column("customer_id", ForeignKey("customers.id"), primary_key=True),
    Column("tenant_id", ForeignKey("tenants.id"), nullable=False),
    Column("metadata", Text, nullable=False),  # JSON string map
)

webhook_endpoints = Table(
    "webhook_endpoints", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("tenant_id", ForeignKey("tenants.id"), nullable=False),
    Column("url", Text, nullable=False),
    Column("events", Text, nullable=False),  # JSON list of action kinds, or ["*"]
    Column("secret", String(100), nullable=False),  # whsec_...: signing needs it in clear
    Column("enabled", Boolean, nullable=False),
    Column("created_at", Stamp, nullable=False),
    Column("failing_since", Stamp),  # first failed attempt since the last success
    Column("disabled_at", Stamp),
    Index(None, "tenant_id", "id"),
)

webhook_deliveries = Table(
    "webhook_deliveries", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),  # order of the actions
    Column("tenant_id", ForeignKey("tenants.id"), nullable=False),
    Column("endpoint_id", ForeignKey("webhook_endpoints.id"), nullable=False),
    Column("contract_id", ForeignKey("contracts.id"), nullable=False),
    Column("action_key", String(200), nullable=False),
    Column("msg_id", String(64), nullable=False, unique=True),  # the webhook-id header
    Column("type", String(64), nullable=False),
    Column("data", Text, nullable=False),  # the action exactly as the ledger has it
    Column("created_at", Stamp, nullable=False, server_default=func.current_timestamp()),
    Column("status", String(16), nullable=False),  # pending, delivered, failed
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", Stamp, nullable=False,
           server_default=func.current_timestamp()),
    Column("delivered_at", Stamp),
    Index(None, "status", "next_attempt_at"),
    Index(None, "endpoint_id", "contract_id", "id"),
)

webhook_attempts = Table(
    "webhook_attempts", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("delivery_id", ForeignKey("webhook_deliveries.id"), nullable=False),
    Column("at", Stamp, nullable=False),
    Column("status_code", Integer),  # NULL: no answer (refused, timeout)
    Column("latency_ms", Integer, nullable=False),
    Column("response", Text, nullable=False),  # the first 500 characters, or the error
    Index(None, "delivery_id"),
)

emails = Table(
    "emails", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("tenant_id", ForeignKey("tenants.id"), nullable=False),
    Column("contract_id", ForeignKey("contracts.id")),
    Column("msg_id", String(64), nullable=False, unique=True),
    Column("kind", String(64), nullable=False),
    Column("to_addr", String(400), nullable=False),
    Column("subject", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", Stamp, nullable=False, server_default=func.current_timestamp()),
    Column("status", String(16), nullable=False),  # pending, sent, failed
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", Stamp, nullable=False,
           server_default=func.current_timestamp()),
    Column("sent_at", Stamp),
    Column("last_error", Text),
    # the tenant's sender (profile mail_from), NULL: the operator's; what to attach (JSON) (0011)
    Column("from_addr", String(400)),
    Column("attachments", Text),
    Index(None, "status", "next_attempt_at"),
)
