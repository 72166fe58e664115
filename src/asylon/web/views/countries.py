"""Country pages: the shipped country facts with their source and year, and the cases one may see there."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request, Response

from asylon.data import facts
from asylon.services.caseviews import CaseFilters, list_cases
from asylon.web import charts
from asylon.web.rendering import PageRoute, read_session, render, signed_in

router = APIRouter(route_class=PageRoute, include_in_schema=False)

SHOWN = ("population", "gdp_usd", "unemployment_pct", "hosted_refugees", "hosted_asylum_seekers", "hosted_oip",
         "hosted_idps", "hosted_stateless", "origin_refugees", "origin_asylum_seekers")


@router.get("/countries")
def country_list(request: Request, q: str = "") -> Response:
    signed_in(request)
    year = facts.available_years("hosted_refugees")[-1]
    hosted = facts.hosted_by_asylum_country(year)
    rows = []
    needle = q.strip().casefold()
    for c in facts.countries():
        if needle and needle not in c.name.casefold() and needle != c.iso3.casefold():
            continue
        h = hosted.get(c.iso3)
        rows.append((c, h.refugees if h else None))
    rows.sort(key=lambda r: (-(r[1] or 0), r[0].name))
    return render(request, "countries/list.html", rows=rows, year=year, q=q)


@router.get("/countries/{iso3}")
def country_page(request: Request, iso3: str) -> Response:
    visit = signed_in(request)
    assert visit.actor is not None
    found = facts.country(iso3.upper()[:3])
    year = dt.date.today().year
    current = facts.country_facts(found.iso3, year, latest=True)
    figures = [(name, current.figures.get(name)) for name in SHOWN]
    history = []
    store = facts.default_store()
    for indicator in ("hosted_refugees", "origin_refugees"):
        years = facts.available_years(indicator, iso3=found.iso3)[-15:]
        series = []
        for y in years:
            figure = store.figure(found.iso3, indicator, y)
            series.append(int(figure.value) if figure else 0)
        if years:
            history.append((indicator, years, series, charts.sparkline(series, label=indicator, width=180,
                                                                       height=36)))
    with read_session(request) as session:
        hosted_here = list_cases(session, actor=visit.actor, filters=CaseFilters(country_of_asylum=found.iso3),
                                 limit=1).total
        from_here = list_cases(session, actor=visit.actor, filters=CaseFilters(origin_country=found.iso3),
                               limit=1).total
    return render(request, "countries/detail.html", found=found, figures=figures, history=history,
                  sources=facts.sources(), hosted_here=hosted_here, from_here=from_here)
