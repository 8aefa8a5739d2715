"""Docs stay true to the code."""

from pathlib import Path

from termline.domain.policy import BUILTIN_PACKS, load_pack
from termline.entrypoints.cli.render import readings_markdown

ROOT = Path(__file__).resolve().parent.parent


def test_readings_doc_is_generated_from_the_packs() -> None:
    expected = readings_markdown([load_pack(p) for p in BUILTIN_PACKS])
    assert (ROOT / "docs" / "readings.md").read_text("utf-8") == expected, (
        "regenerate: .venv/bin/termline policy readings > docs/readings.md")


def test_readme_keeps_the_two_commands() -> None:
    text = (ROOT / "README.md").read_text("utf-8")
    assert "make demo" in text and "make test" in text


def test_policy_reference_is_generated_from_the_models() -> None:
    from termline.domain.policy.reference import reference_markdown

    assert (ROOT / "docs" / "policy-reference.md").read_text("utf-8") == reference_markdown(), (
        "regenerate: .venv/bin/termline policy reference > docs/policy-reference.md")


def test_every_literal_example_of_the_policy_reference_is_one_of_its_values() -> None:
    """A pack's value is an example only of the field it was written for: the sections of a
    union share a path (`liability.basis.kind`), and SuperOffice 7's `fees_for_period` basis
    is the example of FeesBasis.kind, not SmartConnect 13.5's `paid_in_window` (which the
    reference showed there, a value that section refuses)."""
    import re

    from termline.domain.policy.reference import reference_markdown

    rows = re.findall(r"^\| `(\w+)` \| ((?:`\w+` \\\| )*`\w+`) \| [^|]+ \|.*\| `([^`]+)`"
                      r"(?: \((\w+)\))? \|$", reference_markdown(), flags=re.M)
    assert len(rows) > 20
    for field, literal, example, _pack in rows:
        values = re.findall(r"`(\w+)`", literal)
        assert example in values, (field, example, values)
    assert "| `kind` | `fees_for_period` | required | fees_for_period: the basis is the fees of " \
           "the price list for a period. | `fees_for_period` (superoffice) |" \
           in reference_markdown()
