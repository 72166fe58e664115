"""Languages: catalogues complete and compiled, negotiation, Arabic right to left, French forms."""

from __future__ import annotations

import pytest

from asylon.web import catalogues
from asylon.web.i18n import LANG_COOKIE, negotiate
from tests.web.conftest import WebClient

pytestmark = pytest.mark.db


def test_catalogues_are_up_to_date_and_complete() -> None:
    pytest.importorskip("babel", reason="catalogue checks need the dev dependency babel")
    assert catalogues.stale() == [], "run `python -m asylon.web.catalogues` and commit the result"
    for lang in catalogues.TRANSLATED:
        assert catalogues.untranslated(lang) == [], lang


@pytest.mark.parametrize(("cookie", "header", "expected"), [
    (None, None, "en"),
    (None, "fr-FR,fr;q=0.9,en;q=0.8", "fr"),
    (None, "de-DE,ar;q=0.4,en;q=0.6", "en"),
    (None, "ar;q=0.9,fr;q=0.95", "fr"),
    ("ar", "fr", "ar"),
    ("xx", "ar-SY", "ar"),
])
def test_language_negotiation(cookie: str | None, header: str | None, expected: str) -> None:
    assert negotiate(cookie, header) == expected


def test_arabic_pages_are_right_to_left(a_web: WebClient) -> None:
    a_web.client.cookies.set(LANG_COOKIE, "ar")
    page = a_web.get("/cases/new").text
    assert '<html lang="ar" dir="rtl">' in page
    assert "تسجيل أسرة" in page and "تاريخ الميلاد" in page
    assert "الملفات" in page  # navigation


def test_french_forms_and_accept_language(web: WebClient) -> None:
    page = web.get("/login", headers={"accept-language": "fr-FR,fr;q=0.9"}).text
    assert '<html lang="fr" dir="ltr">' in page and "Mot de passe" in page


def test_language_choice_is_remembered(a_web: WebClient) -> None:
    a_web.get("/cases")
    response = a_web.post("/language", {"language": "fr", "next": "/cases"})
    assert response.status_code == 303 and response.headers["location"] == "/cases"
    assert "Rechercher par nom ou numéro de dossier" in a_web.get("/cases").text
