"""Keyed Bloom-filter encodings of registration records (privacy-preserving linkage).

Each organisation encodes its own records with a secret the two parties share; only the encodings leave
the organisation. An encoding is one record-level Bloom filter (a "cryptographic long-term key"):

* every field becomes tokens — bigrams of the script-insensitive name key (given and family names
  share one bag, so swapped names still match), the whole name keys, birth-year window tokens (y-1, y,
  y+1, so coarse and estimated dates still overlap), month-day for exact dates, sex, nationality, place
  bigrams, household co-members' names;
* each token sets ``k`` bits (``k`` per field is the field's weight) at positions from
  HMAC-SHA256(secret, field ‖ token) by double hashing, so without the secret nobody can test which
  tokens a filter holds;
* hardening (on by default) resists frequency attacks: ``balance`` appends the complement and permutes
  the bits with a key-derived permutation, so every filter has exactly half its bits set and the
  number of set bits no longer betrays how long or common a name is; ``blip`` flips each bit with
  probability ``f`` (randomised response) instead; ``none`` is for measurement only.

The :class:`EncodingSchema` is public and is hashed into a fingerprint; a key check value (an HMAC of
the fingerprint under the secret) travels with the encodings, so linking encodings made under another
schema or another secret is refused with a clear error instead of silently matching nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets as pysecrets
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
import rfc8785

from asylon.errors import InvalidFile, InvalidInput, Problem

__all__ = [
    "FORMAT",
    "EncodedRecords",
    "EncodingSchema",
    "FieldSpec",
    "encode",
    "load_secret",
    "read_encodings",
    "write_encodings",
]

FORMAT = "asylon-pprl-clk/1"
Hardening = Literal["balance", "blip", "none"]


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """How one field becomes tokens: ``k`` bits per token."""

    name: str
    k: int


@dataclass(frozen=True, slots=True)
class EncodingSchema:
    """The public description of an encoding; both parties must use the same one.

    >>> EncodingSchema().bits
    1024
    >>> len(EncodingSchema().fingerprint())
    64
    """

    bits: int = 1024
    # Weights (bits per token) tuned on the synthetic benchmark: the whole given-name key and the exact
    # birth day tell a person from their siblings, who share family name, place and household.
    fields: tuple[FieldSpec, ...] = (
        FieldSpec("name_bigram", 5),
        FieldSpec("given_key", 12),
        FieldSpec("family_key", 10),
        FieldSpec("birth_year", 8),
        FieldSpec("birth_month_day", 16),
        FieldSpec("sex", 3),
        FieldSpec("nationality", 3),
        FieldSpec("place_bigram", 2),
        FieldSpec("household_member", 3),
    )
    hardening: Hardening = "balance"
    blip_probability: float = 0.02
    version: int = 1

    def __post_init__(self) -> None:
        if self.bits % 64 or self.bits <= 0:
            raise ValueError("bits must be a positive multiple of 64")
        if self.hardening not in ("balance", "blip", "none"):
            raise ValueError("hardening must be 'balance', 'blip' or 'none'")

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["fields"] = [asdict(f) for f in self.fields]
        data["format"] = FORMAT
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EncodingSchema:
        return cls(
            bits=int(data["bits"]),
            fields=tuple(FieldSpec(str(f["name"]), int(f["k"])) for f in data["fields"]),
            hardening=data["hardening"],
            blip_probability=float(data["blip_probability"]),
            version=int(data["version"]),
        )

    def fingerprint(self) -> str:
        """SHA-256 of the schema in canonical JSON (RFC 8785): equal schemas, equal fingerprints."""
        return hashlib.sha256(rfc8785.dumps(self.as_dict())).hexdigest()

    @property
    def output_bits(self) -> int:
        return self.bits * 2 if self.hardening == "balance" else self.bits

    def k(self, name: str) -> int:
        return next((f.k for f in self.fields if f.name == name), 0)


@dataclass(frozen=True, slots=True, eq=False)
class EncodedRecords:
    """Encodings ready to leave the organisation: ids, packed filters, and what they were made with."""

    ids: tuple[str, ...]
    bits: npt.NDArray[np.uint64]
    schema: EncodingSchema
    key_check: str
    meta: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.ids)


def load_secret(path: str | Path) -> bytes:
    """Read a shared secret file (at least 32 bytes of entropy, e.g. ``openssl rand -hex 32``)."""
    p = Path(path)
    if not p.exists():
        raise InvalidFile(str(p), "secret file not found")
    raw = p.read_bytes().strip()
    if len(raw) < 32:
        raise InvalidFile(
            str(p),
            Problem(
                f"the secret is {len(raw)} bytes; it must be at least 32",
                fix="create one with: openssl rand -hex 32 > secret.key",
            ),
        )
    return raw


def key_check_value(secret: bytes, schema: EncodingSchema) -> str:
    """Tells whether two parties hold the same secret (for the same schema) without revealing it."""
    return hmac.new(
        secret, b"asylon-pprl key check\x00" + schema.fingerprint().encode(), hashlib.sha256
    ).hexdigest()[:32]


def _bigrams(key: str) -> list[str]:
    padded = f"_{key}_"
    return [padded[i : i + 2] for i in range(len(padded) - 1)]


def record_tokens(row: Mapping[Hashable, Any]) -> list[tuple[str, str]]:
    """(field, token) pairs of one prepared record (see :func:`~.records.prepare`).

    >>> sorted(t for f, t in record_tokens({"given_key": "ali", "family_key": None}) if f == "given_key")
    ['ali']
    """
    tokens: list[tuple[str, str]] = []
    for part in ("given_key", "family_key"):
        key = row.get(part)
        if key:
            tokens.append((part, key))
            tokens.extend(("name_bigram", g) for g in _bigrams(key))
    year = row.get("dob_year")
    if year is not None and not pd.isna(year):
        tokens.extend(("birth_year", str(int(year) + d)) for d in (-1, 0, 1))
        if row.get("dob_precision") == "exact":
            tokens.append(("birth_month_day", f"{int(row['dob_month']):02d}-{int(row['dob_day']):02d}"))
    for name in ("sex", "nationality"):
        value = row.get(name)
        if value:
            tokens.append((name, str(value)))
    place = row.get("place_key")
    if place:
        tokens.extend(("place_bigram", g) for g in _bigrams(place))
    members = row.get("household_keys")
    if members is not None and len(members):
        tokens.extend(("household_member", m) for m in members)
    return tokens


class _Hasher:
    """Token → bit positions under one secret, cached (tokens repeat across millions of records)."""

    def __init__(self, secret: bytes, schema: EncodingSchema) -> None:
        self._key = hmac.new(
            secret, b"asylon-pprl token key\x00" + schema.fingerprint().encode(), hashlib.sha256
        ).digest()
        self._schema = schema
        self._cache: dict[tuple[str, str], npt.NDArray[np.int64]] = {}

    def positions(self, field_name: str, token: str) -> npt.NDArray[np.int64]:
        hit = self._cache.get((field_name, token))
        if hit is not None:
            return hit
        k = self._schema.k(field_name)
        digest = hmac.new(self._key, f"{field_name}\x00{token}".encode(), hashlib.sha256).digest()
        h1 = int.from_bytes(digest[:8], "little")
        h2 = int.from_bytes(digest[8:16], "little") | 1
        out = np.array([(h1 + i * h2) % self._schema.bits for i in range(k)], dtype=np.int64)
        self._cache[(field_name, token)] = out
        return out


def _permutation(secret: bytes, schema: EncodingSchema) -> npt.NDArray[np.int64]:
    seed = hmac.new(
        secret, b"asylon-pprl permutation\x00" + schema.fingerprint().encode(), hashlib.sha256
    ).digest()
    rng = np.random.Generator(np.random.PCG64(int.from_bytes(seed, "little")))
    return rng.permutation(schema.output_bits)


def encode(
    prepared: pd.DataFrame,
    secret: bytes,
    schema: EncodingSchema | None = None,
    *,
    blip_seed: int | None = None,
) -> EncodedRecords:
    """Encode prepared records (from :func:`~.records.prepare`) into hardened keyed Bloom filters.

    ``blip_seed`` fixes the BLIP noise for reproducible tests; leave it ``None`` in production, since
    predictable noise is no noise.

    >>> from asylon.engines.linkage.records import prepare
    >>> df = prepare(pd.DataFrame({"record_id": ["1"], "given_name": ["Ali"], "family_name": ["Hassan"],
    ...                            "date_of_birth": ["1990"]}))
    >>> enc = encode(df, b"x" * 32)
    >>> enc.bits.shape, int(np.bitwise_count(enc.bits).sum())   # balanced: exactly half the bits set
    ((1, 32), 1024)
    """
    schema = schema or EncodingSchema()
    if len(secret) < 32:
        raise InvalidInput(
            Problem(
                "the shared secret must be at least 32 bytes", fix="create one with: openssl rand -hex 32"
            )
        )
    hasher = _Hasher(secret, schema)
    n = len(prepared)
    raw = np.zeros((n, schema.bits), dtype=bool)
    columns = [
        c
        for c in (
            "given_key",
            "family_key",
            "dob_year",
            "dob_month",
            "dob_day",
            "dob_precision",
            "sex",
            "nationality",
            "place_key",
            "household_keys",
        )
        if c in prepared.columns
    ]
    records = prepared[columns].to_dict("records")
    for r, row in enumerate(records):
        positions = [hasher.positions(f, t) for f, t in record_tokens(row)]
        if positions:
            raw[r, np.concatenate(positions)] = True
    if schema.hardening == "balance":
        raw = np.concatenate([raw, ~raw], axis=1)[:, _permutation(secret, schema)]
    elif schema.hardening == "blip":
        rng = np.random.default_rng(blip_seed if blip_seed is not None else pysecrets.randbits(64))
        raw ^= rng.random(raw.shape) < schema.blip_probability
    packed = np.ascontiguousarray(np.packbits(raw, axis=1, bitorder="little")).view(np.uint64)
    ids = tuple(str(i) for i in prepared["unique_id"])
    return EncodedRecords(
        ids=ids, bits=np.ascontiguousarray(packed), schema=schema, key_check=key_check_value(secret, schema)
    )


def write_encodings(enc: EncodedRecords, path: str | Path) -> None:
    """Write encodings as a ``.npz`` file: ids, packed filters and a JSON header (schema, fingerprint, key check)."""
    header = {
        "format": FORMAT,
        "schema": enc.schema.as_dict(),
        "schema_fingerprint": enc.schema.fingerprint(),
        "key_check": enc.key_check,
        "count": len(enc),
        **({"meta": enc.meta} if enc.meta else {}),
    }
    with open(path, "wb") as fh:
        np.savez_compressed(
            fh, header=np.array(json.dumps(header)), ids=np.array(enc.ids, dtype=str), bits=enc.bits
        )


def read_encodings(path: str | Path) -> EncodedRecords:
    """Read encodings written by :func:`write_encodings`, refusing files that are not ours or are damaged."""
    p = Path(path)
    if not p.exists():
        raise InvalidFile(str(p), "file not found")
    try:
        with np.load(p, allow_pickle=False) as data:
            header = json.loads(str(data["header"]))
            ids = tuple(str(i) for i in data["ids"])
            bits = np.ascontiguousarray(data["bits"], dtype=np.uint64)
    except (OSError, ValueError, KeyError, json.JSONDecodeError) as exc:
        raise InvalidFile(str(p), f"not an encodings file written by 'asylon encode' ({exc})") from exc
    if header.get("format") != FORMAT:
        raise InvalidFile(
            str(p),
            f"encodings format {header.get('format')!r} is not {FORMAT!r}; re-encode with this version",
        )
    schema = EncodingSchema.from_dict(header["schema"])
    if schema.fingerprint() != header.get("schema_fingerprint"):
        raise InvalidFile(
            str(p), "the schema does not match its fingerprint: the file was altered or damaged"
        )
    if bits.shape != (len(ids), schema.output_bits // 64):
        raise InvalidFile(
            str(p), f"expected {len(ids)} encodings of {schema.output_bits} bits, found array {bits.shape}"
        )
    return EncodedRecords(
        ids=ids, bits=bits, schema=schema, key_check=str(header["key_check"]), meta=header.get("meta", {})
    )


def check_compatible(encodings: Sequence[EncodedRecords], names: Iterable[str]) -> None:
    """Refuse to compare encodings made under different schemas or secrets, naming which."""
    names = list(names)
    first, rest = encodings[0], encodings[1:]
    for other, name in zip(rest, names[1:], strict=True):
        if other.schema.fingerprint() != first.schema.fingerprint():
            raise InvalidInput(
                Problem(
                    f"{names[0]} and {name} were encoded with different schemas (fingerprints "
                    f"{first.schema.fingerprint()[:12]}… and {other.schema.fingerprint()[:12]}…)",
                    fix="both parties must encode with the same schema (same version, bits, fields and hardening)",
                )
            )
        if other.key_check != first.key_check:
            raise InvalidInput(
                Problem(
                    f"{names[0]} and {name} were encoded with different secrets (key check values differ)",
                    fix="both parties must encode with the same shared secret file; comparing them would match nothing",
                )
            )
