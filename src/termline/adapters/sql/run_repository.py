"""Run state: each contract's state, cursor and next acting day; claims, optimistic saves,
contracts set aside, and how an arriving event makes its contract due."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)

from termline.adapters.sql import planner_stats
from termline.adapters.sql import tables as t
from termline.adapters.sql.codec import Reuse, decode, encode
from termline.adapters.sql.driver_sql import Reads
from termline.adapters.sql.jsontext import dumps, loads
from termline.adapters.sql.kept import Kept, keep
from termline.adapters.sql.sql_rows import SqlRows
from termline.adapters.sql.store_records import (
    NEVER,
    DueRun,
    RunState,
    StoredContract,
    claimable,
    contract_document,
)
from termline.domain.engine.state import ContractState

_RUN = t.contract_runs.c
# status and access are the state's, kept as columns for the console (0013). A row is stored
# if its cursor and action count are still what was read (`save_runs`), or its whole mark and
# it is not set aside (`save_stepped`)
_SAVE_RUNS_SQLITE = (
    "UPDATE contract_runs SET state = ?, cursor = ?, next_due = ?, recompute_from = ?, "
    "action_count = ?, status = ?, access = ?, problem = NULL "
    "WHERE contract_id = ? AND cursor = ? AND action_count = ?")
_STEPPED = " AND next_due = ? AND recompute_from IS ? AND problem IS NULL"
_SAVE_STEPPED_SQLITE = _SAVE_RUNS_SQLITE + _STEPPED
# the same for rows whose status and access stay as stored: SQLite moves an index's entry for
# every column its UPDATE sets, equal or not, and the two indexes on status each dirtied a page
# of their own for most contract days (a year's day: 9 % of the pages its commit wrote)
_STATUS_COLUMNS = ", status = ?, access = ?"
_SAVE_RUNS_SAME_SQLITE = _SAVE_RUNS_SQLITE.replace(_STATUS_COLUMNS, "")
_SAVE_STEPPED_SAME_SQLITE = _SAVE_RUNS_SAME_SQLITE + _STEPPED
_SAVE_PG = (
    "UPDATE contract_runs AS r SET state = v.state, cursor = v.cursor, next_due = v.next_due, "
    "recompute_from = v.recompute_from, action_count = v.action_count, status = v.status, "
    "access = v.access, problem = NULL "
    "FROM unnest(%b::text[], %b::date[], %b::date[], %b::date[], %b::int[], %b::text[], "
    "%b::text[], %b::bigint[], %b::date[], %b::int[]{more}) AS v(state, cursor, next_due, "
    "recompute_from, action_count, status, access, cid, old_cursor, old_count{names}) "
    "WHERE r.contract_id = v.cid AND r.cursor = v.old_cursor AND r.action_count = v.old_count")
_SAVE_RUNS_PG = _SAVE_PG.format(more="", names="")
_SAVE_STEPPED_PG = _SAVE_PG.format(
    more=", %b::date[], %b::date[]", names=", old_next_due, old_recompute") + (
    " AND r.next_due = v.old_next_due AND r.recompute_from IS NOT DISTINCT FROM "
    "v.old_recompute AND r.problem IS NULL")
# `claim` and `claim_ids` as the driver's text (`driver_sql`): a run claims its whole book
# through them, and SQLAlchemy built a typed `Row` for each contract. On SQLite the unit of
# work holds the write lock from its BEGIN, so no FOR UPDATE.
_WITH_CONTRACT = "FROM contract_runs AS r JOIN contracts AS c ON c.id = r.contract_id "
# a tenant's contracts due by a day, the most overdue first: the claiming and pipelined runs'
_DUE_BY = "WHERE r.tenant_id = {p} AND r.next_due <= {p} "
_MOST_DUE_FIRST = "ORDER BY r.next_due, r.contract_id LIMIT {p}"
_MOST_DUE = _DUE_BY + _MOST_DUE_FIRST
_CLAIMED = ("SELECT r.contract_id, r.state, r.cursor, r.next_due, r.recompute_from, "
            "r.action_count, r.problem, c.tenant_id, c.document, c.policy_version_id, "
            "c.currency, r.status, r.access " + _WITH_CONTRACT)
_CLAIM_SQLITE = _CLAIMED + _MOST_DUE
_CLAIM_PG = _CLAIM_SQLITE + " FOR UPDATE OF r SKIP LOCKED"
_CLAIM_IDS_SQLITE = _CLAIMED + "WHERE r.contract_id IN {in} ORDER BY r.contract_id"
_CLAIM_IDS_PG = _CLAIM_IDS_SQLITE + " FOR UPDATE OF r"
# the pipelined run's reads (`app.pipeline`): the due rows as stored, and their marks again;
# the database leaves out the rows in flight before reading their state and document (a batch
# read those of the two batches sent ahead too, twice its own rows, to drop them)
_DUE_RUNS = ("SELECT r.contract_id, c.tenant_id, c.policy_version_id, c.start, c.document, "
             "r.state, r.cursor, r.next_due, r.recompute_from, r.action_count, c.currency, "
             "r.status, r.access "
             + _WITH_CONTRACT + _DUE_BY + "AND NOT (r.contract_id IN {in}) " + _MOST_DUE_FIRST)
_RUN_MARKS = ("SELECT contract_id, cursor, next_due, recompute_from, action_count "
              "FROM contract_runs WHERE contract_id IN {in} AND problem IS NULL")


class SqlRuns(SqlRows):
    def __init__(self, connection: Connection) -> None:
        super().__init__(connection)
        # the states claimed in this unit of work, as decoded: `save_runs` encodes what of
        # their successors is unchanged as the text it was read from (`codec.Reuse`)
        self._claimed: Reuse = {}
        # and what the console's kept rows start from (`kept.keep`), read with them: a claimed
        # row is locked until the unit of work ends, so it stands until its contract is saved
        self._kept: dict[int, Kept] = {}

    def note_event(self, tenant_id: int, contract_id: int | None, day: date) -> None:
        """An event dated `day` arrived (or was voided): make its contract(s) due, and
        recompute if back-dated.

        The run rows are locked first. A worker that has claimed the contract holds its row
        until the day it computes is stored, and it read the event log before this event was
        committed: waiting for it here means the conditions below see the cursor it stored,
        so an event dated before that cursor triggers the recompute instead of being passed
        over (PostgreSQL; on SQLite the write lock already serialises the two).
        """
        self._note({(tenant_id, contract_id): day})

    def _note(self, earliest: dict[tuple[int, int | None], date]) -> None:
        """`note_event` for each (tenant, contract or None for all) with its earliest day: the
        rows locked in one statement in contract order, the order every writer takes them."""
        r = t.contract_runs.c
        ones = {contract: day for (_, contract), day in earliest.items() if contract is not None}
        whole = {tenant: day for (tenant, contract), day in earliest.items() if contract is None}
        self.conn.execute(select(r.contract_id).where(
            or_(r.contract_id.in_(sorted(ones)), r.tenant_id.in_(sorted(whole))))
            .order_by(r.contract_id).with_for_update())
        note_days(self.conn, r.contract_id, ones)
        note_days(self.conn, r.tenant_id, whole)

    def defer_note(self, tenant_id: int, contract_id: int | None, day: date) -> None:
        """`note_event` left to the run (`take_notes`): the API's request appends a note
        instead of waiting for a worker that holds the contract's run row from its claim to
        its commit (a stream of payments queued behind the scheduler's batches)."""
        self.conn.execute(insert(t.event_notes).values(
            tenant_id=tenant_id, contract_id=contract_id, day=day))

    def take_notes(self) -> int:
        """The notes `defer_note` left, applied as `note_event` and removed in this
        transaction: how many. A note committed after this statement is taken next time."""
        n = t.event_notes.c
        rows = self.conn.execute(delete(t.event_notes).returning(
            n.tenant_id, n.contract_id, n.day)).all()
        earliest: dict[tuple[int, int | None], date] = {}
        for tenant_id, contract_id, day in rows:
            key = (int(tenant_id), None if contract_id is None else int(contract_id))
            earliest[key] = min(day, earliest.get(key, day))
        if earliest:
            self._note(earliest)
        return len(rows)

    def count_due(self, tenant_id: int, until: date) -> int:
        r = t.contract_runs.c
        return int(self.conn.execute(select(func.count()).select_from(t.contract_runs).where(
            r.tenant_id == tenant_id, r.next_due <= claimable(until))).scalar_one())

    def refresh_statistics(self) -> list[str]:
        """PostgreSQL's statistics of the run's tables, when stale (`planner_stats`)."""
        return planner_stats.refresh(self.conn)

    def claim(self, tenant_id: int, until: date, limit: int = 1
              ) -> list[tuple[StoredContract, RunState]]:
        """Up to `limit` of the tenant's most overdue contracts, locked for this transaction.

        On PostgreSQL the rows are taken `FOR UPDATE SKIP LOCKED`: concurrent workers each get
        other contracts. On SQLite the transaction holds the write lock from its start (see
        `store.db`), so workers take turns; the optimistic check of `save_runs` stays as a
        guard either way.
        """
        wave = self.wave(tenant_id, until)
        if wave is None:
            return []
        return self._locked(_CLAIM_PG if self.conn.dialect.name == "postgresql"
                            else _CLAIM_SQLITE, tenant_id, wave, limit)

    def wave(self, tenant_id: int, until: date) -> date | None:
        """The earliest day a contract of the tenant is due (locked or not), or None.

        A run takes the book a day at a time: it claims only the contracts due on the earliest
        due day, so every document of one day is numbered before any of a later day, also on
        a catch-up run over many months and with several workers (a worker waits while another
        holds the last contracts of the day). Legal numbering is chronological per series.
        """
        r = t.contract_runs.c
        found = self.conn.execute(select(func.min(r.next_due)).where(
            r.tenant_id == tenant_id, r.next_due <= claimable(until))).scalar()
        return found if found is None or isinstance(found, date) \
            else date.fromisoformat(str(found))

    def _locked(self, template: str, *params: object) -> list[tuple[StoredContract, RunState]]:
        """The claimed rows (`_CLAIMED` columns), read through the driver (`driver_sql`)."""
        reads = Reads(self.conn)
        day = reads.day
        claimed = []
        for cid, state, cursor, next_due, recompute_from, action_count, problem, tenant_id, \
                document, version, currency, status, access in reads.rows(template, *params):
            self._kept[cid] = (tenant_id, currency, status, access)
            claimed.append((StoredContract(cid, tenant_id, contract_document(document), version),
                            RunState(cid, decode(ContractState, loads(state), self._claimed),
                                     day(cursor), day(next_due), day(recompute_from),
                                     action_count, json.loads(problem) if problem else None)))
        return claimed

    def due_runs(self, tenant_id: int, until: date, limit: int, skip: Collection[int] = ()
                 ) -> list[DueRun]:
        """Up to `limit` of the tenant's most overdue contracts as stored, leaving out `skip`
        (those in flight), without locking: for a single writer that checks each row again
        before it stores what it computed from it (`run_marks`)."""
        wave = self.wave(tenant_id, until)  # a day at a time, as `claim`
        if wave is None:
            return []
        reads = Reads(self.conn)
        day = reads.day
        return [DueRun(cid, tenant, version, day(start), document, state, day(cursor),
                       day(next_due), day(recompute_from), action_count, currency, status,
                       access)
                for cid, tenant, version, start, document, state, cursor, next_due,
                recompute_from, action_count, currency, status, access
                in reads.rows(_DUE_RUNS, tenant_id, wave, sorted(skip), limit)]

    def run_marks(self, contract_ids: Sequence[int]
                  ) -> dict[int, tuple[date, date, date | None, int]]:
        """What `DueRun.mark` was when read, now (set-aside contracts left out)."""
        reads = Reads(self.conn)
        day = reads.day
        return {cid: (day(cursor), day(next_due), day(recompute_from), action_count)
                for cid, cursor, next_due, recompute_from, action_count
                in reads.rows(_RUN_MARKS, list(contract_ids))}

    def claim_ids(self, contract_ids: Sequence[int]) -> list[tuple[StoredContract, RunState]]:
        """These contracts, locked for this transaction (waiting for another holder)."""
        return self._locked(_CLAIM_IDS_PG if self.conn.dialect.name == "postgresql"
                            else _CLAIM_IDS_SQLITE, sorted(contract_ids))

    def set_aside(self, contract_id: int, problem: dict[str, Any]) -> None:
        """Stop running the contract until its input is corrected (`note_event`) or it is
        resumed: the claim passes over it, the rest of the book runs on."""
        self.conn.execute(update(t.contract_runs)
                          .where(t.contract_runs.c.contract_id == contract_id)
                          .values(problem=dumps(problem), next_due=NEVER))

    def resume(self, contract_id: int) -> bool:
        """Run a set-aside contract again from the day after its cursor; False if it was not
        set aside."""
        r = t.contract_runs.c
        cursor = self.conn.execute(select(r.cursor).where(
            r.contract_id == contract_id, r.problem.is_not(None)).with_for_update()).scalar()
        if cursor is None:
            return False
        self.conn.execute(update(t.contract_runs).where(r.contract_id == contract_id)
                          .values(next_due=cursor + timedelta(days=1)))
        return True

    def problems(self, tenant_id: int) -> dict[int, dict[str, Any]]:
        """The set-aside contracts of a tenant, with why."""
        r = t.contract_runs.c
        rows = self.conn.execute(select(r.contract_id, r.problem).where(
            r.tenant_id == tenant_id, r.problem.is_not(None)))
        return {row.contract_id: json.loads(row.problem) for row in rows}

    def run_state(self, contract_id: int) -> RunState:
        return _run_state(self.conn.execute(select(t.contract_runs).where(
            t.contract_runs.c.contract_id == contract_id)).one())

    def save_run(self, old: RunState, new: RunState) -> bool:
        """Store the new state if nobody moved the cursor meanwhile (optimistic check)."""
        return self.save_runs([(old, new)])

    def save_runs(self, pairs: Sequence[tuple[RunState, RunState]],
                  encoded: Sequence[str] | None = None) -> bool:
        """`save_run` for a batch in one statement; False if any contract moved meanwhile.
        `encoded`: the new states' text, when already encoded (in a step process)."""
        if not pairs:
            return True
        texts = encoded if encoded is not None else [
            dumps(encode(new.state, ContractState, self._claimed)) for _, new in pairs]
        # the console's kept rows first: unless claimed here, they read the status stored so
        # far (`kept`); a contract's claimed row stands for one save only
        ids = [old.contract_id for old, _ in pairs]
        claimed = {cid: self._kept.pop(cid) for cid in ids} \
            if self._kept.keys() >= set(ids) else None
        keep(self.conn, [(old.contract_id, new.state) for old, new in pairs], claimed)
        return self._update([(text, new, old.contract_id, old.cursor, old.action_count)
                             for (old, new), text in zip(pairs, texts, strict=True)], False,
                            claimed or {})

    def save_stepped(self, runs: Sequence[tuple[DueRun, RunState]], encoded: Sequence[str]
                     ) -> bool:
        """Each new state (and its text) stored if its run row is still as `due_runs` read
        it: the whole mark, and not set aside. False if any row moved: then the caller rolls
        back, since the others may be stored (the console's kept rows are moved only when
        all were, from the status and access read with the rows)."""
        if not runs:
            return True
        stored = {row.contract_id: (row.tenant_id, row.currency, row.status, row.access)
                  for row, _ in runs}
        if not self._update([(text, new, row.contract_id, row.cursor, row.action_count,
                              row.next_due, row.recompute_from)
                             for (row, new), text in zip(runs, encoded, strict=True)], True,
                            stored):
            return False
        keep(self.conn, [(row.contract_id, new.state) for row, new in runs], stored)
        return True

    def _update(self, saves: Sequence[tuple[Any, ...]], exact: bool,
                stored: Mapping[int, Kept]) -> bool:
        """Each (state text, new run state, contract id, and what its row must still hold:
        cursor and action count, and if `exact` its next day due and recompute mark).
        `stored`: what the rows hold of the kept columns, where known (read with them)."""
        if self.conn.dialect.name == "postgresql":
            # one statement for the batch: the rows as arrays, joined back by contract id (an
            # UPDATE that moves next_due writes every index entry anew there all the same)
            rows = [(text, new.cursor, new.next_due, new.recompute_from, new.action_count,
                     new.state.status, new.state.access, *check)
                    for text, new, *check in saves]
            columns = list(zip(*rows, strict=True))
            result = self.conn.exec_driver_sql(_SAVE_STEPPED_PG if exact else _SAVE_RUNS_PG,
                                               tuple(list(c) for c in columns))
            return result.rowcount == len(saves)  # else the caller rolls back, kept rows too
        moved, same = [], []
        for text, new, cid, *check in saves:
            head = (text, new.cursor, new.next_due, new.recompute_from, new.action_count)
            status = (new.state.status, new.state.access)
            kept = stored.get(cid)
            if kept is not None and kept[2:] == status:
                same.append((*head, cid, *check))
            else:
                moved.append((*head, *status, cid, *check))
        # dates bound as ISO text by the adapter `store.writes` registers
        changed = 0
        for rows, text in ((moved, _SAVE_STEPPED_SQLITE if exact else _SAVE_RUNS_SQLITE),
                           (same, _SAVE_STEPPED_SAME_SQLITE if exact
                            else _SAVE_RUNS_SAME_SQLITE)):
            if rows:
                changed += self.conn.exec_driver_sql(text, rows).rowcount
        return changed == len(saves)  # else the caller rolls back, kept rows too


def note_days(conn: Connection, column: ColumnElement[int], earliest: Mapping[int, date]
              ) -> None:
    """Each run row whose `column` (its contract's id, or its tenant's for a broadcast) is a key
    of `earliest`: due by that day, and recomputed from it when the day is on or before its
    cursor (an earlier mark kept). Two statements for all of them."""
    if not earliest:
        return
    r = t.contract_runs.c
    params = [{"target": target, "day": when} for target, when in sorted(earliest.items())]
    day = bindparam("day", type_=r.cursor.type)
    least = func.coalesce(func.min(r.recompute_from, day), day) \
        if conn.dialect.name == "sqlite" else \
        func.least(func.coalesce(r.recompute_from, day), day)
    conn.execute(update(t.contract_runs).where(
        column == bindparam("target"), r.cursor >= day).values(recompute_from=least), params)
    conn.execute(update(t.contract_runs).where(
        column == bindparam("target"), r.next_due > day).values(next_due=day), params)


def _run_state(row: Any) -> RunState:
    return _run_state_of(row.contract_id, row.state, row.cursor, row.next_due,
                         row.recompute_from, row.action_count, row.problem)


def _run_state_of(contract_id: int, state: str, cursor: date, next_due: date,
                  recompute_from: date | None, action_count: int, problem: str | None
                  ) -> RunState:
    return RunState(contract_id, decode(ContractState, loads(state)), cursor, next_due,
                    recompute_from, action_count, json.loads(problem) if problem else None)
