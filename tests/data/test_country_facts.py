"""The shipped country facts: UNHCR Global Trends figures, World Bank aggregates kept out, clear misses."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from asylon.data import facts
from asylon.errors import InvalidInput

_SCRIPT = Path(__file__).resolve().parents[2] / "tools" / "build_country_facts.py"
_spec = importlib.util.spec_from_file_location("build_country_facts", _SCRIPT)
assert _spec is not None and _spec.loader is not None
build_country_facts = importlib.util.module_from_spec(_spec)
sys.modules["build_country_facts"] = build_country_facts
_spec.loader.exec_module(build_country_facts)


def test_iran_hosted_refugees_end_2024_matches_global_trends() -> None:
    figure = facts.country_facts("IRN", 2024).refugees
    assert figure is not None
    assert figure.value == 3_489_257
    assert (figure.year, figure.source) == (2024, "UNHCR-PSD")


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        # UNHCR Global Trends 2024: Iran 3.5 M, Türkiye 2.9 M, Colombia 2.8 M, Germany 2.7 M, Uganda 1.8 M
        # (refugees and others in need of international protection).
        (
            2024,
            [
                ("IRN", 3_489_257),
                ("TUR", 2_940_735),
                ("COL", 2_780_910),
                ("DEU", 2_749_266),
                ("UGA", 1_759_492),
            ],
        ),
        (
            2023,
            [
                ("IRN", 3_764_517),
                ("TUR", 3_251_127),
                ("COL", 2_852_542),
                ("DEU", 2_593_007),
                ("PAK", 1_988_231),
            ],
        ),
    ],
)
def test_top_five_hosts_match_global_trends(year: int, expected: list[tuple[str, int]]) -> None:
    hosted = facts.hosted_by_asylum_country(year)
    top = sorted(hosted.values(), key=lambda h: h.refugees_and_oip, reverse=True)[:5]
    assert [(h.iso3, h.refugees_and_oip) for h in top] == expected


def test_world_refugees_and_oip_end_2023_is_37_4_million() -> None:
    hosted = facts.hosted_by_asylum_country(2023)
    assert sum(h.refugees_and_oip for h in hosted.values()) == 37_392_771


def test_world_bank_aggregates_are_not_countries() -> None:
    codes = {c.iso3 for c in facts.countries(states_only=False)}
    for aggregate in ("WLD", "EUU", "HIC", "LMY", "SSF", "OED", "ARB", "EMU"):
        assert aggregate not in codes
    assert {"DEU", "KEN", "XKX", "ESH"} <= codes
    assert "UNK" not in {c.iso3 for c in facts.countries()}


def test_unhcr_country_list_is_kept() -> None:
    unhcr = [c for c in facts.countries(states_only=False) if c.in_unhcr_list]
    assert len(unhcr) == 229  # UNHCR's list has 232 rows, three without an ISO code (CRB, CUR, TIB)
    assert facts.country("DZA").unhcr_code == "ALG"


def test_every_figure_has_source_and_year() -> None:
    france = facts.country_facts("FRA", 2020)
    assert not france.missing or set(france.missing) <= set(facts.INDICATORS)
    for figure in france.figures.values():
        assert figure.source in facts.sources()
        assert figure.year == 2020


def test_missing_figure_says_which_years_exist() -> None:
    iran = facts.country_facts("IRN", 2024)
    assert "gdp_usd" in iran.missing
    with pytest.raises(facts.MissingFigure) as caught:
        iran.value("gdp_usd")
    message = str(caught.value)
    assert "IRN" in message and "gdp_usd" in message and "2024" in message
    assert "latest" in message and "2023" in message


def test_latest_records_the_year_used() -> None:
    figure = facts.country_facts("IRN", 2024, latest=True).gdp_usd
    assert figure is not None
    assert (figure.year, figure.requested_year, figure.substituted) == (2023, 2024, True)


def test_unknown_country_suggests_a_code() -> None:
    with pytest.raises(InvalidInput) as caught:
        facts.country_facts("GER", 2020)
    assert "'GER'" in str(caught.value)
    assert "alpha-3" in str(caught.value)


def test_unknown_indicator_is_refused() -> None:
    with pytest.raises(InvalidInput, match="unknown indicator"):
        facts.country_facts("FRA", 2020).value("gdp")


def test_available_years() -> None:
    assert facts.available_years("hosted_refugees")[0] == 1951
    assert facts.available_years("population", iso3="DEU")[-1] == 2024


def test_build_script_output_loads_as_a_store(tmp_path: Path) -> None:
    """The documented way to load newer files: rebuild with the script, then load the folder."""
    source = tmp_path / "src"
    source.mkdir()
    (source / "worldbank_population.csv").write_text(
        "Country Name,Country Code,Year,Value\nKenya,KEN,2030,60000000\nWorld,WLD,2030,9000000000\n"
    )
    (source / "worldbank_gdp.csv").write_text("Country Name,Country Code,Year,Value\nKenya,KEN,2030,1.5e11\n")
    (source / "worldbank_unemployment.csv").write_text(
        "country,country_code,year,unemployment,region,income_level\n"
        "Kenya,KEN,2030,5.5,Sub-Saharan Africa,Lower middle income\n"
    )
    (source / "unhcr_countries.csv").write_text(
        "iso_code,unhcr_code,name,unhcr_region,unsd_region,unsd_subregion,unsd_imregion\n"
        "KEN,KEN,Kenya,East and Horn of Africa,Africa,Eastern Africa,\n"
    )
    (source / "unhcr_population_by_asylum_country_year.csv").write_text(
        "year,coa_iso,coa_name,refugees,asylum_seekers,oip,idps,returned_refugees,returned_idps,stateless,ooc,hst\n"
        "2030,KEN,Kenya,700000,50000,0,0,0,0,0,0,0\n"
    )
    (source / "unhcr_population_by_origin_country_year.csv").write_text(
        "year,coo_iso,coo_name,refugees,asylum_seekers,oip\n2030,KEN,Kenya,1000,200,0\n"
    )
    out = tmp_path / "out"
    assert build_country_facts.main(["--source-dir", str(source), "--out-dir", str(out)]) == 0
    store = facts.FactsStore.from_dir(out)
    kenya = facts.country_facts("KEN", 2030, store=store)
    assert kenya.value("population") == 60_000_000
    assert kenya.value("hosted_refugees") == 700_000
    assert [c.iso3 for c in facts.countries(store=store)] == ["KEN"]  # WLD dropped


def test_build_script_names_a_missing_column(tmp_path: Path) -> None:
    (tmp_path / "worldbank_unemployment.csv").write_text("country,year\nKenya,2030\n")
    assert build_country_facts.main(["--source-dir", str(tmp_path), "--out-dir", str(tmp_path / "o")]) == 2


def test_facts_for_year_and_origin_totals() -> None:
    year = facts.facts_for_year(2023, states=["deu", "SYR"])
    assert list(year) == ["DEU", "SYR"]
    assert year["DEU"].population is not None and year["DEU"].population.year == 2023
    origins = facts.origin_country_totals(2024)
    assert origins["SYR"].refugees > 1_000_000 and origins["SYR"].source == "UNHCR-PSD"
    assert "WLD" not in facts.facts_for_year(2023)
