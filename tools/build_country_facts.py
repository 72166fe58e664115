"""Build asylon's shipped country facts from World Bank and UNHCR source files.

Run from the repository root::

    .venv/bin/python tools/build_country_facts.py --source-dir /path/to/data [--out-dir src/asylon/data]

``--source-dir`` holds files in the formats described in ``src/asylon/data/PROVENANCE.md`` (the World Bank
CSVs of the ``datasets/population`` and ``datasets/gdp`` packages, the WDI unemployment extract, and the UNHCR
per-country sums). To load newer figures, put newer files with the same columns in a folder, run this script
on it, then run ``pytest tests/data`` (the checks against UNHCR's published Global Trends figures name the
years they pin; update them when the new release revises those years).

The script writes, into ``--out-dir``:

- ``country_facts.csv.gz``: one figure per row ``iso3,year,indicator,value,source`` (long format, so the
  source and year travel with every figure);
- ``countries.csv``: every country or territory in either source, with UNHCR and World Bank classifications;
  World Bank aggregates (WLD, EUU, income groups, regions...) are left out;
- ``unhcr_countries.csv``: UNHCR's own country list, unchanged;
- ``sources.csv``: what each ``source`` code means (publisher, indicator, licence, upstream commit).

The output is deterministic (sorted rows, fixed gzip mtime), so a rebuild from the same inputs gives the
same bytes and a diff shows only real data changes.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import math
import sys
from collections.abc import Iterator
from pathlib import Path

WB_POPULATION = "worldbank_population.csv"
WB_GDP = "worldbank_gdp.csv"
WB_UNEMPLOYMENT = "worldbank_unemployment.csv"
UNHCR_COUNTRIES = "unhcr_countries.csv"
UNHCR_ASYLUM = "unhcr_population_by_asylum_country_year.csv"
UNHCR_ORIGIN = "unhcr_population_by_origin_country_year.csv"

# Population-type columns of the UNHCR per-country files, in UNHCR's own names.
ASYLUM_COLUMNS = (
    "refugees",
    "asylum_seekers",
    "oip",
    "idps",
    "returned_refugees",
    "returned_idps",
    "stateless",
    "ooc",
    "hst",
)
ORIGIN_COLUMNS = ("refugees", "asylum_seekers", "oip")

SOURCES: tuple[dict[str, str], ...] = (
    {
        "source": "WB-WDI:SP.POP.TOTL",
        "publisher": "World Bank",
        "title": "World Development Indicators: Population, total (SP.POP.TOTL), mid-year",
        "licence": "CC BY 4.0 (World Bank); packaged copy ODC-PDDL-1.0",
        "upstream": "github.com/datasets/population data/population.csv @ 425fc447a53a26c767a15a7de60c4cc2478a0595",
    },
    {
        "source": "WB-WDI:NY.GDP.MKTP.CD",
        "publisher": "World Bank",
        "title": "World Development Indicators: GDP (current US$) (NY.GDP.MKTP.CD)",
        "licence": "CC BY 4.0 (World Bank); packaged copy ODC-PDDL-1.0",
        "upstream": "github.com/datasets/gdp data/gdp.csv @ 1cdcd2eb2364edd9da24bcbe134c1a9e0fb4c693",
    },
    {
        "source": "WB-WDI:SL.UEM.TOTL.ZS",
        "publisher": "World Bank / ILO",
        "title": "World Development Indicators: Unemployment, total (% of total labor force) (modeled ILO estimate)",
        "licence": "CC BY 4.0 (World Bank); convenience copy without a licence statement, re-derive before release",
        "upstream": "github.com/tendai-codes/worldbank_unemployment_linear_algebra_project data/unemployment.csv"
        " @ de9d77c16da2988306a5a98611c7245cf74dba9c",
    },
    {
        "source": "UNHCR-PSD",
        "publisher": "UNHCR",
        "title": "UNHCR Refugee Population Statistics Database, end-year stocks by country of asylum and origin",
        "licence": "CC BY 4.0",
        "upstream": "github.com/PopulationStatistics/refugees data/population.rda"
        " @ 8f9b50c7020c1afc5388c3684249be1665e37951",
    },
)

# Pseudo-codes UNHCR uses for the stateless, unknown origins and the Tibetan group are not states.
NOT_STATES = frozenset({"XXA", "XXX", "UNK", "TIB"})

PSEUDO_NAMES = {"UNK": "Unknown origin", "TIB": "Tibetan", "XXX": "Unknown"}

FACT_COLUMNS = ("iso3", "year", "indicator", "value", "source")


class SourceError(Exception):
    """A source file is missing or does not have the expected columns."""


def _read(path: Path, required: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    if not path.is_file():
        raise SourceError(f"{path}: file not found; see PROVENANCE.md for the expected files")
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in required if c not in (reader.fieldnames or [])]
        if missing:
            raise SourceError(f"{path}: missing column(s) {', '.join(missing)}; found {reader.fieldnames}")
        yield from enumerate(reader, start=2)


def _number(text: str, path: Path, row: int, column: str) -> float | None:
    text = text.strip()
    if text in ("", "NA", ".."):
        return None
    try:
        value = float(text)
    except ValueError as exc:
        raise SourceError(f"{path}: row {row}, column {column}: {text!r} is not a number") from exc
    if not math.isfinite(value):
        raise SourceError(f"{path}: row {row}, column {column}: {text!r} is not finite")
    return value


def _format(value: float, integral: bool) -> str:
    if integral:
        return str(round(value))
    # repr keeps every digit the source gave (shortest round-trip form).
    return repr(value)


def build(source_dir: Path) -> tuple[list[tuple[str, int, str, str, str]], list[dict[str, str]], str]:
    """Return (facts rows, countries rows, UNHCR country list text)."""
    economies: dict[str, dict[str, str]] = {}
    facts: list[tuple[str, int, str, str, str]] = []

    unemployment_path = source_dir / WB_UNEMPLOYMENT
    for number, row in _read(
        unemployment_path, ("country_code", "year", "unemployment", "region", "income_level", "country")
    ):
        code = row["country_code"].strip()
        economies.setdefault(
            code,
            {
                "name": row.get("wb_country_name") or row["country"],
                "region": row["region"].strip(),
                "income_level": row["income_level"].strip(),
            },
        )
        value = _number(row["unemployment"], unemployment_path, number, "unemployment")
        if value is not None:
            facts.append(
                (code, int(row["year"]), "unemployment_pct", _format(value, False), "WB-WDI:SL.UEM.TOTL.ZS")
            )

    unhcr_text = (source_dir / UNHCR_COUNTRIES).read_text(encoding="utf-8")
    unhcr: dict[str, dict[str, str]] = {}
    for _, row in _read(source_dir / UNHCR_COUNTRIES, ("iso_code", "unhcr_code", "name", "unhcr_region")):
        if row["iso_code"].strip():
            unhcr[row["iso_code"].strip()] = row

    # A code is a country (or territory) when either UNHCR or the World Bank's economy list names it; the
    # World Bank files also carry ~48 aggregates (WLD, EUU, HIC, ...) that must never enter a country list.
    known = set(economies) | set(unhcr)
    wb_names: dict[str, str] = {}
    for filename, indicator, source, integral in (
        (WB_POPULATION, "population", "WB-WDI:SP.POP.TOTL", True),
        (WB_GDP, "gdp_usd", "WB-WDI:NY.GDP.MKTP.CD", False),
    ):
        path = source_dir / filename
        for number, row in _read(path, ("Country Name", "Country Code", "Year", "Value")):
            code = row["Country Code"].strip()
            if code not in economies:
                continue
            wb_names.setdefault(code, row["Country Name"])
            value = _number(row["Value"], path, number, "Value")
            if value is not None:
                facts.append((code, int(row["Year"]), indicator, _format(value, integral), source))

    for filename, key, prefix, columns in (
        (UNHCR_ASYLUM, "coa_iso", "hosted_", ASYLUM_COLUMNS),
        (UNHCR_ORIGIN, "coo_iso", "origin_", ORIGIN_COLUMNS),
    ):
        path = source_dir / filename
        for number, row in _read(path, ("year", key, *columns)):
            code = row[key].strip()
            for column in columns:
                value = _number(row[column], path, number, column)
                if value is not None:
                    facts.append((code, int(row["year"]), prefix + column, _format(value, True), "UNHCR-PSD"))

    # UNHCR also reports pseudo-origins (UNK unknown, TIB Tibetan) that are in neither country list.
    known |= {row[0] for row in facts}
    countries: list[dict[str, str]] = []
    for code in sorted(known):
        u = unhcr.get(code, {})
        e = economies.get(code, {})
        countries.append(
            {
                "iso3": code,
                "name": u.get("name") or wb_names.get(code) or e.get("name") or PSEUDO_NAMES.get(code, code),
                "unhcr_code": u.get("unhcr_code", ""),
                "unhcr_region": u.get("unhcr_region", ""),
                "unsd_region": u.get("unsd_region", ""),
                "unsd_subregion": u.get("unsd_subregion", ""),
                "in_unhcr_list": "1" if u else "0",
                "wb_economy": "1" if e else "0",
                "wb_region": e.get("region", ""),
                "wb_income_level": e.get("income_level", ""),
                "is_state": "0" if code in NOT_STATES else "1",
            }
        )
    facts.sort(key=lambda r: (r[0], r[1], r[2]))
    return facts, countries, unhcr_text


def write(
    out_dir: Path,
    facts: list[tuple[str, int, str, str, str]],
    countries: list[dict[str, str]],
    unhcr_text: str,
) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(FACT_COLUMNS)
    writer.writerows(facts)
    with (
        (out_dir / "country_facts.csv.gz").open("wb") as raw,
        gzip.GzipFile(filename="country_facts.csv", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz,
    ):
        gz.write(text.getvalue().encode("utf-8"))
    with (out_dir / "countries.csv").open("w", newline="", encoding="utf-8") as handle:
        dict_writer = csv.DictWriter(handle, fieldnames=list(countries[0]), lineterminator="\n")
        dict_writer.writeheader()
        dict_writer.writerows(countries)
    with (out_dir / "sources.csv").open("w", newline="", encoding="utf-8") as handle:
        dict_writer = csv.DictWriter(handle, fieldnames=list(SOURCES[0]), lineterminator="\n")
        dict_writer.writeheader()
        dict_writer.writerows(SOURCES)
    (out_dir / "unhcr_countries.csv").write_text(unhcr_text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source-dir", type=Path, required=True, help="folder with the source CSV files")
    parser.add_argument("--out-dir", type=Path, default=Path("src/asylon/data"), help="where to write")
    args = parser.parse_args(argv)
    try:
        facts, countries, unhcr_text = build(args.source_dir)
    except SourceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    write(args.out_dir, facts, countries, unhcr_text)
    print(f"wrote {len(facts)} figures for {len(countries)} countries to {args.out_dir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
