"""``asylon fairshare`` through Typer's CliRunner: table, files, and readable errors with exit codes."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from typer.testing import CliRunner

from asylon.cli import app

runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["fairshare", *args])
    return result.exit_code, result.output + (result.stderr if result.stderr_bytes is not None else "")


def test_prints_a_table_and_writes_csv_and_json(tmp_path: Path) -> None:
    out_csv, out_json = tmp_path / "q.csv", tmp_path / "q.json"
    code, output = run(
        "--key",
        "dublin-2016",
        "--total",
        "1000",
        "--states",
        "DEU,FRA,ITA",
        "--year",
        "2023",
        "--out",
        str(out_csv),
    )
    assert code == 0, output
    assert "DEU" in output and "Allocated 1,000 of 1,000" in output
    rows = list(csv.DictReader(out_csv.open()))
    assert [r["state"] for r in rows] == ["DEU", "FRA", "ITA"]
    assert sum(int(r["allocated"]) for r in rows) == 1000
    assert rows[0]["population_source"] == "WB-WDI:SP.POP.TOTL 2023"
    code, _ = run(
        "--key",
        "dublin-2016",
        "--total",
        "1000",
        "--states",
        "DEU,FRA,ITA",
        "--year",
        "2023",
        "--method",
        "dhondt",
        "--out",
        str(out_json),
    )
    assert code == 0
    document = json.loads(out_json.read_text())
    assert document["method"] == "dhondt" and document["allocated"] == 1000


def test_inputs_csv_and_key_file(tmp_path: Path) -> None:
    inputs = tmp_path / "in.csv"
    inputs.write_text("iso3,places\nDEU,30\nFRA,10\n")
    key = tmp_path / "k.json"
    key.write_text('{"name": "by places", "criteria": [{"column": "places", "weight": 1}]}')
    code, output = run("--key", str(key), "--total", "8", "--inputs", str(inputs), "--method", "independent")
    assert code == 0, output
    assert "by places" in output and "Allocated 8 of 8" in output


def test_all_states_under_the_pact_default_total() -> None:
    code, output = run("--key", "pact-2024", "--states", "all", "--year", "2023")
    assert code == 0, output
    assert "Allocated 30,000 of 30,000" in output


def test_errors_are_readable_with_exit_codes(tmp_path: Path) -> None:
    code, output = run("--key", "dublin-2016", "--total", "10", "--states", "DEU,GER", "--year", "2023")
    assert code == 3 and "unknown country code 'GER'" in output and "Traceback" not in output
    code, output = run("--key", "dublin-2016", "--total", "-1", "--states", "DEU", "--year", "2023")
    assert code == 3 and "total is negative" in output
    code, output = run("--key", "dublin-2016", "--total", "10", "--states", "IRN", "--year", "2024")
    assert code == 3 and "IRN: no gdp_usd figure for 2024" in output and "--latest" in output
    code, output = run("--key", "nope", "--total", "10", "--states", "DEU")
    assert code == 3 and "unknown key preset 'nope'" in output
    bad = tmp_path / "bad.csv"
    bad.write_text("iso3,population\nDEU,many\n")
    code, output = run("--key", "dublin-2016", "--total", "10", "--inputs", str(bad), "--year", "2023")
    assert code == 3 and "row 2, column population: 'many' is not a number" in output
    code, output = run(
        "--key", "dublin-2016", "--total", "10", "--states", "DEU", "--year", "2023", "--method", "webster"
    )
    assert code == 3 and "unknown method 'webster'" in output


def test_cap_reading_switch(tmp_path: Path) -> None:
    inputs = tmp_path / "in.csv"
    inputs.write_text(
        "iso3,population,gdp_usd,unemployment_pct,asylum_per_million\n"
        "DEU,0.1552,0.1960,4.6,1258\nSVK,0.0104,0.0051,11.2,94\nMLT,0.0008,0.0005,5.2,3692\n"
    )
    shares = {}
    for reading in ("mean", "sum"):
        out = tmp_path / f"{reading}.csv"
        code, output = run(
            "--key",
            "ec-2015-relocation",
            "--total",
            "1000",
            "--inputs",
            str(inputs),
            "--cap-reading",
            reading,
            "--out",
            str(out),
        )
        assert code == 0, output
        shares[reading] = {r["state"]: float(r["share"]) for r in csv.DictReader(out.open())}
    assert shares["mean"]["SVK"] != shares["sum"]["SVK"]
    code, output = run(
        "--key", "dublin-2016", "--total", "10", "--inputs", str(inputs), "--cap-reading", "sum"
    )
    assert code == 3 and "applies to ec-2015-relocation only" in output
