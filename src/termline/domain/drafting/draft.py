"""A draft policy from the findings: every value cited and quoted, every gap a TODO.

`draft_policy(text, file)` is pure: text in, (YAML text, findings) out. Each drafted value
has a comment above it quoting the sentence it was read from; each section or field the text
did not give is ``TODO`` with the clauses whose words suggest they govern it. The draft is
checked with `policy check`'s own function before it is returned: a drafted value the format
refuses (e.g. a billing period longer than the renewal) becomes a TODO saying why.
"""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from termline.domain.drafting import findings as f
from termline.domain.drafting.findings import Finding, find_all
from termline.domain.drafting.passages import Sentence, language, sentences
from termline.domain.values.duration import Duration

ZONES = {"BE": "Europe/Brussels", "NL": "Europe/Amsterdam", "DK": "Europe/Copenhagen",
         "DE": "Europe/Berlin", "FR": "Europe/Paris", "NO": "Europe/Oslo"}

# the words that suggest which clauses govern a section the text did not let us fill
HINTS: dict[str, re.Pattern[str]] = {
    "source": f.GOVERNED, "start": f.words(r"commenc", r"effective", r"ingang", r"vigueur",
                                          r"beginnt", r"træder\s+i\s+kraft", r"start"),
    "term": f.words(f.INITIAL.pattern, f.RENEW.pattern, r"duration", r"looptijd", r"durée",
                    r"laufzeit", r"løbetid"),
    "termination": f.TERMINATE, "trial": f.TRIAL, "billing": f.BILL, "payment": f.PAY,
    "seats": f.words(r"\busers?\b", r"gebruikers", r"utilisateurs", r"nutzer", r"brugere",
                     r"\bseats?\b", r"licen[cs]es?", r"brugerkonti"),
    "dunning": f.words(f.DUNNING_WORDS.pattern, f.SUSPEND.pattern),
    "interest": f.INTEREST, "compensation": f.COMPENSATION,
    "retention": f.words(f.DELETE.pattern, f.EXPORT.pattern), "prices": f.PRICE,
    "sla": f.AVAIL, "support": f.SUPPORT, "backups": f.BACKUP, "liability": f.LIABILITY,
}


@dataclass
class Node:
    """A YAML mapping being drafted: entries (key, value, comment lines)."""

    entries: list[tuple[str, object, list[str]]] = field(default_factory=list)

    def set(self, key: str, value: object, comment: Sequence[str] = ()) -> None:
        self.entries.append((key, value, list(comment)))

    def get(self, key: str) -> object:
        return next((v for k, v, _ in self.entries if k == key), None)


def _quote(found: Finding) -> list[str]:
    wrapped = textwrap.wrap(f'{found.clause}: "{found.quote}"', 94)
    return wrapped


class Drafter:
    def __init__(self, text: str, file: str, lang: str | None) -> None:
        self.sentences: list[Sentence] = sentences(text)
        self.language = lang or language(text)
        self.found = find_all(self.sentences)
        self.by_field = {x.field: x for x in self.found}
        self.file = file

    def hint(self, section: str) -> str:
        pattern = HINTS.get(section)
        clauses: list[str] = []
        if pattern is not None:
            for s in self.sentences:
                if pattern.search(s.text) and s.clause not in clauses:
                    clauses.append(s.clause)
        where = f"probably clauses {', '.join(clauses[:4])}" if clauses else \
            "no clause of the text uses its words"
        return f"TODO: write {section} ({where})"

    def value(self, node: Node, key: str, name: str, todo: str | None = None) -> bool:
        """Set `key` from the finding `name`, with its quote; a TODO when there is none."""
        found = self.by_field.get(name)
        if found is None:
            if todo is not None:
                node.set(key, todo)
            return False
        node.set(key, found.value, _quote(found))
        return True

    def clauses(self, *names: str) -> list[str]:
        out: list[str] = []
        for name in names:
            found = self.by_field.get(name)
            if found is not None and found.clause not in out:
                out.append(found.clause)
        return out

    def any(self, prefix: str) -> bool:
        return any(k == prefix or k.startswith(prefix + ".") for k in self.by_field)

    # --- sections ------------------------------------------------------------------------

    def build(self) -> Node:
        root = Node()
        stem = re.sub(r"[^a-z0-9_-]+", "-", self.file.rsplit("/", 1)[-1].rsplit(".", 1)[0]
                      .lower()).strip("-") or "draft"
        root.set("pack", f"{stem}-draft")
        root.set("title", f"Draft policy from {self.file.rsplit('/', 1)[-1]} (termline policy "
                          "draft: check every value against its quote)")
        source = Node()
        source.set("file", self.file.rsplit("/", 1)[-1])
        source.set("provider", "TODO: the provider's legal name")
        source.set("product", "TODO: the product the terms cover")
        source.set("language", self.language)
        law = self.by_field.get("source.governing_law")
        source.set("governing_law", law.value if law else self.hint("source"),
                   _quote(law) if law else [])
        source.set("venue", "TODO: the courts with jurisdiction")
        source.set("law_clause", [law.clause] if law else "TODO: the clause choosing the law")
        root.set("source", source)
        zone = ZONES.get(str(law.value)) if law else None
        why = [f"Read from the governing law ({law.clause}): check where the provider counts "
               "its days."] if law and zone else []
        root.set("timezone", zone or "TODO: the provider's IANA time zone", why)
        root.set("calendar", str(law.value) if law and zone else
                 "TODO: the public-holiday calendar (country code)", why)
        root.set("start", self.hint("start"))
        root.set("term", self.term())
        root.set("termination", self.termination())
        root.set("trial", self.trial())
        root.set("billing", self.billing())
        month_end = self.by_field.get("payment.term_end_of_month")
        root.set("payment", self.section("payment", [("term", "payment.term")])
                 if month_end is None else
                 f"TODO: {month_end.clause} says \"{month_end.source}\": a due date at the end "
                 "of a month, which the format cannot say yet", _quote(month_end)
                 if month_end else [])
        root.set("seats", self.hint("seats"))
        root.set("dunning", self.dunning())
        root.set("interest", self.interest())
        root.set("compensation", self.section("compensation",
                                              [("amount", "compensation.amount")]))
        root.set("retention", self.retention())
        root.set("prices", self.prices())
        root.set("sla", self.sla())
        root.set("support", self.support())
        root.set("backups", self.section("backups", [("cadence", "backups.cadence"),
                                                     ("retention", "backups.retention")],
                                         required=0))
        root.set("liability", self.liability())
        return root

    def section(self, name: str, fields: list[tuple[str, str]], required: int = 1) -> object:
        """A rule of `fields` (key, finding); the first `required` must be found."""
        names = [n for _, n in fields]
        if not any(n in self.by_field for n in names) or not all(
                n in self.by_field for n in names[:required]):
            return self.hint(name)
        node = Node()
        node.set("clause", self.clauses(*names))
        for key, finding in fields:
            self.value(node, key, finding)
        return node

    def term(self) -> object:
        if not self.any("term"):
            return self.hint("term")
        node = Node()
        node.set("clause", self.clauses("term.initial", "term.renewal"))
        self.value(node, "initial", "term.initial", "TODO: the initial term (e.g. 12 months)")
        self.value(node, "renewal", "term.renewal", "TODO: each renewal's length")
        return node

    def termination(self) -> object:
        node = Node()
        for party in ("customer", "provider"):
            prefix = f"termination.{party}"
            if not self.any(prefix):
                node.set(party, self.hint("termination"))
                continue
            rule = Node()
            rule.set("clause", self.clauses(f"{prefix}.period", f"{prefix}.effect"))
            effect = self.by_field.get(f"{prefix}.effect")
            self.value(rule, "effect", f"{prefix}.effect",
                       "TODO: when the notice takes effect (term_end, end_of_calendar_month or "
                       "fixed_period: the period after the notice day)" if effect is None
                       else None)
            needs_period = effect is None or effect.value != "end_of_calendar_month"
            self.value(rule, "period", f"{prefix}.period",
                       "TODO: the notice period" if needs_period else None)
            self.value(rule, "before", f"{prefix}.before")
            node.set(party, rule)
        return node

    def trial(self) -> object:
        if "trial.offered" not in self.by_field:
            return ("TODO: does the text offer a free trial? write the trial rule, or "
                    "delete this line if there is none")
        node = Node()
        node.set("clause", self.clauses("trial.offered", "trial.default_days"))
        self.value(node, "offered", "trial.offered")
        self.value(node, "default_days", "trial.default_days")
        return node

    def billing(self) -> object:
        rule = self.section("billing", [("period", "billing.period")])
        arrears = self.by_field.get("billing.in_arrears")
        if isinstance(rule, Node) and arrears is not None:
            return (f"TODO: the text invoices in arrears ({arrears.clause}: "
                    f"\"{arrears.source}\"), which the format cannot say yet")
        return rule

    def dunning(self) -> object:
        count = self.by_field.get("dunning.reminders")
        suspension = self.by_field.get("dunning.suspension.after") or self.by_field.get(
            "dunning.suspension")
        if count is None and suspension is None:
            return self.hint("dunning")
        node = Node()
        node.set("clause", self.clauses("dunning.reminders", "dunning.reminder_fee",
                                        "dunning.suspension.after", "dunning.suspension"))
        steps: list[Node] = []
        n = int(count.value) if count is not None else 0  # type: ignore[call-overload]
        for i in range(1, n + 1):
            step = Node()
            step.set("name", f"reminder_{i}")
            step.set("kind", "reminder", _quote(count) if i == 1 and count else [])
            step.set("clause", self.clauses("dunning.reminders", f"dunning.reminder_{i}.after"))
            self.value(step, "after", f"dunning.reminder_{i}.after",
                       "TODO: when this reminder is sent")
            step.set("from", "due_date" if i == 1 else "previous_step")
            self.value(step, "fee", "dunning.reminder_fee")
            steps.append(step)
        if suspension is not None:
            step = Node()
            step.set("name", "suspension")
            step.set("kind", "suspension", _quote(suspension))
            step.set("clause", [suspension.clause])
            self.value(step, "after", "dunning.suspension.after",
                       "TODO: when access is suspended")
            anchor = self.by_field.get("dunning.suspension.from")
            last = f"reminder_{n}" if n else "due_date"
            step.set("from", last if anchor is None or anchor.value == "last_reminder"
                     else "due_date")
            steps.append(step)
        node.set("steps", steps)
        return node

    def interest(self) -> object:
        method = self.by_field.get("interest.method")
        if method is None:
            return self.hint("interest")
        node = Node()
        node.set("clause", self.clauses("interest.method", "interest.rate"))
        self.value(node, "method", "interest.method")
        self.value(node, "rate", "interest.rate")
        if method.value == "statutory":
            self.value(node, "jurisdiction", "interest.jurisdiction",
                       "TODO: the country whose statutory rate applies")
        self.value(node, "accrues_from", "interest.accrues_from")
        return node

    def retention(self) -> object:
        if not self.any("retention"):
            return self.hint("retention")
        node = Node()
        node.set("clause", self.clauses("retention.deletion.after", "retention.export_window"))
        if "retention.export_window" in self.by_field:
            node.set("access_after_termination", "export_only")
            self.value(node, "export_window", "retention.export_window")
        deletion = self.section("retention", [("after", "retention.deletion.after")])
        node.set("deletion", deletion if isinstance(deletion, Node) else
                 "TODO: when the data is deleted after termination")
        return node

    def prices(self) -> object:
        if not self.any("prices"):
            return self.hint("prices")
        node = Node()
        node.set("clause", self.clauses("prices.price_changes.lead", "prices.terms_changes.lead",
                                        "prices.increase_cap.percent", "prices.indexation",
                                        "prices.index_cap"))
        change = self.section("prices", [("lead", "prices.price_changes.lead")])
        if isinstance(change, Node):
            node.set("price_changes", change)
        cap = self.section("prices", [("percent", "prices.increase_cap.percent")])
        if isinstance(cap, Node):
            node.set("increase_cap", cap)
        change = self.section("prices", [("lead", "prices.terms_changes.lead")])
        if isinstance(change, Node):
            node.set("terms_changes", change)
        for kind in ("indexation", "index_cap"):
            index = self.by_field.get(f"prices.{kind}")
            if index is None:
                continue
            rule = Node()
            rule.set("clause", [index.clause], _quote(index))
            rule.set("series", f"TODO: the id of the index series \"{index.source}\" names")
            if kind == "index_cap":
                rule.set("base", "TODO: price_in_force or price_at_start")
            node.set(kind, rule)
        return node

    def sla(self) -> object:
        if "sla.availability.target" not in self.by_field:
            return self.hint("sla")
        node = Node()
        node.set("clause", self.clauses("sla.availability.target"))
        availability = Node()
        availability.set("clause", self.clauses("sla.availability.target"))
        self.value(availability, "target", "sla.availability.target")
        self.value(availability, "window", "sla.availability.window",
                   "TODO: the measuring window (calendar_month or calendar_year)")
        credit = self.by_field.get("sla.availability.credit")
        if credit is not None:
            rule = Node()
            rule.set("clause", [credit.clause], _quote(credit))
            availability.set("credit", rule)
        node.set("availability", availability)
        return node

    def support(self) -> object:
        if not self.any("support"):
            return self.hint("support")
        node = Node()
        keys = [k for k in self.by_field if k.startswith("support.")]
        node.set("clause", self.clauses(*keys))
        if "support.hours.opens" in self.by_field:
            hours = Node()
            hours.set("clause", self.clauses("support.hours.opens"))
            zone = self.by_field.get("source.governing_law")
            hours.set("timezone", ZONES.get(str(zone.value), "TODO: the time zone of the hours")
                      if zone else "TODO: the time zone of the hours")
            self.value(hours, "opens", "support.hours.opens")
            self.value(hours, "closes", "support.hours.closes")
            node.set("hours", hours)
        elif any(k.startswith("support.responses") for k in self.by_field):
            hours = Node()  # response targets are counted in support hours
            hours.set("clause", "TODO: the clause giving the support hours")
            hours.set("timezone", "TODO: the time zone of the hours")
            hours.set("opens", "TODO: when support opens (HH:MM)")
            hours.set("closes", "TODO: when support closes (HH:MM)")
            node.set("hours", hours)
        responses = Node()
        for kind in ("error", "question"):
            target = Node()
            for unit in ("business_hours", "business_days"):
                name = f"support.responses.{kind}.{unit}"
                if name in self.by_field:
                    target.set("clause", self.clauses(name))
                    self.value(target, unit, name)
            if target.entries:
                responses.set(kind, target)
        if responses.entries:
            node.set("responses", responses)
        return node

    def liability(self) -> object:
        if "liability.basis.kind" not in self.by_field:
            if "liability.maximum.amount" in self.by_field:
                found = self.by_field["liability.maximum.amount"]
                return (f"TODO: write liability ({found.clause} caps it at "
                        f"\"{found.source}\"; the basis of the cap was not found)")
            return self.hint("liability")
        node = Node()
        node.set("clause", self.clauses("liability.basis.kind", "liability.maximum.amount"))
        basis = Node()
        basis.set("clause", self.clauses("liability.basis.kind"))
        self.value(basis, "kind", "liability.basis.kind")
        self.value(basis, "window", "liability.basis.window")
        kind = self.by_field["liability.basis.kind"].value
        self.value(basis, "period", "liability.basis.period",
                   f"TODO: the length of the period whose fees are the basis (\""
                   f"{self.by_field['liability.basis.kind'].source}\")"
                   if kind == "fees_for_period" else None)
        self.value(basis, "percent", "liability.basis.percent")
        node.set("basis", basis)
        maximum = self.section("liability", [("amount", "liability.maximum.amount")])
        if isinstance(maximum, Node):
            node.set("maximum", maximum)
        return node


# --- YAML ---------------------------------------------------------------------------------

def _scalar(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return json.dumps(format(value.normalize(), "f") if value == value.to_integral()
                          else str(value))
    if isinstance(value, Duration):
        return str(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_scalar(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)


def render(node: Node, indent: int = 0, said: list[str] | None = None) -> list[str]:
    """YAML lines of `node`; a quote is not repeated right after the same quote."""
    said = said if said is not None else [""]
    pad = " " * indent
    lines: list[str] = []
    for key, value, comment in node.entries:
        if comment and comment != said[0].split("\n"):
            lines.extend(f"{pad}# {c}" for c in comment)
            said[0] = "\n".join(comment)
        if isinstance(value, Node):
            lines.append(f"{pad}{key}:")
            lines.extend(render(value, indent + 2, said))
        elif isinstance(value, list) and value and isinstance(value[0], Node):
            lines.append(f"{pad}{key}:")
            for item in value:
                inner = render(item, indent + 4, said)
                first = next(i for i, line in enumerate(inner) if not
                             line.lstrip().startswith("#"))
                inner[first] = f"{pad}  - " + inner[first][indent + 4:]
                lines.extend(inner)
        else:
            lines.append(f"{pad}{key}: {_scalar(value)}")
    return lines


HEADER = """\
# Drafted by `termline policy draft` from {file} ({language}).
# Every value below was read from the sentence quoted above it, with its clause as the rule's
# citation: check each one against the text. Every TODO is a rule or value the text did not
# give plainly; the clauses named are those whose words suggest they govern it.
# `termline policy check` lists the TODOs as warnings; a policy with TODOs does not run.
"""


def _refuse(node: Node, path: Sequence[str | int], why: str) -> bool:
    """Replace the drafted value at `path` with a TODO saying why it was refused."""
    target: object = node
    for key in path[:-1]:
        if isinstance(target, Node):
            target = target.get(str(key))
        elif isinstance(target, list) and isinstance(key, int) and key < len(target):
            target = target[key]
        else:
            return False
    if not isinstance(target, Node):
        return False
    for i, (key, _value, _comment) in enumerate(target.entries):
        if key == str(path[-1]):
            target.entries[i] = (key, f"TODO: the drafted value was refused: {why}", [])
            return True
    return False


def draft_policy(text: str, file: str, lang: str | None = None) -> tuple[str, list[Finding]]:
    """The draft policy's YAML and the findings it was made from."""
    from termline.domain.policy.check import check_text

    drafter = Drafter(text, file, lang)
    root = drafter.build()
    for _ in range(8):
        yaml_text = HEADER.format(file=file.rsplit("/", 1)[-1], language=drafter.language) + \
            "\n".join(render(root)) + "\n"
        _, problems = check_text(yaml_text, file)
        errors = [p for p in problems if p.severity == "error"]
        if not errors:
            return yaml_text, drafter.found
        for problem in errors:
            path: list[str | int] = []
            if problem.where:
                for part in re.findall(r"[^.\[\]]+|\[\d+\]", problem.where):
                    path.append(int(part[1:-1]) if part.startswith("[") else part)
            elif "billing.period" in problem.message:
                path = ["billing", "period"]
            if not path or not _refuse(root, path, problem.message):
                raise AssertionError(f"draft refused by policy check: {problem}")
    raise AssertionError("draft still refused after replacing refused values with TODOs")
