"""Issuer keys per organisation, with rotation.

Each organisation that issues credentials has an identifier (its ``issuer`` URL) and a ring of Ed25519 keys.
A key's id is its verification method: ``<issuer>#<key name>``. A key may sign credentials created within
``[valid_from, valid_until)``; rotation starts a new key and closes the old one's signing window, while credentials
signed earlier stay verifiable with the old public key (the trust bundle keeps it). A compromised key gets
``revoked_at``: anything it signed from then on is refused.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from asylon.engines.ledger.multikey import (
    decode_private_key,
    decode_public_key,
    encode_private_key,
    encode_public_key,
)
from asylon.engines.ledger.timestamps import format_time, parse_time
from asylon.errors import InvalidInput, Problem, RuleRefused

__all__ = ["IssuerKey", "IssuerKeyRing", "TrustedIssuer"]


@dataclass(frozen=True, slots=True)
class IssuerKey:
    """A public issuer key and the window in which it may sign."""

    id: str
    public_key: bytes
    valid_from: datetime
    valid_until: datetime | None = None
    revoked_at: datetime | None = None

    def may_sign_at(self, t: datetime) -> str | None:
        """``None`` if a proof created at ``t`` is within this key's window, else the reason it is not."""
        if self.revoked_at is not None and t >= self.revoked_at:
            return f"key {self.id} was revoked at {format_time(self.revoked_at)}"
        if t < self.valid_from:
            return (
                f"key {self.id} was not yet valid at {format_time(t)} (from {format_time(self.valid_from)})"
            )
        if self.valid_until is not None and t >= self.valid_until:
            return f"key {self.id} had been rotated out at {format_time(self.valid_until)}"
        return None

    def ed25519(self) -> Ed25519PublicKey:
        return Ed25519PublicKey.from_public_bytes(self.public_key)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "type": "Multikey",
            "publicKeyMultibase": encode_public_key(self.public_key),
            "validFrom": format_time(self.valid_from),
        }
        if self.valid_until is not None:
            data["validUntil"] = format_time(self.valid_until)
        if self.revoked_at is not None:
            data["revoked"] = format_time(self.revoked_at)
        return data

    @classmethod
    def from_json(cls, data: Any, *, where: str = "key") -> IssuerKey:
        if not isinstance(data, dict) or not isinstance(data.get("id"), str):
            raise InvalidInput(Problem("each key needs an id", field=where))
        return cls(
            id=data["id"],
            public_key=decode_public_key(
                str(data.get("publicKeyMultibase", "")), field=f"{where}.publicKeyMultibase"
            ),
            valid_from=parse_time(data.get("validFrom"), field=f"{where}.validFrom"),
            valid_until=parse_time(data["validUntil"], field=f"{where}.validUntil")
            if "validUntil" in data
            else None,
            revoked_at=parse_time(data["revoked"], field=f"{where}.revoked") if "revoked" in data else None,
        )


@dataclass(frozen=True, slots=True)
class TrustedIssuer:
    """An issuer as a verifier knows it: id, display name and public keys."""

    id: str
    name: str
    keys: tuple[IssuerKey, ...]

    def key(self, key_id: str) -> IssuerKey | None:
        return next((k for k in self.keys if k.id == key_id), None)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "keys": [k.to_json() for k in self.keys]}


@dataclass(slots=True)
class IssuerKeyRing:
    """An organisation's signing keys (secret). Persist with :meth:`to_json`; never put it in a trust bundle.

    >>> from datetime import UTC
    >>> ring = IssuerKeyRing.create("https://asylon.example/orgs/unhcr", "UNHCR", at=datetime(2026, 1, 1, tzinfo=UTC))
    >>> old = ring.active_key(datetime(2026, 2, 1, tzinfo=UTC)).id
    >>> new = ring.rotate(at=datetime(2026, 6, 1, tzinfo=UTC)).id
    >>> ring.active_key(datetime(2026, 7, 1, tzinfo=UTC)).id == new != old
    True
    """

    issuer: str
    name: str
    keys: list[IssuerKey] = field(default_factory=list)
    secrets: dict[str, bytes] = field(default_factory=dict)

    @classmethod
    def create(cls, issuer: str, name: str, *, at: datetime) -> IssuerKeyRing:
        ring = cls(issuer, name)
        ring.rotate(at=at)
        return ring

    def rotate(self, *, at: datetime) -> IssuerKey:
        """Start a new key at ``at``; the current key stops signing then but stays verifiable."""
        self.keys = [
            replace(k, valid_until=at) if k.valid_until is None or k.valid_until > at else k
            for k in self.keys
        ]
        private = Ed25519PrivateKey.generate()
        public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        key = IssuerKey(f"{self.issuer}#key-{len(self.keys) + 1}", public, at)
        self.keys.append(key)
        self.secrets[key.id] = private.private_bytes_raw()
        return key

    def revoke(self, key_id: str, *, at: datetime) -> None:
        """Mark a key compromised from ``at`` on."""
        self.keys = [replace(k, revoked_at=at) if k.id == key_id else k for k in self.keys]

    def active_key(self, at: datetime) -> IssuerKey:
        for key in reversed(self.keys):
            if key.may_sign_at(at) is None and key.id in self.secrets:
                return key
        raise RuleRefused(
            "issuer.no-active-key", f"{self.name} has no key that may sign at {format_time(at)}; rotate first"
        )

    def private_key(self, key_id: str) -> Ed25519PrivateKey:
        return Ed25519PrivateKey.from_private_bytes(self.secrets[key_id])

    def public(self) -> TrustedIssuer:
        return TrustedIssuer(self.issuer, self.name, tuple(self.keys))

    def to_json(self) -> dict[str, Any]:
        keys = []
        for k in self.keys:
            data = k.to_json()
            if k.id in self.secrets:
                data["secretKeyMultibase"] = encode_private_key(self.secrets[k.id])
            keys.append(data)
        return {"format": "asylon-issuer-keys/v1", "issuer": self.issuer, "name": self.name, "keys": keys}

    def dumps(self) -> str:
        return json.dumps(self.to_json(), indent=2)

    @classmethod
    def from_json(cls, data: Any) -> IssuerKeyRing:
        if not isinstance(data, dict) or data.get("format") != "asylon-issuer-keys/v1":
            raise InvalidInput(
                Problem("not an asylon issuer key file (format asylon-issuer-keys/v1)", field="format")
            )
        ring = cls(str(data.get("issuer", "")), str(data.get("name", "")))
        for i, kd in enumerate(data.get("keys", [])):
            key = IssuerKey.from_json(kd, where=f"keys[{i}]")
            ring.keys.append(key)
            if "secretKeyMultibase" in kd:
                ring.secrets[key.id] = decode_private_key(
                    kd["secretKeyMultibase"], field=f"keys[{i}].secretKeyMultibase"
                )
        return ring
