"""Placement pages: create an exercise from case numbers and pasted destinations, run it, read each
proposal's explanation, override with a reason, see a safeguard refuse, accept; another organisation gets
nothing. The last test does it all in real headless Chromium."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from sqlalchemy import Engine, select

from asylon.db.engine import transaction
from asylon.db.models import CaseEvent
from tests.support.placement import add_cases, household
from tests.support.world import TwoOrgs
from tests.web.conftest import Traffic, WebClient, browser_login, screenshot

pytestmark = pytest.mark.db

DESTINATIONS = ("code,name,country,capacity,cap_single-parent,languages\n"
                "DEU-HH,Hamburg,DEU,3,2,\n"
                "FRA-LY,Lyon,FRA,4,1,\n"
                "SYR-AL,Aleppo,SYR,10,5,\n")


def errors_of(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", m).replace("Error:", "").strip()
            for m in re.findall(r'class="error-message"[^>]*>(.*?)</p>', html, re.S)]


def row_of(page: str, case_id: int) -> str:
    """The proposal row of one case (up to the next case's row)."""
    start = page.index(f'<tr id="case-{case_id}">')
    end = page.find('<tr id="case-', start + 1)
    return page[start:end if end > 0 else len(page)]


def proposal(page: str, case_id: int) -> dict[str, str]:
    """The proposed destination, status and reason shown for one case."""
    row = row_of(page, case_id)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    text = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", c)).strip() for c in cells[:4]]
    reason = re.search(r'<p class="reason">(.*?)</p>', row, re.S)
    return {"destination": text[1], "status": text[3], "reason": reason.group(1) if reason else ""}


def follow_run(web: WebClient, url: str) -> str:
    """Reload the exercise page until its run is finished (the page itself asks to refresh meanwhile)."""
    for _ in range(600):
        response = web.get(url)
        if response.headers.get("refresh") is None:
            return str(response.text)
        time.sleep(0.2)
    raise AssertionError("the run did not finish")


def create(web: WebClient, numbers: str, destinations: str = DESTINATIONS) -> Any:
    web.get("/placement/new")
    return web.post("/placement/new", {"title": "Autumn relocation", "case_numbers": numbers,
                                       "destinations": destinations, "score_source": "outcome-expected",
                                       "time_limit": "60"})


@pytest.mark.slow
def test_create_run_read_override_accept(a_web: WebClient, engine: Engine, orgs: TwoOrgs) -> None:
    ids = add_cases(engine, orgs.a_caseworker.actor, {"W-1": household("W-1", 2, needs=("single-parent",)),
                                                      "W-2": household("W-2", 1), "W-3": household("W-3", 3)})
    assert 'href="/placement"' in a_web.get("/").text  # in the navigation
    created = create(a_web, "W-1, W-2 W-3")
    assert created.status_code == 303, errors_of(created.text)
    url = created.headers["location"].split("?")[0]
    page = a_web.get(url).text
    assert "Autumn relocation" in page and "Not run yet." in page and "Hamburg" in page

    queued = a_web.post(f"{url}/run")
    assert queued.status_code == 303
    assert a_web.get(queued.headers["location"]).headers.get("refresh") in (f"3; url={url}", None)
    page = follow_run(a_web, url)
    assert 'id="run-status">solved' in page
    # Each case shows where it goes and why: runner-ups, the destination's constraints, and the safeguard
    # that keeps these Syrian households out of Aleppo.
    assert "Runner-up destinations" in page and "Constraints at the destination" in page
    assert "capacity of DEU-HH" in page and "Dual price" in page
    assert "Not allowed by the safeguards" in page and "non-refoulement.nationality" in page
    assert "Certified gap" in page and "outcome model" in page
    first = proposal(page, ids["W-2"])
    assert first["destination"].split()[0] in ("Hamburg", "Lyon") and first["status"] == "optimised"
    assert first["reason"].startswith("best placement for the exercise")
    target, name = ("FRA-LY", "Lyon") if first["destination"].startswith("Hamburg") else ("DEU-HH", "Hamburg")

    # Override W-2 into the other city with a reason; the re-run keeps it and names who did it.
    a_web.post(f"{url}/pin", {"case_id": str(ids["W-2"]), "destination": target, "reason": "aunt lives there"})
    assert a_web.post(f"{url}/run").status_code == 303
    page = follow_run(a_web, url)
    shown = proposal(page, ids["W-2"])
    assert shown["destination"].startswith(name) and shown["reason"] == "aunt lives there"
    assert shown["status"] == "override caseworker"

    # A pin into the case's own country is refused on the page, naming the rule; nothing is saved.
    refused = a_web.post(f"{url}/pin", {"case_id": str(ids["W-3"]), "destination": "SYR-AL", "reason": "asked"})
    assert refused.status_code == 409
    assert "non-refoulement.nationality" in refused.text and "Nothing has been saved." in refused.text
    # A pin without a reason is refused next to the form.
    missing = a_web.post(f"{url}/pin", {"case_id": str(ids["W-3"]), "destination": "FRA-LY", "reason": ""})
    assert missing.status_code == 422

    run_id = re.search(r'name="run_id" value="(\d+)"', page)
    assert run_id is not None
    accepted = a_web.post(f"{url}/accept", {"run_id": run_id.group(1), "reason": "panel"})
    assert accepted.status_code == 303
    with transaction(engine, write=False) as session:
        events = {e.case_id: e for e in session.scalars(select(CaseEvent).where(
            CaseEvent.kind == "placement.accepted"))}
        assert events[ids["W-2"]].data["destination"] == target and events[ids["W-2"]].reason == "panel"
    case_page = a_web.get(f"/cases/{ids['W-2']}").text
    assert "placement.accepted" in case_page or "Placement accepted" in case_page


def test_bad_destinations_are_named_by_row_and_column(a_web: WebClient, engine: Engine, orgs: TwoOrgs) -> None:
    add_cases(engine, orgs.a_caseworker.actor, {"V-1": household("V-1", 1)})
    bad = ("code,name,country,capacity\nDEU-HH,Hamburg,DEU,5\nFRA-LY,Lyon,FRA,-1\nITA-RM,Rome,XYZ,3\n"
           "DEU-HH,Hamburg again,DEU,1\n")
    answer = create(a_web, "V-1 V-404", bad)
    assert answer.status_code == 422
    messages = errors_of(answer.text)
    assert any("V-404" in m for m in messages)
    answer = create(a_web, "V-1", bad)
    messages = errors_of(answer.text)
    assert any(m.startswith("row 3, column capacity") for m in messages), messages
    assert any(m.startswith("row 4, column country") and "XYZ" in m for m in messages), messages
    answer = create(a_web, "V-1", "code,name,country,capacity\nDEU-HH,Hamburg,DEU,5\nDEU-HH,Again,DEU,1\n")
    assert any("listed twice" in m for m in errors_of(answer.text)), errors_of(answer.text)
    assert "Nothing has been saved." in answer.text
    assert "Autumn relocation" not in a_web.get("/placement").text


def test_another_organisation_gets_not_found(a_web: WebClient, b_web: WebClient, engine: Engine,
                                             orgs: TwoOrgs) -> None:
    add_cases(engine, orgs.a_caseworker.actor, {"SECRET-9": household("SECRET-9", 1)})
    url = create(a_web, "SECRET-9").headers["location"].split("?")[0]
    assert b_web.get(url).status_code == 404
    b_web.get("/placement")
    for action in ("run", "pin", "release", "accept"):
        answer = b_web.post(f"{url}/{action}", {"case_id": "1", "destination": "FRA-LY", "reason": "x", "run_id": "1"})
        assert answer.status_code == 404, action
        assert "SECRET-9" not in answer.text
    assert "Autumn relocation" not in b_web.get("/placement").text
    # Nor can B build an exercise from A's case numbers.
    answer = create(b_web, "SECRET-9")
    assert answer.status_code == 422 and any("SECRET-9 not found" in m for m in errors_of(answer.text))


def test_a_viewer_reads_but_has_no_buttons(a_web: WebClient, engine: Engine, orgs: TwoOrgs) -> None:
    add_cases(engine, orgs.a_caseworker.actor, {"R-1": household("R-1", 1)})
    url = create(a_web, "R-1").headers["location"].split("?")[0]
    assert "Run optimiser" in a_web.get(url).text
    a_web.client.cookies.clear()
    a_web.login(orgs.a_viewer.email)
    page = a_web.get(url)
    assert page.status_code == 200 and "Autumn relocation" in page.text and "Run optimiser" not in page.text
    assert a_web.post(f"{url}/run").status_code == 403


@pytest.mark.browser
@pytest.mark.slow
def test_a_coordinator_runs_an_exercise_in_the_browser_and_reads_why(
        live_url: str, engine: Engine, orgs: TwoOrgs, browser_context: Any, traffic: Traffic) -> None:
    add_cases(engine, orgs.a_caseworker.actor, {"B-1": household("B-1", 2), "B-2": household("B-2", 1),
                                                "B-3": household("B-3", 4)})
    page = browser_context.new_page()
    browser_login(page, live_url, orgs.a_caseworker.email)
    page.get_by_role("link", name="Placement", exact=True).click()
    page.get_by_role("link", name="New exercise").click()
    page.get_by_label("Title").fill("Browser exercise")
    page.get_by_label("Case numbers").fill("B-1 B-2 B-3")
    page.get_by_label("Destinations (CSV with a header row)").fill(DESTINATIONS)
    page.get_by_role("button", name="Create exercise").click()
    assert "The exercise is created" in page.locator(".notice").inner_text()

    page.get_by_role("button", name="Run optimiser").click()
    # The page refreshes itself while the run is queued or running, then shows the proposals.
    page.wait_for_selector("#run-status:has-text('solved')", timeout=240_000)
    table = page.locator("table.proposals")
    assert table.locator(":scope > tbody > tr").count() == 3
    first = table.locator(":scope > tbody > tr").first
    first.get_by_text("Explanation").click()
    assert first.get_by_role("heading", name="Runner-up destinations").is_visible()
    assert first.get_by_role("heading", name="Constraints at the destination").is_visible()
    assert "non-refoulement.nationality" in first.inner_text()
    assert "Aleppo" not in " ".join(table.locator(":scope > tbody > tr > td:nth-child(3)").all_inner_texts())

    # Override the first case with a reason; the next run keeps it and says who and why.
    first.get_by_text("Pin, override or accept").click()
    first.get_by_label("Destination").select_option("FRA-LY")
    first.get_by_label("Reason").first.fill("relatives in Lyon")
    first.get_by_role("button", name="Fix here").click()
    assert "fixed at that destination" in page.locator(".notice").inner_text()
    page.get_by_role("button", name="Run optimiser").click()
    page.wait_for_selector("#run-status:has-text('solved')", timeout=240_000)
    first = page.locator("table.proposals > tbody > tr").first
    assert "Lyon" in first.inner_text() and "relatives in Lyon" in first.inner_text()
    screenshot(page, "placement-exercise")
    assert traffic.outside == []
