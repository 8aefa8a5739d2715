"""SmartTrackers 15.6: migration costs announced in advance; a decline allows both parties to
terminate prematurely on one year's notice."""

from __future__ import annotations

from scenario_helpers import actions, one, run

SCENARIO = """
policy: smarttrackers
until: 2027-01-31
contracts:
  - id: st
    customer: {{name: ST Customer BV}}
    start: 2025-01-01
    lines:
      - {{item: Licence, unit_price: "3000.00", per: year, quantity: 1}}
events:
{events}
"""


def scenario(events: str) -> str:
    return SCENARIO.format(events=events)


def test_declined_migration_costs_allow_termination_on_one_years_notice_15_6() -> None:
    """15.6 with 14.2: term 2025-01-01..2025-12-31, notice deadline 2025-10-31 (2 months before
    the end). Migration costs EUR 5,000 announced 2025-03-01, declined 2025-03-15. A customer notice
    on 2025-11-15 misses the 14.2 deadline, so it would end the next term on 2026-12-31; through the
    declined migration it ends on 2025-11-15 + 1 year = 2026-11-15, the earlier date."""
    result = run(scenario(
        '  - {date: 2025-03-01, type: migration_announced, contract: st, costs: "5000.00", '
        "migration_date: 2025-06-01}\n"
        "  - {date: 2025-03-15, type: migration_declined, contract: st}\n"
        "  - {date: 2025-11-15, type: termination_notice, contract: st, by: customer}"))
    announced = one(result, "st", "migration_announced")
    assert (announced["costs"], announced["migration_date"]) == ("5000.00", "2025-06-01")
    rights = [(a["date"], a["right"], a["clauses"])
              for a in actions(result, "st", "customer_right_opened")]
    # The third right is the 15.18 exit assistance that follows the end (another mechanism).
    assert rights == [("2025-03-01", "decline_migration_costs", ["15.6"]),
                      ("2025-03-15", "terminate_on_1_year_notice", ["15.6"]),
                      ("2026-11-16", "exit_assistance", ["15.18"])]
    assert one(result, "st", "provider_right_opened")["right"] == "terminate_on_1_year_notice"
    notice = one(result, "st", "termination_notice_received")
    assert (notice["effective_date"], notice["clauses"]) == ("2026-11-15", ["15.6"])
    ended = one(result, "st", "contract_terminated")
    assert (ended["date"], ended["reason"]) == ("2026-11-15", "notice")


def test_without_a_decline_the_late_notice_ends_the_next_term_14_2() -> None:
    """Same notice on 2025-11-15 with the migration announced but not declined: 14.2 applies,
    the notice misses 2025-10-31 and ends the renewed term on 2026-12-31."""
    result = run(scenario(
        '  - {date: 2025-03-01, type: migration_announced, contract: st, costs: "5000.00"}\n'
        "  - {date: 2025-11-15, type: termination_notice, contract: st, by: customer}"))
    notice = one(result, "st", "termination_notice_received")
    assert (notice["effective_date"], notice["clauses"]) == ("2026-12-31", ["14.2", "14.3"])


def test_a_decline_without_an_announcement_is_refused() -> None:
    result = run(scenario("  - {date: 2025-03-15, type: migration_declined, contract: st}"))
    assert one(result, "st", "event_refused")["reason"] == "no migration was announced"


def test_an_early_notice_keeps_the_earlier_term_end() -> None:
    """After a decline, a notice on 2025-04-01 still meets the 14.2 deadline: the term end
    2025-12-31 is earlier than 2025-04-01 + 1 year, so it stands."""
    result = run(scenario(
        '  - {date: 2025-03-01, type: migration_announced, contract: st, costs: "100.00"}\n'
        "  - {date: 2025-03-15, type: migration_declined, contract: st}\n"
        "  - {date: 2025-04-01, type: termination_notice, contract: st, by: customer}"))
    assert one(result, "st", "termination_notice_received")["effective_date"] == "2025-12-31"
