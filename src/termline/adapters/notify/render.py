"""E-mails rendered from Jinja2 templates (templates/<language>/<kind>.txt): the first line is
the subject, the rest the body; every e-mail ends with the clauses and the tenant's terms URL."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, Undefined

from termline.adapters.catalogue import LANGUAGES as CATALOGUE_LANGUAGES

TEMPLATES = Path(__file__).parent / "templates"
LANGUAGES = CATALOGUE_LANGUAGES  # en, nl, fr, da, de: a template per kind in each


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


@cache
def _environment() -> Environment:
    # Undefined, not StrictUndefined: an action's optional fields (a reminder's interest) are
    # simply absent from its body. Plain text: nothing to escape.
    return Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=False,
                       undefined=Undefined, keep_trailing_newline=True)


def render(kind: str, language: str, context: dict[str, Any]) -> Rendered:
    """The e-mail for `kind` in `language` (English when the language has no templates)."""
    lang = language if language in LANGUAGES else "en"
    env = _environment()
    text = env.get_template(f"{lang}/{kind}.txt").render(**context)
    subject, _, body = text.partition("\n")
    footer = env.get_template(f"{lang}/footer.txt").render(**context)
    return Rendered(subject.strip(), body + footer)
