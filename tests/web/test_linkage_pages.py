"""Linkage pages: start a run, review pairs side by side with each comparison's weight, accept (merge),
split out again — over HTTP with forms, and end to end in real headless Chromium."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import Engine, select

from asylon.db.engine import transaction
from asylon.db.models import Person
from asylon.services import registry
from tests.support.linkage import duplicated_register
from tests.support.world import TwoOrgs
from tests.web.conftest import Traffic, WebClient, browser_login, screenshot

pytestmark = [pytest.mark.db, pytest.mark.slow]


def _snapshots(engine: Engine) -> dict[int, dict[str, Any]]:
    with transaction(engine, write=False) as session:
        return {p.id: registry.person_snapshot(p) for p in session.scalars(select(Person))}


def test_review_accept_and_split_out_with_forms(a_web: WebClient, b_web: WebClient, orgs: TwoOrgs,
                                                engine: Engine) -> None:
    duplicated_register(engine, orgs.a_caseworker.actor, people=60)
    before = _snapshots(engine)
    page = a_web.get("/linkage")
    assert page.status_code == 200 and "Start the run" in page.text
    started = a_web.post("/linkage/runs", {"target": "dedupe", "threshold": "0.95", "review_from": "0.5"})
    assert started.status_code == 303
    run_url = started.headers["location"]
    run = a_web.get(run_url)  # the run has finished by now: the test client waits for the work after the answer
    assert 'id="run-status">done<' in run.text
    assert "What the model learnt" in run.text and "same name, other spelling or script" in run.text

    review = a_web.get("/linkage/review")
    assert review.status_code == 200
    first = re.search(r'name="pair_id" value="(\d+)"', review.text)
    assert first, review.text
    pair_id = first.group(1)
    for label in ("Given name", "Family name", "Date of birth", "Sex", "Nationality", "Household", "Prior (any two records)"):
        assert f">{label}<" in review.text
    no_reason = a_web.post("/linkage/review/decisions", {"pair_id": pair_id, "decision": "accept", "reason": ""})
    assert no_reason.status_code == 422 and "Give a reason" in no_reason.text
    accepted = a_web.post("/linkage/review/decisions",
                          {"pair_id": pair_id, "decision": "accept", "reason": "same date and household"})
    assert accepted.status_code == 303 and accepted.headers["location"].startswith("/linkage/merges?done=merged")
    merges = a_web.get("/linkage/merges?done=merged")
    assert "now one merged person" in merges.text and "same date and household" in merges.text
    members = re.findall(r'name="member_id" value="(\d+)"', merges.text)
    merged_id = re.search(r'name="merged_person_id" value="(\d+)"', merges.text)
    assert len(members) == 2 and merged_id

    # Another organisation sees none of it.
    assert b_web.get(run_url).status_code == 404
    assert pair_id not in re.findall(r'name="pair_id" value="(\d+)"', b_web.get("/linkage/review").text)
    assert "No merged person yet" in b_web.get("/linkage/merges").text
    assert b_web.post("/linkage/unmerges", {"merged_person_id": merged_id.group(1), "member_id": members[1],
                                            "reason": "x"}).status_code == 422

    split = a_web.post("/linkage/unmerges", {"merged_person_id": merged_id.group(1), "member_id": members[1],
                                             "reason": "twins"})
    assert split.status_code == 303
    assert "No merged person yet" in a_web.get("/linkage/merges").text
    assert _snapshots(engine) == before


@pytest.mark.browser
def test_caseworker_reviews_accepts_and_unmerges_in_a_browser(live_url: str, engine: Engine, orgs: TwoOrgs,
                                                              browser_context: Any, traffic: Traffic) -> None:
    duplicated_register(engine, orgs.a_caseworker.actor, people=60)
    before = _snapshots(engine)
    page = browser_context.new_page()
    browser_login(page, live_url, orgs.a_caseworker.email)
    page.get_by_role("link", name="Duplicates", exact=True).click()
    page.get_by_label("Compare").select_option("dedupe")
    page.get_by_role("button", name="Start the run").click()
    # The run works after the answer; its page refreshes itself until it is done.
    page.wait_for_selector("#run-status:text-is('done')", timeout=120_000)
    page.get_by_role("link", name=re.compile(r"^Review \d+ pairs$")).click()

    pair = page.locator("section.pair").first
    title = pair.locator("h2").inner_text()
    assert "match probability" in title
    table = pair.locator("table.comparison")
    assert table.locator("th[scope=row]").all_inner_texts()[:4] == ["Prior (any two records)", "Given name",
                                                                    "Family name", "Date of birth"]
    left_name = table.locator("tbody tr").nth(1).locator("td").nth(0).inner_text()
    screenshot(page, "linkage-review")
    pair.get_by_label(re.compile(r"^Reason for pair \d+$")).fill("same date of birth and household")
    pair.get_by_role("button", name="Accept: same person").click()

    assert "now one merged person" in page.locator(".notice").inner_text()
    merged = page.locator("section.merged").first
    assert merged.locator("tbody tr").count() == 3  # the merged view and the two records
    assert left_name in merged.inner_text()
    assert "same date of birth and household" in merged.locator(".timeline").inner_text()
    screenshot(page, "linkage-merged")
    merged.locator("tbody tr").nth(2).get_by_placeholder("Reason").fill("twins, not one person")
    merged.locator("tbody tr").nth(2).get_by_role("button", name="Split out").click()
    assert "split out, exactly as it was registered" in page.locator(".notice").inner_text()
    assert page.locator("section.merged").count() == 0
    assert _snapshots(engine) == before
    assert traffic.seen and not traffic.outside
