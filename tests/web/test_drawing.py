"""Pure pieces of the pages: map geometry and classes, charts, numbers, country names, form field names."""

from __future__ import annotations

import re

import pycountry
import pytest

from asylon.web import charts, worldmap
from asylon.web.forms import field_name, split_list
from asylon.web.rendering import country_label, number


def test_world_geometry_is_complete_and_well_formed() -> None:
    geo = worldmap.geometry()
    assert geo.width == 1000 and 300 < geo.height < 600
    codes = set(geo.paths)
    assert len(codes) > 170
    for code in codes - {"XKX"}:
        assert pycountry.countries.get(alpha_3=code) is not None, code
    # The main countries of asylum and origin of the demo world and of UNHCR's largest situations.
    assert {"SYR", "AFG", "JOR", "LBN", "TUR", "PAK", "IRN", "DEU", "UGA", "KEN", "ETH", "SSD", "COL",
            "VEN", "FRA", "NOR", "XKX"} <= codes
    for _, d in geo.paths.values():
        assert re.fullmatch(r"(M-?\d+ -?\d+l[-\d ]+z)+", d)


@pytest.mark.parametrize(("values", "expected"), [
    ([], []),
    ([1], [1]),
    ([2, 5], [1, 2, 3, 4, 5]),
    ([1, 10, 100, 1000, 10000], [7, 40, 252, 1585, 10000]),
    ([50, 60], [3, 6, 12, 27, 60]),  # ceil(60 ** (k / 5))
])
def test_map_classes(values: list[int], expected: list[int]) -> None:
    assert worldmap.breaks(values) == expected


def test_map_shades_and_links_only_countries_with_cases() -> None:
    svg = str(worldmap.choropleth({"JOR": 5, "LBN": 500}, title="t", link_field="country_of_asylum",
                                  names={"JOR": "Jordan", "LBN": "Lebanon"}, unit="persons"))
    assert svg.count("<a ") == 2
    assert 'href="/cases?country_of_asylum=LBN"' in svg and "Lebanon: 500 persons" in svg
    assert svg.count(worldmap.PALETTE[-1]) == 1  # the largest gets the darkest class
    legend = worldmap.legend({"JOR": 5, "LBN": 500})
    assert legend[-1] == (worldmap.PALETTE[-1], "146–500")  # 500 ** (4 / 5) = 144.3


def test_charts_carry_text_alternatives() -> None:
    spark = str(charts.sparkline([0, 2, 5], label="Refugee"))
    assert 'aria-label="Refugee: 0, 2, 5"' in spark and spark.count("<rect") == 4
    cols = str(charts.columns([1, 3], ["01/26", "02/26"], label="Registered"))
    assert 'aria-label="Registered: 1, 3"' in cols and "02/26" in cols
    assert 'width="0"' in str(charts.bar(0, 10))


@pytest.mark.parametrize(("value", "lang", "expected"), [
    (1234567, "en", "1,234,567"),
    (1234567, "fr", "1\u202f234\u202f567"),
    (12.5, "en", "12.5"),
    (None, "en", "–"),
])
def test_numbers(value: float | None, lang: str, expected: str) -> None:
    assert number(value, lang) == expected


@pytest.mark.parametrize(("code", "lang", "expected"), [
    ("SYR", "en", "Syria"),
    ("SYR", "fr", "Syrie"),
    ("JOR", "ar", "الأردن"),
    ("XKX", "fr", "Kosovo"),
    (None, "en", "–"),
    ("ZZZ", "en", "ZZZ"),
])
def test_country_names_follow_the_language(code: str | None, lang: str, expected: str) -> None:
    assert country_label(code, lang) == expected


@pytest.mark.parametrize(("loc", "expected"), [
    (("case_number",), "case_number"),
    (("persons", 2, "nationality"), "persons-2-nationality"),
    (("persons", 0, "languages", 1), "persons-0-languages"),
    (("persons", 1, "needs", 0), "persons-1-needs"),
    (("fled_countries", 3), "fled_countries"),
])
def test_error_locations_map_to_form_fields(loc: tuple[int | str, ...], expected: str) -> None:
    assert field_name(loc) == expected


def test_code_lists_accept_commas_and_spaces() -> None:
    assert split_list(" ara, eng  prs ") == ["ara", "eng", "prs"]
    assert split_list("") == []
