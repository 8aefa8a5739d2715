"""Events that arrive while a run is working are processed exactly once (issue 8).

A worker claims a contract (PostgreSQL: `FOR UPDATE SKIP LOCKED`), reads its events, steps it
and stores the day. An event committed in between, dated between the contract's cursor and
the day the worker stores, used to be passed over for good on PostgreSQL: the intake's update
of the run row did not match and did not wait, the worker saved a cursor past the event, and
later runs read only events after the cursor. The customer's payment was simply missing.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from termline.adapters.sql.db import make_engine, upgrade
from termline.adapters.sql.repository import Repository
from termline.adapters.sql.uow import SqlUnitOfWork
from termline.app import intake
from termline.app.inputs import parse_event
from termline.app.run import advance_batch, take_notes
from termline.app.run_parts import RunReport
from tests.store.test_equivalence import termline

# SmartWeb (4.1: invoiced half-yearly in advance, 14 days before the period; 4.2: due 8 days
# later): acme's second invoice of 300.00 is issued on 2027-06-20 for 2027-07-04..2028-01-03.
# Issue 17: each invoice is the open item at its total, 300.00 + 25 % moms = 375.00; acme pays
# the first in full.
SCENARIO = """\
policy: smartweb
until: 2027-12-31
contracts:
  - id: acme
    customer: {name: Acme ApS, country: DK}
    start: 2027-01-04
    lines:
      - {item: SmartWeb Shop, unit_price: "50.00", per: month, quantity: 1}
events:
  - {date: 2027-01-10, type: payment, contract: acme, amount: "375.00"}
"""
TENANT = "smartweb-dk"


def _scenario(tmp_path: Path, *extra: dict[str, str]) -> Path:
    text = SCENARIO + "".join(
        "  - {" + ", ".join(f"{k}: {json.dumps(v)}" for k, v in e.items()) + "}\n"
        for e in extra)
    path = tmp_path / f"book-{len(extra)}.yaml"
    path.write_text(text, "utf-8")
    return path


def _race(db_url: str, tmp_path: Path, monkeypatch: Any, base: list[dict[str, str]],
          first_run: str, racing: dict[str, str], worker_until: date, defer: bool = False
          ) -> tuple[Callable[[], SqlUnitOfWork], Any]:
    """Store the book, run it to `first_run`, then let a worker claim acme and store its next
    day up to `worker_until` while `racing` is posted between its read of the events and its
    save. Returns the store and acme's run state after the worker."""
    engine = make_engine(db_url)
    upgrade(engine)
    uow: Callable[[], SqlUnitOfWork] = lambda: SqlUnitOfWork(engine)  # noqa: E731
    termline(db_url, "tenant", "add", TENANT, "--timezone", "Europe/Copenhagen")
    termline(db_url, "import", str(_scenario(tmp_path, *base)), "--tenant", TENANT)
    termline(db_url, "run", "--until", first_run)
    with uow() as u:
        tenant = u.repo.tenant(TENANT)
    assert tenant is not None
    done = threading.Event()
    failed: list[BaseException] = []
    original = Repository.events_after
    during: list[bool] = []  # whether the intake had finished while the claim was held

    def events_then_intake(self: Repository, *args: Any) -> Any:
        found = original(self, *args)

        def post() -> None:
            try:
                intake.add_events(uow(), [parse_event(racing)], TENANT, defer=defer)
            except BaseException as exc:
                failed.append(exc)
            done.set()

        threading.Thread(target=post, daemon=True).start()
        done.wait(1.0)  # the intake either waits for this claim (fixed) or commits at once
        during.append(done.is_set())
        return found

    monkeypatch.setattr(Repository, "events_after", events_then_intake)
    assert advance_batch(uow, tenant, worker_until, RunReport()) is not None  # it claimed
    monkeypatch.setattr(Repository, "events_after", original)
    assert done.wait(30), "the intake never finished"
    assert not failed, failed
    if defer and engine.dialect.name == "postgresql":
        assert during == [True], "the deferred intake waited for the worker's claim"
    with uow() as u:
        return uow, u.repo.run_state(u.repo.contracts(tenant.id, "acme")[0].id)


def _ends_as_simulated(db_url: str, tmp_path: Path, racing: dict[str, str]) -> None:
    """The book run to 2027-12-31 is `simulate`'s with the racing payment: 337.93 open."""
    termline(db_url, "run", "--until", "2027-12-31")
    expected = json.loads(termline(db_url, "simulate", str(_scenario(tmp_path, racing)),
                                   "--format", "json"))
    ledger = json.loads(termline(db_url, "ledger", "--tenant", TENANT, "--format", "json"))
    assert (ledger["balances"][0]["principal"], ledger["balances"][0]["credit"]) \
        == ("337.93", "0.00")
    assert ledger["balances"] == expected["balances"]
    assert [a for a in ledger["actions"] if a["kind"] != "action_corrected"] \
        == expected["actions"]


def test_a_payment_stored_between_a_workers_claim_and_its_save_is_not_lost(
        db_url: str, tmp_path: Path, monkeypatch: Any) -> None:
    """A payment of 412.07 dated 2027-06-10 is committed while a worker holds acme's claim
    and has read its events, and stores acme's next acting day, the invoice of 2027-06-20.
    The book must end exactly as `simulate` with that payment: the invoice of 300.00 + 25 %
    Danish VAT = 375.00 (SmartWeb 4.1; the open item is its total) is paid from the credit
    (4.2), the 37.07 left goes to the invoice of 2027-12-21, which leaves 375.00 - 37.07 =
    337.93 open on 2027-12-31."""
    racing = {"date": "2027-06-10", "type": "payment", "contract": "acme",
              "amount": "412.07"}
    _, stored = _race(db_url, tmp_path, monkeypatch, [], "2027-06-01", racing,
                      date(2027, 6, 30))
    assert stored.cursor == date(2027, 6, 20)  # the worker did store past the payment

    _ends_as_simulated(db_url, tmp_path, racing)


def test_the_wake_day_of_an_event_stored_during_a_claim_survives_the_save(
        db_url: str, tmp_path: Path, monkeypatch: Any) -> None:
    """The second form: acme prepaid on 2027-06-05, so the worker storing 2027-06-20 (the
    invoice, paid from credit) computes 2027-07-04 (the renewal) as its next day. A
    termination notice dated 2027-06-25 posted meanwhile must keep acme due on 2027-06-25."""
    prepaid = {"date": "2027-06-05", "type": "payment", "contract": "acme", "amount": "375.00"}
    notice = {"date": "2027-06-25", "type": "termination_notice", "contract": "acme",
              "by": "customer"}
    _, stored = _race(db_url, tmp_path, monkeypatch, [prepaid], "2027-06-10", notice,
                      date(2027, 6, 30))
    assert (stored.cursor, stored.next_due) == (date(2027, 6, 20), date(2027, 6, 25))


def test_a_deferred_payment_does_not_wait_for_the_claim_and_is_not_lost(
        db_url: str, tmp_path: Path, monkeypatch: Any) -> None:
    """The service's intake (issue 18) defers its note: the payment of 412.07 dated
    2027-06-10 is committed at once while the worker holds acme's claim (PostgreSQL; SQLite
    has one writer), the worker stores 2027-06-20 without it, and the next run takes the note
    and recomputes: the same book as `simulate` with the payment (SmartWeb 4.1, 4.2: 337.93
    open on 2027-12-31, as in the test above)."""
    racing = {"date": "2027-06-10", "type": "payment", "contract": "acme",
              "amount": "412.07"}
    _, stored = _race(db_url, tmp_path, monkeypatch, [], "2027-06-01", racing,
                      date(2027, 6, 30), defer=True)
    assert (stored.cursor, stored.recompute_from) == (date(2027, 6, 20), None)  # not noted yet

    _ends_as_simulated(db_url, tmp_path, racing)


def test_a_deferred_notice_makes_its_contract_due_when_the_notes_are_taken(
        db_url: str, tmp_path: Path, monkeypatch: Any) -> None:
    """The second form, deferred: the worker stores 2027-06-20 with 2027-07-04 next; the
    termination notice dated 2027-06-25 posted during the claim makes acme due on 2027-06-25
    once the run takes the notes (`take_notes`), before it counts or claims."""
    prepaid = {"date": "2027-06-05", "type": "payment", "contract": "acme", "amount": "375.00"}
    notice = {"date": "2027-06-25", "type": "termination_notice", "contract": "acme",
              "by": "customer"}
    uow, stored = _race(db_url, tmp_path, monkeypatch, [prepaid], "2027-06-10", notice,
                        date(2027, 6, 30), defer=True)
    assert (stored.cursor, stored.next_due) == (date(2027, 6, 20), date(2027, 7, 4))
    assert take_notes(uow) == 1
    with uow() as u:
        after = u.repo.run_state(stored.contract_id)
    assert (after.cursor, after.next_due) == (date(2027, 6, 20), date(2027, 6, 25))
