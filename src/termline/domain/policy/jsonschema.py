"""The JSON Schema of the policy format, generated from the pydantic models (the one source)."""

from __future__ import annotations

import copy
from typing import Any

from termline.domain.policy.schema import Policy

DRAFT = "https://json-schema.org/draft/2020-12/schema"
_RELAXED = "Relaxed"


def _relax(node: Any) -> Any:
    """The schema without `required` lists, references pointing at the relaxed definitions."""
    if isinstance(node, dict):
        out = {k: _relax(v) for k, v in node.items() if k != "required"}
        ref = out.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            out["$ref"] = ref + _RELAXED
        return out
    if isinstance(node, list):
        return [_relax(v) for v in node]
    return node


def policy_json_schema() -> dict[str, Any]:
    """JSON Schema draft 2020-12 of a policy file: editors complete and check it as typed.

    A policy with `contract_parameters` leaves those values to each contract, so it is checked
    against the same schema without its `required` lists (types and unknown fields still
    count); `termline policy check` then says which required value is missing.
    """
    schema = Policy.model_json_schema(by_alias=True, mode="validation")
    defs = schema.pop("$defs", {})
    root = {k: v for k, v in schema.items() if k not in ("title", "description")}
    all_defs = {**defs, "Policy": copy.deepcopy(root)}
    relaxed = {name + _RELAXED: _relax(body) for name, body in all_defs.items()}
    return {
        "$schema": DRAFT,
        "$id": "https://termline.invalid/policy.schema.json",
        "title": "termline policy",
        "description": (Policy.__doc__ or "").strip() or "A termline policy.",
        "if": {"required": ["contract_parameters"],
               "properties": {"contract_parameters": {"minItems": 1}}},
        "then": {"$ref": "#/$defs/Policy" + _RELAXED},
        "else": {"$ref": "#/$defs/Policy"},
        "$defs": {**all_defs, **relaxed},
    }
