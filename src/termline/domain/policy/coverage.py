"""Clause coverage of a policy: against the clause catalogue, and against the terms text itself.

A coverage row names one clause or several: ``4.2``, ``6.1 / 6.2`` (each), ``15.19 to 15.22``
(every clause of the text from one to the other), ``1 ¶1–2`` (paragraphs one and two),
``DPA-5.1 / A.3`` (a piece without a prefix takes the first piece's), ``1.1(e)`` (an item inside
a clause: it exists, but accounts for that item only).

Against a text, a clause is accounted for when a row names it or one of its ancestors (a row for
``9`` accounts for ``9.1`` and ``9 ¶2``), or when it is a heading all of whose sub-clauses are
accounted for.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from termline.domain.policy.clauses import Clause
from termline.domain.policy.schema import Policy

PREFIX = {"smartconnect": "SC", "clientcom": "CC", "smartweb": "SW", "superoffice": "SO",
          "smarttrackers": "ST"}
_HEADING = re.compile(r"^#### (?P<id>[^:]+):\s*(?P<title>.*)$")
_PARAS = re.compile(r"^(?P<base>.*?)\s*¶(?P<first>\d+)(?:\s*[–-]\s*(?P<last>\d+))?$")
_RANGE = re.compile(r"\s+to\s+")
_ITEM = re.compile(r"^(?P<base>.+?)\s*\((?P<item>[a-z]{1,3}|\d{1,2})\)$")


def catalogue_rows(catalogue: Path, pack: str) -> list[tuple[str, str]]:
    """(clause key, title) of every operational row of the pack's seed, in catalogue order.

    The key is the heading's clause id without the seed prefix: "SW-4.2" -> "4.2",
    "SC-15.1 / SC-15.2" -> "15.1 / 15.2", "ST-DPA-6.4" -> "DPA-6.4".
    """
    prefix = PREFIX[pack] + "-"
    rows = []
    for line in catalogue.read_text("utf-8").splitlines():
        match = _HEADING.match(line)
        if match and match.group("id").startswith(prefix):
            rows.append((match.group("id").replace(prefix, ""), match.group("title")))
    return rows


_PART_PREFIX = re.compile(r"^(?P<prefix>.+-)(?=(?:[A-Z]\.)?\d)")


def _prefix(key: str) -> str:
    """The part a clause belongs to: "DPA-6.4" -> "DPA-", "Appendix 1-2.1" -> "Appendix 1-"."""
    match = _PART_PREFIX.match(key)
    return match.group("prefix") if match else ""


def row_pieces(key: str) -> list[str]:
    """The clause references of one row key, ranges not yet expanded ("a to b" stays)."""
    pieces = [p.strip() for p in key.split(" / ") if p.strip()]
    prefix = _prefix(pieces[0]) if pieces else ""
    out: list[str] = []
    for piece in pieces:
        if prefix and not piece.startswith(prefix):
            piece = prefix + piece
        paras = _PARAS.match(piece)
        if paras:
            first = int(paras.group("first"))
            last = int(paras.group("last") or first)
            out.extend(f"{paras.group('base')} ¶{n}" for n in range(first, last + 1))
            continue
        ends = _RANGE.split(piece)
        if len(ends) == 2 and prefix and not ends[1].startswith(prefix):
            piece = f"{ends[0]} to {prefix}{ends[1]}"
        out.append(piece)
    return out


def parent(key: str) -> str | None:
    """The clause a clause belongs to: "4.2.1" -> "4.2", "13 ¶2" -> "13", "DPA-4" -> None."""
    if " ¶" in key:
        return key.split(" ¶")[0]
    item = _ITEM.match(key)
    if item:
        return item.group("base")
    prefix = _prefix(key)
    number = key[len(prefix):]
    if "." not in number:
        return None
    return prefix + number.rsplit(".", 1)[0]


def ancestors(key: str) -> Iterator[str]:
    up = parent(key)
    while up is not None:
        yield up
        up = parent(up)


@dataclass
class TextCoverage:
    """The result of covering a policy against its terms text."""

    clauses: list[Clause]
    accounted: dict[str, str] = field(default_factory=dict)  # text clause -> row key
    unknown_rows: list[tuple[str, str]] = field(default_factory=list)  # (row, missing clause)
    uncited: list[tuple[str, str]] = field(default_factory=list)  # (rule path, clause)
    evidence: list[tuple[str, str]] = field(default_factory=list)  # (row, problem)

    @property
    def unaccounted(self) -> list[Clause]:
        return [c for c in self.clauses if c.clause not in self.accounted]

    @property
    def ok(self) -> bool:
        return not (self.unaccounted or self.unknown_rows or self.uncited or self.evidence)

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "clauses": [{**c.to_json(), "row": self.accounted.get(c.clause)}
                        for c in self.clauses],
            "unaccounted": [c.to_json() for c in self.unaccounted],
            "rows_not_in_text": [{"row": r, "clause": c} for r, c in self.unknown_rows],
            "citations_not_covered": [{"rule": r, "clause": c} for r, c in self.uncited],
            "evidence_problems": [{"row": r, "problem": p} for r, p in self.evidence],
        }


def _expand(piece: str, order: Sequence[str]) -> list[str] | None:
    """A row piece as text clauses; None when an end of a range is not in the text."""
    ends = _RANGE.split(piece)
    if len(ends) != 2:
        return [piece]
    if ends[0] not in order or ends[1] not in order:
        return None
    first, last = order.index(ends[0]), order.index(ends[1])
    return list(order[first:last + 1])


def citations(policy: Policy) -> list[tuple[str, str]]:
    """(rule path, clause) of every clause the policy's rules cite, coverage excluded."""
    found: list[tuple[str, str]] = []

    def walk(path: str, node: Any) -> None:
        if isinstance(node, BaseModel):
            for name in type(node).model_fields:
                if name == "coverage":
                    continue
                value = getattr(node, name)
                label = getattr(node, "name", None)
                here = f"{path}[{label}]" if label and path.endswith("steps") else path
                if name.endswith("clause") and isinstance(value, tuple):
                    found.extend((here or "policy", c) for c in value)
                else:
                    walk(f"{here}.{name}" if here else name, value)
        elif isinstance(node, (tuple, list)):
            for item in node:
                walk(path, item)
        elif isinstance(node, dict):
            for key, item in node.items():
                walk(f"{path}.{key}", item)

    walk("", policy)
    return found


def _listed(clause: str, keys: set[str]) -> bool:
    if clause in keys or any(a in keys for a in ancestors(clause)):
        return True
    return any(clause in ancestors(key) for key in keys)


def _item_of_text(key: str, in_text: set[str]) -> bool:
    """A key the text does not list is still real when it names an item inside a clause of
    the text ("1.1(e)"); a numbered sub-clause the text lacks ("5.9" where only "5" exists) is
    invented."""
    item = _ITEM.match(key)
    while item:
        if item.group("base") in in_text:
            return True
        item = _ITEM.match(item.group("base"))
    return False


def cover_text(policy: Policy, clauses: list[Clause],
               evidence_check: Any = None) -> TextCoverage:
    """Account for every clause of the text with the policy's coverage rows."""
    result = TextCoverage(clauses)
    order = [c.clause for c in clauses]
    in_text = set(order)
    direct: dict[str, str] = {}
    keys: set[str] = set()
    for entry in policy.coverage:
        for piece in row_pieces(entry.clause):
            expanded = _expand(piece, order)
            if expanded is None:
                result.unknown_rows.append((entry.clause, piece))
                continue
            for key in expanded:
                keys.add(key)
                if key in in_text:
                    direct.setdefault(key, entry.clause)
                elif not _item_of_text(key, in_text):
                    result.unknown_rows.append((entry.clause, key))
        if evidence_check is not None and entry.test:
            problem = evidence_check(entry)
            if problem:
                result.evidence.append((entry.clause, problem))
    children: dict[str, list[str]] = {}
    for key in order:
        up = parent(key)
        if up is not None and up in in_text:
            children.setdefault(up, []).append(key)

    def account(key: str) -> str | None:
        if key in result.accounted:
            return result.accounted[key]
        row = direct.get(key) or next((direct[a] for a in ancestors(key) if a in direct), None)
        if row is None and children.get(key):
            rows = [account(child) for child in children[key]]
            if all(rows):
                row = rows[0]
        if row is not None:
            result.accounted[key] = row
        return row

    for key in reversed(order):  # sub-clauses first
        account(key)
    result.uncited = [(rule, clause) for rule, clause in citations(policy)
                      if not _listed(clause, keys)]
    return result
