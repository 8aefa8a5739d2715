"""A terms text as sentences, each with the clause it stands in (the reader of `policy clauses`)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from termline.domain.policy.clauses import extract_clauses


@dataclass(frozen=True, slots=True)
class Sentence:
    clause: str
    text: str
    clause_text: str  # the whole clause, for context words a sentence leaves to its neighbours


_SPLIT = re.compile(r"(?<=[.!?;])\s+(?=[A-ZÀ-ÝÆØÅ“\"(])")
_ABBREVIATION = re.compile(r"(?:^|\W)(?:excl|incl|e\.g|i\.e|cf|art|no|nr|z\.B|bzw|ca|inkl|zzgl|"
                           r"abs|pkt|jf|evt|bijv|resp|ggf|vgl|etc|min|max|Mr|Dr)\.$",
                           re.IGNORECASE)
_LEAD = re.compile(r"^(?:§\s*\d+|(?:artikel|article|art\.)\s*\d+|\(\d{1,2}\)|abs\.\s*\d+|"
                   r"\d{1,3}(?:\.\d{1,3})*\.?)\s*[-–—:.]?\s*", re.IGNORECASE)


def passages(text: str) -> list[tuple[str, str]]:
    """(clause, text) of every clause: its lines up to the next clause (paragraph keys ¶ are
    read as part of their clause)."""
    lines = text.splitlines()
    starts = [c for c in extract_clauses(text) if "¶" not in c.clause]
    out = []
    for i, clause in enumerate(starts):
        end = starts[i + 1].line - 1 if i + 1 < len(starts) else len(lines)
        body = [lines[clause.line - 1].strip()] + [line.strip() for line in lines[clause.line:end]]
        body[0] = _LEAD.sub("", body[0], count=1)
        out.append((clause.clause, "\n".join(b for b in body if b)))
    return out


def _lines(body: str) -> list[str]:
    """The clause's lines, a line broken mid-sentence joined to the next (a lower-case start
    after a line without closing punctuation)."""
    out: list[str] = []
    for line in body.splitlines():
        if out and line[:1].islower() and not out[-1].rstrip().endswith((".", ":", ";", "!", "?")):
            out[-1] = f"{out[-1]} {line}"
        else:
            out.append(line)
    return out


def sentences(text: str) -> list[Sentence]:
    out: list[Sentence] = []
    for clause, body in passages(text):
        flat = " ".join(body.split())
        for line in _lines(body):
            line = line.strip().lstrip("-•*·– ").strip()
            parts: list[str] = []
            for part in _SPLIT.split(line):
                if parts and _ABBREVIATION.search(parts[-1]):
                    parts[-1] = f"{parts[-1]} {part}"
                else:
                    parts.append(part)
            out.extend(Sentence(clause, p.strip(), flat) for p in parts if p.strip())
    return out


_STOP = {
    "en": "the and of to is for with by shall will any this be in or are customer",
    "nl": "de het een van en is voor met niet op te zijn wordt worden dat klant",
    "fr": "le la les des et est pour avec une du en au dans sont être client",
    "de": "der die das und ist für mit nicht den dem ein eine zu von werden kunde",
    "da": "og er til af en det for med ikke på den som skal kunden til",
}


def language(text: str) -> str:
    """The text's language by its most frequent function words (en, nl, fr, de, da)."""
    words = Counter(re.findall(r"[a-zæøåäöüéèàç]+", text.lower()))
    scores = {lang: sum(words[w] for w in stop.split()) for lang, stop in _STOP.items()}
    return max(scores, key=lambda lang: (scores[lang], lang == "en"))
