"""From stored cases and destinations to the placement engine's inputs, with the platform's safeguards.

What the engine gets, per case (a household):

- ``persons``: the members who travel with the case. A member with a destination of their own (recorded by
  a family-unity decision) is not part of this placement.
- ``members``: age (from the date of birth; unknown ages count as persons but not in employment scores),
  sex, languages and years of schooling (from the education level), for the outcome model.
- ``needs``: the services the case needs (:data:`NEED_SERVICES`; ``large-family`` from
  :data:`LARGE_FAMILY` persons). A need counts only when the exercise tracks its service, i.e. some
  destination lists a capacity for it (even 0); an exercise that tracks no medical capacity does not
  refuse every case with a medical need.
- the safeguards: the platform's own check (:func:`asylon.domain.safeguards.check_transfer`: no member to
  their country of nationality, none to a country the case fled, none to a country flagged unsafe for any
  member's profile, no split of the household without a family-unity decision) decides which destination
  countries each case may go to. Refused pairs are never scored, and their countries are also given to
  the engine (``nationality``, ``fled``, ``unsafe``), which enforces them again on ties and overrides.
- ``family_group``: cases of one family placed together (family unity across households).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

import numpy as np

from asylon.db.models import Case as CaseRow
from asylon.domain.dates import DateError, PartialDate
from asylon.domain.safeguards import UnsafeFlag, check_transfer
from asylon.engines.placement import (
    Case,
    Destination,
    OutcomeModel,
    Override,
    Person,
    PlacementOptions,
    PlacementProblem,
    ScoreTable,
    place,
    synthetic_history,
)
from asylon.errors import InvalidInput, SafeguardRefused
from asylon.services.safeguards import member_facts

NEED_SERVICES: dict[str, str] = {
    "medical": "medical",
    "disability": "disability",
    "unaccompanied": "child-protection",
    "child-at-risk": "child-protection",
    "survivor": "trauma-care",
    "single-parent": "single-parent",
}
"""Specific needs that use a service at the destination, and the service code they use."""
LARGE_FAMILY = 6
"""Households of this many persons or more need the ``large-family`` service (housing)."""
EDUCATION_YEARS = {"none": 0, "primary": 6, "secondary": 12, "vocational": 13, "tertiary": 16}
UNKNOWN_EDUCATION_YEARS = 8  # the middle of the outcome model's training range
UNKNOWN_AGE = -1  # never of working age: such a member counts as a person, not in employment scores


class DestinationFacts(Protocol):
    """A destination as sent (:class:`~asylon.schemas.placement.DestinationCreate`) or stored."""

    @property
    def code(self) -> str: ...
    @property
    def country(self) -> str: ...
    @property
    def capacity(self) -> int: ...
    @property
    def services(self) -> Mapping[str, int]: ...
    @property
    def languages(self) -> Sequence[str]: ...
    @property
    def nationalities(self) -> Sequence[str]: ...
    @property
    def unemployment_rate(self) -> float | None: ...
    @property
    def population(self) -> int | None: ...


@dataclass(frozen=True, slots=True)
class Refusal:
    """A safeguard of the platform refuses sending the case to ``country``."""

    country: str
    rule: str
    message: str


def engine_destination(d: DestinationFacts) -> Destination:
    return Destination(
        destination_id=d.code, country=d.country, capacity=int(d.capacity),
        services={k: int(v) for k, v in d.services.items()}, languages=frozenset(d.languages),
        nationalities=frozenset(d.nationalities), unemployment_rate=d.unemployment_rate, population=d.population,
    )


def tracked_services(destinations: Iterable[DestinationFacts]) -> frozenset[str]:
    return frozenset(code for d in destinations for code in d.services)


def _age(text: str | None, today: dt.date) -> int:
    if not text:
        return UNKNOWN_AGE
    try:
        return PartialDate.parse(text, today=today).age_on(today)
    except DateError:
        return UNKNOWN_AGE


def travelling(case: CaseRow) -> list[int]:
    """Indices of the members who travel with the case (not sent elsewhere by a family-unity decision)."""
    return [k for k, p in enumerate(case.persons) if not p.destination]


def engine_case(case: CaseRow, *, tracked: frozenset[str], refused: Iterable[str] = (), tie: str | None = None,
                family_group: str | None = None, today: dt.date | None = None) -> Case:
    """The engine's view of a stored household (see the module docstring)."""
    today = today or dt.date.today()
    people = [case.persons[k] for k in travelling(case)]
    members = tuple(
        Person(age=_age(p.date_of_birth, today), sex=p.sex if p.sex in ("F", "M") else "X",  # type: ignore[arg-type]
               languages=tuple(p.languages),
               education_years=EDUCATION_YEARS.get(p.education or "", UNKNOWN_EDUCATION_YEARS))
        for p in people
    )
    needs = {NEED_SERVICES[n.code] for p in people for n in p.needs if n.code in NEED_SERVICES}
    if len(people) >= LARGE_FAMILY:
        needs.add("large-family")
    principal = next((p for p in people if p.relationship_ == "principal"), people[0] if people else None)
    nationality = principal.nationality if principal is not None else None
    return Case(
        case_id=str(case.id), persons=len(people), members=members, needs=frozenset(needs & tracked),
        nationality=nationality if nationality not in (None, "STA", "UNK") else None,
        fled=frozenset(case.fled_countries), unsafe=frozenset(refused), tie=tie, family_group=family_group,
    )


def refusals(case: CaseRow, countries: Iterable[str], flags: Sequence[UnsafeFlag]) -> dict[str, Refusal]:
    """The destination countries the platform's safeguards refuse for ``case``, each with its rule.

    The check is the one a pathway's destination change makes (members with a destination of their own
    are checked there).
    """
    members = member_facts(case)
    out: dict[str, Refusal] = {}
    for country in sorted(set(countries)):
        try:
            check_transfer(destination=country, members=members, fled=case.fled_countries,
                           unsafe=flags, family_unity_decision=bool(case.family_unity_decision))
        except SafeguardRefused as exc:
            out[country] = Refusal(country, exc.rule, exc.message.removesuffix(f" (rule: {exc.rule})"))
    return out


def pair_problem(case: Case, destination: Destination) -> str | None:
    """Why ``case`` cannot be fixed at ``destination`` on its own (services, languages, nationalities served,
    capacity, the engine's safeguards), or ``None``. Asks the engine itself, on a one-pair exercise, so the
    answer is the engine's rule and not a second copy of it."""
    alone = replace(case, tie=None, family_group=None)
    scores = ScoreTable.from_pairs([(alone.case_id, destination.destination_id, 0.0)], case_ids=[alone.case_id],
                                   destination_ids=[destination.destination_id])
    problem = PlacementProblem([alone], [destination], scores,
                               overrides=[Override(alone.case_id, destination.destination_id, "check", "check")])
    try:
        place(problem, PlacementOptions(explain=False, time_limit=30))
    except SafeguardRefused as exc:
        return exc.message
    except InvalidInput as exc:
        return "; ".join(p.message for p in exc.problems)
    return None


_model_lock = threading.Lock()
_model: list[OutcomeModel] = []


def outcome_model() -> OutcomeModel:
    """The outcome model trained on the shipped synthetic history (trained once per process, ~10 s).

    A real deployment trains on its own placements and outcomes; the synthetic history makes the demo
    and the tests work without data files.
    """
    with _model_lock:
        if not _model:
            model, _report = OutcomeModel.fit(synthetic_history(1500, 15, seed=7), seed=0)
            _model.append(model)
        return _model[0]


@dataclass(slots=True)
class Pairs:
    """Allowed (case, destination) index pairs with their scores."""

    case: list[int] = field(default_factory=list)
    destination: list[int] = field(default_factory=list)
    score: list[float] = field(default_factory=list)

    def table(self) -> ScoreTable:
        return ScoreTable(np.asarray(self.case, dtype=np.int64), np.asarray(self.destination, dtype=np.int64),
                          np.asarray(self.score, dtype=np.float64))


def outcome_scores(cases: Sequence[Case], destinations: Sequence[Destination], pairs: Pairs, *,
                   kind: str) -> Pairs:
    """Score every pair of ``pairs`` with the outcome model (``expected`` or ``any``)."""
    if not pairs.case:
        return pairs
    ci = np.asarray(pairs.case, dtype=np.int64)
    di = np.asarray(pairs.destination, dtype=np.int64)
    scores = outcome_model().case_scores(cases, destinations, ci, di, kind="any" if kind == "any" else "expected")
    return Pairs(pairs.case, pairs.destination, [float(s) for s in scores])
