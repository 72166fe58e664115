"""Pure pieces of the fair-share and pledges pages: ratio classes and map, paired bars, state groups, and how
engine problems become one message per form field."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from asylon.errors import Problem
from asylon.web import charts
from asylon.web.views.fairshare import EU27, expand_states, form_errors, percent
from asylon.web.views.pledges import amount, pledge_values


@pytest.mark.parametrize(("ratio", "expected"), [
    (0.0, 0), (0.2499, 0), (0.25, 1), (0.5, 2), (0.999, 2), (1.0, 3), (1.99, 3), (2.0, 4), (4.0, 5), (50.0, 5),
])
def test_ratio_classes_are_symmetric_around_one(ratio: float, expected: int) -> None:
    assert charts.ratio_class(ratio) == expected
    if ratio > 0 and ratio not in charts.RATIO_BOUNDS:
        # Half the fair share and twice it sit the same distance from the middle, on either side.
        assert charts.ratio_class(ratio) + charts.ratio_class(1 / ratio) == len(charts.RATIO_BOUNDS)


def test_ratio_legend_names_every_colour_once() -> None:
    legend = charts.ratio_legend()
    assert [colour for colour, _ in legend] == list(charts.RATIO_COLOURS)
    assert [text for _, text in legend] == ["< 0.25", "0.25–0.5", "0.5–1", "1–2", "2–4", "≥ 4"]


def test_ratio_map_shades_compared_states_and_greys_the_unknown() -> None:
    svg = charts.ratio_map({"DEU": 1.5, "FRA": 0.3, "ITA": None}, title="Ratio",
                           describe=lambda code, ratio: f"{code} {ratio}", link=lambda code: f"/countries/{code}")
    by_code = {code: fill for fill, code in re.findall(r'fill="(#\w+)"[^>]*data-iso="(\w+)"', svg)}
    assert by_code == {"DEU": charts.RATIO_COLOURS[3], "FRA": charts.RATIO_COLOURS[1], "ITA": charts.NO_FIGURE}
    assert 'data-iso="ITA">' in svg and 'data-iso="ITA" data-ratio' not in svg  # unknown is never 0
    assert '<a href="/countries/DEU">' in svg and "<title>DEU 1.5</title>" in svg
    # Zoomed to the three states: the view is a part of the world, and far countries are left out.
    box = [float(v) for v in re.search(r'viewBox="([^"]+)"', svg).group(1).split()]  # type: ignore[union-attr]
    assert box[2] < 400 and "AUS" not in svg
    assert len(re.findall(r"<path ", svg)) < 80


def test_paired_bars_share_one_scale_and_mirror_for_right_to_left() -> None:
    pairs = [charts.BarPair("A", "Alpha", 0.5, 0.25, note="×0.50"), charts.BarPair("B", "Beta", 0.1, None)]
    svg = charts.paired_bars(pairs, label="Shares", first_label="fair", second_label="effort")
    widths = [float(w) for w in re.findall(r'<rect class="\w+" x="[\d.]+" y="[\d.]+" width="([\d.]+)"', svg)]
    assert widths[0] == 2 * widths[1] == 5 * widths[2]  # 0.5, 0.25, 0.1 on one scale
    assert len(widths) == 3  # no bar for an unknown figure
    assert 'role="img"' in svg and 'aria-label="Shares"' in svg and "<title>Alpha — effort: 0.25</title>" in svg
    mirrored = charts.paired_bars(pairs, label="Shares", first_label="fair", second_label="effort", mirror=True)
    left = [float(x) for x in re.findall(r'<rect class="first" x="([\d.]+)"', svg)]
    right_edges = [float(x) + float(w) for x, w in
                   re.findall(r'<rect class="first" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"', mirrored)]
    assert left == [150.0, 150.0] and right_edges == [410.0, 410.0]  # bars grow from the names' side
    assert charts.paired_bars([], label="", first_label="", second_label="") == ""


def test_state_groups() -> None:
    assert expand_states("EU27") == list(EU27)
    assert expand_states("deu; fra deu") == ["DEU", "FRA"]
    assert expand_states("EU27, all") == "all"
    mena = expand_states("UNHCR-MENA")
    assert isinstance(mena, list) and {"JOR", "LBN", "EGY"} <= set(mena) and "DEU" not in mena


def test_engine_problems_become_one_message_per_field() -> None:
    problems = [Problem(f"{s}: no gdp_usd figure for 2025", field="gdp_usd", value=s, fix="ask for 2023")
                for s in ("AUT", "BEL", "BGR", "HRV", "CYP", "CZE", "DNK", "EST")]
    problems += [Problem("total is -1", field="total", fix="give 0 or more"),
                 Problem("weight of population is -1", field="weights.population"),
                 Problem("something general")]
    errors = form_errors(problems)
    assert errors.get("year") == [
        "AUT, BEL, BGR, HRV, CYP, CZE and 2 more: no gdp_usd figure for 2025; ask for 2023"]
    assert errors.get("total") == ["total is -1; give 0 or more"]
    assert errors.get("w_population") == ["weight of population is -1"]
    assert errors.general == ["something general"]


def test_numbers_as_people_write_them() -> None:
    assert percent(0.5, "en") == "50.00%" and percent(None, "en") == "–"
    assert amount(Decimal("1234.5000")) == "1,234.50" and amount(Decimal("5E+3")) == "5,000"
    assert pledge_values({"pledgers": " a ;; b ", "amount": "1 000,000", "country": "deu", "note": ""}) == {
        "pledgers": ["a", "b"], "amount": "1000000", "country": "DEU"}
