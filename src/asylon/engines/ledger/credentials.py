"""The three asylon credentials as W3C Verifiable Credentials 2.0, and signing them.

- ``RefugeeStatusAttestation`` — an authority recognised the holder as a refugee (legal basis, date, country).
- ``ResettlementDecision`` — a resettlement state accepted (or not) the holder's case for resettlement.
- ``TravelDocumentData`` — the data page of a Convention Travel Document, with an ICAO 9303 TD3 MRZ.

Terms beyond the VC 2.0 context are defined by an inline ``@vocab`` context, so the credentials are
self-contained: eddsa-jcs-2022 signs the JSON as it is, and no context document is fetched when verifying.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from asylon.engines.ledger.dataintegrity import create_proof
from asylon.engines.ledger.issuer import IssuerKeyRing
from asylon.engines.ledger.model import Person
from asylon.engines.ledger.mrz import NATIONALITY_REFUGEE_1951, format_td3
from asylon.engines.ledger.timestamps import format_time
from asylon.errors import InvalidInput, Problem

__all__ = [
    "CONTEXT",
    "CREDENTIAL_TYPES",
    "refugee_status_attestation",
    "resettlement_decision",
    "sign_credential",
    "travel_document",
]

VOCAB = "https://asylon.org/ns/credentials#"
CONTEXT: list[Any] = ["https://www.w3.org/ns/credentials/v2", {"@vocab": VOCAB}]
CREDENTIAL_TYPES = ("RefugeeStatusAttestation", "ResettlementDecision", "TravelDocumentData")


def _subject(person: Person) -> dict[str, Any]:
    subject: dict[str, Any] = {
        "type": "Person",
        "givenName": person.given_names,
        "familyName": person.surname,
        "birthDate": person.birth_date,
        "sex": person.sex,
    }
    if person.subject_id:
        subject["id"] = person.subject_id
    if person.country_of_origin:
        subject["countryOfOrigin"] = person.country_of_origin
    if person.place_of_birth:
        subject["placeOfBirth"] = person.place_of_birth
    return subject


def _base(
    kind: str, issuer: IssuerKeyRing, valid_from: datetime, valid_until: datetime | None
) -> dict[str, Any]:
    cred: dict[str, Any] = {
        "@context": CONTEXT,
        "id": f"urn:uuid:{uuid.uuid4()}",
        "type": ["VerifiableCredential", kind],
        "issuer": {"id": issuer.issuer, "name": issuer.name},
        "validFrom": format_time(valid_from),
    }
    if valid_until is not None:
        if valid_until <= valid_from:
            raise InvalidInput(Problem("validUntil must be after validFrom", field="validUntil"))
        cred["validUntil"] = format_time(valid_until)
    return cred


def refugee_status_attestation(
    person: Person,
    *,
    issuer: IssuerKeyRing,
    country_of_asylum: str,
    decision_date: date,
    valid_from: datetime,
    valid_until: datetime | None = None,
    legal_basis: str = "1951 Convention relating to the Status of Refugees, Article 1A(2)",
    status: str = "recognised-refugee",
) -> dict[str, Any]:
    """An unsigned refugee-status attestation; sign it with :func:`sign_credential`."""
    cred = _base("RefugeeStatusAttestation", issuer, valid_from, valid_until)
    cred["credentialSubject"] = {
        **_subject(person),
        "refugeeStatus": {
            "type": "RefugeeStatus",
            "status": status,
            "legalBasis": legal_basis,
            "countryOfAsylum": country_of_asylum,
            "decisionDate": decision_date.isoformat(),
        },
    }
    return cred


def resettlement_decision(
    person: Person,
    *,
    issuer: IssuerKeyRing,
    resettlement_country: str,
    decision: str,
    decision_date: date,
    valid_from: datetime,
    valid_until: datetime | None = None,
    programme: str = "",
    household_size: int = 1,
) -> dict[str, Any]:
    """An unsigned resettlement decision (``decision``: accepted, rejected or deferred)."""
    if decision not in ("accepted", "rejected", "deferred"):
        raise InvalidInput(
            Problem("decision must be accepted, rejected or deferred", field="decision", value=decision)
        )
    cred = _base("ResettlementDecision", issuer, valid_from, valid_until)
    detail: dict[str, Any] = {
        "type": "Resettlement",
        "resettlementCountry": resettlement_country,
        "decision": decision,
        "decisionDate": decision_date.isoformat(),
        "householdSize": household_size,
    }
    if programme:
        detail["programme"] = programme
    cred["credentialSubject"] = {**_subject(person), "resettlement": detail}
    return cred


def _birth(person: Person) -> date:
    try:
        return date.fromisoformat(person.birth_date)
    except ValueError:
        if len(person.birth_date) == 4 and person.birth_date.isdigit():
            # Doc 9303 allows unknown month/day; we print 1 January, the common administrative convention.
            return date(int(person.birth_date), 1, 1)
        raise InvalidInput(
            Problem("is not YYYY-MM-DD or YYYY", field="birth_date", value=person.birth_date)
        ) from None


def travel_document(
    person: Person,
    *,
    issuer: IssuerKeyRing,
    issuing_state: str,
    document_number: str,
    date_of_issue: date,
    date_of_expiry: date,
    valid_from: datetime,
    nationality: str = NATIONALITY_REFUGEE_1951,
    document_code: str = "P",
) -> dict[str, Any]:
    """Unsigned data of a Convention Travel Document, MRZ included (nationality ``XXB`` by default)."""
    line1, line2 = format_td3(
        issuing_state=issuing_state,
        surname=person.surname,
        given_names=person.given_names,
        document_number=document_number,
        nationality=nationality,
        birth_date=_birth(person),
        sex=person.sex,
        expiry_date=date_of_expiry,
        document_code=document_code,
    )
    until = datetime.combine(
        date_of_expiry, datetime.max.time().replace(microsecond=0), tzinfo=valid_from.tzinfo
    )
    cred = _base("TravelDocumentData", issuer, valid_from, until)
    cred["credentialSubject"] = {
        **_subject(person),
        "travelDocument": {
            "type": "ConventionTravelDocument",
            "documentNumber": document_number,
            "issuingState": issuing_state,
            "nationality": nationality,
            "dateOfIssue": date_of_issue.isoformat(),
            "dateOfExpiry": date_of_expiry.isoformat(),
            "mrz": [line1, line2],
        },
    }
    return cred


def sign_credential(credential: dict[str, Any], ring: IssuerKeyRing, *, at: datetime) -> dict[str, Any]:
    """Sign with the organisation's key active at ``at`` (eddsa-jcs-2022).

    >>> from datetime import UTC
    >>> t = datetime(2026, 3, 1, tzinfo=UTC)
    >>> ring = IssuerKeyRing.create("https://asylon.example/orgs/x", "X", at=t)
    >>> p = Person("Amina", "Example", "1990-05-04", "F", "SYR")
    >>> vc = refugee_status_attestation(p, issuer=ring, country_of_asylum="JOR", decision_date=t.date(), valid_from=t)
    >>> sign_credential(vc, ring, at=t)["proof"]["verificationMethod"]
    'https://asylon.example/orgs/x#key-1'
    """
    issuer = credential.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    if issuer_id != ring.issuer:
        raise InvalidInput(Problem(f"credential issuer {issuer_id!r} is not {ring.issuer!r}", field="issuer"))
    key = ring.active_key(at)
    return create_proof(
        credential, ring.private_key(key.id), verification_method=key.id, created=format_time(at)
    )
