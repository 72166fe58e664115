"""End-to-end in real headless Chromium: what a caseworker does, with the network off."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from asylon.db.engine import transaction
from asylon.db.models import Case
from tests.support.world import TwoOrgs, register
from tests.web.conftest import Traffic, browser_login, screenshot
from tests.web.files import caseload_csv

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = {"width": 390, "height": 844}


def case_count(engine: Engine) -> int:
    with transaction(engine, write=False) as session:
        return session.scalar(select(func.count(Case.id))) or 0


def test_caseworker_flow(live_url: str, engine: Engine, orgs: TwoOrgs, browser_context: Any,
                         traffic: Traffic, tmp_path: Path) -> None:
    register(engine, orgs.a_caseworker.actor, "C-1")
    second = register(engine, orgs.a_caseworker.actor, "C-2")
    page = browser_context.new_page()
    browser_login(page, live_url, orgs.a_caseworker.email)

    # Search by a name in Arabic script, then by case number.
    page.get_by_role("link", name="Cases", exact=True).click()
    page.get_by_label("Search by name or case number").fill("رانيا")
    page.get_by_role("button", name="Search").click()
    assert page.get_by_role("link", name="C-1").is_visible()
    page.get_by_label("Search by name or case number").fill("C-2")
    page.get_by_role("button", name="Search").click()
    assert page.get_by_role("link", name="C-2").is_visible()
    assert page.get_by_role("link", name="C-1").count() == 0

    # Register a household with one invalid field: the message appears next to it, nothing is saved.
    before = case_count(engine)
    page.get_by_role("link", name="Register", exact=True).click()
    page.get_by_label("Case number").fill("WEB-1")
    page.get_by_label("Country of asylum").fill("JOR")
    page.get_by_label("Country of origin").fill("SYR")
    page.get_by_label("Countries fled").fill("SYR")
    page.get_by_label("Given name").fill("Amina")
    page.get_by_label("Family name").fill("Yusuf")
    page.get_by_label("Date of birth").fill("1990-02-31")
    page.get_by_label("Nationality").fill("SYR")
    page.get_by_role("button", name="Register", exact=True).click()
    summary = page.locator("#error-summary")
    assert summary.is_visible()
    assert "Nothing has been saved" in summary.inner_text()
    field_error = page.locator("#persons-0-date_of_birth-error")
    assert "1990-02-31" in field_error.inner_text()
    assert page.get_by_label("Date of birth").get_attribute("aria-invalid") == "true"
    assert page.get_by_label("Given name").input_value() == "Amina"  # what was typed is kept
    assert case_count(engine) == before

    # Fix it and save.
    page.get_by_label("Date of birth").fill("1990-02-21")
    page.get_by_role("button", name="Register", exact=True).click()
    assert "The household is registered." in page.locator(".notice").inner_text()
    assert case_count(engine) == before + 1
    new_case_url = page.url.split("?")[0]

    # Advance a pathway: start resettlement to Germany, then submit.
    page.get_by_label("Pathway", exact=True).select_option("resettlement")
    page.get_by_label("Destination country").fill("DEU")
    page.get_by_role("button", name="Start", exact=True).click()
    page.get_by_role("button", name="submitted").click()
    assert "submitted" in page.locator("#pathway").inner_text()
    assert "Pathway moved" in page.locator(".timeline").inner_text()

    # A refused transition is explained: no voluntariness declaration before verifying it.
    page.goto(f"{live_url}/cases/{second}")
    page.get_by_label("Pathway", exact=True).select_option("voluntary-repatriation")
    page.get_by_role("button", name="Start", exact=True).click()
    page.get_by_role("button", name="intention expressed").click()
    page.get_by_role("button", name="voluntariness verified").click()
    refusal = page.locator(".refusal")
    assert refusal.is_visible()
    text = refusal.inner_text()
    assert "voluntariness.declaration" in text
    assert "every adult has made an individual declaration" in text
    assert "Nothing has been saved" in text
    assert "intention expressed" in page.locator("#pathway").inner_text()

    # Import a file with errors: the report lists each bad row and column; nothing is saved.
    before = case_count(engine)
    bad = tmp_path / "caseload.csv"
    bad.write_bytes(caseload_csv(bad=True))
    page.get_by_role("link", name="Import", exact=True).click()
    page.get_by_label("Caseload file").set_input_files(str(bad))
    page.get_by_role("button", name="Check the file").click()
    report = page.locator("table.problems tbody tr")
    assert report.count() == 2
    rows = [report.nth(i).inner_text() for i in range(2)]
    assert any("3" in r and "date_of_birth" in r and "1990-02-31" in r for r in rows), rows
    assert any("5" in r and "country_of_asylum" in r and "XYZ" in r for r in rows), rows
    assert case_count(engine) == before

    # The corrected file: check, confirm, imported.
    good = tmp_path / "caseload-fixed.csv"
    good.write_bytes(caseload_csv(bad=False))
    page.get_by_label("Caseload file").set_input_files(str(good))
    page.get_by_role("button", name="Check the file").click()
    assert "The file is valid" in page.content()
    page.get_by_role("button", name="Confirm the import").click()
    assert "3 new cases" in page.locator(".notice").inner_text()
    assert case_count(engine) == before + 3

    page.goto(new_case_url)
    assert "WEB-1" in page.title() or "WEB-1" in page.locator("h1").inner_text()
    assert traffic.seen, "the browser made no request through the gate"
    assert traffic.outside == []


def test_pages_load_offline_and_screenshots(live_url: str, engine: Engine, browser_context: Any,
                                            traffic: Traffic) -> None:
    """Every request a page makes stays on 127.0.0.1; every asset it asks for is served (no 404).

    The screenshots use a seeded demo world, so the maps and trends look as they do in use.
    """
    from asylon.demo.world import DEMO_PASSWORD
    from asylon.services.demo import seed_demo

    seed_demo(engine, households=600)
    page = browser_context.new_page()
    failed: list[str] = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    browser_login(page, live_url, "caseworker@un-amman.demo", DEMO_PASSWORD)
    page.goto(live_url + "/cases")
    first_case = page.locator("table.cases tbody a").first.get_attribute("href")
    for path in ("/", "/cases", first_case, "/cases/new", "/import", "/countries", "/countries/JOR"):
        page.goto(f"{live_url}{path}")
        page.wait_for_load_state("load")
    assert failed == []
    assert traffic.outside == []
    assert any(url.endswith("/static/asylon.css") for url in traffic.seen)

    page.goto(live_url + "/")
    assert page.locator("svg.map").count() == 2
    assert page.locator('svg.map a[href="/cases?country_of_asylum=JOR"]').count() == 1
    screenshot(page, "dashboard-desktop")
    page.goto(f"{live_url}{first_case}")
    screenshot(page, "case-desktop")
    page.set_viewport_size(PHONE)
    page.goto(live_url + "/")
    screenshot(page, "dashboard-phone")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the dashboard scrolls sideways on a phone ({width}px)"
    page.goto(f"{live_url}{first_case}")
    screenshot(page, "case-phone")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the case page scrolls sideways on a phone ({width}px)"
    page.goto(live_url + "/cases")
    screenshot(page, "cases-phone")
    assert traffic.outside == []


def test_arabic_renders_right_to_left(live_url: str, engine: Engine, orgs: TwoOrgs, browser_context: Any) -> None:
    register(engine, orgs.a_caseworker.actor, "C-1")
    page = browser_context.new_page()
    browser_login(page, live_url, orgs.a_caseworker.email)
    page.get_by_label("Language").select_option("ar")
    page.get_by_role("button", name="Change").click()
    page.goto(live_url + "/cases/new")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("html").get_attribute("lang") == "ar"
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    assert page.get_by_role("heading", name="تسجيل أسرة").is_visible()
    # The layout mirrors: the brand sits at the right edge and labels align right.
    brand = page.locator(".brand").bounding_box()
    assert brand is not None and brand["x"] > 1280 / 2
    label = page.locator('label[for="case_number"]').bounding_box()
    assert "رقم الملف" in page.locator('label[for="case_number"]').inner_text()
    field = page.locator("#case_number").bounding_box()
    assert label is not None and field is not None
    assert label["x"] + label["width"] == pytest.approx(field["x"] + field["width"], abs=2)
    # Navigation reads right to left: the first section is the rightmost.
    items = page.locator("header nav li")
    first, second = items.nth(0).bounding_box(), items.nth(1).bounding_box()
    assert first is not None and second is not None and first["x"] > second["x"]
    screenshot(page, "register-arabic-desktop")
    page.goto(live_url + "/")
    screenshot(page, "dashboard-arabic-desktop")


UNLABELLED = """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
    .filter(el => el.labels.length === 0 && !el.getAttribute('aria-label'))
    .map(el => el.name || el.id)"""


def test_keyboard_labels_and_live_field_checks(live_url: str, engine: Engine, orgs: TwoOrgs,
                                               browser_context: Any) -> None:
    case_id = register(engine, orgs.a_caseworker.actor, "C-1")
    page = browser_context.new_page()
    browser_login(page, live_url, orgs.a_caseworker.email)
    for path in ("/", "/cases", f"/cases/{case_id}", f"/cases/{case_id}/edit", "/cases/new", "/import",
                 "/countries", "/countries/JOR"):
        page.goto(live_url + path)
        assert page.evaluate(UNLABELLED) == [], path
        assert page.locator("h1").count() == 1, path
    # The first Tab reaches the skip link, which moves focus to the content.
    page.goto(live_url + "/cases")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    # A field that breaks its own rule says so as soon as the person leaves it, before any submit.
    page.goto(live_url + "/cases/new")
    page.get_by_label("Nationality").fill("S1")
    page.keyboard.press("Tab")
    note = page.locator("#persons-0-nationality-live")
    assert note.is_visible() and "ISO 3166" in note.inner_text()
    assert page.get_by_label("Nationality").get_attribute("aria-invalid") == "true"
    page.get_by_label("Nationality").fill("SYR")
    page.keyboard.press("Tab")
    assert page.locator("#persons-0-nationality-live").count() == 0
