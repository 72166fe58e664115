"""``asylon place`` end to end through Typer's runner: results, summaries and every kind of bad input."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from asylon.cli import app

runner = CliRunner()

CASES = """case_id,persons,arrival,tie,needs,nationality,fled,family_group
c1,3,2025-01-02,,,SY,TR,
c2,1,2025-01-03,,medical,AF,,
c3,2,2025-01-09,,,SY,,F1
c4,1,2025-01-10,,,SY,,F1
c5,4,2025-01-20,,,ER,,
"""
DESTS = """destination_id,country,capacity,cap_medical
d1,DE,6,1
d2,TR,10,
d3,FR,5,0
"""
SCORES = """case_id,destination_id,score
c1,d1,1.5
c1,d2,2.0
c1,d3,1.0
c2,d1,0.8
c2,d3,0.9
c3,d1,0.5
c3,d3,0.7
c4,d1,0.4
c4,d3,0.3
c5,d2,1.1
c5,d3,0.6
"""


def _write(tmp: Path, cases: str = CASES, dests: str = DESTS, scores: str = SCORES) -> dict[str, Path]:
    paths = {"cases": tmp / "cases.csv", "destinations": tmp / "destinations.csv", "scores": tmp / "scores.csv"}
    paths["cases"].write_text(cases)
    paths["destinations"].write_text(dests)
    paths["scores"].write_text(scores)
    return paths


def _run(paths: dict[str, Path], tmp: Path, *extra: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["place", "--cases", str(paths["cases"]), "--destinations", str(paths["destinations"]),
                               "--scores", str(paths["scores"]), "--out", str(tmp / "placements.csv"), *extra])


def _rows(tmp: Path) -> dict[str, dict[str, str]]:
    with open(tmp / "placements.csv", newline="") as fh:
        return {r["case_id"]: r for r in csv.DictReader(fh)}


def test_static_places_keeps_safeguards_family_and_services(tmp_path: Path) -> None:
    paths = _write(tmp_path)
    result = _run(paths, tmp_path)
    assert result.exit_code == 0, result.output
    rows = _rows(tmp_path)
    assert rows["c1"]["destination_id"] != "d2"  # c1 fled TR: the higher score there must not count
    assert rows["c2"]["destination_id"] == "d1"  # only d1 offers medical care
    assert rows["c3"]["destination_id"] == rows["c4"]["destination_id"]  # family unity
    assert rows["c5"]["destination_id"] == "d2"
    summary = json.loads((tmp_path / "placements.summary.json").read_text())
    assert summary["lp_bound"] >= summary["objective"] - 1e-9 and 0 <= summary["gap"] <= 1e-3
    assert "binding" in rows["c2"]["constraints"] or "price" in rows["c2"]["constraints"]
    # Both gaps are printed as percentages.
    printed = dict(line.strip("│ ").split(maxsplit=1) for line in result.output.splitlines() if "gap" in line)
    assert printed["gap"].strip(" │").endswith("%") and printed["lp_gap"].strip(" │").endswith("%")


def test_dynamic_with_hindsight_reports_the_ratio(tmp_path: Path) -> None:
    paths = _write(tmp_path)
    result = _run(paths, tmp_path, "--mode", "dynamic", "--hindsight")
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "placements.summary.json").read_text())
    assert summary["mode"] == "dynamic" and 0 < summary["ratio"] <= 1.0 + 1e-9
    assert summary["hindsight"] >= summary["total_score"] - 1e-9
    assert {r["batch"] for r in _rows(tmp_path).values()} >= {"0", "1"}


def test_unplaceable_cases_get_a_reason_per_case(tmp_path: Path) -> None:
    cases = CASES + "c6,2,2025-02-01,,,DE,,\nc7,9,2025-02-02,,,ER,,\n"
    scores = SCORES + "c6,d1,1.0\nc7,d1,2.0\nc7,d3,2.0\n"
    paths = _write(tmp_path, cases=cases, scores=scores)
    result = _run(paths, tmp_path)
    assert result.exit_code == 0, result.output
    rows = _rows(tmp_path)
    assert rows["c6"]["destination_id"] == "" and "non-refoulement" in rows["c6"]["reason"]
    assert rows["c7"]["destination_id"] == "" and "no room" in rows["c7"]["reason"]
    summary = json.loads((tmp_path / "placements.summary.json").read_text())
    assert summary["unplaced"] == 2


BAD = [
    ("scores", SCORES + "c9,d1,0.5\n", "scores.csv", "row 13, column case_id", "unknown case 'c9'"),
    ("scores", SCORES + "c1,d9,0.5\n", "scores.csv", "row 13, column destination_id", "unknown destination 'd9'"),
    ("scores", SCORES.replace("c2,d1,0.8", "c2,d1,high"), "scores.csv", "row 5, column score", "'high' is not a number"),
    ("destinations", DESTS.replace("d1,DE,6,1", "d1,DE,-6,1"), "destinations.csv", "row 2, column capacity",
     "below 0"),
    ("destinations", DESTS.replace("d3,FR,5,0", "d3,FR,,0"), "destinations.csv", "row 4, column capacity",
     "missing value"),
    ("cases", CASES + "c1,2,2025-03-01,,,SY,,\n", "cases.csv", "row 7, column case_id", "duplicate case 'c1'"),
    ("cases", CASES.replace("c5,4,2025-01-20,,", "c5,4,2025-01-20,d1,"), "cases.csv", "row 6, column tie",
     "cannot go to d1"),
    ("cases", CASES.replace("c1,3,2025-01-02,,", "c1,3,2025-01-02,d2,"), "cases.csv", "row 2, column tie",
     "non-refoulement"),
    ("cases", CASES.replace("c5,4,2025-01-20,,", "c5,4,2025-01-20,d3,").replace("c1,3,2025-01-02,,", "c1,3,2025-01-02,d3,"),
     "cases.csv", "column tie", "capacity of d3"),
    ("cases", CASES.replace("case_id,persons", "case_id,people"), "cases.csv", "row 1, column persons",
     "missing column"),
]


@pytest.mark.parametrize(("which", "text", "file", "where", "what"), BAD)
def test_bad_input_names_file_row_and_column(tmp_path: Path, which: str, text: str, file: str, where: str,
                                             what: str) -> None:
    paths = _write(tmp_path, **{{"scores": "scores", "destinations": "dests", "cases": "cases"}[which]: text})
    result = _run(paths, tmp_path)
    assert result.exit_code == 3, result.output
    flat = " ".join(result.output.split())
    assert file in flat and where in flat and what in flat, flat
    assert "Traceback" not in result.output


def test_override_is_kept_with_who_and_why_and_refused_into_danger(tmp_path: Path) -> None:
    paths = _write(tmp_path)
    ok = tmp_path / "overrides.csv"
    ok.write_text("case_id,destination_id,actor,reason\nc5,d3,caseworker 12,brother lives there\n")
    result = _run(paths, tmp_path, "--overrides", str(ok))
    assert result.exit_code == 0, result.output
    row = _rows(tmp_path)["c5"]
    assert (row["destination_id"], row["status"], row["actor"]) == ("d3", "override", "caseworker 12")
    assert row["reason"] == "brother lives there"
    bad = tmp_path / "bad.csv"
    bad.write_text("case_id,destination_id,actor,reason\nc1,d2,caseworker 12,faster processing\n")
    result = _run(paths, tmp_path, "--overrides", str(bad))
    assert result.exit_code == 7, result.output
    assert "non-refoulement" in " ".join(result.output.split())
    unsigned = tmp_path / "unsigned.csv"
    unsigned.write_text("case_id,destination_id,actor,reason\nc5,d3,,\n")
    result = _run(paths, tmp_path, "--overrides", str(unsigned))
    assert result.exit_code == 3 and "who made it and why" in " ".join(result.output.split())


def test_dynamic_with_last_year_as_history(tmp_path: Path) -> None:
    from asylon.engines.placement.files import write_exercise
    from asylon.engines.placement.synthetic import generate_year

    paths = write_exercise(tmp_path / "now", generate_year(90, 6, seed=3, arrivals_seed=2).problem)
    past = write_exercise(tmp_path / "past", generate_year(80, 6, seed=3, arrivals_seed=1).problem)
    result = _run(paths, tmp_path, "--mode", "dynamic", "--hindsight", "--history-cases", str(past["cases"]),
                  "--history-scores", str(past["scores"]))
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "placements.summary.json").read_text())
    assert 0 < summary["ratio"] <= 1.0 + 1e-9
    ids = list(_rows(tmp_path))
    assert len(ids) == 90 and not any(i.startswith("history:") for i in ids)
    alone = _run(paths, tmp_path, "--mode", "dynamic", "--history-cases", str(past["cases"]))
    assert alone.exit_code == 3 and "--history-scores" in alone.output
