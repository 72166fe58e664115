"""``asylon verify`` and ``asylon ledger …``: verifiable documents and the transparency log, offline.

A first run::

    asylon ledger keygen asylon.example/log --out log.key          # log signing key (prints its verifier key)
    asylon ledger issuer-init https://asylon.example/orgs/unhcr UNHCR --out unhcr.keys.json
    asylon ledger issue request.json --keys unhcr.keys.json --log ./log --log-key log.key \\
        --status unhcr.status.json --out amina.envelope.json --pdf amina.pdf
    asylon ledger publish-status --status unhcr.status.json --keys unhcr.keys.json --log ./log \\
        --log-key log.key --out unhcr.status-lists.json
    asylon ledger trust-bundle --issuer-keys unhcr.keys.json --log-key log.key \\
        --status-lists unhcr.status-lists.json --out bundle.json
    asylon verify amina.envelope.json --trust bundle.json

``verify`` exits 0 when every check passes, 1 when any fails (each check is printed with its reason), 3 when a
file cannot be read.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from asylon.cli.errors import run_guarded
from asylon.engines.ledger.checkpoint import cosign_checkpoint, verify_checkpoint
from asylon.engines.ledger.credentials import (
    refugee_status_attestation,
    resettlement_decision,
    travel_document,
)
from asylon.engines.ledger.document import credential_pdf
from asylon.engines.ledger.envelope import load_envelope
from asylon.engines.ledger.issuance import StatusRegistry, issue_batch
from asylon.engines.ledger.issuer import IssuerKeyRing
from asylon.engines.ledger.log import TransparencyLog
from asylon.engines.ledger.logstore import FileLogStore
from asylon.engines.ledger.model import Person
from asylon.engines.ledger.note import NoteSigner, NoteVerifier, generate_signer
from asylon.engines.ledger.timestamps import parse_time
from asylon.engines.ledger.trust import TrustBundle, load_trust_bundle
from asylon.engines.ledger.verification import verify_envelope
from asylon.errors import InvalidFile, InvalidInput, Problem

console = Console()
ledger_app = typer.Typer(
    help="Verifiable documents and the tamper-evident transparency log.", no_args_is_help=True
)


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InvalidFile(str(path), Problem("no such file")) from exc
    except json.JSONDecodeError as exc:
        raise InvalidFile(
            str(path), Problem(f"is not JSON: line {exc.lineno}, column {exc.colno}: {exc.msg}")
        ) from exc


def _read_signer(path: Path) -> NoteSigner:
    try:
        return NoteSigner.from_skey(path.read_text(encoding="utf-8").strip())
    except FileNotFoundError as exc:
        raise InvalidFile(str(path), Problem("no such key file")) from exc
    except InvalidInput as exc:
        raise InvalidFile(str(path), exc.problems) from exc


def _read_verifier(value: str) -> NoteVerifier:
    """A verifier key given inline, or a file holding a verifier or signer key."""
    p = Path(value)
    if p.exists():
        text = p.read_text(encoding="utf-8").strip()
        return (
            NoteSigner.from_skey(text).verifier
            if text.startswith("PRIVATE+KEY+")
            else NoteVerifier.from_vkey(text)
        )
    return NoteVerifier.from_vkey(value)


def _ring(path: Path) -> IssuerKeyRing:
    try:
        return IssuerKeyRing.from_json(_read_json(path))
    except InvalidInput as exc:
        if isinstance(exc, InvalidFile):
            raise
        raise InvalidFile(str(path), exc.problems) from exc


def _now(at: str | None) -> datetime:
    return parse_time(at, field="--at") if at else datetime.now(UTC).replace(microsecond=0)


def verify(
    file: Annotated[
        Path, typer.Argument(help="Credential envelope (JSON), bare credential, or scanned QR text.")
    ],
    trust: Annotated[Path, typer.Option("--trust", help="Trust bundle JSON (asylon-trust-bundle/v1).")],
    at: Annotated[
        str | None, typer.Option(help="Verify as of this time (default: now), e.g. 2026-05-01T00:00:00Z.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Verify a credential offline: signature, trusted issuer, log inclusion, status and validity."""

    def action() -> bool:
        bundle = load_trust_bundle(trust)
        report = verify_envelope(load_envelope(file), bundle, now=_now(at))
        if as_json:
            console.print_json(json.dumps(report.to_json()))
            return report.ok
        table = Table(title=f"{file.name}: {'VALID' if report.ok else 'NOT VALID'}", show_lines=False)
        table.add_column("check")
        table.add_column("result")
        table.add_column("reason")
        for c in report.checks:
            mark = {True: "[green]pass[/]", False: "[bold red]FAIL[/]", None: "[dim]n/a[/]"}[c.passed]
            table.add_row(c.name, mark, c.reason)
        console.print(table)
        return report.ok

    if not run_guarded(action):
        raise typer.Exit(1)


@ledger_app.command("keygen")
def keygen(
    name: Annotated[
        str, typer.Argument(help="Key name: the log origin (e.g. asylon.example/log) or witness name.")
    ],
    out: Annotated[Path, typer.Option(help="File to write the secret signer key to.")],
    witness: Annotated[
        bool, typer.Option(help="Make a witness cosignature/v1 key instead of a log key.")
    ] = False,
) -> None:
    """Generate an Ed25519 note key; print its public verifier key."""

    def action() -> None:
        signer = generate_signer(name, cosigner=witness)
        out.write_text(signer.to_skey() + "\n", encoding="utf-8")
        out.chmod(0o600)
        console.print(signer.verifier.to_vkey(), highlight=False)

    run_guarded(action)


@ledger_app.command("issuer-init")
def issuer_init(
    issuer: Annotated[str, typer.Argument(help="Issuer id, e.g. https://asylon.example/orgs/unhcr.")],
    name: Annotated[str, typer.Argument(help="Organisation name printed on documents.")],
    out: Annotated[Path, typer.Option(help="Key file to create (holds secret keys).")],
    at: Annotated[str | None, typer.Option(help="Key valid from (default now).")] = None,
) -> None:
    """Create an organisation's issuer key ring with its first key."""
    run_guarded(lambda: _write_ring(IssuerKeyRing.create(issuer, name, at=_now(at)), out))


def _write_ring(ring: IssuerKeyRing, out: Path) -> None:
    out.write_text(ring.dumps() + "\n", encoding="utf-8")
    out.chmod(0o600)
    console.print(f"{ring.name}: keys {', '.join(k.id for k in ring.keys)}", highlight=False)


@ledger_app.command("issuer-rotate")
def issuer_rotate(
    keys: Annotated[Path, typer.Argument(help="Issuer key file.")],
    at: Annotated[str | None, typer.Option(help="Rotation time (default now).")] = None,
) -> None:
    """Start a new issuer key; the previous one stops signing but stays verifiable."""

    def action() -> None:
        ring = _ring(keys)
        ring.rotate(at=_now(at))
        _write_ring(ring, keys)

    run_guarded(action)


def _person(data: Any) -> Person:
    if not isinstance(data, dict):
        raise InvalidInput(Problem("'person' must be an object", field="person"))
    try:
        return Person(
            given_names=str(data["given_names"]),
            surname=str(data["surname"]),
            birth_date=str(data["birth_date"]),
            sex=str(data.get("sex", "X")),
            country_of_origin=str(data.get("country_of_origin", "")),
            place_of_birth=str(data.get("place_of_birth", "")),
        )
    except KeyError as exc:
        raise InvalidInput(Problem("is required", field=f"person.{exc.args[0]}")) from exc


def _credential_from_request(req: Any, ring: IssuerKeyRing, at: datetime) -> dict[str, Any]:
    if not isinstance(req, dict):
        raise InvalidInput(Problem("the request must be a JSON object"))
    kind = req.get("type")
    person = _person(req.get("person"))
    valid_until = parse_time(req["valid_until"], field="valid_until") if "valid_until" in req else None

    def day(field: str) -> date:
        try:
            return date.fromisoformat(str(req[field]))
        except KeyError as exc:
            raise InvalidInput(Problem("is required", field=field)) from exc
        except ValueError as exc:
            raise InvalidInput(Problem("is not YYYY-MM-DD", field=field, value=str(req[field]))) from exc

    if kind == "RefugeeStatusAttestation":
        return refugee_status_attestation(
            person,
            issuer=ring,
            country_of_asylum=str(req.get("country_of_asylum", "")),
            decision_date=day("decision_date"),
            valid_from=at,
            valid_until=valid_until,
        )
    if kind == "ResettlementDecision":
        return resettlement_decision(
            person,
            issuer=ring,
            resettlement_country=str(req.get("resettlement_country", "")),
            decision=str(req.get("decision", "accepted")),
            decision_date=day("decision_date"),
            valid_from=at,
            valid_until=valid_until,
            programme=str(req.get("programme", "")),
            household_size=int(req.get("household_size", 1)),
        )
    if kind == "TravelDocumentData":
        return travel_document(
            person,
            issuer=ring,
            issuing_state=str(req.get("issuing_state", "")),
            document_number=str(req.get("document_number", "")),
            date_of_issue=day("date_of_issue"),
            date_of_expiry=day("date_of_expiry"),
            valid_from=at,
        )
    raise InvalidInput(
        Problem(
            "unknown credential type",
            field="type",
            value=str(kind),
            fix="use RefugeeStatusAttestation, ResettlementDecision or TravelDocumentData",
        )
    )


def _open_log(log: Path, log_key: Path | None) -> TransparencyLog:
    return TransparencyLog(FileLogStore(log), _read_signer(log_key) if log_key else None)


@ledger_app.command("issue")
def issue(
    request: Annotated[
        Path, typer.Argument(help="JSON request: {type, person: {given_names, surname, birth_date, …}, …}.")
    ],
    keys: Annotated[Path, typer.Option(help="Issuer key file.")],
    log: Annotated[Path, typer.Option(help="Log directory.")],
    log_key: Annotated[Path, typer.Option(help="Log signer key file.")],
    out: Annotated[Path, typer.Option(help="Envelope file to write.")],
    status: Annotated[Path | None, typer.Option(help="Status registry file (created if missing).")] = None,
    pdf: Annotated[Path | None, typer.Option(help="Also write a printable PDF with a QR code.")] = None,
    at: Annotated[str | None, typer.Option(help="Issuance time (default now).")] = None,
) -> None:
    """Issue one credential from a JSON request: sign, log its salted commitment, write the envelope."""

    def action() -> None:
        ring = _ring(keys)
        t = _now(at)
        try:
            cred = _credential_from_request(_read_json(request), ring, t)
        except InvalidInput as exc:
            if isinstance(exc, InvalidFile):
                raise
            raise InvalidFile(str(request), exc.problems) from exc
        registry = None
        if status is not None:
            registry = (
                StatusRegistry.from_json(_read_json(status))
                if status.exists()
                else StatusRegistry(f"{ring.issuer}/status/1")
            )
        tlog = _open_log(log, log_key)
        [env] = issue_batch([cred], ring=ring, log=tlog, at=t, status=registry)
        if registry is not None and status is not None:
            status.write_text(json.dumps(registry.to_json()) + "\n", encoding="utf-8")
        out.write_text(env.dumps() + "\n", encoding="utf-8")
        if pdf is not None:
            pdf.write_bytes(credential_pdf(env))
        console.print(
            f"issued {cred['id']} as log entry {env.proof.index if env.proof else '?'}", highlight=False
        )

    run_guarded(action)


@ledger_app.command("set-status")
def set_status(
    envelope: Annotated[Path, typer.Argument(help="Envelope of the credential.")],
    status: Annotated[Path, typer.Option(help="Status registry file.")],
    purpose: Annotated[str, typer.Option(help="revocation or suspension.")] = "revocation",
    lift: Annotated[bool, typer.Option(help="Lift a suspension instead of setting it.")] = False,
) -> None:
    """Revoke or suspend a credential (published with the next publish-status)."""

    def action() -> None:
        registry = StatusRegistry.from_json(_read_json(status))
        registry.set_status(load_envelope(envelope).credential, purpose, not lift)
        status.write_text(json.dumps(registry.to_json()) + "\n", encoding="utf-8")

    run_guarded(action)


@ledger_app.command("publish-status")
def publish_status(
    status: Annotated[Path, typer.Option(help="Status registry file.")],
    keys: Annotated[Path, typer.Option(help="Issuer key file.")],
    log: Annotated[Path, typer.Option(help="Log directory.")],
    log_key: Annotated[Path, typer.Option(help="Log signer key file.")],
    out: Annotated[Path, typer.Option(help="Where to write the signed status list credentials (JSON list).")],
    proofs: Annotated[
        Path | None, typer.Option(help="Also write their log inclusion proofs (for trust-bundle).")
    ] = None,
    at: Annotated[str | None, typer.Option(help="Publication time (default now).")] = None,
) -> None:
    """Sign the current status lists, log their digests, and checkpoint the log."""

    def action() -> None:
        registry = StatusRegistry.from_json(_read_json(status))
        tlog = _open_log(log, log_key)
        lists = registry.publish(_ring(keys), tlog, at=_now(at))
        note = tlog.checkpoint()
        status.write_text(json.dumps(registry.to_json()) + "\n", encoding="utf-8")
        out.write_text(json.dumps(lists, indent=2) + "\n", encoding="utf-8")
        if proofs is not None:
            proofs.write_text(json.dumps(registry.log_proofs(tlog, note), indent=2) + "\n", encoding="utf-8")

    run_guarded(action)


@ledger_app.command("trust-bundle")
def trust_bundle(
    out: Annotated[Path, typer.Option(help="Bundle file to write.")],
    log_key: Annotated[str, typer.Option(help="Log verifier key, or a key file.")],
    issuer_keys: Annotated[list[Path], typer.Option(help="Issuer key file(s); only public keys are copied.")],
    witness: Annotated[list[str] | None, typer.Option(help="Witness verifier key(s) or key files.")] = None,
    quorum: Annotated[int, typer.Option(help="Witness cosignatures required.")] = 0,
    status_lists: Annotated[
        list[Path] | None, typer.Option(help="Signed status list files (from publish-status).")
    ] = None,
    status_proofs: Annotated[
        list[Path] | None, typer.Option(help="Their log proofs (publish-status --proofs).")
    ] = None,
) -> None:
    """Assemble a trust bundle for offline verifiers."""

    def action() -> None:
        lists: list[dict[str, Any]] = []
        for p in status_lists or []:
            data = _read_json(p)
            lists.extend(data if isinstance(data, list) else [data])
        list_proofs: dict[str, Any] = {}
        for p in status_proofs or []:
            list_proofs.update(_read_json(p))
        bundle = TrustBundle.build(
            issuers=[_ring(p).public() for p in issuer_keys],
            log_key=_read_verifier(log_key),
            witnesses=[_read_verifier(w) for w in witness or []],
            quorum=quorum,
            status_lists=lists,
            generated=datetime.now(UTC).replace(microsecond=0),
            status_list_proofs=list_proofs,
        )
        out.write_text(bundle.dumps() + "\n", encoding="utf-8")

    run_guarded(action)


@ledger_app.command("checkpoint")
def checkpoint(
    log: Annotated[Path, typer.Option(help="Log directory.")],
    log_key: Annotated[Path, typer.Option(help="Log signer key file.")],
) -> None:
    """Sign and print a checkpoint of the log's current state."""
    run_guarded(
        lambda: console.print(_open_log(log, log_key).checkpoint(), end="", highlight=False, markup=False)
    )


@ledger_app.command("cosign")
def cosign(
    checkpoint_file: Annotated[Path, typer.Argument(help="Signed checkpoint note.")],
    witness_key: Annotated[Path, typer.Option(help="Witness signer key file.")],
    log_key: Annotated[str, typer.Option(help="The log's verifier key, to check the log signature first.")],
) -> None:
    """Add a witness cosignature to a checkpoint (after checking the log's signature)."""

    def action() -> None:
        note = checkpoint_file.read_text(encoding="utf-8")
        verify_checkpoint(note, _read_verifier(log_key))
        signed = cosign_checkpoint(
            note, _read_signer(witness_key), timestamp=int(datetime.now(UTC).timestamp())
        )
        checkpoint_file.write_text(signed, encoding="utf-8")

    run_guarded(action)


@ledger_app.command("prove")
def prove(
    log: Annotated[Path, typer.Option(help="Log directory.")],
    index: Annotated[int | None, typer.Option(help="Inclusion proof for this leaf index.")] = None,
    first: Annotated[int | None, typer.Option(help="Consistency proof from this earlier size.")] = None,
    size: Annotated[int | None, typer.Option(help="Tree size to prove against (default: current).")] = None,
) -> None:
    """Print an inclusion or consistency proof as JSON."""

    def action() -> None:
        tlog = _open_log(log, None)
        if index is not None:
            console.print_json(json.dumps(tlog.inclusion_proof(index, size).to_json()))
        elif first is not None:
            console.print_json(json.dumps(tlog.consistency_proof(first, size).to_json()))
        else:
            raise InvalidInput(Problem("give --index (inclusion) or --first (consistency)"))

    run_guarded(action)


@ledger_app.command("audit")
def audit(
    log: Annotated[Path, typer.Option(help="Log directory.")],
    log_key: Annotated[str, typer.Option(help="The log's verifier key, or a key file.")],
) -> None:
    """Re-hash every log entry and check it against the latest signed checkpoint."""

    def action() -> bool:
        tlog = _open_log(log, None)
        note = tlog.store.latest_checkpoint()
        if note is None:
            raise InvalidInput(Problem("the log has no checkpoint yet", fix="run asylon ledger checkpoint"))
        result = tlog.audit(note, _read_verifier(log_key))
        for p in result.problems:
            console.print(f"[bold red]FAIL[/] {p}", highlight=False)
        if result.ok:
            console.print(f"log intact: {tlog.size()} entries match the signed checkpoint", highlight=False)
        return result.ok

    if not run_guarded(action):
        raise typer.Exit(1)


@ledger_app.command("pdf")
def pdf_command(
    envelope: Annotated[Path, typer.Argument(help="Envelope file.")],
    out: Annotated[Path, typer.Option(help="PDF to write.")],
) -> None:
    """Print a credential as a PDF with a verification QR code."""
    run_guarded(lambda: out.write_bytes(credential_pdf(load_envelope(envelope))))


def register(app: typer.Typer) -> None:
    app.command("verify")(verify)
    app.add_typer(ledger_app, name="ledger")
