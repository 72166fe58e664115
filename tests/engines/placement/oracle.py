"""Independent checks of a placement against the hard rules, written apart from the engine on purpose."""

from __future__ import annotations

from collections import Counter, defaultdict

from asylon.engines.placement.model import Assignment, PlacementProblem


def violations(problem: PlacementProblem, assignments: list[Assignment] | tuple[Assignment, ...]) -> list[str]:
    """Every broken hard rule, in words; empty when the placement is valid."""
    out: list[str] = []
    cases = {c.case_id: c for c in problem.cases}
    dests = {d.destination_id: d for d in problem.destinations}
    ids_c = [c.case_id for c in problem.cases]
    ids_d = [d.destination_id for d in problem.destinations]
    scored = {(ids_c[int(i)], ids_d[int(j)]) for i, j in zip(problem.scores.case, problem.scores.destination, strict=True)}
    where = {a.case_id: a.destination_id for a in assignments}
    if sorted(where) != sorted(cases) or len(assignments) != len(cases):
        out.append("not exactly one assignment per case")
    persons: Counter[str] = Counter()
    service: Counter[tuple[str, str]] = Counter()
    country: Counter[str] = Counter()
    for cid, did in where.items():
        if did is None:
            continue
        c, d = cases[cid], dests[did]
        if (cid, did) not in scored:
            out.append(f"{cid} placed at unscored {did}")
        if d.country == c.nationality or d.country in c.fled or d.country in c.unsafe:
            out.append(f"SAFEGUARD: {cid} placed in {d.country}")
        if d.nationalities and c.nationality not in d.nationalities:
            out.append(f"{cid}: nationality not served at {did}")
        persons[did] += c.persons
        country[d.country] += c.persons
        for need in c.needs:
            service[(did, need)] += 1
        spoken = set(c.languages) | {lang for m in c.members for lang in m.languages}
        if d.languages and not (spoken & d.languages):
            usable = sorted(lang for lang in spoken if d.services.get(f"interpreter_{lang}", 0) > 0)
            if not usable:
                out.append(f"{cid}: no common language or interpreter at {did}")
            else:
                service[(did, f"interpreter_{usable[0]}")] += 1
    for did, n in persons.items():
        if n > dests[did].capacity:
            out.append(f"capacity of {did}: {n} > {dests[did].capacity}")
    for (did, s), n in service.items():
        if n > dests[did].services.get(s, 0):
            out.append(f"service {s} at {did}: {n} > {dests[did].services.get(s, 0)}")
    for cc, quota in problem.quotas.items():
        if country[cc] > quota:
            out.append(f"quota of {cc}: {country[cc]} > {quota}")
    overridden = {o.case_id: o for o in problem.overrides}
    by_case = {a.case_id: a for a in assignments}
    for cid, c in cases.items():
        if cid in overridden:
            o = overridden[cid]
            if where.get(cid) != o.destination_id or by_case[cid].actor != o.actor or o.reason not in by_case[cid].reason:
                out.append(f"override of {cid} not kept with who and why")
        elif c.tie is not None and where.get(cid) != c.tie and not _family_overridden(problem, c.family_group) and not (
                where.get(cid) is None and "could not be honoured" in by_case[cid].reason):
            # Dynamic mode learns of a tie only on arrival; it may then be full, and says so.
            out.append(f"tie of {cid} to {c.tie} not kept")
    split = {d.family_group for d in problem.family_decisions}
    groups: dict[str, set[str | None]] = defaultdict(set)
    for cid, c in cases.items():
        if c.family_group and c.family_group not in split:
            groups[c.family_group].add(where.get(cid))
    for g, places in groups.items():
        if len(places) > 1:
            out.append(f"FAMILY UNITY: group {g} split over {sorted(map(str, places))}")
    return out


def _family_overridden(problem: PlacementProblem, group: str | None) -> bool:
    if group is None or group in {d.family_group for d in problem.family_decisions}:
        return False
    members = {c.case_id for c in problem.cases if c.family_group == group}
    return any(o.case_id in members for o in problem.overrides)


def total_score(problem: PlacementProblem, assignments: list[Assignment] | tuple[Assignment, ...]) -> float:
    lookup = {(int(i), int(j)): float(s) for i, j, s in
              zip(problem.scores.case, problem.scores.destination, problem.scores.score, strict=True)}
    ci = {c.case_id: k for k, c in enumerate(problem.cases)}
    dj = {d.destination_id: k for k, d in enumerate(problem.destinations)}
    return sum(lookup[(ci[a.case_id], dj[a.destination_id])] for a in assignments if a.destination_id is not None)
