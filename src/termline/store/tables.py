"""The store's tables (SQLAlchemy Core). The domain objects stay the engine's own classes.

JSON documents (contract, policy, event, state, action) are kept as text written by the
store itself, so key order and Decimal strings survive byte for byte on every database.
Money that is a column is NUMERIC(19,4); nothing is ever a float.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData(naming_convention={
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
})

# SQLite only auto-increments INTEGER PRIMARY KEY; PostgreSQL gets a BIGINT identity.
Id = BigInteger().with_variant(Integer(), "sqlite")
Money = Numeric(19, 4, asdecimal=True)

tenants = Table(
    "tenants", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("timezone", String(64), nullable=False),
    Column("settings", Text, nullable=False),  # JSON: statutory_rates, index_series
)

policy_versions = Table(
    "policy_versions", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("pack", String(200), nullable=False),
    Column("content_hash", String(64), nullable=False, unique=True),
    Column("policy", Text, nullable=False),  # JSON of the policy in force for the contract
)

customers = Table(
    "customers", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("tenant_id", ForeignKey("tenants.id"), nullable=False),
    Column("key", String(64), nullable=False),
    Column("name", String(400), nullable=False),
    Column("country", String(2)),
    Column("email", String(400)),
    UniqueConstraint("tenant_id", "key"),
)

contracts = Table(
    "contracts", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("tenant_id", ForeignKey("tenants.id"), nullable=False),
    Column("ref", String(200), nullable=False),
    Column("customer_id", ForeignKey("customers.id"), nullable=False),
    Column("policy_version_id", ForeignKey("policy_versions.id"), nullable=False),
    Column("start", Date, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("document", Text, nullable=False),  # JSON: the contract as given (lines, overrides)
    UniqueConstraint("tenant_id", "ref"),
)

events = Table(
    "events", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),  # received order
    Column("tenant_id", ForeignKey("tenants.id"), nullable=False),
    Column("contract_id", ForeignKey("contracts.id")),  # NULL: every contract of the tenant
    Column("date", Date, nullable=False),
    Column("type", String(64), nullable=False),
    Column("natural_key", String(100), nullable=False),
    Column("payload", Text, nullable=False),  # JSON, validated
    UniqueConstraint("tenant_id", "natural_key"),
    Index(None, "contract_id", "date"),
    Index(None, "tenant_id", "date"),
)

actions = Table(
    "actions", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),  # append order
    Column("tenant_id", ForeignKey("tenants.id"), nullable=False),
    Column("contract_id", ForeignKey("contracts.id"), nullable=False),
    Column("seq", Integer, nullable=False),  # the contract's n-th action
    Column("date", Date, nullable=False),
    Column("kind", String(64), nullable=False),
    Column("natural_key", String(200), nullable=False),
    Column("clauses", Text, nullable=False),  # JSON list
    Column("body", Text, nullable=False),  # JSON: exactly simulate's action object
    Column("amount", Money),
    Column("currency", String(3)),
    Column("policy_version_id", ForeignKey("policy_versions.id"), nullable=False),
    Column("cause_date", Date, nullable=False),  # the day whose step produced it
    Column("cause_events", Text, nullable=False),  # JSON list of the event ids of that day
    Column("recorded_on", Date, nullable=False),  # the run date that stored it
    UniqueConstraint("contract_id", "natural_key"),
    UniqueConstraint("contract_id", "seq"),
    Index(None, "tenant_id", "date"),
)

contract_runs = Table(
    "contract_runs", metadata,
    Column("contract_id", ForeignKey("contracts.id"), primary_key=True),
    Column("tenant_id", ForeignKey("tenants.id"), nullable=False),
    Column("state", Text, nullable=False),  # JSON of ContractState (generic codec)
    Column("cursor", Date, nullable=False),  # last day processed
    Column("next_due", Date, nullable=False),
    Column("recompute_from", Date),  # a back-dated event arrived: recompute from the start
    Column("action_count", Integer, nullable=False),
    Index(None, "tenant_id", "next_due"),
)
