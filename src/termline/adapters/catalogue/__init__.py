"""The message catalogue: every word a customer reads on a document or a letter (labels, legal
mentions, fee and interest descriptions, the payment-terms line), in every language termline
writes, from one set of gettext `.po` files (`locale/<language>/LC_MESSAGES/termline.po`).

The `.po` files are the source; each is compiled to `.mo` with Babel when first used (nothing
compiled is kept in the repository). The msgid is the English text; `{name}` placeholders are
filled with `str.format` after translation. `tests/documents/test_catalogue.py` fails when a
message lacks a translation in any language or a translation drops a placeholder.
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
LANGUAGES = ("en", "nl", "fr", "da", "de")
# Babel locales for numbers, dates and currencies per language.
LOCALES = {"en": "en_GB", "nl": "nl_BE", "fr": "fr_BE", "da": "da_DK", "de": "de_DE"}


def language_of(value: str | None) -> str:
    """A language termline writes; English for anything else."""
    return value if value in LANGUAGES else "en"


def po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(language: str) -> Translations:
    """The language's catalogue, compiled from its `.po` file to `.mo` in memory."""
    with po_path(language_of(language)).open("rb") as fh:
        catalog = read_po(fh, locale=language_of(language), domain=DOMAIN)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


def text(language: str, msgid: str, **values: Any) -> str:
    """`msgid` in `language`, its `{placeholders}` filled."""
    translated = translations(language).gettext(msgid)
    return translated.format(**values) if values else translated
