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
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
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
    # the tenant's local day it was added: no notice for an action dated before (migration 0011)
    Column("added_on", Date),
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
    # a tenant's broadcast events (contract_id NULL) without walking its contracts' (0003)
    Index(None, "tenant_id", "contract_id", "date"),
)

# The ledger's tables (actions, invoices, payments, allocations, documents) carry the contract's
# tenant and policy version as plain copies, checked through the contract's own keys: a key to
# the shared tenant and policy rows would lock those rows for every row the run writes, so that
# concurrent workers queue on one tenant row (PostgreSQL; migration 0007).
actions = Table(
    "actions", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),  # append order
    Column("tenant_id", Id, nullable=False),
    Column("contract_id", ForeignKey("contracts.id"), nullable=False),
    Column("seq", Integer, nullable=False),  # the contract's n-th action
    Column("date", Date, nullable=False),
    Column("kind", String(64), nullable=False),
    Column("natural_key", String(200), nullable=False),
    Column("clauses", Text, nullable=False),  # JSON list
    Column("body", Text, nullable=False),  # JSON: exactly simulate's action object
    Column("amount", Money),
    Column("currency", String(3)),
    Column("policy_version_id", Id, nullable=False),
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
    # why the run set this contract aside (JSON: error, day, events), NULL when it runs (0004)
    Column("problem", Text),
    # the state's status and access, written with it (0013): the console filters and counts them
    Column("status", String(24), nullable=False, server_default="pending"),
    Column("access", String(24), nullable=False, server_default="none"),
    # the claim's order (most overdue first, then by id) read straight off the index (0003)
    Index(None, "tenant_id", "next_due", "contract_id"),
)


# --- invoices, payments, allocations (migration 0002) -------------------------------------
# A projection of the ledger, written in the transaction that appends the actions
# (`store.projection`). Append-only like the ledger: a correction adds rows and never deletes
# or updates one, so an invoice or allocation whose action was later corrected stays, and the
# ledger's `action_corrected` (natural key "correction|" + the original's) says so. Each row
# names its action by the contract's natural key, a foreign key into `actions`: a replay can
# never insert it twice.

# Metered quantities and unit prices may go below the cent (e.g. 0.0125 per GB).
Quantity = Numeric(19, 6, asdecimal=True)

invoices = Table(
    "invoices", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("tenant_id", Id, nullable=False),
    Column("contract_id", ForeignKey("contracts.id"), nullable=False),
    Column("ref", String(200), nullable=False),
    # 0 for an invoice number's first issue; a recompute that issues the number again with
    # other content (a back-dated seat change) appends revision 1, 2, ...
    Column("revision", Integer, nullable=False),
    Column("kind", String(32), nullable=False),  # subscription, stub, proration, usage, ...
    Column("issued", Date, nullable=False),
    Column("due", Date, nullable=False),
    Column("period_start", Date),
    Column("period_end", Date),
    Column("amount", Money, nullable=False),  # the total including VAT: the open item
    Column("currency", String(3), nullable=False),
    Column("action_key", String(200), nullable=False),  # its invoice_issued action
    Column("policy_version_id", Id, nullable=False),
    Column("vat", Money, nullable=False, server_default="0"),  # 0008: the VAT in amount
    UniqueConstraint("contract_id", "ref", "revision"),
    UniqueConstraint("contract_id", "action_key"),
    ForeignKeyConstraint(["contract_id", "action_key"],
                         ["actions.contract_id", "actions.natural_key"]),
    Index(None, "tenant_id", "issued"),
)

invoice_lines = Table(
    "invoice_lines", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    # the invoice by its natural key, so a batch of lines needs no ids back from the database
    Column("contract_id", Id, nullable=False),
    Column("invoice_key", String(200), nullable=False),  # invoices.action_key
    Column("position", Integer, nullable=False),  # 1, 2, ... in the invoice's order
    Column("item", String(200), nullable=False),
    Column("quantity", Quantity, nullable=False),
    Column("unit_price", Quantity, nullable=False),
    Column("amount", Money, nullable=False),
    UniqueConstraint("contract_id", "invoice_key", "position"),
    ForeignKeyConstraint(["contract_id", "invoice_key"],
                         ["invoices.contract_id", "invoices.action_key"]),
)

payments = Table(
    "payments", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("tenant_id", Id, nullable=False),
    Column("contract_id", ForeignKey("contracts.id"), nullable=False),
    Column("event_id", ForeignKey("events.id"), nullable=False, unique=True),
    Column("date", Date, nullable=False),
    Column("amount", Money, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("reference", Text),
    Index(None, "tenant_id", "date"),
)

allocations = Table(
    "allocations", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("tenant_id", Id, nullable=False),
    Column("contract_id", ForeignKey("contracts.id"), nullable=False),
    # NULL unless source is "payment": money from credit, an SLA credit or a defect refund.
    Column("payment_id", ForeignKey("payments.id")),
    # payment, credit, sla_credit, defect_refund, credit_note
    Column("source", String(16), nullable=False),
    Column("item_ref", String(200), nullable=False),
    Column("item_kind", String(16), nullable=False),  # invoice, fee, interest
    Column("date", Date, nullable=False),
    Column("amount", Money, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("action_key", String(200), nullable=False),  # its payment_applied action
    UniqueConstraint("contract_id", "action_key"),
    ForeignKeyConstraint(["contract_id", "action_key"],
                         ["actions.contract_id", "actions.natural_key"]),
    Index(None, "payment_id"),
    Index(None, "contract_id", "item_ref"),
)


# --- corrections (migration 0004) ---------------------------------------------------------
# An event an operator withdrew. The log itself is never edited: the run reads it without the
# voided events and recomputes what they had caused (`action_corrected`).
event_voids = Table(
    "event_voids", metadata,
    Column("event_id", ForeignKey("events.id"), primary_key=True),
    Column("tenant_id", ForeignKey("tenants.id"), nullable=False),
    Column("reason", Text, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)


# Events the API stored and the run has not yet taken into the contracts' run rows (0015): the
# request only appends here, never waiting for a worker that holds the contract's run row; the
# run takes them (`Runs.take_notes`) before it counts and claims. No foreign keys: an insert
# would lock the contract's and the tenant's rows for key share.
event_notes = Table(
    "event_notes", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("tenant_id", Id, nullable=False),
    Column("contract_id", Id),  # NULL: every contract of the tenant (a broadcast event)
    Column("day", Date, nullable=False),
)


# --- the run's schedule (migration 0003) ---------------------------------------------------
# How far each tenant's book has been run. A contract not due by then has nothing happen to it
# between its cursor and this date, so its state (balances, deadlines) holds as of this date.
tenant_runs = Table(
    "tenant_runs", metadata,
    Column("tenant_id", ForeignKey("tenants.id"), primary_key=True),
    Column("run_through", Date, nullable=False),
)


# --- legal documents, their files and bank statement lines (migration 0005) ----------------
# Numbers are gapless per tenant, series and year: `document_series` holds the last number
# given; the run takes the next ones in the transaction that stores the invoice, so a rolled
# back run gives its numbers back and a committed one never gives them again.
document_series = Table(
    "document_series", metadata,
    Column("tenant_id", ForeignKey("tenants.id"), primary_key=True),
    Column("series", String(40), primary_key=True),  # the prefix: invoices', credit notes'
    Column("year", Integer, primary_key=True),  # 0 where the tenant numbers across years
    Column("last", Integer, nullable=False),
)

documents = Table(
    "documents", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("tenant_id", Id, nullable=False),
    Column("contract_id", ForeignKey("contracts.id"), nullable=False),
    Column("number", String(64), nullable=False),
    Column("kind", String(16), nullable=False),  # invoice | credit_note
    Column("reason", String(32), nullable=False),  # invoice kind, or sla_credit, correction...
    Column("issued", Date, nullable=False),
    Column("due", Date, nullable=False),
    # the action behind it: the invoice_issued (an invoice, or the invoice a correction
    # credits) or the payment_applied of a settlement
    Column("action_key", String(200), nullable=False),
    Column("source_ref", String(200), nullable=False),  # engine item ref or settlement label
    Column("amount", Money, nullable=False),  # VAT-exclusive, as the engine counts it
    Column("currency", String(3), nullable=False),
    # the legal number of the invoice a credit note corrects or a fee, interest or charge
    # document arises from (EN 16931 BT-25)
    Column("credit_note_for", String(64)),
    Column("payment_reference", String(64), nullable=False),  # OGM digits or the number
    # kept where documents and allocations are written (`kept.keep_documents`, migration
    # 0014): what is still open of it (amount - uncorrected allocations to its engine item,
    # 0 for a credit note, a replaced revision or an invoice a correction cancels) and its
    # status then: open | paid | credited | replaced | credit_note
    Column("open_amount", Money, nullable=False, server_default="0"),
    Column("status", String(16), nullable=False, server_default="paid"),
    UniqueConstraint("tenant_id", "number"),
    UniqueConstraint("contract_id", "kind", "action_key"),
    Index(None, "tenant_id", "payment_reference"),
    Index(None, "contract_id", "source_ref"),
)

# Rendered files, stored once by content (SHA-256); a document names its UBL and PDF.
blobs = Table(
    "blobs", metadata,
    Column("sha256", String(64), primary_key=True),
    Column("media_type", String(64), nullable=False),
    Column("content", LargeBinary, nullable=False),
)

document_files = Table(
    "document_files", metadata,
    Column("document_id", ForeignKey("documents.id"), primary_key=True),
    Column("format", String(8), primary_key=True),  # ubl | pdf
    Column("sha256", ForeignKey("blobs.sha256"), nullable=False),
)

# Credit lines of imported bank statements; the bank's entry reference is the natural key.
bank_entries = Table(
    "bank_entries", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("tenant_id", ForeignKey("tenants.id"), nullable=False),
    Column("entry_ref", String(200), nullable=False),
    Column("booked", Date, nullable=False),
    Column("amount", Money, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("debtor", String(400)),
    Column("structured_ref", String(64)),
    Column("text", Text),
    Column("status", String(16), nullable=False),  # matched | unmatched
    Column("document_number", String(64)),
    Column("event_id", ForeignKey("events.id")),
    UniqueConstraint("tenant_id", "entry_ref"),
)

# What each bank line paid (migration 0010): one row per (line, document), with how it was
# matched and the payment event it became; a returned direct debit finds its payment here.
bank_matches = Table(
    "bank_matches", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("tenant_id", ForeignKey("tenants.id"), nullable=False),
    Column("entry_id", ForeignKey("bank_entries.id"), nullable=False),
    Column("document_number", String(64), nullable=False),
    Column("amount", Money, nullable=False),  # of the bank line, VAT included
    Column("by", String(16), nullable=False),  # reference | number | amount | manual
    Column("event_id", ForeignKey("events.id"), nullable=False, unique=True),
    Index(None, "tenant_id", "document_number"),
    Index(None, "entry_id"),
)
