"""Sharing in real headless Chromium, network off: two organisations agree on sharing through the pages,
a caseworker withdraws a person's consent and reads the disclosure report, and the activity page shows
a new event live (server-sent events) without a reload."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import Engine

from tests.support.world import TwoOrgs, register
from tests.web.conftest import Traffic, browser_login, screenshot
from tests.web.test_sharing_pages import PURPOSE, agree

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.db]


def nav(page: Any, section: str) -> None:
    page.get_by_role("navigation", name="Sections").get_by_role("link", name=section, exact=True).click()


def test_two_organisations_draft_and_approve_an_agreement(live_url: str, orgs: TwoOrgs, browser: Any,
                                                          browser_context: Any, traffic: Traffic) -> None:
    page = browser_context.new_page()
    browser_login(page, live_url, orgs.a_admin.email)
    nav(page, "Agreements")
    page.get_by_role("link", name="Draft an agreement").click()
    page.get_by_label("Title").fill("Resettlement referrals, Jordan")
    page.get_by_label("Purpose").select_option(PURPOSE)
    page.get_by_label("Legal basis").select_option("public-interest")
    page.get_by_label("State B asylum office").check()
    page.get_by_label("case.country_of_asylum").check()
    page.get_by_label("person.given_name").check()
    page.get_by_label("Valid until").fill((dt.date.today() - dt.timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Save the draft").click()
    # The rule about dates is shown at its field; what was chosen is kept.
    assert "is before valid_from" in page.locator("#valid_until-error").inner_text()
    assert page.get_by_label("State B asylum office").is_checked()
    page.get_by_label("Valid until").fill((dt.date.today() + dt.timedelta(days=60)).isoformat())
    page.get_by_role("button", name="Save the draft").click()
    assert page.locator("#agreement-state").inner_text() == "Draft"
    page.get_by_role("button", name="Approve for my organisation").click()
    assert "Your organisation has approved" in page.locator("#actions").inner_text()
    assert page.locator("#agreement-state").inner_text() == "Draft"
    agreement_url = page.url.split("?")[0]

    other = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    try:
        b_page = other.new_page()
        browser_login(b_page, live_url, orgs.b_admin.email)
        nav(b_page, "Agreements")
        assert "(not approved)" in b_page.locator("table.agreements").inner_text()
        b_page.get_by_role("link", name="Resettlement referrals, Jordan").click()
        b_page.get_by_label("Reason (optional)").fill("signed memorandum")
        b_page.get_by_role("button", name="Approve for my organisation").click()
        assert b_page.locator("#agreement-state").inner_text() == "Active"
    finally:
        other.close()

    page.goto(agreement_url)
    assert page.locator("#agreement-state").inner_text() == "Active"
    history = page.locator(".timeline").inner_text()
    assert "Activated: every party has approved" in history and "signed memorandum" in history
    screenshot(page, "agreement-active")
    nav(page, "Agreements")
    assert "Active" in page.locator("table.agreements").inner_text()
    assert traffic.outside == []


def test_withdraw_consent_and_read_the_disclosure_report(live_url: str, engine: Engine, orgs: TwoOrgs,
                                                         browser: Any, browser_context: Any,
                                                         traffic: Traffic) -> None:
    case_id = register(engine, orgs.a_caseworker.actor, "CONS-1")
    agree(engine, orgs, legal_basis="consent")
    page = browser_context.new_page()
    browser_login(page, live_url, orgs.a_caseworker.email)
    page.goto(f"{live_url}/cases/{case_id}")
    page.get_by_role("link", name="Consent and disclosures").click()
    page.get_by_label("Person").select_option("P1")
    page.get_by_label("Purpose").select_option(PURPOSE)
    page.get_by_label("Recipient").select_option("state-b")
    page.get_by_label("How it was given").fill("signed form, interpreter present")
    page.get_by_role("button", name="Record consent").click()
    assert "The consent is recorded." in page.locator(".notice").inner_text()

    # State B reads the case under the agreement: one disclosure of Rania's record.
    other = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    try:
        b_page = other.new_page()
        browser_login(b_page, live_url, orgs.b_caseworker.email)
        shared = f"{live_url}/cases/{case_id}?purpose={PURPOSE}"
        b_page.goto(shared)
        assert "Rania" in b_page.locator("table.members").inner_text()

        page.locator("#person-P1").get_by_label("How it was withdrawn").fill("phone call")
        page.locator("#person-P1").get_by_role("button", name="Withdraw consent").click()
        assert "The consent is withdrawn." in page.locator(".notice").inner_text()
        response = b_page.goto(shared)
        assert response is not None and response.status == 404  # at once
        assert "Rania" not in b_page.content()
    finally:
        other.close()

    page.locator("#person-P1").get_by_role("link", name="Disclosure report").click()
    assert "1 disclosures to 1 organisations" in page.locator(".count").inner_text()
    row = page.locator("table.disclosures tbody tr").first.inner_text()
    assert "State B asylum office" in row and "caseworker@b.example" in row and "person.given_name" in row
    screenshot(page, "disclosure-report")
    assert traffic.outside == []


def test_activity_page_shows_a_new_event_live(live_url: str, engine: Engine, orgs: TwoOrgs,
                                              browser_context: Any) -> None:
    register(engine, orgs.a_caseworker.actor, "LIVE-0")
    page = browser_context.new_page()
    browser_login(page, live_url, orgs.a_caseworker.email)
    nav(page, "Activity")
    assert "LIVE-0" in page.locator("#feed").inner_text()
    page.wait_for_selector('#feed[data-connected="true"]')
    register(engine, orgs.a_caseworker.actor, "LIVE-1")
    page.wait_for_selector('#feed li[data-event] >> text="LIVE-1"', timeout=30_000)
    assert page.locator("#feed li").first.inner_text().count("LIVE-1") == 1
    assert "Case registered" in page.locator("#feed li").first.inner_text()
