"""The overview a coordinator opens first: totals, weekly trends, maps, recent events."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from asylon.services import dashboard
from asylon.web import charts, worldmap
from asylon.web.rendering import PageRoute, country_label, read_session, render, signed_in, visit_gettext

router = APIRouter(route_class=PageRoute, include_in_schema=False)


@router.get("/")
def overview(request: Request) -> Response:
    visit = signed_in(request)
    assert visit.actor is not None
    with read_session(request) as session:
        data = dashboard.overview(session, actor=visit.actor)
    _ = lambda text: visit_gettext(visit, text)  # noqa: E731
    persons = _("persons")
    names = {code: country_label(code, visit.language) for code in set(data.persons_by_asylum) | set(data.persons_by_origin)}
    maps = [
        {"key": "asylum", "title": _("Persons by country of asylum"),
         "svg": worldmap.choropleth(data.persons_by_asylum, title=_("Persons by country of asylum"),
                                    link_field="country_of_asylum", names=names, unit=persons),
         "legend": worldmap.legend(data.persons_by_asylum),
         "rows": sorted(data.persons_by_asylum.items(), key=lambda kv: (-kv[1], kv[0])),
         "field": "country_of_asylum"},
        {"key": "origin", "title": _("Persons by country of origin"),
         "svg": worldmap.choropleth(data.persons_by_origin, title=_("Persons by country of origin"),
                                    link_field="origin_country", names=names, unit=persons),
         "legend": worldmap.legend(data.persons_by_origin),
         "rows": sorted(data.persons_by_origin.items(), key=lambda kv: (-kv[1], kv[0])),
         "field": "origin_country"},
    ]
    return render(
        request, "dashboard.html", data=data, maps=maps, charts=charts,
        registrations=charts.columns(data.registrations, [d.strftime("%m/%y") for d in data.month_starts],
                                     label=_("Cases registered per month, last 12 months")),
        map_source=worldmap.geometry().source,
    )
