"""Multibase and Multikey encodings of Ed25519 keys (W3C Controlled Identifiers, Multikey).

- public key: ``z`` + base58btc(0xed 0x01 || 32-byte key) — always starts ``z6Mk``;
- secret key: ``z`` + base58btc(0x80 0x26 || 32-byte seed) — starts ``z3u2``;
- signature (proofValue): ``z`` + base58btc(64-byte signature).
"""

from __future__ import annotations

import base58

from asylon.errors import InvalidInput, Problem

__all__ = [
    "decode_base58btc",
    "decode_private_key",
    "decode_public_key",
    "encode_base58btc",
    "encode_private_key",
    "encode_public_key",
]

_ED25519_PUB = b"\xed\x01"
_ED25519_PRIV = b"\x80\x26"


def encode_base58btc(data: bytes) -> str:
    """Multibase base58btc.

    >>> encode_base58btc(b"\\x00\\x01")
    'z12'
    """
    return "z" + base58.b58encode(data).decode("ascii")


def decode_base58btc(value: str, *, field: str = "value") -> bytes:
    if not value.startswith("z"):
        raise InvalidInput(
            Problem("multibase value must be base58btc (start with 'z')", field=field, value=value[:20])
        )
    try:
        return base58.b58decode(value[1:])
    except ValueError as exc:
        raise InvalidInput(Problem("not valid base58btc", field=field, value=value[:20])) from exc


def encode_public_key(public: bytes) -> str:
    """Multikey ``publicKeyMultibase`` of a raw Ed25519 public key."""
    return encode_base58btc(_ED25519_PUB + public)


def decode_public_key(value: str, *, field: str = "publicKeyMultibase") -> bytes:
    """Raw Ed25519 public key of a Multikey ``publicKeyMultibase``.

    >>> decode_public_key(encode_public_key(bytes(32))) == bytes(32)
    True
    """
    raw = decode_base58btc(value, field=field)
    if len(raw) != 34 or raw[:2] != _ED25519_PUB:
        raise InvalidInput(Problem("not an Ed25519 Multikey public key (0xed01 + 32 bytes)", field=field))
    return raw[2:]


def encode_private_key(seed: bytes) -> str:
    return encode_base58btc(_ED25519_PRIV + seed)


def decode_private_key(value: str, *, field: str = "secretKeyMultibase") -> bytes:
    raw = decode_base58btc(value, field=field)
    if len(raw) != 34 or raw[:2] != _ED25519_PRIV:
        raise InvalidInput(Problem("not an Ed25519 Multikey secret key (0x8026 + 32 bytes)", field=field))
    return raw[2:]
