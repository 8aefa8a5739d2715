"""Every table of the store on one metadata: the core tables, the service's and the console's.

Each table module registers its tables on `tables.metadata` when it is imported; this module
imports them all, so the migrations' environment, the schema tests and the benchmarks see the
whole store whatever else happened to be imported before.
"""

from __future__ import annotations

from termline.adapters.sql import console_tables, service_tables
from termline.adapters.sql.tables import metadata

TABLE_MODULES = (service_tables, console_tables)  # imported for their tables on `metadata`

__all__ = ["TABLE_MODULES", "metadata"]
