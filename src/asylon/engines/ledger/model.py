"""Inputs and outputs of the ledger engine as plain dataclasses."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any, Literal

from asylon.errors import InvalidInput, Problem

__all__ = ["Check", "ConsistencyProof", "InclusionProof", "Person", "VerificationReport"]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@dataclass(frozen=True, slots=True)
class InclusionProof:
    """RFC 9162 audit path of leaf ``index`` in the tree of ``size`` leaves."""

    index: int
    size: int
    hashes: tuple[bytes, ...]

    def to_json(self) -> dict[str, Any]:
        return {"leafIndex": self.index, "treeSize": self.size, "hashes": [_b64(h) for h in self.hashes]}

    @classmethod
    def from_json(cls, data: Any) -> InclusionProof:
        try:
            return cls(
                int(data["leafIndex"]),
                int(data["treeSize"]),
                tuple(base64.b64decode(h) for h in data["hashes"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidInput(
                Problem("inclusion proof needs leafIndex, treeSize and base64 hashes", field="inclusionProof")
            ) from exc


@dataclass(frozen=True, slots=True)
class ConsistencyProof:
    """RFC 9162 proof that the tree of size ``first`` is a prefix of the tree of size ``second``."""

    first: int
    second: int
    hashes: tuple[bytes, ...]

    def to_json(self) -> dict[str, Any]:
        return {"first": self.first, "second": self.second, "hashes": [_b64(h) for h in self.hashes]}


CheckName = Literal[
    "format",
    "signature",
    "issuer-trusted",
    "checkpoint-signature",
    "witness-quorum",
    "log-inclusion",
    "status-revocation",
    "status-suspension",
    "validity-period",
    "travel-document-mrz",
]


@dataclass(frozen=True, slots=True)
class Check:
    """One verification step: its name, whether it passed, and why (in words a border official can read)."""

    name: str
    passed: bool | None
    """``None`` means the check did not apply or could not run because an earlier one failed."""
    reason: str


@dataclass(slots=True)
class VerificationReport:
    """Every check of an offline credential verification, in order. ``ok`` only if none failed."""

    checks: list[Check] = field(default_factory=list)
    credential_id: str | None = None
    credential_types: tuple[str, ...] = ()
    issuer: str | None = None

    @property
    def ok(self) -> bool:
        return all(c.passed is not False for c in self.checks) and any(c.passed for c in self.checks)

    @property
    def failed(self) -> list[Check]:
        return [c for c in self.checks if c.passed is False]

    def check(self, name: str) -> Check:
        for c in self.checks:
            if c.name == name:
                return c
        raise KeyError(name)

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "credential": self.credential_id,
            "types": list(self.credential_types),
            "issuer": self.issuer,
            "checks": [{"name": c.name, "passed": c.passed, "reason": c.reason} for c in self.checks],
        }


@dataclass(frozen=True, slots=True)
class Person:
    """The holder of a credential, as printed on it. Personal data: it goes into the credential, never the log."""

    given_names: str
    surname: str
    birth_date: str
    """``YYYY-MM-DD``; ``YYYY`` alone when only the year is known."""
    sex: str = "X"
    """``F``, ``M`` or ``X`` (unspecified), as ICAO 9303 prints it."""
    country_of_origin: str = ""
    """ISO 3166-1 alpha-3."""
    place_of_birth: str = ""
    subject_id: str | None = None
    """A pairwise identifier of the holder (e.g. ``urn:uuid:…``), never a case number."""
