"""The credential envelope: one file carrying a credential and everything that proves it was logged.

Format ``asylon-credential-envelope/v1``::

    {
      "format": "asylon-credential-envelope/v1",
      "credential": { …signed VC… },
      "salt": "<base64url, 32 bytes>",                 # opens the salted commitment in the log leaf
      "inclusionProof": {"leafIndex": 41, "treeSize": 1000, "hashes": ["<base64>", …]},
      "checkpoint": "<signed note: log signature and witness cosignatures>"
    }

The QR form (:func:`qr_payload`) is ``ASY1:`` + base64url(zlib(JCS(envelope))); when that is too long for a
printable QR code it is ``ASY1R:`` + the credential id + ``;`` + the hex commitment, a reference the platform
resolves.
"""

from __future__ import annotations

import base64
import binascii
import json
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from asylon.engines.ledger.commitment import credential_commitment
from asylon.engines.ledger.dataintegrity import canonical
from asylon.engines.ledger.model import InclusionProof
from asylon.errors import InvalidFile, InvalidInput, Problem

__all__ = ["FORMAT", "QR_INLINE_LIMIT", "Envelope", "decode_qr_payload", "load_envelope", "qr_payload"]

FORMAT = "asylon-credential-envelope/v1"
QR_INLINE_LIMIT = 2_300
"""Characters of QR payload we still print inline (QR version ≤ 40 at error level L holds 2,953 bytes)."""


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(slots=True)
class Envelope:
    credential: dict[str, Any]
    salt: bytes | None = None
    proof: InclusionProof | None = None
    checkpoint: str | None = None

    def commitment(self) -> bytes | None:
        return None if self.salt is None else credential_commitment(self.credential, self.salt)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"format": FORMAT, "credential": self.credential}
        if self.salt is not None:
            data["salt"] = _b64url(self.salt)
        if self.proof is not None:
            data["inclusionProof"] = self.proof.to_json()
        if self.checkpoint is not None:
            data["checkpoint"] = self.checkpoint
        return data

    def dumps(self) -> str:
        return json.dumps(self.to_json(), indent=2, ensure_ascii=False)

    @classmethod
    def from_json(cls, data: Any) -> Envelope:
        """Accept an envelope, or a bare credential (which then fails the log checks, by name)."""
        if not isinstance(data, dict):
            raise InvalidInput(Problem("expected a JSON object"))
        if data.get("format") != FORMAT:
            if "proof" in data and "credentialSubject" in data:
                return cls(data)
            raise InvalidInput(
                Problem(f"not a credential envelope: 'format' must be {FORMAT!r}", field="format")
            )
        cred = data.get("credential")
        if not isinstance(cred, dict):
            raise InvalidInput(Problem("the envelope has no credential object", field="credential"))
        try:
            salt = _unb64url(data["salt"]) if "salt" in data else None
        except (binascii.Error, ValueError, TypeError) as exc:
            raise InvalidInput(Problem("salt is not base64url", field="salt")) from exc
        proof = InclusionProof.from_json(data["inclusionProof"]) if "inclusionProof" in data else None
        cp = data.get("checkpoint")
        if cp is not None and not isinstance(cp, str):
            raise InvalidInput(Problem("checkpoint must be the signed note text", field="checkpoint"))
        return cls(cred, salt, proof, cp)


def load_envelope(path: str | Path) -> Envelope:
    p = Path(path)
    try:
        raw = p.read_text(encoding="utf-8").strip()
    except FileNotFoundError as exc:
        raise InvalidFile(str(p), Problem("no such file")) from exc
    except UnicodeDecodeError as exc:
        raise InvalidFile(str(p), Problem("is not UTF-8 text")) from exc
    try:
        if raw.startswith("ASY1"):
            return decode_qr_payload(raw)
        return Envelope.from_json(json.loads(raw))
    except json.JSONDecodeError as exc:
        raise InvalidFile(str(p), Problem(f"is not JSON: {exc}")) from exc
    except InvalidInput as exc:
        raise InvalidFile(str(p), exc.problems) from exc


def qr_payload(envelope: Envelope, *, limit: int = QR_INLINE_LIMIT) -> str:
    """Text for the QR code: the whole envelope if it fits, else a reference.

    >>> qr_payload(Envelope({"id": "urn:x", "proof": {}, "credentialSubject": {}}))[:5]
    'ASY1:'
    """
    inline = "ASY1:" + _b64url(zlib.compress(canonical(envelope.to_json()), 9))
    if len(inline) <= limit:
        return inline
    commitment = envelope.commitment()
    return f"ASY1R:{envelope.credential.get('id', '')};{commitment.hex() if commitment else ''}"


def decode_qr_payload(text: str) -> Envelope:
    """Envelope from an inline QR payload; a reference payload raises, naming what to fetch."""
    text = text.strip()
    if text.startswith("ASY1R:"):
        raise InvalidInput(
            Problem(
                "this QR code holds only a reference to the credential",
                value=text[:80],
                fix="fetch the envelope from the issuing platform and verify that file",
            )
        )
    if not text.startswith("ASY1:"):
        raise InvalidInput(Problem("not an asylon QR payload (ASY1:)", value=text[:20]))
    try:
        data = json.loads(zlib.decompress(_unb64url(text[5:])))
    except (binascii.Error, zlib.error, ValueError) as exc:
        raise InvalidInput(Problem("QR payload is damaged", value=text[:20])) from exc
    return Envelope.from_json(data)
