"""``asylon place``: place cases into destinations from CSV files, static or dynamic.

::

    asylon place --cases cases.csv --destinations destinations.csv --scores scores.csv \\
        [--mode static|dynamic] [--hindsight] --out placements.csv

File formats (full text in ``docs/placement.md`` and :mod:`asylon.engines.placement.files`):

- ``cases.csv``: ``case_id,persons`` and optional ``arrival`` (ISO date; order of arrival in dynamic mode),
  ``tie``, ``needs`` (semicolon-separated service codes), ``nationality``, ``fled``, ``unsafe``,
  ``languages``, ``family_group``, ``group``.
- ``destinations.csv``: ``destination_id,country,capacity`` plus one ``cap_<service>`` column per service
  capacity, optional ``languages``, ``nationalities``.
- ``scores.csv``: ``case_id,destination_id,score``; a pair that is absent is not allowed.
- optional ``--quotas`` (``country,quota``), ``--overrides`` (``case_id,destination_id,actor,reason``),
  ``--family-decisions`` (``family_group,actor,reason``).

Output: ``placements.csv`` with one row per case (``case_id,destination_id,score,status,reason,actor,
family_group,batch,runner_ups,constraints``; ``destination_id`` empty and ``reason`` given when unplaced)
and ``<out>.summary.json`` (objective, LP bound, gap, unplaced; in dynamic mode with ``--hindsight`` the
hindsight optimum and the ratio). The summary is also printed.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from asylon.cli.errors import run_guarded


class Mode(StrEnum):
    static = "static"
    dynamic = "dynamic"


class Policy(StrEnum):
    resolve = "resolve"
    potentials = "potentials"
    greedy = "greedy"
    random = "random"


def _place(
    cases: Path, destinations: Path, scores: Path, out: Path, mode: Mode, hindsight: bool, quotas: Path | None,
    overrides: Path | None, family_decisions: Path | None, policy: Policy, gap: float, time_limit: float,
    fairness_floor: float | None, month_balance: float | None,
    history_cases: Path | None = None, history_scores: Path | None = None,
) -> None:
    from asylon.engines.placement import files
    from asylon.engines.placement.dynamic import DynamicOptions, place_dynamic
    from asylon.engines.placement.model import (
        DynamicResult,
        PlacementOptions,
        PlacementProblem,
        PlacementResult,
    )
    from asylon.engines.placement.static import place
    from asylon.errors import InvalidInput

    exercise = files.read_exercise(cases, destinations, scores, quotas=quotas, overrides=overrides,
                                   family_decisions=family_decisions)
    history = None
    if (history_cases is None) != (history_scores is None):
        raise InvalidInput("--history-cases and --history-scores go together: last year's cases and their "
                           "scores against these destinations")
    if history_cases is not None and history_scores is not None:
        past, _ = files.read_cases(history_cases)
        dests = list(exercise.problem.destinations)
        past_scores = files.read_scores(history_scores, [c.case_id for c in past],
                                        [d.destination_id for d in dests])
        history = PlacementProblem(past, dests, past_scores)
    result: PlacementResult | DynamicResult
    try:
        if mode is Mode.static:
            result = place(exercise.problem, PlacementOptions(mip_gap=gap, time_limit=time_limit,
                                                              fairness_floor=fairness_floor))
        else:
            result = place_dynamic(exercise.problem, DynamicOptions(
                policy=policy.value, hindsight=hindsight, fairness_floor=fairness_floor,
                month_balance=month_balance, history=history))
    except InvalidInput as exc:
        raise files.locate(exc, exercise) from exc
    files.write_placements(out, result)
    summary_path = out.with_suffix(".summary.json")
    files.write_summary(summary_path, result)
    table = Table(title=f"placement ({mode.value})", show_header=False)
    for key, value in files.summary(result).items():
        if key == "notes":
            continue
        text = f"{value:.6g}" if isinstance(value, float) else str(value)
        if key in {"gap", "lp_gap", "ratio"} and isinstance(value, float):
            text = f"{value:.4%}"
        table.add_row(key, text)
    console = Console()
    console.print(table)
    for note in files.summary(result)["notes"]:  # type: ignore[attr-defined]
        console.print(f"note: {note}", highlight=False)
    console.print(f"wrote {out} and {summary_path}", highlight=False)


def register(app: typer.Typer) -> None:
    """Add ``asylon place`` to the root app."""

    @app.command("place")
    def place_command(
        cases: Path = typer.Option(..., "--cases", help="cases.csv: case_id,persons[,arrival,tie,needs,...]"),
        destinations: Path = typer.Option(..., "--destinations", help="destinations.csv: destination_id,country,"
                                          "capacity[,cap_<service>...]"),
        scores: Path = typer.Option(..., "--scores", help="scores.csv: case_id,destination_id,score"),
        out: Path = typer.Option(..., "--out", help="placements.csv to write (and <out>.summary.json)"),
        mode: Mode = typer.Option(Mode.static, "--mode", help="static: all at once; dynamic: weekly batches"),
        hindsight: bool = typer.Option(False, "--hindsight", help="dynamic mode: also solve with hindsight and "
                                       "report the ratio"),
        quotas: Path | None = typer.Option(None, "--quotas", help="quotas.csv: country,quota"),
        overrides: Path | None = typer.Option(None, "--overrides", help="overrides.csv: case_id,destination_id,"
                                              "actor,reason"),
        family_decisions: Path | None = typer.Option(None, "--family-decisions", help="family_group,actor,reason:"
                                                     " groups that may be split"),
        policy: Policy = typer.Option(Policy.resolve, "--policy", help="dynamic mode: resolve (batch with the "
                                      "expected future), potentials (dual prices), greedy, random"),
        gap: float = typer.Option(1e-3, "--gap", help="relative gap to the LP bound to stop at"),
        time_limit: float = typer.Option(600.0, "--time-limit", help="seconds"),
        fairness_floor: float | None = typer.Option(None, "--fairness-floor", help="0-1: each group's share of "
                                                    "its best possible score"),
        month_balance: float | None = typer.Option(None, "--month-balance", help="dynamic mode: tolerance over "
                                                   "an even monthly share of capacity, e.g. 0.25"),
        history_cases: Path | None = typer.Option(None, "--history-cases", help="dynamic mode, policy resolve: "
                                                  "last year's cases.csv (with arrival dates), the shape of the "
                                                  "future"),
        history_scores: Path | None = typer.Option(None, "--history-scores", help="scores.csv of last year's "
                                                   "cases against these destinations"),
    ) -> None:
        """Place cases into destinations: capacities, services, quotas, ties, family unity and safeguards kept."""
        run_guarded(lambda: _place(cases, destinations, scores, out, mode, hindsight, quotas, overrides,
                                   family_decisions, policy, gap, time_limit, fairness_floor, month_balance,
                                   history_cases, history_scores))
