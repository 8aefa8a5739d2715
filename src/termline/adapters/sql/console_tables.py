"""The console's tables (migration 0009): its users, their sessions, sign-in attempts, and the
secret that signs customers' links; and (0013) each contract's open items as the run keeps them
for the book's totals.

A password is kept only as its argon2 hash; a session only as the SHA-256 of its token (a
stolen database gives no usable cookie); the signing secret never leaves the store but as an
HMAC of a link.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
)

from termline.adapters.sql.tables import (
    Id,
    Money,
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
# A document's kept status (0014): the open (or paid) ones newest first, a page without
# reading the others.
Index("ix_documents_tenant_id_status_issued_id", documents.c.tenant_id, documents.c.status,
      documents.c.issued, documents.c.id)

# A contract's status and access as kept by the run (0013): a filter on a rare status reads
# only its contracts, in id order; the book's counts read the index alone.
Index("ix_contract_runs_tenant_id_status_contract_id", contract_runs.c.tenant_id,
      contract_runs.c.status, contract_runs.c.contract_id)
Index("ix_contract_runs_tenant_id_status_access", contract_runs.c.tenant_id,
      contract_runs.c.status, contract_runs.c.access)

# Each contract's open items (invoice, fee, interest with something open), written by the run
# in the transaction that stores the contract's state (`kept.keep`, migration 0013), and the
# tenant's totals moved by their differences: the book reads a few rows of `book_counts` and
# `book_open` instead of decoding every contract's state.
contract_open_items = Table(
    "contract_open_items", metadata,
    Column("contract_id", ForeignKey("contracts.id"), primary_key=True),
    Column("ref", String(200), primary_key=True),  # the item's ref in the state
    Column("tenant_id", ForeignKey("tenants.id"), nullable=False),
    Column("currency", String(3), nullable=False),  # the contract's
    Column("kind", String(16), nullable=False),  # invoice | fee | interest
    Column("due", Date, nullable=False),
    Column("amount_open", Money, nullable=False),  # amount - paid - credited, > 0
    # the contracts with late principal (their interest runs on: the book computes it)
    Index(None, "tenant_id", "kind", "due", "contract_id"),
)

# contracts by status and access as the run moved them (a new contract is counted in
# `book_added`: pending, no access, until its first stored state moves it here)
book_counts = Table(
    "book_counts", metadata,
    Column("tenant_id", ForeignKey("tenants.id"), primary_key=True),
    Column("status", String(24), primary_key=True),
    Column("access", String(24), primary_key=True),
    Column("contracts", Integer, nullable=False),
)

book_open = Table(
    "book_open", metadata,
    Column("tenant_id", ForeignKey("tenants.id"), primary_key=True),
    Column("currency", String(3), primary_key=True),
    Column("kind", String(16), primary_key=True),
    Column("due", Date, primary_key=True),
    # the sum of the open items' amount_open, in ten-thousandths (`kept.units`: exact)
    Column("amount", BigInteger, nullable=False),
)

# new contracts, a row per intake (insert only: concurrent intakes never wait on each other)
book_added = Table(
    "book_added", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("tenant_id", ForeignKey("tenants.id"), nullable=False),
    Column("contracts", Integer, nullable=False),
    Index(None, "tenant_id"),
)

# invoiced (documents incl. VAT, credit notes subtracted) and cash (payments) per month, added
# where the documents are numbered and the payments projected (`kept.add_to_months`)
book_months = Table(
    "book_months", metadata,
    Column("tenant_id", ForeignKey("tenants.id"), primary_key=True),
    Column("month", String(7), primary_key=True),  # YYYY-MM
    Column("currency", String(3), primary_key=True),
    # in ten-thousandths of the currency unit (`kept.units`: exact integers)
    Column("invoiced", BigInteger, nullable=False, server_default="0"),
    Column("cash", BigInteger, nullable=False, server_default="0"),
)

# documents by status and currency (0014): how many and their amount, moved where a document is
# numbered and where its kept status changes (`kept.keep_documents`): the invoices' totals of
# a filter on nothing but the status read these rows instead of every document
book_documents = Table(
    "book_documents", metadata,
    Column("tenant_id", ForeignKey("tenants.id"), primary_key=True),
    Column("status", String(16), primary_key=True),
    Column("currency", String(3), primary_key=True),
    Column("documents", Integer, nullable=False),
    Column("amount", BigInteger, nullable=False),  # ten-thousandths (`kept.units`)
)
