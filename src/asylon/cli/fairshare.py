"""``asylon fairshare``: fair shares and whole-person quotas under a distribution key."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from asylon.cli.errors import run_guarded
from asylon.data import facts
from asylon.engines.fairshare.allocation import FairShare, fair_share, resolve_key, states_with_data
from asylon.engines.fairshare.inputs import read_inputs_csv
from asylon.engines.fairshare.model import METHODS, Method
from asylon.engines.fairshare.presets import PRESETS, ec_2015_relocation
from asylon.errors import InvalidInput, Problem

console = Console()

KEY_HELP = f"A preset ({', '.join(PRESETS)}) or the path of a JSON key file."


def _write(result: FairShare, path: Path) -> None:
    rows = result.rows()
    if path.suffix.lower() == ".json":
        document = {
            "key": result.spec.name,
            "method": result.allocation.method,
            "total": result.allocation.total,
            "allocated": result.allocation.allocated,
            "year": result.year,
            "removed_by_caps": result.key.removed_by_caps,
            "rows": rows,
        }
        path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    elif path.suffix.lower() == ".csv":
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    else:
        raise InvalidInput(
            Problem(f"cannot write {path.name}", field="out", fix="end the file name in .csv or .json")
        )


def _render(result: FairShare, total: int) -> None:
    names = {c.iso3: c.name for c in facts.countries(states_only=False)}
    table = Table(title=f"{result.spec.name}: {total:,} by {result.allocation.method}", title_justify="left")
    table.add_column("State")
    table.add_column("Name")
    table.add_column("Share %", justify="right")
    table.add_column("Quota", justify="right")
    table.add_column("Allocated", justify="right")
    for column in result.spec.columns:
        table.add_column(column, justify="right")
    order = sorted(range(len(result.key.states)), key=lambda i: -result.key.shares[i])
    for i in order:
        state = result.key.states[i]
        table.add_row(
            state,
            names.get(state, ""),
            f"{result.key.shares[i] * 100:.4f}",
            f"{result.allocation.quotas[i]:,.2f}",
            f"{int(result.allocation.seats[i]):,}",
            *(f"{result.table.values[c][i]:,.6g}" for c in result.spec.columns),
        )
    console.print(table)
    allocated = result.allocation.allocated
    note = "" if allocated == total else f" (independent rounding: {allocated - total:+,} against the total)"
    console.print(f"Allocated {allocated:,} of {total:,}{note}.")
    if result.key.removed_by_caps:
        console.print(
            f"Caps removed {result.key.removed_by_caps:.4%} of the key, redistributed by population and GDP."
        )
    sources = sorted({p for column in result.table.provenance.values() for p in column.values()})
    if sources:
        console.print(
            "Sources: " + "; ".join(sources[:8]) + (" ..." if len(sources) > 8 else ""), highlight=False
        )


def register(app: typer.Typer) -> None:
    @app.command("fairshare")
    def fairshare(
        key: Annotated[str, typer.Option("--key", help=KEY_HELP)],
        total: Annotated[
            int | None, typer.Option("--total", help="Persons (or euros) to share; default: the preset's.")
        ] = None,
        states: Annotated[
            str | None,
            typer.Option("--states", help="ISO3 codes, comma-separated, or 'all' (every state with data)."),
        ] = None,
        year: Annotated[int | None, typer.Option("--year", help="Year of the shipped figures.")] = None,
        inputs: Annotated[
            Path | None, typer.Option("--inputs", help="CSV with iso3 and figure columns.")
        ] = None,
        method: Annotated[str, typer.Option("--method", help=f"One of {', '.join(METHODS)}.")] = "hamilton",
        latest: Annotated[
            bool, typer.Option("--latest", help="Use the latest figure up to --year when one is missing.")
        ] = False,
        cap_reading: Annotated[
            str | None,
            typer.Option(
                "--cap-reading", help="ec-2015-relocation only: cap base 'mean' (default) or 'sum'."
            ),
        ] = None,
        out: Annotated[
            Path | None, typer.Option("--out", help="Also write the rows to FILE.csv or FILE.json.")
        ] = None,
    ) -> None:
        """Fair shares of a common effort under a distribution key, as whole persons per state."""

        def action() -> None:
            if method not in METHODS:
                raise InvalidInput(
                    Problem(
                        f"unknown method {method!r}", field="method", fix=f"use one of {', '.join(METHODS)}"
                    )
                )
            if cap_reading is not None and cap_reading not in ("mean", "sum"):
                raise InvalidInput(
                    Problem(f"unknown cap reading {cap_reading!r}", field="cap-reading", fix="mean or sum")
                )
            spec = resolve_key(key)
            if cap_reading is not None:
                if key != "ec-2015-relocation":
                    raise InvalidInput(
                        Problem(
                            "--cap-reading applies to ec-2015-relocation only",
                            field="cap-reading",
                            fix="drop it",
                        )
                    )
                spec = ec_2015_relocation(cap_reading=cap_reading)  # type: ignore[arg-type]
            amount = total
            if amount is None:
                amount = PRESETS[key].default_total if key in PRESETS else None
                if amount is None:
                    raise InvalidInput(Problem("no total given", field="total", fix="give --total N"))
            table_inputs = read_inputs_csv(inputs) if inputs is not None else None
            chosen: list[str] | None = None
            if states is not None and states.strip().lower() == "all":
                if year is None:
                    raise InvalidInput(
                        Problem("--states all needs a year", field="year", fix="give --year, e.g. 2023")
                    )
                chosen = list(states_with_data(spec, year, latest=latest))
            elif states is not None:
                chosen = states.split(",")
            result = fair_share(
                spec,
                total=amount,
                states=chosen,
                year=year,
                inputs=table_inputs,
                method=method,
                latest=latest,
            )
            _render(result, amount)
            if out is not None:
                _write(result, out)
                console.print(f"Wrote {out}.")

        run_guarded(action)


__all__ = ["Method", "register"]
