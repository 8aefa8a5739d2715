"""Numbers, durations, amounts and percentages as terms write them, in five languages.

"twelve (12) months", "six-month period", "één jaar", "dans les 30 jours", "innerhalb von 14
Tagen", "netto 8 dage", "one workday's notice": each reading keeps the exact text it was read
from (`source`), so that a drafted value can always be traced to its words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from termline.domain.values.duration import Duration

WORDS: dict[str, int] = {}
for _lang_words in (
    # English
    "one:1 two:2 three:3 four:4 five:5 six:6 seven:7 eight:8 nine:9 ten:10 eleven:11 "
    "twelve:12 fourteen:14 fifteen:15 twenty:20 twenty-four:24 thirty:30 sixty:60 ninety:90",
    # Dutch
    "een:1 één:1 twee:2 drie:3 vier:4 vijf:5 zes:6 zeven:7 acht:8 negen:9 tien:10 elf:11 "
    "twaalf:12 veertien:14 vijftien:15 twintig:20 dertig:30 zestig:60 negentig:90",
    # French
    "un:1 une:1 deux:2 trois:3 quatre:4 cinq:5 sept:7 huit:8 neuf:9 dix:10 onze:11 douze:12 "
    "quinze:15 vingt:20 trente:30 soixante:60 quatre-vingt-dix:90",
    # German
    "ein:1 eine:1 einem:1 einen:1 einer:1 eines:1 zwei:2 drei:3 fünf:5 sechs:6 sieben:7 "
    "neun:9 zehn:10 zwölf:12 vierzehn:14 fünfzehn:15 zwanzig:20 dreißig:30 sechzig:60 "
    "neunzig:90",
    # Danish
    "en:1 et:1 to:2 tre:3 fire:4 fem:5 seks:6 syv:7 otte:8 ni:9 ti:10 tolv:12 fjorten:14 "
    "femten:15 tyve:20 tredive:30 tres:60 halvfems:90",
):
    for _pair in _lang_words.split():
        _word, _value = _pair.split(":")
        WORDS[_word] = int(_value)

# unit words -> (unit, per-day-of-business?)
_UNITS: list[tuple[str, str]] = [
    (r"business\s+days?|working\s+days?|workdays?|werkdagen|werkdag|jours?\s+ouvr[ée]s?|"
     r"jours?\s+ouvrables?|werktage?n?|arbeitstage?n?|hverdage?|arbejdsdage?", "business days"),
    (r"calendar\s+days?|kalenderdagen|kalenderdag|kalendertage?n?|days?|dagen|dag|jours?|"
     r"tage?n?|dage|dages", "days"),
    (r"weeks?|weken|week|semaines?|wochen|woche|uger|uge", "weeks"),
    (r"months?|maanden|maand|mois|monate?n?|monats|måneder|måneders|måned", "months"),
    (r"(?:contract|kalender|vertrags|kontrakt)?(?:jaar|jahre?s?|år)|years?|jaren|ans?|années?|"
     r"jahren|års", "years"),
]
_UNIT_RE = "|".join(f"(?P<u{i}>{pattern})" for i, (pattern, _) in enumerate(_UNITS))
_WORD_RE = "|".join(sorted((re.escape(w) for w in WORDS), key=len, reverse=True))
_NUMBER = rf"(?P<num>\d{{1,3}}|{_WORD_RE})(?:\s*\((?P<paren>\d{{1,3}})\))?"
DURATION = re.compile(
    rf"(?<![\w.,])(?:{_NUMBER})(?:\s*-\s*|\s+|-)(?:{_UNIT_RE})(?:'s|’s)?(?!\w)", re.IGNORECASE)
_PAST = re.compile(r"\b(?:the\s+past|de\s+afgelopen|le\s+dernier|den\s+letzten|den\s+seneste)"
                   rf"\s+(?:{_UNIT_RE})(?!\w)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Reading:
    """A value read from `source`, the exact words of the text it came from."""

    value: object
    source: str
    start: int
    end: int


def number(text: str) -> int | None:
    text = text.strip().lower()
    if text.isdigit():
        return int(text)
    return WORDS.get(text)


def _unit(match: re.Match[str]) -> str:
    for i, (_, unit) in enumerate(_UNITS):
        if match.group(f"u{i}"):
            return unit
    raise AssertionError("a unit group matched")


def durations(text: str) -> list[Reading]:
    """Every duration of `text`, in order: Reading(Duration, source)."""
    found: list[Reading] = []
    for match in DURATION.finditer(text):
        raw = match.group("paren") or match.group("num")
        n = number(raw)
        word = match.group("num").lower()
        if n is None or (word in {"a", "an", "en", "et", "un", "une", "een", "ein", "eine"}
                         and not match.group("paren") and n != 1):
            continue
        found.append(Reading(Duration.parse(f"{n} {_unit(match)}"), match.group(0),
                             match.start(), match.end()))
    for match in _PAST.finditer(text):
        found.append(Reading(Duration.parse(f"1 {_unit(match)}"), match.group(0),
                             match.start(), match.end()))
    return sorted(found, key=lambda r: r.start)


_PERCENT = re.compile(r"(?<![\w.,])(?P<n>\d{1,3}(?:[.,]\d{1,3})?)\s*(?:%|procent\b|percent\b|"
                      r"per\s*cent\b|pour\s*cent\b|prozent\b|pct\.|procentpoint)",
                      re.IGNORECASE)
_AMOUNT = re.compile(
    r"(?:(?P<cur1>EUR|€|DKK|NOK|SEK|USD|GBP|kr\.?)\s*(?P<a1>\d{1,3}(?:[.,\s]\d{3})*(?:[.,]\d{1,2})?)"
    r"|(?P<a2>\d{1,3}(?:[.,\s]\d{3})*(?:[.,]\d{1,2})?)\s*(?P<cur2>EUR|€|euros?|DKK|NOK|kr\.?|kroner))",
    re.IGNORECASE)


def _decimal(text: str, *, thousands: bool) -> Decimal:
    text = text.replace(" ", "")
    if thousands:
        # 2,680 / 10.000 / 1.250,00: a separator followed by exactly three digits groups
        # thousands; the last separator followed by one or two digits is the decimal mark
        tail = re.search(r"[.,](\d{1,2})$", text)
        whole = text[:tail.start()] if tail else text
        whole = re.sub(r"[.,]", "", whole)
        return Decimal(f"{whole}.{tail.group(1)}" if tail else whole)
    return Decimal(text.replace(",", "."))


def percentages(text: str) -> list[Reading]:
    return [Reading(_decimal(m.group("n"), thousands=False), m.group(0), m.start(), m.end())
            for m in _PERCENT.finditer(text)]


def amounts(text: str) -> list[Reading]:
    out = []
    for m in _AMOUNT.finditer(text):
        raw = m.group("a1") or m.group("a2")
        out.append(Reading(_decimal(raw, thousands=True), m.group(0), m.start(), m.end()))
    return out


_CLOCK = re.compile(r"(?<!\d)(?P<h1>\d{1,2})[.:](?P<m1>\d{2})\s*(?:uur|h|Uhr)?\s*(?:-|–|to|tot|"
                    r"til|à|bis)\s*(?P<h2>\d{1,2})[.:](?P<m2>\d{2})(?!\d)")
_MERIDIEM = re.compile(r"(?P<h1>\d{1,2})\s*(?P<a1>a\.?m\.?|p\.?m\.?)\s*(?:-|–|to|and)\s*"
                       r"(?P<h2>\d{1,2})\s*(?P<a2>a\.?m\.?|p\.?m\.?)", re.IGNORECASE)


def clock_ranges(text: str) -> list[Reading]:
    """'08.00-16.00', '9:00 to 17:00', '8 p.m. and 6 a.m.' as ("HH:MM", "HH:MM")."""
    out = []
    for m in _CLOCK.finditer(text):
        out.append(Reading((f"{int(m['h1']):02d}:{m['m1']}", f"{int(m['h2']):02d}:{m['m2']}"),
                           m.group(0), m.start(), m.end()))
    for m in _MERIDIEM.finditer(text):
        def h(hour: str, half: str) -> str:
            value = int(hour) % 12 + (12 if half.lower().startswith("p") else 0)
            return f"{value:02d}:00"
        out.append(Reading((h(m["h1"], m["a1"]), h(m["h2"], m["a2"])), m.group(0), m.start(),
                           m.end()))
    return out
