"""Placement exercises as CSV files: read with row- and column-precise errors, write results.

Row numbers count as a spreadsheet shows them: the header is row 1, the first data row is row 2.
Lists inside a cell are separated by semicolons. Formats (all UTF-8, comma-separated, with a header):

``cases.csv``
    ``case_id`` (required, unique), ``persons`` (required, whole number ≥ 1), and optionally
    ``arrival`` (ISO date, order of arrival in dynamic mode), ``tie`` (destination_id the case is pinned
    to), ``needs`` (service codes), ``nationality`` (ISO code), ``fled`` and ``unsafe`` (ISO codes of
    countries the case must never be placed in), ``languages``, ``family_group`` (cases sharing it go
    together), ``group`` (fairness group; defaults to nationality).
``destinations.csv``
    ``destination_id`` (required, unique), ``country`` (required), ``capacity`` (required, persons ≥ 0),
    one ``cap_<service>`` column per service capacity (cases; empty or 0 = not offered; interpreters are
    ``cap_interpreter_<language>``), and optionally ``languages`` and ``nationalities`` served (empty:
    any), ``unemployment_rate``, ``population``.
``scores.csv``
    ``case_id,destination_id,score``. A pair that is absent is not allowed.
``quotas.csv`` (optional)
    ``country,quota``: most persons placed in that country.
``overrides.csv`` (optional)
    ``case_id,destination_id,actor,reason``: caseworker decisions, kept fixed.
``family_decisions.csv`` (optional)
    ``family_group,actor,reason``: recorded decisions that a family group may be split.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from asylon.errors import InvalidFile, InvalidInput, Problem, ProblemCollector

from .model import (
    Assignment,
    Case,
    Destination,
    DynamicResult,
    FamilyUnityDecision,
    Override,
    PlacementProblem,
    PlacementResult,
    ScoreTable,
)


@dataclass(slots=True)
class ExerciseFiles:
    """A problem read from files, with each id's row so later errors can point at it."""

    problem: PlacementProblem
    paths: dict[str, str]
    case_rows: dict[str, int] = field(default_factory=dict)
    destination_rows: dict[str, int] = field(default_factory=dict)
    override_rows: dict[str, int] = field(default_factory=dict)


def _read(path: str | Path, required: Sequence[str]) -> pd.DataFrame:
    p = Path(path)
    if not p.is_file():
        raise InvalidFile(str(path), Problem("file not found", fix="check the path"))
    try:
        frame = pd.read_csv(p, dtype=str, keep_default_na=False, skipinitialspace=True)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise InvalidFile(str(path), Problem(f"not a readable CSV file ({exc})",
                                             fix="save it as UTF-8 CSV with a header row")) from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise InvalidFile(str(path), [Problem(f"missing column '{c}'", field=c, row=1,
                                              fix=f"add a '{c}' column to the header") for c in missing])
    return frame


def _getter(rec: Mapping[Hashable, object]) -> Callable[[str], str]:
    def get(key: str) -> str:
        return str(rec.get(key, "")).strip()

    return get


def _split(cell: str) -> frozenset[str]:
    return frozenset(x.strip() for x in cell.split(";") if x.strip())


def _int(found: ProblemCollector, cell: str, row: int, column: str, *, minimum: int) -> int | None:
    text = cell.strip()
    if text == "":
        found.add("missing value", row=row, field=column, fix=f"give a whole number ≥ {minimum}")
        return None
    try:
        value = float(text)
    except ValueError:
        found.add(f"'{text}' is not a number", row=row, field=column, value=text,
                  fix=f"give a whole number ≥ {minimum}")
        return None
    if not value.is_integer():
        found.add(f"'{text}' is not a whole number", row=row, field=column, value=text)
        return None
    if value < minimum:
        found.add(f"{text} is below {minimum}", row=row, field=column, value=text,
                  fix=f"give a whole number ≥ {minimum}")
        return None
    return int(value)


def read_cases(path: str | Path) -> tuple[list[Case], dict[str, int]]:
    """Read ``cases.csv``; every problem in the file is reported at once."""
    frame = _read(path, ["case_id", "persons"])
    found = ProblemCollector()
    cases: list[Case] = []
    rows: dict[str, int] = {}
    for n, rec in enumerate(frame.to_dict("records")):
        row = n + 2
        get = _getter(rec)
        cid = get("case_id")
        if not cid:
            found.add("missing case_id", row=row, field="case_id")
            continue
        if cid in rows:
            found.add(f"duplicate case '{cid}' (first on row {rows[cid]})", row=row, field="case_id", value=cid,
                      fix="give each case its own id")
            continue
        rows[cid] = row
        persons = _int(found, get("persons"), row, "persons", minimum=1)
        arrival = None
        if get("arrival"):
            try:
                arrival = date.fromisoformat(get("arrival")[:10])
            except ValueError:
                found.add(f"'{get('arrival')}' is not a date", row=row, field="arrival", value=get("arrival"),
                          fix="use YYYY-MM-DD")
        if persons is None:
            continue
        cases.append(Case(
            case_id=cid, persons=persons, needs=_split(get("needs")), nationality=get("nationality") or None,
            fled=_split(get("fled")), unsafe=_split(get("unsafe")), languages=_split(get("languages")),
            tie=get("tie") or None, family_group=get("family_group") or None, arrival=arrival,
            group=get("group") or None,
        ))
    found.raise_if_any(str(path))
    return cases, rows


def read_destinations(path: str | Path) -> tuple[list[Destination], dict[str, int]]:
    """Read ``destinations.csv``; ``cap_<service>`` columns become service capacities."""
    frame = _read(path, ["destination_id", "country", "capacity"])
    found = ProblemCollector()
    services = [c for c in frame.columns if c.startswith("cap_")]
    out: list[Destination] = []
    rows: dict[str, int] = {}
    for n, rec in enumerate(frame.to_dict("records")):
        row = n + 2
        get = _getter(rec)
        did = get("destination_id")
        if not did:
            found.add("missing destination_id", row=row, field="destination_id")
            continue
        if did in rows:
            found.add(f"duplicate destination '{did}' (first on row {rows[did]})", row=row, field="destination_id",
                      value=did)
            continue
        rows[did] = row
        if not get("country"):
            found.add("missing country", row=row, field="country", fix="give the ISO country code")
        capacity = _int(found, get("capacity"), row, "capacity", minimum=0)
        caps: dict[str, int] = {}
        for col in services:
            if get(col):
                value = _int(found, get(col), row, col, minimum=0)
                if value is not None:
                    caps[col[4:]] = value
        unemployment = population = None
        try:
            unemployment = float(get("unemployment_rate")) if get("unemployment_rate") else None
            population = int(float(get("population"))) if get("population") else None
        except ValueError:
            found.add("unemployment_rate and population must be numbers", row=row, field="unemployment_rate")
        if capacity is None or not get("country"):
            continue
        out.append(Destination(did, get("country"), capacity, caps, _split(get("languages")),
                               _split(get("nationalities")), unemployment, population))
    found.raise_if_any(str(path))
    return out, rows


def read_scores(path: str | Path, case_ids: Sequence[str], destination_ids: Sequence[str]) -> ScoreTable:
    """Read ``scores.csv`` (vectorised: exercises have millions of pairs)."""
    frame = _read(path, ["case_id", "destination_id", "score"])
    found = ProblemCollector()
    cidx = pd.Index(case_ids).get_indexer(pd.Index(frame["case_id"].str.strip()))
    didx = pd.Index(destination_ids).get_indexer(pd.Index(frame["destination_id"].str.strip()))
    score = pd.to_numeric(frame["score"].str.strip(), errors="coerce").to_numpy(dtype=np.float64)
    rows = np.arange(len(frame)) + 2
    for k in np.flatnonzero(cidx < 0)[:100]:
        found.add(f"unknown case '{frame['case_id'].iat[k]}'", row=int(rows[k]), field="case_id",
                  fix="every case_id must appear in the cases file")
    for k in np.flatnonzero(didx < 0)[:100]:
        found.add(f"unknown destination '{frame['destination_id'].iat[k]}'", row=int(rows[k]),
                  field="destination_id", fix="every destination_id must appear in the destinations file")
    for k in np.flatnonzero(~np.isfinite(score))[:100]:
        found.add(f"'{frame['score'].iat[k]}' is not a number", row=int(rows[k]), field="score",
                  value=str(frame["score"].iat[k]), fix="scores are decimal numbers such as 0.42")
    ok = (cidx >= 0) & (didx >= 0)
    key = cidx.astype(np.int64) * max(len(destination_ids), 1) + didx
    dup = pd.Series(key).duplicated().to_numpy() & ok
    for k in np.flatnonzero(dup)[:100]:
        found.add(f"pair {frame['case_id'].iat[k]}–{frame['destination_id'].iat[k]} is scored twice",
                  row=int(rows[k]), field="destination_id", fix="keep one row per pair")
    found.raise_if_any(str(path))
    return ScoreTable(cidx.astype(np.int64), didx.astype(np.int64), score)


def read_exercise(
    cases: str | Path,
    destinations: str | Path,
    scores: str | Path,
    *,
    quotas: str | Path | None = None,
    overrides: str | Path | None = None,
    family_decisions: str | Path | None = None,
) -> ExerciseFiles:
    """Read all files of an exercise into a :class:`PlacementProblem`.

    >>> read_exercise("nope.csv", "d.csv", "s.csv")
    Traceback (most recent call last):
    ...
    asylon.errors.InvalidFile: nope.csv: file not found; check the path
    """
    case_list, case_rows = read_cases(cases)
    dest_list, dest_rows = read_destinations(destinations)
    table = read_scores(scores, [c.case_id for c in case_list], [d.destination_id for d in dest_list])
    quota_map: dict[str, int] = {}
    if quotas is not None:
        frame = _read(quotas, ["country", "quota"])
        found = ProblemCollector()
        for n, rec in enumerate(frame.to_dict("records")):
            value = _int(found, str(rec["quota"]), n + 2, "quota", minimum=0)
            if value is not None:
                quota_map[str(rec["country"]).strip()] = value
        found.raise_if_any(str(quotas))
    ov_list: list[Override] = []
    ov_rows: dict[str, int] = {}
    if overrides is not None:
        frame = _read(overrides, ["case_id", "destination_id", "actor", "reason"])
        for n, rec in enumerate(frame.to_dict("records")):
            ov_list.append(Override(*(str(rec[k]).strip() for k in ("case_id", "destination_id", "actor", "reason"))))
            ov_rows[str(n)] = n + 2
            ov_rows.setdefault(ov_list[-1].case_id, n + 2)
    fd_list: list[FamilyUnityDecision] = []
    if family_decisions is not None:
        frame = _read(family_decisions, ["family_group", "actor", "reason"])
        fd_list = [FamilyUnityDecision(*(str(rec[k]).strip() for k in ("family_group", "actor", "reason")))
                   for rec in frame.to_dict("records")]
    paths = {"cases": str(cases), "destinations": str(destinations), "scores": str(scores),
             "overrides": str(overrides or ""), "family_decisions": str(family_decisions or ""),
             "quotas": str(quotas or "")}
    problem = PlacementProblem(case_list, dest_list, table, quota_map, ov_list, fd_list)
    return ExerciseFiles(problem, paths, case_rows, dest_rows, ov_rows)


def locate(exc: InvalidInput, files: ExerciseFiles) -> InvalidInput:
    """Point an engine error at the file and row it came from (problems carry the id in ``value``)."""
    if isinstance(exc, InvalidFile):
        return exc
    by_file: dict[str, list[Problem]] = {}
    for p in exc.problems:
        row: int | None
        if p.field in {"tie", "persons", "case_id"} and p.value in files.case_rows:
            target, row = "cases", files.case_rows[p.value]
        elif p.field == "capacity" or (p.field or "").startswith("cap_"):
            target, row = "destinations", files.destination_rows.get(p.value or "")
        elif p.field in {"override", "actor", "reason", "destination_id"} and p.value in files.override_rows:
            target, row = "overrides", files.override_rows[p.value]
        elif p.field in {"family_group"}:
            target, row = "family_decisions", None
        else:
            target, row = "cases", None
        by_file.setdefault(files.paths[target] or target, []).append(
            Problem(p.message, field=p.field, row=row, value=p.value, fix=p.fix))
    if len(by_file) == 1:
        (path, problems), = by_file.items()
        return InvalidFile(path, problems)
    return InvalidInput([Problem(f"{path}: {p}") for path, ps in by_file.items() for p in ps])


def _fmt_alts(a: Assignment) -> str:
    return "; ".join(f"{x.destination_id}:{x.score:.4f}" for x in a.runner_ups)


def _fmt_constraints(a: Assignment) -> str:
    return "; ".join(
        f"{c.constraint} {c.used:g}/{c.limit:g}{' binding' if c.binding else ''} price {c.dual:.4f}"
        for c in a.constraints)


OUTPUT_COLUMNS = ("case_id", "destination_id", "score", "status", "reason", "actor", "family_group", "batch",
                  "runner_ups", "constraints")


def write_placements(path: str | Path, result: PlacementResult | DynamicResult) -> None:
    """Write one row per case: destination (empty if unplaced), score, status, reason and explanation."""
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(OUTPUT_COLUMNS)
        for a in result.assignments:
            w.writerow([a.case_id, a.destination_id or "", "" if a.score is None else f"{a.score:.6f}", a.status,
                        a.reason, a.actor or "", a.family_group or "", "" if a.batch is None else a.batch,
                        _fmt_alts(a), _fmt_constraints(a)])


def summary(result: PlacementResult | DynamicResult) -> dict[str, object]:
    """The summary block: objective, bound, LP bound, gap, unplaced (and hindsight and ratio in dynamic mode).

    ``gap`` is to ``bound`` (HiGHS's proof when it solved the whole integer program, else the LP bound);
    ``lp_gap`` is to the LP bound.
    """
    if isinstance(result, PlacementResult):
        return {"mode": "static", "objective": result.objective, "bound": result.bound,
                "lp_bound": result.lp_bound, "gap": result.gap, "lp_gap": result.lp_gap, "proven": result.proven,
                "total_score": result.total_score, "placed_cases": result.placed_cases,
                "placed_persons": result.placed_persons, "unplaced": result.unplaced_cases,
                "status": result.status, "seconds": round(result.seconds, 3), "notes": list(result.notes)}
    return {"mode": "dynamic", "policy": result.policy, "total_score": result.total_score,
            "placed_cases": result.placed_cases, "unplaced": result.unplaced_cases, "batches": result.batches,
            "hindsight": result.hindsight, "ratio": result.ratio, "seconds": round(result.seconds, 3),
            "notes": list(result.notes)}


def write_summary(path: str | Path, result: PlacementResult | DynamicResult) -> None:
    Path(path).write_text(json.dumps(summary(result), indent=2) + "\n", encoding="utf-8")


def write_exercise(directory: str | Path, problem: PlacementProblem) -> dict[str, Path]:
    """Write ``problem`` as the CSV files above (used for demos and tests)."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    services = sorted({s for d in problem.destinations for s in d.services})
    paths = {k: out / f"{k}.csv" for k in ("cases", "destinations", "scores")}
    j = ";".join
    with open(paths["cases"], "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["case_id", "persons", "arrival", "tie", "needs", "nationality", "fled", "unsafe", "languages",
                    "family_group"])
        for c in problem.cases:
            w.writerow([c.case_id, c.persons, c.arrival.isoformat() if c.arrival else "", c.tie or "",
                        j(sorted(c.needs)), c.nationality or "", j(sorted(c.fled)), j(sorted(c.unsafe)),
                        j(sorted(c.spoken)), c.family_group or ""])
    with open(paths["destinations"], "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["destination_id", "country", "capacity", *[f"cap_{s}" for s in services], "languages",
                    "nationalities"])
        for d in problem.destinations:
            w.writerow([d.destination_id, d.country, d.capacity, *[d.services.get(s, "") for s in services],
                        j(sorted(d.languages)), j(sorted(d.nationalities))])
    t = problem.scores
    pd.DataFrame({
        "case_id": np.asarray([c.case_id for c in problem.cases])[t.case],
        "destination_id": np.asarray([d.destination_id for d in problem.destinations])[t.destination],
        "score": np.round(t.score, 6),
    }).to_csv(paths["scores"], index=False)
    if problem.quotas:
        paths["quotas"] = out / "quotas.csv"
        pd.DataFrame({"country": list(problem.quotas), "quota": list(problem.quotas.values())}).to_csv(
            paths["quotas"], index=False)
    return paths
