"""Refugee-like registration records with ground truth, for benchmarks and tests.

People are generated combinations of common names (:mod:`asylon.domain.names`), never real persons. Each
person lives in a household; organisations register people with the errors registration really shows:

* names written in the original script by one office and in one of several romanisations by another;
* typing errors, given and family name swapped, the father's name added to the given name;
* dates of birth exact, year only, estimated (``~1990``), or set to 1 January of a (guessed) year,
  day and month transposed, or missing;
* common names (drawn by frequency), twins (same household, family name and date of birth), and
  children registered by one organisation but not yet by the other.

The true person is in ``true_id``; linkage never reads that column.

>>> people = generate_people(50, seed=1)
>>> left, right = registrations(people, seed=2)
>>> set(left.columns) >= {"record_id", "given_name", "family_name", "date_of_birth", "true_id"}
True
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from asylon.domain.names import NameForm, family_name_for, family_names, given_names

__all__ = [
    "NoiseProfile",
    "Person",
    "dedup_file",
    "generate_people",
    "registrations",
]

# Share of people by origin, roughly shaped like recent displacement (not a statistic).
ORIGIN_SHARE: dict[str, float] = {
    "SYR": 0.22,
    "AFG": 0.16,
    "UKR": 0.12,
    "SDN": 0.09,
    "IRQ": 0.07,
    "ERI": 0.07,
    "SOM": 0.07,
    "ETH": 0.04,
    "IRN": 0.04,
    "SSD": 0.05,
    "COD": 0.04,
    "RUS": 0.03,
}

PLACES: dict[str, tuple[tuple[str, ...], ...]] = {
    "SYR": (
        ("حلب", "Aleppo", "Halab"),
        ("دمشق", "Damascus", "Dimashq"),
        ("حمص", "Homs", "Hims"),
        ("حماة", "Hama", "Hamah"),
        ("إدلب", "Idlib", "Edlib"),
        ("دير الزور", "Deir ez-Zor", "Deir Ezzor"),
        ("الرقة", "Raqqa", "Al-Raqqah"),
        ("درعا", "Daraa", "Deraa"),
        ("اللاذقية", "Latakia", "Lattakia"),
    ),
    "IRQ": (
        (
            "بغداد",
            "Baghdad",
        ),
        ("الموصل", "Mosul", "Al-Mawsil"),
        ("البصرة", "Basra", "Basrah"),
        ("أربيل", "Erbil", "Arbil"),
        (
            "كركوك",
            "Kirkuk",
        ),
        ("الفلوجة", "Fallujah", "Falluja"),
    ),
    "SDN": (
        (
            "الخرطوم",
            "Khartoum",
        ),
        (
            "أم درمان",
            "Omdurman",
        ),
        ("الفاشر", "El Fasher", "Al-Fashir"),
        (
            "نيالا",
            "Nyala",
        ),
        ("الجنينة", "El Geneina", "Geneina"),
        (
            "كسلا",
            "Kassala",
        ),
    ),
    "AFG": (
        (
            "کابل",
            "Kabul",
        ),
        (
            "هرات",
            "Herat",
        ),
        ("قندهار", "Kandahar", "Qandahar"),
        ("مزار شریف", "Mazar-i-Sharif", "Mazar-e Sharif"),
        (
            "جلال‌آباد",
            "Jalalabad",
        ),
        (
            "غزنی",
            "Ghazni",
        ),
    ),
    "IRN": (
        ("تهران", "Tehran", "Teheran"),
        ("مشهد", "Mashhad", "Meshed"),
        ("اصفهان", "Isfahan", "Esfahan"),
        (
            "شیراز",
            "Shiraz",
        ),
        (
            "تبریز",
            "Tabriz",
        ),
    ),
    "ERI": (
        ("ኣስመራ", "Asmara", "Asmera"),
        (
            "ከረን",
            "Keren",
        ),
        ("ምጽዋዕ", "Massawa", "Mitsiwa"),
        (
            "መንደፈራ",
            "Mendefera",
        ),
        (
            "ባረንቱ",
            "Barentu",
        ),
    ),
    "ETH": (
        ("አዲስ አበባ", "Addis Ababa", "Addis Abeba"),
        ("መቀሌ", "Mekelle", "Mekele"),
        ("ጎንደር", "Gondar", "Gonder"),
        ("ባሕር ዳር", "Bahir Dar", "Bahar Dar"),
        (
            "ድሬዳዋ",
            "Dire Dawa",
        ),
    ),
    "SOM": (
        ("Muqdisho", "Mogadishu", "Mogadiscio"),
        (
            "Kismaayo",
            "Kismayo",
        ),
        (
            "Baydhabo",
            "Baidoa",
        ),
        (
            "Hargeysa",
            "Hargeisa",
        ),
        (
            "Beledweyne",
            "Beledweyn",
        ),
    ),
    "UKR": (
        ("Київ", "Kyiv", "Kiev"),
        ("Харків", "Kharkiv", "Kharkov"),
        ("Одеса", "Odesa", "Odessa"),
        (
            "Дніпро",
            "Dnipro",
        ),
        ("Львів", "Lviv", "Lvov"),
        (
            "Маріуполь",
            "Mariupol",
        ),
    ),
    "RUS": (
        ("Москва", "Moscow", "Moskva"),
        ("Санкт-Петербург", "Saint Petersburg", "Sankt-Peterburg"),
        (
            "Казань",
            "Kazan",
        ),
        (
            "Новосибирск",
            "Novosibirsk",
        ),
    ),
    "SSD": (("Juba",), ("Malakal",), ("Wau",), ("Bor",), ("Bentiu",)),
    "COD": (("Kinshasa",), ("Goma",), ("Bukavu",), ("Lubumbashi",), ("Kisangani",), ("Uvira",)),
}

# Origins whose family name is the father's given name (so siblings share it and the father's is the grandfather's).
PATRONYMIC = frozenset({"ERI", "ETH", "SOM", "SSD"})


@dataclass(frozen=True, slots=True)
class Person:
    """One generated person (the truth behind the records)."""

    person_id: int
    household_id: int
    origin: str
    sex: str
    given: NameForm
    father: NameForm
    family: NameForm
    birth: dt.date
    place: tuple[str, ...]
    is_twin: bool = False


@dataclass(frozen=True, slots=True)
class NoiseProfile:
    """How carefully an organisation records people. Probabilities per record."""

    original_script: float = 0.25  # name written in the origin's own script (where that is not Latin)
    variant_spelling: float = 0.6  # a romanisation other than the most common one
    typo: float = 0.12
    swap_names: float = 0.05
    father_in_given: float = 0.12
    dob_year_only: float = 0.12
    dob_estimated: float = 0.08
    dob_jan1: float = 0.15
    dob_day_month_swapped: float = 0.03
    dob_missing: float = 0.02
    sex_missing: float = 0.02
    nationality_missing: float = 0.05
    place_missing: float = 0.3


@dataclass(slots=True)
class _Drawer:
    rng: np.random.Generator
    _cache: dict[tuple[str, ...], tuple[Sequence[NameForm], np.ndarray]] = field(default_factory=dict)

    def name(self, kind: str, origin: str, sex: str = "M") -> NameForm:
        key = (kind, origin, sex)
        if key not in self._cache:
            forms = given_names(origin, sex) if kind == "given" else family_names(origin)  # type: ignore[arg-type]
            weights = np.cumsum([f.weight for f in forms], dtype=float)
            self._cache[key] = (forms, weights / weights[-1])
        forms, cumulative = self._cache[key]
        # searchsorted on cumulative weights: Generator.choice(p=...) re-validates p on every call (50x slower)
        return forms[min(int(np.searchsorted(cumulative, self.rng.random(), side="right")), len(forms) - 1)]


def generate_people(n: int, *, seed: int = 0, twin_rate: float = 0.02) -> list[Person]:
    """About ``n`` people in households (parents and children), origins by :data:`ORIGIN_SHARE`.

    >>> len(generate_people(100, seed=0)) >= 100
    True
    """
    rng = np.random.default_rng(seed)
    draw = _Drawer(rng)
    origins = list(ORIGIN_SHARE)
    shares = np.array(list(ORIGIN_SHARE.values()))
    shares = shares / shares.sum()
    people: list[Person] = []
    household = 0
    while len(people) < n:
        household += 1
        origin = origins[int(rng.choice(len(origins), p=shares))]
        place = PLACES[origin][int(rng.integers(len(PLACES[origin])))]
        father_given = draw.name("given", origin, "M")
        grandfather = draw.name("given", origin, "M")
        family = grandfather if origin in PATRONYMIC else draw.name("family", origin)
        father_birth = _random_date(rng, 1950, 2000)
        members: list[Person] = []

        def add(
            sex: str,
            given: NameForm,
            father: NameForm,
            fam: NameForm,
            birth: dt.date,
            twin: bool = False,
            *,
            into: list[Person] = members,
            key: tuple[int, str, tuple[str, ...]] = (household, origin, place),
        ) -> None:
            fam_form = family_name_for(fam, sex)  # type: ignore[arg-type]
            into.append(
                Person(
                    len(people) + len(into), key[0], key[1], sex, given, father, fam_form, birth, key[2], twin
                )
            )

        add("M", father_given, grandfather, family, father_birth)
        if rng.random() < 0.8:
            mother_family = (
                draw.name("given", origin, "M") if origin in PATRONYMIC else draw.name("family", origin)
            )
            mother_birth = father_birth + dt.timedelta(days=int(rng.integers(-2500, 3650)))
            add(
                "F",
                draw.name("given", origin, "F"),
                draw.name("given", origin, "M"),
                mother_family,
                min(mother_birth, dt.date(2005, 1, 1)),
            )
        child_family = father_given if origin in PATRONYMIC else family
        first_child = father_birth.year + int(rng.integers(20, 35))
        n_children = int(rng.poisson(2.2))
        year = first_child
        for _ in range(n_children):
            if year > 2024:
                break
            sex = "F" if rng.random() < 0.5 else "M"
            birth = _random_date(rng, year, year)
            add(sex, draw.name("given", origin, sex), father_given, child_family, birth)
            if rng.random() < twin_rate:
                sex2 = "F" if rng.random() < 0.5 else "M"
                given2 = draw.name("given", origin, sex2)
                while given2.original == members[-1].given.original:
                    given2 = draw.name("given", origin, sex2)
                add(sex2, given2, father_given, child_family, birth, twin=True)
                members[-2] = _as_twin(members[-2])
            year += int(rng.integers(1, 4))
        people.extend(members)
    return people


def _as_twin(p: Person) -> Person:
    return Person(
        p.person_id, p.household_id, p.origin, p.sex, p.given, p.father, p.family, p.birth, p.place, True
    )


def _random_date(rng: np.random.Generator, first_year: int, last_year: int) -> dt.date:
    start = dt.date(first_year, 1, 1).toordinal()
    end = dt.date(last_year, 12, 31).toordinal()
    return dt.date.fromordinal(int(rng.integers(start, end + 1)))


_KEYBOARD_NEIGHBOURS = {
    "a": "sq",
    "b": "vn",
    "c": "xv",
    "d": "sf",
    "e": "wr",
    "f": "dg",
    "g": "fh",
    "h": "gj",
    "i": "uo",
    "j": "hk",
    "k": "jl",
    "l": "k",
    "m": "n",
    "n": "bm",
    "o": "ip",
    "p": "o",
    "q": "a",
    "r": "et",
    "s": "ad",
    "t": "ry",
    "u": "yi",
    "v": "cb",
    "w": "qe",
    "x": "zc",
    "y": "tu",
    "z": "x",
}


def _typo(rng: np.random.Generator, text: str) -> str:
    if len(text) < 3:
        return text
    i = int(rng.integers(1, len(text)))
    kind = int(rng.integers(4))
    if kind == 0:  # deletion
        return text[:i] + text[i + 1 :]
    if kind == 1:  # doubling
        return text[:i] + text[i] + text[i:]
    if kind == 2 and i + 1 < len(text):  # transposition
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    near = _KEYBOARD_NEIGHBOURS.get(text[i].lower(), "")
    return text[:i] + (near[int(rng.integers(len(near)))] if near else text[i]) + text[i + 1 :]


class _Recorder:
    def __init__(self, rng: np.random.Generator, noise: NoiseProfile) -> None:
        self.rng = rng
        self.noise = noise

    def chance(self, p: float) -> bool:
        return bool(self.rng.random() < p)

    def spell(self, form: NameForm) -> str:
        if form.script != "Latn" and self.chance(self.noise.original_script):
            return form.original
        roms = form.romanisations
        if len(roms) > 1 and self.chance(self.noise.variant_spelling):
            text = roms[int(self.rng.integers(1, len(roms)))]
        else:
            text = roms[0]
        if self.chance(self.noise.typo):
            text = _typo(self.rng, text)
        return text

    def dob(self, birth: dt.date) -> str:
        n = self.noise
        u = self.rng.random()
        kind = "exact"
        for p, candidate in (
            (n.dob_missing, "missing"),
            (n.dob_year_only, "year"),
            (n.dob_estimated, "est"),
            (n.dob_jan1, "jan1"),
            (n.dob_day_month_swapped, "swap"),
        ):
            if u < p:
                kind = candidate
                break
            u -= p
        if kind == "missing":
            return ""
        if kind == "year":
            return f"{birth.year:04d}"
        drift = int(self.rng.choice([-2, -1, 0, 0, 0, 1, 2]))
        if kind == "est":
            return f"~{min(birth.year + drift, 2025):04d}"
        if kind == "jan1":
            return f"{min(birth.year + (drift if self.chance(0.5) else 0), 2025):04d}-01-01"
        if kind == "swap" and birth.day <= 12 and birth.day != birth.month:
            return f"{birth.year:04d}-{birth.day:02d}-{birth.month:02d}"
        return birth.isoformat()

    def record(self, person: Person, record_id: str, household: str) -> dict[str, str]:
        n = self.noise
        given = self.spell(person.given)
        if self.chance(n.father_in_given):
            given = f"{given} {self.spell(person.father)}"
        family = self.spell(person.family)
        if self.chance(n.swap_names):
            given, family = family, given
        place = (
            "" if self.chance(n.place_missing) else person.place[int(self.rng.integers(len(person.place)))]
        )
        return {
            "record_id": record_id,
            "given_name": given,
            "family_name": family,
            "date_of_birth": self.dob(person.birth),
            "sex": "" if self.chance(n.sex_missing) else person.sex,
            "nationality": "" if self.chance(n.nationality_missing) else person.origin,
            "place_of_birth": place,
            "household_id": household,
            "true_id": str(person.person_id),
            "origin": person.origin,
        }


def registrations(
    people: Sequence[Person],
    *,
    seed: int = 0,
    overlap: float = 0.5,
    left_noise: NoiseProfile | None = None,
    right_noise: NoiseProfile | None = None,
    late_child_rate: float = 0.15,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Two organisations' registers; households in both with probability ``overlap``.

    A child in a shared household is missing from the right-hand register with probability
    ``late_child_rate`` (registered later). Record order is shuffled.
    """
    rng = np.random.default_rng(seed)
    left_rec = _Recorder(rng, left_noise or NoiseProfile(original_script=0.05))
    right_rec = _Recorder(rng, right_noise or NoiseProfile())
    by_household: dict[int, list[Person]] = {}
    for p in people:
        by_household.setdefault(p.household_id, []).append(p)
    left: list[dict[str, str]] = []
    right: list[dict[str, str]] = []
    for hh, members in by_household.items():
        where = rng.random()
        in_left = where < (1 + overlap) / 2
        in_right = where >= (1 - overlap) / 2
        for k, p in enumerate(members):
            if in_left:
                left.append(left_rec.record(p, f"A{len(left) + 1:07d}", f"HA{hh}"))
            if in_right and not (in_left and k >= 2 and rng.random() < late_child_rate):
                right.append(right_rec.record(p, f"B{len(right) + 1:07d}", f"HB{hh}"))
    left_df = pd.DataFrame(left).sample(frac=1.0, random_state=int(rng.integers(2**31)), ignore_index=True)
    right_df = pd.DataFrame(right).sample(frac=1.0, random_state=int(rng.integers(2**31)), ignore_index=True)
    return left_df, right_df


def dedup_file(
    people: Sequence[Person],
    *,
    seed: int = 0,
    duplicate_rate: float = 0.3,
    noise: NoiseProfile | None = None,
) -> pd.DataFrame:
    """One organisation's register in which a share of households was registered twice (up to 3 times).

    >>> df = dedup_file(generate_people(200, seed=3), seed=4)
    >>> df["true_id"].duplicated().any()
    True
    """
    rng = np.random.default_rng(seed)
    recorder = _Recorder(rng, noise or NoiseProfile())
    by_household: dict[int, list[Person]] = {}
    for p in people:
        by_household.setdefault(p.household_id, []).append(p)
    rows: list[dict[str, str]] = []
    for hh, members in by_household.items():
        copies = 1 + int(rng.random() < duplicate_rate) + int(rng.random() < duplicate_rate / 5)
        for c in range(copies):
            for k, p in enumerate(members):
                if c > 0 and k >= 2 and rng.random() < 0.15:
                    continue
                rows.append(recorder.record(p, f"R{len(rows) + 1:07d}", f"H{hh}-{c}"))
    return pd.DataFrame(rows).sample(frac=1.0, random_state=int(rng.integers(2**31)), ignore_index=True)
