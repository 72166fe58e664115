"""A guard that no personal data reaches the log: leaves, proofs and checkpoints are searched for it.

:func:`find_personal_data` looks for each forbidden string (names, dates of birth, case numbers) in every blob —
as text in any letter case (a value shorter than five characters in binary material only as written, in lower or
in upper case), in MRZ form (``<`` for spaces), in the compact date forms a date of birth takes, inside
any base64 token of a text blob, and as the *unsalted* SHA-256 of the string (a bare hash of a name is as good
as the name to anyone with a list of names). :func:`assert_no_personal_data` raises ``AssertionError`` listing
every hit, for tests and for the platform's demo-world check.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

from asylon.engines.ledger.envelope import Envelope
from asylon.engines.ledger.log import TransparencyLog

__all__ = ["PersonalDataHit", "assert_no_personal_data", "find_personal_data", "log_material", "variants"]

_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_B64 = re.compile(rb"[A-Za-z0-9+/_-]{16,}={0,2}")


@dataclass(frozen=True, slots=True)
class PersonalDataHit:
    blob_index: int
    forbidden: str
    form: str


def variants(value: str) -> dict[str, bytes]:
    """The forms in which ``value`` might appear, lower-cased bytes keyed by a description.

    >>> sorted(variants("1990-05-04"))
    ['DD.MM.YYYY', 'DD/MM/YYYY', 'YYMMDD', 'YYYYMMDD', 'text']
    """
    text = value.strip()
    forms = {"text": text.lower().encode()}
    if " " in text:
        forms["mrz"] = text.lower().replace(" ", "<").encode()
    m = _DATE.match(text)
    if m:
        y, mo, d = m.groups()
        forms |= {
            "YYYYMMDD": f"{y}{mo}{d}".encode(),
            "YYMMDD": f"{y[2:]}{mo}{d}".encode(),
            "DD/MM/YYYY": f"{d}/{mo}/{y}".encode(),
            "DD.MM.YYYY": f"{d}.{mo}.{y}".encode(),
        }
    return forms


def _decoded_tokens(blob: bytes) -> list[bytes]:
    out = []
    for token in _B64.findall(blob):
        for decode in (base64.b64decode, base64.urlsafe_b64decode):
            try:
                out.append(decode(token + b"=" * (-len(token) % 4)))
                break
            except (binascii.Error, ValueError):
                continue
    return out


# In binary material (hashes, signatures) four bytes match a four-letter name in *some* letter case by chance with
# probability 16 / 2**32 per position: a demo world's hundred such names over its ~12 kB of log material hit once
# in a few hundred searches. Shorter needles are searched there only as written, in lower or in upper case (2**-32
# each), which is how a leaked value would appear; from this length on every letter case is searched everywhere.
_ANY_CASE_IN_BINARY = 5


def _is_text(data: bytes) -> bool:
    try:
        data.decode()
    except UnicodeDecodeError:
        return False
    return True


def find_personal_data(blobs: Iterable[bytes | str], forbidden: Iterable[str]) -> list[PersonalDataHit]:
    """Every place a forbidden value shows up in the blobs.

    >>> find_personal_data([b"asylon/credential/v1\\x00" + bytes(32)], ["Amina Haddad"])
    []
    >>> find_personal_data(["case ABC-123"], ["abc-123"])[0].form
    'text'
    """
    values = [v for v in forbidden if v and v.strip()]
    prepared = [
        (
            v,
            v.strip().encode(),
            variants(v),
            hashlib.sha256(v.encode()).digest(),
            hashlib.sha256(v.strip().lower().encode()).digest(),
        )
        for v in values
    ]
    hits: list[PersonalDataHit] = []
    for i, blob in enumerate(blobs):
        raw = blob.encode() if isinstance(blob, str) else bytes(blob)
        sources = [("", raw)] + [(" (base64-decoded)", t) for t in _decoded_tokens(raw)]
        haystacks = [(suffix, hay, hay.lower(), _is_text(hay)) for suffix, hay in sources]
        for value, written, forms, digest, digest_lower in prepared:
            found = False
            for suffix, hay, hay_lower, text in haystacks:
                for form, needle in forms.items():
                    if len(needle) < 4:
                        continue
                    if text or len(needle) >= _ANY_CASE_IN_BINARY:
                        found = needle in hay_lower
                    else:
                        found = any(n in hay for n in (written, needle, needle.upper()))
                    if found:
                        hits.append(PersonalDataHit(i, value, form + suffix))
                        break
                if found:
                    break
            if not found and (digest in raw or digest_lower in raw):
                hits.append(PersonalDataHit(i, value, "unsalted SHA-256"))
    return hits


def log_material(log: TransparencyLog, envelopes: Iterable[Envelope] = ()) -> list[bytes | str]:
    """Everything the log publishes: entries, leaf hashes, the latest checkpoint, and the envelopes' proofs and
    checkpoints — the haystack for :func:`assert_no_personal_data`. (Tiles are built from the same hashes.)"""
    blobs: list[bytes | str] = list(log.store.entries(0, log.size()))
    blobs += [log.leaf_hash(i) for i in range(log.size())]
    latest = log.store.latest_checkpoint()
    if latest:
        blobs.append(latest)
    for env in envelopes:
        if env.proof is not None:
            blobs.append(json.dumps(env.proof.to_json()))
        if env.checkpoint is not None:
            blobs.append(env.checkpoint)
    return blobs


def assert_no_personal_data(blobs: Iterable[bytes | str], forbidden: Iterable[str]) -> None:
    """Raise ``AssertionError`` naming each blob that holds a forbidden value in any form.

    >>> assert_no_personal_data([b"\\x00" * 64], ["Haddad", "1990-05-04"])
    """
    hits = find_personal_data(list(blobs), list(forbidden))
    if hits:
        lines = [f"blob {h.blob_index}: {h.forbidden!r} as {h.form}" for h in hits[:20]]
        more = f"\n… and {len(hits) - 20} more" if len(hits) > 20 else ""
        raise AssertionError("personal data found in log material:\n" + "\n".join(lines) + more)
