"""eddsa-jcs-2022 against the w3c/vc-di-eddsa test vectors, and Multikey encodings."""

from __future__ import annotations

import copy
import hashlib
import json
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from asylon.engines.ledger.dataintegrity import ProofInvalid, canonical, create_proof, hash_data, verify_proof
from asylon.engines.ledger.multikey import (
    decode_base58btc,
    decode_private_key,
    decode_public_key,
    encode_private_key,
    encode_public_key,
)

from .conftest import DATA

VC = DATA / "vc-di-eddsa"
SIGNED: dict[str, Any] = json.loads((VC / "signedJCS.json").read_text())
KEYS = json.loads((VC / "keyPair.json").read_text())
PUBLIC = Ed25519PublicKey.from_public_bytes(decode_public_key(KEYS["publicKeyMultibase"]))
PRIVATE = Ed25519PrivateKey.from_private_bytes(decode_private_key(KEYS["privateKeyMultibase"]))


def test_w3c_signed_vector_verifies() -> None:
    assert verify_proof(SIGNED, PUBLIC)["cryptosuite"] == "eddsa-jcs-2022"


def test_w3c_canonical_document_matches() -> None:
    unsigned = {k: v for k, v in SIGNED.items() if k != "proof"}
    assert canonical(unsigned) == (VC / "canonDocJCS.txt").read_bytes()


def test_w3c_signature_is_reproduced_byte_for_byte() -> None:
    unsigned = {k: v for k, v in SIGNED.items() if k != "proof"}
    config = json.loads((VC / "proofConfigJCS.json").read_text())
    resigned = create_proof(
        unsigned, PRIVATE, verification_method=config["verificationMethod"], created=config["created"]
    )
    assert resigned["proof"] == SIGNED["proof"]
    assert decode_base58btc(SIGNED["proof"]["proofValue"]).hex() == (VC / "sigHexJCS.txt").read_text().strip()
    # The signed bytes are SHA-256(JCS(proof config)) || SHA-256(JCS(document)).
    data = hash_data(unsigned, config)
    assert data[32:] == hashlib.sha256((VC / "canonDocJCS.txt").read_bytes()).digest()


def test_keypair_multikey_round_trip() -> None:
    assert encode_public_key(decode_public_key(KEYS["publicKeyMultibase"])) == KEYS["publicKeyMultibase"]
    assert encode_private_key(decode_private_key(KEYS["privateKeyMultibase"])) == KEYS["privateKeyMultibase"]
    assert KEYS["publicKeyMultibase"].startswith("z6Mk")


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("credentialSubject", "alumniOf"), "The School of Counterfeits"),
        (("validFrom",), "2020-01-01T00:00:00Z"),
        (("issuer",), "https://vc.example/issuers/9999"),
        (("proof", "created"), "2024-02-24T23:36:38Z"),
        (("proof", "proofPurpose"), "authentication"),
        (("@context",), ["https://www.w3.org/ns/credentials/v2"]),
    ],
)
def test_any_change_to_document_or_proof_options_breaks_the_signature(
    path: tuple[str, ...], value: Any
) -> None:
    doc = copy.deepcopy(SIGNED)
    target = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(ProofInvalid):
        verify_proof(doc, PUBLIC)


def test_wrong_key_is_refused() -> None:
    with pytest.raises(ProofInvalid, match="altered or signed by another key"):
        verify_proof(SIGNED, Ed25519PrivateKey.generate().public_key())
