"""Dynamic placement against the hindsight optimum over seeded synthetic years.

    .venv/bin/python -m benchmarks.placement_dynamic [--seeds 20] [--cases 600] [--destinations 30]
        [--policies history,resolve,greedy,random] (add potentials to see Ahani et al.'s policy)

Each seed is a different year: its number of arrivals is drawn around ``--cases`` (×0.8–1.25) and never told
to the policies; family sizes (46% single, mean 2.6, 8% with 6+), ~63% compatible pairs and total capacity
100–150% of arrivals follow the issue. Every policy places weekly batches in order of arrival:

- history (ours): resolve with the rest of the year taken from last year's cases of the same localities that
  arrived later in their year, weighted by this year's volume so far against last year's by the same day
  (``DynamicOptions(history=...)``; last year is another seeded year of the same localities and hidden
  world, with its own arrivals and its own count);
- resolve (ours, default without history): each batch placed jointly with the expected rest of the year,
  estimated from the cases seen so far, then only the batch is kept;
- potentials (ours): Ahani et al. 2024 dual-price potentials from the same estimate;
- greedy: first come, first served, each case to its best-scoring destination with room;
- random: a random destination with room.

Prints per-seed ratios of total score to the hindsight optimum (static MIP on the whole year, certified
within 0.1% of its LP bound) and the median, min and mean. Timings are noisy: the 2 cores are shared.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np

from asylon.engines.placement.dynamic import DynamicOptions, place_dynamic
from asylon.engines.placement.model import PlacementOptions
from asylon.engines.placement.static import place_units
from asylon.engines.placement.synthetic import generate_year
from asylon.engines.placement.units import build_units

from .machine import cpu_model

POLICIES = ("history", "resolve", "potentials", "greedy", "random")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--cases", type=int, default=600)
    ap.add_argument("--destinations", type=int, default=30)
    ap.add_argument("--policies", default="history,resolve,greedy,random")
    args = ap.parse_args()
    policies = args.policies.split(",")
    print(f"machine: {os.cpu_count()} cores, {cpu_model()}; load average {os.getloadavg()[0]:.1f} (shared: noisy)")
    print(f"{'seed':>4} {'cases':>6} {'cap/arr':>7} {'hindsight':>10} " + " ".join(f"{p:>11}" for p in policies)
          + "  seconds per policy")
    ratios: dict[str, list[float]] = {p: [] for p in policies}
    for seed in range(args.seeds):
        rng = np.random.default_rng(10_000 + seed)
        n = int(args.cases * rng.uniform(0.8, 1.25))
        n_last = int(args.cases * rng.uniform(0.8, 1.25))
        year = generate_year(n, args.destinations, seed=seed, arrivals_seed=2)
        last_year = generate_year(n_last, args.destinations, seed=seed, arrivals_seed=1)
        units = build_units(year.problem)
        best = place_units(year.problem, units, PlacementOptions(explain=False, mip_gap=1e-4))
        persons = sum(c.persons for c in year.problem.cases)
        capacity = sum(d.capacity for d in year.problem.destinations)
        cells, times = [], []
        for policy in policies:
            t = time.monotonic()
            opts = (DynamicOptions(policy="resolve", explain=False, seed=seed, history=last_year.problem)
                    if policy == "history" else
                    DynamicOptions(policy=policy, explain=False, seed=seed))  # type: ignore[arg-type]
            r = place_dynamic(year.problem, opts, units=units)
            times.append(time.monotonic() - t)
            ratio = r.total_score / best.total_score
            ratios[policy].append(ratio)
            cells.append(f"{ratio:>10.4f}" + ("*" if r.unplaced_cases else " "))
        print(f"{seed:>4} {n:>6} {capacity / persons:>7.2f} {best.total_score:>10.2f} " + " ".join(cells)
              + "  " + " ".join(f"{t:.0f}" for t in times), flush=True)
    print("(* = some cases left unplaced by that policy)")
    for policy in policies:
        rs = ratios[policy]
        print(f"{policy:>11}: median {statistics.median(rs):.4f}  min {min(rs):.4f}  mean {statistics.mean(rs):.4f}"
              f"  over {len(rs)} years")


if __name__ == "__main__":
    main()
