"""Fair share: each state's share of a common effort under a published key (or one's own weights), the whole
persons that follow for a total, and each state's effort against its fair share, as a table, paired bars and a
map of the ratio, with the sources of every figure shown.

Every input is a query parameter of a GET form, so a view is a link that can be shared or bookmarked, and the
CSV (``/fairshare.csv``) takes the same address. Bad input is shown next to the field it concerns, with the fix.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response

from asylon.data import facts
from asylon.engines.fairshare import METHODS, PRESETS, FairShare, KeySpec
from asylon.engines.fairshare.effort import MEASURES, EffortRow, chart_rows
from asylon.errors import InvalidInput, Problem
from asylon.services import fairshare
from asylon.web import charts, worldmap
from asylon.web.forms import FormErrors
from asylon.web.i18n import LANGUAGES, N_
from asylon.web.rendering import PageRoute, country_label, read_session, render, signed_in, visit_gettext
from asylon.web.sections import Section, add_section
from asylon.web.sessions import Visit

router = APIRouter(route_class=PageRoute, include_in_schema=False)
add_section(Section("fairshare", N_("Fair share"), "/fairshare"), after="countries")

EU27 = ("AUT", "BEL", "BGR", "HRV", "CYP", "CZE", "DNK", "EST", "FIN", "FRA", "DEU", "GRC", "HUN", "IRL", "ITA",
        "LVA", "LTU", "LUX", "MLT", "NLD", "POL", "PRT", "ROU", "SVK", "SVN", "ESP", "SWE")
# The Dublin and relocation keys were computed for the EU and the four states associated with Dublin.
EU_PLUS = (*EU27, "ISL", "LIE", "NOR", "CHE")
# Groups typed in the states field, besides ISO3 codes; UNHCR's regions follow the shipped country list.
UNHCR_REGIONS = {
    "UNHCR-EUROPE": "Europe",
    "UNHCR-AMERICAS": "The Americas",
    "UNHCR-ASIA": "Asia and the Pacific",
    "UNHCR-MENA": "Middle East and North Africa",
    "UNHCR-EHAGL": "Eastern and Southern Africa",
    "UNHCR-WCA": "West and Central Africa",
}
ALL = "ALL"

KEYS = {
    "ec-2015-relocation": N_("EU emergency relocation key, September 2015 (capped)"),
    "eu-agenda-2015": N_("European Agenda on Migration key, May 2015 (uncapped)"),
    "dublin-2016": N_("Dublin recast reference key, 2016 (half population, half GDP)"),
    "pact-2024": N_("Pact on Migration and Asylum, solidarity pool 2024 (half population, half GDP)"),
    "custom": N_("My own weights"),
}
METHOD_LABELS = {
    "hamilton": N_("Largest remainder (Hamilton)"),
    "dhondt": N_("D'Hondt (highest averages)"),
    "sainte-lague": N_("Sainte-Laguë / Webster"),
    "independent": N_("Independent rounding (may not add up to the total)"),
}
MEASURE_LABELS = {
    "refugees_hosted": N_("Refugees and others in need of international protection hosted"),
    "resettlement_pledged": N_("Resettlement places pledged"),
    "resettlement_delivered": N_("Resettlement places delivered"),
    "money_pledged_usd": N_("Money pledged (USD)"),
    "money_paid_usd": N_("Money paid (USD)"),
}
COLUMN_LABELS = {
    "population": N_("Population"),
    "gdp_usd": N_("GDP (current US$)"),
    "unemployment_pct": N_("Unemployment rate (per cent)"),
    "asylum_per_million": N_("Past asylum effort per million inhabitants"),
    "refugees_per_million": N_("Refugees hosted per million inhabitants"),
    "refugees": N_("Refugees hosted"),
    "refugees_and_oip": N_("Refugees and others in need of protection hosted"),
    "asylum_seekers": N_("Asylum-seekers hosted"),
}
# Shown through the select macro, which translates and formats them: hence the doubled per cent sign.
CAP_LABELS = {
    "mean": N_("30%% of the mean of the population and GDP shares (reproduces Grech 2017)"),
    "sum": N_("30%% of the sum of the population and GDP shares"),
}
SORTS = ("ratio", "share", "allocated", "effort", "name")
DEFAULTS: dict[str, str] = {
    "key": "ec-2015-relocation", "year": "2023", "total": "", "states": "EU27", "method": "hamilton",
    "measure": "refugees_hosted", "cap": "mean", "latest": "", "sort": "-ratio",
    "w_population": "0.5", "w_gdp_usd": "0.5", "w_unemployment_pct": "0", "w_asylum_per_million": "0",
}
WEIGHT_FIELDS = tuple(f"w_{c}" for c in fairshare.CUSTOM_CRITERIA)
CHART_ROWS = 50  # more states than this: the chart shows the highest and lowest ratios, the table all
MAX_TEXT = 2000


@dataclass(slots=True)
class StateRow:
    code: str
    name: str
    share: float
    quota: float
    allocated: int
    effort: float | None
    effort_share: float | None
    ratio: float | None
    figures: list[tuple[str, float, str]]


@dataclass(slots=True)
class Outcome:
    """What the page shows for valid inputs."""

    result: FairShare
    rows: list[StateRow]
    chart: Any
    chart_cut: int
    map_svg: Any
    sources: list[facts.Source]
    provenance: list[tuple[str, int]]
    key_source: str
    no_effort: bool
    extra: dict[str, Any] = field(default_factory=dict)


def _values(params: Mapping[str, str]) -> dict[str, str]:
    values = {name: str(params.get(name, default))[:MAX_TEXT].strip() for name, default in DEFAULTS.items()}
    if not values["total"]:
        preset = PRESETS.get(values["key"])
        values["total"] = str(preset.default_total) if preset and preset.default_total else "1000"
    return values


def _whole(text: str, name: str, errors: FormErrors, fix: str) -> int | None:
    try:
        return int(text.replace(",", "").replace("\u202f", "").replace(" ", ""))
    except ValueError:
        errors.add(name, f"'{text}' is not a whole number; {fix}")
        return None


def expand_states(text: str) -> str | list[str]:
    """The states typed in the form, groups expanded; ``"all"`` when ALL is among them.

    >>> expand_states("EU27, che")[-2:]
    ['SWE', 'CHE']
    """
    codes: list[str] = []
    for token in text.replace(";", ",").replace(" ", ",").split(","):
        token = token.strip().upper()
        if not token:
            continue
        if token == ALL:
            return "all"
        if token == "EU27":
            group: tuple[str, ...] = EU27
        elif token == "EU+":
            group = EU_PLUS
        elif token in UNHCR_REGIONS:
            group = tuple(c.iso3 for c in facts.countries() if c.unhcr_region == UNHCR_REGIONS[token])
        else:
            group = (token,)
        codes.extend(c for c in group if c not in codes)
    return codes


# Where each problem goes on the form: the engine and the data name fields by what they are about.
_FIELD_OF = {"key": "key", "total": "total", "states": "states", "iso3": "states", "year": "year",
             "method": "method", "cap_reading": "cap", "measure": "measure", "weights": "weights"}


def form_errors(problems: list[Problem]) -> FormErrors:
    """Problems as messages next to their form field; those about one state each and saying the same (e.g. 27
    states without a GDP figure for the year) become one message naming the states."""
    grouped: dict[tuple[str | None, str, str], list[str]] = {}
    for p in problems:
        name = _FIELD_OF.get(p.field or "")
        if name is None and p.field and p.field.startswith("weights."):
            name = "w_" + p.field.removeprefix("weights.")
        elif name is None and (p.field in facts.INDICATORS or p.field in COLUMN_LABELS):
            name = "year"  # a state with no figure for the year asked
        head, sep, rest = p.message.partition(": ")
        if sep and len(head) == 3 and head.isupper():
            grouped.setdefault((name, rest, p.fix or ""), []).append(head)
        else:
            grouped.setdefault((name, p.message, p.fix or ""), [])
    by_field: dict[str | None, list[str]] = {}
    for (name, message, fix), states in grouped.items():
        if states:
            shown = ", ".join(states[:6]) + (f" and {len(states) - 6} more" if len(states) > 6 else "")
            message = f"{shown}: {message}"
        by_field.setdefault(name, []).append(message + (f"; {fix}" if fix else ""))
    errors = FormErrors()
    for name, messages in by_field.items():
        # One message per field, so the field's error element (and its id) stays unique.
        for message in messages if name is None else [". ".join(messages)]:
            errors.add(name, message)
    return errors


def percent(value: float | None, lang: str) -> str:
    """A share as a percentage with two decimals, in the page's number style.

    >>> percent(0.12345, "fr")
    '12,35\\xa0%'
    """
    if value is None:
        return "–"
    text = f"{value * 100:.2f}"
    return (text.replace(".", ",") + "\u00a0%") if lang == "fr" else text + "%"


def decimal(value: float, lang: str) -> str:
    """An exact quota with two decimals, thousands grouped.

    >>> decimal(12345.678, "fr")
    '12\u202f345,68'
    """
    text = f"{value:,.2f}"
    return text.replace(",", "\u202f").replace(".", ",") if lang == "fr" else text


def plain(value: float) -> str:
    """A figure for CSV, whole or at full precision, never in exponent form.

    >>> plain(1100920.0), plain(7404540000.5)
    ('1100920', '7404540000.5')
    """
    return str(int(value)) if value.is_integer() else repr(value)


def ratio_text(value: float | None, lang: str) -> str:
    if value is None:
        return "–"
    text = f"{value:.2f}"
    return text.replace(".", ",") if lang == "fr" else text


def _spec(values: dict[str, str], errors: FormErrors) -> KeySpec | None:
    key = values["key"]
    if key == "custom":
        weights: dict[str, float] = {}
        for name in WEIGHT_FIELDS:
            text = values[name] or "0"
            try:
                weights[name.removeprefix("w_")] = float(text.replace(",", "."))
            except ValueError:
                errors.add(name, f"'{text}' is not a number; write a weight such as 0.4")
        if errors:
            return None
        return fairshare.custom_key(weights)
    cap = values["cap"] if key == "ec-2015-relocation" and values["cap"] != "mean" else None
    return fairshare.key_spec(key, cap_reading=cap)


def compute(request: Request, visit: Visit, values: dict[str, str]) -> tuple[Outcome | None, FormErrors]:
    """Run the calculation the form asks for; on bad input, the problems by form field and nothing else."""
    assert visit.actor is not None
    errors = FormErrors()
    lang = visit.language
    _ = lambda text: visit_gettext(visit, text)  # noqa: E731
    year = _whole(values["year"], "year", errors, "give a year such as 2023")
    total = _whole(values["total"], "total", errors, "give the number of persons to share, such as 120000")
    if values["key"] not in KEYS:
        errors.add("key", f"unknown key '{values['key']}'; choose one of the list")
    if values["method"] not in METHODS:
        errors.add("method", f"unknown rounding method '{values['method']}'; choose one of the list")
    if values["measure"] not in MEASURES:
        errors.add("measure", f"unknown measure '{values['measure']}'; choose one of the list")
    if values["cap"] not in ("mean", "sum"):
        errors.add("cap", f"unknown cap reading '{values['cap']}'; choose mean or sum")
    states = expand_states(values["states"])
    if not states:
        errors.add("states", "no states given; list ISO3 codes such as DEU, FRA, ITA, or a group such as EU27")
    if errors:
        return None, errors
    assert year is not None and total is not None
    latest = values["latest"] == "1"
    spec: KeySpec | None = None
    try:
        spec = _spec(values, errors)
        if spec is None:
            return None, errors
        result = fairshare.allocation(key=spec, total=total, states=states, year=year,
                                      method=values["method"], latest=latest)
        with read_session(request) as session:
            effort_rows, provenance = fairshare.effort(session, actor=visit.actor, key=spec,
                                                       states=list(result.key.states), year=year, latest=latest)
    except InvalidInput as exc:
        problems = list(exc.problems)
        if total < 0 and spec is not None and all(p.field == "total" for p in problems):
            # The total is checked first; say at once what else is wrong with the rest of the form.
            try:
                fairshare.allocation(key=spec, total=0, states=states, year=year, method=values["method"],
                                     latest=latest)
            except InvalidInput as more:
                problems.extend(more.problems)
        return None, form_errors(problems)
    measure = values["measure"]
    rows = _rows(result, effort_rows, measure, lang)
    _sort(rows, values["sort"])
    ordered = chart_rows(effort_rows, measure)
    cut = 0
    if len(ordered) > CHART_ROWS:
        cut = len(ordered) - CHART_ROWS
        ordered = ordered[: CHART_ROWS // 2] + ordered[-CHART_ROWS // 2:]
    names = {r.code: r.name for r in rows}
    mirror = LANGUAGES[lang].direction == "rtl"
    pairs = [charts.BarPair(str(c["state"]), names[str(c["state"])], _float(c["key_share"]),
                            _float(c["effort_share"]), percent(_float(c["key_share"]), lang),
                            percent(_float(c["effort_share"]), lang), "×" + ratio_text(_float(c["ratio"]), lang))
             for c in ordered]
    measure_label = _(MEASURE_LABELS[measure])
    chart = charts.paired_bars(
        pairs, mirror=mirror, first_label=_("fair share"), second_label=_("share of the effort"),
        label=_("Fair share and share of the effort per state, highest ratio first") + f" ({measure_label})")
    by_code = {r.code: r for r in rows}

    def describe(code: str, ratio: float | None) -> str:
        row = by_code[code]
        if ratio is None:
            return f"{row.name}: " + _("no figure")
        return (f"{row.name}: " + _("ratio") + f" {ratio_text(ratio, lang)} — " + _("fair share")
                + f" {percent(row.share, lang)}, " + _("share of the effort") + f" {percent(row.effort_share, lang)}")

    map_svg = charts.ratio_map({r.code: r.ratio for r in rows}, describe=describe,
                               link=lambda code: f"/countries/{code}",
                               title=_("Effort compared with fair share, by state") + f" ({measure_label})")
    counts = Counter(p for column in result.table.provenance.values() for p in column.values())
    for r in effort_rows:
        counts.update(r.record.sources.values())
    preset = PRESETS.get(values["key"])
    outcome = Outcome(
        result=result, rows=rows, chart=chart, chart_cut=cut, map_svg=map_svg,
        sources=fairshare.sources_of(sorted(set(provenance) | set(counts))),
        provenance=sorted(counts.items()), key_source=preset.source if preset else "",
        no_effort=all(r.effort is None for r in rows),
    )
    return outcome, errors


def _float(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]


def _rows(result: FairShare, effort_rows: list[EffortRow], measure: str, lang: str) -> list[StateRow]:
    effort = {r.state: r for r in effort_rows}
    rows = []
    table = result.table
    for i, code in enumerate(result.allocation.states):
        e = effort.get(code)
        j = table.states.index(code)
        figures = [(c, float(table.values[c][j]), table.provenance.get(c, {}).get(code, ""))
                   for c in result.spec.columns]
        rows.append(StateRow(
            code=code, name=country_label(code, lang), share=float(result.allocation.shares[i]),
            quota=float(result.allocation.quotas[i]), allocated=int(result.allocation.seats[i]),
            effort=getattr(e.record, measure) if e else None,
            effort_share=e.effort_share[measure] if e else None,
            ratio=e.ratio[measure] if e else None, figures=figures,
        ))
    return rows


def _sort(rows: list[StateRow], sort: str) -> None:
    """Sort in place by a column (``-`` first for descending); states without a figure always come last."""
    name = sort.lstrip("-") if sort.lstrip("-") in SORTS else "ratio"

    def value(r: StateRow) -> Any:
        return {"ratio": r.ratio, "share": r.share, "allocated": r.allocated, "effort": r.effort,
                "name": r.name.casefold()}[name]

    present = sorted((r for r in rows if value(r) is not None), key=lambda r: (value(r), r.code),
                     reverse=sort.startswith("-"))
    rows[:] = present + [r for r in rows if value(r) is None]


def _link(path: str, values: dict[str, str], **changes: str) -> str:
    chosen = {**values, **changes}
    # The custom weights travel only with the custom key, so a preset's address stays short.
    query = {k: v for k, v in chosen.items() if v != "" and (chosen["key"] == "custom" or k not in WEIGHT_FIELDS)}
    return f"{path}?{urlencode(query)}"


def _context(request: Request, visit: Visit, values: dict[str, str], outcome: Outcome | None,
             errors: FormErrors) -> dict[str, Any]:
    years = facts.available_years("population")
    return {
        "values": values, "outcome": outcome, "errors": errors, "keys": KEYS, "methods": METHOD_LABELS,
        "measures": MEASURE_LABELS, "caps": CAP_LABELS, "columns": COLUMN_LABELS, "weights": fairshare.CUSTOM_CRITERIA,
        "years": (years[0], years[-1]) if years else (1960, 2024),
        "groups": ["EU27", "EU+", *UNHCR_REGIONS, ALL],
        "link": lambda **changes: _link("/fairshare", values, **changes),
        "csv_link": _link("/fairshare.csv", values), "sorts": SORTS,
        "ratio_legend": charts.ratio_legend(), "no_figure": charts.NO_FIGURE, "not_compared": charts.NOT_COMPARED,
        "first_colour": charts.FIRST, "second_colour": charts.SECOND,
        "map_source": worldmap.geometry().source,
        "percent": lambda v: percent(v, visit.language), "ratio_text": lambda v: ratio_text(v, visit.language),
        "decimal": lambda v: decimal(v, visit.language),
    }


@router.get("/fairshare")
def fair_share_page(request: Request) -> Response:
    visit = signed_in(request)
    values = _values(request.query_params)
    outcome, errors = compute(request, visit, values)
    return render(request, "fairshare/page.html", status=422 if errors else 200,
                  **_context(request, visit, values, outcome, errors))


@router.get("/fairshare.csv")
def fair_share_csv(request: Request) -> Response:
    """The table the page shows, as CSV: one row per state, the key's input figures with their sources."""
    visit = signed_in(request)
    values = _values(request.query_params)
    outcome, errors = compute(request, visit, values)
    if outcome is None:
        return render(request, "fairshare/page.html", status=422,
                      **_context(request, visit, values, outcome, errors))
    measure = values["measure"]
    columns = list(outcome.result.spec.columns)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["iso3", "name", "key_share", "quota", "allocated", measure, f"{measure}_share",
                     f"{measure}_ratio", *[x for c in columns for x in (c, f"{c}_source")]])
    for r in outcome.rows:
        writer.writerow([r.code, country_label(r.code), f"{r.share:.6f}", f"{r.quota:.4f}", r.allocated,
                         "" if r.effort is None else plain(r.effort),
                         "" if r.effort_share is None else f"{r.effort_share:.6f}",
                         "" if r.ratio is None else f"{r.ratio:.4f}",
                         *[x for _, value, source in r.figures for x in (plain(value), source)]])
    name = f"fairshare-{values['key']}-{values['year']}.csv"
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
