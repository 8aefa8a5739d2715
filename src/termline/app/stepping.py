"""What a step process of the pipelined run does (`pipeline`): decode a batch of due contracts
as the writer read them, step each through the pure core, encode what comes back.

It imports the pure core and the store's records only, not the store's driver: each
`run --jobs N` starts N such processes, and a spawned process imports the module of the
function it runs (`start`, `step_batch`); from the writer's module it imported SQLAlchemy and
Alembic as well, 0.80 s of imports against 0.49 s (docs/benchmarks.md, twenty-fifth round)."""

from __future__ import annotations

import gc
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, NamedTuple

from termline.adapters.sql.codec import Reuse, decode, encode
from termline.adapters.sql.jsontext import dumps, loads
from termline.adapters.sql.ledger_keys import keyed_bodies
from termline.adapters.sql.store_records import (
    DueRun,
    RawEvent,
    RunState,
    StoredEvent,
    Tenant,
    field_value,
    stored_event,
)
from termline.app.contract_day import acted_day
from termline.app.run_parts import (
    QUIET,
    RunReport,
    seller_country,
    tenant_tables,
    wave_bound,
    why_set_aside,
)
from termline.domain.contract.model import Contract
from termline.domain.engine.actions import Action
from termline.domain.engine.state import Context, ContractState
from termline.domain.mechanisms.pricing.series import IndexTable
from termline.domain.policy.schema import Policy
from termline.domain.policy.stored import policy_from_text
from termline.domain.rates.table import RateTable
from termline.domain.registry import bootstrap
from termline.domain.values.money import ZERO


class Stepped(NamedTuple):
    """What a step process computed for one contract: its next day, or why it failed.

    Sent back between processes, so it holds the new state as stored text (the writer decodes
    it, several times cheaper than unpickling the records) and the run row's columns, not the
    state or the contract (the writer has the contract's document); the actions go as their
    records (plain tuples saved a few µs a contract day on each side: docs/benchmarks.md,
    tenth round)."""

    contract_id: int
    ref: str
    cursor: date
    next_due: date
    recompute_from: date | None
    action_count: int
    # the day's actions; with one step process the writer keys them for the ledger
    # (`contract_day.keyed`), which spares the step process, as loaded as the writer on a
    # two-core day, an eighth of its work (`keys` below when the step processes key them)
    actions: list[Action]
    cause: tuple[int, ...]  # the ids of the events that caused them
    state_text: str  # the new state as stored ("" when the step failed)
    days: int
    problem: dict[str, Any] | None = None
    # what of the new state the writer decodes (`store_view`), when less than `state_text`
    view_text: str | None = None
    # the actions' ledger keys and bodies (`keyed_bodies`), when the step process keyed them
    keys: list[tuple[str, str]] | None = None


Task = tuple[Tenant, date, dict[int, str], list[tuple[DueRun, list[RawEvent]]], bool]

# each step process's own: the policies and tables it parsed, by version and tenant id
_policies: dict[int, Policy] = {}
_tables: dict[int, tuple[RateTable, IndexTable]] = {}


def step_batch(task: Task) -> list[Stepped]:
    """Decode, step and encode a part of a batch (runs in a step process; pure)."""
    tenant, until, policy_texts, rows, key = task
    tables = _tables.get(tenant.id) or _tables.setdefault(tenant.id, tenant_tables(tenant))
    out = []
    for row, raw in rows:
        policy = _policies.get(row.policy_version_id) or _policies.setdefault(
            row.policy_version_id, policy_from_text(policy_texts[row.policy_version_id]))
        events: list[StoredEvent] = []
        contract: Contract | None = None
        report = RunReport()
        reuse: Reuse = {}  # what of the state comes back unchanged is encoded as it was read
        try:
            # not through the store's cache of validated documents (`contract_document`), here
            # or in the writer: on a billing day each contract comes once, and keeping them all
            # made `--jobs 1` slower (300,000 contracts: 24.3-26.3 s against 22.4-22.6 s)
            contract = Contract.model_validate_json(row.document)
            events = [stored_event(*e) for e in raw]
            old = RunState(row.contract_id, decode(ContractState, loads(row.state), reuse),
                           row.cursor, row.next_due, None, row.action_count)
            new, acts, cause = acted_day(Context(contract, policy, tables[0], tables[1],
                                                 seller_country(tenant)), old, events,
                                         wave_bound(old, until), report, until)
            data = encode(new.state, ContractState, reuse)
            view = store_view(data, new.state, acts)
            out.append(Stepped(row.contract_id, contract.id, new.cursor, new.next_due,
                               new.recompute_from, new.action_count, acts, cause,
                               dumps(data), report.days,
                               view_text=None if view is data else dumps(view),
                               keys=keyed_bodies(acts) if key else None))
        except Exception as exc:  # one contract's failure never stops the book
            out.append(Stepped(row.contract_id, contract.id if contract else f"#{row.contract_id}",
                               row.cursor, row.next_due, row.recompute_from, row.action_count,
                               [], (), "", report.days,
                               why_set_aside(exc, getattr(exc, "day", None), events, row.cursor)))
    return out


# The fields of a new state the store reads (`store_view` says which part reads which)
STORE_READS = frozenset({"status", "access", "items", "steps_done"})


def store_view(data: Mapping[str, object], state: ContractState, acts: Sequence[Action]
               ) -> Mapping[str, object]:
    """Of a new state's JSON (`data`, the encoding of `state`), what the writer decodes: the
    fields it reads (`STORE_READS`), with only the items that are open or named by the day's
    actions (`acts`).

    The store reads no more of a stored day's state: the status, access and open items
    (`kept.keep`), the item each action names (`projection`: the invoice issued, the item a
    payment or a return moved), the open items and the steps done (`dues`, a reminder's
    letter). A year's state carries every settled invoice, fee and interest document of its
    months, and the mechanisms' own states (term, pricing, SLA windows), which the writer
    decoded each day for nothing."""
    named = {field_value(a, "ref") for a in acts}
    keep = [i for i, item in enumerate(state.items) if item.open > ZERO or item.ref in named]
    whole = len(keep) == len(state.items)
    if whole and STORE_READS.issuperset(data):
        return data
    view = {key: value for key, value in data.items() if key in STORE_READS and key != "items"}
    if keep:
        items = data["items"]
        assert isinstance(items, list)  # the encoding of a tuple of records
        view["items"] = items if whole else [items[i] for i in keep]
    return view


def start() -> None:
    """The mechanisms installed, and `quiet_collector` for the whole life of a step process,
    which does nothing else."""
    bootstrap()
    gc.freeze()
    gc.set_threshold(*QUIET)
