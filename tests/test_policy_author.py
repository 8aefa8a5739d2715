"""Issue 19, author experience: `policy check` reports every problem in one run, cross-field
ones included, each on the line of the field at fault with the step by index and name; "did
you mean" for misspelt fields and values; warnings for settings that change nothing; overrides
nested or dotted; `deadlines` lists only steps that can still happen."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from termline.domain.engine.deadlines import deadlines
from termline.domain.errors import PolicyError
from termline.domain.policy import load_policy_file
from termline.domain.policy.check import check_text
from termline.domain.policy.policy_file import apply_overrides, dotted_overrides
from termline.entrypoints.cli.app import app
from tests.scenario_helpers import run

ROOT = Path(__file__).resolve().parent
PACKS = ROOT.parent / "src/termline/domain/policy/packs"
CUSTOM = ROOT / "fixtures/custom/policy.yaml"
runner = CliRunner()


def _line(text: str, fragment: str, after: int = 0) -> int:
    lines = text.splitlines()
    return next(i for i, line in enumerate(lines, 1) if i > after and fragment in line)


def test_every_problem_at_once_cross_field_on_the_field_and_steps_by_name(
        tmp_path: Path) -> None:
    """LedgerLoop (tests/fixtures/custom/terms.txt) 2.1 'renews for a period equal to the
    initial term' and 3.1 'invoiced yearly in advance': with an initial term of 12 months a
    billing period of 24 months outlasts every renewal (an error on the line of
    billing.period, not of the document's top). A per-contract value also written in the
    policy (term.initial, 2.1 'agreed in the Order Form'), a misspelt field, a bad literal,
    a negative-looking decimal on the third reminder and a collection step without a
    percentage are all reported in the same run."""
    text = CUSTOM.read_text("utf-8")
    text = text.replace("  period: 12 months\n", "  period: 24 months\n")
    text = text.replace("  renewal: initial\n", "  initial: 12 months\n  renewal: initial\n")
    text = text.replace("  dispute_from: service_date\n", "  dispute_from: servce_date\n"
                        "  dispute_windw: 60 days\n")
    text = text.replace(
        '    - {name: reminder_3, kind: reminder, clause: "4.1", after: 10 days, '
        'from: previous_step}',
        '    - {name: reminder_3, kind: reminder, clause: "4.1", after: 10 days, '
        'from: previous_step, fee: "1,5"}')
    text = text.replace("      kind: hand_over\n", "      kind: collection\n")
    path = tmp_path / "policy.yaml"
    path.write_text(text, "utf-8")
    result = runner.invoke(app, ["policy", "check", str(path), "-f", "json"])
    assert result.exit_code == 2
    got = {(p["line"], p["where"], p["message"]) for p in json.loads(result.stdout)["problems"]}
    assert got == {
        (_line(text, "initial: 12 months"), "term.initial",
         "term.initial is a contract parameter: the policy gives no value for it"),
        (_line(text, "dispute_from: servce_date"), "payment.dispute_from",
         "Input should be 'invoice_date' or 'service_date' (did you mean 'service_date'?)"),
        (_line(text, "dispute_windw"), "payment.dispute_windw",
         "unknown field (not part of the format) (did you mean 'dispute_window'?)"),
        (_line(text, 'fee: "1,5"'), "dunning.steps[2] (reminder_3).fee",
         "not a decimal number: '1,5'"),
        (_line(text, "kind: collection"), "dunning.steps[5] (collection_agency).kind",
         "step 'collection_agency': a collection step needs percent_of_principal"),
        (_line(text, "period: 24 months"), "billing.period",
         "billing.period 24 months is longer than the renewal term 12 months (clause 2.1): "
         "every period would outlast its term"),
    }
    # the loader refuses the same file, naming the first problem and counting the others
    with pytest.raises(PolicyError, match=r"\(and 5 more problems\)") as err:
        load_policy_file(path)
    assert err.value.line == _line(text, "initial: 12 months")


def test_a_cross_field_error_alone_is_on_its_fields_line_at_load_too(tmp_path: Path) -> None:
    """SmartWeb 4.1 (billing every 6 months) with a renewal term of 3 months: the loader
    places the error on billing.period, where the check does."""
    text = (PACKS / "smartweb.yaml").read_text("utf-8")
    term = text.index("\nterm:")
    renewal = text.index("  renewal:", term)
    end = text.index("\n", renewal)
    text = text[:renewal] + "  renewal: 3 months" + text[end:]
    path = tmp_path / "p.yaml"
    path.write_text(text, "utf-8")
    with pytest.raises(PolicyError, match="longer than the renewal term 3 months") as err:
        load_policy_file(path)
    billing = text.index("\nbilling:")
    assert err.value.line == text[:text.index("  period:", billing)].count("\n") + 1
    assert err.value.field == "billing.period"


def test_interest_waiting_for_a_step_the_ladder_lacks_is_an_error() -> None:
    """SmartTrackers-style 'interest after the default notice': requires_step must name a step
    of the ladder; a misspelling is an error with the closest name."""
    text = CUSTOM.read_text("utf-8").replace(
        "  method: none\n", "  method: none\n  requires_step: reminder_33\n")
    _, problems = check_text(text, "p.yaml")
    (problem,) = [p for p in problems if p.severity == "error"]
    assert problem.where == "interest.requires_step"
    assert problem.line == _line(text, "requires_step: reminder_33")
    assert problem.message == ("interest.requires_step names 'reminder_33', which is not a "
                               "step of the ladder (did you mean 'reminder_3'?)")


def test_warnings_for_settings_that_change_nothing() -> None:
    """An overridable path with a typo (prices.increase_cap.list_price), an overridable step
    that does not exist, availability excluding announced maintenance without a maintenance
    section, and reminders that wait for a switched-off step (LedgerLoop 4.2/4.3: the charges
    and the hand-over wait for the third reminder)."""
    text = CUSTOM.read_text("utf-8")
    text = text.replace("  - prices.increase_cap.list_prices\n",
                        "  - prices.increase_cap.list_price\n"
                        "  - dunning.steps.reminder_9.fee\n  - dunning.steps.penalty.fee\n")
    text = text.replace(
        '    - {name: reminder_3, kind: reminder, clause: "4.1", after: 10 days, '
        'from: previous_step}',
        '    - {name: reminder_3, kind: reminder, clause: "4.1", after: 10 days, '
        'from: previous_step, enabled: false}')
    text += ("sla:\n  clause: \"5.1\"\n  availability:\n    clause: \"5.1\"\n"
             "    target: \"99.5\"\n    window: calendar_month\n"
             "    exclude_maintenance: announced\n")
    policy, problems = check_text(text, "p.yaml")
    assert policy is not None and all(p.severity == "warning" for p in problems)
    got = [(p.line, p.message) for p in problems]
    assert got == sorted([
        (_line(text, "- prices.increase_cap.list_price"),
         "overridable path 'prices.increase_cap.list_price' changes nothing: "
         "prices.increase_cap has no field 'list_price' (did you mean 'list_prices'?)"),
        (_line(text, "- dunning.steps.reminder_9.fee"),
         "overridable path 'dunning.steps.reminder_9.fee' changes nothing: the ladder has no "
         "step 'reminder_9' (did you mean 'reminder_3'?)"),
        (_line(text, "from: due_date", _line(text, "name: fixed_interest")),
         "step 'fixed_interest' waits for 'reminder_3', which never happens (switched off): "
         "this step can never come"),
        (_line(text, "from: due_date", _line(text, "name: penalty")),
         "step 'penalty' waits for 'reminder_3', which never happens (switched off): this "
         "step can never come"),
        (_line(text, "from: due_date", _line(text, "name: collection_agency")),
         "step 'collection_agency' waits for 'reminder_3', which never happens (switched "
         "off): this step can never come"),
        (_line(text, "exclude_maintenance: announced"),
         "sla.availability.exclude_maintenance: announced with no sla.maintenance section "
         "changes nothing (no maintenance is announced or compliant)"),
    ])


def test_a_step_after_the_ladders_termination_warns() -> None:
    """A suspension placed after the termination step acts on a terminated contract: it can
    never act (engine/dunning_run.py does nothing for contract-level steps then)."""
    text = CUSTOM.read_text("utf-8").replace(
        "    - name: collection_agency\n",
        "    - {name: ended, kind: termination, clause: \"4.3\", after: 40 days, "
        "from: due_date}\n"
        "    - {name: cut, kind: suspension, clause: \"4.3\", after: 1 day, from: ended}\n"
        "    - name: collection_agency\n")
    _, problems = check_text(text, "p.yaml")
    assert [(p.where, p.message) for p in problems] == [
        ("dunning.steps[6] (cut).kind",
         "step 'cut' (suspension) comes after 'ended' terminated the contract: it can never "
         "act")]


def test_overrides_nested_or_dotted_are_the_same() -> None:
    """LedgerLoop 2.1: the initial term is agreed per contract. `{term: {initial: 24 months}}`
    and `{term.initial: 24 months}` give the same policy; a price list (3.4) set nested stays
    a whole mapping."""
    ref = str(CUSTOM)
    dotted = apply_overrides(ref, {"term.initial": "24 months",
                                   "prices.increase_cap.list_prices": {"ERP Seat": "70.00"}})
    nested = apply_overrides(ref, {"term": {"initial": "24 months"},
                                   "prices": {"increase_cap": {"list_prices":
                                                               {"ERP Seat": "70.00"}}}})
    assert nested == dotted
    assert str(nested.term.initial) == "24 months"
    assert nested.prices is not None and nested.prices.increase_cap is not None
    assert {k: str(v) for k, v in nested.prices.increase_cap.list_prices.items()} == {
        "ERP Seat": "70.00"}
    assert dotted_overrides({"dunning": {"steps": {"breach_notice": {"from": ["due_date"]}}}},
                            ("dunning.steps.breach_notice.from",)) == {
        "dunning.steps.breach_notice.from": ["due_date"]}
    # a section given nested sets its fields one by one, keeping the others
    opened = dotted_overrides({"compensation": {"amount": "40.00"}}, ("compensation",))
    assert opened == {"compensation.amount": "40.00"}
    with pytest.raises(PolicyError, match="not overridable"):
        apply_overrides(ref, {"term": {"initial": "24 months"}, "billing": {"period":
                                                                             "1 month"}})


def test_deadlines_list_no_step_a_terminated_contract_cannot_take() -> None:
    """SmartWeb 4.2-4.4: invoice of 2025-01-01 due 01-09 (4.2: 8 days), reminders 01-19 and
    01-29, suspension 'within seven days as from dispatch of the second letter' (02-06). The
    provider ends the contract on 02-01 (15.1, event provider_termination): the invoice is
    still open, but the suspension, the breach notice and the termination of the ladder can
    no longer act on it, so `deadlines` lists none of them (it listed the suspension)."""
    result = run("""
policy: smartweb
until: 2025-02-02
contracts:
  - id: acme
    customer: {name: Acme ApS, country: DK}
    start: 2025-01-01
    lines:
      - {item: SmartWeb Shop, unit_price: "50.00", per: month, quantity: 1}
events:
  - {date: 2025-02-01, type: provider_termination, contract: acme, reason: breach of 15.1}
""")
    kinds = [(a.kind, a.date) for a in result.of("acme")]
    assert ("reminder_sent", date(2025, 1, 29)) in kinds
    assert ("contract_terminated", date(2025, 2, 1)) in kinds
    state, ctx = result.states["acme"], result.contexts["acme"]
    assert state.status == "terminated" and state.access != "suspended"
    found = deadlines(state, ctx, date(2025, 2, 2))
    assert [d.kind for d in found if d.kind == "next_dunning_step"] == []


def test_a_negative_charge_of_a_step_is_refused_on_its_line() -> None:
    """A step charges money to the customer, never to the provider: SmartWeb 4.2 'a fee of EUR
    14 for each letter requesting payment' written "-14.00" and ClientCom 5.4 'a minimum of
    15% of the principal amount' written "-15" (which ran as charges of -14.00 and -15 % of
    the principal, lowering the debt) are errors on their lines, with the step's name; 0
    stays a warning (it charges nothing)."""
    text = (PACKS / "smartweb.yaml").read_text("utf-8")
    first = text.index('fee: "14.00"')
    text = text[:first] + 'fee: "-14.00"' + text[first + len('fee: "14.00"'):]
    _, problems = check_text(text, "smartweb.yaml")
    assert [(p.line, p.where, p.message) for p in problems if p.severity == "error"] == [
        (_line(text, 'fee: "-14.00"'), "dunning.steps[0] (reminder_1).fee",
         "Input should be greater than or equal to 0")]
    text = (PACKS / "clientcom.yaml").read_text("utf-8").replace(
        'percent_of_principal: "15"', 'percent_of_principal: "-15"\n      minimum_fee: "-1"')
    _, problems = check_text(text, "clientcom.yaml")
    assert [(p.line, p.where) for p in problems if p.severity == "error"] == [
        (_line(text, 'percent_of_principal: "-15"'),
         "dunning.steps[2] (collection).percent_of_principal"),
        (_line(text, 'minimum_fee: "-1"'), "dunning.steps[2] (collection).minimum_fee")]
    text = (PACKS / "clientcom.yaml").read_text("utf-8").replace(
        'percent_of_principal: "15"', 'percent_of_principal: "0"')
    policy, problems = check_text(text, "clientcom.yaml")
    assert policy is not None
    assert [p.message for p in problems] == [
        "step 'collection': percent_of_principal 0 charges nothing; leave it out, or use "
        "kind: hand_over for a step that charges nothing"]


def test_a_liability_basis_field_is_placed_on_its_own_line_without_the_kinds_tag() -> None:
    """LedgerLoop 6.1 (tests/fixtures/custom/terms.txt), 'limited to 50 % of the amounts paid
    in the 12 months before the event': the basis is chosen by its `kind`, and pydantic
    names the chosen section in the location (`liability.basis.paid_in_window.percnt`),
    which the file does not have: the problem stood on the line of `basis:` and without a
    "did you mean". It is now on the field's line, as the file writes it."""
    text = CUSTOM.read_text("utf-8").replace('    percent: "50"\n', '    percnt: "50"\n')
    _, problems = check_text(text, "p.yaml")
    assert [(p.line, p.where, p.message) for p in problems] == [
        (_line(text, 'percnt: "50"'), "liability.basis.percnt",
         "unknown field (not part of the format) (did you mean 'percent'?)")]
    text = CUSTOM.read_text("utf-8").replace('    percent: "50"\n', '    percent: "-50"\n')
    _, problems = check_text(text, "p.yaml")
    assert [(p.line, p.where, p.message) for p in problems] == [
        (_line(text, 'percent: "-50"'), "liability.basis.percent",
         "Input should be greater than 0")]


def test_a_misspelt_override_says_what_was_meant() -> None:
    """LedgerLoop 2.1 ('the initial term agreed in the Order Form', a contract parameter) and
    3.4 (the list prices a contract may set): a contract that writes `term: {intial: ...}`
    was told only that term.initial is missing, and `list_price` only that it is not
    overridable; both now name the path meant, nested or dotted."""
    ref = str(CUSTOM)
    with pytest.raises(PolicyError) as err:
        apply_overrides(ref, {"term": {"intial": "24 months"}})
    assert err.value.message == (
        "term.initial is agreed per contract (clause 2.1): the contract must give it (it "
        "gives 'term.intial': did you mean 'term.initial'?)")
    with pytest.raises(PolicyError) as err:
        apply_overrides(ref, {"term.initial": "24 months", "prices.increase_cap.list_price":
                              {"ERP Seat": "70.00"}})
    assert err.value.message == (
        "not overridable: clause 3.4 of policy 'ledgerloop' fixes it (overridable: "
        "prices.increase_cap.list_prices, term.initial) (did you mean "
        "'prices.increase_cap.list_prices'?)")
    assert err.value.field == "overrides.prices.increase_cap.list_price"


def test_deadlines_list_no_suspension_of_access_already_suspended(tmp_path: Path) -> None:
    """LedgerLoop (tests/fixtures/custom/terms.txt) billed monthly with a suspension 5 days
    after the due date (4.3) before its 4.1 reminders: invoice k-0001 of 2027-01-04 is due
    02-03, access suspended 02-08; reminders 02-13, 02-23, 03-05, charges 03-05, hand-over
    (45 days) 03-20. Invoice k-0002 of 02-04 is due 03-06: its suspension step (03-11) finds
    access already suspended and does nothing, so on 2027-03-07 the next step that can act
    is its first reminder on 03-16 (10 days after the due date), not a suspension on 03-11."""
    from tests.custom_terms import run_one

    text = CUSTOM.read_text("utf-8").replace(
        "overridable:\n", "overridable:\n  - billing.period\n").replace(
        "    - {name: reminder_1,",
        '    - {name: suspension, kind: suspension, clause: "4.3", after: 5 days, '
        "from: due_date}\n    - {name: reminder_1,")
    path = tmp_path / "p.yaml"
    path.write_text(text, "utf-8")
    result = run_one(path, "2027-03-07", contract="\n    billing_period: 1 month")
    acts = result.of("k")
    assert [(a.date, a.get("ref")) for a in acts if a.kind == "access_suspended"] == [
        (date(2027, 2, 8), "k-0001")]
    state, ctx = result.states["k"], result.contexts["k"]
    assert state.access == "suspended"
    found = [(d.kind, d.date, d.detail) for d in deadlines(state, ctx, date(2027, 3, 7))
             if d.kind == "next_dunning_step"]
    assert found == [("next_dunning_step", date(2027, 3, 16),
                      {"step": "reminder_1", "ref": "k-0002"})]
