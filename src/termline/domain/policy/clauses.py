"""The numbered clauses of a terms text, as an author reads them to write a policy.

Recognised numbering: ``4.2``, ``4.2.``, ``4.2.1``, ``13.`` (a heading), ``13 Title`` (a bare
number followed by a capitalised heading), ``Artikel 13`` / ``Article 13`` / ``Art. 13`` /
``Clause 13`` / ``§ 13`` / ``Ziffer 13`` / ``Punkt 13``, in English, Dutch, French, German and
Danish texts. A sub-clause may come without its parent heading (``4.1`` right after ``3.5``, or
first in the text). Paragraphs ``(1)`` / ``Abs. 1`` at the start of a line are keyed ``13(1)``,
(also Danish ``Stk. 1`` and Dutch ``Lid 1``), and inside such a paragraph or a ``§``/article
clause the items ``a)`` / ``lit. a)`` are keyed
``13(1)(a)`` (elsewhere ``a)`` lines stay bullets of the paragraph before them). A labelled part
(``GTS-P4``, ``SLA-uptime``, ``DPA-2``) at the start of a line is a clause keyed by its label.

An appendix heading (``APPENDIX 1``, ``Bijlage 2``, ``Annex 3``, ``Anlage 2``, ``Annexe 2``,
``Bilag 2``) starts a new part whose numbering restarts: its clauses are keyed ``Appendix 1-6.4``
unless the policy names the part's prefix (``source.parts``); a part with no numbered clause of
its own is itself one clause, keyed by its label (``Annex 2``). A lettered appendix
(``Appendix A``) numbers its own items ``A.1``, ``A.2`` and keeps the enclosing prefix.

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
from dataclasses import dataclass, field

_PART = re.compile(r"^(?P<word>appendix|annex|annexe|bijlage|schedule|attachment|anlage|bilag)"
                   r"\s+(?P<id>\d{1,2}|[A-Z])\b", re.IGNORECASE)
_WORDED = re.compile(r"^(?:artikel|article|art\.|clause|clausule|ziffer|ziff\.|punkt|pkt\.|§)\s*"
                     r"(?P<num>\d{1,3}(?:\.\d{1,3})*)(?![\d,])"
                     r"\.?(?:\s*[-–—:.]?\s*(?P<title>.*))?$", re.IGNORECASE)
_PARAGRAPH = re.compile(r"^(?:\((?P<num>\d{1,2})\)|(?:abs\.|stk\.|lid)\s*(?P<abs>\d{1,2})\b\.?)"
                        r"\s*(?P<title>.*)$", re.IGNORECASE)
_ITEM = re.compile(r"^(?:lit\.\s*)?\(?(?P<letter>[a-z])\)\s+(?P<title>.*)$")
_LABEL = re.compile(r"^(?P<label>[A-Z]{2,6}-(?:[A-Z]{0,3}\d{1,3}(?:\.\d{1,3})*|[a-z][a-z-]{2,30}))"
                    r"\.?(?:\s*[-–—:.]?\s+(?P<title>\S.*))?$")
_UNIT = re.compile(r"^(?:days?|months?|years?|weeks?|hours?|minutes?|dag(?:en)?|maanden|jaar|"
                   r"tage?n?|monate?n?|jahre?n?|jours?|mois|ans?|dage|måneder|år|timer|uur|"
                   r"stunden|heures)\b", re.IGNORECASE)
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
    """Whether `number` can follow `previous` in one numbering.

    A first sub-clause whose parent heading the text leaves out (``4.1`` after ``3.5``, or
    first in the text) continues the numbering when that parent would have.
    """
    if _follows(previous, number):
        return True
    return len(number) >= 2 and number[-1] == 1 and _follows(previous, number[:-1])


def _follows(previous: tuple[int, ...] | None, number: tuple[int, ...]) -> bool:
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


def _bare_title(title: str) -> bool:
    """A bare number (``1 Title``) is a clause only before a capitalised heading, never before
    a unit (``12 months``) or an amount."""
    return (bool(title) and title[0].isupper() and _is_heading(title)
            and not _UNIT.match(title))


@dataclass
class _Reader:
    """The running state of one pass over a text."""

    parts: Mapping[str, str]
    found: list[Clause] = field(default_factory=list)
    prefix: str = ""
    previous: tuple[int, ...] | None = None
    letter_previous: dict[str, tuple[int, ...]] = field(default_factory=dict)
    heading: Clause | None = None  # a title-only clause collecting its paragraphs
    paragraphs: list[Clause] = field(default_factory=list)
    base: str | None = None  # the clause that (1) / Abs. 1 paragraphs belong to
    paragraph: int = 0
    statute: bool = False  # inside a § / article clause or a (n) paragraph: a) is an item
    item_base: str | None = None
    item: str = ""
    part: Clause | None = None  # an appendix heading, a clause if no numbered clause follows
    part_used: bool = False

    def close_heading(self) -> None:
        if self.heading is not None and len(self.paragraphs) >= 2:
            self.found.extend(self.paragraphs)
        self.heading, self.paragraphs = None, []

    def close_part(self) -> None:
        if self.part is not None and not self.part_used:
            self.found.append(self.part)
        self.part, self.part_used = None, False

    def accept(self, clause: Clause, *, numbered: bool) -> None:
        self.close_heading()
        self.found.append(clause)
        self.part_used = True
        if numbered:
            self.base, self.paragraph = clause.clause, 0
            self.item_base, self.item = clause.clause, ""
        if not clause.title or _is_heading(clause.title):
            self.heading = clause

    def numbered(self, line: str, index: int) -> bool:
        worded = _WORDED.match(line)
        match = worded or _NUMBERED.match(line)
        if not match:
            return False
        num = match.group("num")
        title = (match.group("title") or "").strip()
        letter, digits = (num[0], num[2:]) if num[0].isalpha() else ("", num)
        number = tuple(int(p) for p in digits.split("."))
        bare = (worded is None and not letter and len(number) == 1 and not match.group("dot"))
        if bare and not _bare_title(title):
            return False
        if _NOT_A_TITLE.match(title) or any(p.startswith("0") for p in digits.split(".")):
            return False
        if letter:
            before = self.letter_previous.get(letter)
            if not ((before is None and number[0] <= _MAX_GAP)
                    or (before is not None and _continues(before, number))):
                return False
            self.letter_previous[letter] = number
        elif _continues(self.previous, number):
            self.previous = number
        else:
            return False
        self.accept(Clause(f"{self.prefix}{num}", _short(title), index), numbered=True)
        self.statute = worded is not None and worded.group(0).lower().startswith(
            ("art", "§", "ziff"))
        return True

    def paragraph_or_item(self, line: str, index: int) -> bool:
        para = _PARAGRAPH.match(line)
        if para and self.base is not None:
            n = int(para.group("num") or para.group("abs"))
            if self.paragraph < n <= self.paragraph + _MAX_GAP and (self.paragraph or n == 1):
                self.paragraph = n
                key = f"{self.base}({n})"
                self.accept(Clause(key, _short(para.group("title")), index), numbered=False)
                self.item_base, self.item, self.statute = key, "", True
                return True
        item = _ITEM.match(line)
        if item and self.statute and self.item_base is not None:
            letter = item.group("letter")
            expected = chr(ord(self.item) + 1) if self.item else "a"
            if letter == expected:
                self.item = letter
                self.accept(Clause(f"{self.item_base}({letter})", _short(item.group("title")),
                                   index), numbered=False)
                return True
        return False

    def label(self, line: str, index: int) -> bool:
        match = _LABEL.match(line)
        title = (match.group("title") or "") if match else ""
        if not match or (title and not (title[0].isupper() or title[0].isdigit())):
            return False
        self.accept(Clause(match.group("label"), _short(title), index), numbered=True)
        return True

    def appendix(self, line: str, index: int) -> bool:
        part = _PART.match(line)
        if not part:
            return False
        self.close_heading()
        ident = part.group("id")
        if ident.isdigit():
            self.close_part()
            label = f"{part.group('word').capitalize()} {ident}"
            mapped = self.parts.get(label.casefold())
            name = mapped if mapped is not None else label
            self.prefix = f"{name}-"
            self.previous, self.letter_previous = None, {}
            self.base = None
            title = line[part.end():].strip(" -–—:.")
            self.part, self.part_used = Clause(name, _short(title), index), False
        return True


def extract_clauses(text: str, parts: Mapping[str, str] | None = None) -> list[Clause]:
    """Every numbered clause of `text` in order; `parts` maps "Appendix 1" to a prefix."""
    reader = _Reader({k.casefold(): v for k, v in (parts or {}).items()})
    for index, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if (reader.appendix(line, index) or reader.numbered(line, index)
                or reader.paragraph_or_item(line, index) or reader.label(line, index)):
            continue
        if reader.heading is not None and not _BULLET.match(line):
            key = f"{reader.heading.clause} ¶{len(reader.paragraphs) + 1}"
            reader.paragraphs.append(Clause(key, _short(line), index))
    reader.close_heading()
    reader.close_part()
    return sorted(reader.found, key=lambda c: c.line)


def _short(title: str, limit: int = 80) -> str:
    title = " ".join(title.split())
    return title if len(title) <= limit else title[: limit - 1].rstrip() + "…"
