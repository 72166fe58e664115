"""Verifiable documents and a tamper-evident transparency log — the pure engine.

Pieces, one module each:

- ``merkle``       RFC 9162 hashing, inclusion and consistency proofs (generation and verification)
- ``logstore``     :class:`LogStore` interface, :class:`MemoryLogStore`, durable :class:`FileLogStore`
- ``log``          :class:`TransparencyLog`: batched durable appends, signed checkpoints, proofs, self-audit
- ``note``         C2SP signed notes (Ed25519 keys, signatures, cosignature/v1)
- ``checkpoint``   C2SP checkpoints, signing, witness cosigning, quorum verification
- ``witness``      a witness that cosigns only consistent checkpoints
- ``tiles``        C2SP tlog-tiles: static tiles and entry bundles, proofs from tiles
- ``commitment``   what leaves hold: salted credential commitments, status-list digests, event batches
- ``multikey``, ``dataintegrity``  Multikey/multibase, eddsa-jcs-2022 Data Integrity proofs
- ``issuer``       issuer keys per organisation, rotation and revocation of keys
- ``credentials``  the three credential types (VC Data Model 2.0); ``mrz`` ICAO 9303 TD3
- ``statuslist``   Bitstring Status List; ``issuance`` signs, logs and keeps status registries
- ``trust``, ``envelope``, ``verification``  trust bundle, envelope file, offline verification report
- ``anchor``       anchoring platform event digests in batches, and auditing them
- ``document``     PDF with a QR code; ``privacy`` the no-personal-data guard

Typical platform use::

    log = TransparencyLog(FileLogStore(settings.ledger_dir), NoteSigner.from_skey(settings.ledger_key))
    envelopes = issue_batch([credential], ring=org_ring, log=log, at=now, status=org_status_registry)
    anchor_events(log, [(first_seq, [event_digest(e) for e in events])]); log.checkpoint()
    report = verify_envelope(load_envelope(upload), load_trust_bundle(bundle_path))
"""

from __future__ import annotations

from asylon.engines.ledger.anchor import AuditFinding, EventAudit, anchor_events, audit_events
from asylon.engines.ledger.checkpoint import Checkpoint, cosign_checkpoint, sign_checkpoint, verify_checkpoint
from asylon.engines.ledger.commitment import credential_leaf, event_batch_leaf, event_digest, status_list_leaf
from asylon.engines.ledger.credentials import (
    refugee_status_attestation,
    resettlement_decision,
    sign_credential,
    travel_document,
)
from asylon.engines.ledger.dataintegrity import create_proof, verify_proof
from asylon.engines.ledger.document import credential_pdf
from asylon.engines.ledger.envelope import Envelope, decode_qr_payload, load_envelope, qr_payload
from asylon.engines.ledger.issuance import StatusRegistry, issue_batch, refresh_proof
from asylon.engines.ledger.issuer import IssuerKey, IssuerKeyRing, TrustedIssuer
from asylon.engines.ledger.log import LogAudit, TransparencyLog
from asylon.engines.ledger.logstore import FileLogStore, LogStore, MemoryLogStore
from asylon.engines.ledger.model import Check, ConsistencyProof, InclusionProof, Person, VerificationReport
from asylon.engines.ledger.note import NoteSigner, NoteVerifier, generate_signer
from asylon.engines.ledger.privacy import assert_no_personal_data, find_personal_data, log_material
from asylon.engines.ledger.statuslist import StatusList
from asylon.engines.ledger.tiles import TiledTree, write_tiles
from asylon.engines.ledger.trust import TrustBundle, load_trust_bundle
from asylon.engines.ledger.verification import verify_envelope
from asylon.engines.ledger.witness import Witness

__all__ = [
    "AuditFinding",
    "Check",
    "Checkpoint",
    "ConsistencyProof",
    "Envelope",
    "EventAudit",
    "FileLogStore",
    "InclusionProof",
    "IssuerKey",
    "IssuerKeyRing",
    "LogAudit",
    "LogStore",
    "MemoryLogStore",
    "NoteSigner",
    "NoteVerifier",
    "Person",
    "StatusList",
    "StatusRegistry",
    "TiledTree",
    "TransparencyLog",
    "TrustBundle",
    "TrustedIssuer",
    "VerificationReport",
    "Witness",
    "anchor_events",
    "assert_no_personal_data",
    "audit_events",
    "cosign_checkpoint",
    "create_proof",
    "credential_leaf",
    "credential_pdf",
    "decode_qr_payload",
    "event_batch_leaf",
    "event_digest",
    "find_personal_data",
    "generate_signer",
    "issue_batch",
    "load_envelope",
    "load_trust_bundle",
    "log_material",
    "qr_payload",
    "refresh_proof",
    "refugee_status_attestation",
    "resettlement_decision",
    "sign_checkpoint",
    "sign_credential",
    "status_list_leaf",
    "travel_document",
    "verify_checkpoint",
    "verify_envelope",
    "verify_proof",
    "write_tiles",
]
