"""The console's tables (migration 0009): its users, their sessions, sign-in attempts, and the
secret that signs customers' links.

A password is kept only as its argon2 hash; a session only as the SHA-256 of its token (a
stolen database gives no usable cookie); the signing secret never leaves the store but as an
HMAC of a link.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    String,
    Table,
    UniqueConstraint,
)

from termline.adapters.sql.tables import (
    Id,
    contract_runs,
    contracts,
    customers,
    documents,
    metadata,
)

Stamp = DateTime(timezone=True)

console_users = Table(
    "console_users", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("tenant_id", ForeignKey("tenants.id"), nullable=False),
    Column("email", String(400), nullable=False),  # lower case
    Column("password_hash", String(200), nullable=False),  # argon2id, PHC string
    Column("role", String(16), nullable=False),  # admin | finance | viewer
    Column("created_at", Stamp, nullable=False),
    Column("disabled_at", Stamp),
    UniqueConstraint("email"),  # one sign-in form for every tenant: an address is one user
)

console_sessions = Table(
    "console_sessions", metadata,
    Column("token_hash", String(64), primary_key=True),  # SHA-256 of the cookie's token
    Column("user_id", ForeignKey("console_users.id"), nullable=False),
    Column("tenant_id", ForeignKey("tenants.id"), nullable=False),
    Column("csrf", String(64), nullable=False),  # the token every form of the session carries
    Column("created_at", Stamp, nullable=False),
    Column("expires_at", Stamp, nullable=False),
    Index(None, "user_id"),
)

# One row per attempt; the limit counts an address's failures in a sliding window.
console_signin_attempts = Table(
    "console_signin_attempts", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("address", String(64), nullable=False),  # the client's IP address
    Column("email", String(400), nullable=False),
    Column("at", Stamp, nullable=False),
    Column("ok", Boolean, nullable=False),
    Index(None, "address", "at"),
)

console_secrets = Table(
    "console_secrets", metadata,
    Column("name", String(64), primary_key=True),  # "customer_links"
    Column("secret", String(128), nullable=False),
    Column("created_at", Stamp, nullable=False),
)

# The console's lists filter and page in the database (migration 0009): a tenant's contracts in
# id order, a customer's contracts, customers by the start of their name, documents newest first.
Index("ix_contracts_tenant_id_id", contracts.c.tenant_id, contracts.c.id)
Index("ix_contracts_customer_id", contracts.c.customer_id)
# the set-aside contracts of a tenant, without reading the others (partial)
Index("ix_contract_runs_set_aside", contract_runs.c.tenant_id, contract_runs.c.contract_id,
      sqlite_where=contract_runs.c.problem.is_not(None),
      postgresql_where=contract_runs.c.problem.is_not(None))
Index("ix_customers_tenant_id_name", customers.c.tenant_id, customers.c.name)
Index("ix_documents_tenant_id_issued_id", documents.c.tenant_id, documents.c.issued,
      documents.c.id)
