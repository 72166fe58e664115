"""The trust bundle: everything an offline verifier needs to trust, in one JSON file.

Format ``asylon-trust-bundle/v1``::

    {
      "format": "asylon-trust-bundle/v1",
      "generated": "2026-03-01T00:00:00Z",
      "issuers": [                                    # organisations whose credentials are accepted
        {"id": "https://asylon.example/orgs/unhcr", "name": "UNHCR",
         "keys": [{"id": "https://asylon.example/orgs/unhcr#key-1", "type": "Multikey",
                   "publicKeyMultibase": "z6Mk…", "validFrom": "…Z", "validUntil": "…Z", "revoked": "…Z"}]}
      ],
      "log": {"origin": "asylon.example/log", "key": "asylon.example/log+1a2b3c4d+AX…"},   # C2SP vkey, type 0x01
      "witnesses": {"quorum": 1, "keys": ["witness.example/w1+…+BX…"]},                     # vkeys, type 0x04
      "statusLists": [ { …signed BitstringStatusListCredential… } ],                        # snapshots
      "statusListProofs": {"<status list id>": {"inclusionProof": {…}, "checkpoint": "<signed note>"}}  # optional
    }

``statusListProofs`` shows that each status list version was logged, so an issuer cannot hand different
verifiers different lists without it showing in the log.

``validUntil`` closes a key's signing window after rotation (credentials signed before stay valid);
``revoked`` refuses everything the key signed from then on. A bundle is distributed over a trusted channel
(e.g. signed by the platform operator or handed over by the issuing authority); the verifier never goes online.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from asylon.engines.ledger.issuer import IssuerKey, TrustedIssuer
from asylon.engines.ledger.note import ALG_COSIGNATURE_V1, ALG_ED25519, NoteVerifier
from asylon.engines.ledger.timestamps import format_time
from asylon.errors import InvalidFile, InvalidInput, Problem

__all__ = ["FORMAT", "TrustBundle", "load_trust_bundle"]

FORMAT = "asylon-trust-bundle/v1"


@dataclass(slots=True)
class TrustBundle:
    issuers: dict[str, TrustedIssuer]
    log_key: NoteVerifier
    witnesses: list[NoteVerifier] = field(default_factory=list)
    quorum: int = 0
    status_lists: dict[str, dict[str, Any]] = field(default_factory=dict)
    generated: datetime | None = None
    status_list_proofs: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Optional, per status list id: ``{"inclusionProof": …, "checkpoint": …}`` showing that version was logged."""
    checked_status_lists: dict[tuple[str, str, str], tuple[str | None, Any]] = field(
        default_factory=dict, repr=False, compare=False
    )
    """Status lists already checked against this bundle (signature, purpose) and decoded: a verifier checking
    many credentials with one bundle verifies each list once. Not serialised."""

    @classmethod
    def build(
        cls,
        *,
        issuers: Sequence[TrustedIssuer],
        log_key: NoteVerifier,
        witnesses: Sequence[NoteVerifier] = (),
        quorum: int = 0,
        status_lists: Sequence[dict[str, Any]] = (),
        generated: datetime | None = None,
        status_list_proofs: dict[str, dict[str, Any]] | None = None,
    ) -> TrustBundle:
        """Assemble a bundle, checking the quorum can be met.

        >>> from asylon.engines.ledger.note import generate_signer
        >>> b = TrustBundle.build(issuers=[], log_key=generate_signer("l.example").verifier)
        >>> TrustBundle.from_json(b.to_json()).log_key == b.log_key
        True
        """
        if quorum > len(witnesses) or quorum < 0:
            raise InvalidInput(
                Problem(f"quorum {quorum} cannot be met by {len(witnesses)} witnesses", field="quorum")
            )
        return cls(
            {i.id: i for i in issuers},
            log_key,
            list(witnesses),
            quorum,
            {str(s["id"]): s for s in status_lists},
            generated,
            dict(status_list_proofs or {}),
        )

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"format": FORMAT}
        if self.generated is not None:
            data["generated"] = format_time(self.generated)
        data["issuers"] = [i.to_json() for i in self.issuers.values()]
        data["log"] = {"origin": self.log_key.name, "key": self.log_key.to_vkey()}
        data["witnesses"] = {"quorum": self.quorum, "keys": [w.to_vkey() for w in self.witnesses]}
        data["statusLists"] = list(self.status_lists.values())
        if self.status_list_proofs:
            data["statusListProofs"] = self.status_list_proofs
        return data

    def dumps(self) -> str:
        return json.dumps(self.to_json(), indent=2, ensure_ascii=False)

    @classmethod
    def from_json(cls, data: Any) -> TrustBundle:
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise InvalidInput(Problem(f"not a trust bundle: 'format' must be {FORMAT!r}", field="format"))
        issuers = []
        for i, d in enumerate(data.get("issuers", [])):
            where = f"issuers[{i}]"
            if not isinstance(d, dict) or not isinstance(d.get("id"), str):
                raise InvalidInput(Problem("each issuer needs an id", field=where))
            keys = tuple(
                IssuerKey.from_json(k, where=f"{where}.keys[{j}]") for j, k in enumerate(d.get("keys", []))
            )
            for k in keys:
                if not k.id.startswith(d["id"] + "#"):
                    raise InvalidInput(
                        Problem(f"key {k.id} is not under issuer {d['id']}", field=f"{where}.keys")
                    )
            issuers.append(TrustedIssuer(d["id"], str(d.get("name", d["id"])), keys))
        log = data.get("log")
        if not isinstance(log, dict) or not isinstance(log.get("key"), str):
            raise InvalidInput(Problem("the bundle needs log.key, the log's verifier key", field="log.key"))
        log_key = NoteVerifier.from_vkey(log["key"])
        if log_key.alg != ALG_ED25519:
            raise InvalidInput(Problem("log.key must be an Ed25519 note key (type 0x01)", field="log.key"))
        w = data.get("witnesses") or {}
        witnesses = [NoteVerifier.from_vkey(k) for k in w.get("keys", [])]
        for n, wk in enumerate(witnesses):
            if wk.alg != ALG_COSIGNATURE_V1:
                raise InvalidInput(
                    Problem(
                        "witness keys must be cosignature/v1 keys (type 0x04)", field=f"witnesses.keys[{n}]"
                    )
                )
        status_lists = data.get("statusLists", [])
        if not isinstance(status_lists, list) or not all(
            isinstance(s, dict) and "id" in s for s in status_lists
        ):
            raise InvalidInput(
                Problem("statusLists must be a list of status list credentials", field="statusLists")
            )
        proofs = data.get("statusListProofs", {})
        if not isinstance(proofs, dict):
            raise InvalidInput(
                Problem("statusListProofs must map status list ids to proofs", field="statusListProofs")
            )
        return cls.build(
            issuers=issuers,
            log_key=log_key,
            witnesses=witnesses,
            quorum=int(w.get("quorum", 0)),
            status_lists=status_lists,
            status_list_proofs=proofs,
        )

    def find_key(self, key_id: str) -> tuple[TrustedIssuer, IssuerKey] | None:
        for issuer in self.issuers.values():
            key = issuer.key(key_id)
            if key is not None:
                return issuer, key
        return None


def load_trust_bundle(path: str | Path) -> TrustBundle:
    """Read a trust bundle file; errors name the file and the field."""
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InvalidFile(
            str(p), Problem("no such file", fix="pass the trust bundle given by your authority")
        ) from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InvalidFile(str(p), Problem(f"is not JSON: {exc}")) from exc
    try:
        return TrustBundle.from_json(data)
    except InvalidInput as exc:
        raise InvalidFile(str(p), exc.problems) from exc
