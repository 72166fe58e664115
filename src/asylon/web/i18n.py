"""Languages of the web UI: gettext catalogues under ``locale/`` and one Jinja environment per language.

English is the source language. French and Arabic cover the navigation and the forms; a string not yet
translated shows in English. Arabic is written right to left: pages in it carry ``dir="rtl"`` and the
stylesheet uses logical properties (``margin-inline-start`` …) so the layout mirrors by itself.

To add or change strings: mark them (``{% trans %}``/``_()`` in templates, :func:`N_` in Python), then
``python -m asylon.web.catalogues`` extracts, updates the ``.po`` files and compiles the ``.mo`` files.
"""

from __future__ import annotations

import gettext
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

LOCALE_DIR = Path(__file__).with_name("locale")
DOMAIN = "messages"
LANG_COOKIE = "asylon_lang"


@dataclass(frozen=True, slots=True)
class Language:
    code: str
    name: str  # in the language itself, as a person looks for it
    direction: str  # "ltr" or "rtl"


LANGUAGES: dict[str, Language] = {
    "en": Language("en", "English", "ltr"),
    "fr": Language("fr", "Français", "ltr"),
    "ar": Language("ar", "العربية", "rtl"),
}
DEFAULT = "en"


def N_(message: str) -> str:
    """Mark ``message`` for extraction; it is translated where it is shown."""
    return message


@cache
def translations(code: str) -> gettext.NullTranslations:
    if code == DEFAULT:
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, localedir=str(LOCALE_DIR), languages=[code], fallback=True)


def negotiate(cookie: str | None, accept_language: str | None) -> str:
    """The language to use: the visitor's choice, else the best of Accept-Language we have, else English.

    >>> negotiate(None, "ar-JO,ar;q=0.9,en;q=0.5")
    'ar'
    >>> negotiate("fr", "ar")
    'fr'
    """
    if cookie in LANGUAGES:
        return str(cookie)
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate((accept_language or "").split(",")):
        bits = part.strip().split(";")
        tag = bits[0].strip().lower().split("-")[0]
        quality = 1.0
        for bit in bits[1:]:
            if bit.strip().startswith("q="):
                try:
                    quality = float(bit.strip()[2:])
                except ValueError:
                    quality = 0.0
        if tag in LANGUAGES:
            ranked.append((-quality, index, tag))
    return sorted(ranked)[0][2] if ranked else DEFAULT


@cache
def environment(code: str) -> Environment:
    """The template environment for one language (compiled templates are cached per environment)."""
    env = Environment(
        loader=PackageLoader("asylon.web", "templates"),
        autoescape=select_autoescape(["html", "svg"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(code), newstyle=True)  # type: ignore[attr-defined]
    env.globals["LANGUAGES"] = LANGUAGES
    env.globals["lang"] = LANGUAGES[code]
    return env


def gettext_for(code: str) -> Any:
    return translations(code).gettext
