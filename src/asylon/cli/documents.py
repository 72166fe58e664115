"""``asylon audit …`` and ``asylon credentials …``: the platform's history anchoring and credentials.

    asylon audit anchor                      # commit every case event not yet anchored to the log
    asylon audit verify                      # prove no anchored event was altered, removed or reordered
    asylon credentials issue 42 --type refugee-status-attestation --user caseworker@unhcr.example --out c.json
    asylon credentials trust-bundle --out bundle.json
    asylon verify c.json --trust bundle.json # offline, anywhere (see ``asylon.cli.ledger``)

``audit verify`` exits 0 when the history is intact and 1 when any batch fails (each named with its batch, log
leaf and event ids).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from asylon.cli.context import USER_HELP, acting, console
from asylon.cli.errors import run_guarded
from asylon.config import get_settings
from asylon.db.engine import transaction
from asylon.engines.ledger import NoteVerifier
from asylon.services import anchoring, documents

audit_app = typer.Typer(
    help="Anchor the case history in the transparency log and audit it.", no_args_is_help=True
)
credentials_app = typer.Typer(help="Verifiable documents issued from cases.", no_args_is_help=True)
User = Annotated[str, typer.Option("--user", "-u", envvar="ASYLON_USER", help=USER_HELP)]


def _vault() -> documents.KeyVault:
    return documents.vault_for(get_settings().data_dir)


@audit_app.command("anchor")
def anchor_command(
    batch_size: Annotated[
        int, typer.Option(min=1, max=100_000, help="Events per log leaf.")
    ] = anchoring.BATCH_SIZE,
) -> None:
    """Commit every case event not yet anchored to the transparency log, in batches, and sign a checkpoint."""

    def action() -> anchoring.AnchorResult:
        with transaction() as session:
            return anchoring.anchor_pending_events(session, vault=_vault(), batch_size=batch_size)

    result = run_guarded(action)
    if result.events:
        console.print(
            f"anchored {result.events} events in {result.batches} batches "
            f"(log leaves {result.leaves.start}–{result.leaves.stop - 1})",
            highlight=False,
        )
    else:
        console.print("nothing to anchor: every case event is already in the log", highlight=False)


@audit_app.command("verify")
def verify_command(
    log_key: Annotated[
        str | None, typer.Option(help="The log's verifier key as you hold it (default: the platform's).")
    ] = None,
) -> None:
    """Prove that no anchored case event was altered, removed, inserted or reordered since it was logged."""

    def action() -> anchoring.HistoryAudit:
        with transaction(write=False) as session:
            key = NoteVerifier.from_vkey(log_key) if log_key else None
            return anchoring.audit_history(session, vault=_vault(), log_key=key)

    report = run_guarded(action)
    for finding in report.findings:
        console.print(f"[bold red]FAIL[/] {finding.kind}: {finding.message}", highlight=False)
    for note in report.explained:
        console.print(f"[yellow]note[/] {note}", highlight=False)
    console.print(
        f"{report.events_checked} events in {report.batches_checked} batches checked against the checkpoint of "
        f"{report.checkpoint_size} log entries; {report.unanchored_events} not yet anchored",
        highlight=False,
    )
    if not report.ok:
        raise typer.Exit(1)
    console.print("history intact", highlight=False)


@credentials_app.command("issue")
def issue_command(
    case_id: Annotated[int, typer.Argument(help="The case to issue from.")],
    type_: Annotated[str, typer.Option("--type", help=f"One of: {', '.join(documents.CREDENTIAL_TYPES)}.")],
    user: User,
    person: Annotated[
        str | None, typer.Option(help="person_ref of the holder (default: principal applicant).")
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Write the envelope here (for asylon verify).")] = None,
    pdf: Annotated[Path | None, typer.Option(help="Also write a printable PDF with a QR code.")] = None,
    valid_years: Annotated[int, typer.Option(help="Travel documents: years until expiry.")] = 2,
) -> None:
    """Issue a credential from a stored case, as USER."""

    def action() -> tuple[str, int, bytes | None, str]:
        with transaction() as session:
            actor = acting(session, user)
            row = documents.issue_credential(
                session,
                actor=actor,
                vault=_vault(),
                case_id=case_id,
                request=documents.CredentialRequest(type_, person, valid_years),
            )
            printed = (
                documents.credential_pdf_bytes(session, actor=actor, credential_id=row.credential_id)
                if pdf
                else None
            )
            return (
                row.credential_id,
                row.leaf_index,
                printed,
                json.dumps(row.envelope, indent=2, ensure_ascii=False),
            )

    credential_id, leaf, printed, envelope = run_guarded(action)
    if out is not None:
        out.write_text(envelope + "\n", encoding="utf-8")
    if pdf is not None and printed is not None:
        pdf.write_bytes(printed)
    console.print(f"issued {credential_id} (log entry {leaf})", highlight=False)


@credentials_app.command("trust-bundle")
def trust_bundle_command(
    out: Annotated[Path, typer.Option(help="Bundle file to write.")],
) -> None:
    """Export the trust bundle offline verifiers need (issuer keys, log key, current status lists)."""

    def action() -> str:
        with transaction() as session:
            return documents.export_trust_bundle(session, vault=_vault(), refresh=True).dumps()

    out.write_text(run_guarded(action) + "\n", encoding="utf-8")
    console.print(f"wrote {out}", highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(audit_app, name="audit")
    app.add_typer(credentials_app, name="credentials")
