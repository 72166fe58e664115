"""Fellegi–Sunter linkage on Splink: train (u by random sampling, m by EM), predict, cluster, explain.

The public entry points take registers as DataFrames and return a :class:`~.model.LinkageResult`:

>>> from asylon.engines.linkage.synthetic import generate_people, registrations
>>> left, right = registrations(generate_people(400, seed=5), seed=6)
>>> result = link(left, right)                                           # doctest: +SKIP
>>> result.explain(0).contributions[0].comparison                        # doctest: +SKIP
'given'

Splink builds the SQL; it runs on DuckDB in-process (the default) or on Spark
(``LinkageOptions(backend="spark")``, local mode or a cluster's session): see :mod:`.backends`.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd

from asylon.engines.linkage.backends import SqlBackend, open_backend
from asylon.engines.linkage.clusters import connected_clusters
from asylon.engines.linkage.model import LinkageOptions, LinkageResult
from asylon.engines.linkage.preset import SCALABLE_FROM, Preset, Scale, registration
from asylon.engines.linkage.records import prepare, require_nonempty
from asylon.errors import InvalidInput, Problem

__all__ = ["dedupe", "link", "run_preset"]

# The columns each comparison's explanation shows side by side.
_VALUES: dict[str, tuple[str, str]] = {
    "given": ("given_rom_l", "given_rom_r"),
    "family": ("family_rom_l", "family_rom_r"),
    "dob": ("dob_year_l", "dob_year_r"),
    "sex": ("sex_l", "sex_r"),
    "nationality": ("nationality_l", "nationality_r"),
    "place": ("place_key_l", "place_key_r"),
    "household": ("household_keys_l", "household_keys_r"),
}

Progress = Callable[[str], None]


def dedupe(
    records: pd.DataFrame,
    *,
    options: LinkageOptions | None = None,
    source: str = "records",
    progress: Progress | None = None,
) -> LinkageResult:
    """Find records of the same person within one register.

    ``records`` has the columns of :data:`~.records.REQUIRED` (and optionally :data:`~.records.OPTIONAL`).
    """
    prepared = prepare(records, source=source)
    require_nonempty(prepared, source=source)
    prepared["source_dataset"] = source
    scale: Scale = "scalable" if len(prepared) >= SCALABLE_FROM else "thorough"
    return run_preset(
        registration("dedupe_only", scale=scale), [prepared], options=options, progress=progress
    )


def link(
    left: pd.DataFrame,
    right: pd.DataFrame,
    *,
    options: LinkageOptions | None = None,
    sources: tuple[str, str] = ("left", "right"),
    progress: Progress | None = None,
) -> LinkageResult:
    """Find records of the same person across two registers (a person may appear more than once in each)."""
    if sources[0] == sources[1]:
        raise InvalidInput(
            Problem("the two registers need different names", fix="pass two distinct source names")
        )
    tables = []
    for frame, source in zip((left, right), sources, strict=True):
        prepared = prepare(frame, source=source)
        require_nonempty(prepared, source=source)
        prepared["source_dataset"] = source
        tables.append(prepared)
    scale: Scale = "scalable" if sum(len(t) for t in tables) >= SCALABLE_FROM else "thorough"
    return run_preset(registration("link_only", scale=scale), tables, options=options, progress=progress)


def run_preset(
    preset: Preset,
    tables: Sequence[pd.DataFrame],
    *,
    options: LinkageOptions | None = None,
    progress: Progress | None = None,
) -> LinkageResult:
    """Train ``preset`` on ``tables`` (one for dedup, two for linkage), score candidate pairs, cluster.

    Tables must already carry the preset's columns and a ``source_dataset`` column. ``options.backend``
    chooses where Splink runs (DuckDB or Spark); the backend is released when the run ends.
    """
    opts = options or LinkageOptions()
    _check_trainable(preset, tables)
    backend = open_backend(
        opts.backend,
        memory_limit=opts.memory_limit,
        spark_master=opts.spark_master,
        records=sum(len(t) for t in tables),
    )
    try:
        return _run(preset, tables, backend, opts, progress or (lambda _msg: None))
    finally:
        backend.close()


def _run(
    preset: Preset, tables: Sequence[pd.DataFrame], backend: SqlBackend, opts: LinkageOptions, say: Progress
) -> LinkageResult:
    from splink import Linker

    logging.getLogger("splink").setLevel(logging.ERROR)
    if backend.name != "duckdb":
        say(f"running on {backend.name}")
    sdfs = [backend.register(t, f"input_{k}") for k, t in enumerate(tables)]
    linker = Linker(sdfs if len(sdfs) > 1 else sdfs[0], preset.settings, log_level=None)
    notes: list[str] = []
    say("estimating how many pairs match")
    try:
        linker.training.estimate_probability_two_random_records_match(
            list(preset.deterministic_rules), recall=preset.deterministic_recall
        )
    except Exception as exc:  # Splink raises plain exceptions when no pair meets the rules
        notes.append(f"prior left at its default: {exc}")
    say("estimating u by random sampling")
    u_chunks = opts.u_chunks or (1 if backend.name == "spark" else 10)
    linker.training.estimate_u_using_random_sampling(
        max_pairs=opts.u_max_pairs, seed=opts.seed, num_chunks=u_chunks
    )
    trained = 0
    for alternatives in preset.em_blocking:
        for rule in alternatives:
            say(f"estimating m by expectation maximisation ({_rule_text(rule)})")
            try:
                linker.training.estimate_parameters_using_expectation_maximisation(
                    rule, estimate_without_term_frequencies=True, max_pairs=opts.em_max_pairs
                )
            except Exception as exc:  # e.g. no pairs share the training block in this data
                notes.append(f"EM on {_rule_text(rule)} skipped: {exc}")
                continue
            trained += 1
            break
    if trained == 0:
        raise InvalidInput(
            Problem(
                "the model could not be trained: no records share a name key or date of birth, so there is "
                "nothing to learn from",
                fix="check that the files hold the same kind of people and that names and dates are filled",
            )
        )
    model = _floor_m(linker.misc.save_model_to_json(), opts.min_m)
    # A level EM never saw in training gets m = 0, i.e. an infinite penalty for, say, one mistyped sex code.
    # The floored model is reloaded so prediction uses it; the same registered tables are reused.
    linker = Linker(sdfs if len(sdfs) > 1 else sdfs[0], model, log_level=None)
    say("scoring candidate pairs")
    records = sum(len(t) for t in tables)
    chunks = opts.predict_chunks or max(1, min(8, records // 250_000 + 1))
    # Scoring in chunks bounds memory: each chunk pairs a slice of the left records with a slice of the right.
    scored = linker.inference.predict(
        threshold_match_probability=opts.keep_from,
        num_chunks_left=chunks if chunks > 1 else None,
        num_chunks_right=chunks if chunks > 1 else None,
    )
    predictions = _select_output(linker, scored, backend)
    pairs, comparisons = _pairs_frame(
        predictions, model, default_source=str(tables[0]["source_dataset"].iat[0])
    )
    say("clustering")
    nodes = pd.concat(
        [
            pd.DataFrame({"record_id": t["unique_id"].astype(str), "source": t["source_dataset"].astype(str)})
            for t in tables
        ],
        ignore_index=True,
    )
    links = pairs[pairs["match_probability"] >= opts.threshold]
    clusters = connected_clusters(nodes, links)
    prior = float(model.get("probability_two_random_records_match", 1e-4))
    return LinkageResult(
        pairs=pairs,
        clusters=clusters,
        threshold=opts.threshold,
        model=model,
        prior_weight=math.log2(prior / (1 - prior)),
        comparisons=comparisons,
        notes=tuple(notes),
        values={k: v for k, v in _VALUES.items() if v[0] in pairs.columns},
    )


def _select_output(linker: Any, scored: Any, backend: SqlBackend) -> pd.DataFrame:
    """Fetch only the columns the result uses: Splink's full output is several times wider."""
    columns = [c.unquote().name for c in scored.columns]
    wanted = {
        "unique_id_l",
        "unique_id_r",
        "source_dataset_l",
        "source_dataset_r",
        "match_weight",
        "match_probability",
    }
    wanted |= {c for pair in _VALUES.values() for c in pair}
    keep = [c for c in columns if c in wanted or c.startswith(("gamma_", "mw_"))]
    return backend.select(linker, scored.physical_name, keep)


def _floor_m(model: dict[str, Any], floor: float) -> dict[str, Any]:
    """Raise every trained m probability to at least ``floor`` (renormalised per comparison)."""
    for comparison in model["comparisons"]:
        levels = [lvl for lvl in comparison["comparison_levels"] if not lvl.get("is_null_level")]
        ms = [lvl.get("m_probability") for lvl in levels]
        if any(m is None for m in ms):
            continue
        raised = [max(float(m), floor) for m in ms]
        total = sum(raised)
        for lvl, m in zip(levels, raised, strict=True):
            lvl["m_probability"] = m / total
    return model


def _rule_text(rule: Any) -> str:
    try:
        return str(rule.get_blocking_rule("duckdb").blocking_rule_sql)
    except Exception:
        return str(rule)


def _check_trainable(preset: Preset, tables: Sequence[pd.DataFrame]) -> None:
    problems = []
    for k, table in enumerate(tables):
        for col in preset.required:
            if col not in table.columns:
                problems.append(
                    Problem(
                        f"table {k} lacks the derived column '{col}'",
                        field=col,
                        fix="pass the table through records.prepare() first",
                    )
                )
            elif table[col].isna().all():
                problems.append(
                    Problem(
                        f"every value of '{col}' is empty in table {k}",
                        field=col,
                        fix="the preset cannot compare records without it; fill the column",
                    )
                )
    if problems:
        raise InvalidInput(problems)


def _pairs_frame(
    predictions: pd.DataFrame, model: dict[str, Any], *, default_source: str
) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """Rename Splink's output to ours and add each comparison's weight and level label."""
    out = pd.DataFrame(
        {
            "left_id": predictions["unique_id_l"].astype(str),
            "right_id": predictions["unique_id_r"].astype(str),
            "left_source": predictions["source_dataset_l"].astype(str)
            if "source_dataset_l" in predictions
            else default_source,
            "right_source": predictions["source_dataset_r"].astype(str)
            if "source_dataset_r" in predictions
            else default_source,
            "match_weight": predictions["match_weight"].astype(float),
            "match_probability": predictions["match_probability"].astype(float),
        }
    )
    names = []
    for comparison in model["comparisons"]:
        name = comparison["output_column_name"]
        names.append(name)
        levels = [lvl for lvl in comparison["comparison_levels"]]
        non_null = [lvl for lvl in levels if not lvl.get("is_null_level")]
        label_of = {
            -1: next((lvl["label_for_charts"] for lvl in levels if lvl.get("is_null_level")), "missing")
        }
        for idx, lvl in enumerate(non_null):
            label_of[len(non_null) - 1 - idx] = lvl.get("label_for_charts", "")
        gamma = predictions[f"gamma_{name}"].astype(int)
        out[f"level_{name}"] = gamma.map(label_of).to_numpy()
        weight = predictions[f"mw_{name}"].astype(float)
        if f"mw_tf_adj_{name}" in predictions.columns:
            weight = weight + predictions[f"mw_tf_adj_{name}"].astype(float).fillna(0.0)
        out[f"w_{name}"] = weight.round(4).to_numpy()
    for lcol, rcol in _VALUES.values():
        if lcol in predictions.columns and rcol in predictions.columns:
            out[lcol] = predictions[lcol].map(_as_text).to_numpy()
            out[rcol] = predictions[rcol].map(_as_text).to_numpy()
    out = out.sort_values(
        ["match_weight", "left_id", "right_id"], ascending=[False, True, True], kind="stable"
    )
    return out.reset_index(drop=True), tuple(names)


def _as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float):
        # Spark hands back a nullable integer column (birth year) as floats
        return None if math.isnan(value) else str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, (list, tuple)) or hasattr(value, "tolist"):
        seq = value.tolist() if hasattr(value, "tolist") else value
        return " ".join(map(str, seq)) if isinstance(seq, list) else str(seq)
    return str(value)
