"""Which case–destination pairs are allowed: the safeguards and the compatibility rules.

A scored pair is allowed only if every rule below holds. The safeguards are hard rules of the platform,
applied here inside the engine so that no score, tie or override can get round them:

- ``non-refoulement.nationality``: never to a destination in the case's own country;
- ``non-refoulement.fled``: never to a country the case fled;
- ``non-refoulement.unsafe``: never to a country flagged unsafe for the case.

Compatibility rules:

- ``service``: every need of the case must be a service the destination offers;
- ``nationality-served``: a destination that lists the nationalities it serves must list the case's;
- ``language``: a destination that lists the languages it serves must serve one the case speaks, or have
  interpreter capacity (service ``interpreter_<language>``) for one; the pair then uses one unit of it.

Two implementations agree by test: :func:`refusal` explains one pair in words (used for ties, overrides
and unplaced cases) and :func:`allowed_pairs` checks millions of pairs at once with numpy.
:func:`check_pair` answers a caseworker's question about one case at one destination: every rule it
fails (not only the first), the capacities it would use, and its family group.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from asylon.engines.placement.model import (
    Case,
    Destination,
    FloatArray,
    IntArray,
    PlacementProblem,
)

INTERPRETER = "interpreter_"

REASONS: dict[int, str] = {
    1: "non-refoulement: the destination is in the case's own country",
    2: "non-refoulement: the case fled the destination's country",
    3: "safeguard: the destination's country is flagged unsafe for the case",
    4: "the destination does not offer a service the case needs",
    5: "the destination does not serve the case's nationality",
    6: "the destination serves none of the case's languages and has no interpreter for them",
}


def refusal(case: Case, destination: Destination) -> str | None:
    """Why ``case`` may not go to ``destination`` (the first rule that fails), or ``None`` if it may.

    >>> from asylon.engines.placement.model import Case, Destination
    >>> refusal(Case("c1", 2, nationality="SY"), Destination("d1", "SY", 10))
    "non-refoulement: SY is the case's own country"
    """
    return next(iter(_failures(case, destination)), None)


def _failures(case: Case, destination: Destination) -> list[str]:
    """Every rule ``case`` fails at ``destination``, in the order of the reason codes."""
    out: list[str] = []
    country = destination.country
    if case.nationality is not None and country == case.nationality:
        out.append(f"non-refoulement: {country} is the case's own country")
    if country in case.fled:
        out.append(f"non-refoulement: the case fled {country}")
    if country in case.unsafe:
        out.append(f"safeguard: {country} is flagged unsafe for this case")
    for need in sorted(case.needs):
        if destination.services.get(need, 0) <= 0:
            out.append(f"{destination.destination_id} does not offer service '{need}'")
    if destination.nationalities and case.nationality not in destination.nationalities:
        out.append(f"{destination.destination_id} does not serve nationality {case.nationality or '(unknown)'}")
    if interpreter_need(case, destination) == "":
        out.append(
            f"{destination.destination_id} serves none of the case's languages "
            f"({', '.join(sorted(case.spoken)) or 'none recorded'}) and has no interpreter for them"
        )
    return out


@dataclass(frozen=True, slots=True)
class PairCheck:
    """One case at one destination: may it go there, and why (see :func:`check_pair`).

    ``reasons`` lists every rule that fails (empty when allowed); ``uses`` the capacities a placement there
    would draw on; ``notes`` what else bears on it (family group, size against capacity); ``score`` the
    pair's score, ``None`` when the pair is absent from the scores (and so not allowed).
    """

    case_id: str
    destination_id: str
    allowed: bool
    reasons: tuple[str, ...]
    uses: tuple[str, ...]
    notes: tuple[str, ...]
    score: float | None

    def __str__(self) -> str:
        head = f"{self.case_id} -> {self.destination_id}: {'allowed' if self.allowed else 'not allowed'}"
        lines = [head, *(f"  because {r}" for r in self.reasons), *(f"  uses {u}" for u in self.uses),
                 *(f"  note: {n}" for n in self.notes)]
        return "\n".join(lines)


def check_pair(problem: PlacementProblem, case_id: str, destination_id: str) -> PairCheck:
    """Whether the case ``case_id`` may go to ``destination_id``, with every reason (not only the first).

    The same rules as the optimiser (safeguards, then compatibility) plus the score table: a pair absent
    from it is not allowed. A family group goes in one piece, so a destination that refuses one member
    refuses the group (named in ``notes``). Unknown ids raise :class:`~asylon.errors.InvalidInput`.

    >>> from asylon.engines.placement.model import Case, Destination, PlacementProblem, ScoreTable
    >>> cases = [Case("c1", 4, nationality="SY", needs=frozenset({"medical"}), languages=frozenset({"ar"})),
    ...          Case("c2", 1, nationality="AF", fled=frozenset({"DE"}))]
    >>> dests = [Destination("d1", "DE", 10, {"medical": 2, "interpreter_ar": 3}, languages=frozenset({"de"}))]
    >>> t = ScoreTable.from_pairs([("c1", "d1", 0.8)], case_ids=["c1", "c2"], destination_ids=["d1"])
    >>> problem = PlacementProblem(cases, dests, t)
    >>> print(check_pair(problem, "c1", "d1"))
    c1 -> d1: allowed
      uses capacity of d1 (4 persons)
      uses service medical at d1 (1)
      uses service interpreter_ar at d1 (1)
    >>> print(check_pair(problem, "c2", "d1"))
    c2 -> d1: not allowed
      because non-refoulement: the case fled DE
      because d1 serves none of the case's languages (none recorded) and has no interpreter for them
      because the pair has no score (a pair absent from the scores is not allowed)
    """
    from asylon.errors import InvalidInput, Problem

    cases = {c.case_id: i for i, c in enumerate(problem.cases)}
    dests = {d.destination_id: j for j, d in enumerate(problem.destinations)}
    missing = [Problem(f"unknown case '{case_id}'", field="case_id", value=case_id)] if case_id not in cases else []
    if destination_id not in dests:
        missing.append(Problem(f"unknown destination '{destination_id}'", field="destination_id",
                               value=destination_id))
    if missing:
        raise InvalidInput(missing)
    i, j = cases[case_id], dests[destination_id]
    case, dest = problem.cases[i], problem.destinations[j]
    table = problem.scores
    hit = np.flatnonzero((table.case == i) & (table.destination == j))
    score = float(table.score[hit[0]]) if len(hit) else None
    reasons = _failures(case, dest)
    if score is None:
        reasons.append("the pair has no score (a pair absent from the scores is not allowed)")
    notes: list[str] = []
    persons = f"{case.persons} person{'s' if case.persons != 1 else ''}"
    split = {d.family_group for d in problem.family_decisions}
    if case.family_group is not None and case.family_group not in split:
        others = [c for c in problem.cases if c.family_group == case.family_group and c.case_id != case_id]
        blocked = [f"{c.case_id} ({_failures(c, dest)[0]})" for c in others if _failures(c, dest)]
        notes.append(f"family group '{case.family_group}' goes together: "
                     f"{', '.join(c.case_id for c in others) or 'no other case'}")
        if blocked:
            reasons.append(f"family group '{case.family_group}': {', '.join(blocked)} may not go there")
    if case.persons > dest.capacity:
        notes.append(f"the case has {persons} and {destination_id} has {dest.capacity} places in all")
    if problem.quotas.get(dest.country) is not None and case.persons > problem.quotas[dest.country]:
        notes.append(f"the case is larger than the quota of {dest.country} ({problem.quotas[dest.country]})")
    uses: list[str] = []
    if not reasons:
        uses.append(f"capacity of {destination_id} ({persons})")
        uses.extend(f"service {need} at {destination_id} (1)" for need in sorted(case.needs))
        interp = interpreter_need(case, dest)
        if interp:
            uses.append(f"service {interp} at {destination_id} (1)")
        if dest.country in problem.quotas:
            uses.append(f"quota of {dest.country} ({persons})")
    return PairCheck(case_id, destination_id, not reasons, tuple(reasons), tuple(uses), tuple(notes), score)


def interpreter_need(case: Case, destination: Destination) -> str | None:
    """The interpreter service the pair uses: ``None`` if none is needed, ``""`` if none is available."""
    if not destination.languages:
        return None
    spoken = case.spoken
    if spoken & destination.languages:
        return None
    for language in sorted(spoken):
        service = INTERPRETER + language
        if destination.services.get(service, 0) > 0:
            return service
    return ""


@dataclass(frozen=True, slots=True)
class Eligibility:
    """Allowed pairs (parallel arrays over the score table) and the refused ones with a reason code."""

    case: IntArray
    destination: IntArray
    score: FloatArray
    interpreter: IntArray  # index into ``services`` of the interpreter service used, or -1
    services: tuple[str, ...]
    refused_case: IntArray
    refused_destination: IntArray
    refused_reason: npt.NDArray[np.int8]


def _rule_countries(case: Case, code: int) -> frozenset[str]:
    if code == 1:
        return frozenset({case.nationality}) if case.nationality else frozenset()
    return case.fled if code == 2 else case.unsafe


def service_universe(problem: PlacementProblem) -> tuple[str, ...]:
    codes: set[str] = set()
    for d in problem.destinations:
        codes.update(d.services)
    for c in problem.cases:
        codes.update(c.needs)
    return tuple(sorted(codes))


def allowed_pairs(problem: PlacementProblem) -> Eligibility:
    """Split the scored pairs into allowed and refused, vectorised over all pairs.

    >>> from asylon.engines.placement.model import Case, Destination, PlacementProblem, ScoreTable
    >>> cases = [Case("c1", 1, nationality="SY")]
    >>> dests = [Destination("d1", "SY", 5), Destination("d2", "DE", 5)]
    >>> t = ScoreTable.from_pairs([("c1", "d1", 1.0), ("c1", "d2", 0.5)], case_ids=["c1"],
    ...                           destination_ids=["d1", "d2"])
    >>> allowed_pairs(PlacementProblem(cases, dests, t)).destination.tolist()
    [1]
    """
    cases, dests, table = problem.cases, problem.destinations, problem.scores
    ci, di = table.case, table.destination
    reason = np.zeros(len(ci), dtype=np.int8)  # small dtypes: a 100,000 x 1,000 exercise has 63 M pairs

    countries = sorted({d.country for d in dests})
    country_index = {c: i for i, c in enumerate(countries)}
    dest_country = np.array([country_index[d.country] for d in dests], dtype=np.int32)
    # One small dense matrix per rule (cases × countries) keeps the per-pair test a single fancy index.
    for code in (1, 2, 3):
        forbid = np.zeros((len(cases), len(countries)), dtype=bool)
        for i, case in enumerate(cases):
            for country in _rule_countries(case, code):
                if country in country_index:
                    forbid[i, country_index[country]] = True
        hit = forbid[ci, dest_country[di]] & (reason == 0)
        reason[hit] = code

    services = service_universe(problem)
    service_index = {s: i for i, s in enumerate(services)}
    need = np.zeros((len(cases), len(services)), dtype=bool)
    for i, case in enumerate(cases):
        for code_n in case.needs:
            need[i, service_index[code_n]] = True
    offer = np.zeros((len(dests), len(services)), dtype=bool)
    for j, dest in enumerate(dests):
        for code_s, cap in dest.services.items():
            offer[j, service_index[code_s]] = cap > 0
    missing = np.zeros(len(ci), dtype=bool)
    for k in range(len(services)):
        missing |= need[ci, k] & ~offer[di, k]
    reason[missing & (reason == 0)] = 4

    nationalities = sorted({c.nationality for c in cases if c.nationality} | {n for d in dests for n in d.nationalities})
    nat_index = {n: i for i, n in enumerate(nationalities)}
    case_nat = np.array([nat_index.get(c.nationality or "", -1) for c in cases], dtype=np.int32)
    restricted = np.array([bool(d.nationalities) for d in dests], dtype=bool)
    served = np.zeros((len(dests), len(nationalities) + 1), dtype=bool)  # last column: unknown nationality
    for j, dest in enumerate(dests):
        for n in dest.nationalities:
            served[j, nat_index[n]] = True
    nat_bad = restricted[di] & ~served[di, case_nat[ci]]
    reason[nat_bad & (reason == 0)] = 5

    interpreter = np.full(len(ci), -1, dtype=np.int32)
    lang_restricted = np.array([bool(d.languages) for d in dests], dtype=bool)
    if lang_restricted.any():
        languages = sorted({lang for d in dests for lang in d.languages} | {
            x[len(INTERPRETER):] for x in services if x.startswith(INTERPRETER)
        })
        lang_index = {lang: i for i, lang in enumerate(languages)}
        speaks = np.zeros((len(cases), len(languages)), dtype=bool)
        for i, case in enumerate(cases):
            for lang in case.spoken:
                if lang in lang_index:
                    speaks[i, lang_index[lang]] = True
        serves = np.zeros((len(dests), len(languages)), dtype=bool)
        for j, dest in enumerate(dests):
            for lang in dest.languages:
                serves[j, lang_index[lang]] = True
        overlap = np.zeros(len(ci), dtype=bool)
        for k in range(len(languages)):
            overlap |= speaks[ci, k] & serves[di, k]
        needs_interp = lang_restricted[di] & ~overlap
        # Languages in sorted order so the vectorised choice matches interpreter_need().
        for lang in languages:
            interp_code = INTERPRETER + lang
            if interp_code not in service_index:
                continue
            li, si = lang_index[lang], service_index[interp_code]
            take = needs_interp & (interpreter < 0) & speaks[ci, li] & offer[di, si]
            interpreter[take] = si
        reason[needs_interp & (interpreter < 0) & (reason == 0)] = 6

    ok = reason == 0
    return Eligibility(
        case=ci[ok],
        destination=di[ok],
        score=table.score[ok],
        interpreter=interpreter[ok],
        services=services,
        refused_case=ci[~ok],
        refused_destination=di[~ok],
        refused_reason=reason[~ok],
    )
