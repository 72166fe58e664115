"""Inputs and outputs of the placement engine, as plain dataclasses.

Inputs: :class:`Case` (a household of :class:`Person`), :class:`Destination` (a locality in a country with
capacities), a :class:`ScoreTable` (one score per *allowed* case–destination pair; an absent pair is not
allowed), quotas per country, :class:`Override` (a caseworker fixes a case, with who and why) and
:class:`FamilyUnityDecision` (a recorded decision that a family group may be split). Together they form a
:class:`PlacementProblem`.

Outputs: :class:`PlacementResult` with one :class:`Assignment` per case, each carrying its explanation
(score, runner-up destinations, the constraints of its destination with their dual prices), plus the
certified gap to the LP bound. Dynamic mode returns a :class:`DynamicResult`.

Scores are arrays rather than a dict of pairs because real exercises have millions of pairs
(35,000 cases × 300 destinations); dicts of that size cost gigabytes and seconds to build.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from asylon.errors import InvalidInput, Problem

IntArray = npt.NDArray[np.signedinteger[Any]]
"""Index arrays: int32 where they run over pairs (a 100,000 x 1,000 exercise has 63 million), else int64."""
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

WORKING_AGE = (18, 64)
"""Ages (inclusive) counted as working age by the outcome scores."""


@dataclass(frozen=True, slots=True)
class Person:
    """One member of a case. ``education_years`` is completed years of schooling."""

    age: int
    sex: Literal["F", "M", "X"] = "X"
    languages: tuple[str, ...] = ()
    education_years: int = 0

    @property
    def working_age(self) -> bool:
        return WORKING_AGE[0] <= self.age <= WORKING_AGE[1]


@dataclass(frozen=True, slots=True)
class Case:
    """A household to place.

    ``persons`` is the head count (it may be given without ``members`` when only the count is known).
    ``needs`` are service codes; each must be offered by a destination for the pair to be allowed, and uses
    one unit of that destination's service capacity. ``fled`` and ``unsafe`` are ISO country codes: a case
    is never placed in its nationality's country, a country it fled, or one flagged unsafe for it.
    ``tie`` pins the case to a destination (e.g. relatives there). Cases sharing a ``family_group`` go to
    the same destination (family unity) unless a :class:`FamilyUnityDecision` records otherwise.
    ``group`` is the group used by fairness floors (defaults to the nationality).
    """

    case_id: str
    persons: int
    members: tuple[Person, ...] = ()
    needs: frozenset[str] = frozenset()
    nationality: str | None = None
    fled: frozenset[str] = frozenset()
    unsafe: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    tie: str | None = None
    family_group: str | None = None
    arrival: date | None = None
    group: str | None = None

    @property
    def spoken(self) -> frozenset[str]:
        """Languages spoken by anyone in the case."""
        spoken = set(self.languages)
        for member in self.members:
            spoken.update(member.languages)
        return frozenset(spoken)

    @property
    def fairness_group(self) -> str:
        return self.group or self.nationality or "-"


@dataclass(frozen=True, slots=True)
class Destination:
    """A locality that receives cases.

    ``capacity`` is in persons. ``services`` maps a service code to its capacity in cases (a service the
    destination does not list is not offered). Interpreter capacity for a language is the service
    ``interpreter_<language>``. ``languages`` served (empty: any) and ``nationalities`` served
    (empty: any). ``unemployment_rate`` and ``population`` feed the outcome model when present.
    """

    destination_id: str
    country: str
    capacity: int
    services: Mapping[str, int] = field(default_factory=dict)
    languages: frozenset[str] = frozenset()
    nationalities: frozenset[str] = frozenset()
    unemployment_rate: float | None = None
    population: int | None = None


@dataclass(frozen=True, slots=True)
class Override:
    """A caseworker fixes ``case_id`` at ``destination_id``; ``actor`` and ``reason`` are required."""

    case_id: str
    destination_id: str
    actor: str
    reason: str


@dataclass(frozen=True, slots=True)
class FamilyUnityDecision:
    """A recorded decision that the cases of ``family_group`` may be placed apart (who and why)."""

    family_group: str
    actor: str
    reason: str


@dataclass(frozen=True, slots=True)
class ScoreTable:
    """Scores of allowed pairs as parallel arrays of case index, destination index and score.

    Indices refer to positions in the problem's ``cases`` and ``destinations``. Build one from ids with
    :meth:`from_pairs`.

    >>> t = ScoreTable.from_pairs([("c1", "d1", 0.7)], case_ids=["c1"], destination_ids=["d1"])
    >>> t.score.tolist()
    [0.7]
    """

    case: IntArray
    destination: IntArray
    score: FloatArray

    def __post_init__(self) -> None:
        if not (len(self.case) == len(self.destination) == len(self.score)):
            raise InvalidInput("score table arrays have different lengths")

    def __len__(self) -> int:
        return len(self.score)

    @classmethod
    def from_pairs(
        cls,
        pairs: Iterable[tuple[str, str, float]],
        *,
        case_ids: Sequence[str],
        destination_ids: Sequence[str],
    ) -> ScoreTable:
        """Build from ``(case_id, destination_id, score)`` triples; unknown ids raise :class:`InvalidInput`."""
        case_index = {cid: i for i, cid in enumerate(case_ids)}
        dest_index = {did: i for i, did in enumerate(destination_ids)}
        cs: list[int] = []
        ds: list[int] = []
        ss: list[float] = []
        problems: list[Problem] = []
        seen: set[tuple[int, int]] = set()
        for n, (cid, did, s) in enumerate(pairs):
            if cid not in case_index:
                problems.append(Problem(f"unknown case '{cid}'", field=f"scores[{n}].case_id"))
                continue
            if did not in dest_index:
                problems.append(Problem(f"unknown destination '{did}'", field=f"scores[{n}].destination_id"))
                continue
            key = (case_index[cid], dest_index[did])
            if key in seen:
                problems.append(Problem(f"pair {cid}–{did} scored twice", field=f"scores[{n}]"))
                continue
            seen.add(key)
            cs.append(key[0])
            ds.append(key[1])
            ss.append(float(s))
        if problems:
            raise InvalidInput(problems)
        return cls(
            np.asarray(cs, dtype=np.int64), np.asarray(ds, dtype=np.int64), np.asarray(ss, dtype=np.float64)
        )


@dataclass(frozen=True, slots=True)
class PlacementProblem:
    """Everything the optimiser needs. ``quotas`` caps persons placed per country (ISO code)."""

    cases: Sequence[Case]
    destinations: Sequence[Destination]
    scores: ScoreTable
    quotas: Mapping[str, int] = field(default_factory=dict)
    overrides: Sequence[Override] = ()
    family_decisions: Sequence[FamilyUnityDecision] = ()


@dataclass(frozen=True, slots=True)
class PlacementOptions:
    """Solver settings.

    ``placement_bonus`` is added per placed *person* to the solver objective (0 by default: the objective
    is the total score; a positive bonus makes the optimiser prefer placing more people over higher
    scores). ``mip_gap`` is the relative gap HiGHS stops at. ``fairness_floor`` (0–1), when set, asks that
    each fairness group's total score reach that share of the sum of its members' best scores (a soft
    constraint, penalised by ``fairness_penalty`` per unit short). ``runner_ups`` is how many alternative
    destinations each explanation lists. ``time_limit`` is in wall-clock seconds, or with ``cpu_time`` in CPU
    seconds of the process (all threads), which a loaded machine does not eat into.
    """

    placement_bonus: float = 0.0
    mip_gap: float = 1e-3
    time_limit: float = 600.0
    threads: int = 0
    fairness_floor: float | None = None
    fairness_penalty: float = 10.0
    runner_ups: int = 3
    explain: bool = True
    column_generation_threshold: int = 150_000
    cpu_time: bool = False


AssignmentStatus = Literal["optimised", "tie", "override", "unplaced"]


@dataclass(frozen=True, slots=True)
class Alternative:
    """A destination the case could have gone to: its score, and its score net of dual prices."""

    destination_id: str
    score: float
    net_of_prices: float


@dataclass(frozen=True, slots=True)
class ConstraintPrice:
    """One constraint of the chosen destination: how full it is and its LP dual price.

    ``dual`` is the score the whole exercise would gain per extra unit of this capacity (LP relaxation);
    ``binding`` means the optimum uses all of it.
    """

    constraint: str
    used: float
    limit: float
    binding: bool
    dual: float


@dataclass(frozen=True, slots=True)
class Assignment:
    """Where one case goes, and why."""

    case_id: str
    destination_id: str | None
    score: float | None
    status: AssignmentStatus
    reason: str = ""
    actor: str | None = None
    family_group: str | None = None
    runner_ups: tuple[Alternative, ...] = ()
    constraints: tuple[ConstraintPrice, ...] = ()
    batch: int | None = None


@dataclass(frozen=True, slots=True)
class PlacementResult:
    """The answer of the static optimiser.

    ``objective`` is the solver objective (total score plus any placement bonus and minus fairness
    shortfall penalties). ``lp_bound`` is the certified LP (Lagrangian) bound over *all* allowed pairs.
    ``bound`` is the best certified bound: ``lp_bound``, or HiGHS's own MIP bound when the integer program
    was solved over every allowed pair and proved tighter (then ``proven`` is true when HiGHS ended optimal
    within the asked gap). ``gap`` is ``(bound - objective) / max(|bound|, 1e-9)``: no placement can beat
    ``bound``. :meth:`lp_gap` is the gap to the LP bound alone.
    """

    assignments: tuple[Assignment, ...]
    objective: float
    bound: float
    gap: float
    total_score: float
    placed_cases: int
    placed_persons: int
    unplaced_cases: int
    status: str
    seconds: float
    solver: str = "highs"
    excluded_pairs: int = 0
    columns: int = 0
    notes: tuple[str, ...] = ()
    lp_bound: float = float("nan")
    proven: bool = False

    def by_case(self) -> dict[str, Assignment]:
        return {a.case_id: a for a in self.assignments}

    @property
    def lp_gap(self) -> float:
        """Relative gap to the LP bound (the LP's integrality gap included)."""
        return max(0.0, (self.lp_bound - self.objective) / max(abs(self.lp_bound), 1e-9))


@dataclass(frozen=True, slots=True)
class DynamicResult:
    """The answer of dynamic mode: batches placed in order of arrival without seeing the future."""

    assignments: tuple[Assignment, ...]
    total_score: float
    placed_cases: int
    unplaced_cases: int
    batches: int
    policy: str
    seconds: float
    hindsight: float | None = None
    ratio: float | None = None
    notes: tuple[str, ...] = ()
