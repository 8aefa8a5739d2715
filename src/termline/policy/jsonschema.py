"""The JSON Schema of the policy format, generated from the pydantic models (the one source)."""

from __future__ import annotations

from typing import Any

from termline.policy.schema import Policy

DRAFT = "https://json-schema.org/draft/2020-12/schema"


def policy_json_schema() -> dict[str, Any]:
    """JSON Schema draft 2020-12 of a policy file: editors complete and check it as typed."""
    schema = Policy.model_json_schema(by_alias=True, mode="validation")
    return {"$schema": DRAFT, "$id": "https://termline.invalid/policy.schema.json", **schema}
