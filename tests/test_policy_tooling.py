"""Author tooling: `policy check`, `policy schema`, `policy clauses`, `policy new` (issue 11)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from termline.domain.errors import PolicyError
from termline.domain.policy import BUILTIN_PACKS, load_policy_file
from termline.domain.policy.check import check_text
from termline.domain.policy.clauses import extract_clauses
from termline.domain.text.yamlsource import read_yaml
from termline.entrypoints.cli.app import app

ROOT = Path(__file__).resolve().parent.parent
PACKS = ROOT / "src/termline/domain/policy/packs"
runner = CliRunner()


def _schema() -> dict:
    result = runner.invoke(app, ["policy", "schema"])
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema


def test_schema_validates_every_builtin_pack_and_refuses_unknown_fields() -> None:
    validator = jsonschema.Draft202012Validator(_schema())
    for pack in BUILTIN_PACKS:
        data = read_yaml((PACKS / f"{pack}.yaml").read_text("utf-8"), pack).data
        assert list(validator.iter_errors(data)) == [], pack
    data = read_yaml((PACKS / "smartweb.yaml").read_text("utf-8"), "smartweb").data
    data["dunning"]["steps"][0]["colour"] = "red"  # unknown, deep inside a list item
    assert not validator.is_valid(data)
    data = read_yaml((PACKS / "smartweb.yaml").read_text("utf-8"), "smartweb").data
    data["currency"] = "EURO"
    assert not validator.is_valid(data)


def _broken(tmp_path: Path) -> Path:
    text = (PACKS / "smartweb.yaml").read_text("utf-8")
    text = text.replace("currency: EUR", "currency: EURO")
    text = text.replace("timezone: Europe/Copenhagen", "timezone: Europe/Copenhagn")
    text = text.replace("calendar: DK", "calendar: XX")
    text = text.replace("      from: reminder_2\n", "      from: reminder_9\n")
    text = text.replace('      fee: "14.00"\n      notes: ["\'no earlier',
                        '      fee: "14,00"\n      notes: ["\'no earlier')
    path = tmp_path / "broken.yaml"
    path.write_text(text, "utf-8")
    return path


def test_check_reports_every_problem_with_its_line_and_step_name(tmp_path: Path) -> None:
    path = _broken(tmp_path)
    result = runner.invoke(app, ["policy", "check", str(path), "--format", "json"])
    assert result.exit_code == 2
    problems = json.loads(result.stdout)["problems"]
    lines = path.read_text("utf-8").splitlines()

    def line_of(text: str) -> int:
        return next(i for i, line in enumerate(lines, 1) if text in line)

    by_where = {(p["where"], p["line"]): p["message"] for p in problems}
    assert ("currency", line_of("currency: EURO")) in by_where
    assert "ISO 4217" in by_where[("currency", line_of("currency: EURO"))]
    assert ("timezone", line_of("timezone: Europe/Copenhagn")) in by_where
    assert ("calendar", line_of("calendar: XX")) in by_where
    assert ("dunning.steps[0] (reminder_1).fee", line_of('fee: "14,00"')) in by_where
    # the ladder's problem names the step and stands on the line of the field at fault
    # (issue 19: `from`, not the step's first line)
    suspension = [p for p in problems if "step 'suspension'" in p["message"]]
    assert suspension and suspension[0]["line"] == line_of("from: reminder_9")
    assert suspension[0]["where"] == "dunning.steps[2] (suspension).from"
    assert "reminder_9" in suspension[0]["message"]
    # the same misspelt zone in the maintenance window is its own problem on its own line
    window = [p for p in problems if p["where"] == "sla.maintenance.window.timezone"]
    assert len(window) == 1 and window[0]["line"] > line_of("timezone: Europe/Copenhagn")
    assert len(problems) == 6


def test_bad_currency_and_time_zone_are_refused_at_load(tmp_path: Path) -> None:
    path = _broken(tmp_path)
    with pytest.raises(PolicyError, match="more problems"):
        load_policy_file(path)
    text = (PACKS / "smartweb.yaml").read_text("utf-8")
    one = tmp_path / "tz.yaml"
    one.write_text(text.replace("timezone: Europe/Copenhagen", "timezone: Europe/Copenhagn"))
    with pytest.raises(PolicyError, match="IANA time zone") as err:
        load_policy_file(one)
    assert err.value.field == "timezone"


def test_check_warns_about_smells_and_still_passes(tmp_path: Path) -> None:
    text = (PACKS / "smartweb.yaml").read_text("utf-8")
    text = text.replace('      fee: "14.00"\n      notes: ["\'no earlier',
                        '      fee: "0"\n      notes: ["\'no earlier')
    text = text.replace("overridable:\n", "overridable:\n  - term.initial\n")
    text = text.replace("\nprices:\n  clause: [\"3.2\", \"3.3\"]\n",
                        "\nprices:\n  clause: [\"3.2\", \"3.3\"]\n  increase_cap:\n"
                        "    clause: \"3.3\"\n    percent: \"5\"\n"
                        "    below_list_price_only: true\n")
    path = tmp_path / "smelly.yaml"
    path.write_text(text, "utf-8")
    policy, problems = check_text(text, str(path))
    assert policy is not None
    messages = [p.message for p in problems]
    assert all(p.severity == "warning" for p in problems)
    assert any("fee 0 charges nothing" in m for m in messages)
    assert any("term.renewal is not" in m for m in messages)
    assert any("without list_prices" in m for m in messages)
    result = runner.invoke(app, ["policy", "check", str(path)])
    assert result.exit_code == 0 and "3 warnings" in result.stdout


def test_clauses_of_numbering_styles_without_amounts_or_dates() -> None:
    text = "\n".join([
        "Algemene voorwaarden",
        "Artikel 1 - Definities",
        "1.1 Klant: de afnemer.",
        "1.2. Dienst: de software.",
        "1.2.1 Inclusief updates.",
        "Artikel 2 Betaling",
        "2.1 Facturen worden betaald binnen 14 dagen.",
        "15 % rente per jaar is verschuldigd.",
        "2.50 EUR per herinnering.",
        "2024. Een jaartal.",
        "3. Duration",
        "",
        "The contract runs for 12 months.",
        "",
        "It renews each year unless ended.",
        "",
        "  • a bullet belongs to the paragraph before it",
        "4.2 A jump from 3 to 4.2 is not a clause: text of the heading above.",
        "4. Liability",
        "4.1 At most EUR 1,000.",
    ])
    found = [(c.clause, c.line) for c in extract_clauses(text)]
    assert found == [("1", 2), ("1.1", 3), ("1.2", 4), ("1.2.1", 5), ("2", 6), ("2.1", 7),
                     ("3", 11), ("3 ¶1", 13), ("3 ¶2", 15), ("3 ¶3", 18), ("4", 19),
                     ("4.1", 20)]


def test_clauses_json_of_a_seed(shared: Path) -> None:
    seed = shared / "seeds" / "003_49a8735006170332.txt"
    result = runner.invoke(app, ["policy", "clauses", str(seed), "--format", "json"])
    rows = json.loads(result.stdout)
    assert rows[0] == {"clause": "1", "title": "Reikwijdte van het Contract", "line": 10}
    assert [r["clause"] for r in rows[1:4]] == ["1 ¶1", "1 ¶2", "1 ¶3"]
    assert {"clause": "13", "title": "Beëindiging van het contract", "line": 174} in rows


def test_policy_new_writes_a_commented_starting_point_that_checks(tmp_path: Path) -> None:
    path = tmp_path / "my-terms.yaml"
    result = runner.invoke(app, ["policy", "new", "--from", "smartweb", str(path)])
    assert result.exit_code == 0
    text = path.read_text("utf-8")
    assert text.startswith("# Policy my-terms, started from the built-in pack 'smartweb'")
    assert "\npack: my-terms\n" in text
    assert runner.invoke(app, ["policy", "check", str(path)]).exit_code == 0
    assert runner.invoke(app, ["policy", "new", "--from", "smartweb", str(path)]).exit_code == 2


def test_the_ladder_is_checked_as_a_whole_every_problem_named_by_step() -> None:
    """requires_steps naming a later step, a hand-over that charges, a charge without a name
    or with both a fee and a percentage, a list anchor with previous_step: one problem each."""
    from termline.domain.policy.schema import ladder_problems

    problems = ladder_problems([
        {"name": "r1", "kind": "reminder", "from": "due_date", "requires_steps": ["r2"]},
        {"name": "r2", "kind": "reminder", "from": ["previous_step", "due_date"]},
        {"name": "agency", "kind": "hand_over", "from": "r2", "fee": "10.00"},
        {"name": "fine", "kind": "charge", "from": "r2", "fee": "5", "percent_of_principal": "1"},
    ])
    assert problems == [
        "step 'r1': requires_steps names 'r2', which is not an earlier step",
        "step 'r2': previous_step stands alone",
        "step 'agency': a hand-over step charges nothing",
        "step 'fine': a charge step needs a charge_name",
        "step 'fine': a charge step has either a fee or a percent_of_principal",
    ]
