"""`termline policy draft` (issue 21): a policy drafted from a terms text, measured.

Every drafted value quotes the sentence holding the words it was read from; the drafts of the
five seeds are compared field by field with the five packs, those of nine other providers'
texts with reference policies written by hand before the drafter ran on them
(tests/fixtures/terms/*.policy.yaml). The figures are in docs/drafting.md; the floors below
are those figures (a draft that gets worse fails).
"""

from __future__ import annotations

import json
import os
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from termline.domain.drafting import draft_policy, find_all, language, sentences
from termline.domain.drafting.findings import _ORDINALS, DAILY, ON_RECEIPT, PERIODS
from termline.domain.drafting.measure import Score, score
from termline.domain.drafting.quantities import amounts, durations, number, percentages
from termline.domain.policy.check import check_text, is_draft
from termline.domain.values.duration import Duration
from termline.entrypoints.cli.app import app

ROOT = Path(__file__).resolve().parent.parent
TERMS = ROOT / "tests" / "fixtures" / "terms"
SEEDS = {"smartconnect": "000_4e477a7ce9543389.txt", "clientcom": "001_6bd31657a69f5e75.txt",
         "smartweb": "002_17ecead033d4287a.txt", "superoffice": "003_49a8735006170332.txt",
         "smarttrackers": "004_110e2dc2b8a986e2.txt"}
NEW = ("ante-da", "schriftje-nl", "pilko-fr", "eminence-de", "asg-da", "monqcle-en",
       "github-corporate-en", "basecamp-en", "fortrabbit-de")
# Held out: nothing in the drafter was changed in answer to these texts' misses. asg-da and
# monqcle-en were held out until the drafter was changed after their misses (docs/drafting.md).
HELD_OUT = ("ante-da", "eminence-de", "github-corporate-en", "basecamp-en", "fortrabbit-de")
# Held-out texts whose measured figures are below the targets (recall >= 60 %,
# precision >= 90 %; docs/drafting.md says what they missed and why).
BELOW_TARGETS: tuple[str, ...] = ("basecamp-en", "fortrabbit-de")
DOC = ROOT / "docs" / "drafting.md"
# Fields a pack sets by a reading that its seed text does not state (checked by reading each
# seed; the packs' own notes say so): the measure counts them against the drafter, which
# must not set them (a value needs a sentence holding it). docs/drafting.md reports recall
# with and without them.
NOT_STATED: dict[str, dict[str, str]] = {
    "smartconnect": {
        "billing.period": "8.1 bills 'in accordance with the price list'; 10.4 'prepaid "
                          "subscription fees': no period",
        "payment.term": "8.3 'no later than the due date of the invoice': 30 days is the "
                        "Belgian statutory default",
        "dunning.reminders.after": "8.4 'after three reminders': no delay",
        "dunning.suspension.after": "8.4: no delay",
        "sla.availability.window": "3.5 'aims a 99,9% availability': no window",
        "support.hours.opens": "5.4, 5.6 'business days': no hours",
        "support.hours.closes": "5.4, 5.6: no hours"},
    "clientcom": {
        "term.initial": "6.1 'for the agreed duration'",
        "payment.term": "no payment term: the Belgian statutory default",
        "trial.offered": "no trial is mentioned (false from silence)",
        "retention.deletion.after": "7.5 the data 'will remain available' for two months "
                                    "for portability: deletion is not said"},
    "smartweb": {
        "trial.offered": "no trial is mentioned (false from silence)",
        "prices.terms_changes.lead": "3.2 'prices and specifications': no clause changes "
                                     "the terms"},
    "superoffice": {
        "billing.period": "11 'conform de overeengekomen Factuurperiode': the order form's",
        "payment.term": "no payment term",
        "interest.method": "no interest clause (none from silence)",
        "dunning.suspension.after": "12 'indien na het bericht ... open blijven staan': no "
                                    "delay",
        "liability.basis.length": "7 'één Contracttermijn', a term the contract does not "
                                  "define (12 months by the pack's reading)"},
    "smarttrackers": {
        "billing.period": "6.6 leaves the dates to the Agreement; 6.7 'in advance': no period",
        "trial.offered": "no trial is mentioned (false from silence)",
        "dunning.suspension.after": "6.9 'after ... written notice': no delay",
        "retention.deletion.after": "15.17 'immediately after termination ... with immediate "
                                    "effect': 7 days is the pack's reading",
        "retention.export_window": "15.17 'immediately after termination': 7 days is the "
                                   "pack's reading"},
}


def _score(name: str, shared: Path) -> Score:
    if name in SEEDS:
        text = (shared / "seeds" / SEEDS[name]).read_text("utf-8")
        reference = (ROOT / f"src/termline/domain/policy/packs/{name}.yaml").read_text("utf-8")
    else:
        text = (TERMS / f"{name}.txt").read_text("utf-8")
        reference = (TERMS / f"{name}.policy.yaml").read_text("utf-8")
    draft, _ = draft_policy(text, f"{name}.txt")
    return score(yaml.safe_load(reference), yaml.safe_load(draft))


def _shown(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], str):
        return f"{value[1]} {value[0]}"
    if isinstance(value, tuple):
        return ", ".join(_shown(v) for v in value)
    return str(value)


def _figure(got: int, of: int) -> str:
    return f"{got}/{of} = {round(100 * got / of) if of else 100} %"


def _total(title: str, results: list[Score]) -> str:
    cited = sum(len(r.cited) for r in results)
    ref = sum(len(r.reference) for r in results)
    right = sum(len(r.right) for r in results)
    drafted = sum(len(r.draft) for r in results)
    return f"| **{title}** | **{_figure(cited, ref)}** | **{_figure(right, drafted)}** |"


def _summary(results: dict[str, Score], label: dict[str, str] | None = None) -> list[str]:
    """One row per text and the total; with labels (the held-out texts), their total too."""
    label = label or {}
    head = ["| text | recall | precision |", "| --- | --- | --- |"]
    rows = [f"| {label.get(n, n)} | {_figure(len(r.cited), len(r.reference))} | "
            f"{_figure(len(r.right), len(r.draft))} |" for n, r in results.items()]
    labelled = [r for n, r in results.items() if n in label]
    held = [_total(f"held out ({len(labelled)})", labelled)] if labelled else []
    return [*head, *rows, *held, _total(f"all {len(results)}", list(results.values()))]


def _fields(results: dict[str, Score]) -> list[str]:
    out: list[str] = []
    for name, r in results.items():
        out += ["", f"#### {name}: recall {_figure(len(r.cited), len(r.reference))}, "
                f"precision {_figure(len(r.right), len(r.draft))}", "",
                "| field | reference | draft | verdict |", "| --- | --- | --- | --- |"]
        unstated = NOT_STATED.get(name, {})
        out += [f"| `{field}` | {_shown(ref)} | {_shown(got)} | {verdict}"
                f"{' (the text does not state it)' if field in unstated else ''} |"
                for field, ref, got, verdict in r.rows()]
    return out


def _stated(results: dict[str, Score]) -> list[str]:
    """Recall over every field the pack sets (as above) beside recall over the fields the
    seed text states (NOT_STATED left out); precision is the same measure."""
    head = ["| text | recall, every field the pack sets | fields the text does not state | "
            "recall, fields the text states | precision |", "| --- | --- | --- | --- | --- |"]
    rows, totals = [], [0, 0, 0, 0, 0, 0]
    for name, r in results.items():
        unstated = set(NOT_STATED.get(name, {})) & set(r.reference)
        cited = len(r.cited)
        cited_stated = len([k for k in r.cited if k not in unstated])
        stated = len(r.reference) - len(unstated)
        rows.append(f"| {name} | {_figure(cited, len(r.reference))} | {len(unstated)} | "
                    f"{_figure(cited_stated, stated)} | {_figure(len(r.right), len(r.draft))} |")
        for i, v in enumerate((cited, len(r.reference), len(unstated), cited_stated, stated,
                               len(r.right))):
            totals[i] += v
    drafted = sum(len(r.draft) for r in results.values())
    return [*head, *rows, f"| **all {len(results)}** | **{_figure(totals[0], totals[1])}** | "
            f"**{totals[2]}** | **{_figure(totals[3], totals[4])}** | "
            f"**{_figure(totals[5], drafted)}** |"]


def _blocks(shared: Path) -> dict[str, list[str]]:
    """The generated parts of docs/drafting.md: the figures and the field-by-field tables."""
    seeds = {name: _score(name, shared) for name in SEEDS}
    new = {name: _score(name, shared) for name in NEW}
    return {"seeds": _summary(seeds), "stated": _stated(seeds),
            "new": _summary(new, {n: f"{n} (held out)" for n in HELD_OUT}),
            "fields": _fields({**seeds, **new})}


def _with_blocks(doc: str, blocks: dict[str, list[str]]) -> str:
    for key, lines in blocks.items():
        start, end = f"<!-- measured:{key} -->", f"<!-- /measured:{key} -->"
        assert start in doc and end in doc, f"docs/drafting.md lacks {start}"
        before, rest = doc.split(start, 1)
        doc = before + start + "\n" + "\n".join(lines) + "\n" + end + rest.split(end, 1)[1]
    return doc


def test_the_figures_of_docs_drafting_md_are_the_measured_ones(shared: Path) -> None:
    """docs/drafting.md shows what this measure gives, to the field: a change of the drafter
    that moves a figure fails here until the page says it (TERMLINE_WRITE_DOCS=1 rewrites the
    generated parts; the prose around them is the author's)."""
    doc = DOC.read_text("utf-8")
    expected = _with_blocks(doc, _blocks(shared))
    if os.environ.get("TERMLINE_WRITE_DOCS") == "1":
        DOC.write_text(expected, "utf-8")
    assert doc == expected


def _texts(shared: Path | None) -> list[tuple[str, str]]:
    out = [(name, (TERMS / f"{name}.txt").read_text("utf-8")) for name in (*NEW, "gudat-de")]
    if shared is not None:
        out += [(pack, (shared / "seeds" / seed).read_text("utf-8"))
                for pack, seed in SEEDS.items()]
    return out


def _expresses(source: str, value: object) -> bool:
    """Whether the words `source` say `value` (a duration, an amount, a number, a word)."""
    if isinstance(value, Duration):
        periods = [Duration.parse(v) for pattern, v in PERIODS if pattern.search(source)]
        daily = [Duration.parse("1 day")] if DAILY.search(source) else []
        receipt = [Duration.parse("0 days")] if ON_RECEIPT.search(source) else []
        return value in [r.value for r in durations(source)] + periods + daily + receipt
    if isinstance(value, Decimal):
        return value in [r.value for r in (*percentages(source), *amounts(source))] or \
            value == number(source.split()[0]) or str(value) in source
    if isinstance(value, int) and not isinstance(value, bool):
        return (number(source.split()[0]) == value or str(value) in source
                or _ORDINALS.get(source.lower()) == value)
    if isinstance(value, tuple):
        return bool(source)
    return bool(source.strip())


def test_every_finding_quotes_the_words_it_was_read_from(shared: Path) -> None:
    """A wrong value with a confident citation is worse than a TODO: for every finding of the
    fifteen texts (five seeds, nine other providers, gudat-de), the quote holds the words
    read, and those words say the value."""
    checked = 0
    for name, text in _texts(shared):
        for finding in find_all(sentences(text)):
            assert finding.source and finding.source in finding.quote, (name, finding)
            assert _expresses(finding.source, finding.value), (name, finding)
            checked += 1
    assert checked > 100


@pytest.mark.parametrize("pack", sorted(SEEDS))
def test_the_draft_of_each_seed_is_a_valid_draft(pack: str, shared: Path) -> None:
    text = (shared / "seeds" / SEEDS[pack]).read_text("utf-8")
    draft, findings = draft_policy(text, SEEDS[pack])
    policy, problems = check_text(draft, "draft.yaml")
    assert is_draft(policy, problems), [str(p) for p in problems if p.severity == "error"]
    assert all("TODO" in p.message for p in problems)
    comments = [line.strip() for line in draft.splitlines() if line.strip().startswith("#")]
    for finding in findings:  # each drafted value sits under its quote
        if finding.field in ("dunning.suspension.from", "billing.in_advance"):
            continue  # read to place a step or a note, not a value of their own
        head = f'# {finding.clause}: "{finding.quote[:20]}'
        assert any(c.startswith(head) for c in comments), finding


# (fields right and cited, fields the reference sets, fields right, fields drafted): the
# figures of docs/drafting.md, so that a draft that gets worse (or better) fails here by name
FIGURES = {"smartconnect": (23, 30, 23, 23), "clientcom": (18, 22, 18, 18),
           "smartweb": (24, 26, 24, 24), "superoffice": (20, 25, 20, 20),
           "smarttrackers": (18, 23, 18, 18),
           "ante-da": (7, 8, 8, 8), "schriftje-nl": (5, 5, 6, 6), "pilko-fr": (7, 10, 7, 7),
           "eminence-de": (6, 9, 6, 6), "asg-da": (7, 7, 7, 7),
           "monqcle-en": (11, 11, 11, 11),
           # first runs, as they came (references committed before the drafter ran on them)
           "github-corporate-en": (10, 15, 10, 10), "basecamp-en": (1, 7, 1, 2),
           "fortrabbit-de": (2, 3, 2, 3)}


@pytest.mark.parametrize("pack", sorted(SEEDS))
def test_drafts_of_the_seeds_against_the_packs(pack: str, shared: Path) -> None:
    """Recall: fields the pack sets that the draft set to the same value citing a clause of the
    pack's rule; precision: drafted fields whose value is the pack's (or the schema's default
    where the pack leaves it unwritten). Target precision >= 90 % on each pack."""
    result = _score(pack, shared)
    assert (len(result.cited), len(result.reference), len(result.right),
            len(result.draft)) == FIGURES[pack], result.rows()
    assert result.precision >= 0.9


@pytest.mark.parametrize("pack", sorted(SEEDS))
def test_the_draft_sets_no_field_its_seed_text_does_not_state(pack: str, shared: Path) -> None:
    """The fields of NOT_STATED (read from each seed by hand) are set by the pack and missed
    by the draft: a draft that sets one has found a sentence for it, or has written a value
    without one; either way NOT_STATED and docs/drafting.md must be looked at again."""
    result = _score(pack, shared)
    for name in NOT_STATED[pack]:
        assert name in result.reference, (pack, name)
        assert name not in result.draft, (pack, name, result.draft[name])


@pytest.mark.parametrize("name", NEW)
def test_drafts_of_other_providers_texts_against_references_written_by_hand(
        name: str, shared: Path) -> None:
    """Other providers' texts, their references written by hand first. ante-da, eminence-de,
    github-corporate-en, basecamp-en and fortrabbit-de are held out (nothing was changed in
    answer to them; the last four's figures are their first runs). schriftje-nl, pilko-fr,
    asg-da and monqcle-en were held out at first; the drafter was changed after their misses
    were seen, so they are no longer held out (docs/drafting.md says which change answered
    which miss)."""
    reference_text = (TERMS / f"{name}.policy.yaml").read_text("utf-8")
    _, problems = check_text(reference_text, f"{name}.policy.yaml")
    assert all(p.severity == "warning" for p in problems), problems
    result = _score(name, shared)
    assert (len(result.cited), len(result.reference), len(result.right),
            len(result.draft)) == FIGURES[name], result.rows()


@pytest.mark.parametrize("name", [
    pytest.param(n, marks=pytest.mark.xfail(strict=True, reason="below the targets: "
                                            "docs/drafting.md")) if n in BELOW_TARGETS else n
    for n in NEW])
def test_other_providers_texts_meet_the_targets(name: str, shared: Path) -> None:
    """Issue 21's targets on texts the drafter was not tuned on: recall >= 60 %, precision
    >= 90 %. A held-out text below them is a strict expected failure (BELOW_TARGETS), so that
    a change that makes one meet them fails here until its mark and docs/drafting.md say so."""
    result = _score(name, shared)
    assert result.recall >= 0.6 and result.precision >= 0.9, result.rows()


def test_draft_of_the_custom_terms_against_the_custom_policy() -> None:
    """The suite's custom provider (tests/fixtures/custom): 19 of 20 fields, none wrong. Its
    interest `none` is what the policy reads from the text's silence: no sentence says it.
    4.1 "a reminder 10 days after the due date ..., and a second and a third reminder each 10
    days after the previous one" gives all three reminders' delays."""
    draft, _ = draft_policy((ROOT / "tests/fixtures/custom/terms.txt").read_text("utf-8"),
                            "terms.txt")
    reference = yaml.safe_load((ROOT / "tests/fixtures/custom/policy.yaml").read_text("utf-8"))
    result = score(reference, yaml.safe_load(draft))
    assert (len(result.cited), len(result.reference)) == (19, 20), result.rows()
    assert result.precision == 1.0


def test_a_text_with_nothing_to_draft_is_all_todo() -> None:
    """gudat-de.txt (§ 1, § 2 of a German AGB) holds no billing rule: no value, every section
    a TODO, still a draft `policy check` accepts."""
    draft, findings = draft_policy((TERMS / "gudat-de.txt").read_text("utf-8"), "gudat-de.txt")
    assert findings == []
    policy, problems = check_text(draft, "gudat.yaml")
    assert is_draft(policy, problems)
    assert yaml.safe_load(draft)["payment"].startswith("TODO")


@pytest.mark.parametrize(("text", "term"), [
    ("1. Betaling\n1.1 Facturen worden betaald binnen 30 dagen na factuurdatum.\n", "30 days"),
    ("1. Paiement\n1.1 Les factures sont payables dans les 30 jours suivant la date de "
     "facture.\n", "30 days"),
    ("§ 1 Zahlung\n(1) Rechnungen sind innerhalb von 14 Tagen nach Rechnungsdatum zu "
     "zahlen.\n", "14 days"),
    ("1. Betaling\n1.1 Betaling af fakturaen sker netto 8 dage.\n", "8 days"),
    ("1. Payment\n1.1 Invoices must be paid within ten (10) business days of the invoice "
     "date.\n", "10 business days"),
])
def test_payment_terms_in_five_languages(text: str, term: str) -> None:
    found = {f.field: f for f in find_all(sentences(text))}
    assert str(found["payment.term"].value) == term
    assert found["payment.term"].clause in ("1.1", "1(1)")


@pytest.mark.parametrize("text", [
    "1. Payment\n1.1 Invoices are payable within 30 days end of month.\n",
    "1. Betaling\n1.1 Facturen worden betaald binnen 30 dagen einde maand na factuurdatum.\n",
    "1. Paiement\n1.1 Les factures sont payables à 30 jours fin de mois.\n",
    "1. Betaling\n1.1 Fakturaen betales netto 30 dage løbende måned.\n",
])
def test_a_payment_term_to_the_end_of_a_month_is_a_todo_not_30_days(text: str) -> None:
    """"30 days end of month" is not "30 days": the format cannot say it, so the draft leaves
    payment a TODO quoting the words instead of a confident wrong value."""
    draft, findings = draft_policy(text, "t.txt")
    assert "payment.term" not in {f.field for f in findings}
    payment = yaml.safe_load(draft)["payment"]
    assert payment.startswith("TODO: 1.1 says") and "30" in payment


def test_language_is_detected_and_can_be_given() -> None:
    assert language((TERMS / "ante-da.txt").read_text("utf-8")) == "da"
    assert language((TERMS / "pilko-fr.txt").read_text("utf-8")) == "fr"
    assert language((TERMS / "gudat-de.txt").read_text("utf-8")) == "de"
    assert language((TERMS / "schriftje-nl.txt").read_text("utf-8")) == "nl"
    draft, _ = draft_policy("1. Payment\n1.1 Pay within 30 days of the invoice date.\n", "x.txt",
                            "de")
    assert yaml.safe_load(draft)["source"]["language"] == "de"


def test_cli_writes_the_draft_and_prints_findings_as_json(tmp_path: Path) -> None:
    out = tmp_path / "draft.yaml"
    result = CliRunner().invoke(app, ["policy", "draft", str(TERMS / "ante-da.txt"), "-o",
                                      str(out), "--format", "json"])
    assert result.exit_code == 0, result.output
    findings = json.loads(result.stdout)
    assert findings and all(set(f) == {"field", "value", "clause", "quote", "confidence"}
                            for f in findings)
    payment = next(f for f in findings if f["field"] == "payment.term")
    assert payment == {"field": "payment.term", "value": "14 days", "clause": "3",
                       "quote": "Betaling skal ske kontant senest 14 dage fra fakturadato.",
                       "confidence": 0.9}
    check = CliRunner().invoke(app, ["policy", "check", str(out), "--format", "json"])
    data = json.loads(check.stdout)
    assert check.exit_code == 1 and data["valid"] and data["draft"]
    assert {p["severity"] for p in data["problems"]} == {"warning"}
    # `policy draft` without -o prints the draft itself
    plain = CliRunner().invoke(app, ["policy", "draft", str(TERMS / "ante-da.txt"),
                                     "--language", "da"])
    assert plain.exit_code == 0 and plain.stdout.startswith("# Drafted by `termline policy")


POLICY = (ROOT / "tests/fixtures/custom/policy.yaml").read_text("utf-8")


def test_a_todo_is_a_warning_never_a_value() -> None:
    """`term: TODO` in an otherwise valid policy: one warning on its line, no policy returned
    (nothing can run it), and loading it for a run is refused naming the TODO."""
    from termline.domain.errors import PolicyError
    from termline.domain.policy.policy_file import _validate
    from termline.domain.text.yamlsource import read_yaml

    text = POLICY.replace("payment:\n  clause:", "payment:\n  term: TODO\n  clause:", 1)
    assert text != POLICY
    data = yaml.safe_load(text)
    data["payment"].pop("term", None)
    data["payment"]["term"] = "TODO: the payment term (see 4.2)"
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    policy, problems = check_text(text, "p.yaml")
    assert policy is None and is_draft(policy, problems)
    assert [p.where for p in problems] == ["payment.term"]
    assert problems[0].line == text.splitlines().index(
        next(line for line in text.splitlines() if "TODO: the payment term" in line)) + 1
    with pytest.raises(PolicyError, match="1 TODO left"):
        _validate(read_yaml(text, "p.yaml", PolicyError))


def test_a_draft_with_a_real_error_is_refused() -> None:
    """TODOs do not hide errors elsewhere: an unknown field next to a TODO is an error."""
    data = yaml.safe_load(POLICY)
    data["interest"] = "TODO"
    data["billing"]["periode"] = "1 month"
    policy, problems = check_text(yaml.safe_dump(data, sort_keys=False), "p.yaml")
    assert policy is None and not is_draft(policy, problems)
    assert [p.where for p in problems if p.severity == "error"] == ["billing.periode"]
    assert [p.where for p in problems if p.severity == "warning"] == ["interest"]


def test_simulate_refuses_a_draft(tmp_path: Path) -> None:
    draft, _ = draft_policy((TERMS / "ante-da.txt").read_text("utf-8"), "ante-da.txt")
    (tmp_path / "draft.yaml").write_text(draft, "utf-8")
    scenario = tmp_path / "s.yaml"
    scenario.write_text("policy: draft.yaml\nuntil: 2027-03-01\ncontracts:\n  - id: a\n"
                        "    start: 2027-01-01\n"
                        "    customer: {name: A, country: DK}\n"
                        "    lines: [{item: X, unit_price: '10.00', per: month}]\n", "utf-8")
    result = CliRunner().invoke(app, ["simulate", str(scenario)])
    assert result.exit_code == 2
    assert "TODO" in result.stderr


UNIT_WORDS = {"days": ["days", "dagen", "jours", "Tage", "dage"],
              "business days": ["business days", "werkdagen", "jours ouvrés", "Werktage",
                                "hverdage"],
              "weeks": ["weeks", "weken", "semaines", "Wochen", "uger"],
              "months": ["months", "maanden", "mois", "Monate", "måneder"],
              "years": ["years", "jaar", "ans", "Jahre", "år"]}


@pytest.mark.parametrize("unit", sorted(UNIT_WORDS))
def test_durations_read_back_in_every_language(unit: str) -> None:
    """Invariant: "N <unit>" in any of the five languages reads as N of that unit, with the
    exact words as its source, also inside a sentence and with "N (N)"."""
    from hypothesis import given
    from hypothesis import strategies as st

    @given(st.integers(min_value=2, max_value=999), st.sampled_from(UNIT_WORDS[unit]),
           st.booleans())
    def check(n: int, word: str, doubled: bool) -> None:
        said = f"{n} ({n}) {word}" if doubled else f"{n} {word}"
        found = durations(f"Within {said}, then.")
        assert [str(r.value) for r in found] == [str(Duration.parse(f"{n} {unit}"))]
        assert found[0].source == said

    check()


@pytest.mark.parametrize(("text", "expected"), [
    # the anchor of a notice, read from its words
    ("1. Term\n1.1 Either party may terminate the Agreement with at least two months' notice "
     "before the end of the current term.\n",
     {"termination.customer.before": "term_end", "termination.provider.before": "term_end",
      "termination.customer.effect": "term_end"}),
    ("1. Looptijd\n1.1 De overeenkomst kan worden opgezegd met een opzegtermijn van 30 dagen "
     "voor het einde van de lopende contractperiode.\n",
     {"termination.customer.before": "term_end", "termination.customer.effect": "term_end"}),
    # a bare notice period runs from the notice day
    ("1. Term\n1.1 The Provider may terminate the Agreement subject to a notice period of "
     "three (3) months.\n",
     {"termination.provider.effect": "fixed_period"}),
])
def test_the_anchor_of_a_notice_is_read_from_its_words(text: str,
                                                       expected: dict[str, str]) -> None:
    found = {f.field: f for f in find_all(sentences(text))}
    assert {k: found[k].value for k in expected} == expected
    assert all(found[k].clause == "1.1" for k in expected)


def test_a_passive_termination_sentence_is_not_the_providers_right() -> None:
    """"Het contract kan ... worden beëindigd": the contract is the subject, no party is named;
    "kan" (may) is not the provider's right as in "X kan het contract beëindigen"."""
    text = ("1. Contract\n1.1 Het contract kan schriftelijk worden beëindigd binnen 30 dagen "
            "voor de geldende einddatum.\n")
    found = {f.field: f for f in find_all(sentences(text))}
    assert str(found["termination.customer.period"].value) == "30 days"
    assert "termination.provider.period" not in found


@pytest.mark.parametrize(("text", "anchor"), [
    ("1. Payment\n1.1 Interest of 1% per month is charged from the due date.\n", "due_date"),
    ("1. Payment\n1.1 If the Customer does not pay the invoice within the agreed term, the "
     "statutory interest is owed.\n", "due_date"),
    ("1. Betaling\n1.1 Over het openstaande bedrag is 1% rente per maand verschuldigd vanaf de "
     "vervaldatum.\n", "due_date"),
    ("1. Payment\n1.1 Late payment bears the statutory interest as of the invoice date.\n",
     "invoice_date"),
])
def test_when_interest_starts_is_read_from_its_sentence(text: str, anchor: str) -> None:
    found = {f.field: f for f in find_all(sentences(text))}
    assert found["interest.accrues_from"].value == anchor


@pytest.mark.parametrize("text", [
    "1. Offre\n- Le premier mois d'utilisation est offert.\n",
    "1. Offer\n- The first month is free of charge.\n",
    "1. Aanbod\n- De eerste maand is gratis.\n",
])
def test_a_free_first_month_is_a_trial(text: str) -> None:
    found = {f.field: f for f in find_all(sentences(text))}
    assert found["trial.offered"].value is True and found["trial.offered"].clause == "1"


def test_french_late_payment_penalties_at_the_legal_rate_are_statutory_interest() -> None:
    text = ("1. Paiement\n- En cas de retard de paiement, des pénalités sont dues au taux "
            "légal.\n")
    found = {f.field: f for f in find_all(sentences(text))}
    assert found["interest.method"].value == "statutory"
    assert found["interest.method"].source == "taux légal"


def test_prices_without_a_notice_of_their_own_change_under_the_terms_change_notice() -> None:
    """Prices that "will be adjusted" with no notice of their own are terms of the contract:
    the notice for amending the contract holds for them, quoted from that sentence."""
    text = ("1. Prijzen\nPrijzen zullen worden aangepast conform de officiële prijslijst.\n"
            "2. Aanpassingen\nLeverancier mag de voorwaarden van dit Contract wijzigen met een "
            "voorafgaande kennisgeving van twee (2) maanden.\n")
    found = {f.field: f for f in find_all(sentences(text))}
    lead = found["prices.price_changes.lead"]
    assert str(lead.value) == "2 months" and lead.clause == "2"
    assert lead.source in lead.quote
    # without a price change anywhere, the terms' notice stays the terms'
    alone = {f.field for f in find_all(sentences(text.split("2. A")[0].replace(
        "zullen worden aangepast", "staan") + "2. A" + text.split("2. A")[1]))}
    assert "prices.price_changes.lead" not in alone


def test_a_cap_at_the_fees_of_one_contract_term_leaves_the_length_to_the_author() -> None:
    text = ("1. Aansprakelijkheid\nDe aansprakelijkheid is beperkt tot de compensatie voor één "
            "Contracttermijn.\n")
    draft, findings = draft_policy(text, "t.txt")
    kind = next(f for f in findings if f.field == "liability.basis.kind")
    assert kind.value == "fees_for_period" and kind.source == "één Contracttermijn"
    basis = yaml.safe_load(draft)["liability"]["basis"]
    assert basis["period"].startswith("TODO") and "één Contracttermijn" in basis["period"]
    policy, problems = check_text(draft, "t.yaml")
    assert is_draft(policy, problems)


def test_a_rules_own_error_about_a_todo_field_is_the_todos() -> None:
    """`method: statutory` with `jurisdiction: TODO`: the rule's own check ("statutory interest
    needs a 'jurisdiction'") is the TODO's consequence, a warning, not an error; another
    field's error in the same rule is still an error."""
    data = yaml.safe_load(POLICY)
    data["interest"] = {"clause": "4.2", "method": "statutory", "jurisdiction": "TODO: which"}
    policy, problems = check_text(yaml.safe_dump(data, sort_keys=False), "p.yaml")
    assert is_draft(policy, problems)
    assert [(p.severity, p.where) for p in problems] == [("warning", "interest.jurisdiction")]
    data["interest"] = {"clause": "4.2", "method": "monthly_started", "jurisdiction": "TODO"}
    policy, problems = check_text(yaml.safe_dump(data, sort_keys=False), "p.yaml")
    assert not is_draft(policy, problems)
    assert any(p.severity == "error" and "rate" in p.message for p in problems)


# Patterns added after asg-da's and monqcle-en's misses (docs/drafting.md), each tested on
# constructed sentences, not the texts' own.
@pytest.mark.parametrize(("text", "term"), [
    ("1. Fees\n1.1 All fees are due within fourteen (14) days of the order date.\n", "14 days"),
    ("1. Invoices\n1.1 Invoices are issued monthly and are due within 20 days.\n", "20 days"),
    ("1. Betaling\n1.1 Fakturaen forfalder til betaling senest 8 dage efter modtagelsen.\n",
     "8 days"),
])
def test_a_due_date_without_a_word_of_paying_is_a_payment_term(text: str, term: str) -> None:
    found = {f.field: f for f in find_all(sentences(text))}
    assert str(found["payment.term"].value) == term and found["payment.term"].clause == "1.1"


def test_due_within_needs_a_word_of_fees_or_invoicing() -> None:
    text = "1. Reports\n1.1 Each report is due within 10 days of the end of the quarter.\n"
    assert "payment.term" not in {f.field for f in find_all(sentences(text))}


@pytest.mark.parametrize("text", [
    "1. Term\n1.1 The plan renews for another year unless notice is given 60 days prior to the "
    "end of the current subscription term.\n",
    "1. Term\n1.1 Either party may cancel with 60 days before the end of the term.\n",
])
def test_a_notice_counted_back_from_the_end_of_the_term(text: str) -> None:
    found = {f.field: f for f in find_all(sentences(text))}
    assert str(found["termination.customer.period"].value) == "60 days"
    assert found["termination.customer.effect"].value == "term_end"
    assert found["termination.customer.before"].value == "term_end"
    # no party named, or either party: both parties' right
    assert str(found["termination.provider.period"].value) == "60 days"


def test_an_initial_term_given_as_a_renewal_from_the_effective_date() -> None:
    text = ("1. Term\n1.1 The licence renews automatically 24 months from the effective date "
            "for successive 12-month periods.\n")
    found = {f.field: f for f in find_all(sentences(text))}
    assert str(found["term.initial"].value) == "24 months"
    assert str(found["term.renewal"].value) == "12 months"


@pytest.mark.parametrize("text", [
    "1. Payment\n1.1 Overdue charges of 1.5% per month apply to unpaid balances.\n",
    "1. Payment\n1.1 A late fee may be charged at 2% a month on the amount outstanding.\n",
])
def test_late_payment_fees_at_a_rate_per_month_are_interest(text: str) -> None:
    found = {f.field: f for f in find_all(sentences(text))}
    assert found["interest.method"].value == "monthly_started"
    assert found["interest.rate"].source in found["interest.rate"].quote


def test_a_fixed_late_fee_is_not_interest() -> None:
    text = "1. Payment\n1.1 A late fee of EUR 25 is charged per reminder.\n"
    assert "interest.method" not in {f.field for f in find_all(sentences(text))}


def test_danish_price_compounds_and_definite_nouns() -> None:
    """"licenspriserne" is a price word (a price change's notice is not a termination notice);
    "aftalen kan opsiges" names no party (not the provider's right); "løbende måned + 30
    dage" says no effect the format has (left to the author)."""
    text = ("1. Priser\n1.1 Leverandøren kan ændre licenspriserne med et varsel på 60 dage.\n"
            "2. Opsigelse\n2.1 Aftalen kan opsiges med varsel på løbende måned + 30 dage.\n")
    found = {f.field: f for f in find_all(sentences(text))}
    assert str(found["prices.price_changes.lead"].value) == "60 days"
    assert found["termination.customer.period"].clause == "2.1"
    assert str(found["termination.customer.period"].value) == "30 days"
    assert "termination.customer.effect" not in found
    assert "termination.provider.period" not in found


@pytest.mark.parametrize("text", [
    "1. Betaling\n1.1 Ved manglende betaling kan leverandøren indstille leveringen af "
    "tjenesten.\n",
    "1. Betaling\n1.1 Betales fakturaen ikke, kan vi afbryde adgangen til systemet.\n",
])
def test_danish_suspension_words(text: str) -> None:
    found = {f.field: f for f in find_all(sentences(text))}
    assert found["dunning.suspension"].value is True


@pytest.mark.parametrize(("text", "kind"), [
    ("1. Prices\n1.1 Prices may increase each year by the higher of 3% and the consumer price "
     "index.\n", None),
    ("1. Prices\n1.1 Prices may increase each year by no more than the consumer price index.\n",
     "prices.index_cap"),
])
def test_the_greater_of_a_percentage_and_the_index_is_no_index_cap(text: str,
                                                                  kind: str | None) -> None:
    found = {f.field for f in find_all(sentences(text))}
    assert {f for f in found if f.startswith("prices.index")} == ({kind} if kind else set())
