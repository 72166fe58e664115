"""Maintain the gettext catalogues of the web UI (a developer tool; needs the dev dependency ``babel``).

``python -m asylon.web.catalogues`` extracts every marked string from the templates and the web
modules, merges them into ``locale/<lang>/LC_MESSAGES/messages.po`` (new strings appear untranslated,
vanished ones become obsolete), and compiles the ``.mo`` files the server reads. ``--check`` only reports
whether the shipped files are up to date (the test suite runs it).
"""

from __future__ import annotations

import datetime as dt
import io
import sys
from pathlib import Path
from typing import Any

WEB_DIR = Path(__file__).parent
LOCALE_DIR = WEB_DIR / "locale"
TRANSLATED = ("fr", "ar")
METHODS = [("templates/**.html", "jinja2.ext:babel_extract"), ("**.py", "python")]
OPTIONS = {"templates/**.html": {"extensions": "jinja2.ext.i18n", "trim_blocks": "true",
                                 "lstrip_blocks": "true", "newstyle_gettext": "true"}}


def extract() -> Any:
    """The template catalogue: every marked string in the web UI."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir

    # A fixed date keeps the files byte-for-byte reproducible, so the test can tell when they are stale.
    catalog = Catalog(project="asylon", charset="utf-8", creation_date=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    keywords = {**DEFAULT_KEYWORDS, "N_": None, "visit_gettext": (2,)}
    for filename, lineno, message, comments, context in extract_from_dir(
        str(WEB_DIR), METHODS, OPTIONS, keywords=keywords, comment_tags=("Translators:",)
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def _po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"


def merged(lang: str, template: Any) -> Any:
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import read_po

    path = _po_path(lang)
    if path.exists():
        with path.open("rb") as f:
            catalog = read_po(f, locale=lang)
    else:
        catalog = Catalog(locale=lang, project="asylon", charset="utf-8")
    catalog.update(template, update_header_comment=False)
    return catalog


def po_bytes(catalog: Any) -> bytes:
    from babel.messages.pofile import write_po

    out = io.BytesIO()
    write_po(out, catalog, width=110, omit_header=False, sort_output=True, include_previous=False,
             ignore_obsolete=True, include_lineno=False)
    return out.getvalue()


def mo_bytes(catalog: Any) -> bytes:
    from babel.messages.mofile import write_mo

    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def untranslated(lang: str) -> list[str]:
    """Message ids of the template that ``lang`` does not translate yet (fuzzy guesses count as not yet)."""
    catalog = merged(lang, extract())
    return sorted(str(m.id) for m in catalog if m.id and (not m.string or m.fuzzy))


def stale() -> list[str]:
    """Catalogue files that differ from what a rebuild would write (empty when all are up to date)."""
    template = extract()
    out = []
    for lang in TRANSLATED:
        catalog = merged(lang, template)
        po = _po_path(lang)
        mo = po.with_suffix(".mo")
        if not po.exists() or _body(po.read_bytes()) != _body(po_bytes(catalog)):
            out.append(str(po))
        if not mo.exists() or mo.read_bytes() != mo_bytes(catalog):
            out.append(str(mo))
    return out


def _body(po: bytes) -> bytes:
    # The header carries creation dates; compare the messages only.
    return po.split(b'\n\n', 1)[-1]


def main(argv: list[str]) -> int:
    if "--check" in argv:
        names = stale()
        for name in names:
            print(f"out of date: {name}")
        return 1 if names else 0
    template = extract()
    for lang in TRANSLATED:
        catalog = merged(lang, template)
        po = _po_path(lang)
        po.parent.mkdir(parents=True, exist_ok=True)
        po.write_bytes(po_bytes(catalog))
        po.with_suffix(".mo").write_bytes(mo_bytes(catalog))
        missing = sum(1 for m in catalog if m.id and (not m.string or m.fuzzy))
        print(f"{lang}: {len(catalog)} messages, {missing} untranslated")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
