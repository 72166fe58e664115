"""Importing and exporting caseloads."""

from __future__ import annotations

import itertools
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Literal

import typer

from asylon.cli.context import USER_HELP, acting, console, progress_bar
from asylon.cli.errors import run_guarded
from asylon.db.engine import transaction
from asylon.schemas.cases import CasePublic
from asylon.services import caseviews
from asylon.services.caseviews import CaseFilters
from asylon.services.imports import ImportReport, import_cases
from asylon.services.interchange.recipient import cases_for_recipient
from asylon.services.interchange.writer import write_cases
from asylon.services.visibility import PURPOSES, declared_purpose

import_app = typer.Typer(help="Import data from files.", no_args_is_help=True)
export_app = typer.Typer(help="Export data to files.", no_args_is_help=True)
Fmt = Literal["csv", "hxl", "json"]


@import_app.command("cases")
def import_cases_command(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="CSV, HXL or JSON file")],
    user: Annotated[str, typer.Option("--user", "-u", envvar="ASYLON_USER", help=USER_HELP)],
    format: Annotated[str | None, typer.Option(help="csv, hxl or json; detected when omitted")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Validate and report; write nothing")] = False,
) -> None:
    """Import a caseload: every row is checked first; then all of it is written, or nothing."""
    if format not in (None, "csv", "hxl", "json"):
        raise typer.BadParameter("use csv, hxl or json", param_hint="--format")

    def action() -> ImportReport:
        content = file.read_bytes()
        with progress_bar() as progress, transaction() as session:
            report = import_cases(session, actor=acting(session, user), content=content, filename=file.name,
                                  fmt=format, dry_run=dry_run, progress=progress)  # type: ignore[arg-type]
            if dry_run:
                session.rollback()
            return report

    report = run_guarded(action)
    verb = "would import" if report.dry_run else "imported"
    console.print(f"{verb} {report.cases:,} cases ({report.rows:,} persons) from {report.filename}: "
                  f"{report.created:,} created, {report.updated:,} updated, {report.unchanged:,} unchanged", soft_wrap=True)
    for warning in report.warnings[:20]:
        console.print(f"[yellow]warning:[/] {warning}", highlight=False)


@export_app.command("cases")
def export_cases_command(
    user: Annotated[str, typer.Option("--user", "-u", envvar="ASYLON_USER", help=USER_HELP)],
    format: Annotated[str, typer.Option(help="csv, hxl or json")] = "csv",
    out: Annotated[Path | None, typer.Option(help="File to write; standard output when omitted")] = None,
    situation: Annotated[str | None, typer.Option(help="Only this situation's cases")] = None,
    purpose: Annotated[str | None, typer.Option(
        help="Declared purpose: other organisations' cases shared with you for it are exported too (only the "
             "agreed fields); with --for, the purpose the recipient's agreement is for")] = None,
    recipient: Annotated[str | None, typer.Option(
        "--for", help="Organisation (slug) the file is for: your cases as it may see them under its agreement "
                      "for --purpose; each person written is logged as disclosed to it")] = None,
) -> None:
    """Export the cases you may see, in the shape `asylon import cases` reads."""
    if format not in ("csv", "hxl", "json"):
        raise typer.BadParameter("use csv, hxl or json", param_hint="--format")
    if recipient and not purpose:
        raise typer.BadParameter("an export for another organisation names the purpose of its agreement",
                                 param_hint="--purpose")
    if purpose and purpose not in PURPOSES:
        raise typer.BadParameter(f"use one of: {', '.join(sorted(PURPOSES))}", param_hint="--purpose")

    def action() -> int:
        count = 0
        with transaction(write=False) as session, declared_purpose(purpose, channel="export"):
            actor = acting(session, user)
            if recipient:
                assert purpose is not None
                cases = cases_for_recipient(session, actor=actor, recipient=recipient, purpose=purpose,
                                            situation=situation)
            else:
                cases = caseviews.iter_cases(session, actor=actor, filters=CaseFilters(situation=situation))
            first = next(cases, None)  # a refusal (no agreement) comes before anything is written
            if first is not None:
                cases = itertools.chain([first], cases)

            def counted() -> Iterator[CasePublic]:
                nonlocal count
                for case in cases:
                    count += 1
                    yield case

            target = out.open("w", encoding="utf-8", newline="") if out else sys.stdout
            try:
                for chunk in write_cases(counted(), format):  # type: ignore[arg-type]  # checked above
                    target.write(chunk)
            finally:
                if out:
                    target.close()
        return count

    count = run_guarded(action)
    if out:
        console.print(f"exported {count:,} cases to {out}")


def register(app: typer.Typer) -> None:
    app.add_typer(import_app, name="import")
    app.add_typer(export_app, name="export")
