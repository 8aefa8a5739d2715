"""A policy's contract parameters and overrides set into its data: each per-contract value
filled with its example so the policy itself validates, and one value set at a dotted path."""

from __future__ import annotations

import copy
from typing import Any

from termline.domain.errors import PolicyError
from termline.domain.text.yamlsource import Located


def _get(data: Any, path: list[str]) -> Any:
    node = data
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return _MISSING
        node = node[key]
    return node

_MISSING = object()

def with_examples(data: Any, source: str | None = None, located: Located | None = None) -> Any:
    """The policy data with each per-contract parameter set to its example, so that the policy
    itself can be validated and shown; a parameter the policy also fixes is an error."""
    params = data.get("contract_parameters") if isinstance(data, dict) else None
    if not isinstance(params, list) or not params:
        return data
    filled = copy.deepcopy(data)
    for i, param in enumerate(params):
        if not isinstance(param, dict) or not isinstance(param.get("path"), str) \
                or "example" not in param:
            continue  # the model reports the malformed entry
        path = param["path"].split(".")
        if _get(data, path) is not _MISSING:
            raise PolicyError(
                f"{param['path']} is a contract parameter: the policy gives no value for it",
                source=source, field=param["path"],
                line=located.line_of(path) if located else None)
        _set(filled, path, param["example"], f"contract_parameters.{i}")
    return filled

def _set(data: Any, path: list[str], value: Any, dotted: str) -> None:
    node = data
    for i, key in enumerate(path):
        last = i == len(path) - 1
        if isinstance(node, list):
            match = [item for item in node if isinstance(item, dict) and item.get("name") == key]
            if not match:
                raise PolicyError(f"no step named {key!r}", field=dotted)
            if last:
                raise PolicyError("a whole step cannot be replaced; set its fields", field=dotted)
            node = match[0]
            continue
        if not isinstance(node, dict):
            raise PolicyError("path goes through a value that has no fields", field=dotted)
        if last:
            node[key] = value
        else:
            if key not in node or node[key] is None:
                node[key] = {}
            node = node[key]
