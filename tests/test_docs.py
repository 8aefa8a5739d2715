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
