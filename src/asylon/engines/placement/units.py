"""Placement units, their columns and the resources they use.

A *unit* is what the optimiser places in one piece: a case, or all cases of a family group (family unity),
unless a recorded :class:`~asylon.engines.placement.model.FamilyUnityDecision` lets the group be split.
A unit may go to a destination only if every member may (the intersection of allowed pairs); its score
there is the sum of its members' scores.

A *column* is an allowed unit–destination pair. A *resource* is a row with a limit: a destination's
capacity in persons, one service capacity of a destination (in cases), or a country quota (in persons).
``usage`` is the sparse resources × columns matrix; a unit's columns are contiguous (``unit_ptr``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from asylon.errors import InvalidInput, Problem, SafeguardRefused

from .eligibility import Eligibility, allowed_pairs, refusal
from .model import FloatArray, IntArray, PlacementProblem


@dataclass(frozen=True, slots=True)
class Pin:
    """A unit fixed at a destination, by a tie or an override."""

    destination: int
    status: str  # "tie" or "override"
    actor: str | None
    reason: str


@dataclass(frozen=True, slots=True)
class Units:
    members: tuple[tuple[int, ...], ...]
    persons: IntArray
    unit_of_case: IntArray
    family_group: tuple[str | None, ...]
    fairness_group: IntArray
    fairness_names: tuple[str, ...]
    pins: dict[int, Pin]
    col_unit: IntArray
    col_dest: IntArray
    col_score: FloatArray
    unit_ptr: IntArray
    usage: sp.csc_matrix
    limits: FloatArray
    resource_label: tuple[str, ...]
    resource_dest: IntArray
    eligibility: Eligibility

    @property
    def n_units(self) -> int:
        return len(self.members)

    def column_of(self, unit: int, dest: int) -> int:
        lo, hi = int(self.unit_ptr[unit]), int(self.unit_ptr[unit + 1])
        k = int(np.searchsorted(self.col_dest[lo:hi], dest))
        if k < hi - lo and self.col_dest[lo + k] == dest:
            return lo + k
        return -1


def build_units(problem: PlacementProblem) -> Units:
    """Group cases into units, build their allowed columns and the resources; validate pins.

    >>> from asylon.engines.placement.model import Case, Destination, PlacementProblem, ScoreTable
    >>> cases = [Case("a", 2, family_group="F"), Case("b", 1, family_group="F")]
    >>> t = ScoreTable.from_pairs([("a", "d", 1.0), ("b", "d", 0.5)], case_ids=["a", "b"], destination_ids=["d"])
    >>> u = build_units(PlacementProblem(cases, [Destination("d", "DE", 5)], t))
    >>> u.members, u.col_score.tolist()
    (((0, 1),), [1.5])
    """
    cases, dests = problem.cases, problem.destinations
    n_dest = len(dests)
    split = {d.family_group for d in problem.family_decisions}
    group_unit: dict[str, int] = {}
    members: list[list[int]] = []
    unit_of_case = np.empty(len(cases), dtype=np.int64)
    for i, case in enumerate(cases):
        g = case.family_group
        if g is not None and g not in split:
            if g not in group_unit:
                group_unit[g] = len(members)
                members.append([])
            u = group_unit[g]
        else:
            u = len(members)
            members.append([])
        members[u].append(i)
        unit_of_case[i] = u
    n_units = len(members)
    persons = np.array([sum(cases[i].persons for i in m) for m in members], dtype=np.int64)
    family = tuple(cases[m[0]].family_group for m in members)
    fair_names = sorted({cases[m[0]].fairness_group for m in members})
    fair_index = {g: k for k, g in enumerate(fair_names)}
    fairness = np.array([fair_index[cases[m[0]].fairness_group] for m in members], dtype=np.int64)

    elig = allowed_pairs(problem)
    services = elig.services
    # Resources: capacities, then service capacities per destination, then quotas.
    labels: list[str] = []
    rdest: list[int] = []
    limits: list[float] = []
    for j, d in enumerate(dests):
        labels.append(f"capacity of {d.destination_id}")
        rdest.append(j)
        limits.append(float(d.capacity))
    svc_index = {s: k for k, s in enumerate(services)}
    svc_row = np.full((n_dest, max(len(services), 1)), -1, dtype=np.int64)
    for j, d in enumerate(dests):
        for s, cap in sorted(d.services.items()):
            if cap > 0:
                svc_row[j, svc_index[s]] = len(labels)
                labels.append(f"service {s} at {d.destination_id}")
                rdest.append(j)
                limits.append(float(cap))
    quota_row = {}
    for country, quota in sorted(problem.quotas.items()):
        quota_row[country] = len(labels)
        labels.append(f"quota of {country}")
        rdest.append(-1)
        limits.append(float(quota))
    dest_quota = np.array([quota_row.get(d.country, -1) for d in dests], dtype=np.int64)

    # Columns: pairs grouped by (unit, destination); keep those where every member is allowed. Pair-length
    # arrays are int32 where they fit and freed as soon as done: a 100,000 x 1,000 exercise has 63 M pairs.
    wide = n_units * max(n_dest, 1) >= 2**31
    key: IntArray = (unit_of_case if wide else unit_of_case.astype(np.int32))[elig.case]
    key *= max(n_dest, 1)
    key += elig.destination
    order: IntArray | None = None
    if len(key) > 1 and not bool(np.all(key[1:] >= key[:-1])):
        order = np.argsort(key, kind="stable")
        key = key[order]
    starts, counts = _runs(key)
    ukeys = key[starts]
    del key
    sums = (np.add.reduceat(elig.score if order is None else elig.score[order], starts) if len(starts)
            else np.zeros(0))
    sizes = np.array([len(m) for m in members], dtype=np.int64)
    cu = ukeys // max(n_dest, 1)
    keep = counts == sizes[cu]
    col_unit = cu[keep].astype(np.int32)
    col_dest = (ukeys[keep] % max(n_dest, 1)).astype(np.int32)
    col_score = sums[keep].astype(np.float64)
    del cu, ukeys, sums
    n_cols = len(col_unit)

    unit_ptr = np.searchsorted(col_unit, np.arange(n_units + 1)).astype(np.int64)
    need = np.zeros((n_units, max(len(services), 1)), dtype=np.int64)
    for u, m in enumerate(members):
        for i in m:
            for s in cases[i].needs:
                need[u, svc_index[s]] += 1

    rows: list[IntArray] = [col_dest]
    vals: list[FloatArray] = [persons[col_unit].astype(np.float64)]
    cols: list[IntArray] = [np.arange(n_cols, dtype=np.int32)]
    for k in range(len(services)):
        has = need[col_unit, k] > 0
        rows.append(svc_row[col_dest[has], k].astype(np.int32))
        vals.append(need[col_unit[has], k].astype(np.float64))
        cols.append(np.flatnonzero(has).astype(np.int32))
    # Pairs that use an interpreter, by their position among the sorted pairs, then by column.
    interp = elig.interpreter if order is None else elig.interpreter[order]
    at = np.flatnonzero(interp >= 0)
    if len(at):
        group = np.searchsorted(starts, at, side="right") - 1
        column_of_group = np.cumsum(keep) - 1
        ok = keep[group]
        c = column_of_group[group[ok]]
        rows.append(svc_row[col_dest[c], interp[at[ok]]].astype(np.int32))
        vals.append(np.ones(len(c)))
        cols.append(c.astype(np.int32))
        del group, column_of_group, ok, c
    del interp, at, order, starts, counts, keep
    has_q = dest_quota[col_dest] >= 0
    rows.append(dest_quota[col_dest[has_q]].astype(np.int32))
    vals.append(persons[col_unit[has_q]].astype(np.float64))
    cols.append(np.flatnonzero(has_q).astype(np.int32))
    usage = sp.coo_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(len(labels), n_cols)
    ).tocsc()
    del rows, vals, cols

    units = Units(
        members=tuple(tuple(m) for m in members),
        persons=persons,
        unit_of_case=unit_of_case,
        family_group=family,
        fairness_group=fairness,
        fairness_names=tuple(fair_names),
        pins={},
        col_unit=col_unit,
        col_dest=col_dest,
        col_score=col_score,
        unit_ptr=unit_ptr,
        usage=usage,
        limits=np.asarray(limits, dtype=np.float64),
        resource_label=tuple(labels),
        resource_dest=np.asarray(rdest, dtype=np.int64),
        eligibility=elig,
    )
    units.pins.update(_pins(problem, units))
    return units


def _runs(sorted_keys: IntArray) -> tuple[IntArray, IntArray]:
    """Start and length of each run of equal values in ``sorted_keys`` (``np.unique`` without its sort).

    >>> [a.tolist() for a in _runs(np.array([3, 3, 5, 7, 7, 7]))]
    [[0, 2, 3], [2, 1, 3]]
    """
    n = len(sorted_keys)
    if n == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    new = np.empty(n, dtype=bool)
    new[0] = True
    np.not_equal(sorted_keys[1:], sorted_keys[:-1], out=new[1:])
    starts = np.flatnonzero(new)
    return starts, np.diff(np.append(starts, n))


def _pins(problem: PlacementProblem, units: Units) -> dict[int, Pin]:
    """Ties and overrides per unit, checked against the safeguards, compatibility and capacities."""
    cases, dests = problem.cases, problem.destinations
    dest_index = {d.destination_id: j for j, d in enumerate(dests)}
    case_index = {c.case_id: i for i, c in enumerate(cases)}
    wanted: dict[int, tuple[int, str, str | None, str, int]] = {}
    problems: list[Problem] = []
    for i, case in enumerate(cases):
        if case.tie is None or case.tie not in dest_index:
            continue
        u = int(units.unit_of_case[i])
        j = dest_index[case.tie]
        if u in wanted and wanted[u][0] != j:
            problems.append(Problem(
                f"case '{case.case_id}' is tied to {case.tie} but its family group "
                f"'{case.family_group}' is tied to {dests[wanted[u][0]].destination_id}",
                field="tie", value=case.case_id, fix="tie the whole family group to one destination, or record a "
                "family-unity decision"))
            continue
        wanted[u] = (j, "tie", None, f"tied to {case.tie}", i)
    overrides: dict[int, tuple[int, str, str | None, str, int]] = {}
    for ov in problem.overrides:
        if ov.case_id not in case_index or ov.destination_id not in dest_index:
            continue
        i = case_index[ov.case_id]
        u = int(units.unit_of_case[i])
        j = dest_index[ov.destination_id]
        for m in units.members[u]:
            why = refusal(cases[m], dests[j])
            if why is not None and (why.startswith("non-refoulement") or why.startswith("safeguard")):
                raise SafeguardRefused(
                    "placement.non-refoulement",
                    f"override of case '{ov.case_id}' to {ov.destination_id} by {ov.actor} is refused: "
                    f"{why} (case '{cases[m].case_id}')",
                )
        overrides[u] = (j, "override", ov.actor, ov.reason, i)
    wanted.update(overrides)

    pins: dict[int, Pin] = {}
    used = np.zeros(len(units.limits))
    who: dict[int, list[str]] = {}
    for u, (j, status, actor, reason, i) in sorted(wanted.items()):
        col = units.column_of(u, j)
        field = "tie" if status == "tie" else "override"
        if col < 0:
            whys = [f"{cases[m].case_id}: {refusal(cases[m], dests[j]) or 'no score for this pair'}"
                    for m in units.members[u]]
            whys = [w for w in whys if not w.endswith("no score for this pair")] or whys
            problems.append(Problem(
                f"case '{cases[i].case_id}' cannot go to {dests[j].destination_id}: " + "; ".join(whys),
                field=field, value=cases[i].case_id,
                fix="remove the tie or choose a destination the case may go to"))
            continue
        column = units.usage.getcol(col)
        used[column.indices] += column.data
        for r in column.indices:
            who.setdefault(int(r), []).append(cases[i].case_id)
        pins[u] = Pin(j, status, actor, reason)
    over = np.flatnonzero(used > units.limits + 1e-9)
    for r in over:
        names = who[int(r)]
        shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
        problems.append(Problem(
            f"ties and overrides need {used[r]:g} of the {units.resource_label[r]} but only "
            f"{units.limits[r]:g} is available (cases {shown})",
            field="tie", value=names[-1], fix="raise the capacity or release some ties"))
    if problems:
        raise InvalidInput(problems)
    return pins
