"""Issuing credentials into the log, and keeping their status lists.

:func:`issue_batch` signs credentials, appends their salted commitments to the log in one durable batch, signs
a checkpoint and returns one :class:`Envelope` per credential. :class:`StatusRegistry` holds an issuer's revocation
and suspension lists, hands out random indexes, and :meth:`StatusRegistry.publish` signs new list versions and logs
each one's digest, so a verifier (or auditor) can prove which list version was current when.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from asylon.engines.ledger.commitment import credential_leaf, new_salt, status_list_leaf
from asylon.engines.ledger.credentials import sign_credential
from asylon.engines.ledger.dataintegrity import create_proof
from asylon.engines.ledger.envelope import Envelope
from asylon.engines.ledger.issuer import IssuerKeyRing
from asylon.engines.ledger.log import TransparencyLog
from asylon.engines.ledger.statuslist import (
    PURPOSES,
    IndexAllocator,
    StatusList,
    status_entry,
    status_list_credential,
)
from asylon.engines.ledger.timestamps import format_time
from asylon.errors import InvalidInput, Problem

__all__ = ["StatusRegistry", "issue_batch", "refresh_proof"]


@dataclass(slots=True)
class StatusRegistry:
    """One issuer's revocation and suspension lists (one shared random index per credential).

    >>> from datetime import UTC
    >>> t = datetime(2026, 1, 1, tzinfo=UTC)
    >>> reg = StatusRegistry("https://asylon.example/orgs/x/status/1")
    >>> entries = reg.assign()
    >>> [e["statusPurpose"] for e in entries]
    ['revocation', 'suspension']
    """

    base_id: str
    """Status list credentials are ``<base_id>/revocation`` and ``<base_id>/suspension``."""
    lists: dict[str, StatusList] = field(default_factory=lambda: {p: StatusList.empty() for p in PURPOSES})
    allocator: IndexAllocator = field(default_factory=IndexAllocator)
    version: int = 0
    leaf_indexes: dict[str, int] = field(default_factory=dict)
    """Log leaf of the latest published version of each list (list id → index), for :meth:`log_proofs`."""

    def to_json(self) -> dict[str, Any]:
        """Persistable state: list bits, used indexes and version (the platform keeps this in its database)."""
        return {
            "format": "asylon-status-registry/v1",
            "baseId": self.base_id,
            "version": self.version,
            "size": self.allocator.size,
            "used": sorted(self.allocator.used),
            "lists": {p: sl.encode() for p, sl in self.lists.items()},
        }

    @classmethod
    def from_json(cls, data: Any) -> StatusRegistry:
        if not isinstance(data, dict) or data.get("format") != "asylon-status-registry/v1":
            raise InvalidInput(
                Problem("not an asylon status registry (asylon-status-registry/v1)", field="format")
            )
        try:
            return cls(
                str(data["baseId"]),
                {p: StatusList.decode(str(data["lists"][p])) for p in PURPOSES},
                IndexAllocator.resume((int(i) for i in data["used"]), int(data["size"])),
                int(data["version"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidInput(Problem(f"status registry is incomplete: {exc}")) from exc

    def list_id(self, purpose: str) -> str:
        return f"{self.base_id}/{purpose}"

    def assign(self) -> list[dict[str, Any]]:
        """``credentialStatus`` entries for a new credential, at a fresh random index."""
        index = self.allocator.allocate()
        return [status_entry(self.list_id(p), index, p) for p in PURPOSES]

    def _index(self, credential: dict[str, Any], purpose: str) -> int:
        raw = credential.get("credentialStatus")
        for entry in raw if isinstance(raw, list) else [raw]:
            if isinstance(entry, dict) and entry.get("statusListCredential") == self.list_id(purpose):
                return int(str(entry["statusListIndex"]))
        raise InvalidInput(
            Problem(f"credential has no {purpose} entry in {self.base_id}", field="credentialStatus")
        )

    def set_status(self, credential: dict[str, Any], purpose: str, value: bool) -> None:
        """Revoke (``revocation``, True), suspend or lift a suspension; takes effect at the next publish."""
        if (
            purpose == "revocation"
            and not value
            and self.lists[purpose].get(self._index(credential, purpose))
        ):
            raise InvalidInput(
                Problem("a revocation is final; issue a new credential instead", field="statusPurpose")
            )
        self.lists[purpose].set(self._index(credential, purpose), value)

    def publish(
        self,
        ring: IssuerKeyRing,
        log: TransparencyLog,
        *,
        at: datetime,
        valid_for: timedelta = timedelta(days=7),
    ) -> list[dict[str, Any]]:
        """Sign the current lists (valid for ``valid_for``), log their digests, and return them."""
        self.version += 1
        signed = []
        for purpose in PURPOSES:
            slc = status_list_credential(
                self.list_id(purpose),
                purpose,
                self.lists[purpose],
                issuer=ring.issuer,
                valid_from=format_time(at),
                valid_until=format_time(at + valid_for),
            )
            key = ring.active_key(at)
            signed.append(
                create_proof(
                    slc, ring.private_key(key.id), verification_method=key.id, created=format_time(at)
                )
            )
        indexes = log.append_batch([status_list_leaf(s) for s in signed])
        self.leaf_indexes = {str(s["id"]): i for s, i in zip(signed, indexes, strict=True)}
        return signed

    def log_proofs(self, log: TransparencyLog, checkpoint: str) -> dict[str, dict[str, Any]]:
        """Inclusion proofs of the latest published lists against ``checkpoint`` (a signed note of ``log``),
        for the trust bundle's ``statusListProofs``: verifiers then know the lists they hold were logged."""
        size = int(checkpoint.split("\n", 2)[1])
        return {
            list_id: {"inclusionProof": log.inclusion_proof(i, size).to_json(), "checkpoint": checkpoint}
            for list_id, i in self.leaf_indexes.items()
        }


def issue_batch(
    credentials: Sequence[dict[str, Any]],
    *,
    ring: IssuerKeyRing,
    log: TransparencyLog,
    at: datetime,
    status: StatusRegistry | None = None,
) -> list[Envelope]:
    """Sign, log (one durable batch) and checkpoint ``credentials``; return their envelopes.

    >>> from datetime import UTC
    >>> from asylon.engines.ledger.logstore import MemoryLogStore
    >>> from asylon.engines.ledger.note import generate_signer
    >>> t = datetime(2026, 1, 1, tzinfo=UTC)
    >>> ring = IssuerKeyRing.create("https://asylon.example/orgs/x", "X", at=t)
    >>> log = TransparencyLog(MemoryLogStore(), generate_signer("asylon.example/log"))
    >>> cred = {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiableCredential"],
    ...         "issuer": ring.issuer, "credentialSubject": {}}
    >>> [e.proof.index for e in issue_batch([cred], ring=ring, log=log, at=t)]
    [0]
    """
    signed = []
    for cred in credentials:
        unsigned = copy.deepcopy(cred)
        if status is not None:
            unsigned["credentialStatus"] = status.assign()
        signed.append(sign_credential(unsigned, ring, at=at))
    salts = [new_salt() for _ in signed]
    indexes = log.append_batch([credential_leaf(c, s) for c, s in zip(signed, salts, strict=True)])
    note = log.checkpoint()
    return [
        Envelope(c, s, log.inclusion_proof(i), note) for c, s, i in zip(signed, salts, indexes, strict=True)
    ]


def refresh_proof(envelope: Envelope, log: TransparencyLog, checkpoint: str, size: int) -> Envelope:
    """The same envelope with an inclusion proof against a later checkpoint of ``size`` leaves."""
    if envelope.proof is None:
        raise InvalidInput(Problem("the envelope has no leaf index to refresh", field="inclusionProof"))
    return Envelope(
        envelope.credential, envelope.salt, log.inclusion_proof(envelope.proof.index, size), checkpoint
    )
