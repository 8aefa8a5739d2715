"""A provider's own policy as a first-class path (issue 11, "Done means").

The fixture tests/fixtures/custom/ holds a short terms text unlike the five seeds (LedgerLoop
BV, a Belgian ERP subscription: terms.txt) and the policy written for it (policy.yaml). The
tests check the policy, cover it against its text, and simulate contracts that exercise each
capability of the format; every figure is computed by hand from the clause cited.

Common contract: 2 users of "ERP Seat" at 50.00 a month, invoiced yearly in advance (3.1):
2 x 50.00 x 12 = 1200.00, due 30 days after the invoice date (3.2).
"""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

import termline.domain.policy
from scenario_helpers import run
from termline.domain.errors import PolicyError, ScenarioError
from termline.domain.mechanisms.liability.cap import Claim
from termline.domain.mechanisms.liability.compute import cap_on
from termline.domain.text.yamlsource import read_yaml
from termline.entrypoints.cli.app import app

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "custom"
POLICY = FIXTURE / "policy.yaml"
TERMS = FIXTURE / "terms.txt"
PACK_NAMES = re.compile(r"smartconnect|clientcom|smartweb|superoffice|smarttrackers", re.I)
runner = CliRunner()


def scenario(contracts: str, events: str = "", until: str = "2027-12-31") -> str:
    return f"""
policy: {POLICY}
until: {until}
contracts:
{contracts}
events:
{events or "  []"}
""".replace("events:\n  []", "events: []")


def contract(cid: str, *, start: str = "2027-01-04", term: str | None = "12 months",
             price: str = "50.00", extra: str = "") -> str:
    overrides = f"    overrides: {{term.initial: {term}}}\n" if term else ""
    return (f"  - id: {cid}\n    customer: {{name: {cid} BV, country: BE}}\n"
            f"    start: {start}\n{overrides}{extra}    lines:\n"
            f"      - {{item: ERP Seat, unit_price: \"{price}\", per: month, quantity: 2}}\n")


def acts(result, cid: str, kind: str) -> list:
    return [a for a in result.of(cid) if a.kind == kind]


# --- the author's tooling on the custom policy --------------------------------------------

def test_the_custom_policy_checks_validates_and_covers_its_own_terms() -> None:
    """`policy check`: valid, no warning. The JSON Schema validates it. `policy coverage
    FILE --terms` accounts for all 24 clauses of terms.txt (7 articles, 17 numbered clauses;
    row 4.4's evidence is the scenario late.yaml, run and checked) and exits 0. `policy
    readings FILE` and `policy coverage FILE` work on the file as on a built-in pack."""
    checked = runner.invoke(app, ["policy", "check", str(POLICY)])
    assert checked.exit_code == 0, checked.stderr
    assert "valid policy ledgerloop" in checked.stdout and "0 warnings" in checked.stdout
    schema = json.loads(runner.invoke(app, ["policy", "schema"]).stdout)
    data = read_yaml(POLICY.read_text("utf-8"), str(POLICY)).data
    assert list(jsonschema.Draft202012Validator(schema).iter_errors(data)) == []

    clauses = json.loads(runner.invoke(app, ["policy", "clauses", str(TERMS), "-f", "json"]
                                       ).stdout)
    assert [c["clause"] for c in clauses] == [
        "1", "1.1", "1.2", "2", "2.1", "2.2", "3", "3.1", "3.2", "3.3", "3.4", "4", "4.1", "4.2",
        "4.3", "4.4", "5", "5.1", "5.2", "6", "6.1", "6.2", "7", "7.1"]
    assert clauses[0] == {"clause": "1", "title": "Definitions", "line": 3}

    covered = runner.invoke(app, ["policy", "coverage", str(POLICY), "--terms", str(TERMS),
                                  "-f", "json"])
    assert covered.exit_code == 0, covered.stdout
    result = json.loads(covered.stdout)
    assert result["ok"] and result["unaccounted"] == [] and result["evidence_problems"] == []
    rows = {c["clause"]: c["row"] for c in result["clauses"]}
    assert rows["4.2"] == "4.1 to 4.3" and rows["1.2"] == "1" and rows["4"] == "4.1 to 4.3"

    readings = runner.invoke(app, ["policy", "readings", str(POLICY)])
    assert "## ledgerloop: LedgerLoop BV" in readings.stdout
    assert "the later of the two dates" in readings.stdout
    listed = json.loads(runner.invoke(app, ["policy", "coverage", str(POLICY), "-f", "json"]
                                      ).stdout)
    assert len(listed) == 14


def test_coverage_names_a_missing_clause_a_row_outside_the_text_and_bad_evidence(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the 4.4 row, clause 4.4 of the text is not accounted for; a row for 9.9 names a
    clause the text lacks; a scenario given as evidence that never cites its clause (5.2:
    nothing is deleted before the contract ends) fails the row, and so does a test that does
    not exist. Exit 1."""
    monkeypatch.chdir(FIXTURE.parent.parent.parent)  # the tests named file::name are found
    for name in ("terms.txt", "late.yaml"):
        shutil.copy(FIXTURE / name, tmp_path / name)
    text = POLICY.read_text("utf-8")
    row_44 = next(line for line in text.splitlines() if '{clause: "4.4"' in line)
    row_52 = next(line for line in text.splitlines() if '{clause: "5.2"' in line)
    broken = text.replace(row_44 + "\n", "").replace(
        row_52, row_52.replace('test: "tests/test_custom_policy.py::test_initial_term_comes_'
                               'from_each_contract_and_renewals_equal_it_2_1"',
                               'test: "late.yaml"'))
    broken += ('  - {clause: "9.9", title: "No such clause", status: not_operational, '
               'reason: "none"}\n')
    broken = broken.replace("test_liability_cap_is_half_of_the_payments_aggregate_6_1",
                            "test_no_such_test_6_1")
    policy = tmp_path / "policy.yaml"
    policy.write_text(broken, "utf-8")
    result = runner.invoke(app, ["policy", "coverage", str(policy), "--terms",
                                 str(tmp_path / "terms.txt"), "-f", "json"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert [c["clause"] for c in data["unaccounted"]] == ["4", "4.4"]  # the heading too
    assert data["rows_not_in_text"] == [{"row": "9.9", "clause": "9.9"}]
    assert data["citations_not_covered"] == [{"rule": "compensation", "clause": "4.4"}]
    assert data["evidence_problems"] == [
        {"row": "5.2", "problem": "scenario late.yaml: no action cites 5.2"},
        {"row": "6.1", "problem": "tests/test_custom_policy.py has no test "
                                  "test_no_such_test_6_1"}]


# --- format capabilities, each simulated -------------------------------------------------

def test_initial_term_comes_from_each_contract_and_renewals_equal_it_2_1() -> None:
    """2.1 'the initial term agreed in the Order Form ... renewed ... each time for a period
    equal to the initial term' (term.initial is a contract parameter, renewal: initial).

    24 months from 2027-01-01: the first term ends 2028-12-31. 2.2: a notice received
    2028-09-30 is three months before the term end and ends the contract on 2028-12-31;
    5.2: the data is deleted 30 days later, 2029-01-30. The same contract without a notice
    renews for 24 months: 2029-01-01 .. 2030-12-31 (not for the pack's example of 12 months).
    A contract without term.initial is refused naming the parameter and its clause; 6 months
    is refused because the 12-month billing period would outlast every renewal term."""
    ended = run(scenario(contract("b", start="2027-01-01", term="24 months"),
                         "  - {date: 2028-09-30, type: termination_notice, contract: b, "
                         "by: customer}", until="2029-03-01"))
    started = acts(ended, "b", "contract_started")[0]
    assert (started.get("term_start"), started.get("term_end")) == (
        date(2027, 1, 1), date(2028, 12, 31))
    assert acts(ended, "b", "termination_notice_received")[0].get("effective_date") == \
        date(2028, 12, 31)
    terminated = acts(ended, "b", "contract_terminated")[0]
    assert (terminated.date, terminated.clauses) == (date(2028, 12, 31), ("2.2",))
    assert acts(ended, "b", "data_deleted")[0].date == date(2029, 1, 30)

    renewed = run(scenario(contract("b", start="2027-01-01", term="24 months"),
                           until="2029-01-01"))
    state = renewed.states["b"]
    assert (state.term_start, state.term_end) == (date(2029, 1, 1), date(2030, 12, 31))

    with pytest.raises(ScenarioError, match=r"term\.initial is agreed per contract \(clause "
                       r"2\.1\)"):
        run(scenario(contract("x", term=None)))
    with pytest.raises(ScenarioError, match=r"billing\.period 12 months is longer than the "
                       r"renewal term 6 months"):
        run(scenario(contract("x", term="6 months")))


def test_a_contract_field_equal_to_the_fixed_value_is_accepted_another_refused_3_1() -> None:
    """3.1 fixes yearly billing: a contract that says billing_period: 12 months says what the
    policy says and is accepted (one invoice of 1200.00); 1 month is refused naming clause 3.1.
    The same holds for a built-in pack: ClientCom bills monthly (5.1, 5.2)."""
    same = run(scenario(contract("same", extra="    billing_period: 12 months\n")))
    assert [str(a.get("amount")) for a in acts(same, "same", "invoice_issued")] == ["1200.00"]
    with pytest.raises(ScenarioError, match=r"not overridable: clause 3\.1 of policy "
                       "'ledgerloop' fixes it") as err:
        run(scenario(contract("other", extra="    billing_period: 1 month\n")))
    assert err.value.field == "contracts.0.overrides.billing.period"

    clientcom = run("""
policy: clientcom
until: 2027-01-31
contracts:
  - id: cc
    customer: {name: Voice BV, country: BE}
    start: 2027-01-04
    billing_period: 1 month
    lines:
      - {item: Smart voicemail, unit_price: "30.00", per: month, quantity: 1}
events: []
""")
    assert [str(a.get("amount")) for a in acts(clientcom, "cc", "invoice_issued")] == ["30.00"]


def test_dunning_ladder_charges_and_hand_over_4_1_to_4_4() -> None:
    """Invoice 2027-01-04 of 1200.00 + 21 % VAT = 1452.00 (the open item, issue 17), due
    2027-02-03 (3.2), never paid.

    4.4: EUR 40 compensation the day after the due date, 2027-02-04 (ref late-0001-COMP).
    4.1: reminders due + 10 = 02-13, + 10 = 02-23, + 10 = 03-05. 4.2: 'still unpaid 21 days
    after the due date (02-24) and after the third reminder (03-05)': the later date, 03-05:
    fixed interest 15 % of the amount due, 1452.00: 217.80, and a penalty of 50.00, each a
    named charge with its own reference. 4.3: hand-over after three reminders and not before
    due + 45 days = 03-20, charging nothing. Balance: 1452.00 principal, fees 40 + 217.80 + 50
    = 307.80, total 1759.80."""
    result = run(scenario(contract("late"), until="2027-04-30"))
    dated = [(a.date.isoformat(), a.kind, a.clauses) for a in result.of("late")
             if a.kind not in ("contract_started", "invoice_issued")]
    assert dated == [
        ("2027-02-04", "compensation_charged", ("4.4",)),
        ("2027-02-13", "reminder_sent", ("4.1",)),
        ("2027-02-23", "reminder_sent", ("4.1",)),
        ("2027-03-05", "reminder_sent", ("4.1",)),
        ("2027-03-05", "charge_applied", ("4.2",)),
        ("2027-03-05", "charge_applied", ("4.2",)),
        ("2027-03-20", "claim_handed_over", ("4.3",)),
    ]
    invoice = acts(result, "late", "invoice_issued")[0]
    assert (invoice.get("ref"), str(invoice.get("amount")), invoice.get("due_date")) == (
        "late-0001", "1200.00", date(2027, 2, 3))
    charges = [(a.get("name"), str(a.get("amount")), a.get("charge_ref"))
               for a in acts(result, "late", "charge_applied")]
    assert charges == [("fixed interest", "217.80", "late-0001-fixed_interest"),
                       ("penalty", "50.00", "late-0001-penalty")]
    refs = [it.ref for it in result.states["late"].items]
    assert len(refs) == len(set(refs)) == 4
    balance = next(b for b in result.balances if b.contract == "late").to_json()
    assert (balance["principal"], balance["fees"], balance["total"]) == (
        "1452.00", "307.80", "1759.80")


def test_dispute_window_counts_from_the_service_date_3_3() -> None:
    """3.3: 60 days after the last day of the service period the invoice charges. Invoice
    2027-01-01 for 2027-01-01 .. 2027-12-31: the window ends 2027-12-31 + 60 days =
    2028-02-29 (a leap year). A dispute on 2027-12-01 is received (from the invoice date the
    window would have ended 2027-03-02); one on 2028-03-01 is refused."""
    result = run(scenario(
        contract("d", start="2027-01-01"),
        "  - {date: 2027-01-10, type: payment, contract: d, amount: \"1200.00\"}\n"
        "  - {date: 2027-12-01, type: invoice_disputed, contract: d, ref: d-0001}\n"
        "  - {date: 2028-03-01, type: invoice_disputed, contract: d, ref: d-0001}",
        until="2028-03-01"))
    received = acts(result, "d", "invoice_dispute_received")
    assert [(a.date, a.get("window_until")) for a in received] == [
        (date(2027, 12, 1), date(2028, 2, 29))]
    refused = [a for a in acts(result, "d", "event_refused")
               if a.get("event") == "invoice_disputed"]
    assert [(a.date, a.get("reason")) for a in refused] == [
        (date(2028, 3, 1), "deemed accepted: the dispute window ended 2028-02-29")]


def _announce(cid: str, price: str) -> str:
    return (f"  - {{date: 2027-09-01, type: price_change_announced, contract: {cid}, "
            f"item: ERP Seat, new_unit_price: \"{price}\", effective: 2028-01-04}}\n")


def test_price_increase_capped_at_5_percent_per_renewal_below_the_list_price_3_4() -> None:
    """3.4: at most 5 % per renewal while below the List Price (60.00), never above it;
    announced 2027-09-01 for the renewal of 2028-01-04 (two months' notice at least).

    50.00: at most 50.00 x 1.05 = 52.50: 55.00 is refused, 52.50 is accepted and the renewal
    invoice is 2 x 12 x 52.50 = 1260.00, citing 3.4 besides 3.1 and 3.2. 58.00: 5 % would be
    60.90, the List Price 60.00 is lower: 60.50 is refused, 60.00 accepted. 60.00 is at the List
    Price: the 5 % cap no longer applies and 70.00 passes."""
    result = run(scenario(
        contract("low", price="50.00") + contract("low2", price="50.00")
        + contract("near", price="58.00") + contract("near2", price="58.00")
        + contract("list", price="60.00"),
        _announce("low", "55.00") + _announce("low2", "52.50") + _announce("near", "60.50")
        + _announce("near2", "60.00") + _announce("list", "70.00"), until="2028-01-04"))

    def refused(cid: str) -> list[str]:
        return [str(a.get("reason")) for a in acts(result, cid, "event_refused")]

    assert refused("low") == ["ERP Seat: 55.00 exceeds 5 % above 50.00, the price before the "
                              "term from 2028-01-04: at most 52.50 is deemed agreed; a higher "
                              "price needs the customer's express consent"]
    assert refused("near") == ["ERP Seat: 60.50 exceeds the list price 60.00: at most 60.00 "
                               "is deemed agreed; a higher price needs the customer's express "
                               "consent"]
    assert refused("low2") == refused("near2") == refused("list") == []
    renewal = acts(result, "low2", "invoice_issued")[-1]
    assert (renewal.date, str(renewal.get("amount")), renewal.clauses) == (
        date(2028, 1, 4), "1260.00", ("3.1", "3.2", "3.4"))
    assert str(acts(result, "list", "invoice_issued")[-1].get("amount")) == "1680.00"


def test_backup_retention_tiers_5_1() -> None:
    """5.1: daily backups kept 7 days, Sunday backups 4 weeks, month-end backups 3 months.
    Requests on 2027-06-15: 06-10 (daily, from 06-08) restored; 05-30 (a Sunday, weekly from
    05-18) restored; 05-31 (a month end, monthly from 03-15) restored; 06-01 (a Tuesday, only
    daily) is no longer kept."""
    events = "".join(
        f"  - {{date: 2027-06-15, type: restore_requested, contract: bk, "
        f"backup_date: {d}}}\n" for d in ("2027-06-10", "2027-05-30", "2027-05-31",
                                         "2027-06-01"))
    result = run(scenario(contract("bk"), events, until="2027-06-15"))
    accepted = sorted(str(a.get("backup_date")) for a in acts(result, "bk", "restore_accepted"))
    assert accepted == ["2027-05-30", "2027-05-31", "2027-06-10"]
    refusal = acts(result, "bk", "restore_refused")
    assert [(str(a.get("backup_date")), a.get("reason")) for a in refusal] == [(
        "2027-06-01", "the backup of 2027-06-01 is no longer kept (daily: from 2027-06-08; "
        "weekly: from 2027-05-18; monthly: from 2027-03-15)")]


def test_liability_cap_is_half_of_the_payments_aggregate_6_1() -> None:
    """6.1: 50 % of the fees paid in the 12 months before the event, for all claims together.
    The 1200.00 invoice paid at its total, 1452.00 with 21 % VAT, on 2027-01-10: 1200.00 of it
    without VAT; event 2027-06-01: 50 % x 1200.00 = 600.00; with 100.00 already paid out for
    an earlier claim: 500.00."""
    result = run(scenario(contract("cap"), "  - {date: 2027-01-10, type: payment, "
                          "contract: cap, amount: \"1452.00\"}", until="2027-06-01"))
    first = cap_on(result, "cap", Claim(event=date(2027, 6, 1)))
    assert first.cap == Decimal("600.00")
    assert "6.1: 50 % of 1200.00 EUR = 600.00 EUR" in first.explanation
    later = cap_on(result, "cap", Claim(event=date(2027, 6, 1), paid_out=Decimal("100.00")))
    assert later.cap == Decimal("500.00")


def test_optional_sections_need_no_clause_and_refusals_are_neutral() -> None:
    """The terms have no trial, no refund rule and no immediate termination right for the
    provider: the policy has no such sections and cites nothing for them. A contract asking
    for a trial is refused, and so is a provider_termination event, in neutral words that
    name no other provider."""
    policy = termline.domain.policy.load_policy_file(POLICY)
    assert not policy.trial.offered and policy.trial.clause == ()
    assert policy.termination.no_refund is None
    assert not policy.provider_termination.enabled
    with pytest.raises(ScenarioError, match="offers no trial") as err:
        run(scenario(contract("t", extra="    trial_days: 14\n")))
    assert not PACK_NAMES.search(str(err.value))
    result = run(scenario(contract("p"), "  - {date: 2027-02-01, type: provider_termination, "
                          "contract: p, reason: breach}", until="2027-02-01"))
    refusal = acts(result, "p", "event_refused")[0]
    assert refusal.get("reason") == "the terms give the provider no immediate termination right"
    assert refusal.clauses == ()
    assert not any(PACK_NAMES.search(str(a.to_json())) for a in result.actions)


def test_a_step_counted_from_the_latest_of_two_anchors() -> None:
    """`from: [due_date, reminder_2]` counts from the later of the two dates. SmartWeb, invoice
    2025-01-01 due 01-09 (4.2), reminders 01-19 and 01-29; the breach notice (30 days, lapsed)
    set per contract to count from the due date and the second reminder: 01-29 + 30 = 02-28
    runs out, the notice goes out on 03-01 (from the due date alone: 02-09); termination 10
    days later, lapsed: 03-12."""
    result = run("""
policy: smartweb
until: 2025-03-31
contracts:
  - id: acme
    customer: {name: Acme ApS, country: DK}
    start: 2025-01-01
    overrides: {dunning.steps.breach_notice.from: [due_date, reminder_2]}
    lines:
      - {item: SmartWeb Shop, unit_price: "50.00", per: month, quantity: 1}
events: []
""")
    dated = [(a.kind, a.date) for a in result.of("acme")
             if a.kind in ("reminder_sent", "breach_notice_sent", "contract_terminated")]
    assert dated == [("reminder_sent", date(2025, 1, 19)), ("reminder_sent", date(2025, 1, 29)),
                     ("breach_notice_sent", date(2025, 3, 1)),
                     ("contract_terminated", date(2025, 3, 12))]


def test_a_contract_parameter_cannot_also_have_a_value_in_the_policy(tmp_path: Path) -> None:
    """A value agreed per contract has no default: writing one in the policy is an error at
    load and at `policy check`, on the line of the value."""
    text = POLICY.read_text("utf-8").replace("  renewal: initial\n",
                                             "  initial: 12 months\n  renewal: initial\n")
    path = tmp_path / "policy.yaml"
    path.write_text(text, "utf-8")
    line = text.splitlines().index("  initial: 12 months") + 1
    with pytest.raises(PolicyError, match=r"term\.initial is a contract parameter") as err:
        termline.domain.policy.load_policy_file(path)
    assert err.value.line == line
    result = runner.invoke(app, ["policy", "check", str(path), "-f", "json"])
    assert result.exit_code == 2
    assert json.loads(result.stdout)["problems"] == [{
        "severity": "error", "line": line, "where": "term.initial",
        "message": "term.initial is a contract parameter: the policy gives no value for it"}]
