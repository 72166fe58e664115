"""``asylon pledges`` and ``asylon appeals``: pledges through their lifecycle, appeals, coverage and gaps, flows.

Commands parse, call one service in :mod:`asylon.services.pledges` or :mod:`asylon.services.funding`, and render;
the rules (and who may do what) live there.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.table import Table

from asylon.cli.context import USER_HELP, acting, console
from asylon.cli.errors import run_guarded
from asylon.db.engine import transaction
from asylon.errors import InvalidInput, Problem
from asylon.schemas.pledges import AppealCreate, PledgeChange, PledgeCreate, RequirementSet
from asylon.services import funding, pledges
from asylon.services.pledges import PledgeView

pledges_app = typer.Typer(help="Pledges: record, commit, pay, report; coverage and gaps; flows in and out.",
                          no_args_is_help=True)
appeals_app = typer.Typer(help="Appeals (plans) per situation, with requirements by sector.", no_args_is_help=True)
User = Annotated[str, typer.Option("--user", "-u", envvar="ASYLON_USER", help=USER_HELP)]


def _validated(model, data: Mapping[str, object]):  # type: ignore[no-untyped-def]
    """Pydantic errors as asylon's InvalidInput, so the CLI prints the option to fix."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput([Problem(str(e["msg"]).removeprefix("Value error, "),
                                    field=".".join(str(p) for p in e["loc"]) or None) for e in exc.errors()]) from None


def _amount(text: str | None, option: str) -> Decimal | None:
    if text is None:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        raise InvalidInput(Problem(f"'{text}' is not an amount", field=option, fix="write e.g. 250000.00")) from None


def _pledge_table(views: list[PledgeView]) -> Table:
    table = Table("reference", "type", "pledgers", "situation", "sector", "unit", "pledged", "committed", "paid",
                  "status", title="Pledges", title_justify="left")
    for v in views:
        p = pledges.pledge_public(v)
        table.add_row(p.reference, p.type, "; ".join(x.name for x in p.pledgers), p.situation or "", p.sector,
                      p.unit, f"{p.pledged:,}", f"{p.committed:,}", f"{p.paid:,}", p.status)
    return table


@pledges_app.command("list")
def list_command(
    user: User,
    situation: Annotated[str | None, typer.Option(help="Only this situation's pledges")] = None,
    type: Annotated[str | None, typer.Option(help="financial, material, technical, policy, resettlement_places, "
                                                  "complementary_pathways")] = None,
    status: Annotated[str | None, typer.Option(help="pledged, committed, partly_paid, paid, closed, cancelled")] = None,
) -> None:
    """List pledges with their replayed amounts and status."""

    def action() -> Table:
        with transaction(write=False) as session:
            return _pledge_table(pledges.list_pledges(session, actor=acting(session, user), situation=situation,
                                                      type=type, status=status))

    console.print(run_guarded(action))


@pledges_app.command("show")
def show_command(reference: str, user: User) -> None:
    """One pledge and every change to it."""

    def action() -> tuple[Table, Table]:
        with transaction(write=False) as session:
            actor = acting(session, user)
            view = pledges.get_pledge(session, actor=actor, reference=reference)
            history = Table("#", "kind", "amount", "note", "by", "at", title="Events", title_justify="left")
            for e in view.row.events:
                event = pledges.event_public(e, actor)
                history.add_row(str(event.seq), event.kind, "" if event.amount is None else f"{event.amount:,}",
                                event.note, event.actor or event.organisation, event.at.isoformat(timespec="seconds"))
            return _pledge_table([view]), history

    summary, history = run_guarded(action)
    console.print(summary)
    console.print(history)


@pledges_app.command("add")
def add_command(
    user: User,
    reference: Annotated[str, typer.Option(help="The pledge's own reference, e.g. GRF-2023-0042")],
    type: Annotated[str, typer.Option(help="financial, material, technical, policy, resettlement_places, "
                                           "complementary_pathways")],
    pledger: Annotated[list[str], typer.Option(help="Organisation slug or outside name; repeat for a joint pledge")],
    unit: Annotated[str, typer.Option(help="Currency (USD, EUR) for money; persons, places or units otherwise")],
    amount: Annotated[str, typer.Option(help="What is pledged, in the unit")],
    usd_rate: Annotated[str | None, typer.Option(help="USD per unit, for money not in USD")] = None,
    situation: Annotated[str | None, typer.Option(help="Situation code")] = None,
    appeal: Annotated[str | None, typer.Option(help="Appeal code")] = None,
    sector: Annotated[str | None, typer.Option(help="A sector of the situation's appeals")] = None,
    country: Annotated[str | None, typer.Option(help="State whose effort it counts towards (ISO3)")] = None,
    year: Annotated[int | None, typer.Option(help="The pledge's year")] = None,
    title: Annotated[str, typer.Option(help="Short title")] = "",
) -> None:
    """Record a pledge (its first event: the amount pledged)."""

    def action() -> str:
        data = {"reference": reference, "type": type, "pledgers": pledger, "unit": unit,
                "amount": _amount(amount, "amount"), "usd_rate": _amount(usd_rate, "usd-rate"),
                "situation": situation, "appeal": appeal, "sector": sector, "country": country, "year": year,
                "title": title}
        with transaction() as session:
            view = pledges.create_pledge(session, actor=acting(session, user),
                                         data=_validated(PledgeCreate, {k: v for k, v in data.items() if v is not None}))
            return view.state.status

    status = run_guarded(action)
    console.print(f"recorded pledge [bold]{reference}[/] ({status})")


@pledges_app.command("change")
def change_command(
    reference: str,
    kind: Annotated[str, typer.Argument(help="commit, pay, adjust, progress, cancel or close")],
    user: User,
    amount: Annotated[str | None, typer.Option(help="Amount in the pledge's unit")] = None,
    note: Annotated[str, typer.Option(help="Why (required to adjust) or what was done (progress)")] = "",
    target: Annotated[str, typer.Option(help="What an adjustment changes: committed or pledged")] = "committed",
) -> None:
    """Record one change; a change the lifecycle refuses is reported with the rule's name (exit code 7)."""

    def action() -> PledgeView:
        data = {"reference": reference, "kind": kind, "amount": _amount(amount, "amount"), "note": note,
                "target": target}
        with transaction() as session:
            return pledges.change_pledge(session, actor=acting(session, user), data=_validated(PledgeChange, data))

    view = run_guarded(action)
    state = view.state
    console.print(f"{reference}: {state.status}; pledged {state.pledged:,}, committed {state.committed:,}, "
                  f"paid {state.paid:,} {view.row.unit}")


@pledges_app.command("coverage")
def coverage_command(
    user: User,
    situation: Annotated[str | None, typer.Option(help="Only this situation")] = None,
    appeal: Annotated[str | None, typer.Option(help="Only this appeal's requirements and pledges")] = None,
) -> None:
    """Required, pledged, committed, paid and the gap per situation and sector (USD)."""

    def action() -> Table:
        table = Table("situation", "sector", "required", "pledged", "committed", "paid", "gap", "coverage %",
                      title="Funding coverage (USD; funded = committed + paid)", title_justify="left")
        with transaction(write=False) as session:
            for row in funding.funding_coverage(session, actor=acting(session, user), situation=situation,
                                                appeal=appeal):
                pct = "" if row.coverage_pct is None else f"{row.coverage_pct:.1f}"
                table.add_row(row.situation, row.sector or "[bold]total[/]", f"{row.required:,}",
                              f"{row.pledged:,}", f"{row.committed:,}", f"{row.paid:,}", f"{row.gap:,}", pct)
        return table

    console.print(run_guarded(action))


@pledges_app.command("export")
def export_command(
    user: User,
    format: Annotated[str, typer.Option(help="csv, hxl or fts (FTS-style JSON)")] = "csv",
    out: Annotated[Path | None, typer.Option(help="File to write; standard output when omitted")] = None,
    situation: Annotated[str | None, typer.Option(help="Only this situation")] = None,
) -> None:
    """Financial pledges as funding flows, in the shape `asylon pledges import` reads."""

    def action() -> str:
        with transaction(write=False) as session:
            return funding.export_flows(session, actor=acting(session, user), format=format, situation=situation)

    text = run_guarded(action)
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        console.print(f"exported flows to {out}")


@pledges_app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="CSV, HXL or JSON flows")],
    user: User,
    format: Annotated[str | None, typer.Option(help="csv, hxl or fts; detected when omitted")] = None,
) -> None:
    """Import flows into pledges, idempotent by reference; every row is checked, then all is written or nothing."""

    def action() -> funding.ImportResult:
        with transaction() as session:
            return funding.import_flows(session, actor=acting(session, user), content=file.read_bytes(),
                                        filename=file.name, fmt=format)

    result = run_guarded(action)
    console.print(f"imported {result.flows:,} flows ({result.pledges:,} pledges) from {result.filename}: "
                  f"{result.created:,} created, {result.updated:,} updated, {result.unchanged:,} unchanged")


@appeals_app.command("list")
def appeals_list(user: User, situation: Annotated[str | None, typer.Option(help="Only this situation")] = None) -> None:
    """Appeals with their requirements by sector."""

    def action() -> Table:
        table = Table("appeal", "situation", "year", "sector", "required (USD)", title="Appeals", title_justify="left")
        with transaction(write=False) as session:
            for appeal in funding.list_appeals(session, actor=acting(session, user), situation=situation):
                shown = funding.appeal_public(appeal)
                for r in shown.requirements or []:
                    table.add_row(shown.code, shown.situation, str(shown.year), r.sector, f"{r.amount_usd:,}")
        return table

    console.print(run_guarded(action))


@appeals_app.command("add")
def appeals_add(
    code: str,
    user: User,
    situation: Annotated[str, typer.Option(help="Situation code")],
    name: Annotated[str, typer.Option(help="Name of the plan")],
    year: Annotated[int, typer.Option(help="Year of the plan")],
    requirement: Annotated[list[str] | None, typer.Option(help="SECTOR=USD, repeatable, e.g. Health=1000000")] = None,
) -> None:
    """Create an appeal (admins)."""

    def action() -> None:
        items = []
        for text in requirement or []:
            sector, sep, value = text.rpartition("=")
            if not sep or not sector.strip():
                raise InvalidInput(Problem(f"'{text}' is not SECTOR=USD", field="requirement", fix="e.g. Health=1000000"))
            items.append({"sector": sector.strip(), "amount_usd": _amount(value.strip(), "requirement")})
        data = {"code": code, "situation": situation, "name": name, "year": year, "requirements": items}
        with transaction() as session:
            funding.create_appeal(session, actor=acting(session, user), data=_validated(AppealCreate, data))

    run_guarded(action)
    console.print(f"created appeal [bold]{code}[/]")


@appeals_app.command("require")
def appeals_require(
    appeal: str,
    sector: str,
    amount_usd: str,
    user: User,
    reason: Annotated[str, typer.Option(help="Why the requirement changes")] = "",
) -> None:
    """Set one sector's requirement of an appeal (admins of its organisation); the change is an event."""

    def action() -> None:
        data = {"appeal": appeal, "sector": sector, "amount_usd": _amount(amount_usd, "amount_usd"), "reason": reason}
        with transaction() as session:
            funding.set_requirement(session, actor=acting(session, user), data=_validated(RequirementSet, data))

    run_guarded(action)
    console.print(f"{appeal}: {sector} requires {amount_usd} USD")


def register(app: typer.Typer) -> None:
    app.add_typer(pledges_app, name="pledges")
    app.add_typer(appeals_app, name="appeals")


__all__ = ["register"]
