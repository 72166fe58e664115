"""Data-sharing agreements, per-person access reports, and the webhook delivery worker."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.table import Table

from asylon.cli.context import USER_HELP, acting, console
from asylon.cli.errors import run_guarded
from asylon.db.engine import get_engine, transaction
from asylon.errors import InvalidFile, Problem
from asylon.schemas.agreements import AgreementAction, AgreementCreate, AgreementPublic, DisclosurePublic
from asylon.services import access_log, agreements
from asylon.services.deliverer import LEASE_NAME, Deliverer
from asylon.services.leases import lease_for
from asylon.services.webhooks import WebhookWorker

agreements_app = typer.Typer(help="Data-sharing agreements between organisations.", no_args_is_help=True)
feed_app = typer.Typer(help="The event feed: webhook deliveries.", no_args_is_help=True)
User = Annotated[str, typer.Option("--user", "-u", envvar="ASYLON_USER", help=USER_HELP)]


@agreements_app.command("list")
def list_command(user: User) -> None:
    """The agreements your organisation is a party to, with their status today."""

    def action() -> list[AgreementPublic]:
        with transaction(write=False) as session:
            return [agreements.to_public(a) for a in agreements.list_agreements(session, actor=acting(session, user))]

    table = Table("id", "title", "purpose", "status", "parties", "fields", "valid")
    for a in run_guarded(action):
        parties = ", ".join(p.organisation + ("" if p.approved_at else " (not approved)") for p in a.parties)
        table.add_row(str(a.id), a.title, a.purpose, str(a.status), parties, ", ".join(a.fields),
                      f"{a.valid_from} – {a.valid_until}")
    console.print(table)


@agreements_app.command("draft")
def draft_command(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="JSON file with the agreement's terms")],
    user: User,
) -> None:
    """Draft an agreement from a JSON file (the body of POST /api/v1/agreements)."""

    def action() -> int:
        try:
            data = AgreementCreate.model_validate(json.loads(file.read_text(encoding="utf-8")))
        except json.JSONDecodeError as exc:
            raise InvalidFile(str(file), [Problem(f"not valid JSON: {exc.msg}", row=exc.lineno)]) from exc
        except ValidationError as exc:
            raise InvalidFile(str(file), [Problem(e["msg"], field=".".join(str(p) for p in e["loc"]))
                                          for e in exc.errors()]) from exc
        with transaction() as session:
            return agreements.create_agreement(session, actor=acting(session, user), data=data).id

    agreement_id = run_guarded(action)
    console.print(f"drafted agreement {agreement_id}; it becomes active once an admin of every party approves it")


def _act(agreement_id: int, user: str, verb: str, reason: str) -> None:
    def action() -> str:
        with transaction() as session:
            agreement = agreements.act(session, actor=acting(session, user),
                                       data=AgreementAction(agreement_id=agreement_id, action=verb,
                                                            reason=reason))
            return str(agreements.effective_status(agreement))

    console.print(f"agreement {agreement_id}: {run_guarded(action)}")


@agreements_app.command("approve")
def approve_command(agreement_id: int, user: User) -> None:
    """Approve an agreement for your organisation."""
    _act(agreement_id, user, "approve", "")


@agreements_app.command("suspend")
def suspend_command(agreement_id: int, user: User, reason: Annotated[str, typer.Option()] = "") -> None:
    """Suspend an agreement: nothing is shared under it until it is resumed."""
    _act(agreement_id, user, "suspend", reason)


@agreements_app.command("resume")
def resume_command(agreement_id: int, user: User, reason: Annotated[str, typer.Option()] = "") -> None:
    """Resume a suspended agreement."""
    _act(agreement_id, user, "resume", reason)


@agreements_app.command("terminate")
def terminate_command(agreement_id: int, user: User, reason: Annotated[str, typer.Option()] = "") -> None:
    """End an agreement for good."""
    _act(agreement_id, user, "terminate", reason)


@agreements_app.command("disclosures")
def disclosures_command(case_id: int, person_ref: str, user: User,
                        as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False) -> None:
    """Everything disclosed about one person to other organisations (for a subject access request)."""

    def action() -> list[DisclosurePublic]:
        with transaction(write=False) as session:
            return access_log.person_report(session, actor=acting(session, user), case_id=case_id,
                                            person_ref=person_ref)

    rows = run_guarded(action)
    if as_json:
        console.print_json(json.dumps([r.model_dump(mode="json") for r in rows]))
        return
    table = Table("when", "to", "user", "channel", "purpose", "agreements", "fields")
    for r in rows:
        table.add_row(f"{r.at:%Y-%m-%d %H:%M:%S}", r.recipient, r.recipient_user or "", r.channel, r.purpose,
                      ", ".join(map(str, r.agreements)), ", ".join(r.fields))
    console.print(table)
    console.print(f"{len(rows)} disclosures")


@feed_app.command("deliver")
def deliver_command(
    once: Annotated[bool, typer.Option("--once", help="Queue and send what is due, then stop")] = False,
    interval: Annotated[float, typer.Option(help="Seconds between passes when idle")] = 0.5,
) -> None:
    """Deliver webhooks: queue new events per subscription, send them signed, retry with backoff."""
    worker = WebhookWorker(get_engine())
    if once:
        lease = lease_for(get_engine(), LEASE_NAME)
        if not lease.acquire():
            console.print("another process is delivering webhooks (it holds the lease); nothing done")
            return
        try:
            sent = run_guarded(worker.run_once)
        finally:
            lease.release()
        console.print(f"{sent} delivery attempts")
        return
    console.print("delivering webhooks while this process holds the deployment's lease; Ctrl+C to stop")
    try:
        Deliverer(get_engine(), worker=worker, interval=interval).run()
    except KeyboardInterrupt:
        console.print("stopped")


def register(app: typer.Typer) -> None:
    app.add_typer(agreements_app, name="agreements")
    app.add_typer(feed_app, name="feed")
