"""A seeded generator of a realistic demo world: organisations, users, situations, households.

Nobody in it is real: every person is a random combination of common given and family names
(:mod:`asylon.domain.names`), with ages, household shapes, specific needs, statuses and pathways drawn
from plausible distributions. The same seed gives the same world, so demos and tests are reproducible.

    >>> world = generate_world(seed=1, households=5)
    >>> len(world.organisations), len(world.households)
    (12, 5)
    >>> generate_world(seed=1, households=5) == world
    True
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from asylon.domain import names
from asylon.domain.names import NameForm
from asylon.domain.organisations import OrgKind, Role

T = TypeVar("T")

# Dates are drawn relative to this day rather than today, so a seed gives the same world on any day.
REFERENCE_DAY = dt.date(2026, 6, 30)
DEMO_PASSWORD = "asylon-demo"


@dataclass(frozen=True)
class OrgSpec:
    slug: str
    name: str
    kind: OrgKind
    country: str | None
    registers: tuple[str, ...] = ()  # countries of asylum where it registers cases


@dataclass(frozen=True)
class UserSpec:
    org: str
    email: str
    display_name: str
    role: Role


@dataclass(frozen=True)
class SituationSpec:
    code: str
    name: str
    countries: tuple[str, ...]
    origins: tuple[str, ...]


@dataclass(frozen=True)
class World:
    organisations: tuple[OrgSpec, ...]
    users: tuple[UserSpec, ...]
    situations: tuple[SituationSpec, ...]
    households: tuple[tuple[str, dict[str, Any]], ...] = field(repr=False)  # (registering org, CaseCreate payload)


ORGANISATIONS: tuple[OrgSpec, ...] = (
    OrgSpec("un-amman", "Refugee Agency — Amman office", OrgKind.UN_AGENCY, "JOR", ("JOR", "LBN")),
    OrgSpec("un-gaziantep", "Refugee Agency — Gaziantep office", OrgKind.UN_AGENCY, "TUR", ("TUR",)),
    OrgSpec("un-nairobi", "Refugee Agency — Nairobi office", OrgKind.UN_AGENCY, "KEN", ("KEN", "ETH", "UGA")),
    OrgSpec("un-ndjamena", "Refugee Agency — N'Djamena office", OrgKind.UN_AGENCY, "TCD", ("TCD", "EGY")),
    OrgSpec("jor-interior", "Jordan — Refugee Affairs Directorate (demo)", OrgKind.STATE_AUTHORITY, "JOR"),
    OrgSpec("deu-migration", "Germany — Federal Migration Office (demo)", OrgKind.STATE_AUTHORITY, "DEU", ("DEU",)),
    OrgSpec("can-resettlement", "Canada — Resettlement Directorate (demo)", OrgKind.STATE_AUTHORITY, "CAN"),
    OrgSpec("swe-migration", "Sweden — Migration Board (demo)", OrgKind.STATE_AUTHORITY, "SWE"),
    OrgSpec("northern-relief", "Northern Relief Council", OrgKind.NGO, None, ("PAK", "IRN", "POL")),
    OrgSpec("legal-aid-net", "Refugee Legal Aid Network", OrgKind.NGO, None),
    OrgSpec("solidarity-fund", "Solidarity Fund", OrgKind.DONOR, None),
    OrgSpec("hamburg-integration", "City of Hamburg — Integration Office (demo)", OrgKind.LOCAL_AUTHORITY, "DEU"),
)

SITUATIONS: tuple[SituationSpec, ...] = (
    SituationSpec("syria-regional", "Syria regional response", ("JOR", "LBN", "TUR", "IRQ"), ("SYR",)),
    SituationSpec("iraq", "Iraq displacement", ("JOR", "TUR"), ("IRQ",)),
    SituationSpec("afghanistan", "Afghanistan situation", ("IRN", "PAK", "TUR"), ("AFG",)),
    SituationSpec("iran-outflow", "Iran asylum-seekers", ("TUR", "DEU"), ("IRN",)),
    SituationSpec("horn-of-africa", "Horn of Africa", ("KEN", "ETH", "UGA"), ("ERI", "ETH", "SOM")),
    SituationSpec("sudan", "Sudan emergency", ("TCD", "EGY", "UGA"), ("SDN",)),
    SituationSpec("south-sudan", "South Sudan situation", ("UGA", "KEN", "ETH"), ("SSD",)),
    SituationSpec("drc", "DR Congo situation", ("UGA",), ("COD",)),
    SituationSpec("ukraine", "Ukraine situation", ("POL", "DEU"), ("UKR",)),
    SituationSpec("europe-asylum", "Asylum in Europe", ("DEU",), ("SYR", "AFG", "IRQ", "ERI", "RUS", "SOM")),
)

# Where people from each origin seek asylum, with weights (rough shapes of recent years, not statistics).
ASYLUM_BY_ORIGIN: dict[str, tuple[tuple[str, int], ...]] = {
    "SYR": (("TUR", 40), ("LBN", 15), ("JOR", 25), ("DEU", 15)),
    "IRQ": (("JOR", 40), ("TUR", 40), ("DEU", 20)),
    "AFG": (("IRN", 45), ("PAK", 40), ("TUR", 5), ("DEU", 10)),
    "IRN": (("TUR", 60), ("DEU", 40)),
    "ERI": (("ETH", 50), ("KEN", 20), ("UGA", 10), ("DEU", 20)),
    "ETH": (("KEN", 70), ("UGA", 30)),
    "SOM": (("KEN", 60), ("ETH", 35), ("DEU", 5)),
    "SDN": (("TCD", 55), ("EGY", 35), ("UGA", 10)),
    "SSD": (("UGA", 60), ("KEN", 25), ("ETH", 15)),
    "COD": (("UGA", 100),),
    "UKR": (("POL", 55), ("DEU", 45)),
    "RUS": (("DEU", 100),),
}
ORIGIN_WEIGHTS: tuple[tuple[str, int], ...] = (
    ("SYR", 26), ("AFG", 20), ("SDN", 9), ("UKR", 9), ("SSD", 7), ("COD", 5), ("SOM", 5), ("ERI", 5),
    ("IRQ", 5), ("IRN", 3), ("ETH", 3), ("RUS", 3),
)
RESETTLEMENT_STATES = ("DEU", "CAN", "SWE", "NOR", "FRA", "GBR", "USA", "AUS", "NLD", "FIN")
EDUCATION = (("none", 15), ("primary", 30), ("secondary", 30), ("vocational", 10), ("tertiary", 10), ("unknown", 5))
OCCUPATIONS = ("farmer", "teacher", "driver", "tailor", "nurse", "electrician", "student", "trader", "cook",
               "construction worker", "mechanic", "pharmacist", "accountant", "homemaker", "engineer")


def _weighted(rng: random.Random, pairs: Sequence[tuple[T, int | float]]) -> T:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def _name(rng: random.Random, forms: Sequence[NameForm]) -> NameForm:
    return rng.choices(list(forms), weights=[f.weight for f in forms])[0]


def _romanise(rng: random.Random, form: NameForm) -> str:
    # Officers write the common spelling most of the time and one of the others otherwise: this is
    # what makes the same name look different across organisations.
    if len(form.romanisations) == 1 or rng.random() < 0.6:
        return form.romanisations[0]
    return rng.choice(form.romanisations[1:])


def _date_of_birth(rng: random.Random, age: int) -> str:
    born = REFERENCE_DAY - dt.timedelta(days=age * 365 + rng.randrange(365))
    draw = rng.random()
    if draw < 0.62:
        return born.isoformat()
    if draw < 0.77:
        return f"{born.year}-01-01"  # the common "1 January of an estimated year" convention
    if draw < 0.92:
        return str(born.year)
    return f"~{born.year}"


def _household_shape(rng: random.Random) -> list[tuple[str, int, str]]:
    """(relationship, age, sex) for each member; principal first."""
    draw = rng.random()
    principal_sex = "M" if rng.random() < 0.62 else "F"
    principal_age = rng.randint(19, 68)
    members = [("principal", principal_age, principal_sex)]
    if draw < 0.30:  # single adult
        return members
    has_spouse = draw < 0.85
    if has_spouse:
        members.append(("spouse", max(18, principal_age + rng.randint(-9, 4)), "F" if principal_sex == "M" else "M"))
    children = min(max(0, int(rng.gauss(2.4, 1.6))), max(0, (principal_age - 17) // 2), 8)
    for _ in range(children):
        members.append(("child", rng.randint(0, min(principal_age - 17, 25)), rng.choice("FM")))
    if rng.random() < 0.08:
        members.append(("parent", min(principal_age + rng.randint(20, 30), 95), rng.choice("FM")))
    if rng.random() < 0.05:
        members.append(("sibling", max(1, principal_age + rng.randint(-10, 10)), rng.choice("FM")))
    return members


def _needs(rng: random.Random, relationship: str, age: int, sex: str, single_parent: bool) -> list[str]:
    needs = []
    if age < 18 and rng.random() < 0.06:
        needs.append("child-at-risk")
    if rng.random() < 0.05:
        needs.append("disability")
    if rng.random() < 0.07:
        needs.append("medical")
    if age >= 60 and rng.random() < 0.3:
        needs.append("older-at-risk")
    if relationship == "principal" and single_parent:
        needs.append("single-parent")
    if sex == "F" and age >= 18 and rng.random() < 0.06:
        needs.append("woman-at-risk")
    if age >= 14 and rng.random() < 0.04:
        needs.append("survivor")
    if rng.random() < 0.02:
        needs.append("legal-protection")
    return needs


def _status_and_pathway(rng: random.Random, origin: str, asylum: str) -> dict[str, Any]:
    status = _weighted(rng, (("asylum-seeker", 35), ("refugee", 50), ("complementary-protection", 6),
                             ("rejected", 5), ("appeal", 4)))
    out: dict[str, Any] = {"legal_status": status}
    if status != "refugee":
        return out
    draw = rng.random()
    if draw < 0.14:
        destinations = [d for d in RESETTLEMENT_STATES if d not in {origin, asylum}]
        state = _weighted(rng, (("identified", 30), ("submitted", 30), ("accepted", 20),
                                ("departure-scheduled", 10), ("departed", 10)))
        out |= {"pathway": "resettlement", "pathway_state": state}
        if state != "identified":
            out["pathway_destination"] = rng.choice(destinations)
    elif draw < 0.30:
        out |= {"pathway": "local-integration",
                "pathway_state": _weighted(rng, (("identified", 40), ("in-progress", 45), ("residence-granted", 15)))}
    elif draw < 0.36:
        out |= {"pathway": "voluntary-repatriation", "pathway_state": _weighted(rng, (("identified", 60), ("intention", 40)))}
    elif draw < 0.40:
        kind = _weighted(rng, (("family-reunification", 60), ("labour-pathway", 20), ("education-pathway", 20)))
        out |= {"pathway": kind, "pathway_state": "identified"}
    return out


def _situation_for(origin: str, asylum: str) -> str | None:
    for spec in SITUATIONS:
        if origin in spec.origins and asylum in spec.countries:
            return spec.code
    return None


def _registering_org(asylum: str) -> str:
    for spec in ORGANISATIONS:
        if asylum in spec.registers:
            return spec.slug
    return "un-amman"


def generate_household(rng: random.Random, number: int) -> tuple[str, dict[str, Any]]:
    origin = _weighted(rng, ORIGIN_WEIGHTS)
    asylum = _weighted(rng, ASYLUM_BY_ORIGIN[origin])
    family = _name(rng, names.family_names(origin))
    shape = _household_shape(rng)
    single_parent = len(shape) > 1 and not any(r == "spouse" for r, _, _ in shape)
    languages = list(names.languages_of(origin)[:1])
    persons = []
    for index, (relationship, age, sex) in enumerate(shape, start=1):
        given = _name(rng, names.given_names(origin, sex))  # type: ignore[arg-type]
        family_form = names.family_name_for(family, sex)  # type: ignore[arg-type]
        person: dict[str, Any] = {
            "person_ref": f"P{index}",
            "relationship": relationship,
            "given_name": _romanise(rng, given),
            "family_name": _romanise(rng, family_form),
            "sex": sex,
            "date_of_birth": _date_of_birth(rng, age),
            "nationality": origin,
            "languages": languages,
            "needs": _needs(rng, relationship, age, sex, single_parent),
        }
        if given.script != "Latn":
            person["name_original"] = f"{given.original} {family_form.original}"
            person["name_script"] = given.script
        if age >= 16:
            person["education"] = _weighted(rng, EDUCATION)
            if age >= 18 and rng.random() < 0.7:
                person["occupation"] = rng.choice(OCCUPATIONS)
        persons.append(person)
    registered = REFERENCE_DAY - dt.timedelta(days=rng.randrange(3 * 365))
    payload: dict[str, Any] = {
        "case_number": f"{asylum}-{registered.year % 100:02d}-{number:06d}",
        "situation": _situation_for(origin, asylum),
        "country_of_asylum": asylum,
        "origin_country": origin,
        "fled_countries": [origin],
        "registered_on": registered.isoformat(),
        "persons": persons,
        **_status_and_pathway(rng, origin, asylum),
    }
    return _registering_org(asylum), {k: v for k, v in payload.items() if v is not None}


def demo_users() -> tuple[UserSpec, ...]:
    users = []
    for org in ORGANISATIONS:
        for role in (Role.ADMIN, Role.CASEWORKER, Role.ANALYST, Role.VIEWER):
            users.append(UserSpec(org.slug, f"{role}@{org.slug}.demo", f"{role.capitalize()} ({org.slug})", role))
    return tuple(users)


def generate_world(*, seed: int = 2026, households: int = 3000) -> World:
    rng = random.Random(seed)
    return World(
        organisations=ORGANISATIONS,
        users=demo_users(),
        situations=SITUATIONS,
        households=tuple(generate_household(rng, n) for n in range(1, households + 1)),
    )
