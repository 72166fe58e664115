"""C2SP signed notes: Ed25519 note keys, note signatures and witness cosignatures.

Formats (c2sp.org/signed-note, c2sp.org/tlog-cosignature):

- verifier key ``<name>+<key id hex>+<base64(type || public key)>``, signer key ``PRIVATE+KEY+<name>+<id>+<base64(type || seed)>``;
- key id = ``SHA-256(name || "\\n" || type || public key)[:4]``, type 0x01 for Ed25519 note signatures and
  0x04 for Ed25519 ``cosignature/v1``;
- a note is its text (ending in a newline), a blank line, then lines ``— <name> <base64(key id || signature)>``;
- a cosignature signs ``"cosignature/v1\\ntime <t>\\n" + text`` and its signature bytes are
  ``key id || u64 big-endian timestamp || Ed25519 signature``.

Written by hand: the only Python implementations on PyPI are unmaintained; the format is small and the tests pin it
to the C2SP example and the Go reference vectors.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import struct
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from asylon.errors import InvalidInput, Problem

ALG_ED25519 = 0x01
ALG_COSIGNATURE_V1 = 0x04
_DASH = "\u2014 "

__all__ = [
    "ALG_COSIGNATURE_V1",
    "ALG_ED25519",
    "NoteSignature",
    "NoteSigner",
    "NoteVerifier",
    "generate_signer",
    "open_note",
    "sign_note",
    "split_note",
]


def strict_b64decode(text: str) -> bytes:
    """Standard base64 that must be canonical: re-encoding gives the same text.

    Lenient decoders ignore the unused low bits of the last character, so two different strings decode to the
    same bytes; refusing that keeps every byte of a signed note meaningful.

    >>> strict_b64decode("AQ==")
    b'\\x01'
    """
    raw = base64.b64decode(text, validate=True)
    if base64.b64encode(raw).decode() != text:
        raise binascii.Error("non-canonical base64")
    return raw


def _key_id(name: str, alg: int, public: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + bytes([alg]) + public).digest()[:4]


def _check_name(name: str) -> None:
    if not name or any(c in name for c in " \n+"):
        raise InvalidInput(
            Problem(f"note key name {name!r} is empty or holds a space, newline or '+'", field="name")
        )


def _raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


@dataclass(frozen=True, slots=True)
class NoteVerifier:
    """A public note key: name, algorithm (0x01 signature, 0x04 cosignature/v1) and Ed25519 key."""

    name: str
    alg: int
    public_key: bytes

    @property
    def key_id(self) -> bytes:
        return _key_id(self.name, self.alg, self.public_key)

    def to_vkey(self) -> str:
        """Encode as a C2SP verifier key string.

        >>> s = generate_signer("example.org/log")
        >>> NoteVerifier.from_vkey(s.verifier.to_vkey()) == s.verifier
        True
        """
        blob = base64.b64encode(bytes([self.alg]) + self.public_key).decode()
        return f"{self.name}+{self.key_id.hex()}+{blob}"

    @classmethod
    def from_vkey(cls, vkey: str) -> NoteVerifier:
        """Parse a verifier key; raise :class:`InvalidInput` naming what is wrong with it."""
        parts = vkey.strip().split("+", 2)
        if len(parts) != 3:
            raise InvalidInput(Problem("verifier key must be <name>+<key id>+<base64 key>", value=vkey[:80]))
        name, hex_id, blob = parts
        try:
            raw = strict_b64decode(blob)
            want_id = bytes.fromhex(hex_id)
        except (binascii.Error, ValueError) as exc:
            raise InvalidInput(Problem("verifier key is not valid hex/base64", value=vkey[:80])) from exc
        if len(raw) != 33 or raw[0] not in (ALG_ED25519, ALG_COSIGNATURE_V1):
            raise InvalidInput(
                Problem("verifier key is not an Ed25519 (0x01) or cosignature/v1 (0x04) key", value=vkey[:80])
            )
        _check_name(name)
        verifier = cls(name, raw[0], raw[1:])
        if verifier.key_id != want_id:
            raise InvalidInput(Problem("verifier key id does not match its name and key", value=vkey[:80]))
        return verifier

    def verify_line(self, text: bytes, sig: bytes) -> int | None:
        """Check one signature (key id stripped) over ``text``; return the cosignature time, 0, or None."""
        pub = Ed25519PublicKey.from_public_bytes(self.public_key)
        try:
            if self.alg == ALG_COSIGNATURE_V1:
                if len(sig) != 8 + 64:
                    return None
                (ts,) = struct.unpack(">Q", sig[:8])
                pub.verify(sig[8:], b"cosignature/v1\ntime %d\n" % ts + text)
                return int(ts)
            if len(sig) != 64:
                return None
            pub.verify(sig, text)
            return 0
        except InvalidSignature:
            return None


@dataclass(frozen=True, slots=True)
class NoteSigner:
    """A private note key. Keep ``seed`` secret; ``to_skey`` gives the C2SP signer-key string."""

    name: str
    alg: int
    seed: bytes

    @property
    def verifier(self) -> NoteVerifier:
        pub = _raw_public(Ed25519PrivateKey.from_private_bytes(self.seed).public_key())
        return NoteVerifier(self.name, self.alg, pub)

    def to_skey(self) -> str:
        blob = base64.b64encode(bytes([self.alg]) + self.seed).decode()
        return f"PRIVATE+KEY+{self.name}+{self.verifier.key_id.hex()}+{blob}"

    @classmethod
    def from_skey(cls, skey: str) -> NoteSigner:
        """Parse a ``PRIVATE+KEY+…`` signer key.

        >>> s = generate_signer("w.example/1", cosigner=True)
        >>> NoteSigner.from_skey(s.to_skey()) == s
        True
        """
        parts = skey.strip().split("+", 4)
        if len(parts) != 5 or parts[0] != "PRIVATE" or parts[1] != "KEY":
            raise InvalidInput(Problem("signer key must start PRIVATE+KEY+<name>+<key id>+"))
        _, _, name, hex_id, blob = parts
        try:
            raw = strict_b64decode(blob)
        except binascii.Error as exc:
            raise InvalidInput(Problem("signer key is not valid base64")) from exc
        if len(raw) != 33 or raw[0] not in (ALG_ED25519, ALG_COSIGNATURE_V1):
            raise InvalidInput(Problem("signer key is not an Ed25519 or cosignature/v1 key"))
        signer = cls(name, raw[0], raw[1:])
        if signer.verifier.key_id.hex() != hex_id.lower():
            raise InvalidInput(Problem("signer key id does not match its name and key"))
        return signer

    def signature_line(self, text: bytes, *, timestamp: int | None = None) -> str:
        """The ``— name base64`` line that signs ``text`` (a note body ending in a newline)."""
        key = Ed25519PrivateKey.from_private_bytes(self.seed)
        if self.alg == ALG_COSIGNATURE_V1:
            if timestamp is None:
                raise InvalidInput(Problem("a cosignature needs a timestamp", field="timestamp"))
            ts = struct.pack(">Q", timestamp)
            sig = ts + key.sign(b"cosignature/v1\ntime %d\n" % timestamp + text)
        else:
            sig = key.sign(text)
        return f"{_DASH}{self.name} {base64.b64encode(self.verifier.key_id + sig).decode()}\n"


def generate_signer(name: str, *, cosigner: bool = False) -> NoteSigner:
    """A fresh Ed25519 note key (``cosigner=True`` for a witness's cosignature/v1 key).

    >>> generate_signer("asylon.example/log").verifier.alg
    1
    """
    _check_name(name)
    seed = Ed25519PrivateKey.generate().private_bytes_raw()
    return NoteSigner(name, ALG_COSIGNATURE_V1 if cosigner else ALG_ED25519, seed)


@dataclass(frozen=True, slots=True)
class NoteSignature:
    name: str
    key_id: bytes
    signature: bytes


def split_note(note: str) -> tuple[str, list[NoteSignature]]:
    """Split a signed note into its text and signature lines, checking the layout.

    >>> split_note("hi\\n\\n— a AAAAAAAA\\n")[0]
    'hi\\n'
    """
    cut = note.rfind("\n\n")
    if cut < 0 or not note.endswith("\n"):
        raise InvalidInput(Problem("signed note has no blank line before its signatures or no final newline"))
    text, sig_block = note[: cut + 1], note[cut + 2 :]
    sigs: list[NoteSignature] = []
    for n, line in enumerate(sig_block.splitlines(), start=1):
        if not line.startswith(_DASH):
            raise InvalidInput(Problem(f"signature line {n} does not start with '— '", value=line[:60]))
        fields = line[len(_DASH) :].split(" ")
        if len(fields) != 2:
            raise InvalidInput(Problem(f"signature line {n} must be '— <name> <base64>'", value=line[:60]))
        try:
            raw = strict_b64decode(fields[1])
        except binascii.Error as exc:
            raise InvalidInput(Problem(f"signature line {n} is not base64", value=line[:60])) from exc
        if len(raw) < 5:
            raise InvalidInput(Problem(f"signature line {n} is too short", value=line[:60]))
        sigs.append(NoteSignature(fields[0], raw[:4], raw[4:]))
    if not sigs:
        raise InvalidInput(Problem("signed note has no signature lines"))
    return text, sigs


def sign_note(text: str, signers: list[NoteSigner], *, timestamp: int | None = None) -> str:
    """Sign ``text`` (ending in a newline) with each signer; return the whole note.

    >>> s = generate_signer("a.example")
    >>> open_note(sign_note("hello\\n", [s]), [s.verifier])[0]
    'hello\\n'
    """
    if not text.endswith("\n") or "\n\n" in text:
        raise InvalidInput(Problem("note text must end in a newline and hold no blank line"))
    raw = text.encode()
    return text + "\n" + "".join(s.signature_line(raw, timestamp=timestamp) for s in signers)


def open_note(note: str, verifiers: list[NoteVerifier]) -> tuple[str, dict[NoteVerifier, int]]:
    """Return the text and the verifiers whose signatures check (with cosignature times).

    Lines whose name and key id match no given verifier are ignored, as the spec asks; a line that matches a
    verifier but does not verify is an error, since it means the note was altered.
    """
    text, sigs = split_note(note)
    raw = text.encode()
    good: dict[NoteVerifier, int] = {}
    for sig in sigs:
        for v in verifiers:
            if v.name == sig.name and v.key_id == sig.key_id:
                ts = v.verify_line(raw, sig.signature)
                if ts is None:
                    raise InvalidInput(
                        Problem(f"signature by {v.name} does not verify: the note was altered")
                    )
                good[v] = ts
    return text, good
