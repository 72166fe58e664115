"""Fixtures for the ledger engine: an issuer, a log with a witness, a trust bundle and issued envelopes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from asylon.engines.ledger.checkpoint import cosign_checkpoint
from asylon.engines.ledger.credentials import (
    refugee_status_attestation,
    resettlement_decision,
    travel_document,
)
from asylon.engines.ledger.envelope import Envelope
from asylon.engines.ledger.issuance import StatusRegistry, issue_batch, refresh_proof
from asylon.engines.ledger.issuer import IssuerKeyRing
from asylon.engines.ledger.log import TransparencyLog
from asylon.engines.ledger.logstore import MemoryLogStore
from asylon.engines.ledger.model import Person
from asylon.engines.ledger.note import NoteSigner, generate_signer
from asylon.engines.ledger.trust import TrustBundle

DATA = Path(__file__).resolve().parents[2] / "data" / "ledger"
T0 = datetime(2026, 3, 1, tzinfo=UTC)
NOW = T0 + timedelta(days=1)

# Generated people, not real ones.
AMINA = Person(
    "Amina", "Haddad", "1990-05-04", "F", "SYR", subject_id="urn:uuid:00000000-0000-4000-8000-000000000001"
)
YUSUF = Person("Yusuf Omar", "Abdi", "1984-11-23", "M", "SOM")


@dataclass
class World:
    ring: IssuerKeyRing
    log: TransparencyLog
    log_key: NoteSigner
    witnesses: list[NoteSigner]
    registry: StatusRegistry
    envelopes: dict[str, Envelope]
    status_lists: list[dict[str, Any]]

    def bundle(self, *, quorum: int = 2, status_lists: list[dict[str, Any]] | None = None) -> TrustBundle:
        return TrustBundle.build(
            issuers=[self.ring.public()],
            log_key=self.log_key.verifier,
            witnesses=[w.verifier for w in self.witnesses],
            quorum=quorum,
            status_lists=self.status_lists if status_lists is None else status_lists,
        )

    def cosigned_checkpoint(self) -> str:
        note = self.log.checkpoint()
        for w in self.witnesses:
            note = cosign_checkpoint(note, w, timestamp=int(NOW.timestamp()))
        return note

    def republish(self) -> None:
        self.status_lists = self.registry.publish(self.ring, self.log, at=T0)


def make_world() -> World:
    ring = IssuerKeyRing.create(
        "https://asylon.example/orgs/unhcr-jordan", "UNHCR Jordan", at=T0 - timedelta(days=30)
    )
    log_key = generate_signer("asylon.example/log")
    witnesses = [generate_signer(f"witness.example/w{i}", cosigner=True) for i in (1, 2, 3)]
    log = TransparencyLog(MemoryLogStore(), log_key)
    registry = StatusRegistry(f"{ring.issuer}/status/1")
    creds = {
        "status": refugee_status_attestation(
            AMINA,
            issuer=ring,
            country_of_asylum="JOR",
            decision_date=date(2026, 2, 1),
            valid_from=T0,
            valid_until=T0 + timedelta(days=365 * 3),
        ),
        "resettlement": resettlement_decision(
            YUSUF,
            issuer=ring,
            resettlement_country="CAN",
            decision="accepted",
            decision_date=date(2026, 2, 20),
            valid_from=T0,
            programme="Government-Assisted Refugees",
            household_size=4,
        ),
        "travel": travel_document(
            AMINA,
            issuer=ring,
            issuing_state="JOR",
            document_number="RT0012345",
            date_of_issue=date(2026, 3, 1),
            date_of_expiry=date(2031, 2, 28),
            valid_from=T0,
        ),
    }
    # Some unrelated entries first so the proofs are not trivial.
    log.append_batch([bytes([i]) * 40 for i in range(37)])
    envs = issue_batch(list(creds.values()), ring=ring, log=log, at=T0, status=registry)
    world = World(ring, log, log_key, witnesses, registry, {}, [])
    world.republish()
    note = world.cosigned_checkpoint()
    world.envelopes = {k: refresh_proof(e, log, note, log.size()) for k, e in zip(creds, envs, strict=True)}
    return world


@pytest.fixture
def world() -> World:
    return make_world()
