"""The planner's statistics of the tables a run reads by batch, gathered again when stale.

PostgreSQL chooses each plan from the statistics `ANALYZE` gathers. Autovacuum gathers them
as tables change, but a server may run without it (the development servers of this project
have `autovacuum = off`), and after a bulk load it lags. With none, the planner prices
`contract_id = ANY(500 ids)` at a fixed share of the table and scans the table whole: in the
year of 100,000 contracts the batch's events look-up took 90 ms instead of 6, 192 s of the
server's time in all, and the allocations were scanned whole 1,800 times.

So the run itself analyzes, before it counts and claims (and again when a worker first
waits for the others' last batches of a day, `app.run`), each of these tables whose rows
changed (inserted, updated, deleted) by more than a tenth of the table since its statistics
were gathered, with a floor of 1,000 rows so that small tables are left alone: autovacuum's
own rule. Growth alone is not enough: the run rows are only updated, and with their
`next_due` histogram a month old the claim's count, minimum and batch scanned the run rows
whole (5,100 times in the year of 100,000; the year 237 -> 247 s). Where autovacuum keeps up
this finds nothing to do. One worker does it, the others go on (a try-lock); a table the role
may not analyze is skipped by PostgreSQL with a warning.
SQLite plans without statistics unless told to, and the run's statements are planned well
without them.
"""

from __future__ import annotations

from sqlalchemy import Connection

# the run's batch look-ups read these by contract (`driver_sql`, `event_repository`, `kept`,
# `numbering`, `projection`, `run_repository`)
RUN_TABLES = ("contracts", "contract_runs", "events", "event_voids", "actions", "invoices",
              "invoice_lines", "payments", "allocations", "documents", "contract_open_items")
_LOCK_SPACE = 20_21  # the advisory lock key's first half (`kept` uses 20_20)
_STALE = ("SELECT relname FROM pg_stat_user_tables "
          "WHERE schemaname = ANY(current_schemas(false)) AND relname = ANY(%s) "
          "AND n_mod_since_analyze > 1000 + 0.1 * n_live_tup ORDER BY relname")


def refresh(conn: Connection) -> list[str]:
    """ANALYZE, in the caller's transaction, the run's tables whose statistics are stale (see
    the module); their names. A table the role does not own is skipped by PostgreSQL itself
    with a warning."""
    if conn.dialect.name != "postgresql":
        return []
    if not conn.exec_driver_sql("SELECT pg_try_advisory_xact_lock(%s, 0)",
                                (_LOCK_SPACE,)).scalar():
        return []  # another worker is at it
    stale = [str(name) for name, in conn.exec_driver_sql(_STALE, (list(RUN_TABLES),))]
    for name in stale:
        conn.exec_driver_sql(f'ANALYZE "{name}"')  # a name of RUN_TABLES, never a caller's
    return stale
