"""Verifiable documents issued from cases: issuer keys, issuance, revocation and suspension, the trust bundle.

The pure work (credentials, signatures, the Merkle log, status lists, verification) is the ledger engine's
(:mod:`asylon.engines.ledger`); this module decides who may do what, finds the data in stored cases, keeps the
keys and the status lists in the database, and writes an event on the case for every issuance and status change.

Where the secrets live (a choice, documented here):

- Each organisation's issuer key ring and the log's signing key are stored in the database (``issuer_keyrings``,
  ``ledger_heads``), apart from any table holding personal data, **sealed** with AES-256-GCM under a
  key-encryption key (KEK) that is *not* in the database: the file ``ledger.kek`` in the data folder
  (``ASYLON_DATA_DIR``), created on first use with mode 0600. A database dump or backup alone therefore lets
  nobody sign a credential or a checkpoint. Several API workers on PostgreSQL must share the same KEK file (mount
  it from the deployment's secret store); if it is missing while sealed keys exist, issuance stops with a
  :class:`ConfigurationError` saying so, rather than creating new keys.
- Public keys are stored in the clear next to them, so the trust bundle is exported without unsealing anything.

Permissions: issuing and suspending need the caseworker role and a case the actor may change (its own
organisation's); revoking (final) and rotating keys need an admin. Credentials are visible only to the issuing
organisation; the log, the status lists and the trust bundle are public information.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import string
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from asylon.db.logstore import lock_head, open_log
from asylon.db.models import (
    Case,
    CaseEvent,
    CredentialRow,
    IssuerKeyringRow,
    LedgerHead,
    Organisation,
    StatusRegistryRow,
)
from asylon.db.models import Person as PersonRow
from asylon.domain.organisations import Role
from asylon.engines.ledger import (
    Envelope,
    IssuerKey,
    IssuerKeyRing,
    NoteSigner,
    StatusRegistry,
    TransparencyLog,
    TrustBundle,
    TrustedIssuer,
    VerificationReport,
    credential_pdf,
    generate_signer,
    issue_batch,
    refugee_status_attestation,
    resettlement_decision,
    tiles,
    travel_document,
    verify_envelope,
)
from asylon.engines.ledger import Person as Holder
from asylon.engines.ledger.merkle import EMPTY_ROOT
from asylon.errors import ConfigurationError, InvalidInput, NotFound, Problem, RuleRefused
from asylon.services.actors import Actor
from asylon.services.registry import find_person, load_case, record_event

__all__ = [
    "CREDENTIAL_TYPES",
    "LOG_ORIGIN",
    "CredentialRequest",
    "KeyVault",
    "consistency_proof",
    "credential_envelope",
    "credential_pdf_bytes",
    "export_trust_bundle",
    "inclusion_proof",
    "issue_credential",
    "issuer_id",
    "latest_checkpoint",
    "ledger",
    "list_credentials",
    "rotate_issuer_key",
    "set_credential_status",
    "status_lists",
    "tile",
    "verify_upload",
]

LOG_ORIGIN = "asylon.local/log"
"""The log's name in its checkpoints (C2SP origin)."""
CREDENTIAL_TYPES = {
    "refugee-status-attestation": "RefugeeStatusAttestation",
    "resettlement-decision": "ResettlementDecision",
    "travel-document": "TravelDocumentData",
}
STATUS_LIST_VALIDITY = dt.timedelta(days=7)
STATUS_LIST_REFRESH = dt.timedelta(days=1)
"""The trust bundle re-signs status lists older than this, so a verifier's copy stays valid for ~6 days."""
RESETTLEMENT_ACCEPTED = frozenset({"accepted", "departure-scheduled", "departed"})
ACTIONS = {
    "revoke": ("revocation", True),
    "suspend": ("suspension", True),
    "reinstate": ("suspension", False),
}
_SEAL_MAGIC = b"asylon-sealed/v1\x00"


class KeyVault:
    """Seals and unseals secret keys with AES-256-GCM under the key-encryption key file ``<directory>/ledger.kek``.

    >>> import tempfile
    >>> vault = KeyVault(Path(tempfile.mkdtemp()))
    >>> vault.unseal(vault.seal(b"secret", "label"), "label")
    b'secret'
    """

    def __init__(self, directory: Path) -> None:
        self.path = Path(directory) / "ledger.kek"

    def _kek(self, *, create: bool) -> bytes:
        if self.path.exists():
            kek = self.path.read_bytes()
            if len(kek) != 32:
                raise ConfigurationError(
                    f"{self.path} is not a 32-byte key-encryption key; restore it from backup"
                )
            return kek
        if not create:
            raise ConfigurationError(
                f"the ledger keys are sealed but the key-encryption key {self.path} is missing; "
                "restore it (every worker needs the same file) — without it no credential can be issued"
            )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Written whole to a private file, then linked into place: link fails if another worker got there first,
        # and nobody ever reads a half-written key.
        tmp = self.path.with_name(f".{self.path.name}.{secrets.token_hex(8)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(secrets.token_bytes(32))
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(tmp, self.path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
        return self._kek(create=False)

    def seal(self, data: bytes, label: str) -> bytes:
        nonce = secrets.token_bytes(12)
        return _SEAL_MAGIC + nonce + AESGCM(self._kek(create=True)).encrypt(nonce, data, label.encode())

    def unseal(self, blob: bytes, label: str) -> bytes:
        blob = bytes(blob)
        if not blob.startswith(_SEAL_MAGIC):
            raise ConfigurationError(f"sealed key for {label} is damaged")
        body = blob[len(_SEAL_MAGIC) :]
        try:
            return AESGCM(self._kek(create=False)).decrypt(body[:12], body[12:], label.encode())
        except InvalidTag as exc:
            raise ConfigurationError(
                f"the key-encryption key {self.path} does not open the sealed key for {label}; "
                "it is not the file these keys were sealed with"
            ) from exc


# --- the log -------------------------------------------------------------------------------------------------


def _signer(vault: KeyVault, head: LedgerHead) -> NoteSigner:
    return NoteSigner.from_skey(vault.unseal(head.sealed_signer, f"log:{head.origin}").decode())


def _create_head(session: Session, vault: KeyVault) -> LedgerHead:
    signer = generate_signer(LOG_ORIGIN)
    head = LedgerHead(
        origin=LOG_ORIGIN,
        size=0,
        root=EMPTY_ROOT,
        sealed_signer=vault.seal(signer.to_skey().encode(), f"log:{LOG_ORIGIN}"),
    )
    try:
        with session.begin_nested():
            session.add(head)
    except IntegrityError:
        # Another worker created the log at the same moment: use theirs.
        found = lock_head(session, LOG_ORIGIN, for_update=True)
        assert found is not None
        return found
    return head


@contextmanager
def ledger(session: Session, vault: KeyVault, *, write: bool) -> Iterator[TransparencyLog]:
    """The platform's transparency log. With ``write`` its head is locked until the session ends, which
    serialises appends across workers; without it, a read that never blocks writers.

    >>> # with ledger(session, vault, write=False) as log: log.inclusion_proof(3)
    """
    head = lock_head(session, LOG_ORIGIN, for_update=write)
    if head is None:
        if not write:
            raise NotFound("transparency log", LOG_ORIGIN)
        head = _create_head(session, vault)
    with open_log(session, head, _signer(vault, head), write=write) as log:
        yield log


def _head(session: Session) -> LedgerHead:
    head = lock_head(session, LOG_ORIGIN, for_update=False)
    if head is None:
        raise NotFound("transparency log", LOG_ORIGIN)
    return head


def latest_checkpoint(session: Session) -> str:
    """The latest signed checkpoint note (C2SP tlog-checkpoint)."""
    note = _head(session).checkpoint
    if note is None:
        raise NotFound("checkpoint", LOG_ORIGIN)
    return note


def inclusion_proof(
    session: Session, *, vault: KeyVault, index: int, size: int | None = None
) -> dict[str, Any]:
    with ledger(session, vault, write=False) as log:
        return log.inclusion_proof(index, size).to_json()


def consistency_proof(
    session: Session, *, vault: KeyVault, first: int, second: int | None = None
) -> dict[str, Any]:
    with ledger(session, vault, write=False) as log:
        return log.consistency_proof(first, second).to_json()


def tile(session: Session, *, vault: KeyVault, path: str) -> bytes:
    """A C2SP tlog-tiles resource (``tile/<L>/<N>[.p/<W>]`` or ``tile/entries/<N>[.p/<W>]``) of the log.

    >>> # tile(session, vault=vault, path="tile/0/000.p/5")  -> 5 × 32 bytes of leaf hashes
    """
    level, index, width = _parse_tile(path)
    with ledger(session, vault, write=False) as log:
        try:
            if level is None:
                return tiles.entry_bundle(log, index, width)
            return tiles.tile_data(log, level, index, width)
        except InvalidInput:
            raise NotFound("tile", path) from None  # not (yet) in the log: what tile clients expect


def _parse_tile(path: str) -> tuple[int | None, int, int]:
    parts = path.strip("/").split("/")
    try:
        if parts[0] != "tile" or len(parts) < 3:
            raise ValueError(path)
        parts = parts[1:]
        width = tiles.TILE_WIDTH
        if parts[-2].endswith(".p"):
            width = int(parts[-1])
            parts = [*parts[:-2], parts[-2][:-2]]
        level = None if parts[0] == "entries" else int(parts[0])
        index = int("".join(g.removeprefix("x") for g in parts[1:]))
        if level is not None and not 0 <= level < 8:
            raise ValueError(path)
    except (ValueError, IndexError):
        raise NotFound("tile", path) from None
    canonical_path = (
        tiles.entries_path(index, width) if level is None else tiles.tile_path(level, index, width)
    )
    if canonical_path != path.strip("/") or not 1 <= width <= tiles.TILE_WIDTH:
        raise NotFound("tile", path)
    return level, index, width


# --- issuer keys and status lists ----------------------------------------------------------------------------


def issuer_id(organisation: Organisation) -> str:
    """The ``issuer`` of an organisation's credentials (a URN, so it names no host the platform may not own)."""
    return f"urn:asylon:org:{organisation.slug}"


def _ring_label(row: IssuerKeyringRow) -> str:
    return f"issuer:{row.issuer}"


def _load_ring(
    session: Session, vault: KeyVault, organisation: Organisation, *, create: bool, at: dt.datetime
) -> tuple[IssuerKeyringRow, IssuerKeyRing]:
    row = session.scalars(
        select(IssuerKeyringRow).where(IssuerKeyringRow.organisation_id == organisation.id).with_for_update()
    ).first()
    if row is None:
        if not create:
            raise NotFound("issuer keys of organisation", organisation.slug)
        ring = IssuerKeyRing.create(issuer_id(organisation), organisation.name, at=at)
        row = IssuerKeyringRow(
            organisation_id=organisation.id,
            issuer=ring.issuer,
            name=ring.name,
            public_keys=[],
            sealed_secrets=b"",
        )
        _store_ring(row, ring, vault)
        session.add(row)
        session.flush()
        return row, ring
    return row, IssuerKeyRing.from_json(json.loads(vault.unseal(row.sealed_secrets, _ring_label(row))))


def _store_ring(row: IssuerKeyringRow, ring: IssuerKeyRing, vault: KeyVault) -> None:
    row.public_keys = [k.to_json() for k in ring.keys]
    row.sealed_secrets = vault.seal(ring.dumps().encode(), _ring_label(row))


def rotate_issuer_key(
    session: Session, *, actor: Actor, vault: KeyVault, at: dt.datetime | None = None
) -> dict[str, Any]:
    """Start a new signing key for the actor's organisation; earlier credentials stay verifiable.

    The new key signs from ``at`` on; the trust bundle carries both, the old one with its ``validUntil``.
    """
    actor.require(Role.ADMIN, "rotating the organisation's issuer key")
    at = at or _now()
    organisation = session.get(Organisation, actor.organisation_id)
    assert organisation is not None
    row, ring = _load_ring(session, vault, organisation, create=True, at=at)
    key = ring.rotate(at=at)
    _store_ring(row, ring, vault)
    row.rotated_at = at
    return key.to_json()


def _registry(
    session: Session, ring: IssuerKeyRing, organisation_id: int
) -> tuple[StatusRegistryRow, StatusRegistry]:
    row = session.scalars(
        select(StatusRegistryRow)
        .where(StatusRegistryRow.organisation_id == organisation_id)
        .with_for_update()
    ).first()
    if row is None:
        registry = StatusRegistry(f"{ring.issuer}/status/1")
        row = StatusRegistryRow(
            organisation_id=organisation_id, state=registry.to_json(), published=[], leaf_indexes={}
        )
        session.add(row)
        return row, registry
    registry = StatusRegistry.from_json(row.state)
    registry.leaf_indexes = {str(k): int(v) for k, v in row.leaf_indexes.items()}
    return row, registry


def _publish(
    row: StatusRegistryRow,
    registry: StatusRegistry,
    ring: IssuerKeyRing,
    log: TransparencyLog,
    at: dt.datetime,
) -> None:
    """Sign the lists as they are now and log their digests (each version of a list is a log leaf)."""
    row.published = registry.publish(ring, log, at=at, valid_for=STATUS_LIST_VALIDITY)
    row.leaf_indexes = dict(registry.leaf_indexes)
    row.state = registry.to_json()
    row.published_at = at


def status_lists(session: Session, *, organisation: str) -> list[dict[str, Any]]:
    """The latest signed status list credentials of an organisation (by slug): public, they hold only bits."""
    row = session.scalars(
        select(StatusRegistryRow)
        .join(Organisation, Organisation.id == StatusRegistryRow.organisation_id)
        .where(Organisation.slug == organisation)
    ).first()
    if row is None or not row.published:
        raise NotFound("status lists of organisation", organisation)
    return list(row.published)


# --- issuing ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CredentialRequest:
    """What to issue from a case: the type, whose credential (``person_ref``; default the principal applicant),
    and for a travel document its validity in years."""

    type: str
    person_ref: str | None = None
    valid_years: int = 2
    programme: str = ""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _holder(case: Case, person: PersonRow) -> Holder:
    if person.erased_at is not None:
        raise RuleRefused(
            "credential.erased-person", f"person {person.person_ref}'s personal data was erased"
        )
    missing = [f for f in ("given_name", "family_name", "date_of_birth") if not getattr(person, f)]
    if missing:
        raise InvalidInput(
            Problem(
                f"person {person.person_ref} has no {', '.join(missing)}",
                field="person_ref",
                fix="record them on the person before issuing a document",
            )
        )
    dob = str(person.date_of_birth).lstrip("~")
    birth = dob if len(dob) == 10 else dob[:4]
    return Holder(
        given_names=str(person.given_name),
        surname=str(person.family_name),
        birth_date=birth,
        sex=person.sex if person.sex in ("F", "M") else "X",
        country_of_origin=person.nationality or case.origin_country or "",
        place_of_birth=person.place_of_birth or "",
        # Pairwise and random: a credential never carries the case number or a platform id.
        subject_id=f"urn:uuid:{uuid.uuid4()}",
    )


def _decided_on(session: Session, case: Case, kinds: tuple[str, ...], to: str | frozenset[str]) -> dt.date:
    targets = {to} if isinstance(to, str) else set(to)
    for event in session.scalars(
        select(CaseEvent)
        .where(CaseEvent.case_id == case.id, CaseEvent.kind.in_(kinds))
        .order_by(CaseEvent.id.desc())
    ):
        if event.data.get("to") in targets:
            return event.at.date()
    return case.registered_on


def _document_number() -> str:
    alphabet = string.ascii_uppercase + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(9))


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _unsigned(
    session: Session,
    case: Case,
    person: PersonRow,
    organisation: Organisation,
    ring: IssuerKeyRing,
    request: CredentialRequest,
    at: dt.datetime,
) -> dict[str, Any]:
    holder = _holder(case, person)
    if request.type == "refugee-status-attestation":
        if case.legal_status != "refugee":
            raise RuleRefused(
                "credential.refugee-status",
                f"a refugee status attestation needs legal status 'refugee'; the case is '{case.legal_status}'",
            )
        return refugee_status_attestation(
            holder,
            issuer=ring,
            country_of_asylum=case.country_of_asylum,
            decision_date=_decided_on(session, case, ("status.changed",), "refugee"),
            valid_from=at,
        )
    if request.type == "resettlement-decision":
        if case.pathway != "resettlement" or case.pathway_state not in RESETTLEMENT_ACCEPTED:
            raise RuleRefused(
                "credential.resettlement-accepted",
                "a resettlement decision needs a resettlement pathway accepted by a state; the case is on "
                f"'{case.pathway}' in state '{case.pathway_state}'",
            )
        return resettlement_decision(
            holder,
            issuer=ring,
            resettlement_country=str(case.pathway_destination),
            decision="accepted",
            decision_date=_decided_on(session, case, ("pathway.moved",), "accepted"),
            valid_from=at,
            programme=request.programme,
            household_size=len(case.persons),
        )
    if request.type == "travel-document":
        if case.legal_status != "refugee":
            raise RuleRefused(
                "credential.refugee-status",
                "a Convention travel document (Article 28) is issued to recognised refugees; "
                f"the case is '{case.legal_status}'",
            )
        if not 1 <= request.valid_years <= 10:
            raise InvalidInput(
                Problem("must be 1 to 10 years", field="valid_years", value=str(request.valid_years))
            )
        today = at.date()
        return travel_document(
            holder,
            issuer=ring,
            issuing_state=organisation.country or case.country_of_asylum,
            document_number=_document_number(),
            date_of_issue=today,
            date_of_expiry=_add_years(today, request.valid_years),
            valid_from=at,
        )
    raise InvalidInput(
        Problem(
            "unknown credential type",
            field="type",
            value=request.type,
            fix=f"use one of: {', '.join(CREDENTIAL_TYPES)}",
        )
    )


def issue_credential(
    session: Session,
    *,
    actor: Actor,
    vault: KeyVault,
    case_id: int,
    request: CredentialRequest,
    at: dt.datetime | None = None,
) -> CredentialRow:
    """Issue a credential from a stored case: sign it with the organisation's key, log its salted commitment,
    record ``credential.issued`` on the case. The caller commits.

    >>> # row = issue_credential(session, actor=actor, vault=vault, case_id=7,
    >>> #                        request=CredentialRequest("refugee-status-attestation"))
    """
    actor.require(Role.CASEWORKER, "issuing a credential")
    case = load_case(session, actor, case_id, for_change=True)
    at = at or _now()
    organisation = session.get(Organisation, actor.organisation_id)
    assert organisation is not None
    if request.person_ref:
        person = find_person(case, request.person_ref)
    else:
        person = next((p for p in case.persons if p.relationship_ == "principal"), None) or find_person(
            case, "P1"
        )
    # Lock order everywhere: log head, then key ring, then status registry — so writers never deadlock.
    with ledger(session, vault, write=True) as log:
        _, ring = _load_ring(session, vault, organisation, create=True, at=at)
        unsigned = _unsigned(session, case, person, organisation, ring, request, at)
        reg_row, registry = _registry(session, ring, organisation.id)
        [envelope] = issue_batch([unsigned], ring=ring, log=log, at=at, status=registry)
        reg_row.state = registry.to_json()
        if not reg_row.published:
            _publish(reg_row, registry, ring, log, at)
            note = log.checkpoint()
            # Re-prove against the checkpoint that also covers the new status lists.
            assert envelope.proof is not None
            envelope = Envelope(
                envelope.credential, envelope.salt, log.inclusion_proof(envelope.proof.index), note
            )
    assert envelope.proof is not None
    credential = envelope.credential
    until = credential.get("validUntil")
    row = CredentialRow(
        credential_id=str(credential["id"]),
        organisation_id=organisation.id,
        case_id=case.id,
        person_ref=person.person_ref,
        type=request.type,
        status="active",
        leaf_index=envelope.proof.index,
        envelope=envelope.to_json(),
        issued_by_user_id=actor.user_id,
        issued_at=at,
        valid_until=dt.datetime.fromisoformat(until.replace("Z", "+00:00"))
        if isinstance(until, str)
        else None,
    )
    session.add(row)
    record_event(
        session,
        actor,
        case,
        "credential.issued",
        {
            "credential_id": row.credential_id,
            "type": request.type,
            "person_ref": person.person_ref,
            "leaf_index": row.leaf_index,
        },
    )
    session.flush()
    return row


def _own_credential(session: Session, actor: Actor, credential_id: str) -> CredentialRow:
    row = session.scalars(
        select(CredentialRow).where(
            CredentialRow.credential_id == credential_id,
            CredentialRow.organisation_id == actor.organisation_id,
        )
    ).first()
    if row is None:
        raise NotFound("credential", credential_id)
    return row


def credential_envelope(session: Session, *, actor: Actor, credential_id: str) -> dict[str, Any]:
    """The envelope file of a credential this organisation issued (what ``asylon verify`` reads)."""
    actor.require(Role.VIEWER, "reading a credential")
    return dict(_own_credential(session, actor, credential_id).envelope)


def credential_pdf_bytes(session: Session, *, actor: Actor, credential_id: str) -> bytes:
    """The credential printed as a PDF with a verification QR code."""
    actor.require(Role.VIEWER, "printing a credential")
    return credential_pdf(Envelope.from_json(_own_credential(session, actor, credential_id).envelope))


def list_credentials(
    session: Session, *, actor: Actor, case_id: int | None = None, limit: int = 50, offset: int = 0
) -> tuple[list[CredentialRow], int]:
    """Credentials this organisation issued, newest first (of one case, if given and visible)."""
    actor.require(Role.VIEWER, "listing credentials")
    query = select(CredentialRow).where(CredentialRow.organisation_id == actor.organisation_id)
    if case_id is not None:
        load_case(session, actor, case_id)
        query = query.where(CredentialRow.case_id == case_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = list(session.scalars(query.order_by(CredentialRow.id.desc()).limit(limit).offset(offset)))
    return rows, total


def set_credential_status(
    session: Session,
    *,
    actor: Actor,
    vault: KeyVault,
    credential_id: str,
    action: str,
    reason: str = "",
    at: dt.datetime | None = None,
) -> CredentialRow:
    """Revoke (final), suspend or reinstate a credential: flip its bit, sign and log the new status lists,
    record the change on the case."""
    if action not in ACTIONS:
        raise InvalidInput(
            Problem("unknown action", field="action", value=action, fix="use revoke, suspend or reinstate")
        )
    actor.require(Role.ADMIN if action == "revoke" else Role.CASEWORKER, f"{action} a credential")
    row = _own_credential(session, actor, credential_id)
    case = load_case(session, actor, row.case_id, for_change=True)
    if row.status == "revoked":
        raise RuleRefused(
            "credential.revoked", "the credential is revoked; a revocation is final — issue a new one"
        )
    at = at or _now()
    purpose, value = ACTIONS[action]
    organisation = session.get(Organisation, actor.organisation_id)
    assert organisation is not None
    with ledger(session, vault, write=True) as log:
        _, ring = _load_ring(session, vault, organisation, create=False, at=at)
        reg_row, registry = _registry(session, ring, organisation.id)
        registry.set_status(row.envelope["credential"], purpose, value)
        _publish(reg_row, registry, ring, log, at)
        log.checkpoint()
    row.status = {"revoke": "revoked", "suspend": "suspended", "reinstate": "active"}[action]
    row.status_changed_at = at
    record_event(
        session,
        actor,
        case,
        f"credential.{row.status if action != 'reinstate' else 'reinstated'}",
        {"credential_id": row.credential_id, "type": row.type, "person_ref": row.person_ref},
        reason,
    )
    return row


# --- the trust bundle and verification ---------------------------------------------------------------------------


def _trusted_issuers(session: Session) -> list[TrustedIssuer]:
    return [
        TrustedIssuer(row.issuer, row.name, tuple(IssuerKey.from_json(k) for k in row.public_keys))
        for row in session.scalars(select(IssuerKeyringRow).order_by(IssuerKeyringRow.id))
    ]


def export_trust_bundle(
    session: Session, *, vault: KeyVault, refresh: bool = False, at: dt.datetime | None = None
) -> TrustBundle:
    """Everything an offline verifier needs: every issuer's public keys, the log key, each organisation's latest
    status lists with proofs that those versions are in the log.

    With ``refresh`` (a write session), lists signed more than a day ago are re-signed and logged first, so the
    bundle's lists stay valid for about six days.
    """
    at = at or _now()
    if refresh:
        with ledger(session, vault, write=True) as log:
            stale = False
            for reg_row in session.scalars(
                select(StatusRegistryRow).order_by(StatusRegistryRow.id).with_for_update()
            ):
                if reg_row.published_at is None or at - reg_row.published_at >= STATUS_LIST_REFRESH:
                    organisation = session.get(Organisation, reg_row.organisation_id)
                    assert organisation is not None
                    _, ring = _load_ring(session, vault, organisation, create=False, at=at)
                    _, registry = _registry(session, ring, organisation.id)
                    _publish(reg_row, registry, ring, log, at)
                    stale = True
            if stale:
                log.checkpoint()
    with ledger(session, vault, write=False) as log:
        note = log.store.latest_checkpoint()
        lists: list[dict[str, Any]] = []
        proofs: dict[str, dict[str, Any]] = {}
        for reg_row in session.scalars(select(StatusRegistryRow).order_by(StatusRegistryRow.id)):
            lists.extend(reg_row.published)
            if note is not None:
                size = int(note.split("\n", 2)[1])
                for list_id, index in reg_row.leaf_indexes.items():
                    if int(index) < size:
                        proofs[list_id] = {
                            "inclusionProof": log.inclusion_proof(int(index), size).to_json(),
                            "checkpoint": note,
                        }
        assert log.signer is not None
        return TrustBundle.build(
            issuers=_trusted_issuers(session),
            log_key=log.signer.verifier,
            status_lists=lists,
            generated=at,
            status_list_proofs=proofs,
        )


def verify_upload(
    session: Session, *, vault: KeyVault, data: Any, at: dt.datetime | None = None
) -> VerificationReport:
    """Verify an uploaded envelope (or bare credential) against the platform's current trust bundle."""
    return verify_envelope(Envelope.from_json(data), export_trust_bundle(session, vault=vault), now=at)


def vault_for(data_dir: Path | str) -> KeyVault:
    """The key vault of a data folder (``settings.data_dir``)."""
    return KeyVault(Path(data_dir))
