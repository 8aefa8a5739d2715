"""The OpenAPI document kept in docs/openapi.json is the one the app serves."""

from __future__ import annotations

from pathlib import Path

from termline.entrypoints.api.openapi import text

DOC = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


def test_docs_openapi_json_is_the_served_document() -> None:
    assert DOC.read_text("utf-8") == text(), \
        ("docs/openapi.json is stale: run "
         "`python -m termline.entrypoints.api.openapi > docs/openapi.json`")
