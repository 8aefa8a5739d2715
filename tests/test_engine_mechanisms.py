"""Pack-independent mechanisms: allocation, credit, disputes, refusals (SmartWeb as host pack)."""

from __future__ import annotations

from pathlib import Path

from scenario_helpers import actions, balance, kinds, one, run

PACKS = Path(__file__).resolve().parent.parent / "src" / "termline" / "domain" / "policy" / "packs"

BASE = """
policy: {policy}
until: {until}
contracts:
  - id: c
    customer: {{name: C}}
    start: 2027-01-04
    lines:
      - {{item: Shop, unit_price: "50.00", per: month, quantity: 1}}
events:
{events}
"""


def scenario(events: str, until: str = "2027-12-31", policy: str = "smartweb") -> str:
    return BASE.format(events=events or "  []", until=until, policy=policy)


def test_payment_goes_to_the_oldest_open_item_first() -> None:
    """SmartWeb 4.2: invoice c-0001 300.00 (2027-01-04), reminder fee 14.00 on 2027-01-22
    (due 01-12 + 10). A payment of 310.00 on 2027-01-25 pays the invoice (oldest) and 10.00
    of the fee."""
    result = run(scenario('  - {date: 2027-01-25, type: payment, contract: c, amount: "310.00"}',
                          until="2027-01-25"))
    applied = [(a["ref"], a["amount"]) for a in actions(result, "c", "payment_applied")]
    assert applied == [("c-0001", "300.00"), ("c-0001-R1", "10.00")]
    assert balance(result, "c")["fees"] == "4.00"


def test_overpayment_becomes_credit_used_on_the_next_invoice() -> None:
    """600.00 paid against the first 300.00 invoice leaves 300.00 credit; the second invoice
    (period from 2027-07-04, dated 14 days earlier: 2027-06-20) is paid from it that day."""
    result = run(scenario('  - {date: 2027-01-05, type: payment, contract: c, amount: "600.00"}',
                          until="2027-06-30"))
    credit = one(result, "c", "credit_recorded")
    assert (credit["date"], credit["amount"]) == ("2027-01-05", "300.00")
    from_credit = [a for a in actions(result, "c", "payment_applied") if a.get("source")]
    assert [(a["date"], a["ref"], a["amount"]) for a in from_credit] == [
        ("2027-06-20", "c-0002", "300.00")]
    assert balance(result, "c")["credit"] == "0.00"
    assert "reminder_sent" not in kinds(result, "c")


def test_a_dispute_outside_the_window_is_refused() -> None:
    """SmartWeb sets no dispute window: an invoice dispute is refused with the reason."""
    result = run(scenario("  - {date: 2027-01-06, type: invoice_disputed, contract: c, "
                          "ref: c-0001}", until="2027-01-06"))
    refused = one(result, "c", "event_refused")
    assert refused["reason"] == "the terms set no dispute window"


def test_seat_reduction_waits_for_the_next_uninvoiced_period() -> None:
    """SmartWeb: the period 2027-01-04..07-03 is prepaid (no refund, 4.3); a reduction from 3 to 1
    on 2027-02-01 applies from the next period, 2027-07-04, whose invoice then bills 1 x 50 x 6."""
    text = scenario('  - {date: 2027-01-05, type: payment, contract: c, amount: "900.00"}\n'
                    "  - {date: 2027-02-01, type: seat_change, contract: c, item: Shop, "
                    "quantity: 1}", until="2027-07-05")
    result = run(text.replace('per: month, quantity: 1}', 'per: month, quantity: 3}'))
    scheduled = one(result, "c", "seat_reduction_scheduled")
    assert scheduled["effective_date"] == "2027-07-04"
    invoices = actions(result, "c", "invoice_issued")
    assert [(i["date"], i["amount"]) for i in invoices] == [("2027-01-04", "900.00"),
                                                            ("2027-06-20", "300.00")]
    changed = one(result, "c", "seats_changed")
    assert (changed["date"], changed["quantity"], changed["previous"]) == ("2027-07-04", 1, 3)


def test_a_prorated_stub_is_billed_as_the_tail_of_a_period(tmp_path: Path) -> None:
    """SuperOffice 11.1 ¶2 with `billing.stub: prorated` (the pack's default is free): contract
    date 2027-02-10, first invoice period from the month change 2027-03-01. The stub 02-10..02-28
    (19 days) is charged as the tail of a year ending 2027-02-28 (2026-03-01..2027-02-28, 365
    days): 4 users x 50.00 x 12 = 2400.00 a year x 19/365 = 124.93."""
    pack = (tmp_path / "so.yaml")
    source = (PACKS / "superoffice.yaml").read_text(encoding="utf-8")
    pack.write_text(source.replace("stub: free", "stub: prorated"), encoding="utf-8")
    result = run(f"""
        policy: {pack}
        until: 2027-03-01
        contracts:
          - id: c
            customer: {{name: C}}
            start: 2027-02-10
            lines:
              - {{item: User, unit_price: "50.00", per: month, quantity: 4}}
        """)
    invoices = [(a["date"], a["invoice_kind"], a["amount"], a["period_start"], a["period_end"])
                for a in actions(result, "c", "invoice_issued")]
    assert invoices == [("2027-02-10", "stub", "124.93", "2027-02-10", "2027-02-28"),
                        ("2027-03-01", "subscription", "2400.00", "2027-03-01", "2028-02-29")]
