"""The numbered clauses of a terms text, as an author reads them to write a policy.

Recognised numbering: ``4.2``, ``4.2.``, ``4.2.1``, ``13.`` (a heading), ``Artikel 13`` /
``Article 13`` / ``Clause 13``, in English and Dutch texts. An appendix heading (``APPENDIX 1``,
``Bijlage 2``, ``Annex 3``) starts a new part whose numbering restarts: its clauses are keyed
``Appendix 1-6.4`` unless the policy names the part's prefix (``source.parts``). A lettered
appendix (``Appendix A``) numbers its own items ``A.1``, ``A.2`` and keeps the enclosing prefix.

A heading with no text of its own followed by two or more unnumbered paragraphs lists each
paragraph as ``13 ¶1``, ``13 ¶2``, ... (bullets belong to the paragraph before them).

Amounts, percentages and dates are not clause numbers: a number is only taken at the start of a
line, followed by a space and text (never ``%``, a currency or a unit), with at most three
digits per level, and only when it continues the numbering so far (the next sibling, a first
child, or the next number of an enclosing level; a few skipped numbers are tolerated).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

_PART = re.compile(r"^(?P<word>appendix|annex|bijlage|schedule|attachment)\s+"
                   r"(?P<id>\d{1,2}|[A-Z])\b", re.IGNORECASE)
_WORDED = re.compile(r"^(?:artikel|article|art\.|clause|clausule)\s+(?P<num>\d{1,3}(?:\.\d{1,3})*)"
                     r"\.?(?:\s*[-–—:.]?\s*(?P<title>.*))?$", re.IGNORECASE)
_NUMBERED = re.compile(r"^(?P<num>(?:[A-Z]\.)?\d{1,3}(?:\.\d{1,3})*)(?P<dot>\.?)"
                       r"(?:\s+(?P<title>.*))?$")
_BULLET = re.compile(r"^(?:[•\-*–·▪◦]|\(?[a-z]{1,3}[.)]\s|\(?[ivx]+\)\s)")
_NOT_A_TITLE = re.compile(r"^[%‰€$£]|^(?:eur|euro|dkk|nok|usd|gbp|procent|percent)\b",
                          re.IGNORECASE)
_MAX_GAP = 3


@dataclass(frozen=True, slots=True)
class Clause:
    clause: str
    title: str
    line: int

    def to_json(self) -> dict[str, object]:
        return {"clause": self.clause, "title": self.title, "line": self.line}


def _continues(previous: tuple[int, ...] | None, number: tuple[int, ...]) -> bool:
    """Whether `number` can follow `previous` in one numbering."""
    if previous is None:
        return (len(number) == 1 and 0 < number[0] <= _MAX_GAP) or number in ((1, 1),)
    if len(number) == len(previous) + 1:  # first child
        return number[:-1] == previous and 0 < number[-1] <= _MAX_GAP
    if len(number) > len(previous) + 1:
        return False
    depth = len(number)  # the next sibling of previous, or of one of its ancestors
    return (number[:-1] == previous[:depth - 1]
            and previous[depth - 1] < number[-1] <= previous[depth - 1] + _MAX_GAP)


def _is_heading(title: str) -> bool:
    return len(title.split()) <= 10 and not title.rstrip().endswith((".", ":", ";", ","))


def extract_clauses(text: str, parts: Mapping[str, str] | None = None) -> list[Clause]:
    """Every numbered clause of `text` in order; `parts` maps "Appendix 1" to a prefix."""
    parts = {k.casefold(): v for k, v in (parts or {}).items()}
    found: list[Clause] = []
    prefix = ""
    previous: tuple[int, ...] | None = None
    letter_previous: dict[str, tuple[int, ...]] = {}
    heading: Clause | None = None  # a title-only clause collecting its paragraphs
    paragraphs: list[Clause] = []

    def close_heading() -> None:
        nonlocal heading, paragraphs
        if heading is not None and len(paragraphs) >= 2:
            found.extend(paragraphs)
        heading, paragraphs = None, []

    for index, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        part = _PART.match(line)
        if part:
            close_heading()
            ident = part.group("id")
            if ident.isdigit():
                label = f"{part.group('word').capitalize()} {ident}"
                mapped = parts.get(label.casefold())
                prefix = f"{mapped if mapped is not None else label}-"
                previous = None
                letter_previous = {}
            continue
        worded = _WORDED.match(line)
        match = worded or _NUMBERED.match(line)
        accepted: Clause | None = None
        if match:
            num = match.group("num")
            title = (match.group("title") or "").strip()
            letter, digits = (num[0], num[2:]) if num[0].isalpha() else ("", num)
            number = tuple(int(p) for p in digits.split("."))
            bare = (worded is None and not letter and len(number) == 1
                    and not match.group("dot"))
            sane = (not bare and not _NOT_A_TITLE.match(title)
                    and not any(p.startswith("0") for p in digits.split(".")))
            if sane:
                if letter:
                    before = letter_previous.get(letter)
                    ok = (before is None and number[0] <= _MAX_GAP) or (
                        before is not None and _continues(before, number))
                    if ok:
                        letter_previous[letter] = number
                elif _continues(previous, number):
                    previous = number
                    ok = True
                else:
                    ok = False
                if ok:
                    accepted = Clause(f"{prefix}{num}", _short(title), index)
        if accepted is not None:
            close_heading()
            found.append(accepted)
            if not accepted.title or _is_heading(accepted.title):
                heading = accepted
            continue
        if heading is not None and not _BULLET.match(line):
            paragraphs.append(Clause(f"{heading.clause} ¶{len(paragraphs) + 1}",
                                     _short(line), index))
    close_heading()
    return found


def _short(title: str, limit: int = 80) -> str:
    title = " ".join(title.split())
    return title if len(title) <= limit else title[: limit - 1].rstrip() + "…"
