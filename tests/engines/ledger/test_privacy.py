"""No personal data in leaves, proofs or checkpoints; and the guard itself catches leaks."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest

from asylon.engines.ledger.privacy import assert_no_personal_data, find_personal_data, log_material

from .conftest import AMINA, YUSUF, World


def _log_material(world: World) -> list[bytes | str]:
    world.cosigned_checkpoint()  # stores a latest checkpoint
    blobs = log_material(world.log, world.envelopes.values())
    assert len(blobs) >= 2 * world.log.size() + 1 + 2 * len(world.envelopes)
    return blobs


def _forbidden(world: World) -> list[str]:
    values = []
    for p in (AMINA, YUSUF):
        values += [p.given_names, p.surname, f"{p.given_names} {p.surname}", p.birth_date]
    values += [env.credential["id"] for env in world.envelopes.values()]
    values.append("RT0012345")  # travel document number
    return values


def test_log_material_holds_no_personal_data(world: World) -> None:
    forbidden = _forbidden(world)
    # Sanity: the same values are in the credentials, so the guard would see them there.
    creds = [json.dumps(e.credential, ensure_ascii=False) for e in world.envelopes.values()]
    assert find_personal_data(creds, forbidden)
    assert_no_personal_data(_log_material(world), forbidden)


@pytest.mark.parametrize(
    ("blob", "form"),
    [
        (b"leaf:haddad", "text"),
        ("AMINA<HADDAD", "mrz"),
        (b"\x00\x01" + hashlib.sha256(b"Amina Haddad").digest(), "unsalted SHA-256"),
        ("note " + base64.b64encode(b"name=Amina Haddad;").decode(), "text (base64-decoded)"),
        (b"dob 900504", "YYMMDD"),
    ],
)
def test_guard_catches_leaks_in_every_form(blob: bytes | str, form: str) -> None:
    hits = find_personal_data([blob], ["Amina Haddad", "Haddad", "1990-05-04"])
    assert form in {h.form for h in hits}
    with pytest.raises(AssertionError, match="personal data found"):
        assert_no_personal_data([blob], ["Amina Haddad", "Haddad", "1990-05-04"])


@pytest.mark.parametrize(
    ("blob", "found"),
    [
        (b"\xff\x00Akol\x9c", True),  # as written, in binary material
        (b"\xff\x00akol\x9c", True),
        (b"\xff\x00AKOL\x9c", True),
        (b"\xff\x00AkOl\x9c", False),  # four random bytes that happen to spell it in some other letter case
        ("entry: aKoL", True),  # text: any letter case
        (b"\xff\x00dEnG\xaa\x9c", False),
        (b"\xff\x00oDuOr\x9c", True),  # five letters and more: any letter case, everywhere
    ],
)
def test_short_values_in_binary_material_count_as_written_lower_or_upper(blob: bytes | str, found: bool) -> None:
    assert bool(find_personal_data([blob], ["Akol", "Deng", "Oduor"])) is found
