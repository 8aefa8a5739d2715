"""docs/policy-reference.md, generated from the pydantic models of the format (one source).

Each section is one model: its docstring, then every field with its type and unit, default,
meaning (the field's description) and an example (the field's own, else the first built-in
pack that sets it). `tests/test_docs.py` fails when the document is stale.
"""

from __future__ import annotations

import inspect
import re
import types
import typing
from collections.abc import Iterator
from decimal import Decimal
from typing import Annotated, Any, Literal, get_args, get_origin

import yaml
from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from termline.domain.policy.policy_file import BUILTIN_PACKS, _builtin
from termline.domain.policy.schema import Policy
from termline.domain.values.duration import Duration

_HEADER = """\
# Policy format reference

Generated from the pydantic models by `termline policy reference > docs/policy-reference.md`
(`tests/test_docs.py` fails when it is stale). The same models give the JSON Schema
(`termline policy schema`, draft 2020-12) that editors use to complete and check a policy.

Conventions: every rule has `clause` (a quoted clause number or a list of them) and optional
`notes` (the reading chosen where the text is ambiguous). Durations are written as the terms
write them (`"30 days"`, `"10 business days"`, `"1 month"`); amounts and rates are quoted
decimals (`"14.00"`, `"1.5"`); percentages are numbers of percent (`"50"` is 50 %). A right
(marked *right*) also has `enabled` (default true) and `delay` (default `"0 days"`). Unknown
fields are refused everywhere.

Author workflow: `termline policy new --from smartweb my-terms.yaml`, then
`termline policy clauses TERMS.txt`, `termline policy check my-terms.yaml` (every problem with
its line), `termline policy coverage my-terms.yaml --terms TERMS.txt` (exit 0 when every clause
is accounted for) and `termline policy readings my-terms.yaml`; the whole walk from a terms
text to a covered, tested policy running in the store: `docs/writing-your-terms.md`.
"""


_COMMON = {
    "clause": "The clause(s) of the terms this rule comes from.",
    "notes": "The reading chosen where the text is ambiguous (shown by `policy readings`).",
    "enabled": "Whether the right is used (a right may be switched off per policy or contract).",
    "delay": "Extra time the provider waits before using the right.",
}


def _meaning(model: type[BaseModel], name: str, info: FieldInfo) -> str:
    """The field's description; else the docstring sentences of its model naming it."""
    if info.description:
        return " ".join(info.description.split())
    if name in _COMMON:
        return _COMMON[name]
    sections = [m for m in _models(info.annotation) if m.__doc__ is not BaseModel.__doc__]
    if sections and sections[0].__doc__:
        first = " ".join(inspect.cleandoc(sections[0].__doc__).split("\n\n")[0].split())
        return f"{first} (section {sections[0].__name__})".replace("``", "`")
    doc = " ".join(inspect.cleandoc(model.__doc__ or "").split())
    key = info.alias or name
    hits = [s.strip() for s in re.split(r"(?<=[.;])\s+(?=[A-Z*`])", doc)
            if f"``{key}``" in s and len(s) <= 200]
    text = " ".join(hits).replace("``", "`").replace("|", "\\|")
    return text or ("See the text above." if f"``{key}``" in doc else "")


def _field_type(info: FieldInfo) -> str:
    for meta in info.metadata:
        name = getattr(getattr(meta, "func", None), "__name__", "")
        label = {"_clauses": "clause reference", "_currency": "ISO 4217 code",
                 "_timezone": "IANA time zone", "_calendar": "calendar (country code)",
                 "_duration": "duration", "_decimal": "decimal"}.get(name)
        if label:
            return label
    return _type_name(info.annotation)


def _type_name(annotation: Any) -> str:
    origin = get_origin(annotation)
    if origin is typing.Annotated:
        base, *meta = get_args(annotation)
        for m in meta:
            func = getattr(m, "func", None)
            name = getattr(func, "__name__", "")
            if name == "_clauses":
                return "clause reference"
            if name == "_currency":
                return "ISO 4217 code"
            if name == "_timezone":
                return "IANA time zone"
            if name == "_calendar":
                return "calendar (country code)"
        return _type_name(base)
    if annotation is Duration:
        return "duration"
    if annotation is Decimal:
        return "decimal"
    if origin is Literal:
        return " \\| ".join(f"`{a}`" for a in get_args(annotation))
    if origin in (typing.Union, types.UnionType):
        parts = [_type_name(a) for a in get_args(annotation) if a is not type(None)]
        return " or ".join(parts)
    if origin is tuple:
        args = get_args(annotation)
        return f"list of {_type_name(args[0])}" if args else "list"
    if origin is dict:
        return "mapping"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return f"[{annotation.__name__}](#{annotation.__name__.lower()})"
    return getattr(annotation, "__name__", str(annotation))


def _models(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
        return
    for arg in get_args(annotation):
        yield from _models(arg)


def _default(info: FieldInfo) -> str:
    if info.is_required():
        return "required"
    factory = info.default_factory
    value = factory() if factory is not None else info.default  # type: ignore[call-arg]
    if value is PydanticUndefined:
        return "required"
    if isinstance(value, BaseModel):
        return "absent"
    if value is None:
        return "absent"
    if value == () or value == {}:
        return "none"
    return f"`{value}`"


def _fits(info: FieldInfo, value: object) -> bool:
    """Whether a pack's value is one of this field's: members of a union of sections share a
    path (`liability.basis.kind`), and one member's value is no example of another's."""
    annotation = Annotated[(info.annotation, *info.metadata)] if info.metadata \
        else info.annotation
    try:
        TypeAdapter(typing.cast("type[object]", annotation)).validate_python(value)
    except (ValidationError, ValueError, TypeError):
        return False
    return True


def _pack_example(path: tuple[str, ...], info: FieldInfo) -> str | None:
    for pack in BUILTIN_PACKS:
        node: Any = _builtin(pack)[1]
        for key in path:
            if isinstance(node, list):
                node = node[0] if node and isinstance(node[0], dict) else None
            if not isinstance(node, dict) or key not in node:
                node = None
                break
            node = node[key]
        if ((node is not None and not isinstance(node, (dict, list))) or (
                isinstance(node, list) and node and not isinstance(node[0], dict))) \
                and _fits(info, node):
            text = yaml.safe_dump(node, default_flow_style=True, allow_unicode=True,
                                  width=1000).strip()
            text = text.removesuffix("...").strip()
            if len(text) <= 60:
                return f"`{text}` ({pack})"
    return None


def _example(info: FieldInfo, path: tuple[str, ...]) -> str:
    if info.examples:
        return "; ".join(f"`{e}`" for e in info.examples)
    return _pack_example(path, info) or ""


def reference_markdown() -> str:
    lines = [_HEADER]
    seen: set[type[BaseModel]] = set()
    queue: list[tuple[type[BaseModel], tuple[str, ...]]] = [(Policy, ())]
    while queue:
        model, path = queue.pop(0)
        if model in seen:
            continue
        seen.add(model)
        where = ".".join(path) or "(top level)"
        lines += [f"## {model.__name__}", "", f"At `{where}`.", ""]
        doc = model.__doc__ or ""
        if doc.strip() and model.__doc__ is not BaseModel.__doc__:
            lines += _doc_lines(doc)
        lines += ["| field | type | default | meaning | example |",
                  "| --- | --- | --- | --- | --- |"]
        for name, info in model.model_fields.items():
            key = info.alias or name
            meaning = _meaning(model, name, info)
            lines.append(f"| `{key}` | {_field_type(info)} | {_default(info)} | "
                         f"{meaning} | {_example(info, (*path, key))} |")
            for sub in _models(info.annotation):
                queue.append((sub, (*path, key)))
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _doc_lines(doc: str) -> list[str]:
    """A docstring as Markdown: paragraphs joined, bullet items (``* ``) kept one a line."""
    out: list[str] = []
    for block in inspect.cleandoc(doc).split("\n\n"):
        out += [" ".join(item.split()) for item in re.split(r"\n(?=\* )", block)]
        out.append("")
    return out
