"""The message catalogue: every word a customer reads on a document or a letter (labels, legal
mentions, fee and interest descriptions, the payment-terms line), in every language termline
writes, from one set of gettext `.po` files (`locale/<language>/LC_MESSAGES/termline.po`);
and, in a domain of its own (`console.po`), the words of the console's customer page.

The `.po` files are the source; each is compiled to `.mo` with Babel when first used (nothing
compiled is kept in the repository). The msgid is the English text; `{name}` placeholders are
filled with `str.format` after translation. `tests/documents/test_catalogue.py` fails when a
message of either domain lacks a translation in any language or a translation drops a
placeholder.
"""

from __future__ import annotations

from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "termline"
DOMAINS = (DOMAIN, "console")
LANGUAGES = ("en", "nl", "fr", "da", "de")
# Babel locales for numbers, dates and currencies per language.
LOCALES = {"en": "en_GB", "nl": "nl_BE", "fr": "fr_BE", "da": "da_DK", "de": "de_DE"}


def language_of(value: str | None) -> str:
    """A language termline writes; English for anything else."""
    return value if value in LANGUAGES else "en"


def po_path(language: str, domain: str = DOMAIN) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{domain}.po"


@cache
def translations(language: str, domain: str = DOMAIN) -> Translations:
    """The language's catalogue, compiled from its `.po` file to `.mo` in memory."""
    with po_path(language_of(language), domain).open("rb") as fh:
        catalog = read_po(fh, locale=language_of(language), domain=domain)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain=domain)


def text(language: str, msgid: str, domain: str = DOMAIN, **values: Any) -> str:
    """`msgid` in `language` (from `domain`'s catalogue), its `{placeholders}` filled."""
    translated = translations(language, domain).gettext(msgid)
    return translated.format(**values) if values else translated
