"""A back-dated event: the run recomputes the contract; what was done stays, and what no
longer follows gets its own correction."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from datetime import date
from typing import Any

from termline.app import intake, run, views
from termline.app.inputs import parse_event
from termline.domain.contract import parse_scenario
from termline.domain.engine import simulate_scenario

SCENARIO = textwrap.dedent("""\
    policy: smartweb
    until: 2025-03-31
    contracts:
      - id: acme
        customer: {name: Acme ApS, country: DK}
        start: 2025-01-01
        lines:
          - {item: SmartWeb Shop, unit_price: "50.00", per: month, quantity: 1}
    events: []
    """)
# SmartWeb 4.1: 6 x 50.00 = 300.00 + 25 % moms = 375.00, the open item (issue 17): paid in full
PAID_YAML = '{date: 2025-01-08, type: payment, contract: acme, amount: "375.00"}'
PAID = {"date": "2025-01-08", "type": "payment", "contract": "acme", "amount": "375.00"}


def test_a_back_dated_payment_stops_what_is_not_yet_sent(uow: Callable[[], Any]) -> None:
    intake.add_tenant(uow(), "default")
    intake.import_scenario(uow(), parse_scenario(SCENARIO))
    run.run(uow, date(2025, 1, 20))
    before = views.ledger(uow())["actions"]
    # 4.2: due 01-09, first reminder 01-19, the second would follow on 01-29.
    assert [(a["date"], a["kind"]) for a in before if a["kind"] == "reminder_sent"] == [
        ("2025-01-19", "reminder_sent")]
    # The payment made on 01-08 is only reported now.
    intake.add_events(uow(), [parse_event(PAID)])
    report = run.run(uow, date(2025, 3, 31))
    assert report.corrections == 1
    after = views.ledger(uow())["actions"]
    assert all(a in after for a in before)  # nothing already in the ledger goes away
    corrections = [a for a in after if a["kind"] == "action_corrected"]
    assert corrections == [{
        "date": "2025-03-31", "kind": "action_corrected", "contract": "acme",
        "clauses": ["4.2"], "original_kind": "reminder_sent", "original_date": "2025-01-19",
        "natural_key": corrections[0]["natural_key"], "reason": "back_dated_event",
        "original_ref": "acme-0001", "original_number": 1}]
    # No second reminder, no suspension: the invoice was paid before its due date.
    assert [a["date"] for a in after if a["kind"] == "reminder_sent"] == ["2025-01-19"]
    assert not [a for a in after if a["kind"] in ("access_suspended", "breach_notice_sent")]
    # Apart from the sent reminder and its correction, the ledger is the simulation of the
    # full event log.
    full = parse_scenario(SCENARIO.replace("events: []", "events: [" + PAID_YAML + "]"))
    expected = simulate_scenario(full).to_json()["actions"]
    kept = [a for a in after if a["kind"] != "action_corrected"
            and a["kind"] != "reminder_sent"]
    assert sorted(kept, key=_key) == sorted(expected, key=_key)
    # Idempotent: running again adds nothing and corrects nothing twice.
    again = run.run(uow, date(2025, 3, 31))
    assert (again.actions, again.corrections) == (0, 0)
    assert views.ledger(uow())["actions"] == after


def _key(a: dict[str, Any]) -> tuple[str, str, str]:
    return (a["date"], a["kind"], repr(sorted(a.items())))


def test_an_event_after_the_cursor_needs_no_recomputation(uow: Callable[[], Any]) -> None:
    intake.add_tenant(uow(), "default")
    intake.import_scenario(uow(), parse_scenario(SCENARIO))
    run.run(uow, date(2025, 1, 5))
    intake.add_events(uow(), [parse_event(PAID)])
    report = run.run(uow, date(2025, 3, 31))
    assert report.corrections == 0
    expected = parse_scenario(SCENARIO.replace("events: []", "events: [" + PAID_YAML + "]"))
    assert views.ledger(uow()) == simulate_scenario(expected).to_json()
