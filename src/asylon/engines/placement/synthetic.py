"""Seeded synthetic years: generated households, localities and outcome scores (never real people).

Calibrated to published shapes of resettlement caseloads: about 46% of cases are single persons, mean
case size about 2.6, about 8% of cases have 6 or more persons; about 63% of case–locality pairs are
allowed; total capacity 100–150% of arrivals. Employment follows a hidden "true" logistic model
(:class:`World`) with person effects (age, sex, schooling, language), locality effects (unemployment,
size) and nationality × locality community effects; the same world generates the outcome history the
outcome model learns from, so the demo can check what it learns.

>>> year = generate_year(200, 10, seed=1)
>>> len(year.problem.cases), len(year.problem.destinations)
(200, 10)
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Literal

import numpy as np

from .model import Case, Destination, FloatArray, IntArray, Person, PlacementProblem, ScoreTable

SIZE_P = np.array([0.46, 0.12, 0.12, 0.12, 0.10, 0.04, 0.02, 0.01, 0.007, 0.003])
"""Case size 1..10: 46% single, 8% six or more, mean ≈ 2.6."""

ORIGINS: dict[str, tuple[str, ...]] = {
    "SY": ("ar", "ku"), "AF": ("ps", "fa"), "CD": ("fr", "sw", "ln"), "SS": ("en", "ar"), "MM": ("rhg", "my"),
    "ER": ("ti", "ar"), "SO": ("so", "ar"), "SD": ("ar",), "IQ": ("ar", "ku"), "VE": ("es",),
}
HOSTS: dict[str, str] = {  # resettlement country -> local language
    "US": "en", "CA": "en", "DE": "de", "SE": "sv", "NO": "no", "FR": "fr", "GB": "en", "AU": "en",
    "NL": "nl", "ES": "es", "FI": "fi", "IE": "en", "NZ": "en", "BE": "fr", "PT": "pt", "IT": "it",
}
FIRST_ASYLUM = ("TR", "LB", "JO", "PK", "UG", "KE", "BD", "ET", "CO", "IR")
SERVICES = ("large_family", "single_parent", "medical")

ScoreKind = Literal["expected", "any"]


@dataclass(frozen=True, slots=True)
class World:
    """The hidden truth of a synthetic world: how likely each person is to find work where."""

    seed: int
    destination_effect: FloatArray
    community: FloatArray  # nationalities × destinations
    nationalities: tuple[str, ...] = tuple(ORIGINS)
    coef: dict[str, float] = field(default_factory=lambda: {
        "intercept": -1.2, "male": 0.55, "education": 0.09, "speaks_local": 0.9, "age_peak": -0.0025,
        "unemployment": -9.0, "log_population": 0.08,
    })

    def probability(self, age: FloatArray, male: FloatArray, education: FloatArray, speaks_local: FloatArray,
                    nationality: IntArray, destination: IntArray, unemployment: FloatArray,
                    population: FloatArray) -> FloatArray:
        """True employment probability of working-age persons (vectorised over person–destination rows)."""
        c = self.coef
        z = (c["intercept"] + c["male"] * male + c["education"] * education + c["speaks_local"] * speaks_local
             + c["age_peak"] * (age - 35.0) ** 2 + c["unemployment"] * unemployment
             + c["log_population"] * np.log(population) + self.destination_effect[destination]
             + self.community[nationality, destination])
        return np.asarray(1.0 / (1.0 + np.exp(-z)), dtype=np.float64)


@dataclass(frozen=True, slots=True)
class SyntheticYear:
    problem: PlacementProblem
    world: World
    compatible_share: float


def _members(rng: np.random.Generator, size: int, nationality: str) -> tuple[tuple[Person, ...], frozenset[str]]:
    native = ORIGINS[nationality]
    langs = {native[0]} | ({native[1]} if len(native) > 1 and rng.random() < 0.4 else set())
    if rng.random() < 0.25:
        langs.add("en")
    if rng.random() < 0.08:
        langs.add("fr")

    def person(lo: int, hi: int, sex: str | None = None) -> Person:
        age = int(rng.integers(lo, hi + 1))
        s = sex or ("F" if rng.random() < 0.5 else "M")
        edu = int(np.clip(rng.normal(8 if age >= 18 else min(age - 6, 8), 4), 0, 18))
        spoken = tuple(sorted(langs)) if age >= 6 else (native[0],)
        return Person(age, s, spoken, edu)  # type: ignore[arg-type]

    if size == 1:
        return (person(18, 64),), frozenset(langs)
    adults = [person(20, 55, "F"), person(20, 60, "M")] if rng.random() < 0.8 else [person(20, 55, "F")]
    people = adults[:size]
    while len(people) < size:
        if len(people) == size - 1 and size >= 5 and rng.random() < 0.3:
            people.append(person(60, 80))
        else:
            people.append(person(0, 19))
    return tuple(people), frozenset(langs)


def generate_year(
    n_cases: int,
    n_destinations: int,
    *,
    seed: int,
    capacity_ratio: float | None = None,
    compatible: float = 0.63,
    score: ScoreKind = "expected",
    start: date = date(2025, 1, 1),
    ties: float = 0.03,
    family_links: float = 0.03,
    quotas: bool = False,
    arrivals_seed: int | None = None,
) -> SyntheticYear:
    """A year of arrivals and localities with allowed-pair scores from the hidden :class:`World`.

    ``capacity_ratio`` (total capacity / arriving persons) defaults to a draw in [1.0, 1.5].
    ``score`` is ``expected`` (expected employed working-age members) or ``any`` (probability at least
    one is employed). With ``arrivals_seed``, the arrivals come from their own random stream and the
    localities (ids, countries, services offered, languages, labour markets) and the hidden world from
    ``seed``: two years with the same ``seed`` and different ``arrivals_seed`` are two years of the same
    localities (capacities follow each year's arrivals), e.g. last year as history for this one.
    """
    rng = np.random.default_rng(seed)
    main_rng = rng
    if arrivals_seed is not None:
        rng = np.random.default_rng([seed, arrivals_seed])
    nat_codes = tuple(ORIGINS)
    nat_p = np.array([0.22, 0.16, 0.14, 0.08, 0.08, 0.07, 0.07, 0.07, 0.06, 0.05])
    hosts = list(HOSTS)[: max(2, min(len(HOSTS), n_destinations // 6 + 2))]

    sizes = rng.choice(np.arange(1, 11), size=n_cases, p=SIZE_P)
    nats = rng.choice(len(nat_codes), size=n_cases, p=nat_p)
    days = np.sort(rng.integers(0, 365, size=n_cases))
    cases: list[Case] = []
    for i in range(n_cases):
        nat = nat_codes[nats[i]]
        members, langs = _members(rng, int(sizes[i]), nat)
        needs = set()
        adults = sum(1 for m in members if m.age >= 18)
        if sizes[i] >= 6:
            needs.add("large_family")
        if adults == 1 and sizes[i] > 1:
            needs.add("single_parent")
        if rng.random() < 0.08:
            needs.add("medical")
        fled = {nat, FIRST_ASYLUM[int(rng.integers(len(FIRST_ASYLUM)))]} if rng.random() < 0.5 else {nat}
        unsafe = {hosts[int(rng.integers(len(hosts)))]} if rng.random() < 0.02 else set()
        cases.append(Case(
            case_id=f"C{i + 1:06d}", persons=int(sizes[i]), members=members, needs=frozenset(needs),
            nationality=nat, fled=frozenset(fled), unsafe=frozenset(unsafe), languages=langs,
            arrival=start + timedelta(days=int(days[i])),
        ))

    total_persons = int(sizes.sum())
    rng = main_rng
    ratio = float(rng.uniform(1.0, 1.5)) if capacity_ratio is None else capacity_ratio
    weight = rng.lognormal(0.0, 0.6, size=n_destinations)
    capacity = np.maximum(np.floor(weight / weight.sum() * total_persons * ratio), 1).astype(int)
    countries = [hosts[k % len(hosts)] for k in range(n_destinations)]
    demand = {s: sum(1 for c in cases if s in c.needs) for s in SERVICES}
    offers = {s: rng.random(n_destinations) < 0.8 for s in SERVICES}
    destinations: list[Destination] = []
    for j in range(n_destinations):
        services: dict[str, int] = {}
        for s in SERVICES:
            if offers[s][j]:
                share = weight[j] / weight[offers[s]].sum()
                services[s] = int(np.ceil(share * demand[s] * ratio * 1.3))
        local = HOSTS[countries[j]]
        # Most localities work through interpreters on demand; some serve only listed languages.
        served = frozenset() if rng.random() < 0.7 else frozenset({local, "en"})
        if served:
            for lang in ("ar", "fa", "so"):
                if rng.random() < 0.5:
                    services[f"interpreter_{lang}"] = int(np.ceil(capacity[j] * 0.1))
        destinations.append(Destination(
            destination_id=f"D{j + 1:04d}", country=countries[j], capacity=int(capacity[j]), services=services,
            languages=served, unemployment_rate=float(rng.uniform(0.03, 0.12)),
            population=int(rng.lognormal(11.5, 1.2)) + 5000,
        ))

    world = World(seed=seed, destination_effect=rng.normal(0.0, 0.35, size=n_destinations),
                  community=rng.normal(0.0, 0.45, size=(len(nat_codes), n_destinations)))
    problem = PlacementProblem(cases, destinations, ScoreTable(np.zeros(0, np.int64), np.zeros(0, np.int64),
                                                                np.zeros(0)))
    # Allowed-ness is decided on all pairs, then a random share is dropped (localities that cannot take a
    # case for reasons outside the model) so that about ``compatible`` of all pairs remain.
    from .eligibility import Eligibility, allowed_pairs

    # In slices of cases, so that a 100,000 × 1,000 year never holds every pair's temporaries at once; the
    # random draws follow one stream, so the year is the same whatever the slice size.
    step = max(1, 2_000_000 // max(n_destinations, 1))

    def allowed(lo: int) -> Eligibility:
        part = cases[lo : lo + step]
        every = ScoreTable(np.repeat(np.arange(len(part)), n_destinations),
                           np.tile(np.arange(n_destinations), len(part)), np.zeros(len(part) * n_destinations))
        return allowed_pairs(replace(problem, cases=part, scores=every))

    share_ok = (sum(len(allowed(lo).case) for lo in range(0, n_cases, step)) if n_cases > step
                else None)
    ci_parts, di_parts, score_parts = [], [], []
    n_ok = 0
    for lo in range(0, n_cases, step):
        part = cases[lo : lo + step]
        ok = allowed(lo)
        if share_ok is None:
            share_ok = len(ok.case)
        keep = rng.random(len(ok.case)) < min(1.0, compatible / max(share_ok / max(n_cases * n_destinations, 1),
                                                                    1e-9))
        ci_part, di_part = ok.case[keep], ok.destination[keep]
        n_ok += len(ci_part)
        score_parts.append(case_scores(world, part, destinations, ci_part, di_part, kind=score))
        ci_parts.append((ci_part + lo).astype(np.int32))
        di_parts.append(di_part.astype(np.int32))
    # int32 indices: at 100,000 x 1,000 the table has 63 M pairs.
    ci = np.concatenate(ci_parts) if ci_parts else np.zeros(0, np.int32)
    del ci_parts
    di = np.concatenate(di_parts) if di_parts else np.zeros(0, np.int32)
    del di_parts
    scores = np.concatenate(score_parts) if score_parts else np.zeros(0)
    del score_parts
    table = ScoreTable(ci, di, scores)
    cases = _link(rng, cases, table, destinations, ties=ties, family_links=family_links)
    quota = {}
    if quotas:
        for country in sorted(set(countries)):
            cap = sum(d.capacity for d in destinations if d.country == country)
            quota[country] = int(cap * rng.uniform(0.85, 1.0))
    problem = PlacementProblem(cases, destinations, table, quotas=quota)
    return SyntheticYear(problem, world, float(n_ok) / max(n_cases * n_destinations, 1))


def case_scores(world: World, cases: list[Case], destinations: list[Destination], ci: IntArray, di: IntArray,
                *, kind: ScoreKind = "expected") -> FloatArray:
    """True case scores for pairs ``(ci, di)`` under ``world``."""
    nat_index = {n: k for k, n in enumerate(world.nationalities)}
    rows: list[tuple[int, float, float, float, frozenset[str], int]] = []
    for i, case in enumerate(cases):
        for m in case.members:
            if m.working_age:
                rows.append((i, m.age, 1.0 if m.sex == "M" else 0.0, m.education_years, frozenset(m.languages),
                             nat_index.get(case.nationality or "", 0)))
    if not rows:
        return np.zeros(len(ci))
    owner = np.array([r[0] for r in rows])
    order = np.argsort(owner, kind="stable")
    ptr = np.searchsorted(owner[order], np.arange(len(cases) + 1))
    age = np.array([r[1] for r in rows])[order]
    male = np.array([r[2] for r in rows])[order]
    edu = np.array([r[3] for r in rows])[order]
    nat = np.array([r[5] for r in rows])[order]
    langs = [rows[k][4] for k in order]
    local = [HOSTS.get(d.country, "en") for d in destinations]
    lang_codes = sorted({lang for s in langs for lang in s} | set(local))
    li = {lang: k for k, lang in enumerate(lang_codes)}
    speaks = np.zeros((len(langs), len(lang_codes)), dtype=bool)
    for k, s in enumerate(langs):
        for lang in s:
            speaks[k, li[lang]] = True
    dest_local = np.array([li[lang] for lang in local])
    unemp = np.array([d.unemployment_rate or 0.07 for d in destinations])
    pop = np.array([float(d.population or 100_000) for d in destinations])
    # Expand pairs into (pair, working-age member) rows.
    counts = ptr[ci + 1] - ptr[ci]
    pair = np.repeat(np.arange(len(ci)), counts)
    member = np.repeat(ptr[ci] - np.cumsum(np.concatenate([[0], counts[:-1]])), counts) + np.arange(counts.sum())
    d = di[pair]
    p = world.probability(age[member], male[member], edu[member], speaks[member, dest_local[d]].astype(float),
                          nat[member], d, unemp[d], pop[d])
    if kind == "expected":
        return np.bincount(pair, weights=p, minlength=len(ci)).astype(np.float64)
    log_none = np.bincount(pair, weights=np.log1p(-np.minimum(p, 1 - 1e-12)), minlength=len(ci))
    return np.asarray(1.0 - np.exp(log_none), dtype=np.float64)


def _link(rng: np.random.Generator, cases: list[Case], table: ScoreTable, destinations: list[Destination], *,
          ties: float, family_links: float) -> list[Case]:
    """Add ties (to an allowed destination with room) and family groups (pairs of related cases)."""
    out = list(cases)
    first = np.searchsorted(table.case, np.arange(len(cases) + 1))
    room = np.array([d.capacity for d in destinations], dtype=float) * 0.3  # ties use at most 30% of a place
    for i in np.flatnonzero(rng.random(len(cases)) < ties):
        options = table.destination[first[i] : first[i + 1]]
        options = options[room[options] >= cases[i].persons]
        if len(options) and not cases[i].needs:
            j = int(rng.choice(options))
            room[j] -= cases[i].persons
            out[i] = replace(out[i], tie=destinations[j].destination_id)
    n_links = int(len(cases) * family_links / 2)
    candidates = [i for i in range(len(cases)) if out[i].tie is None and not out[i].needs]
    picks = rng.permutation(candidates)[: 2 * n_links]
    for k in range(0, len(picks) - 1, 2):
        a, b = int(picks[k]), int(picks[k + 1])
        if out[a].nationality != out[b].nationality:
            continue
        group = f"F{k // 2 + 1:05d}"
        out[a] = replace(out[a], family_group=group)
        out[b] = replace(out[b], family_group=group, arrival=out[a].arrival)  # related households travel together
    return out
