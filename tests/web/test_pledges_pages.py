"""The pledges and appeals pages over HTTP and in real Chromium: coverage and gaps are the service's, pledges are
recorded and changed through forms, refusals name the lifecycle rule and save nothing, and another organisation
reads pledges (they are public) but cannot change them or see who at the recording organisation acted."""

from __future__ import annotations

import csv
import html
import io
import re
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from asylon.db.engine import transaction
from asylon.db.models import PledgeEventRow, PledgeRow
from asylon.schemas.accounts import SituationCreate
from asylon.schemas.pledges import AppealCreate, PledgeChange, PledgeCreate
from asylon.services import funding, pledges, situations
from tests.support.world import TwoOrgs
from tests.web.conftest import Traffic, WebClient, browser_login, screenshot

pytestmark = pytest.mark.db


def seed(engine: Engine, orgs: TwoOrgs) -> None:
    """Two situations with appeals by sector; pledges by both organisations in several lifecycle states."""
    a, b = orgs.a_caseworker.actor, orgs.b_caseworker.actor
    with transaction(engine) as session:
        for code, name in (("SYR-RRP", "Syria regional response"), ("SDN-RRP", "Sudan regional response")):
            situations.create_situation(session, actor=orgs.a_admin.actor, data=SituationCreate(code=code, name=name))
        funding.create_appeal(session, actor=orgs.a_admin.actor, data=AppealCreate.model_validate({
            "code": "SYR-3RP-2025", "situation": "SYR-RRP", "name": "3RP 2025", "year": 2025,
            "requirements": [{"sector": "Health", "amount_usd": "5000000"},
                             {"sector": "Education", "amount_usd": "3000000"},
                             {"sector": "Protection", "amount_usd": "2000000"}]}))
        funding.create_appeal(session, actor=orgs.a_admin.actor, data=AppealCreate.model_validate({
            "code": "SDN-RRP-2025", "situation": "SDN-RRP", "name": "Sudan RRP 2025", "year": 2025,
            "requirements": [{"sector": "Shelter", "amount_usd": "4000000"}]}))

        def create(actor: Any, reference: str, pledgers: list[str], amount: str, situation: str, sector: str) -> None:
            pledges.create_pledge(session, actor=actor, data=PledgeCreate.model_validate({
                "reference": reference, "type": "financial", "pledgers": pledgers, "unit": "USD", "amount": amount,
                "situation": situation, "sector": sector}))

        def change(actor: Any, reference: str, kind: str, amount: str) -> None:
            pledges.change_pledge(session, actor=actor, data=PledgeChange(
                reference=reference, kind=kind, amount=Decimal(amount)))  # type: ignore[arg-type]

        create(a, "A-HEALTH", ["agency-a"], "2500000", "SYR-RRP", "Health")
        change(a, "A-HEALTH", "commit", "2000000")
        change(a, "A-HEALTH", "pay", "1500000")
        create(a, "A-EDU", ["agency-a", "Donor outside the platform"], "1000000", "SYR-RRP", "Education")
        create(b, "B-SHELTER", ["state-b"], "3000000", "SDN-RRP", "Shelter")
        change(b, "B-SHELTER", "commit", "3000000")
        change(b, "B-SHELTER", "pay", "3000000")


def events_of(engine: Engine, reference: str) -> int:
    with transaction(engine, write=False) as session:
        return session.scalar(select(func.count(PledgeEventRow.id)).join(PledgeRow)
                              .where(PledgeRow.reference == reference)) or 0


def text_of(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def coverage_table(page: str, situation: str) -> dict[str, list[str]]:
    block = re.search(rf'<div class="coverage-situation" id="coverage-{situation}">.*?</table>', page, re.S)
    assert block, f"no coverage for {situation}"
    rows = {}
    for body in re.findall(r"<tr[^>]*>(.*?)</tr>", block.group(0), re.S)[1:]:
        cells = [text_of(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", body, re.S)]
        rows[cells[0]] = cells[1:]
    return rows


def test_coverage_and_gaps_per_situation_and_sector(a_web: WebClient, engine: Engine, orgs: TwoOrgs) -> None:
    seed(engine, orgs)
    page = a_web.get("/pledges")
    assert page.status_code == 200
    with transaction(engine, write=False) as session:
        expected = funding.funding_coverage(session, actor=orgs.a_viewer.actor)
    syria = coverage_table(page.text, "SYR-RRP")
    # Sector: required, funded (committed or paid), of which paid, pledged not committed, gap, covered.
    assert syria["Health"] == ["5,000,000", "2,000,000", "1,500,000", "500,000", "3,000,000", "40%"]
    assert syria["Education"] == ["3,000,000", "0", "0", "1,000,000", "3,000,000", "0%"]
    assert syria["Protection"][4] == "2,000,000"
    assert syria["Total"] == ["10,000,000", "2,000,000", "1,500,000", "1,500,000", "8,000,000", "20%"]
    for row in expected:
        if row.situation == "SYR-RRP" and row.sector:
            assert syria[row.sector][4] == f"{row.gap:,.0f}"
    assert coverage_table(page.text, "SDN-RRP")["Shelter"][-1] == "75%"
    # The chart draws requirement and funding per sector, with a text alternative; funding is to scale.
    chart = re.search(r'id="coverage-SYR-RRP">.*?(<svg class="pairs".*?</svg>)', page.text, re.S)
    assert chart
    svg = chart.group(1)
    assert re.search(r'role="img"[^>]*aria-label="Required and funded per sector, situation SYR-RRP"', svg)
    widths = {key: dict(re.findall(r'<rect class="(first|second)"[^>]*width="([\d.]+)"', body))
              for key, body in re.findall(r'<g class="pair" data-key="(\w+)">(.*?)</g>', svg)}
    assert set(widths) == {"Education", "Health", "Protection"}
    assert float(widths["Health"]["second"]) == pytest.approx(float(widths["Health"]["first"]) * 0.4, abs=0.2)
    assert float(widths["Health"]["first"]) > float(widths["Education"]["first"]) > float(widths["Protection"]["first"])
    assert "second" not in widths["Education"]  # nothing funded, so no funding bar
    # Appeals with their requirements by sector, pledges with their lifecycle state.
    appeals = text_of(page.text[page.text.index('id="appeals"'):page.text.index('id="pledge-list"')])
    assert "SYR-3RP-2025 3RP 2025" in appeals and "Health: 5,000,000" in appeals and "Agency A" in appeals
    listed = dict(re.findall(r'<tr data-reference="([\w-]+)">.*?<span class="status status-(\w+)">', page.text, re.S))
    assert listed == {"A-EDU": "pledged", "A-HEALTH": "partly_paid", "B-SHELTER": "paid"}


def test_filters_and_the_csv_list(a_web: WebClient, engine: Engine, orgs: TwoOrgs) -> None:
    seed(engine, orgs)
    page = a_web.get("/pledges?situation=SDN-RRP").text
    assert 'id="coverage-SDN-RRP"' in page and 'id="coverage-SYR-RRP"' not in page
    assert re.findall(r'<tr data-reference="([\w-]+)">', page) == ["B-SHELTER"]
    assert re.findall(r'<tr data-reference="([\w-]+)">', a_web.get("/pledges?status=partly_paid").text) == ["A-HEALTH"]
    bad = a_web.get("/pledges?situation=NOWHERE&status=lost")
    assert bad.status_code == 422
    assert "unknown situation 'NOWHERE'" in text_of(bad.text) and "unknown status 'lost'" in text_of(bad.text)
    response = a_web.get("/pledges.csv?situation=SYR-RRP")
    assert response.headers["content-type"].startswith("text/csv")
    records = {r["reference"]: r for r in csv.DictReader(io.StringIO(response.text))}
    assert set(records) == {"A-HEALTH", "A-EDU"}
    assert records["A-HEALTH"]["paid"] == "1500000" and records["A-HEALTH"]["status"] == "partly_paid"
    assert records["A-EDU"]["pledgers"] == "Agency A; Donor outside the platform"


def test_record_a_pledge_through_the_form(a_web: WebClient, engine: Engine, orgs: TwoOrgs) -> None:
    seed(engine, orgs)
    form = a_web.get("/pledges/new")
    assert form.status_code == 200 and 'value="agency-a"' in form.text  # one's own organisation, filled in
    response = a_web.post("/pledges/new", {
        "reference": "GRF-2025-0042", "type": "financial", "pledgers": "agency-a; Generous Foundation",
        "amount": "250,000", "unit": "eur", "usd_rate": "1.08", "situation": "SYR-RRP", "sector": "Protection",
        "country": "deu", "year": "2025", "title": "Legal aid"})
    assert response.status_code == 303
    assert response.headers["location"] == "/pledges/pledge?reference=GRF-2025-0042&done=pledge"
    page = a_web.get(response.headers["location"]).text
    assert "the change is recorded" in page and 'id="pledge-status">pledged<' in page
    assert re.search(r'id="amount-pledged">250,000<', page)
    with transaction(engine, write=False) as session:
        view = pledges.get_pledge(session, actor=orgs.a_viewer.actor, reference="GRF-2025-0042")
    assert view.row.unit == "EUR" and view.row.country == "DEU" and view.state.pledged == Decimal(250000)
    assert [p.name for p in view.row.parties] == ["Agency A", "Generous Foundation"]
    assert [e.source for e in view.row.events] == ["web"]


@pytest.mark.parametrize(("change", "field", "words"), [
    ({"amount": "lots"}, "amount", ("decimal",)),
    ({"reference": "A-HEALTH"}, "reference", ("already exists",)),
    ({"pledgers": "state-b"}, "pledgers", ("'state-b'", "records its own pledges", "'agency-a'")),
    ({"sector": "Space"}, "sector", ("unknown sector 'Space'", "Education, Health, Protection")),
    ({"unit": "EUR"}, "usd_rate", ("needs its USD rate", "1.08")),
    ({"pledgers": ""}, "pledgers", ("required",)),
])
def test_pledge_form_errors_name_the_field_and_save_nothing(a_web: WebClient, engine: Engine, orgs: TwoOrgs,
                                                            change: dict[str, str], field: str,
                                                            words: tuple[str, ...]) -> None:
    seed(engine, orgs)
    a_web.get("/pledges/new")
    body = {"reference": "NEW-1", "type": "financial", "pledgers": "agency-a", "amount": "1000", "unit": "USD",
            "situation": "SYR-RRP", **change}
    response = a_web.post("/pledges/new", body)
    assert response.status_code == 422
    found = re.search(rf'<p class="error-message" id="{field}-error">(.*?)</p>', response.text, re.S)
    assert found, (field, text_of(response.text[:4000]))
    for word in words:
        assert word in text_of(found.group(1)), (word, found.group(1))
    assert "Nothing has been saved." in response.text
    assert f'value="{html.escape(body["reference"])}"' in response.text  # what was typed is kept
    assert events_of(engine, "NEW-1") == 0


def test_lifecycle_changes_and_refusals_naming_the_rule(a_web: WebClient, engine: Engine, orgs: TwoOrgs) -> None:
    seed(engine, orgs)
    url = "/pledges/pledge?reference=A-EDU"
    page = a_web.get(url).text
    assert 'id="form-commit"' in page and 'id="form-pay"' not in page  # only what the lifecycle allows now
    # Paying before anything is committed is refused by name.
    refused = a_web.post("/pledges/pledge", {"reference": "A-EDU", "kind": "pay", "pay-amount": "10"})
    assert refused.status_code == 409
    assert "pledge.payment-before-commitment" in refused.text
    assert events_of(engine, "A-EDU") == 1
    ok = a_web.post("/pledges/pledge", {"reference": "A-EDU", "kind": "commit", "commit-amount": "600000",
                                        "commit-note": "signed"})
    assert ok.status_code == 303 and ok.headers["location"].endswith("done=commit")
    # A payment larger than the commitment: the pay form says so, names the rule, keeps the amount, saves nothing.
    a_web.get(url)
    refused = a_web.post("/pledges/pledge", {"reference": "A-EDU", "kind": "pay", "pay-amount": "700000"})
    assert refused.status_code == 409
    form = re.search(r'<form [^>]*id="form-pay".*?</form>', refused.text, re.S)
    assert form, "the refusal is not on the pay form"
    said = text_of(form.group(0))
    assert "Rule: pledge.payment-exceeds-commitment" in said
    assert "700000 would make 700000 USD paid against 600000 committed" in said
    assert "record an adjustment raising the commitment first" in said and "Nothing has been saved." in said
    assert 'value="700000"' in form.group(0)
    assert events_of(engine, "A-EDU") == 2
    # An adjustment without a reason is refused too; with one, the payment then goes through.
    refused = a_web.post("/pledges/pledge", {"reference": "A-EDU", "kind": "adjust", "adjust-amount": "700000"})
    assert "pledge.adjust-needs-reason" in refused.text and events_of(engine, "A-EDU") == 2
    for data in ({"kind": "adjust", "adjust-amount": "700000", "adjust-note": "second tranche approved"},
                 {"kind": "pay", "pay-amount": "700000"}):
        assert a_web.post("/pledges/pledge", {"reference": "A-EDU", **data}).status_code == 303
    page = a_web.get(url).text
    assert 'id="pledge-status">paid<' in page and 'id="amount-paid">700,000<' in page
    history = text_of(page[page.index('id="history"'):])
    assert "Adjusted 700,000 USD (committed)" in history and "second tranche approved" in history
    # A bad amount is a field error on its form.
    bad = a_web.post("/pledges/pledge", {"reference": "A-EDU", "kind": "adjust", "adjust-amount": "-3",
                                         "adjust-note": "x"})
    assert bad.status_code == 422 and 'id="adjust-amount-error"' in bad.text


def test_other_organisations_read_pledges_but_change_none(a_web: WebClient, b_web: WebClient, engine: Engine,
                                                          orgs: TwoOrgs) -> None:
    seed(engine, orgs)
    # Pledges are public: B sees A's pledge and its amounts ...
    page = b_web.get("/pledges/pledge?reference=A-HEALTH").text
    assert 'id="amount-paid">1,500,000<' in page
    # ... and who recorded each change by organisation, but not the address of the person at A.
    assert "Agency A" in page and "caseworker@a.example" not in page
    assert "caseworker@a.example" in a_web.get("/pledges/pledge?reference=A-HEALTH").text
    # No change form for B; a change sent anyway is refused and leaves no trace.
    assert 'id="form-pay"' not in page and "recorded by the organisation that recorded it" in page
    before = events_of(engine, "A-HEALTH")
    refused = b_web.post("/pledges/pledge", {"reference": "A-HEALTH", "kind": "pay", "pay-amount": "1"})
    assert refused.status_code == 403 and "can be changed only by its recording organisation" in refused.text
    assert events_of(engine, "A-HEALTH") == before
    # B changes its own pledge; A cannot.
    assert 'id="form-' not in a_web.get("/pledges/pledge?reference=B-SHELTER").text
    assert 'id="form-progress"' in b_web.get("/pledges/pledge?reference=B-SHELTER").text
    a_web.get("/pledges/pledge?reference=B-SHELTER")
    assert a_web.post("/pledges/pledge", {"reference": "B-SHELTER", "kind": "progress",
                                          "progress-note": "not ours"}).status_code == 403
    # B cannot record a pledge in A's name alone.
    b_web.get("/pledges/new")
    response = b_web.post("/pledges/new", {"reference": "IN-A-NAME", "type": "financial", "pledgers": "agency-a",
                                           "amount": "5", "unit": "USD"})
    assert response.status_code == 422
    assert "'agency-a' is an organisation on the platform" in text_of(response.text)


def test_viewers_read_and_do_not_get_forms(web: WebClient, engine: Engine, orgs: TwoOrgs) -> None:
    seed(engine, orgs)
    web.login(orgs.a_viewer.email)
    page = web.get("/pledges").text
    assert "A-HEALTH" in page and 'href="/pledges/new"' not in page
    assert 'id="form-' not in web.get("/pledges/pledge?reference=A-HEALTH").text
    assert web.get("/pledges/new").status_code == 403


def test_addresses_without_a_pledge(a_web: WebClient) -> None:
    missing = a_web.get("/pledges/pledge?reference=NOPE", follow_redirects=False)
    assert missing.status_code == 404 and "pledge NOPE not found" in missing.text
    empty = a_web.get("/pledges/pledge", follow_redirects=False)
    assert empty.status_code == 303 and empty.headers["location"] == "/pledges"
    assert "No appeal or financial pledge is recorded" in a_web.get("/pledges").text


# ---------------------------------------------------------------- in the browser


@pytest.mark.browser
@pytest.mark.slow
def test_pledges_page_shows_the_gap_chart_and_refuses_an_overpayment(live_url: str, engine: Engine, orgs: TwoOrgs,
                                                                     browser_context: Any, traffic: Traffic) -> None:
    seed(engine, orgs)
    page = browser_context.new_page()
    browser_login(page, live_url, orgs.a_caseworker.email)
    page.get_by_role("link", name="Pledges and appeals", exact=True).click()
    chart = page.locator("#coverage-SYR-RRP svg.pairs")
    assert chart.is_visible()
    assert chart.get_attribute("aria-label") == "Required and funded per sector, situation SYR-RRP"
    health = chart.locator('g.pair[data-key="Health"]')
    required = health.locator("rect.first").bounding_box()
    funded = health.locator("rect.second").bounding_box()
    assert required is not None and funded is not None
    assert funded["width"] == pytest.approx(required["width"] * 0.4, rel=0.02)  # 2 of 5 million funded
    assert chart.locator('g.pair[data-key="Education"] rect.second').count() == 0
    screenshot(page, "pledges-desktop")

    # Filter to one situation through the form.
    page.get_by_label("Situation", exact=True).select_option("SDN-RRP")
    page.get_by_role("button", name="Show").click()
    assert page.locator("#coverage-SDN-RRP svg.pairs").is_visible()
    assert page.locator("#coverage-SYR-RRP").count() == 0

    # Record a pledge, commit it, then try to pay more than the commitment.
    page.get_by_role("link", name="Record a pledge").click()
    page.get_by_label("Reference").fill("WEB-7")
    page.get_by_label("Amount pledged").fill("400000")
    page.get_by_label("Situation", exact=True).select_option("SDN-RRP")
    page.get_by_label("Sector").fill("Shelter")
    page.get_by_role("button", name="Record the pledge").click()
    assert "the change is recorded" in page.locator(".notice").inner_text()
    page.locator("#commit-amount").fill("300000")
    page.locator("#form-commit").get_by_role("button").click()
    assert page.locator("#pledge-status").inner_text() == "committed"
    page.locator("#pay-amount").fill("350000")
    page.locator("#form-pay").get_by_role("button").click()
    refusal = page.locator("#form-pay .refusal")
    assert refusal.is_visible()
    assert "pledge.payment-exceeds-commitment" in refusal.inner_text()
    page.wait_for_load_state("load")
    assert page.evaluate("document.activeElement.id") == "refusal"  # focus moves to what went wrong
    assert page.locator("#pay-amount").input_value() == "350000"
    assert events_of(engine, "WEB-7") == 2
    screenshot(page, "pledge-refused-desktop")
    page.locator("#pay-amount").fill("300000")
    page.locator("#form-pay").get_by_role("button").click()
    assert page.locator("#pledge-status").inner_text() == "paid"

    # The gap chart now counts it: Shelter funded 300,000 of 4,000,000 required.
    page.goto(live_url + "/pledges?situation=SDN-RRP")
    row = page.locator('#coverage-SDN-RRP tr[data-sector="Shelter"] td')
    assert row.nth(1).inner_text() == "3,300,000" and row.nth(4).inner_text() == "700,000"
    # Every field has a label and every page one heading; on a phone nothing scrolls sideways.
    for path in ("/pledges", "/pledges/new", "/pledges/pledge?reference=WEB-7", "/fairshare"):
        page.goto(live_url + path)
        assert page.evaluate(UNLABELLED) == [], path
        assert page.locator("h1").count() == 1, path
    page.set_viewport_size({"width": 390, "height": 844})
    for path in ("/pledges", "/pledges/pledge?reference=WEB-7", "/pledges/new"):
        page.goto(live_url + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} scrolls sideways on a phone ({width}px)"
    page.goto(live_url + "/pledges")
    screenshot(page, "pledges-phone")
    assert traffic.outside == []


UNLABELLED = """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
    .filter(el => el.labels.length === 0 && !el.getAttribute('aria-label'))
    .map(el => el.name || el.id)"""
