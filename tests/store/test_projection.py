"""Issue 4: invoices with lines, payments and allocations as store tables, written in the
transaction that appends the actions (`store.projection`), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import textwrap
from collections import defaultdict
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, inspect, select
from typer.testing import CliRunner

from termline.adapters.sql import tables as t
from termline.adapters.sql.corrected import uncorrected
from termline.adapters.sql.db import current_revision, head_revision, make_engine
from termline.adapters.sql.projection import PaymentEvent, ProjectionError, sources
from termline.app import intake, run
from termline.app.inputs import parse_event
from termline.domain.contract import parse_scenario
from termline.domain.contract.model import Payment
from termline.domain.engine.actions import action
from termline.domain.policy import BUILTIN_PACKS
from termline.entrypoints.cli.app import app
from tests.store.books import scenario_text
from tests.store.test_backdated import SCENARIO as BACKDATED_SCENARIO

PROJECTED = ("invoices", "invoice_lines", "payments", "allocations")


def _engine(uow: Callable[[], Any]) -> Engine:
    engine: Engine = uow().engine
    return engine


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {name: conn.execute(select(func.count()).select_from(t.metadata.tables[name]))
                .scalar_one() for name in PROJECTED}


def _ledger(engine: Engine, kind: str) -> list[tuple[int, str, dict[str, Any]]]:
    """(contract id, natural key, body) of the stored actions of one kind."""
    a = t.actions.c
    with engine.connect() as conn:
        return [(r.contract_id, r.natural_key, json.loads(r.body)) for r in conn.execute(
            select(a.contract_id, a.natural_key, a.body).where(a.kind == kind)
            .order_by(a.contract_id, a.seq))]


def _processed_payments(engine: Engine) -> dict[int, tuple[date, Decimal]]:
    """Payment events from each contract's start through its run cursor, by event id."""
    e, c, r = t.events.c, t.contracts.c, t.contract_runs.c
    with engine.connect() as conn:
        rows = conn.execute(select(e.id, e.payload).join(t.contracts, c.id == e.contract_id)
                            .join(t.contract_runs, r.contract_id == c.id)
                            .where(e.type == "payment", e.date >= c.start, e.date <= r.cursor))
        return {row.id: (date.fromisoformat(json.loads(row.payload)["date"]),
                         Decimal(json.loads(row.payload)["amount"])) for row in rows}


def check_projection(engine: Engine) -> None:
    """The tables agree with the ledger and the event log (no correction in these books)."""
    issued = _ledger(engine, "invoice_issued")
    applied = _ledger(engine, "payment_applied")
    ln = t.invoice_lines.c
    with engine.connect() as conn:
        invoices = {(r.contract_id, r.action_key): r for r in conn.execute(select(t.invoices))}
        lines: dict[tuple[int, str], list[Any]] = defaultdict(list)
        for r in conn.execute(select(t.invoice_lines).order_by(ln.contract_id, ln.invoice_key,
                                                                ln.position)):
            lines[(r.contract_id, r.invoice_key)].append(r)
        payments = {r.event_id: r for r in conn.execute(select(t.payments))}
        allocations = {(r.contract_id, r.action_key): r
                       for r in conn.execute(select(t.allocations))}
        assert conn.execute(select(func.count()).select_from(t.invoices)
                            .where(~uncorrected(t.invoices))).scalar_one() == 0
    # One invoice per invoice_issued action: same ref, amount, kind and dates.
    assert set(invoices) == {(cid, key) for cid, key, _ in issued}
    for cid, key, body in issued:
        row = invoices[(cid, key)]
        assert (row.ref, row.revision, row.kind, row.issued.isoformat(), row.due.isoformat(),
                row.currency) == (body["ref"], 0, body["invoice_kind"], body["date"],
                                  body["due_date"], body["currency"])
        # issue 17: the row is the open item, the invoice's total incl. VAT (the action's
        # `total`; `amount` is its net, `vat` the VAT decided at issue)
        assert row.amount == Decimal(body.get("total", body["amount"]))
        assert row.amount == Decimal(body["amount"]) + Decimal(body.get("vat", "0"))
        # The lines (net, VAT-exclusive) add up to the invoice's net to the cent, numbered 1..n.
        own = lines[(row.contract_id, row.action_key)]
        assert [x.position for x in own] == list(range(1, len(own) + 1))
        assert sum((x.amount for x in own), Decimal(0)) == Decimal(body["amount"])
    assert set(lines) <= set(invoices)  # no line without its invoice
    # One payment per processed payment event.
    assert {k: (v.date, v.amount) for k, v in payments.items()} == _processed_payments(engine)
    # One allocation per payment_applied action; payment_id exactly when a payment paid it.
    assert set(allocations) == {(cid, key) for cid, key, _ in applied}
    for cid, key, body in applied:
        row = allocations[(cid, key)]
        assert (row.item_ref, row.date.isoformat(), row.amount) == (
            body["ref"], body["date"], Decimal(body["amount"]))
        assert (row.payment_id is None) == (row.source != "payment")
        assert (row.source == "credit") == (body.get("source") == "credit")
    by_payment: dict[int, Decimal] = defaultdict(Decimal)
    by_item: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    for row in allocations.values():
        if row.payment_id is not None:
            by_payment[row.payment_id] += row.amount
        by_item[(row.contract_id, row.item_ref)] += row.amount
    amount_of = {r.id: r.amount for r in payments.values()}
    assert all(total <= amount_of[pid] for pid, total in by_payment.items())
    invoiced = {(r.contract_id, r.ref): r.amount for r in invoices.values()}
    assert all(total <= invoiced[k] for k, total in by_item.items() if k in invoiced)


@pytest.mark.parametrize("pack", BUILTIN_PACKS)
def test_the_tables_are_the_ledger_and_the_event_log(uow: Callable[[], Any], pack: str) -> None:
    """Issue 4: invoices = the ledger's invoice_issued actions (count, refs, amounts), lines add
    up to the invoice to the cent, payments = the processed payment events, allocations = the
    payment_applied actions, at most the payment per payment and the invoice per invoice. A
    second run over the same days adds no row."""
    intake.add_tenant(uow(), "default")
    intake.import_scenario(uow(), parse_scenario(scenario_text(pack)))
    run.run(uow, date(2027, 6, 15))
    run.run(uow, date(2028, 3, 31))
    engine = _engine(uow)
    check_projection(engine)
    counts = _counts(engine)
    assert counts["invoices"] > 0 and counts["payments"] > 0 and counts["allocations"] > 0
    again = run.run(uow, date(2028, 3, 31))
    assert (again.actions, again.days) == (0, 0)
    assert _counts(engine) == counts


def _rows(engine: Engine, ref: str) -> dict[str, list[tuple[Any, ...]]]:
    c = t.contracts.c
    i, ln, p, al = t.invoices.c, t.invoice_lines.c, t.payments.c, t.allocations.c
    with engine.connect() as conn:
        cid = conn.execute(select(c.id).where(c.ref == ref)).scalar_one()
        payment_date = {r.id: r.date.isoformat()
                        for r in conn.execute(select(p.id, p.date).where(p.contract_id == cid))}
        return {
            "invoices": [(r.ref, r.revision, r.kind, r.issued.isoformat(), r.due.isoformat(),
                          r.period_start.isoformat(), r.period_end.isoformat(),
                          f"{r.amount:.2f}", r.currency) for r in conn.execute(
                select(t.invoices).where(i.contract_id == cid).order_by(i.id))],
            "lines": [(r.ref, r.position, r.item, f"{r.quantity:.0f}", f"{r.unit_price:.2f}",
                       f"{r.amount:.2f}") for r in conn.execute(
                select(i.ref, ln.position, ln.item, ln.quantity, ln.unit_price, ln.amount)
                .join(t.invoices, (i.contract_id == ln.contract_id)
                      & (i.action_key == ln.invoice_key)).where(i.contract_id == cid)
                .order_by(i.id, ln.position))],
            "payments": [(r.date.isoformat(), f"{r.amount:.2f}", r.currency, r.reference)
                         for r in conn.execute(select(t.payments).where(p.contract_id == cid)
                                               .order_by(p.id))],
            "allocations": [(r.date.isoformat(), r.source, payment_date.get(r.payment_id),
                             r.item_ref, r.item_kind, f"{r.amount:.2f}") for r in conn.execute(
                select(t.allocations).where(al.contract_id == cid).order_by(al.id))],
        }


def test_smartweb_late_payer_by_hand(uow: Callable[[], Any]) -> None:
    """SmartWeb, contract `late` of the book (120.00 a month from 2027-01-11):
    4.1 six-month periods invoiced in advance, the first on the start day: late-0001 for
    2027-01-11 .. 07-10 = 6 x 120.00 = 720.00, one line Plan 1 x 120.00; 4.2 due 8 days later,
    01-19. Reminders 01-29 and 02-08 at EUR 14 each (4.2: R1, R2); 15.1/15.2 terminate on 03-02,
    so no second invoice.
    Issue 17, the gross model: late-0001 is the open item 720.00 + 25 % moms = 900.00 (its
    line stays net); payment.allocation oldest_first pays the oldest invoice's costs first.
    Payment 03-02 of 100.00: 14.00 + 14.00 to the two fees, 72.00 to late-0001. Payment 04-06
    of 2500.00: 900.00 - 72.00 = 828.00 to late-0001, 1672.00 left as credit. Interest at
    settlement (4.2, 1.5 % per completed month from 01-19, on the amount due incl. VAT):
    72 x 1.5 % (1 month to 03-02) + 828 x (1.015^2 - 1) (2 months to 04-06) = 1.08 + 25.0263
    = 26.1063 -> 26.11, paid from the credit: an allocation without a payment."""
    intake.add_tenant(uow(), "default")
    intake.import_scenario(uow(), parse_scenario(scenario_text("smartweb")))
    run.run(uow, date(2028, 3, 31))
    assert _rows(_engine(uow), "late") == {
        "invoices": [("late-0001", 0, "subscription", "2027-01-11", "2027-01-19", "2027-01-11",
                      "2027-07-10", "900.00", "EUR")],
        "lines": [("late-0001", 1, "Plan", "1", "120.00", "720.00")],
        "payments": [("2027-03-02", "100.00", "EUR", None),
                     ("2027-04-06", "2500.00", "EUR", None)],
        "allocations": [
            ("2027-03-02", "payment", "2027-03-02", "late-0001-R1", "fee", "14.00"),
            ("2027-03-02", "payment", "2027-03-02", "late-0001-R2", "fee", "14.00"),
            ("2027-03-02", "payment", "2027-03-02", "late-0001", "invoice", "72.00"),
            ("2027-04-06", "payment", "2027-04-06", "late-0001", "invoice", "828.00"),
            ("2027-04-06", "credit", None, "late-0001-INT", "interest", "26.11"),
        ],
    }


def test_smartweb_seats_proration_and_a_payment_that_is_all_credit(uow: Callable[[], Any]
                                                                    ) -> None:
    """SmartWeb, contract `seats` (5 x 15.00 a month from 2027-01-21): the payment of 900.00
    on the start day comes before the day's invoice (events first), so it is all credit and has
    no allocation of its own; 4.1: seats-0001 = 5 x 15.00 x 6 = 450.00 for 01-21 .. 07-20, paid
    from the credit. 2.1/3.1: 3 more seats on 02-15, pro rata to the period end: 156 of 181
    days (02-15 .. 07-20 of 01-21 .. 07-20) x 3 x 15.00 x 6 = 232.7072 -> 232.71, one line of
    quantity 3, also paid from the credit.
    Issue 17, gross items (25 % moms, the lines stay net): seats-0001 450.00 + 112.50 =
    562.50; seats-0002 232.71 + 58.18 (232.71 x 25 % = 58.1775) = 290.89; the credit of 900.00
    pays both (853.39)."""
    intake.add_tenant(uow(), "default")
    intake.import_scenario(uow(), parse_scenario(scenario_text("smartweb")))
    run.run(uow, date(2028, 3, 31))
    rows = _rows(_engine(uow), "seats")
    assert rows["invoices"] == [
        ("seats-0001", 0, "subscription", "2027-01-21", "2027-01-29", "2027-01-21", "2027-07-20",
         "562.50", "EUR"),
        ("seats-0002", 0, "proration", "2027-02-15", "2027-02-23", "2027-02-15", "2027-07-20",
         "290.89", "EUR")]
    assert rows["lines"] == [("seats-0001", 1, "Plan", "5", "15.00", "450.00"),
                             ("seats-0002", 1, "Plan", "3", "15.00", "232.71")]
    assert rows["payments"] == [("2027-01-21", "900.00", "EUR", None)]
    assert rows["allocations"] == [
        ("2027-01-21", "credit", None, "seats-0001", "invoice", "562.50"),
        ("2027-02-15", "credit", None, "seats-0002", "invoice", "290.89")]


SHOP = textwrap.dedent("""\
    policy: smartweb
    until: 2028-03-31
    contracts:
      - id: c
        customer: {name: Shop ApS, country: DK}
        start: 2028-01-03
        lines:
          - {item: SmartWeb Shop, unit_price: "100.00", per: month, quantity: 1}
    events:
      - {date: 2028-01-05, type: payment, contract: c, amount: "300.00"}
      - {date: 2028-01-05, type: payment, contract: c, amount: "200.00"}
      - {date: 2028-02-01, type: defect_reported, contract: c, defect: D1}
      - {date: 2028-02-15, type: defect_remedied, contract: c, defect: D1}
      - {date: 2028-03-01, type: payment, contract: c, amount: "346.70", reference: "SEPA 7"}
    """)


def test_two_payments_on_one_day_and_a_defect_refund(uow: Callable[[], Any]) -> None:
    """SmartWeb: c-0001 = 6 x 100.00 = 600.00 for 2028-01-03 .. 07-02 (4.1), due 01-11 (4.2).
    Two payments on 01-05 without reference: the engine takes the day's events in a fixed
    order (200.00 before 300.00), so 200.00 then 300.00 go to c-0001, each its own payment.
    12.2: D1 remedied 4 days late: 4 x 600.00 / 182 = 13.19, settled like a payment on the
    open 100.00 of c-0001 (no payment event: source defect_refund). 4.2: reminders 01-21 and
    01-31 at 14.00. Payment 03-01 of 200.00 ("SEPA 7"): the rest of c-0001, 100.00 - 13.19 =
    86.81, then the fees 14.00 + 14.00; 85.19 is credit, from which the interest at settlement
    is paid: 13.19 x 1.5 % (01-11 .. 02-15: 1 month) + 86.81 x 1.5 % (01-11 .. 03-01: 1 month)
    = 0.19785 + 1.30215 = 1.50.
    Issue 17, the gross model: c-0001 is 600.00 + 25 % moms = 750.00, 250.00 open after 01-05;
    the refund's credit note carries the fees' VAT, 13.19 + 3.30 (3.2975) = 16.49, and settles
    like a payment by payment.allocation oldest_first (costs first): R1 14.00, R2 2.49. The
    03-01 payment pays what is owed, 250.00 + 28.00 - 16.49 = 261.51, and leaves the same
    85.19 credit: 346.70; it goes to R2 (11.51) then c-0001 (250.00). Interest at settlement on
    the 250.00 paid 03-01 (01-11 .. 03-01: 1 completed month): 250 x 1.5 % = 3.75, from the
    credit."""
    intake.add_tenant(uow(), "default")
    intake.import_scenario(uow(), parse_scenario(SHOP))
    run.run(uow, date(2028, 3, 31))
    engine = _engine(uow)
    check_projection(engine)
    rows = _rows(engine, "c")
    assert sorted(rows["payments"], key=str) == [("2028-01-05", "200.00", "EUR", None),
                                                 ("2028-01-05", "300.00", "EUR", None),
                                                 ("2028-03-01", "346.70", "EUR", "SEPA 7")]
    with engine.connect() as conn:
        p, al = t.payments.c, t.allocations.c
        paid_by = [(r.amount_1, r.amount) for r in conn.execute(
            select(p.amount.label("amount_1"), al.amount).join(t.payments, p.id == al.payment_id)
            .where(al.date == date(2028, 1, 5)).order_by(al.id))]
    assert [(f"{a:.2f}", f"{b:.2f}") for a, b in paid_by] == [("200.00", "200.00"),
                                                             ("300.00", "300.00")]
    assert [row[1:] for row in rows["allocations"]] == [
        ("payment", "2028-01-05", "c-0001", "invoice", "200.00"),
        ("payment", "2028-01-05", "c-0001", "invoice", "300.00"),
        ("defect_refund", None, "c-0001-R1", "fee", "14.00"),
        ("defect_refund", None, "c-0001-R2", "fee", "2.49"),
        ("payment", "2028-03-01", "c-0001-R2", "fee", "11.51"),
        ("payment", "2028-03-01", "c-0001", "invoice", "250.00"),
        ("credit", None, "c-0001-INT", "interest", "3.75"),
    ]


def test_sources_of_one_day_follow_the_engine_order() -> None:
    """Engine semantics, order within a day: the day's payments first, each applied oldest item
    first with its surplus as credit; credit then pays a new item (interest, `source: credit`);
    an SLA credit (SuperOffice 4) settles later in the day like a payment without an event."""
    day = date(2027, 4, 1)

    def applied(ref: str, amount: str, **extra: str) -> Any:
        return action(day, "payment_applied", "c", ("4.2",), currency="EUR", ref=ref,
                      amount=Decimal(amount), **extra)

    acts = [
        applied("c-0001", "60.00", reference="A"), applied("c-0002", "40.00", reference="A"),
        applied("c-0002", "10.00"),
        action(day, "credit_recorded", "c", ("4.2",), currency="EUR", amount=Decimal("5.00"),
               balance=Decimal("5.00")),
        action(day, "interest_charged", "c", ("4.2",), currency="EUR", ref="c-0001-INT",
               amount=Decimal("1.20")),
        applied("c-0001-INT", "1.20", source="credit"),
        applied("c-0003", "2.50", reference="sla-credit 2027-03"),
    ]
    pays = [PaymentEvent(7, Payment(date=day, contract="c", type="payment",
                                    amount=Decimal("100.00"), reference="A")),
            PaymentEvent(9, Payment(date=day, contract="c", type="payment",
                                    amount=Decimal("15.00")))]
    assert sources(acts, pays) == [("payment", 7), ("payment", 7), ("payment", 9), None, None,
                                   ("credit", None), ("sla_credit", None)]
    short = [PaymentEvent(7, Payment(date=day, contract="c", type="payment",
                                     amount=Decimal("120.00"), reference="A"))]
    with pytest.raises(ProjectionError, match="applied under reference None"):
        sources(acts, short)


BACKDATED = BACKDATED_SCENARIO  # the back-dated seat change book of test_backdated.py


def test_back_dated_events_append_and_never_delete(uow: Callable[[], Any]) -> None:
    """A back-dated seat change to 3 on the start day re-issues acme-0001 (4.1: 3 x 50.00 x 6 =
    900.00 instead of 300.00; issue 17: the items are the totals incl. 25 % moms, 1125.00
    instead of 375.00, the lines stay net) and a back-dated payment of 1125.00 on 01-08 pays
    it. The first
    acme-0001 stays as revision 0 (its action corrected in the ledger), the new one is
    revision 1; the payment and its allocation are added. Without the corrected rows the tables
    are the live ledger again."""
    intake.add_tenant(uow(), "default")
    intake.import_scenario(uow(), parse_scenario(BACKDATED))
    run.run(uow, date(2025, 1, 20))
    intake.add_events(uow(), [
        parse_event({"date": "2025-01-01", "type": "seat_change", "contract": "acme",
                     "item": "SmartWeb Shop", "quantity": 3}),
        parse_event({"date": "2025-01-08", "type": "payment", "contract": "acme",
                     "amount": "1125.00"})])
    report = run.run(uow, date(2025, 3, 31))
    assert report.corrections >= 1
    engine = _engine(uow)
    rows = _rows(engine, "acme")
    assert [r[:3] + r[7:8] for r in rows["invoices"]] == [
        ("acme-0001", 0, "subscription", "375.00"), ("acme-0001", 1, "subscription", "1125.00")]
    assert rows["lines"] == [("acme-0001", 1, "SmartWeb Shop", "1", "50.00", "300.00"),
                             ("acme-0001", 1, "SmartWeb Shop", "3", "50.00", "900.00")]
    assert rows["payments"] == [("2025-01-08", "1125.00", "EUR", None)]
    assert rows["allocations"] == [
        ("2025-01-08", "payment", "2025-01-08", "acme-0001", "invoice", "1125.00")]
    i = t.invoices.c
    with engine.connect() as conn:
        live = conn.execute(select(i.ref, i.revision, i.amount).where(uncorrected(t.invoices))
                            ).all()
    assert [(r.ref, r.revision, f"{r.amount:.2f}") for r in live] == [("acme-0001", 1, "1125.00")]
    counts = _counts(engine)
    assert (run.run(uow, date(2025, 3, 31)).actions, _counts(engine)) == (0, counts)


def _termline(db_url: str, *args: str) -> str:
    result = CliRunner().invoke(app, list(args), env={"TERMLINE_DATABASE_URL": db_url},
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_a_0001_database_with_data_upgrades_in_place(db_url: str, tmp_path: Path) -> None:
    """Issue 4, "a database from an older release upgrades in place": a book imported and run
    to 2027-06-15, its database then at 0001 (the schema of the release before these tables),
    upgrades with `termline db upgrade`; the tables start empty (no backfill), the next `run`
    works (its ledger is still `simulate` byte for byte) and fills them for the days it runs:
    exactly the invoices, payments and allocations dated after 2027-06-15."""
    scenario = tmp_path / "smartweb.yaml"
    scenario.write_text(scenario_text("smartweb"), "utf-8")
    _termline(db_url, "db", "upgrade")
    _termline(db_url, "tenant", "add", "default")
    _termline(db_url, "import", str(scenario))
    _termline(db_url, "run", "--until", "2027-06-15")
    assert _termline(db_url, "db", "downgrade", "0001").strip() == "database at revision 0001"
    engine = make_engine(db_url)
    assert not set(PROJECTED) & set(inspect(engine).get_table_names())
    engine.dispose()
    refused = CliRunner().invoke(app, ["run", "--until", "2028-03-31"],
                                 env={"TERMLINE_DATABASE_URL": db_url})
    assert refused.exit_code == 2 and "termline db upgrade" in refused.output
    assert _termline(db_url, "db", "upgrade").strip() == f"database at revision {head_revision()}"
    engine = make_engine(db_url)
    assert current_revision(engine) == head_revision()
    assert _counts(engine) == dict.fromkeys(PROJECTED, 0)
    _termline(db_url, "run", "--until", "2028-03-31")
    expected = _termline(db_url, "simulate", str(scenario), "--format", "json",
                         "--until", "2028-03-31")
    assert _termline(db_url, "ledger", "--format", "json") == expected
    after = "2027-06-15"
    actions = json.loads(expected)["actions"]
    with engine.connect() as conn:
        invoices = sorted((r.ref, f"{r.amount:.2f}") for r in conn.execute(select(t.invoices)))
        payments = sorted(r.date.isoformat() for r in conn.execute(select(t.payments)))
        allocations = conn.execute(select(func.count()).select_from(t.allocations)).scalar_one()
    # an invoices row is the open item, the action's total incl. VAT (issue 17)
    assert invoices == sorted((a["ref"], a.get("total", a["amount"])) for a in actions
                              if a["kind"] == "invoice_issued" and a["date"] > after)
    assert invoices  # the book invoices after mid-June 2027
    assert payments == ["2027-07-30"]  # the only payment event after 2027-06-15
    assert allocations == sum(1 for a in actions
                              if a["kind"] == "payment_applied" and a["date"] > after)
    counts = _counts(engine)
    _termline(db_url, "run", "--until", "2028-03-31")
    assert _counts(engine) == counts
    engine.dispose()
