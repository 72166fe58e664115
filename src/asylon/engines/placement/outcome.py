"""Outcome model: who is likely to find work where, learned from past placements, and case scores.

A gradient-boosted classifier (scikit-learn ``HistGradientBoostingClassifier``; nationality and
destination as categorical features so it can learn community effects) wrapped in isotonic calibration
(``CalibratedClassifierCV``), trained on working-age persons of past placements with their employment
outcome. The report gives AUC and calibration (Brier score, reliability bins) on held-out data, and
permutation importances (drop in held-out AUC when a feature is shuffled).

Case score for a case at a destination, selectable:

- ``expected``: expected number of employed working-age members (Annie MOORE style);
- ``any``: probability that at least one working-age member is employed (GeoMatch style).

A synthetic history ships as a seeded generator (:func:`synthetic_history`): it is generated at run time,
identically on every machine, from the same hidden world as :mod:`~asylon.engines.placement.synthetic`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.calibration import CalibratedClassifierCV, calibration_curve
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.inspection import permutation_importance
from sklearn.metrics import brier_score_loss, roc_auc_score
from sklearn.model_selection import train_test_split

from .model import Case, Destination, FloatArray, IntArray, ScoreTable
from .synthetic import HOSTS, ScoreKind, generate_year

FEATURES = ("age", "male", "education_years", "speaks_local", "case_size", "unemployment_rate", "log_population",
            "nationality", "destination")
CATEGORICAL = ("nationality", "destination")


@dataclass(frozen=True, slots=True)
class OutcomeReport:
    """Held-out quality of the outcome model."""

    auc: float
    brier: float
    brier_baseline: float  # Brier score of always predicting the training employment rate
    reliability: tuple[tuple[float, float, int], ...]  # (mean predicted, observed rate, persons) per bin
    importances: tuple[tuple[str, float], ...]  # feature, drop in AUC when shuffled; largest first
    n_train: int
    n_test: int


def person_rows(cases: Sequence[Case], destinations: Sequence[Destination], ci: IntArray,
                di: IntArray) -> tuple[pd.DataFrame, IntArray]:
    """One feature row per working-age member of each pair ``(ci[k], di[k])``; returns rows and pair index."""
    local = [frozenset({HOSTS[d.country]}) if d.country in HOSTS else d.languages for d in destinations]
    records: list[tuple[float, ...]] = []
    owner: list[int] = []
    members = [[m for m in c.members if m.working_age] for c in cases]
    for k, (i, j) in enumerate(zip(ci.tolist(), di.tolist(), strict=True)):
        d = destinations[j]
        for m in members[i]:
            records.append((m.age, 1.0 if m.sex == "M" else 0.0, m.education_years,
                            1.0 if set(m.languages) & local[j] else 0.0, cases[i].persons,
                            d.unemployment_rate if d.unemployment_rate is not None else np.nan,
                            np.log(d.population) if d.population else np.nan, 0.0, 0.0))
            owner.append(k)
    frame = pd.DataFrame(records, columns=list(FEATURES))
    if records:
        frame["nationality"] = [cases[ci[k]].nationality or "" for k in owner]
        frame["destination"] = [destinations[di[k]].destination_id for k in owner]
    return frame, np.asarray(owner, dtype=np.int64)


def synthetic_history(n_cases: int = 6000, n_destinations: int = 40, *, seed: int = 7) -> pd.DataFrame:
    """Past placements with outcomes, generated from a hidden world (columns: FEATURES + ``employed``).

    >>> h = synthetic_history(300, 10, seed=1)
    >>> sorted(set(h["employed"]))
    [0, 1]
    """
    year = generate_year(n_cases, n_destinations, seed=seed, ties=0.0, family_links=0.0)
    problem, world = year.problem, year.world
    rng = np.random.default_rng(seed + 1)
    table = problem.scores
    first = np.searchsorted(table.case, np.arange(len(problem.cases) + 1))
    ci, di = [], []
    for i in range(len(problem.cases)):
        options = table.destination[first[i] : first[i + 1]]
        if len(options):
            ci.append(i)
            di.append(int(rng.choice(options)))  # past placements: any allowed destination
    cia, dia = np.asarray(ci, dtype=np.int64), np.asarray(di, dtype=np.int64)
    frame, owner = person_rows(problem.cases, problem.destinations, cia, dia)
    nat_index = {n: k for k, n in enumerate(world.nationalities)}
    dest_index = {d.destination_id: k for k, d in enumerate(problem.destinations)}
    p = world.probability(
        frame["age"].to_numpy(), frame["male"].to_numpy(), frame["education_years"].to_numpy(),
        frame["speaks_local"].to_numpy(), np.array([nat_index[n] for n in frame["nationality"]]),
        np.array([dest_index[d] for d in frame["destination"]]), frame["unemployment_rate"].to_numpy(),
        np.exp(frame["log_population"].to_numpy()))
    frame["employed"] = (rng.random(len(frame)) < p).astype(int)
    frame["case"] = owner
    return frame


class OutcomeModel:
    """A calibrated employment model; :meth:`fit` trains and reports, :meth:`case_scores` scores pairs.

    >>> model, report = OutcomeModel.fit(synthetic_history(1500, 12, seed=3), seed=0)
    >>> 0.5 < report.auc <= 1.0 and report.brier < report.brier_baseline
    True
    """

    def __init__(self, estimator: CalibratedClassifierCV, categories: dict[str, list[str]]) -> None:
        self.estimator = estimator
        self.categories = categories

    def _matrix(self, frame: pd.DataFrame) -> pd.DataFrame:
        x = frame[list(FEATURES)].copy()
        for col in CATEGORICAL:
            codes = {v: k for k, v in enumerate(self.categories[col])}
            # Unseen categories map to -1, which the classifier treats as missing.
            x[col] = [codes.get(v, -1) for v in frame[col]]
        return x.astype(float)

    @classmethod
    def fit(cls, history: pd.DataFrame, *, seed: int = 0, test_size: float = 0.25) -> tuple[OutcomeModel,
                                                                                               OutcomeReport]:
        """Train on ``history`` (FEATURES + ``employed``), holding out ``test_size`` by whole cases."""
        categories = {col: sorted(set(history[col])) for col in CATEGORICAL}
        groups = history["case"].to_numpy() if "case" in history else np.arange(len(history))
        unique = np.unique(groups)
        train_g, test_g = train_test_split(unique, test_size=test_size, random_state=seed)
        train = history[np.isin(groups, train_g)]
        test = history[np.isin(groups, test_g)]
        base = HistGradientBoostingClassifier(
            categorical_features=[FEATURES.index(c) for c in CATEGORICAL], max_iter=80, learning_rate=0.1,
            max_leaf_nodes=15, l2_regularization=1.0, random_state=seed)
        estimator = CalibratedClassifierCV(base, method="isotonic", cv=3)
        model = cls(estimator, categories)
        x_train, y_train = model._matrix(train), train["employed"].to_numpy()
        estimator.fit(x_train, y_train)
        x_test, y_test = model._matrix(test), test["employed"].to_numpy()
        p = estimator.predict_proba(x_test)[:, 1]
        frac, mean = calibration_curve(y_test, p, n_bins=10, strategy="quantile")
        bins = np.quantile(p, np.linspace(0, 1, 11))
        counts = np.histogram(p, bins=np.unique(bins))[0]
        rate = float(y_train.mean())
        imp = permutation_importance(estimator, x_test, y_test, scoring="roc_auc", n_repeats=2, random_state=seed)
        importances = sorted(zip(FEATURES, imp.importances_mean.tolist(), strict=True), key=lambda t: -t[1])
        report = OutcomeReport(
            auc=float(roc_auc_score(y_test, p)),
            brier=float(brier_score_loss(y_test, p)),
            brier_baseline=float(np.mean((y_test - rate) ** 2)),
            reliability=tuple((float(m), float(f), int(c)) for m, f, c in
                              zip(mean, frac, list(counts) + [0] * (len(mean) - len(counts)), strict=False)),
            importances=tuple((f, float(v)) for f, v in importances),
            n_train=len(train),
            n_test=len(test),
        )
        return model, report

    def person_probability(self, frame: pd.DataFrame) -> FloatArray:
        if len(frame) == 0:
            return np.zeros(0)
        return np.asarray(self.estimator.predict_proba(self._matrix(frame))[:, 1], dtype=np.float64)

    def case_scores(self, cases: Sequence[Case], destinations: Sequence[Destination], ci: IntArray, di: IntArray,
                    *, kind: ScoreKind = "expected") -> FloatArray:
        """Score pairs: expected employed working-age members, or P(at least one employed)."""
        frame, owner = person_rows(cases, destinations, ci, di)
        p = self.person_probability(frame)
        if kind == "expected":
            return np.bincount(owner, weights=p, minlength=len(ci)).astype(np.float64)
        log_none = np.bincount(owner, weights=np.log1p(-np.minimum(p, 1 - 1e-12)), minlength=len(ci))
        return np.asarray(1.0 - np.exp(log_none), dtype=np.float64)

    def score_table(self, cases: Sequence[Case], destinations: Sequence[Destination], allowed: ScoreTable, *,
                    kind: ScoreKind = "expected") -> ScoreTable:
        """The same pairs as ``allowed`` with scores from this model."""
        return ScoreTable(allowed.case, allowed.destination,
                          self.case_scores(cases, destinations, allowed.case, allowed.destination, kind=kind))
