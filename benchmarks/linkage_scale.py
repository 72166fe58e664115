"""Scale: deduplicate N synthetic registration records (default 1,000,000) with the registration preset.

Run: ``.venv/bin/python -m benchmarks.linkage_scale [--records N]``

Prints wall time per stage and the peak resident memory of the process (DuckDB runs in-process, so
this includes it). Goal on the 2-core CI machines: under 15 minutes and 8 GiB for 1,000,000 records.
"""

from __future__ import annotations

import argparse
import resource
import time

from asylon.engines.linkage import evaluation as ev
from asylon.engines.linkage.model import LinkageOptions
from asylon.engines.linkage.probabilistic import dedupe
from asylon.engines.linkage.synthetic import dedup_file, generate_people
from benchmarks.linkage_synthetic import machine


def peak_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    print(machine())
    t0 = time.perf_counter()
    # dedup_file registers about 1.3 records per person (duplicated households)
    people = generate_people(int(args.records / 1.3), seed=args.seed)
    table = dedup_file(people, seed=args.seed + 1)
    t1 = time.perf_counter()
    print(f"generated {len(table):,} records of {len(people):,} people in {t1 - t0:.0f} s (not counted)")
    stages: list[tuple[str, float]] = []
    last = [time.perf_counter()]

    def progress(message: str) -> None:
        now = time.perf_counter()
        stages.append((message, now))
        print(f"  [{now - t1:7.1f} s, peak {peak_gib():.2f} GiB] {message}", flush=True)
        last[0] = now

    result = dedupe(
        table.drop(columns=["true_id", "origin"]),
        options=LinkageOptions(threshold=0.95, keep_from=0.5),
        progress=progress,
    )
    t2 = time.perf_counter()
    print(
        f"dedupe of {len(table):,} records: {t2 - t1:.0f} s ({(t2 - t1) / 60:.1f} min), peak RSS {peak_gib():.2f} GiB"
    )
    truth = ev.truth_lookup([("records", table)])
    total = ev.true_pair_count(table["true_id"])
    print(
        f"pairs scored ≥ 0.5: {len(result.pairs):,}; at 0.95: {ev.score_pairs(result.pairs, truth, total, threshold=0.95)}"
    )
    print(f"goal: < 15 min and < 8 GiB -> {'met' if (t2 - t1) < 900 and peak_gib() < 8 else 'NOT met'}")


if __name__ == "__main__":
    main()
