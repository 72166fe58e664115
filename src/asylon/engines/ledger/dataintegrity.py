"""W3C Data Integrity proofs with the ``eddsa-jcs-2022`` cryptosuite (VC DI EdDSA §3.3).

Signing: the proof options (without ``proofValue``) get the document's ``@context``; both are canonicalised with
JCS (RFC 8785, the ``rfc8785`` package); the signed bytes are ``SHA-256(JCS(proof options)) ||
SHA-256(JCS(document without proof))``; the Ed25519 signature is the multibase base58btc ``proofValue``.
"""

from __future__ import annotations

import copy
import hashlib
from typing import Any

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from asylon.engines.ledger.multikey import decode_base58btc, encode_base58btc
from asylon.errors import InvalidInput, Problem

__all__ = ["CRYPTOSUITE", "ProofInvalid", "canonical", "create_proof", "hash_data", "verify_proof"]

CRYPTOSUITE = "eddsa-jcs-2022"


class ProofInvalid(ValueError):
    """The Data Integrity proof does not verify; the message says why."""


def canonical(value: Any) -> bytes:
    """JCS (RFC 8785) canonical bytes.

    >>> canonical({"b": 1, "a": [True, None]})
    b'{"a":[true,null],"b":1}'
    """
    try:
        return rfc8785.dumps(value)
    except rfc8785.CanonicalizationError as exc:
        raise InvalidInput(Problem(f"document cannot be canonicalised: {exc}")) from exc


def hash_data(document: dict[str, Any], proof_options: dict[str, Any]) -> bytes:
    """The 64 bytes an eddsa-jcs-2022 signature covers."""
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    config = {k: v for k, v in proof_options.items() if k != "proofValue"}
    if "@context" in unsecured:
        config["@context"] = unsecured["@context"]
    return hashlib.sha256(canonical(config)).digest() + hashlib.sha256(canonical(unsecured)).digest()


def create_proof(
    document: dict[str, Any],
    private_key: Ed25519PrivateKey,
    *,
    verification_method: str,
    created: str,
    proof_purpose: str = "assertionMethod",
    expires: str | None = None,
) -> dict[str, Any]:
    """Return a copy of ``document`` secured with an eddsa-jcs-2022 ``DataIntegrityProof``.

    >>> key = Ed25519PrivateKey.generate()
    >>> doc = create_proof({"id": "urn:x"}, key, verification_method="urn:k#1", created="2026-01-01T00:00:00Z")
    >>> verify_proof(doc, key.public_key())["cryptosuite"]
    'eddsa-jcs-2022'
    """
    options: dict[str, Any] = {
        "type": "DataIntegrityProof",
        "cryptosuite": CRYPTOSUITE,
        "created": created,
        "verificationMethod": verification_method,
        "proofPurpose": proof_purpose,
    }
    if expires is not None:
        options["expires"] = expires
    secured = copy.deepcopy({k: v for k, v in document.items() if k != "proof"})
    if "@context" in secured:
        options["@context"] = secured["@context"]
    signature = private_key.sign(hash_data(secured, options))
    secured["proof"] = {**options, "proofValue": encode_base58btc(signature)}
    return secured


def verify_proof(document: dict[str, Any], public_key: Ed25519PublicKey) -> dict[str, Any]:
    """Verify the document's single eddsa-jcs-2022 proof; return the proof, or raise :class:`ProofInvalid`."""
    proof = document.get("proof")
    if not isinstance(proof, dict):
        raise ProofInvalid("the document has no proof object")
    if proof.get("type") != "DataIntegrityProof" or proof.get("cryptosuite") != CRYPTOSUITE:
        raise ProofInvalid(f"proof is not a DataIntegrityProof with cryptosuite {CRYPTOSUITE}")
    value = proof.get("proofValue")
    if not isinstance(value, str):
        raise ProofInvalid("proof has no proofValue")
    try:
        signature = decode_base58btc(value, field="proof.proofValue")
    except InvalidInput as exc:
        raise ProofInvalid(exc.message) from exc
    if len(signature) != 64:
        raise ProofInvalid("proofValue is not a 64-byte Ed25519 signature")
    # The spec requires the proof's @context, when present, to be a prefix of the document's.
    if "@context" in proof:
        doc_ctx = document.get("@context")
        proof_ctx = proof["@context"]
        doc_list = doc_ctx if isinstance(doc_ctx, list) else [doc_ctx]
        proof_list = proof_ctx if isinstance(proof_ctx, list) else [proof_ctx]
        if doc_list[: len(proof_list)] != proof_list:
            raise ProofInvalid("the proof's @context does not match the document's")
    try:
        public_key.verify(signature, hash_data(document, proof))
    except InvalidSignature as exc:
        raise ProofInvalid(
            "the signature does not match the document: it was altered or signed by another key"
        ) from exc
    return proof
