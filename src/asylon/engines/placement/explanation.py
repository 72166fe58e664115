"""Why each case goes where it goes: scores, runner-ups, constraints with prices, and reasons.

Prices are the LP relaxation's dual values: the total score the exercise would gain per extra unit of a
capacity. A runner-up that scores higher than the chosen destination is explained by the price of the
capacity that stopped it.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .eligibility import REASONS, refusal
from .model import Alternative, Assignment, BoolArray, ConstraintPrice, FloatArray, PlacementProblem
from .units import Units

_EPS = 1e-9


class Explainer:
    """Builds :class:`Assignment` records from a placement over :class:`Units` columns.

    ``placed`` marks chosen columns (pins included), ``prices`` are the resource prices (one per resource
    row of ``units``), ``limits`` the original limits.
    """

    def __init__(
        self,
        problem: PlacementProblem,
        units: Units,
        placed: BoolArray,
        prices: FloatArray,
        *,
        runner_ups: int = 3,
        explain: bool = True,
    ) -> None:
        self.problem = problem
        self.units = units
        self.placed = placed
        self.prices = prices
        self.k = runner_ups
        self.explain = explain
        self.used = np.asarray(units.usage @ placed.astype(np.float64), dtype=np.float64)
        self.net = np.asarray(units.col_score - units.usage.T @ prices, dtype=np.float64)
        elig = units.eligibility
        n_c, n_d = len(problem.cases), len(problem.destinations)
        # A case's own score is its unit's column score unless the unit is a family group: only those cases'
        # pairs are kept apart (a table of every pair would double the memory of a large exercise).
        grouped = np.zeros(n_c, dtype=bool)
        for members in units.members:
            if len(members) > 1:
                grouped[list(members)] = True
        mine = grouped[elig.case]
        self.pair_score = sp.csr_matrix((elig.score[mine], (elig.case[mine], elig.destination[mine])),
                                        shape=(n_c, n_d))
        self.grouped = grouped
        self.scored = np.bincount(problem.scores.case, minlength=n_c)
        self._refused: dict[int, list[tuple[int, int]]] = {}
        for c, d, r in zip(elig.refused_case.tolist(), elig.refused_destination.tolist(),
                           elig.refused_reason.tolist(), strict=True):
            self._refused.setdefault(c, []).append((d, r))

    def _score(self, case: int, dest: int, col: int) -> float:
        if self.grouped[case]:
            return float(self.pair_score[case, dest])
        return float(self.units.col_score[col])

    def assignments(self, batch_of_unit: dict[int, int] | None = None,
                    held: dict[int, str] | None = None) -> list[Assignment]:
        """One assignment per case; ``held`` gives the reason for units deliberately not placed."""
        units, cases, dests = self.units, self.problem.cases, self.problem.destinations
        chosen_col = np.full(units.n_units, -1, dtype=np.int64)
        chosen_col[units.col_unit[self.placed]] = np.flatnonzero(self.placed)
        out: list[Assignment] = []
        for u, members in enumerate(units.members):
            col = int(chosen_col[u])
            batch = None if batch_of_unit is None else batch_of_unit.get(u)
            pin = units.pins.get(u)
            if col < 0:
                reasons = (dict.fromkeys(members, held[u]) if held and u in held
                           else self._unplaced_reasons(u))
                for i in members:
                    out.append(Assignment(cases[i].case_id, None, None, "unplaced", reasons.get(i, ""),
                                          family_group=units.family_group[u], batch=batch))
                continue
            j = int(units.col_dest[col])
            alts, constraints, why = self._detail(u, col) if self.explain else ((), (), "")
            for i in members:
                if pin is not None:
                    status, reason, actor = pin.status, pin.reason, pin.actor
                else:
                    status, reason, actor = "optimised", why, None
                out.append(Assignment(
                    cases[i].case_id, dests[j].destination_id, self._score(i, j, col), status,  # type: ignore[arg-type]
                    reason, actor, units.family_group[u], alts, constraints, batch))
        order = {c.case_id: n for n, c in enumerate(cases)}
        out.sort(key=lambda a: order[a.case_id])
        return out

    def _rows(self, col: int) -> list[int]:
        usage = self.units.usage
        return [int(r) for r in usage.indices[usage.indptr[col] : usage.indptr[col + 1]]]

    def _detail(self, u: int, col: int) -> tuple[tuple[Alternative, ...], tuple[ConstraintPrice, ...], str]:
        units, dests = self.units, self.problem.destinations
        constraints = tuple(
            ConstraintPrice(
                units.resource_label[r], float(self.used[r]), float(units.limits[r]),
                bool(self.used[r] >= units.limits[r] - _EPS), float(self.prices[r]),
            )
            for r in self._rows(col)
        )
        lo, hi = int(units.unit_ptr[u]), int(units.unit_ptr[u + 1])
        others = [c for c in range(lo, hi) if c != col]
        others.sort(key=lambda c: -units.col_score[c])
        alts = tuple(
            Alternative(dests[int(units.col_dest[c])].destination_id, float(units.col_score[c]), float(self.net[c]))
            for c in others[: self.k]
        )
        score = float(units.col_score[col])
        why = f"best placement for the exercise among {hi - lo} allowed destinations; score {score:.3f}"
        better = [c for c in others if units.col_score[c] > score + _EPS]
        if better:
            c = better[0]
            priced = [r for r in self._rows(c) if self.prices[r] > _EPS]
            full = [r for r in self._rows(c) if self.used[r] >= units.limits[r] - _EPS]
            cause = priced or full
            text = ", ".join(f"{units.resource_label[r]} (price {self.prices[r]:.3f})" for r in cause[:2])
            why += (f"; {dests[int(units.col_dest[c])].destination_id} scores higher ({units.col_score[c]:.3f}) "
                    f"but is worth more to other cases: {text or 'see prices'}")
        return alts, constraints, why

    def _unplaced_reasons(self, u: int) -> dict[int, str]:
        units, cases, dests = self.units, self.problem.cases, self.problem.destinations
        lo, hi = int(units.unit_ptr[u]), int(units.unit_ptr[u + 1])
        members = units.members[u]
        if hi == lo:
            out: dict[int, str] = {}
            for i in members:
                if self.scored[i] == 0:
                    out[i] = "no destination is scored for this case (a pair absent from the scores is not allowed)"
                    continue
                refused = self._refused.get(i, [])
                if len(refused) == self.scored[i]:
                    shown = "; ".join(
                        f"{dests[d].destination_id}: {refusal(cases[i], dests[d]) or REASONS[r]}"
                        for d, r in refused[:3])
                    more = f" (and {len(refused) - 3} more)" if len(refused) > 3 else ""
                    out[i] = f"every scored destination is refused: {shown}{more}"
                else:
                    out[i] = (f"family group '{units.family_group[u]}': no destination may take all "
                              f"{len(members)} of its cases together (family unity)")
            return out
        lacks: list[str] = []
        for c in range(lo, hi):
            short = [r for r in self._rows(c)
                     if self.used[r] + units.usage[r, c] > units.limits[r] + _EPS]
            if short:
                r = short[0]
                left = max(units.limits[r] - self.used[r], 0.0)
                lacks.append(f"{units.resource_label[r]}: {left:g} left, needs {units.usage[r, c]:g}")
        if len(lacks) == hi - lo:
            shown = "; ".join(lacks[:3]) + (f" (and {len(lacks) - 3} more)" if len(lacks) > 3 else "")
            text = f"no room at any of its {hi - lo} allowed destinations: {shown}"
        else:
            text = ("left unplaced by the optimiser: every destination with room is worth more to other cases "
                    "(or placing it would not raise the total score)")
        return dict.fromkeys(members, text)
