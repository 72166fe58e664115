"""The fair-share page over HTTP and in real Chromium: what it computes is what the service computes, the
inputs live in the address, the CSV is the table shown, bad input is named on its field, and the bars and the
map follow the form."""

from __future__ import annotations

import csv
import html
import io
import re
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import Engine

from asylon.data import facts
from asylon.db.engine import transaction
from asylon.schemas.pledges import PledgeChange, PledgeCreate
from asylon.services import fairshare, pledges
from asylon.web.i18n import LANG_COOKIE
from asylon.web.views.fairshare import EU27, EU_PLUS
from tests.support.world import TwoOrgs
from tests.web.conftest import Traffic, WebClient, browser_login, screenshot

pytestmark = pytest.mark.db

EU_TOTAL = 120_000


def table_rows(page: str) -> dict[str, list[str]]:
    """State code -> the text of each cell of the quotas table, in column order."""
    table = re.search(r'<table class="fairshare">.*?</table>', page, re.S)
    assert table, "the page has no quotas table"
    rows = {}
    for code, body in re.findall(r'<tr data-iso="([A-Z]{3})">(.*?)</tr>', table.group(0), re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", body, re.S)
        rows[code] = [html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in cells]
    return rows


def field_errors(page: str) -> dict[str, str]:
    found = re.findall(r'<p class="error-message" id="([\w-]+)-error">(.*?)</p>', page, re.S)
    # The visually hidden "Error:" prefix is for screen readers.
    return {name: html.unescape(re.sub(r"<[^>]+>", "", text)).strip().removeprefix("Error:").strip()
            for name, text in found}


def chart_keys(page: str) -> list[str]:
    chart = re.search(r'<svg class="pairs".*?</svg>', page, re.S)
    assert chart, "the page has no bar chart"
    return re.findall(r'<g class="pair" data-key="([A-Z]{3})">', chart.group(0))


def map_ratios(page: str) -> dict[str, str | None]:
    drawn = re.search(r'<svg class="map ratio-map".*?</svg>', page, re.S)
    assert drawn, "the page has no ratio map"
    return {code: ratio or None for code, ratio in
            re.findall(r'<path [^>]*data-iso="([A-Z]{3})"(?: data-ratio="([\d.]+)")?', drawn.group(0))}


def test_default_view_is_the_2015_key_for_the_eu_and_matches_the_service(a_web: WebClient, orgs: TwoOrgs,
                                                                          engine: Engine) -> None:
    page = a_web.get("/fairshare")
    assert page.status_code == 200
    rows = table_rows(page.text)
    assert set(rows) == set(EU27)
    expected = fairshare.allocation(key="ec-2015-relocation", total=EU_TOTAL, states=list(EU27), year=2023)
    allocated = {code: int(cells[3].replace(",", "")) for code, cells in rows.items()}
    assert allocated == expected.allocation.as_dict()
    assert sum(allocated.values()) == EU_TOTAL
    with transaction(engine, write=False) as session:
        effort, _ = fairshare.effort(session, actor=orgs.a_viewer.actor, key="ec-2015-relocation",
                                     states=list(EU27), year=2023)
    ratios = {r.state: r.ratio["refugees_hosted"] for r in effort}
    # Germany hosts far more than its key share and Italy far less (UNHCR end-2023 figures).
    assert float(rows["DEU"][6]) == pytest.approx(ratios["DEU"], abs=0.005) and ratios["DEU"] > 1.2
    assert float(rows["ITA"][6]) == pytest.approx(ratios["ITA"], abs=0.005) and ratios["ITA"] < 0.5
    # The table is sorted by ratio, highest first; the chart too, and the map shades every state it can draw.
    shown = [float(cells[6]) for cells in rows.values()]
    assert shown == sorted(shown, reverse=True)
    keys = chart_keys(page.text)
    assert keys == sorted(ratios, key=lambda c: -(ratios[c] or 0))
    on_map = map_ratios(page.text)
    assert set(on_map) == set(EU27) - {"MLT"}  # Malta is below the map's resolution; the table has it
    assert float(on_map["DEU"] or 0) == pytest.approx(ratios["DEU"], abs=1e-4)
    # Every chart has a text alternative; the sources of the figures and of the key are under the plots.
    assert re.search(r'<svg class="pairs"[^>]*role="img"[^>]*aria-label="[^"]{20,}"', page.text)
    assert re.search(r'<svg class="map ratio-map"[^>]*role="img"[^>]*aria-label="[^"]{20,}"', page.text)
    sources = page.text[page.text.index('id="fs-sources"'):]
    for code in ("UNHCR-PSD", "WB-WDI:SP.POP.TOTL", "WB-WDI:NY.GDP.MKTP.CD", "WB-WDI:SL.UEM.TOTL.ZS"):
        assert code in sources, code
    assert "COM(2015) 450" in sources and "Natural Earth" in sources


def test_the_inputs_are_kept_in_the_address_and_the_csv_is_the_table(a_web: WebClient) -> None:
    query = "key=dublin-2016&year=2022&total=1000&states=DEU,FRA,ITA,ESP,POL&method=dhondt&sort=name"
    page = a_web.get(f"/fairshare?{query}").text
    rows = table_rows(page)
    assert list(rows) == sorted(rows, key=lambda c: rows[c][0])  # sorted by name, as asked
    expected = fairshare.quotas(key="dublin-2016", total=1000, states="DEU,FRA,ITA,ESP,POL", year=2022,
                                method="dhondt")
    assert {c: int(cells[3]) for c, cells in rows.items()} == expected
    # The form shows what was chosen, and both links carry every choice.
    assert re.search(r'<option value="dublin-2016"\s+selected>', page)
    assert re.search(r'<option value="dhondt"\s+selected>', page)
    assert 'id="year" name="year" type="text" value="2022"' in page
    share = html.unescape(re.search(r'href="([^"]+)" id="share-link"', page).group(1))  # type: ignore[union-attr]
    chosen = parse_qs(urlsplit(share).query)
    assert chosen["key"] == ["dublin-2016"] and chosen["year"] == ["2022"] and chosen["total"] == ["1000"]
    assert chosen["method"] == ["dhondt"] and chosen["states"] == ["DEU,FRA,ITA,ESP,POL"]
    assert "w_population" not in chosen  # the custom weights travel only with the custom key
    assert table_rows(a_web.get(share).text) == rows

    link = html.unescape(re.search(r'href="(/fairshare\.csv\?[^"]+)"', page).group(1))  # type: ignore[union-attr]
    response = a_web.get(link)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"] == 'attachment; filename="fairshare-dublin-2016-2022.csv"'
    records = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["iso3"] for r in records] == list(rows)
    assert {r["iso3"]: int(r["allocated"]) for r in records} == expected
    assert sum(int(r["allocated"]) for r in records) == 1000
    germany = next(r for r in records if r["iso3"] == "DEU")
    assert germany["population_source"] == "WB-WDI:SP.POP.TOTL 2022"
    assert float(germany["population"]) == facts.country_facts("DEU", 2022).value("population")
    assert float(germany["key_share"]) == pytest.approx(float(rows["DEU"][1].rstrip("%")) / 100, abs=5e-5)


@pytest.mark.parametrize(("query", "field", "words"), [
    ("states=DEU,XYZ", "states", ("'XYZ'", "ISO 3166 alpha-3")),
    ("key=dublin-2016&year=2024&states=DEU,FRA", "year", ("DEU, FRA", "no gdp_usd figure for 2024", "2023")),
    ("key=custom&w_population=0.5&w_gdp_usd=0.4", "weights", ("sum to 0.9, not 1", "divide each by their sum")),
    ("key=custom&w_population=-0.5&w_gdp_usd=1.5", "w_population", ("-0.5", "between 0 and 1")),
    ("key=custom&w_population=half", "w_population", ("'half' is not a number",)),
    ("total=-5", "total", ("-5", "0 or more")),
    ("total=many", "total", ("'many' is not a whole number",)),
    ("year=20x3", "year", ("'20x3'", "such as 2023")),
    ("key=eu-2099", "key", ("eu-2099",)),
    ("method=coin-toss", "method", ("coin-toss",)),
    ("states=", "states", ("no states given",)),
])
def test_bad_input_is_named_on_its_field_with_the_fix(a_web: WebClient, query: str, field: str,
                                                      words: tuple[str, ...]) -> None:
    for path in ("/fairshare", "/fairshare.csv"):
        response = a_web.get(f"{path}?{query}")
        assert response.status_code == 422, (path, response.status_code)
        assert response.headers["content-type"].startswith("text/html")
        errors = field_errors(response.text)
        assert field in errors, (query, errors)
        for word in words:
            assert word in errors[field], (word, errors[field])
        assert 'id="error-summary"' in response.text and f'href="#{field}"' in response.text
        assert "<table class=\"fairshare\">" not in response.text


def test_every_problem_is_reported_at_once(a_web: WebClient) -> None:
    errors = field_errors(a_web.get("/fairshare?total=-1&states=DEU,QQQ").text)
    assert "total" in errors and "'QQQ'" in errors["states"]


def test_a_year_without_data_can_use_the_latest_figures(a_web: WebClient) -> None:
    assert a_web.get("/fairshare?key=dublin-2016&year=2024&states=DEU,FRA").status_code == 422
    page = a_web.get("/fairshare?key=dublin-2016&year=2024&states=DEU,FRA&latest=1")
    assert page.status_code == 200
    assert set(table_rows(page.text)) == {"DEU", "FRA"}
    assert "WB-WDI:NY.GDP.MKTP.CD 2023" in page.text  # the year actually used is shown with the figure


def test_own_weights_make_the_key(a_web: WebClient) -> None:
    page = a_web.get("/fairshare?key=custom&w_population=1&w_gdp_usd=0&states=DEU,FRA,ITA&total=100000")
    assert page.status_code == 200
    rows = table_rows(page.text)
    population = {c: facts.country_facts(c, 2023).value("population") for c in rows}
    whole = sum(population.values())
    for code, cells in rows.items():
        assert float(cells[1].rstrip("%")) == pytest.approx(100 * population[code] / whole, abs=0.005)
    assert 'name="w_population"' in page.text and "w_population=1" in page.text


def test_groups_of_states(a_web: WebClient) -> None:
    # Liechtenstein has no World Bank GDP figure for 2023 yet: the page says so, and 2022 works.
    missing = field_errors(a_web.get("/fairshare?states=EU%2B&key=dublin-2016&year=2023").text)
    assert missing["year"].startswith("LIE: no gdp_usd figure for 2023") and "ask for 2022" in missing["year"]
    assert set(table_rows(a_web.get("/fairshare?states=EU%2B&key=dublin-2016&year=2022").text)) == set(EU_PLUS)
    every = a_web.get("/fairshare?states=ALL&key=pact-2024&total=30000")
    rows = table_rows(every.text)
    assert len(rows) > 150
    assert sum(int(cells[3].replace(",", "")) for cells in rows.values()) == 30_000
    # The chart keeps the 25 highest and 25 lowest ratios; the table has every state.
    assert len(chart_keys(every.text)) == 50 and f"{len(rows) - 50} states in between" in every.text
    africa = table_rows(a_web.get("/fairshare?states=UNHCR-WCA&key=dublin-2016").text)
    assert {"NGA", "SEN", "CMR"} <= set(africa) and "DEU" not in africa


def test_effort_in_resettlement_places_comes_from_pledges(a_web: WebClient, engine: Engine,
                                                          orgs: TwoOrgs) -> None:
    url = "/fairshare?key=dublin-2016&states=DEU,FRA,ITA&measure=resettlement_pledged"
    page = a_web.get(url).text
    assert "No figure of this effort is recorded for 2023" in page
    assert all(cells[6] == "–" for cells in table_rows(page).values())
    assert set(map_ratios(page).values()) == {None}  # shown as "no figure", never as 0
    for reference, state, places in (("RS-DEU", "DEU", "300"), ("RS-FRA", "FRA", "100")):
        with transaction(engine) as session:
            pledges.create_pledge(session, actor=orgs.b_caseworker.actor, data=PledgeCreate.model_validate({
                "reference": reference, "type": "resettlement_places", "pledgers": ["state-b"],
                "unit": "places", "amount": places, "country": state, "year": 2023}))
    page = a_web.get(url).text
    rows = table_rows(page)
    assert rows["DEU"][4] == "300" and rows["FRA"][4] == "100" and rows["ITA"][4] == "0"
    assert rows["DEU"][5] == "75.00%" and rows["ITA"][6] == "0.00"
    assert "No figure of this effort" not in page
    # Delivered places follow the pledge's lifecycle.
    with transaction(engine) as session:
        pledges.change_pledge(session, actor=orgs.b_caseworker.actor, data=PledgeChange(
            reference="RS-FRA", kind="commit", amount=Decimal(100)))
        pledges.change_pledge(session, actor=orgs.b_caseworker.actor, data=PledgeChange(
            reference="RS-FRA", kind="pay", amount=Decimal(40)))
    delivered = table_rows(a_web.get(url.replace("resettlement_pledged", "resettlement_delivered")).text)
    assert delivered["FRA"][4] == "40" and delivered["FRA"][5] == "100.00%" and delivered["DEU"][4] == "0"


def test_arabic_layout_mirrors_the_chart(a_web: WebClient) -> None:
    english = a_web.get("/fairshare?states=DEU,FRA").text
    a_web.client.cookies.set(LANG_COOKIE, "ar")
    arabic = a_web.get("/fairshare?states=DEU,FRA").text
    assert '<html lang="ar" dir="rtl">' in arabic
    chart = re.search(r'<svg class="pairs".*?</svg>', arabic, re.S).group(0)  # type: ignore[union-attr]
    assert 'direction="ltr"' in chart  # coordinates are laid out explicitly, whatever the page direction
    assert re.search(r'<text x="556" y="[\d.]+" text-anchor="end" class="name">', chart)  # names on the right
    assert re.search(r'<text x="4" y="[\d.]+" text-anchor="start" class="name">', english)
    assert set(table_rows(arabic)) == {"DEU", "FRA"}


def test_the_page_needs_a_signed_in_user(web: WebClient) -> None:
    for path in ("/fairshare", "/fairshare.csv"):
        response = web.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/login?next=")


# ---------------------------------------------------------------- in the browser


@pytest.mark.browser
@pytest.mark.slow
def test_changing_the_key_and_year_redraws_the_bars_and_the_map(live_url: str, orgs: TwoOrgs, browser_context: Any,
                                                                traffic: Traffic) -> None:
    page = browser_context.new_page()
    browser_login(page, live_url, orgs.a_caseworker.email)
    page.get_by_role("link", name="Fair share", exact=True).click()
    bars = page.locator("svg.pairs g.pair")
    assert bars.count() == 27
    assert page.locator("svg.ratio-map path[data-iso]").count() == 26
    germany_bar = page.locator('svg.pairs g.pair[data-key="DEU"] rect.first')
    before = float(germany_bar.get_attribute("width") or 0)
    before_map = page.locator('svg.ratio-map path[data-iso="DEU"]').get_attribute("data-ratio")
    assert page.locator("svg.pairs").is_visible() and page.locator("svg.ratio-map").is_visible()
    screenshot(page, "fairshare-desktop")

    # Another key, another year and fewer states, through the form.
    page.get_by_label("Distribution key").select_option("dublin-2016")
    page.get_by_label("Year of the figures").fill("2019")
    page.get_by_label("States").fill("DEU, FRA, ITA, ESP, POL, SWE")
    page.get_by_label("Total to share (persons)").fill("10000")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r".*key=dublin-2016.*"))
    query = parse_qs(urlsplit(page.url).query)
    assert query["year"] == ["2019"] and query["total"] == ["10000"]
    assert bars.count() == 6
    assert page.locator("svg.ratio-map path[data-iso]").count() == 6
    after = float(germany_bar.get_attribute("width") or 0)
    assert after != before  # a different key, a different share, drawn to a different scale
    after_map = page.locator('svg.ratio-map path[data-iso="DEU"]').get_attribute("data-ratio")
    assert after_map != before_map
    cells = page.locator('table.fairshare tr[data-iso="DEU"] td')
    assert cells.nth(2).inner_text().replace(",", "") == str(
        fairshare.quotas(key="dublin-2016", total=10000, states="DEU,FRA,ITA,ESP,POL,SWE", year=2019)["DEU"])

    # The page's address reproduces the view: open it afresh.
    address = page.url
    page.goto(address)
    assert bars.count() == 6 and page.get_by_label("Distribution key").input_value() == "dublin-2016"

    # A year without GDP figures: the message sits on the year field and names the fix; then "latest" works.
    page.get_by_label("Year of the figures").fill("2025")
    page.get_by_role("button", name="Show").click()
    summary = page.locator("#error-summary")
    assert summary.is_visible() and "no gdp_usd figure for 2025" in summary.inner_text()
    assert "latest" in page.locator("#year-error").inner_text()
    assert page.get_by_label("Year of the figures").get_attribute("aria-invalid") == "true"
    assert page.locator("svg.pairs").count() == 0
    page.get_by_label("Use the latest figure up to the year when one is missing").check()
    page.get_by_role("button", name="Show").click()
    assert bars.count() == 6 and page.locator("#error-summary").count() == 0

    # The CSV download is the table.
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the table (CSV)").click()
    records = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text("utf-8"))))
    assert len(records) == 6 and {r["iso3"] for r in records} == {"DEU", "FRA", "ITA", "ESP", "POL", "SWE"}
    assert traffic.outside == []


@pytest.mark.browser
@pytest.mark.slow
def test_fair_share_page_in_arabic_and_on_a_phone(live_url: str, orgs: TwoOrgs, browser_context: Any) -> None:
    page = browser_context.new_page()
    browser_login(page, live_url, orgs.a_caseworker.email)
    page.get_by_label("Language").select_option("ar")
    page.get_by_role("button", name="Change").click()
    page.goto(live_url + "/fairshare")
    assert page.locator("html").get_attribute("dir") == "rtl"
    # The chart mirrors: a state's name sits right of its bars.
    name = page.locator('svg.pairs g.pair[data-key="DEU"] text.name').bounding_box()
    bar = page.locator('svg.pairs g.pair[data-key="DEU"] rect.first').bounding_box()
    assert name is not None and bar is not None and name["x"] > bar["x"] + bar["width"] - 1
    screenshot(page, "fairshare-arabic-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_url + "/fairshare")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the fair-share page scrolls sideways on a phone ({width}px)"
    screenshot(page, "fairshare-arabic-phone")
