"""Scale: deduplicate N synthetic registration records (default 1,000,000) with the registration preset.

Run: ``.venv/bin/python -m benchmarks.linkage_scale [--records N] [--backend duckdb|spark]``

Prints wall time per stage, peak memory and accuracy. Goal on the 2-core CI machines: under 15 minutes
and 8 GiB for 1,000,000 records on DuckDB (in-process, so the process's peak resident memory includes it).

``--backend spark`` runs the same records through both backends, each in its own process so neither's
memory counts against the other, and prints them side by side. Spark's memory is the Python process's
peak plus the peak of its JVM (local[2]); the sum of two peaks is an upper bound on their joint peak.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from asylon.engines.linkage import evaluation as ev
from asylon.engines.linkage.model import LinkageOptions
from asylon.engines.linkage.probabilistic import dedupe
from asylon.engines.linkage.synthetic import dedup_file, generate_people
from benchmarks.linkage_synthetic import machine


def peak_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def jvm_peak_gib() -> float:
    """Peak resident memory of the local Spark JVM (0 when none was started)."""
    from asylon.engines.linkage.backends import spark

    for session in spark._SESSIONS.values():
        pid = session.sparkContext._jvm.java.lang.ProcessHandle.current().pid()
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024**2
    return 0.0


def run(records: int, seed: int, backend: str) -> dict[str, Any]:
    t0 = time.perf_counter()
    # dedup_file registers about 1.3 records per person (duplicated households)
    people = generate_people(int(records / 1.3), seed=seed)
    table = dedup_file(people, seed=seed + 1)
    t1 = time.perf_counter()
    print(f"generated {len(table):,} records of {len(people):,} people in {t1 - t0:.0f} s (not counted)")

    def progress(message: str) -> None:
        print(f"  [{time.perf_counter() - t1:7.1f} s, peak {peak_gib():.2f} GiB] {message}", flush=True)

    if backend == "spark":
        from asylon.engines.linkage.backends.spark import spark_session

        spark_session(memory_limit=LinkageOptions().memory_limit)
        started = time.perf_counter()
        print(f"Spark (local[2]) started in {started - t1:.0f} s (not counted)")
        t1 = started
    result = dedupe(
        table.drop(columns=["true_id", "origin"]),
        options=LinkageOptions(threshold=0.95, keep_from=0.5, backend=backend),
        progress=progress,
    )
    seconds = time.perf_counter() - t1
    truth = ev.truth_lookup([("records", table)])
    total = ev.true_pair_count(table["true_id"])
    at = ev.score_pairs(result.pairs, truth, total, threshold=0.95)
    return {
        "backend": backend,
        "records": len(table),
        "seconds": seconds,
        "python_gib": peak_gib(),
        "jvm_gib": jvm_peak_gib() if backend == "spark" else 0.0,
        "pairs": len(result.pairs),
        "precision": at.precision,
        "recall": at.recall,
        "f1": at.f1,
    }


def report(r: dict[str, Any]) -> None:
    memory = r["python_gib"] + r["jvm_gib"]
    print(
        f"dedupe of {r['records']:,} records on {r['backend']}: {r['seconds']:.0f} s ({r['seconds'] / 60:.1f} min), "
        f"peak memory {memory:.2f} GiB"
    )
    print(
        f"pairs scored ≥ 0.5: {r['pairs']:,}; at 0.95: P={r['precision']:.4f} R={r['recall']:.4f} F1={r['f1']:.4f}"
    )


def in_child(records: int, seed: int, backend: str) -> dict[str, Any]:
    """Run one backend in a fresh process; its last output line is the result as JSON."""
    command = [sys.executable, "-m", "benchmarks.linkage_scale", "--records", str(records)]
    command += ["--seed", str(seed), "--only", backend]
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    lines = done.stdout.strip().splitlines()
    print("\n".join(f"  {backend}: {line}" for line in lines[:-1]), flush=True)
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--backend", choices=["duckdb", "spark"], default="duckdb")
    parser.add_argument("--only", choices=["duckdb", "spark"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.only:
        print(json.dumps(run(args.records, args.seed, args.only)))
        return
    print(machine())
    if args.backend == "duckdb":
        r = run(args.records, args.seed, "duckdb")
        report(r)
        print(
            f"goal: < 15 min and < 8 GiB -> {'met' if r['seconds'] < 900 and r['python_gib'] < 8 else 'NOT met'}"
        )
        return
    rows = [in_child(args.records, args.seed, b) for b in ("duckdb", "spark")]
    duck, spark = rows
    print(f"\ndedupe of {duck['records']:,} records, one process each (JVM start-up not counted):")
    print(
        f"{'backend':8} {'seconds':>8} {'peak GiB':>9} {'(JVM)':>7} {'pairs':>9} {'P':>7} {'R':>7} {'F1':>7}"
    )
    for r in rows:
        print(
            f"{r['backend']:8} {r['seconds']:8.0f} {r['python_gib'] + r['jvm_gib']:9.2f} {r['jvm_gib']:7.2f} "
            f"{r['pairs']:9,} {r['precision']:7.4f} {r['recall']:7.4f} {r['f1']:7.4f}"
        )
    print(
        f"spark / duckdb: time ×{spark['seconds'] / duck['seconds']:.1f}, "
        f"memory ×{(spark['python_gib'] + spark['jvm_gib']) / duck['python_gib']:.1f}"
    )


if __name__ == "__main__":
    main()
