from __future__ import annotations

import dataclasses
import json
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from asylon.domain.names import romanise
from asylon.engines.linkage.bloom import EncodingSchema, encode, load_secret, read_encodings, write_encodings
from asylon.engines.linkage.pprl import candidate_pairs, link_encoded
from asylon.engines.linkage.records import prepare
from asylon.errors import InvalidFile, InvalidInput

from .conftest import registration_frame

PEOPLE = [
    ("1", "Mohammed", "Al-Ahmad", "1990-05-17", "M", "SYR", "Aleppo", "H1"),
    ("2", "Fatima", "Al-Ahmad", "1992", "F", "SYR", "Aleppo", "H1"),
    ("3", "Tesfaye", "Gebremedhin", "~1985", "M", "ERI", "Asmara", "H2"),
    ("4", "Oleksandr", "Shevchenko", "1979-01-01", "M", "UKR", "Kyiv", "H3"),
]
OTHER = [
    ("a", "محمد", "الأحمد", "1990-05-17", "M", "SYR", "حلب", "X1"),
    ("b", "ተስፋዬ", "Gebre Medhin", "1986", "M", "ERI", "", "X2"),
    ("c", "Олександр", "Шевченко", "1979", "M", "UKR", "Київ", "X3"),
    ("d", "Amina", "Warsame", "2001-03-04", "F", "SOM", "Mogadishu", "X4"),
]


@pytest.fixture
def encoded(secret: bytes) -> tuple[object, object]:
    return encode(prepare(registration_frame(PEOPLE)), secret), encode(
        prepare(registration_frame(OTHER)), secret
    )


def test_transliterated_records_match_and_others_do_not(encoded: tuple) -> None:  # type: ignore[type-arg]
    result = link_encoded(*encoded, one_to_one=True)
    assert sorted(zip(result.pairs["left_id"], result.pairs["right_id"], strict=True)) == [
        ("1", "a"),
        ("3", "b"),
        ("4", "c"),
    ]


@pytest.mark.parametrize("hardening", ["balance", "none", "blip"])
def test_balancing_sets_exactly_half_the_bits(secret: bytes, hardening: str) -> None:
    enc = encode(
        prepare(registration_frame(PEOPLE)), secret, EncodingSchema(hardening=hardening), blip_seed=1
    )  # type: ignore[arg-type]
    counts = np.bitwise_count(enc.bits).sum(axis=1)
    if hardening == "balance":
        assert (counts == enc.schema.bits).all()
    else:
        assert len(set(counts.tolist())) > 1  # unhardened weights vary with the record (what balancing hides)


def test_encoding_is_deterministic_under_one_secret_and_unlinkable_under_another(secret: bytes) -> None:
    prepared = prepare(registration_frame(PEOPLE))
    first, again = encode(prepared, secret), encode(prepared, secret)
    other = encode(prepared, secret[::-1])
    assert np.array_equal(first.bits, again.bits)
    assert first.key_check == again.key_check != other.key_check
    # under another secret the same records share no more bits than chance
    same = link_encoded(first, again, threshold=0.99)
    assert len(same.pairs) == len(PEOPLE)
    with pytest.raises(InvalidInput, match="different secrets"):
        link_encoded(first, other)


def test_different_schemas_are_refused_with_both_fingerprints(secret: bytes) -> None:
    prepared = prepare(registration_frame(PEOPLE))
    a = encode(prepared, secret)
    b = encode(prepared, secret, EncodingSchema(bits=2048))
    with pytest.raises(InvalidInput, match="different schemas") as err:
        link_encoded(a, b, sources=("unhcr", "ngo"))
    assert a.schema.fingerprint()[:12] in str(err.value) and "unhcr and ngo" in str(err.value)


def test_file_round_trip_and_no_plaintext_leaves(tmp_path: Path, secret: bytes) -> None:
    enc = encode(prepare(registration_frame(PEOPLE)), secret)
    path = tmp_path / "a.clk.npz"
    write_encodings(enc, path)
    back = read_encodings(path)
    assert back.ids == enc.ids and np.array_equal(back.bits, enc.bits) and back.key_check == enc.key_check
    with zipfile.ZipFile(path) as zf:
        blob = b"".join(zf.read(n) for n in zf.namelist()).lower()
    for row in PEOPLE:
        for value in (*row[1:4], *row[6:7], romanise(row[1]), romanise(row[2])):
            assert value.lower().encode() not in blob, value
    assert secret not in blob


def test_a_tampered_schema_is_refused(tmp_path: Path, secret: bytes) -> None:
    enc = encode(prepare(registration_frame(PEOPLE)), secret)
    path = tmp_path / "a.clk.npz"
    write_encodings(enc, path)
    with np.load(path) as data:
        header = json.loads(str(data["header"]))
        ids, bits = data["ids"], data["bits"]
    header["schema"]["fields"][0]["k"] = 99
    np.savez(path, header=np.array(json.dumps(header)), ids=ids, bits=bits)
    with pytest.raises(InvalidFile, match="does not match its fingerprint"):
        read_encodings(path)
    path.write_bytes(b"not an npz")
    with pytest.raises(InvalidFile, match="not an encodings file"):
        read_encodings(path)


def test_short_secrets_are_refused(tmp_path: Path) -> None:
    (tmp_path / "s.key").write_text("short")
    with pytest.raises(InvalidFile, match="at least 32"):
        load_secret(tmp_path / "s.key")


def test_matching_needs_no_plaintext_columns(encoded: tuple) -> None:  # type: ignore[type-arg]
    # The matching side gets EncodedRecords only; their fields are ids, bits, schema and key check.
    names = {f.name for f in dataclasses.fields(encoded[0])}
    assert names == {"ids", "bits", "schema", "key_check", "meta"}


def test_lsh_finds_near_duplicates() -> None:
    rng = np.random.default_rng(3)
    a = np.packbits(rng.random((300, 2048)) < 0.5, axis=1).view(np.uint64)
    noise = np.packbits(rng.random((300, 2048)) < 0.02, axis=1).view(np.uint64)
    b = a ^ noise  # 98% of bits agree
    i, j = candidate_pairs(a, b)
    found = set(zip(i.tolist(), j.tolist(), strict=True))
    assert all((k, k) in found for k in range(300))
    assert len(found) < 300 * 300 / 20  # and prunes most non-matches


def test_empty_side_is_an_error_not_zero_matches(secret: bytes) -> None:
    enc = encode(prepare(registration_frame(PEOPLE)), secret)
    empty = encode(prepare(registration_frame(PEOPLE)).iloc[:0], secret)
    with pytest.raises(InvalidInput, match="holds no encodings"):
        link_encoded(enc, empty)


def test_prepare_frame_helper_is_well_formed() -> None:
    assert isinstance(registration_frame(PEOPLE), pd.DataFrame)
