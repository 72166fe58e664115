from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asylon.domain import names
from asylon.domain.names import (
    ORIGINS,
    family_name_for,
    family_names,
    given_names,
    languages_of,
    name_key,
    name_key_compact,
    romanise,
    script_of,
)

BIG_ORIGINS = ("SYR", "IRQ", "SDN", "AFG", "IRN", "ERI", "ETH", "SOM", "UKR", "RUS")


@pytest.mark.parametrize("origin", BIG_ORIGINS)
def test_big_origins_have_enough_names(origin: str) -> None:
    assert len(given_names(origin, "F")) >= 55
    assert len(given_names(origin, "M")) >= 60
    assert len(family_names(origin)) >= 60


@pytest.mark.parametrize("origin", ORIGINS)
def test_forms_are_well_formed(origin: str) -> None:
    script = script_of(origin)
    for form in (*given_names(origin, "F"), *given_names(origin, "M"), *family_names(origin)):
        assert form.romanisations, form
        assert form.weight > 0
        assert form.script == script
        assert all(r.isascii() for r in form.romanisations), form
    assert all(len(code) == 3 and code.islower() for code in languages_of(origin))


@pytest.mark.parametrize(
    ("origin", "script"),
    [
        ("SYR", "Arab"),
        ("AFG", "Arab"),
        ("IRN", "Arab"),
        ("ERI", "Ethi"),
        ("ETH", "Ethi"),
        ("UKR", "Cyrl"),
        ("RUS", "Cyrl"),
        ("SOM", "Latn"),
    ],
)
def test_originals_are_in_their_script(origin: str, script: str) -> None:
    ranges = {"Arab": ("\u0600", "\u06ff"), "Ethi": ("\u1200", "\u139f"), "Cyrl": ("\u0400", "\u04ff")}
    for form in given_names(origin, "M"):
        letters = [c for c in form.original if c.isalpha()]
        if script == "Latn":
            assert all(c.isascii() for c in letters), form
        else:
            lo, hi = ranges[script]
            assert all(lo <= c <= hi or c == "\u02bc" for c in letters), form


def test_unknown_origin_and_sex_are_refused_by_name() -> None:
    with pytest.raises(KeyError, match="known: SYR"):
        family_names("XXX")
    with pytest.raises(ValueError, match="'F' or 'M'"):
        given_names("SYR", "X")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "spellings",
    [
        ("محمد", "Mohammed", "Muhammad", "Mohamed", "Mohamad", "Mhd", "Maxamed", "MOHAMMED"),
        (
            "Abdul Rahman",
            "Abdelrahman",
            "عبد الرحمن",
            "Abd al-Rahman",
            "Abdurrahman",
            "Abd ar-Rahman",
            "Abdirahman",
        ),
        ("Abdullah", "عبد الله", "Abdallah", "Abdulla", "Abd Allah"),
        ("Zabihullah", "ذبیح‌الله", "Zabiullah"),
        ("Al-Ahmad", "الأحمد", "Alahmad", "Al Ahmad", "El-Ahmad"),
        ("Yousef", "Youssef", "Yusuf", "يوسف", "Yousif"),
        ("Hussein", "Husain", "حسين", "Hossein", "Xuseen"),
        ("Fatima", "فاطمة", "Fatimah", "Faadumo", "Fatuma"),
        ("Mikhail", "Михаил", "Mihail", "Михайло"),
        ("Oleksandr", "Олександр", "Alexander", "Александр"),
        ("Tesfaye", "ተስፋዬ", "Tesfay"),
        ("Gebremedhin", "Gebre Medhin", "ገብረመድህን"),
        ("Khalid", "Khaled", "خالد"),
        ("Shevchenko", "Шевченко"),
        ("Nour Eddine", "نور الدين", "Nureddin", "Nour al-Din"),
        ("Al-Jubouri", "Aljuboori", "الجبوري", "Al-Juburi"),
    ],
)
def test_spellings_of_one_name_share_a_key(spellings: tuple[str, ...]) -> None:
    keys = {name_key_compact(s) for s in spellings}
    assert len(keys) == 1, {s: name_key(s) for s in spellings}


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Mohammed", "Ahmed"),
        ("Fatima", "Zainab"),
        ("Hassan", "Hussein"),
        ("Oleksandr", "Oleksii"),
        ("Omar", "Ammar"),
        ("Tesfaye", "Tsegaye"),
        ("Mohammed", "Mahmoud"),
        ("محمد", "محمود"),
    ],
)
def test_different_names_get_different_keys(a: str, b: str) -> None:
    assert name_key(a) != name_key(b)


def test_feminine_family_name_keys_like_the_masculine() -> None:
    assert name_key("Ivanova") == name_key("Иванов")


def test_words_stay_separate_in_name_key() -> None:
    assert name_key("Mohammed Abdul Rahman") == "mhmd bdrhmn"
    assert name_key("Abdi Hassan") == "bd hsn"  # Abdi is a whole Somali name, not a compound prefix


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("محمد عبد الرحمن", "Mohammed Abdulrahman"),
        ("Maxamed", "Mohamed"),
        ("Михаил", "Mikhail"),
        ("ተስፋዬ", "Tesfaye"),
        ("Mhd", "Mohammed"),
    ],
)
def test_romanise(text: str, expected: str) -> None:
    assert romanise(text) == expected


@pytest.mark.parametrize(
    ("origin", "index", "expected"),
    [("RUS", 0, "Ivanova"), ("UKR", 0, "Shevchenko"), ("SYR", 0, "Al-Ahmad")],
)
def test_family_name_for_a_woman(origin: str, index: int, expected: str) -> None:
    assert family_name_for(family_names(origin)[index], "F").latin == expected


def test_every_listed_spelling_keys_like_its_name() -> None:
    """Each romanisation a list gives must be found equal to the original script form."""
    misses = []
    for origin in ORIGINS:
        for form in (*given_names(origin, "F"), *given_names(origin, "M"), *family_names(origin)):
            want = name_key_compact(form.original)
            misses += [(form.original, r) for r in form.romanisations if name_key_compact(r) != want]
    assert not misses


@settings(max_examples=300, derandomize=True)
@given(st.text(max_size=40))
def test_name_key_never_fails_and_is_ascii(text: str) -> None:
    key = name_key(text)
    assert key.isascii()
    assert name_key_compact(text) == key.replace(" ", "")


def test_lexicon_is_built_from_the_tables() -> None:
    assert names._key_lexicon()["mhd"] == names._key_lexicon()["محمد"] == "mhmd"
