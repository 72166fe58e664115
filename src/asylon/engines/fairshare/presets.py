"""Published distribution keys, with their sources.

``ec-2015-relocation`` — European Commission, September 2015 emergency relocation key
    Proposal COM(2015) 450 (9 September 2015), Annex, adopted for 120,000 persons by Council Decision
    (EU) 2015/1601. Criteria: population 40%, total GDP 40%, the average number of spontaneous asylum
    applications and resettled refugees per million inhabitants 2010-2014, 10%, and the unemployment rate,
    10%; the last two enter inversely ("10% inverse weighting with a 30% cap of the population and GDP
    effect on the key to avoid disproportionate impact"), and what the caps remove is redistributed 50% by
    population and 50% by GDP. P. Grech, "Undesired properties of the European Commission's refugee
    distribution key", *European Union Politics* 18(2):212-238, 2017, writes the equations out (see
    :mod:`asylon.engines.fairshare.key`) and computes them for 32 EU/EFTA states in his Table 1.

    **The cap base is ambiguous.** "30% of the population and GDP effect" reads either as 30% of
    (population share + GDP share), or as 30% of their mean. :func:`ec_2015_relocation` takes
    ``cap_reading="mean" | "sum"``. **Default: "mean"**, because it is the reading that reproduces Grech's
    Table 1: with it the capped effects and the capped key match his columns to within 0.0001 (the table's
    4-decimal rounding) for all 32 states, while "sum" misses his capped key by up to 0.0033 (the test
    ``tests/engines/fairshare/test_grech.py`` shows both). The "sum" reading is the one some
    re-implementations use (e.g. georgeblck/refugee-distribution, ``calc.key(which = "eu")``).

    The Commission's criterion (c) is an applications *flow* from Eurostat; asylon ships UNHCR *stocks*,
    so the shipped ``asylum_per_million`` is a proxy (see :mod:`asylon.engines.fairshare.inputs`); give the
    Commission's figures in an inputs CSV to follow it exactly. Inversion of a zero is floored at 1 per
    million, so a state with no recorded asylum effort does not take an infinite share.

``eu-agenda-2015`` — May 2015 key of the European Agenda on Migration
    COM(2015) 240 (13 May 2015), Annex "European schemes for relocation and resettlement": the same four
    criteria and weights, here **without caps** (Grech's "total share without cap" column). The Annex's
    footnotes may already have mentioned the cap; asylon keeps the uncapped form under this name because it
    is the form Grech analyses as the Commission's baseline key, and the September preset is the capped one.

``dublin-2016`` — Dublin recast proposal's reference key
    COM(2016) 270 (4 May 2016), Article 35 and Annex I: 50% population, 50% total GDP. Each state's
    *reference number* is its key share of all applications (and resettlements) in the Union in the last
    12 months; when a state's applications exceed 150% of its reference number, the corrective allocation
    mechanism (Articles 34-36) allocates further applicants to the states below 100% of theirs, in
    proportion to their key (:func:`asylon.engines.fairshare.corrective.corrective_allocation`).

``pact-2024`` — Pact on Migration and Asylum, Annual Solidarity Pool
    Regulation (EU) 2024/1351 on asylum and migration management, Article 12(2): the pool is at least 30,000
    relocations and EUR 600 million of financial contributions a year; each state's indicative share follows
    the reference key of Article 66 and Annex I: 50% population, 50% total GDP (Eurostat figures). States
    that benefit from the pool (under migratory pressure) are left out of the ``states`` list by the caller.
    :func:`pact_2024_pool` returns both the relocations and the euros.
"""

from __future__ import annotations

from dataclasses import dataclass

from asylon.engines.fairshare.apportion import hamilton
from asylon.engines.fairshare.key import compute_key
from asylon.engines.fairshare.model import Cap, CapReading, Criterion, KeyResult, KeySpec, StateTable
from asylon.errors import InvalidInput, Problem

__all__ = [
    "PACT_MIN_MONEY_EUR",
    "PACT_MIN_RELOCATIONS",
    "PRESETS",
    "PactPool",
    "Preset",
    "dublin_2016",
    "ec_2015_relocation",
    "eu_agenda_2015",
    "pact_2024",
    "pact_2024_pool",
    "preset",
]

PACT_MIN_RELOCATIONS = 30_000
PACT_MIN_MONEY_EUR = 600_000_000


@dataclass(frozen=True, slots=True)
class Preset:
    """A published key: the spec plus where it comes from and the total it was made for."""

    name: str
    title: str
    spec: KeySpec
    source: str
    default_total: int | None
    unit: str


def ec_2015_relocation(*, cap_reading: CapReading = "mean", cap_fraction: float = 0.3) -> KeySpec:
    """The September 2015 emergency relocation key (see the module docstring for the cap reading).

    >>> [c.weight for c in ec_2015_relocation().criteria]
    [0.4, 0.4, 0.1, 0.1]
    """
    cap = Cap(fraction=cap_fraction, of=("population", "gdp_usd"), reading=cap_reading)
    return KeySpec(
        name=f"ec-2015-relocation (cap {cap_fraction:g} of {cap_reading})",
        criteria=(
            Criterion("population", 0.4, label="population"),
            Criterion("gdp_usd", 0.4, label="total GDP"),
            Criterion(
                "asylum_per_million", 0.1, invert=True, cap=cap, invert_floor=1.0, label="past asylum effort"
            ),
            Criterion("unemployment_pct", 0.1, invert=True, cap=cap, label="unemployment rate"),
        ),
        redistribute={"population": 0.5, "gdp_usd": 0.5},
    )


def eu_agenda_2015() -> KeySpec:
    """The May 2015 European Agenda on Migration key, uncapped.

    >>> any(c.cap for c in eu_agenda_2015().criteria)
    False
    """
    return KeySpec(
        name="eu-agenda-2015",
        criteria=(
            Criterion("population", 0.4, label="population"),
            Criterion("gdp_usd", 0.4, label="total GDP"),
            Criterion("asylum_per_million", 0.1, invert=True, invert_floor=1.0, label="past asylum effort"),
            Criterion("unemployment_pct", 0.1, invert=True, label="unemployment rate"),
        ),
    )


def _population_gdp(name: str) -> KeySpec:
    return KeySpec(
        name=name,
        criteria=(
            Criterion("population", 0.5, label="population"),
            Criterion("gdp_usd", 0.5, label="total GDP"),
        ),
    )


def dublin_2016() -> KeySpec:
    """COM(2016) 270 reference key: 50% population, 50% total GDP.

    >>> [c.column for c in dublin_2016().criteria]
    ['population', 'gdp_usd']
    """
    return _population_gdp("dublin-2016")


def pact_2024() -> KeySpec:
    """Regulation (EU) 2024/1351 Article 66 reference key: 50% population, 50% total GDP."""
    return _population_gdp("pact-2024")


PRESETS: dict[str, Preset] = {
    "ec-2015-relocation": Preset(
        "ec-2015-relocation",
        "EC emergency relocation key, September 2015 (capped)",
        ec_2015_relocation(),
        "COM(2015) 450 Annex; Council Decision (EU) 2015/1601; Grech, European Union Politics 18(2), 2017",
        120_000,
        "persons",
    ),
    "eu-agenda-2015": Preset(
        "eu-agenda-2015",
        "European Agenda on Migration key, May 2015 (uncapped)",
        eu_agenda_2015(),
        "COM(2015) 240 Annex",
        40_000,
        "persons",
    ),
    "dublin-2016": Preset(
        "dublin-2016",
        "Dublin recast reference key, 2016 (50% population, 50% GDP)",
        dublin_2016(),
        "COM(2016) 270, Article 35 and Annex I",
        None,
        "persons",
    ),
    "pact-2024": Preset(
        "pact-2024",
        "Pact on Migration and Asylum, Annual Solidarity Pool (50% population, 50% GDP)",
        pact_2024(),
        "Regulation (EU) 2024/1351, Articles 12 and 66, Annex I",
        PACT_MIN_RELOCATIONS,
        "relocations",
    ),
}


def preset(name: str) -> Preset:
    """A preset by name; an unknown name lists the known ones.

    >>> preset("dublin-2016").source
    'COM(2016) 270, Article 35 and Annex I'
    """
    try:
        return PRESETS[name]
    except KeyError:
        raise InvalidInput(
            Problem(
                f"unknown key preset {name!r}",
                field="key",
                value=name,
                fix=f"use one of {', '.join(PRESETS)}, or the path of a key file (JSON)",
            )
        ) from None


@dataclass(frozen=True, slots=True)
class PactPool:
    """Indicative contributions to the Annual Solidarity Pool: relocations and euros per state."""

    key: KeyResult
    relocations_total: int
    money_total_eur: int
    relocations: dict[str, int]
    money_eur: dict[str, int]


def pact_2024_pool(
    table: StateTable,
    *,
    relocations: int = PACT_MIN_RELOCATIONS,
    money_eur: int = PACT_MIN_MONEY_EUR,
) -> PactPool:
    """Share the pool's relocations and euros by the Article 66 key (largest remainder, whole units).

    Totals below the Regulation's minimums are refused: the Commission's proposal must reach them.

    >>> import numpy as np
    >>> t = StateTable(("AAA", "BBB"), {"population": np.array([1.0, 1.0]), "gdp_usd": np.array([3.0, 1.0])})
    >>> pact_2024_pool(t).relocations
    {'AAA': 18750, 'BBB': 11250}
    """
    problems = []
    if relocations < PACT_MIN_RELOCATIONS:
        problems.append(
            Problem(
                f"{relocations} relocations is below the Regulation's minimum of {PACT_MIN_RELOCATIONS}",
                field="relocations",
                fix=f"use {PACT_MIN_RELOCATIONS} or more (Regulation (EU) 2024/1351 Article 12(2)(a))",
            )
        )
    if money_eur < PACT_MIN_MONEY_EUR:
        problems.append(
            Problem(
                f"EUR {money_eur} is below the Regulation's minimum of EUR {PACT_MIN_MONEY_EUR}",
                field="money_eur",
                fix=f"use {PACT_MIN_MONEY_EUR} or more (Article 12(2)(b))",
            )
        )
    if problems:
        raise InvalidInput(problems)
    key = compute_key(pact_2024(), table)
    people = hamilton(key.shares, relocations)
    euros = hamilton(key.shares, money_eur)
    return PactPool(
        key,
        relocations,
        money_eur,
        {s: int(v) for s, v in zip(key.states, people, strict=True)},
        {s: int(v) for s, v in zip(key.states, euros, strict=True)},
    )
