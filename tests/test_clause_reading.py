"""`policy clauses` reads a terms text's own structure (issue 19), measured on real texts.

The expected clause numbers of each text are written by hand in
tests/fixtures/terms/expected/<name>.clauses.txt; recall and precision are reported in
docs/drafting.md and asserted here as floors.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from termline.domain.policy.clauses import extract_clauses
from termline.entrypoints.cli.app import app

ROOT = Path(__file__).resolve().parent.parent
TERMS = ROOT / "tests" / "fixtures" / "terms"
SEEDS = {"smartconnect": "000_4e477a7ce9543389.txt", "clientcom": "001_6bd31657a69f5e75.txt",
         "smartweb": "002_17ecead033d4287a.txt", "superoffice": "003_49a8735006170332.txt",
         "smarttrackers": "004_110e2dc2b8a986e2.txt"}
NEW_TEXTS = ("ante-da", "schriftje-nl", "pilko-fr", "gudat-de", "eminence-de", "asg-da",
             "monqcle-en", "github-corporate-en", "basecamp-en", "fortrabbit-de")
# The floors reported in docs/drafting.md (recall, precision of clause numbers).
FLOOR = 0.95


def _expected(name: str) -> list[str]:
    lines = (TERMS / "expected" / f"{name}.clauses.txt").read_text("utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def scores(found: list[str], expected: list[str]) -> tuple[float, float]:
    """Recall and precision of the numbered clauses found (paragraph keys ¶ are not numbers)."""
    numbers = [k for k in found if "¶" not in k]
    hits = len(set(numbers) & set(expected))
    return hits / len(expected), (hits / len(numbers) if numbers else 0.0)


@pytest.mark.parametrize("pack", sorted(SEEDS))
def test_clause_numbers_of_the_seed_texts(pack: str, shared: Path) -> None:
    """The expected lists key appendix clauses by the text's own label (Appendix 1-6.4)."""
    text = (shared / "seeds" / SEEDS[pack]).read_text("utf-8")
    found = [c.clause for c in extract_clauses(text)]
    recall, precision = scores(found, _expected(pack))
    assert recall >= FLOOR and precision >= FLOOR, (pack, recall, precision)


@pytest.mark.parametrize("name", NEW_TEXTS)
def test_clause_numbers_of_other_providers_texts(name: str) -> None:
    """Danish 1./2.1, Dutch bare `1 Title`, French `1. Objet`, German `§ 1` with `(1)`."""
    found = [c.clause for c in extract_clauses((TERMS / f"{name}.txt").read_text("utf-8"))]
    recall, precision = scores(found, _expected(name))
    assert recall >= FLOOR and precision >= FLOOR, (name, recall, precision, found)


STRUCTURES = """\
§ 1 Geltungsbereich
(1) Diese AGB gelten für alle Verträge.
(2) Abweichende Bedingungen gelten nicht.
§2 Zahlung
Abs. 1 Rechnungen sind innerhalb von 14 Tagen zu zahlen.
Abs. 2 Bei Verzug gilt:
lit. a) Verzugszinsen,
lit. b) Sperrung nach 30 Tagen.
Art. 3 Haftung
Artikel 4 Laufzeit
4.1 Der Vertrag läuft 12 Monate.
Article 5 Résiliation
7.1 A sub-clause whose heading 7 the text leaves out
7.2 Next
GTS-P4 Payment terms
SLA-uptime Availability of 99.9 %
Annex 2 Price list
The prices are on the website.
COVID-19 pandemic is force majeure.
12 months after termination the data is deleted.
"""


def test_every_numbering_of_issue_19_is_read() -> None:
    found = [c.clause for c in extract_clauses(STRUCTURES)]
    assert found == ["1", "1(1)", "1(2)", "2", "2(1)", "2(2)", "2(2)(a)", "2(2)(b)", "3", "4",
                     "4.1", "5", "7.1", "7.2", "GTS-P4", "SLA-uptime", "Annex 2"]


def test_danish_and_dutch_paragraphs() -> None:
    """Danish `§ 3` with `Stk. 1`, `Stk. 2`; Dutch `Artikel 4` with `Lid 1`, `Lid 2`."""
    text = ("§ 3. Betaling\nStk. 1. Betaling sker netto 8 dage.\nStk. 2. Ved forsinkelse "
            "betales renter.\nArtikel 4 Opzegging\nLid 1 De klant kan opzeggen.\nLid 2 Met een "
            "opzegtermijn van 1 maand.\n")
    assert [c.clause for c in extract_clauses(text)] == ["3", "3(1)", "3(2)", "4", "4(1)",
                                                         "4(2)"]


def test_bare_numbers_need_a_capitalised_heading() -> None:
    """`1 Contract en facturatie` is a clause; `12 Monate ...`, `7 manieren ...` are not."""
    text = "1 Contract en facturatie\n1.1 Text.\n2 Monate später\n2 Gebruikersrechten\n"
    assert [c.clause for c in extract_clauses(text)] == ["1", "1.1", "2"]
    assert extract_clauses("7 manieren om een strategie te maken\n") == []


def test_a_lettered_line_outside_an_article_stays_a_bullet() -> None:
    text = "1. Payment\n1.1 The customer pays:\na) the fees,\nb) the costs.\n"
    assert [c.clause for c in extract_clauses(text)] == ["1", "1.1"]


def test_no_clause_found_is_a_warning_with_exit_1(tmp_path: Path) -> None:
    terms = tmp_path / "prose.txt"
    terms.write_text("These terms have no numbering at all.\nPayment within 30 days.\n", "utf-8")
    result = CliRunner().invoke(app, ["policy", "clauses", str(terms)])
    assert result.exit_code == 1
    assert "no numbered clause found" in result.stderr
    result = CliRunner().invoke(app, ["policy", "clauses", str(terms), "--format", "json"])
    assert result.exit_code == 1 and json.loads(result.stdout) == []


def test_coverage_against_a_text_without_clauses_warns_with_exit_1(tmp_path: Path) -> None:
    terms = tmp_path / "prose.txt"
    terms.write_text("Payment within 30 days of the invoice date.\n", "utf-8")
    result = CliRunner().invoke(app, ["policy", "coverage",
                                      str(ROOT / "tests/fixtures/custom/policy.yaml"),
                                      "--terms", str(terms)])
    assert result.exit_code == 1
    assert "no numbered clause found: nothing to cover" in result.stderr


def _custom(tmp_path: Path, rows: list[dict[str, str]]) -> Path:
    import yaml

    data = yaml.safe_load((ROOT / "tests/fixtures/custom/policy.yaml").read_text("utf-8"))
    data["coverage"] = list(data.get("coverage") or []) + rows
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    return path


def test_coverage_flags_an_invented_sub_clause(tmp_path: Path) -> None:
    """A row for 5.9 where the text has 5, 5.1 and 5.2 names a clause the text lacks."""
    policy = _custom(tmp_path, [{"clause": "5.9", "title": "invented", "status":
                                 "not_operational", "reason": "none"}])
    result = CliRunner().invoke(app, ["policy", "coverage", str(policy), "--terms",
                                      str(ROOT / "tests/fixtures/custom/terms.txt"),
                                      "--format", "json"])
    data = json.loads(result.stdout)
    assert {"row": "5.9", "clause": "5.9"} in data["rows_not_in_text"]
    assert result.exit_code == 1


def test_coverage_flags_a_test_that_does_not_exist(tmp_path: Path) -> None:
    policy = _custom(tmp_path, [
        {"clause": "1.1", "title": "a", "status": "implemented",
         "test": "tests/no_such_file.py::test_x"},
        {"clause": "1.2", "title": "b", "status": "implemented",
         "test": "tests/test_clause_reading.py::test_no_such_test"}])
    result = CliRunner().invoke(app, ["policy", "coverage", str(policy), "--terms",
                                      str(ROOT / "tests/fixtures/custom/terms.txt"),
                                      "--format", "json"])
    problems = {p["row"]: p["problem"] for p in json.loads(result.stdout)["evidence_problems"]}
    assert problems["1.1"] == "test file tests/no_such_file.py not found"
    assert problems["1.2"] == "tests/test_clause_reading.py has no test test_no_such_test"
    assert result.exit_code == 1
