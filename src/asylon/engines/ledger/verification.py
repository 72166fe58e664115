"""Offline verification of a credential envelope against a trust bundle — no network.

:func:`verify_envelope` runs every check and reports each one (passed, failed, or not applicable, with the reason),
so an official sees exactly what is wrong: an altered credential fails ``signature``; an unknown or rotated-out key
fails ``issuer-trusted``; a forged checkpoint fails ``checkpoint-signature``; missing cosignatures fail
``witness-quorum``; a credential the log never saw fails ``log-inclusion``; a revoked or suspended one fails
``status-revocation`` / ``status-suspension``; an expired one fails ``validity-period``; a travel document whose
MRZ does not match its data fails ``travel-document-mrz``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from asylon.engines.ledger import merkle
from asylon.engines.ledger.checkpoint import verify_checkpoint
from asylon.engines.ledger.commitment import credential_leaf, status_list_leaf
from asylon.engines.ledger.dataintegrity import ProofInvalid, verify_proof
from asylon.engines.ledger.envelope import Envelope
from asylon.engines.ledger.model import Check, InclusionProof, VerificationReport
from asylon.engines.ledger.mrz import parse_td3
from asylon.engines.ledger.statuslist import StatusList
from asylon.engines.ledger.timestamps import parse_time
from asylon.engines.ledger.trust import TrustBundle
from asylon.errors import InvalidInput

__all__ = ["verify_envelope"]


def _issuer_id(credential: dict[str, Any]) -> str | None:
    issuer = credential.get("issuer")
    if isinstance(issuer, dict):
        value = issuer.get("id")
        return value if isinstance(value, str) else None
    return issuer if isinstance(issuer, str) else None


def _types(credential: dict[str, Any]) -> tuple[str, ...]:
    t = credential.get("type")
    if isinstance(t, str):
        return (t,)
    return tuple(x for x in t if isinstance(x, str)) if isinstance(t, list) else ()


def _signature_and_issuer(cred: dict[str, Any], bundle: TrustBundle) -> tuple[Check, Check]:
    proof = cred.get("proof")
    if not isinstance(proof, dict):
        return (
            Check("signature", False, "the credential carries no proof"),
            Check("issuer-trusted", None, "no proof to attribute"),
        )
    method = proof.get("verificationMethod")
    issuer_id = _issuer_id(cred)
    found = bundle.find_key(method) if isinstance(method, str) else None
    if found is None:
        known = issuer_id in bundle.issuers
        reason = (
            f"key {method} is not among the trusted keys of {issuer_id}"
            if known
            else f"issuer {issuer_id} is not in the trust bundle"
        )
        return (
            Check("signature", None, "not checked: no trusted key to check it with"),
            Check("issuer-trusted", False, reason),
        )
    issuer, key = found
    try:
        verify_proof(cred, key.ed25519())
        sig = Check("signature", True, f"eddsa-jcs-2022 signature by {key.id} verifies")
    except ProofInvalid as exc:
        sig = Check("signature", False, str(exc))
    if issuer.id != issuer_id:
        return sig, Check(
            "issuer-trusted", False, f"signed with a key of {issuer.id} but claims issuer {issuer_id}"
        )
    try:
        created = parse_time(proof.get("created"), field="proof.created")
    except InvalidInput as exc:
        return sig, Check("issuer-trusted", False, exc.message)
    why_not = key.may_sign_at(created)
    if why_not:
        return sig, Check("issuer-trusted", False, why_not)
    return sig, Check("issuer-trusted", True, f"{issuer.name} ({issuer.id}), key {key.id}")


def _log_checks(env: Envelope, bundle: TrustBundle) -> list[Check]:
    if env.checkpoint is None or env.proof is None or env.salt is None:
        missing = "no checkpoint, inclusion proof or salt"
        return [
            Check(
                "checkpoint-signature",
                False,
                f"the file holds {missing}; verify the envelope, not the bare credential",
            ),
            Check("witness-quorum", None, "not checked: no checkpoint"),
            Check("log-inclusion", False, f"the file holds {missing}"),
        ]
    try:
        verified = verify_checkpoint(env.checkpoint, bundle.log_key, bundle.witnesses, quorum=0)
    except InvalidInput as exc:
        return [
            Check("checkpoint-signature", False, exc.message),
            Check("witness-quorum", None, "not checked: checkpoint not trusted"),
            Check("log-inclusion", None, "not checked: checkpoint not trusted"),
        ]
    cp = verified.checkpoint
    checks = [Check("checkpoint-signature", True, f"signed by log {cp.origin} at size {cp.size}")]
    n = len(verified.witnesses)
    if n >= bundle.quorum:
        reason = f"{n} of {len(bundle.witnesses)} witnesses cosigned (quorum {bundle.quorum})"
        checks.append(Check("witness-quorum", True, reason))
    else:
        checks.append(
            Check(
                "witness-quorum",
                False,
                f"only {n} of the {bundle.quorum} required witness cosignatures verify",
            )
        )
    if env.proof.size != cp.size:
        checks.append(
            Check("log-inclusion", False, f"proof is for size {env.proof.size}, checkpoint for {cp.size}")
        )
        return checks
    leaf = merkle.leaf_hash(credential_leaf(env.credential, env.salt))
    try:
        merkle.verify_inclusion(leaf, env.proof.index, env.proof.size, env.proof.hashes, cp.root)
        checks.append(Check("log-inclusion", True, f"leaf {env.proof.index} of {cp.size} in log {cp.origin}"))
    except merkle.ProofError as exc:
        checks.append(
            Check(
                "log-inclusion",
                False,
                f"the credential's commitment is not in the log at this checkpoint: {exc}",
            )
        )
    return checks


def _status_checks(cred: dict[str, Any], bundle: TrustBundle, now: datetime) -> list[Check]:
    raw = cred.get("credentialStatus")
    entries = [raw] if isinstance(raw, dict) else raw if isinstance(raw, list) else []
    results: dict[str, Check] = {}
    for entry in entries:
        if not isinstance(entry, dict) or entry.get("type") != "BitstringStatusListEntry":
            continue
        purpose = str(entry.get("statusPurpose"))
        if purpose not in ("revocation", "suspension"):
            continue
        name = f"status-{purpose}"
        list_id = entry.get("statusListCredential")
        slc = bundle.status_lists.get(str(list_id))
        if slc is None:
            results[name] = Check(
                name, False, f"status list {list_id} is not in the trust bundle; get a newer bundle"
            )
            continue
        key = (str(list_id), str(_issuer_id(cred)), purpose)
        if key not in bundle.checked_status_lists:
            bundle.checked_status_lists[key] = _check_status_list(slc, cred, bundle, purpose)
        problem, bits = bundle.checked_status_lists[key]
        problem = problem or _stale(slc, now)
        if problem:
            results[name] = Check(name, False, problem)
            continue
        try:
            index = int(str(entry.get("statusListIndex")))
            flagged = bits.get(index)
        except (InvalidInput, ValueError) as exc:
            results[name] = Check(name, False, f"status list {list_id}: {exc}")
            continue
        state = "revoked" if purpose == "revocation" else "suspended"
        if flagged:
            results[name] = Check(name, False, f"the credential is {state} (list {list_id}, index {index})")
        else:
            logged = ", a version recorded in the log" if str(list_id) in bundle.status_list_proofs else ""
            results[name] = Check(
                name, True, f"not {state} in list {list_id} of {slc.get('validFrom')}{logged}"
            )
    for purpose in ("revocation", "suspension"):
        name = f"status-{purpose}"
        if name not in results:
            results[name] = Check(name, None, f"the credential has no {purpose} status entry")
    return [results["status-revocation"], results["status-suspension"]]


def _check_status_list(
    slc: dict[str, Any], cred: dict[str, Any], bundle: TrustBundle, purpose: str
) -> tuple[str | None, StatusList | None]:
    """Signature by the credential's issuer, purpose, and the decoded bits — independent of the time."""
    proof = slc.get("proof")
    method = proof.get("verificationMethod") if isinstance(proof, dict) else None
    found = bundle.find_key(method) if isinstance(method, str) else None
    if found is None or found[0].id != _issuer_id(cred):
        return f"status list {slc.get('id')} is not signed by the credential's issuer", None
    try:
        verify_proof(slc, found[1].ed25519())
    except ProofInvalid as exc:
        return f"status list {slc.get('id')} signature: {exc}", None
    subject = slc.get("credentialSubject")
    if not isinstance(subject, dict) or subject.get("statusPurpose") != purpose:
        return f"status list {slc.get('id')} is not a {purpose} list", None
    logged = _status_list_logged(slc, bundle)
    if logged:
        return logged, None
    try:
        return None, StatusList.decode(str(subject.get("encodedList")))
    except InvalidInput as exc:
        return f"status list {slc.get('id')} cannot be read: {exc.message}", None


def _status_list_logged(slc: dict[str, Any], bundle: TrustBundle) -> str | None:
    """When the bundle carries a log proof for this list, the list must be the logged version."""
    entry = bundle.status_list_proofs.get(str(slc.get("id")))
    if entry is None:
        return None
    try:
        proof = InclusionProof.from_json(entry.get("inclusionProof"))
        cp = verify_checkpoint(str(entry.get("checkpoint")), bundle.log_key).checkpoint
        if proof.size != cp.size:
            return f"status list {slc.get('id')}: log proof is for another tree size than its checkpoint"
        merkle.verify_inclusion(
            merkle.leaf_hash(status_list_leaf(slc)), proof.index, proof.size, proof.hashes, cp.root
        )
    except (InvalidInput, merkle.ProofError, AttributeError) as exc:
        return f"status list {slc.get('id')} is not the version recorded in the log: {exc}"
    return None


def _stale(slc: dict[str, Any], now: datetime) -> str | None:
    if "validUntil" not in slc:
        return None
    try:
        if now >= parse_time(slc["validUntil"], field="statusList.validUntil"):
            return f"status list {slc.get('id')} expired at {slc['validUntil']}; get a newer trust bundle"
    except InvalidInput as exc:
        return exc.message
    return None


def _validity(cred: dict[str, Any], now: datetime) -> Check:
    try:
        start = parse_time(cred.get("validFrom"), field="validFrom") if "validFrom" in cred else None
        end = parse_time(cred.get("validUntil"), field="validUntil") if "validUntil" in cred else None
    except InvalidInput as exc:
        return Check("validity-period", False, exc.message)
    if start is not None and now < start:
        return Check("validity-period", False, f"not valid before {cred['validFrom']}")
    if end is not None and now >= end:
        return Check("validity-period", False, f"expired at {cred['validUntil']}")
    span = f"{cred.get('validFrom', '…')} to {cred.get('validUntil', 'no end')}"
    return Check("validity-period", True, f"valid {span}")


def _mrz(cred: dict[str, Any]) -> Check:
    if "TravelDocumentData" not in _types(cred):
        return Check("travel-document-mrz", None, "not a travel document")
    try:
        subject = cred["credentialSubject"]
        doc = subject["travelDocument"]
        line1, line2 = doc["mrz"]
        fields = parse_td3(line1, line2)
    except InvalidInput as exc:
        return Check("travel-document-mrz", False, exc.message)
    except (KeyError, TypeError, ValueError):
        return Check("travel-document-mrz", False, "the travel document has no two-line MRZ")
    mismatches = []
    if fields.document_number != str(doc.get("documentNumber", "")).upper():
        mismatches.append("document number")
    if fields.nationality != doc.get("nationality"):
        mismatches.append("nationality")
    if fields.expiry_date != str(doc.get("dateOfExpiry", ""))[2:].replace("-", ""):
        mismatches.append("date of expiry")
    if (
        fields.birth_date != str(subject.get("birthDate", ""))[2:].replace("-", "")
        and len(str(subject.get("birthDate"))) == 10
    ):
        mismatches.append("date of birth")
    if mismatches:
        return Check(
            "travel-document-mrz", False, "MRZ disagrees with the document's " + ", ".join(mismatches)
        )
    return Check("travel-document-mrz", True, "check digits correct and MRZ matches the data page")


def verify_envelope(
    envelope: Envelope, bundle: TrustBundle, *, now: datetime | None = None
) -> VerificationReport:
    """Run every offline check of a credential envelope; never raises for a bad credential.

    >>> from asylon.engines.ledger.note import generate_signer
    >>> bundle = TrustBundle.build(issuers=[], log_key=generate_signer("l.example").verifier)
    >>> report = verify_envelope(Envelope({"id": "urn:x", "issuer": "urn:nobody"}), bundle)
    >>> report.ok, report.check("issuer-trusted").passed
    (False, None)
    """
    now = now or datetime.now(UTC)
    cred = envelope.credential
    report = VerificationReport(
        credential_id=str(cred.get("id")) if cred.get("id") else None,
        credential_types=_types(cred),
        issuer=_issuer_id(cred),
    )
    report.checks.extend(_signature_and_issuer(cred, bundle))
    report.checks.extend(_log_checks(envelope, bundle))
    report.checks.extend(_status_checks(cred, bundle, now))
    report.checks.append(_validity(cred, now))
    report.checks.append(_mrz(cred))
    return report
