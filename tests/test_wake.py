"""Wake days (`engine.wake`): the days on which a contract can change without an event.

The autouse fixture in conftest.py checks every simulated contract of the suite against its
sparse run; here are hand-computed wake dates and the synthetic book of the benchmarks.
"""

from __future__ import annotations

from datetime import date

from termline.devtools.behaviour import customer_responder
from termline.devtools.synthetic import synthetic_book
from termline.domain.contract.model import Contract
from termline.domain.engine.simulate import run_contract
from termline.domain.engine.state import Context, ContractState
from termline.domain.engine.wake import next_wake, run_contract_sparse, step_sparse
from termline.domain.policy import apply_overrides
from termline.domain.rates.table import builtin_rates


def _ctx(pack: str, start: date) -> Context:
    contract = Contract.model_validate({
        "id": "c1", "customer": {"name": "C"}, "start": start,
        "lines": [{"item": "Seat", "unit_price": "45.00", "per": "month", "quantity": 1}]})
    return Context(contract, apply_overrides(pack, {}), builtin_rates())


def test_an_unpaid_smartconnect_contract_wakes_on_its_reminder_and_measuring_days() -> None:
    """SmartConnect, started 2027-03-10 and never paid. 8.1/10.4: the 12-month period is
    invoiced on 2027-03-10; 8.3: due in 30 days, 2027-04-09; 8.4/8.6: reminders 14 days after
    the due date and 14 days apart (04-23, 05-07, 05-21); 8.4: suspension the day after the
    third reminder's 14 days run out (05-21 + 14 = 06-04, so 06-05); 3.5: availability is
    reported on each month's last day. The next window opens without a step of its own: the
    report's day ends with the service owed, so it counts for the next window's first day
    (`sla.run.carry`). Nothing else happens before 2027-07-01, and the stepped days end in
    the daily run's very state."""
    ctx = _ctx("smartconnect", date(2027, 3, 10))
    stepped = list(step_sparse(ContractState(), ctx, date(2027, 3, 9), date(2027, 7, 1), {}))
    days = [(d.isoformat(), [a.kind for a in acts]) for d, _, acts in stepped]
    assert days == [
        ("2027-03-10", ["contract_started", "invoice_issued"]),
        ("2027-03-31", ["availability_measured"]),
        ("2027-04-23", ["reminder_sent"]),
        ("2027-04-30", ["availability_measured"]),
        ("2027-05-07", ["reminder_sent"]), ("2027-05-21", ["reminder_sent"]),
        ("2027-05-31", ["availability_measured"]),
        ("2027-06-05", ["access_suspended"]),
        ("2027-06-30", ["availability_measured"]),
    ]
    first = stepped[0][1]
    assert next_wake(first, ctx, date(2027, 3, 10)) == date(2027, 3, 31)
    march_report = stepped[1][1]
    assert (march_report.sla.in_service, march_report.sla.carried) == (True, date(2027, 4, 1))
    assert next_wake(march_report, ctx, date(2027, 3, 31)) == date(2027, 4, 23)
    assert stepped[-1][1] == run_contract(ctx, [], date(2027, 7, 1))[0]


def test_the_wake_a_run_row_stored_is_taken_as_the_first_step_day() -> None:
    """A store's run row keeps the wake its last day computed (`next_due`), so the run does
    not compute it again (`step_sparse(wake=...)`). SmartConnect never paid, as above: after
    the March report (2027-03-31) the next day is the first reminder, 2027-04-23 (8.4: 14
    days after the 2027-04-09 due date). An earlier day stands for the wake, as an event's
    day does once the event is voided: stepped for nothing, then the reminder comes on its
    day. A day not after the cursor is no wake: computed. A later one is trusted (a caller
    must not hold one): the reminder is stepped on that day, which shows the wake given is
    the one taken."""
    ctx = _ctx("smartconnect", date(2027, 3, 10))
    march = list(step_sparse(ContractState(), ctx, date(2027, 3, 9), date(2027, 3, 31), {}))
    state = march[-1][1]

    def stepped(wake: date | None) -> list[tuple[str, list[str]]]:
        return [(d.isoformat(), [a.kind for a in acts]) for d, _, acts in step_sparse(
            state, ctx, date(2027, 3, 31), date(2027, 5, 1), {}, wake=wake)]

    computed = [("2027-04-23", ["reminder_sent"]), ("2027-04-30", ["availability_measured"])]
    assert stepped(None) == computed
    assert stepped(date(2027, 4, 23)) == computed
    assert stepped(date(2027, 4, 10)) == [("2027-04-10", []), *computed]
    assert stepped(date(2027, 3, 31)) == computed
    assert stepped(date(2027, 4, 25)) == [("2027-04-25", ["reminder_sent"]),
                                          ("2027-04-30", ["availability_measured"])]


def test_a_pending_contract_wakes_on_its_start() -> None:
    ctx = _ctx("clientcom", date(2027, 5, 1))
    assert next_wake(ContractState(), ctx, date(2027, 1, 1)) == date(2027, 5, 1)


def test_a_year_of_an_on_time_payer_takes_a_few_dozen_steps_not_365() -> None:
    """The store's run cost grows with what is due: one contract of the synthetic book paying
    on time is stepped on its invoice, payment and renewal days only."""
    book = synthetic_book(50, date(2027, 1, 1))
    respond = customer_responder(book.behaviours)
    on_time = [c for c in book.contracts if book.behaviours[c.id] == "on_time"][:10]
    for contract in on_time:
        ctx = Context(contract, book.policies[contract.id], builtin_rates())
        responded: list[object] = []

        def recording(act: object, _r: list[object] = responded) -> list[object]:
            out = list(respond(act))  # type: ignore[arg-type]
            _r.extend(out)
            return out

        until = date(2028, 12, 31)
        daily_state, daily_actions = run_contract(ctx, [], until, recording)
        events = {e.date: [e] for e in responded}  # type: ignore[attr-defined]
        stepped = list(step_sparse(ContractState(), ctx,
                                   date.fromordinal(contract.start.toordinal() - 1), until,
                                   events))
        assert [a for _, _, acts in stepped for a in acts] == daily_actions
        assert stepped[-1][1] == daily_state
        assert len(stepped) < (until - contract.start).days / 5, (contract.id, len(stepped))


def test_the_synthetic_book_runs_the_same_on_wake_days() -> None:
    book = synthetic_book(60, date(2027, 1, 1))
    for contract in book.contracts:
        ctx = Context(contract, book.policies[contract.id], builtin_rates())
        events = [e for e in book.events if e.contract == contract.id]
        assert run_contract_sparse(ctx, events, date(2028, 6, 30)) == \
            run_contract(ctx, events, date(2028, 6, 30))
