"""W3C Bitstring Status List v1.0: revocation and suspension of credentials.

A list is a bitstring of at least 131,072 bits (16 KiB) so that one credential's index does not single out its
holder. Index 0 is the most significant bit of the first byte. ``encodedList`` is the multibase base64url (``u``
prefix, no padding) of the GZIP-compressed bitstring. Indexes are allocated at random, never in issuance order,
so an index reveals nothing about when or to whom a credential was issued.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import secrets
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from asylon.errors import Conflict, InvalidInput, Problem

__all__ = [
    "MIN_ENTRIES",
    "PURPOSES",
    "IndexAllocator",
    "StatusList",
    "status_entry",
    "status_list_credential",
]

MIN_ENTRIES = 131_072
PURPOSES = ("revocation", "suspension")


@dataclass(slots=True)
class StatusList:
    """A status bitstring for one purpose.

    >>> sl = StatusList.empty()
    >>> sl.set(94567, True)
    >>> StatusList.decode(sl.encode()).get(94567), sl.get(94566)
    (True, False)
    """

    bits: bytearray
    size: int

    @classmethod
    def empty(cls, size: int = MIN_ENTRIES) -> StatusList:
        if size < MIN_ENTRIES or size % 8:
            raise InvalidInput(
                Problem(f"a status list holds at least {MIN_ENTRIES} entries, a multiple of 8", field="size")
            )
        return cls(bytearray(size // 8), size)

    def _check(self, index: int) -> None:
        if not 0 <= index < self.size:
            raise InvalidInput(
                Problem(f"status index {index} is outside 0..{self.size - 1}", field="statusListIndex")
            )

    def get(self, index: int) -> bool:
        self._check(index)
        return bool(self.bits[index // 8] & (0x80 >> (index % 8)))

    def set(self, index: int, value: bool) -> None:
        self._check(index)
        mask = 0x80 >> (index % 8)
        if value:
            self.bits[index // 8] |= mask
        else:
            self.bits[index // 8] &= ~mask & 0xFF

    def encode(self) -> str:
        """Multibase base64url of the GZIP-compressed bitstring (deterministic: mtime 0)."""
        packed = gzip.compress(bytes(self.bits), mtime=0)
        return "u" + base64.urlsafe_b64encode(packed).rstrip(b"=").decode()

    @classmethod
    def decode(cls, encoded: str) -> StatusList:
        if not encoded.startswith("u"):
            raise InvalidInput(
                Problem("encodedList must be multibase base64url (start with 'u')", field="encodedList")
            )
        body = encoded[1:]
        try:
            packed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
            bits = gzip.decompress(packed)
        except (binascii.Error, OSError, EOFError, zlib.error) as exc:
            raise InvalidInput(
                Problem("encodedList is not base64url GZIP data", field="encodedList")
            ) from exc
        if len(bits) * 8 < MIN_ENTRIES:
            raise InvalidInput(
                Problem(f"status list is shorter than {MIN_ENTRIES} entries", field="encodedList")
            )
        return cls(bytearray(bits), len(bits) * 8)


@dataclass(slots=True)
class IndexAllocator:
    """Hands out unused status-list indexes uniformly at random (``secrets``), never the same twice.

    >>> a = IndexAllocator()
    >>> len({a.allocate() for _ in range(1000)})
    1000
    """

    size: int = MIN_ENTRIES
    used: set[int] = field(default_factory=set)

    @classmethod
    def resume(cls, used: Iterable[int], size: int = MIN_ENTRIES) -> IndexAllocator:
        return cls(size, set(used))

    def allocate(self) -> int:
        free = self.size - len(self.used)
        if free <= 0:
            raise Conflict(f"all {self.size} status-list indexes are in use; open a new status list")
        if free > self.size // 4:
            while True:  # rejection sampling: expected < 4 draws while a quarter is free
                i = secrets.randbelow(self.size)
                if i not in self.used:
                    self.used.add(i)
                    return i
        # Nearly full: draw uniformly among the remaining free indexes.
        remaining = [i for i in range(self.size) if i not in self.used]
        i = remaining[secrets.randbelow(len(remaining))]
        self.used.add(i)
        return i


def status_entry(list_credential_id: str, index: int, purpose: str) -> dict[str, Any]:
    """A ``BitstringStatusListEntry`` for a credential's ``credentialStatus``."""
    if purpose not in PURPOSES:
        raise InvalidInput(
            Problem(f"status purpose must be one of {', '.join(PURPOSES)}", field="statusPurpose")
        )
    return {
        "id": f"{list_credential_id}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": list_credential_id,
    }


def status_list_credential(
    list_credential_id: str,
    purpose: str,
    status_list: StatusList,
    *,
    issuer: str,
    valid_from: str,
    valid_until: str | None = None,
) -> dict[str, Any]:
    """An unsigned ``BitstringStatusListCredential`` publishing ``status_list``."""
    if purpose not in PURPOSES:
        raise InvalidInput(
            Problem(f"status purpose must be one of {', '.join(PURPOSES)}", field="statusPurpose")
        )
    cred: dict[str, Any] = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": list_credential_id,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
        "validFrom": valid_from,
        "credentialSubject": {
            "id": f"{list_credential_id}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": status_list.encode(),
        },
    }
    if valid_until is not None:
        cred["validUntil"] = valid_until
    return cred
