"""Prices: indexation with public index series and announced price and terms changes (issue 3).

Expected dates and amounts are worked out by hand from the seed text in the comments; the
clause is named in each test's name or docstring. Index values here are made up for the tests.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

import termline.domain.policy  # noqa: F401  (the policy schema first: the rules modules import it)
from scenario_helpers import actions, kinds, one, run
from termline.domain.engine import SimulationResult
from termline.domain.errors import InputError, MissingIndex, ScenarioError
from termline.domain.mechanisms.pricing.effective import (
    earliest_effective,
    frequency_ok,
    notice_until,
)
from termline.domain.mechanisms.pricing.indexation import (
    cap_price,
    revised_price,
    revision_factor,
    within_cap,
)
from termline.domain.mechanisms.pricing.rules import ChangeRule
from termline.domain.mechanisms.pricing.series import (
    IndexTable,
    from_mapping,
    month_before,
    parse_index_csv,
    shift_month,
)
from termline.domain.mechanisms.term.terms import Refused
from termline.domain.policy import load_pack
from termline.domain.values.calendar import Calendar
from termline.domain.values.duration import Duration

ROOT = Path(__file__).resolve().parent.parent.parent
D = Decimal

# --- pure functions -----------------------------------------------------------------------


def test_agoria_factor_and_rounding_8_7() -> None:
    # Catalogue example: P0 = 100, S0 = 120, S = 126 -> 100 x (0.2 + 0.8 x 1.05) = 104.00
    assert revision_factor(D("0.2"), D("126"), D("120")) == D("1.04")
    assert revised_price(D("100.00"), D("0.2"), D("126"), D("120")) == D("104.00")
    # 45.00 x (0.2 + 0.8 x 122.58 / 117.31): 122.58 / 117.31 = 1.0449237...,
    # x 0.8 = 0.8359390 + 0.2 = 1.0359390 -> x 45 = 46.61725... -> 46.62 (half-up, once)
    assert revised_price(D("45.00"), D("0.2"), D("122.58"), D("117.31")) == D("46.62")
    # the index falls: the price falls (no floor in 8.7): 100 x (0.2 + 0.8 x 114/120) = 96.00
    assert revised_price(D("100.00"), D("0.2"), D("114"), D("120")) == D("96.00")


def test_index_cap_is_exact_and_the_shown_cap_never_exceeds_it() -> None:
    # 50 x 130 / 125 = 52.00 exactly: 52.00 passes, 52.01 does not
    assert within_cap(D("50.00"), D("52.00"), D("130"), D("125"))
    assert not within_cap(D("50.00"), D("52.01"), D("130"), D("125"))
    # 50 x 131.07 / 125 = 52.428 -> the highest passing price in cents is 52.42 (rounded down)
    assert cap_price(D("50.00"), D("131.07"), D("125")) == D("52.42")
    assert within_cap(D("50.00"), D("52.42"), D("131.07"), D("125"))
    assert not within_cap(D("50.00"), D("52.43"), D("131.07"), D("125"))


def test_months_of_index_series() -> None:
    assert shift_month("2025-01", -1) == "2024-12"
    assert shift_month("2025-05", -12) == "2024-05"
    assert shift_month("2024-12", 1) == "2025-01"
    assert month_before(date(2024, 3, 15)) == "2024-02"
    assert month_before(date(2025, 1, 1)) == "2024-12"


def test_missing_index_value_is_an_error_never_zero() -> None:
    table = IndexTable.of({"agoria": {"2024-12": D("126")}})
    assert table.value("agoria", "2024-12") == D("126")
    with pytest.raises(MissingIndex, match="'agoria' has no value for 2025-12"):
        table.value("agoria", "2025-12")
    with pytest.raises(MissingIndex, match=r"no index series 'be-cpi'.*known series: agoria"):
        table.value("be-cpi", "2024-12")


def test_index_csv_format_and_errors_with_their_line() -> None:
    table = parse_index_csv("# sample\nseries,month,value\nagoria,2024-12,126.50\n\n"
                            "be-cpi, 2024-11 , 131.07\n")
    assert table.value("agoria", "2024-12") == D("126.50")
    assert table.value("be-cpi", "2024-11") == D("131.07")
    cases = [
        ("agoria,2024-12,1\n", 1, "header"),
        ("series,month,value\nagoria,2024-13,1\n", 2, "YYYY-MM"),
        ("series,month,value\nagoria,2024-12,zero\n", 2, "not an index value"),
        ("series,month,value\nagoria,2024-12,0\n", 2, "positive"),
        ("series,month,value\nagoria,2024-12,1\nagoria,2024-12,2\n", 3, "twice"),
        ("series,month,value\nagoria,2024-12\n", 2, "3 columns"),
        ("# nothing\n", 1, "empty index file"),
    ]
    for text, line, message in cases:
        with pytest.raises(InputError, match=message) as info:
            parse_index_csv(text, "x.csv")
        assert (info.value.source, info.value.line) == ("x.csv", line), text


def test_sample_index_file_is_marked_as_sample_data_and_parses() -> None:
    path = ROOT / "examples" / "index-sample.csv"
    text = path.read_text("utf-8")
    assert "SAMPLE DATA" in text.splitlines()[0] and "NOT official" in text
    table = parse_index_csv(text, str(path))
    assert set(table.names()) == {"agoria", "be-cpi", "dk-npi"}


def test_scenario_index_series_are_validated() -> None:
    table = from_mapping({"agoria": {"2024-12": "126.5", "2025-12": 130}})
    assert table.value("agoria", "2025-12") == D("130")
    with pytest.raises(ScenarioError, match="YYYY-MM"):
        from_mapping({"agoria": {"2024-1": "1"}}, "s.yaml")
    with pytest.raises(ScenarioError, match="positive"):
        from_mapping({"agoria": {"2024-12": "-1"}}, "s.yaml")


def test_increase_frequency_in_any_rolling_window() -> None:
    year = Duration.parse("12 months")
    assert frequency_ok([date(2025, 5, 1)], date(2026, 5, 1), year, 1)
    assert not frequency_ok([date(2025, 5, 1)], date(2026, 4, 30), year, 1)
    assert frequency_ok([date(2025, 5, 1)], date(2025, 10, 1), year, 2)
    assert not frequency_ok([date(2025, 5, 1), date(2025, 10, 1)], date(2026, 2, 1), year, 2)
    # a later change counts too: 2026-02-01 and 2026-06-01 are in one window
    assert not frequency_ok([date(2026, 6, 1)], date(2026, 2, 1), year, 1)


def test_smartconnect_8_2_effective_date_and_reaction_window_catalogue_example() -> None:
    """Catalogue SC-8.2: order 2024-03-15, notice 2024-12-20 -> S = 2026-03-15; the customer
    may terminate until 2025-12-15 (10.1: 3 months before the 2026-03-15 period start)."""
    policy = load_pack("smartconnect")
    assert policy.prices is not None and policy.prices.price_changes is not None
    rule = policy.prices.price_changes
    cal = Calendar("BE")
    start = date(2024, 3, 15)
    # 2025-03-15 is before 2024-12-20 + 3 months = 2025-03-20: the next period start is 2026
    assert earliest_effective(rule, policy, cal, start, date(2024, 12, 20),
                              date(2025, 3, 20)) == date(2026, 3, 15)
    refused = earliest_effective(rule, policy, cal, start, date(2024, 12, 20), date(2025, 3, 19))
    assert isinstance(refused, Refused) and "2026-03-15" in refused.reason
    # announced 2024-12-10 for 2025-03-15: exactly 3 months, and a later period: accepted
    assert earliest_effective(rule, policy, cal, start, date(2024, 12, 15),
                              date(2025, 3, 15)) == date(2025, 3, 15)
    assert notice_until(policy, cal, start, date(2024, 12, 20), date(2026, 3, 15)) == date(
        2025, 12, 15)


def test_not_before_start_plus_guard_6_5() -> None:
    """ST 6.5 (truncated): no change before three months have elapsed since the conclusion."""
    policy = load_pack("smarttrackers")
    rule = ChangeRule.model_validate({"clause": "6.5", "lead": "1 month",
                                      "not_before_start_plus": "3 months"})
    start = date(2025, 1, 10)
    found = earliest_effective(rule, policy, Calendar("NL"), start, date(2025, 1, 20),
                               date(2025, 3, 1))
    # 2025-01-10 + 3 months = 2025-04-10 > 2025-03-01
    assert isinstance(found, Refused) and "2025-04-10" in found.reason
    assert earliest_effective(rule, policy, Calendar("NL"), start, date(2025, 1, 20),
                              date(2025, 4, 10)) == date(2025, 4, 10)


def test_objection_rule_needs_its_effect() -> None:
    with pytest.raises(ValueError, match="on_objection"):
        ChangeRule.model_validate({"clause": "2.2", "lead": "2 weeks",
                                   "objection_window": "1 week"})


# --- Smartconnect 8.7: Agoria indexation on the yearly renewal ------------------------------

AGORIA = '{"2024-02": "120", "2024-12": "126", "2025-12": "132"}'


def _smartconnect(events: str = "", until: str = "2026-03-20", series: str = AGORIA,
                  overrides: str = "{}", extra_contract: str = "") -> str:
    return f"""
        policy: smartconnect
        until: {until}
        index_series: {{agoria: {series}}}
        contracts:
          - id: sc
            customer: {{name: Contact NV, country: BE}}
            start: 2024-03-15
            overrides: {overrides}
            lines:
              - {{item: Smartconnect Agent, unit_price: "100.00", per: month, quantity: 1}}
        {extra_contract}
        events:
          - {{date: 2024-03-15, type: payment, contract: sc, amount: "10000.00"}}
          {events}
    """


def _invoices(result: SimulationResult, cid: str) -> list[tuple[str, str]]:
    return [(i["date"], i["amount"]) for i in actions(result, cid, "invoice_issued")]


def test_smartconnect_agoria_indexation_on_each_renewal_base_method_8_7() -> None:
    """8.7: New = P0 x (0.2 + 0.8 S/S0), S0 = Feb 2024 (month before the 2024-03-15 start).

    Renewal 2025-03-15: S = Dec 2024 = 126 -> 100 x (0.2 + 0.8 x 126/120) = 100 x 1.04 = 104.00;
    invoice 104.00 x 12 = 1248.00. Renewal 2026-03-15: S = Dec 2025 = 132 -> base method on the
    ORIGINAL price: 100 x (0.2 + 0.8 x 1.1) = 108.00; invoice 1296.00.
    """
    result = run(_smartconnect())
    assert _invoices(result, "sc") == [("2024-03-15", "1200.00"), ("2025-03-15", "1248.00"),
                                       ("2026-03-15", "1296.00")]
    changed = actions(result, "sc", "price_changed")
    assert [(c["date"], c["item"], c["old_price"], c["new_price"], c["index"],
             c["effective_date"], c["index_month"], c["index_value"], c["base_month"],
             c["base_value"], c["factor"], c["clauses"]) for c in changed] == [
        ("2025-03-15", "Smartconnect Agent", "100.00", "104.00", "agoria", "2025-03-15",
         "2024-12", "126", "2024-02", "120", "1.040000", ["8.7"]),
        ("2026-03-15", "Smartconnect Agent", "104.00", "108.00", "agoria", "2026-03-15",
         "2025-12", "132", "2024-02", "120", "1.080000", ["8.7"]),
    ]
    assert changed[0]["currency"] == "EUR"


def test_smartconnect_chain_method_by_override_8_7() -> None:
    """8.7 with prices.indexation.base: chain: 2025 as above (104.00); 2026 indexes the price in
    force with the previous S: 104 x (0.2 + 0.8 x 132/126) = 104 x 1.0380952... = 107.96190...
    -> 107.96; invoice 107.96 x 12 = 1295.52."""
    result = run(_smartconnect(overrides="{prices.indexation.base: chain}"))
    assert _invoices(result, "sc")[1:] == [("2025-03-15", "1248.00"), ("2026-03-15", "1295.52")]


def test_smartconnect_another_series_by_override_8_7() -> None:
    """A contract may name another series (e.g. Agoria Digital): only its values count.
    digital: S0 = Feb 2024 = 200, S = Dec 2024 = 205 -> 100 x (0.2 + 0.8 x 1.025) = 102.00."""
    yaml = _smartconnect(until="2025-03-20", overrides="{prices.indexation.series: digital}")
    yaml = yaml.replace("index_series: {agoria:",
                        'index_series: {digital: {"2024-02": "200", "2024-12": "205"}, agoria:')
    result = run(yaml)
    assert _invoices(result, "sc") == [("2024-03-15", "1200.00"), ("2025-03-15", "1224.00")]
    assert one(result, "sc", "price_changed")["index"] == "digital"


def test_smartconnect_missing_december_index_is_an_error_8_7() -> None:
    """No value for December 2025 when the 2026-03-15 renewal needs it: a clear error."""
    with pytest.raises(MissingIndex, match=r"'agoria' has no value for 2025-12.*8\.7.*sc"):
        run(_smartconnect(series='{"2024-02": "120", "2024-12": "126"}'))


def test_smartconnect_without_any_agoria_series_says_it_did_not_index_8_7() -> None:
    """No series given at all: prices stay, and each renewal says so (never a silent zero)."""
    result = run(_smartconnect(until="2025-03-20").replace(
        "index_series: {agoria: " + AGORIA + "}", ""))
    assert _invoices(result, "sc") == [("2024-03-15", "1200.00"), ("2025-03-15", "1200.00")]
    skipped = one(result, "sc", "price_indexation_skipped")
    assert (skipped["date"], skipped["effective_date"], skipped["index"], skipped["clauses"]) == (
        "2025-03-14", "2025-03-15", "agoria", ["8.7"])
    assert "price_changed" not in kinds(result, "sc")


def test_smartconnect_no_indexation_when_the_contract_ends_before_the_renewal_8_7() -> None:
    """10.1 notice on 2024-12-15 (3 months before 2025-03-15) ends the contract 2025-03-14."""
    result = run(_smartconnect(
        "- {date: 2024-12-15, type: termination_notice, contract: sc, by: customer}"))
    assert "price_changed" not in kinds(result, "sc")
    assert _invoices(result, "sc") == [("2024-03-15", "1200.00")]


# --- Smartconnect 8.2: announced changes ---------------------------------------------------

def test_smartconnect_price_change_from_the_next_period_after_3_months_8_2() -> None:
    """8.2 catalogue example: notice 2024-12-20 for 2025-03-20 -> effective 2026-03-15 (2025-03-15
    is less than 3 months away); the customer may terminate under 10.1 until 2025-12-15.

    2025 renewal indexed: 104.00 (as above). 2026-03-15: the announced 120.00 is the price laid
    down for that period (it replaces the indexation that day): invoice 120 x 12 = 1440.00.
    """
    result = run(_smartconnect(
        "- {date: 2024-12-20, type: price_change_announced, contract: sc, "
        "item: Smartconnect Agent, new_unit_price: \"120.00\", effective: 2025-03-20}"))
    announced = one(result, "sc", "change_announced")
    # old_price on the announcement is the price known on 2024-12-20 (the 2025 indexation is
    # only computed before the 2025-03-15 invoice); price_changed shows 104.00 -> 120.00.
    assert (announced["date"], announced["change"], announced["old_price"],
            announced["new_price"], announced["effective_date"], announced["clauses"]) == (
        "2024-12-20", "price", "100.00", "120.00", "2026-03-15", ["8.2"])
    right = one(result, "sc", "customer_right_opened")
    assert (right["right"], right["until"], right["clauses"]) == (
        "terminate", "2025-12-15", ["8.2", "10.1"])
    assert _invoices(result, "sc") == [("2024-03-15", "1200.00"), ("2025-03-15", "1248.00"),
                                       ("2026-03-15", "1440.00")]
    changed = actions(result, "sc", "price_changed")
    assert [(c["date"], c["old_price"], c["new_price"], c.get("index")) for c in changed] == [
        ("2025-03-15", "100.00", "104.00", "agoria"), ("2026-03-15", "104.00", "120.00", None)]
    effective = one(result, "sc", "change_effective")
    assert (effective["date"], effective["change"], effective["ref"]) == (
        "2026-03-15", "price", announced["ref"])


def test_smartconnect_announced_price_becomes_the_indexation_base_8_2_8_7() -> None:
    """Notice 2024-11-01 for 2025-03-15 (3 months + 14 days, a later period): 110.00 from
    2025-03-15, no indexation that day. 2026-03-15: P_ref = 110.00, S0 = Feb 2025 = 125,
    S = Dec 2025 = 132: 110 x (0.2 + 0.8 x 132/125) = 110 x 1.0448 = 114.928 -> 114.93;
    invoice 114.93 x 12 = 1379.16."""
    result = run(_smartconnect(
        "- {date: 2024-11-01, type: price_change_announced, contract: sc, "
        "item: Smartconnect Agent, new_unit_price: \"110.00\", effective: 2025-03-15}",
        series='{"2024-02": "120", "2024-12": "126", "2025-02": "125", "2025-12": "132"}'))
    assert _invoices(result, "sc") == [("2024-03-15", "1200.00"), ("2025-03-15", "1320.00"),
                                       ("2026-03-15", "1379.16")]


def test_smartconnect_change_with_too_short_notice_is_refused_8_2() -> None:
    result = run(_smartconnect(
        "- {date: 2024-12-20, type: terms_change_announced, contract: sc, "
        "summary: new SLA annex, effective: 2025-03-19}", until="2025-01-31"))
    refused = one(result, "sc", "event_refused")
    assert refused["event"] == "terms_change_announced" and refused["clauses"] == ["8.2"]
    assert "3 months notice" in refused["reason"] and "2026-03-15" in refused["reason"]
    assert "change_announced" not in kinds(result, "sc")


def test_smartconnect_customer_who_terminates_never_gets_the_change_8_2() -> None:
    """Terms change announced 2024-12-20 -> effective 2026-03-15; the customer's 10.1 notice on
    the last day of the right (2025-12-15) ends the contract 2026-03-14: no change_effective."""
    result = run(_smartconnect(
        "- {date: 2024-12-20, type: terms_change_announced, contract: sc, "
        "summary: new terms, effective: 2025-03-20}\n"
        "          - {date: 2025-12-15, type: termination_notice, contract: sc, by: customer}"))
    assert one(result, "sc", "contract_terminated")["effective_date"] == "2026-03-14"
    assert "change_effective" not in kinds(result, "sc")


# --- ClientCom 5.5 and 2.2 -------------------------------------------------------------------

CPI = '{"2024-05": "125.00", "2025-05": "130.00"}'


def _clientcom(events: str, until: str = "2025-08-31") -> str:
    return f"""
        policy: clientcom
        until: {until}
        index_series: {{be-cpi: {CPI}}}
        contracts:
          - id: cc
            customer: {{name: Voicemail Partners BV, country: BE}}
            start: 2025-01-01
            lines:
              - {{item: Smart Voicemail, unit_price: "50.00", per: month, quantity: 1}}
        events:
          - {{date: 2025-01-01, type: payment, contract: cc, amount: "5000.00"}}
          {events}
    """


def _cc_price(day: str, price: str, effective: str, extra: str = "") -> str:
    return (f"- {{date: {day}, type: price_change_announced, contract: cc, "
            f"item: Smart Voicemail, new_unit_price: \"{price}\", effective: {effective}{extra}}}")


def test_clientcom_increase_within_the_cpi_rise_is_deemed_agreed_5_5() -> None:
    """5.5: announced 2025-06-10, effective 2025-07-10 (= one month later). CPI May 2025 / May
    2024 = 130 / 125 = 1.04: 50.00 -> 52.00 (+4 %) keeps pace. Monthly periods start on the
    1st: the July period (invoiced 07-01) keeps 50.00, the August invoice is 52.00."""
    result = run(_clientcom(_cc_price("2025-06-10", "52.00", "2025-07-10")))
    announced = one(result, "cc", "change_announced")
    assert (announced["effective_date"], announced["clauses"]) == ("2025-07-10", ["5.5"])
    changed = one(result, "cc", "price_changed")
    assert (changed["date"], changed["old_price"], changed["new_price"]) == (
        "2025-07-10", "50.00", "52.00")
    assert _invoices(result, "cc")[-2:] == [("2025-07-01", "50.00"), ("2025-08-01", "52.00")]
    assert "customer_right_opened" not in kinds(result, "cc")


def test_clientcom_increase_above_the_cpi_rise_is_refused_with_the_cap_5_5() -> None:
    result = run(_clientcom(_cc_price("2025-06-10", "52.01", "2025-07-10")))
    refused = one(result, "cc", "event_refused")
    assert refused["clauses"] == ["5.5"]
    assert "at most 52.00 is deemed agreed" in refused["reason"]
    assert "2024-05 125.00 -> 2025-05 130.00" in refused["reason"]
    assert "price_changed" not in kinds(result, "cc")


def test_clientcom_one_month_notice_and_one_increase_a_year_5_5() -> None:
    """Effective 2025-07-09 < 2025-06-10 + 1 month: refused. A second increase effective
    2026-07-01 < 2025-07-10 + 12 months: refused; a decrease is never limited."""
    result = run(_clientcom(
        _cc_price("2025-06-10", "51.00", "2025-07-09") + "\n          "
        + _cc_price("2025-06-11", "51.00", "2025-07-11") + "\n          "
        + _cc_price("2025-06-20", "52.00", "2026-07-01") + "\n          "
        + _cc_price("2025-06-21", "45.00", "2025-08-01"), until="2025-06-30"))
    refused = actions(result, "cc", "event_refused")
    assert len(refused) == 2
    assert "1 month notice" in refused[0]["reason"]
    assert "at most 1 increase(s) within 12 months" in refused[1]["reason"]
    assert [a["new_price"] for a in actions(result, "cc", "change_announced")] == [
        "51.00", "45.00"]


def test_clientcom_objection_is_termination_on_the_change_date_2_2() -> None:
    """2.2: notice 2025-03-03, effective 2025-03-17 (= 2 weeks). Objection week until 03-10;
    termination right until 03-16. An objection on 03-12 (after the week, inside the
    termination right) ends the contract on 03-16, the day before the change."""
    result = run(_clientcom(
        "- {date: 2025-03-03, type: terms_change_announced, contract: cc, summary: new AUP, "
        "effective: 2025-03-17}\n"
        "          - {date: 2025-03-12, type: objection, contract: cc}", until="2025-03-31"))
    rights = actions(result, "cc", "customer_right_opened")
    assert [(r["right"], r["until"], r["clauses"]) for r in rights] == [
        ("object", "2025-03-10", ["2.2"]), ("terminate", "2025-03-16", ["2.2"])]
    assert one(result, "cc", "objection_received")["effect"] == "terminate"
    notice = one(result, "cc", "termination_notice_received")
    assert (notice["date"], notice["effective_date"]) == ("2025-03-12", "2025-03-16")
    ended = one(result, "cc", "contract_terminated")
    assert ended["effective_date"] == "2025-03-16"
    assert "change_effective" not in kinds(result, "cc")


def test_clientcom_terms_change_without_objection_takes_effect_2_2() -> None:
    result = run(_clientcom(
        "- {date: 2025-03-03, type: terms_change_announced, contract: cc, summary: new AUP, "
        "effective: 2025-03-17}", until="2025-03-31"))
    effective = one(result, "cc", "change_effective")
    assert (effective["date"], effective["change"], effective["summary"]) == (
        "2025-03-17", "terms", "new AUP")
    too_short = run(_clientcom(
        "- {date: 2025-03-03, type: terms_change_announced, contract: cc, summary: new AUP, "
        "effective: 2025-03-16}", until="2025-03-31"))
    assert "2 weeks notice" in one(too_short, "cc", "event_refused")["reason"]
    late = run(_clientcom(
        "- {date: 2025-03-03, type: terms_change_announced, contract: cc, summary: x, "
        "effective: 2025-03-17}\n          - {date: 2025-03-17, type: objection, contract: cc}",
        until="2025-03-31"))
    assert one(late, "cc", "event_refused")["event"] == "objection"
    assert "contract_terminated" not in kinds(late, "cc")


# --- SmartWeb 3.2 and 3.3 -------------------------------------------------------------------

NPI = '{"2024-12": "110.0", "2025-04": "112.2"}'


def _smartweb(events: str, until: str = "2026-01-05", overrides: str = "{}") -> str:
    return f"""
        policy: smartweb
        until: {until}
        index_series: {{dk-npi: {NPI}}}
        contracts:
          - id: sw
            customer: {{name: Acme ApS, country: DK}}
            start: 2025-01-01
            overrides: {overrides}
            lines:
              - {{item: SmartWeb Shop, unit_price: "50.00", per: month, quantity: 1}}
        events:
          - {{date: 2025-01-01, type: payment, contract: sw, amount: "5000.00"}}
          {events}
    """


def _sw_price(day: str, price: str, effective: str) -> str:
    return (f"- {{date: {day}, type: price_change_announced, contract: sw, "
            f"item: SmartWeb Shop, new_unit_price: \"{price}\", effective: {effective}}}")


def test_smartweb_price_change_from_the_first_invoice_a_month_later_3_2_3_3() -> None:
    """3.2: notice 2025-05-20 for 2025-06-20 (one month). Invoices go out 14 days ahead: the
    2025-07-01 period on 06-17 (< 06-20, too early), the 2026-01-01 period on 2025-12-18: the
    new price applies from that invoice, effective 2026-01-01; 51.00 x 6 = 306.00.
    3.3: cap = 50.00 x NPI Apr 2025 / NPI Dec 2024 = 50 x 112.2 / 110 = 51.00: passes."""
    result = run(_smartweb(_sw_price("2025-05-20", "51.00", "2025-06-20")))
    announced = one(result, "sw", "change_announced")
    assert (announced["effective_date"], announced["clauses"]) == ("2026-01-01",
                                                                    ["3.2", "3.3"])
    assert _invoices(result, "sw") == [("2025-01-01", "300.00"), ("2025-06-17", "300.00"),
                                       ("2025-12-18", "306.00")]
    assert one(result, "sw", "price_changed")["date"] == "2026-01-01"


def test_smartweb_invoice_issued_ahead_carries_the_new_price_3_2() -> None:
    """Notice 2025-05-10 for 2025-06-10: the 06-17 invoice is the first dated on or after it;
    it bills the 2025-07-01 period at 51.00: 306.00, although the price changes on 07-01."""
    result = run(_smartweb(_sw_price("2025-05-10", "51.00", "2025-06-10"), until="2025-07-05"))
    assert _invoices(result, "sw") == [("2025-01-01", "300.00"), ("2025-06-17", "306.00")]
    changed = one(result, "sw", "price_changed")
    assert (changed["date"], changed["effective_date"]) == ("2025-07-01", "2025-07-01")


def test_smartweb_module_price_above_the_net_price_index_is_refused_3_3() -> None:
    result = run(_smartweb(_sw_price("2025-05-20", "51.01", "2025-06-20"), until="2025-06-30"))
    refused = one(result, "sw", "event_refused")
    assert refused["clauses"] == ["3.2", "3.3"]
    assert "at most 51.00 is deemed agreed" in refused["reason"]
    assert "the price at the start 50.00" in refused["reason"]
    exempt = run(_smartweb(_sw_price("2025-05-20", "60.00", "2025-06-20"), until="2025-06-30",
                           overrides='{prices.index_cap.exempt_items: ["SmartWeb Shop"]}'))
    assert one(exempt, "sw", "change_announced")["new_price"] == "60.00"


# --- SuperOffice 18 --------------------------------------------------------------------------

def _superoffice(events: str, until: str = "2028-04-05", period: str = "12 months") -> str:
    return f"""
        policy: superoffice
        until: {until}
        contracts:
          - id: so
            customer: {{name: Acme B.V., country: NL}}
            start: 2027-02-10
            billing_period: {period}
            lines:
              - {{item: CRM Online, unit_price: "40.00", per: month, quantity: 2}}
        events:
          - {{date: 2027-02-10, type: payment, contract: so, amount: "9000.00"}}
          {events}
    """


def test_superoffice_amendment_not_in_the_initial_year_18() -> None:
    """18: Contractdatum 2027-02-10, first Factuurperiode 2027-03-01, initial year ends
    2028-02-29. Notice 2027-06-01 for 2027-10-01 (4 months): inside the initial year, refused;
    the soonest is the period start 2028-03-01. Notice 2027-06-01 for 2028-03-01: accepted."""
    refused = run(_superoffice(
        "- {date: 2027-06-01, type: terms_change_announced, contract: so, summary: x, "
        "effective: 2027-10-01}", until="2027-06-30"))
    reason = one(refused, "so", "event_refused")["reason"]
    assert "initial term ends (2028-02-29)" in reason and "2028-03-01" in reason
    result = run(_superoffice(
        "- {date: 2027-06-01, type: terms_change_announced, contract: so, summary: x, "
        "effective: 2028-03-01}"))
    effective = one(result, "so", "change_effective")
    assert (effective["date"], effective["clauses"]) == ("2028-03-01", ["18"])
    assert "customer_right_opened" not in kinds(result, "so")


def test_superoffice_price_change_at_the_next_invoice_period_after_4_months_18() -> None:
    """18 applied to prices (ambiguity #23), monthly Factuurperiode: notice 2027-11-20 for
    2028-03-20 (= 4 months) -> next period start 2028-04-01. 2 users x 45.00 = 90.00 from the
    April invoice; March stays 2 x 40.00 = 80.00."""
    result = run(_superoffice(
        "- {date: 2027-11-20, type: price_change_announced, contract: so, item: CRM Online, "
        "new_unit_price: \"45.00\", effective: 2028-03-20}", period="1 month"))
    assert one(result, "so", "change_announced")["effective_date"] == "2028-04-01"
    assert _invoices(result, "so")[-2:] == [("2028-03-01", "80.00"), ("2028-04-01", "90.00")]


# --- SmartTrackers 2.2, 6.4, 6.5 ---------------------------------------------------------------

def _smarttrackers(events: str, until: str = "2026-01-05") -> str:
    return f"""
        policy: smarttrackers
        until: {until}
        contracts:
          - id: st
            customer: {{name: Acme B.V., country: NL}}
            start: 2025-01-01
            lines:
              - {{item: Trackers, unit_price: "100.00", per: month, quantity: 1}}
        events:
          - {{date: 2025-01-01, type: payment, contract: st, amount: "9000.00"}}
          {events}
    """


def _st_price(day: str, price: str, effective: str, extra: str = "") -> str:
    return (f"- {{date: {day}, type: price_change_announced, contract: st, item: Trackers, "
            f"new_unit_price: \"{price}\", effective: {effective}{extra}}}")


def test_smarttrackers_three_months_notice_and_one_increase_a_year_6_4_6_5() -> None:
    """6.5: notice 2025-02-01 for 2025-05-01 (3 months; start + 3 months = 2025-04-01): accepted.
    6.4: a second increase for 2025-10-01 (within 12 months of 2025-05-01) only in exceptional
    circumstances; a third (2025-11-01) never. The yearly 2026-01-01 invoice: 110 x 12."""
    result = run(_smarttrackers(
        _st_price("2025-02-01", "105.00", "2025-05-01") + "\n          "
        + _st_price("2025-06-01", "110.00", "2025-10-01") + "\n          "
        + _st_price("2025-06-02", "110.00", "2025-10-01", ", exceptional: true") + "\n          "
        + _st_price("2025-07-01", "115.00", "2025-11-01", ", exceptional: true") + "\n          "
        + _st_price("2025-07-02", "115.00", "2025-10-01")))
    refused = actions(result, "st", "event_refused")
    assert [r["date"] for r in refused] == ["2025-06-01", "2025-07-01", "2025-07-02"]
    assert "exceptional: true" in refused[0]["reason"]
    assert "at most 2 increase(s)" in refused[1]["reason"]
    assert "3 months notice" in refused[2]["reason"]
    changed = actions(result, "st", "price_changed")
    assert [(c["date"], c["new_price"], c["clauses"]) for c in changed] == [
        ("2025-05-01", "105.00", ["6.4", "6.5"]), ("2025-10-01", "110.00", ["6.4", "6.5"])]
    assert _invoices(result, "st") == [("2025-01-01", "1200.00"), ("2026-01-01", "1320.00")]


def test_smarttrackers_objection_keeps_the_old_terms_2_2() -> None:
    """2.2: notice 2025-03-01 for 2025-03-31 (= 30 days): objection right until 03-30. An
    objection keeps the old terms for this contract (no change_effective, no termination)."""
    change = ("- {date: 2025-03-01, type: terms_change_announced, contract: st, "
              "summary: GTC 2025, effective: 2025-03-31}")
    result = run(_smarttrackers(change + "\n          "
                                "- {date: 2025-03-20, type: objection, contract: st}",
                                until="2025-04-30"))
    right = one(result, "st", "customer_right_opened")
    assert (right["right"], right["until"], right["clauses"]) == ("object", "2025-03-30", ["2.2"])
    assert one(result, "st", "objection_received")["effect"] == "keep_old_terms"
    assert "change_effective" not in kinds(result, "st")
    assert "contract_terminated" not in kinds(result, "st")
    accepted = run(_smarttrackers(change, until="2025-04-30"))
    assert one(accepted, "st", "change_effective")["date"] == "2025-03-31"
    short = run(_smarttrackers(change.replace("2025-03-31", "2025-03-30"), until="2025-04-30"))
    assert "30 days notice" in one(short, "st", "event_refused")["reason"]


# --- broadcasts -------------------------------------------------------------------------------

def test_broadcast_change_reaches_only_contracts_it_concerns() -> None:
    """A `contract: "*"` price change: applied to the contract with the item, skipped silently
    for a contract without it and for one that has not started yet."""
    result = run("""
        policy: smarttrackers
        until: 2025-06-30
        contracts:
          - id: a
            customer: {name: A, country: NL}
            start: 2025-01-01
            lines: [{item: Trackers, unit_price: "100.00", per: month, quantity: 1}]
          - id: b
            customer: {name: B, country: NL}
            start: 2025-01-01
            lines: [{item: Other, unit_price: "100.00", per: month, quantity: 1}]
          - id: c
            customer: {name: C, country: NL}
            start: 2025-03-01
            lines: [{item: Trackers, unit_price: "100.00", per: month, quantity: 1}]
        events:
          - {date: 2025-02-01, type: price_change_announced, contract: "*", item: Trackers,
             new_unit_price: "105.00", effective: 2025-05-01}
    """)
    assert one(result, "a", "price_changed")["new_price"] == "105.00"
    for cid in ("b", "c"):
        assert not {"event_refused", "change_announced", "price_changed"} & set(kinds(result, cid))


# --- the command line: an index CSV ---------------------------------------------------------

def test_cli_simulate_reads_an_index_csv_and_the_scenario_wins(tmp_path: Path) -> None:
    """--indices FILE: the sample CSV's agoria (Feb 2025 = 120, Dec 2025 = 126) indexes the
    2026-03-01 renewal: 100 x (0.2 + 0.8 x 126/120) = 104.00 -> invoice 1248.00. The scenario's
    own Dec 2025 = 132 wins over the CSV: 100 x 1.08 = 108.00 -> 1296.00. A broken CSV exits 2
    with its line."""
    import json

    from typer.testing import CliRunner

    from termline.entrypoints.cli.app import app

    scenario = """
policy: smartconnect
until: 2026-03-01
contracts:
  - id: sc
    customer: {name: Contact NV, country: BE}
    start: 2025-03-01
    lines: [{item: Agent, unit_price: "100.00", per: month, quantity: 1}]
"""
    path = tmp_path / "s.yaml"
    path.write_text(scenario, "utf-8")
    sample = ROOT / "examples" / "index-sample.csv"
    runner = CliRunner()

    def amounts(args: list[str]) -> list[str]:
        result = runner.invoke(app, ["simulate", str(path), "--format", "json", *args])
        assert result.exit_code == 0, result.output
        return [a["amount"] for a in json.loads(result.stdout)["actions"]
                if a["kind"] == "invoice_issued"]

    assert amounts(["--indices", str(sample)]) == ["1200.00", "1248.00"]
    path.write_text(scenario + 'index_series: {agoria: {"2025-12": "132"}}\n', "utf-8")
    assert amounts(["--indices", str(sample)]) == ["1200.00", "1296.00"]
    broken = tmp_path / "broken.csv"
    broken.write_text("series,month,value\nagoria,2025-12,\n", "utf-8")
    result = runner.invoke(app, ["simulate", str(path), "--indices", str(broken)])
    assert result.exit_code == 2 and "line 2" in result.output
