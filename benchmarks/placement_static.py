"""Static placement: our HiGHS optimiser against a straightforward model in CP-SAT and in SCIP, tier by tier.

    .venv/bin/python -m benchmarks.placement_static [--tiers 300x20,10000x100,35000x300] [--full] [--seed 3]
        [--peer sat,scip] [--memory-cap 20] [--no-ours --peer-limit SECONDS]

For each generated tier (family sizes, compatibility ~63%, capacity 100-150% of arrivals, as in the issue)
prints objective, bound, gap, seconds and peak memory for

- ours: HiGHS LP by column generation (warm-started by sampled prices), certified Lagrangian bound over
  every pair, fix-and-solve MIP (``asylon.engines.placement.static.place``), time limit in CPU seconds;
- peers: the straightforward model -- one binary per allowed unit-destination pair, one row per unit and per
  resource (capacities, services, quotas), pins fixed -- built from arrays with OR-Tools' model builder and
  handed whole to CP-SAT (2 workers) and to SCIP, with as long as ours took (at least the goal time); their
  bounds are their own. A peer with no placement by its time limit prints "none" (and its bound if it has
  one); a peer that runs out of memory prints how far it got.

Each run happens in a fresh subprocess under an address-space cap (``--memory-cap`` GB, default 20 of the
machine's 24), so that peak memory (ru_maxrss) is that run's own and a model too large for the machine ends
with a report instead of taking the machine down; peak memory includes generating the instance; seconds and
CPU seconds exclude generating it (CPU seconds count every thread of the run and show what an idle machine
would take). ``--full`` adds 100,000 x 1,000 (about 63 million allowed pairs; ours needs about 10 GB and, on
an idle machine, about half an hour). The machine's 2 cores are shared with other engineers' jobs: timings
are noisy, so the load average is printed with them.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import subprocess
import sys
import time

from benchmarks.machine import cpu_model

TIERS = {"300x20": (300, 20, 30.0), "10000x100": (10_000, 100, 30.0), "35000x300": (35_000, 300, 120.0),
         "100000x1000": (100_000, 1_000, 1200.0)}


def run_ours(n: int, m: int, seed: int, limit: float) -> dict[str, object]:
    # Runs to the 0.1% gap (or 10 CPU minutes) rather than stopping at the goal time: on a shared machine the
    # goal time may pass before the LP has converged, and a time printed beside the goal says more. The
    # limit counts CPU seconds, so that other jobs on the machine do not cut the run short.
    limit = max(limit, 600.0)
    from asylon.engines.placement.model import PlacementOptions
    from asylon.engines.placement.static import place
    from asylon.engines.placement.synthetic import generate_year

    year = generate_year(n, m, seed=seed)
    t, cpu = time.monotonic(), _cpu_seconds()
    r = place(year.problem, PlacementOptions(mip_gap=1e-3, time_limit=limit, explain=True, cpu_time=True))
    return {"objective": r.objective, "bound": r.bound, "gap": r.gap, "lp_bound": r.lp_bound,
            "seconds": time.monotonic() - t,
            "cpu_seconds": _cpu_seconds() - cpu, "status": r.status, "columns": r.columns,
            "pairs": len(year.problem.scores), "compatible": year.compatible_share}


def _cpu_seconds() -> float:
    """CPU time of this process (all its threads): on a shared machine, closer to what an idle one takes."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _progress(message: str) -> None:
    """A stage line on stderr: if the run dies (out of memory), the parent says how far it got."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    print(f"stage {time.monotonic() - _T0:.0f}s {peak:.1f}GB {message}", file=sys.stderr, flush=True)


_T0 = time.monotonic()


def run_peer(n: int, m: int, seed: int, limit: float, solver_name: str = "scip",
             memory_cap_gb: float = 0.0) -> dict[str, object]:
    """The straightforward model: one binary per allowed unit-destination pair, one row per unit (placed at
    most once) and per resource (capacities, services, quotas), pins fixed, handed whole to ``solver_name``
    (OR-Tools model builder: ``scip`` or ``sat``) with the same time limit. Built from arrays (no Python
    object per variable) so that building is not what is measured."""
    import numpy as np
    from ortools.linear_solver.python import model_builder as mb

    from asylon.engines.placement.synthetic import generate_year
    from asylon.engines.placement.units import build_units

    year = generate_year(n, m, seed=seed)
    _progress("generated")
    t, cpu = time.monotonic(), _cpu_seconds()
    units = build_units(year.problem)
    n_cols = len(units.col_unit)
    _progress(f"units built: {n_cols} pairs")
    import scipy.sparse as sp

    lower = np.zeros(n_cols)
    for u, p in units.pins.items():
        lower[units.column_of(u, p.destination)] = 1.0
    # Rows: each unit at most once, then every resource (capacity, services, quotas) at its limit.
    rows = sp.vstack([sp.csr_matrix((np.ones(n_cols), (units.col_unit, np.arange(n_cols))),
                                    shape=(units.n_units, n_cols)), units.usage.tocsr()], format="csr")
    upper = np.concatenate([np.ones(units.n_units), units.limits])
    _progress(f"matrix {rows.shape[0]} rows x {n_cols} columns, {rows.nnz} nonzeros")
    model = mb.Model()
    helper = model.helper
    helper.fill_model_from_sparse_data(lower, np.ones(n_cols), units.col_score, np.full(len(upper), -np.inf),
                                       upper, rows)
    del rows
    helper.set_maximize(True)
    _progress(f"{n_cols} variables and their rows in the model")
    step = 5_000_000  # integrality in slices, so that a failure says how far it got
    for lo in range(0, n_cols, step):
        for j in range(lo, min(n_cols, lo + step)):
            helper.set_var_integrality(j, True)
        _progress(f"binary: {min(n_cols, lo + step)} of {n_cols} variables")
    built = time.monotonic() - t
    # The solver gets the memory our own arrays took: only the model stays.
    del units, year, lower, upper
    gc.collect()
    _progress(f"handing {n_cols} binaries to {solver_name}")
    solver = mb.Solver(solver_name)
    solver.set_time_limit_in_seconds(limit)
    if solver_name == "sat":
        solver.set_solver_specific_parameters("num_workers:2")
    elif memory_cap_gb > 0:
        # SCIP stops cleanly at its own memory limit (leaving room for the LP solver and Python).
        solver.set_solver_specific_parameters(f"limits/memory = {memory_cap_gb * 1024 * 0.6:.0f}")
    status = solver.solve(model)
    _progress(f"solved: {status.name}")
    has = status in (mb.SolveStatus.OPTIMAL, mb.SolveStatus.FEASIBLE)
    obj = float(solver.objective_value) if has else float("nan")
    try:  # a bound may exist without a placement
        bound = float(solver.best_objective_bound)
    except Exception:  # the wrapper raises when the solver has none
        bound = float("nan")
    gap = (bound - obj) / max(abs(bound), 1e-9) if has and np.isfinite(bound) else float("nan")
    return {"objective": obj, "bound": bound, "gap": gap, "seconds": time.monotonic() - t,
            "cpu_seconds": _cpu_seconds() - cpu, "build_seconds": built, "status": status.name.lower(),
            "columns": n_cols, "message": str(solver.status_string or "")[:160]}


def _one(tier: str, who: str, seed: int, peer_limit: float | None, peer: str, memory_cap_gb: float) -> None:
    n, m, limit = TIERS[tier]
    if who == "peer" and peer_limit is not None:
        limit = peer_limit
    if memory_cap_gb > 0:
        cap = int(memory_cap_gb * 1024**3)
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    out = run_ours(n, m, seed, limit) if who == "ours" else run_peer(n, m, seed, limit, peer, memory_cap_gb)
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out))


def _failure(proc: subprocess.CompletedProcess[str], cap_gb: float) -> str:
    """What happened to a run that did not finish: the last stage it reached, at what memory, and why."""
    err = proc.stderr.strip().splitlines()
    stages = [line.split(" ", 3) for line in err if line.startswith("stage ")]
    memory = any(k in proc.stderr for k in ("MemoryError", "bad_alloc", "Cannot allocate", "out of memory"))
    if proc.returncode in (-9, 137):
        why = "killed (SIGKILL: out of memory?)"
    elif memory or proc.returncode == -6:
        why = f"out of memory under the {cap_gb:.0f} GB address-space cap" if cap_gb else "out of memory"
    else:
        why = f"failed (exit {proc.returncode}): {' '.join(err[-1:])[:160]}"
    said = [line.strip() for line in err if not line.startswith("stage ") and line.strip()]
    last = f"; last message: {said[-1][:120]}" if said else ""
    if stages:
        at, peak, what = stages[-1][1], stages[-1][2], stages[-1][3]
        return f"{why} after '{what}' ({at} into the run, peak {peak}; exit {proc.returncode}{last})"
    return f"{why} (exit {proc.returncode}{last})"


_SCIP_STATUS = {"23": "time limit", "24": "its memory limit (SCIP_STATUS_MEMLIMIT)"}  # SCIP 8+ numbering


def _said(r: dict[str, object]) -> str:
    """The solver's own word on how it ended, when it gave one."""
    message = str(r.get("message") or "")
    if message.startswith("SCIP status code "):
        code = message.rsplit(" ", 1)[-1]
        message = f"{message}: {_SCIP_STATUS[code]}" if code in _SCIP_STATUS else message
    return f"solver says '{message}', " if message else ""


def goal(tier: str) -> str:
    n, _, limit = TIERS[tier]
    return "no time goal" if n >= 100_000 else f"goal {limit:.0f} s"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tiers", default="300x20,10000x100,35000x300")
    ap.add_argument("--full", action="store_true", help="add the 100,000 x 1,000 tier")
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--peer", default="sat,scip",
                    help="solvers given the straightforward model, comma-separated: sat (CP-SAT, 2 workers), scip")
    ap.add_argument("--memory-cap", type=float, default=20.0,
                    help="address-space cap in GB for each run (0: none); a run past it reports how far it got")
    ap.add_argument("--no-ours", action="store_true",
                    help="run only the peers (with --peer-limit seconds, e.g. the time ours took in an earlier run)")
    ap.add_argument("--peer-limit", type=float, default=None,
                    help="peers' time limit when ours is not run (default: the tier's goal time)")
    ap.add_argument("--one", nargs=2, metavar=("TIER", "WHO"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        _one(args.one[0], args.one[1], args.seed, args.peer_limit, args.peer, args.memory_cap)
        return
    tiers = args.tiers.split(",") + (["100000x1000"] if args.full else [])
    print(f"machine: {os.cpu_count()} cores, {cpu_model()}; load average at start {os.getloadavg()[0]:.1f} "
          "(cores shared with other jobs: timings are noisy)")
    print(f"{'tier':>12} {'solver':>6} {'objective':>12} {'bound':>12} {'gap':>9} {'seconds':>8} {'cpu s':>8} "
          f"{'peak MB':>8}  status")
    names = {"ours": "highs", "scip": "scip", "sat": "cp-sat"}
    for tier in tiers:
        limit = TIERS[tier][2]
        results: dict[str, dict[str, object]] = {}
        for who in ((), ("ours",))[not args.no_ours] + tuple(args.peer.split(",")):
            name = names[who]
            # Peers get as long as ours took (at least the goal time), so the comparison is fair.
            peer_limit = max(limit, float(results["ours"]["seconds"])) if "ours" in results else limit
            if args.no_ours and args.peer_limit is not None:
                peer_limit = args.peer_limit
            proc = subprocess.run([sys.executable, "-m", "benchmarks.placement_static", "--one", tier,
                                   "ours" if who == "ours" else "peer", "--seed", str(args.seed),
                                   "--peer-limit", str(peer_limit), "--peer", "scip" if who == "ours" else who,
                                   "--memory-cap", str(args.memory_cap)],
                                  capture_output=True, text=True, check=False)
            if proc.returncode != 0 or not proc.stdout.strip():
                print(f"{tier:>12} {name:>6} {_failure(proc, args.memory_cap)} (load {os.getloadavg()[0]:.1f})",
                      flush=True)
                continue
            r = json.loads(proc.stdout.strip().splitlines()[-1])
            extra = f"built in {r['build_seconds']:.0f} s, " if "build_seconds" in r else ""
            if "error code -1" in proc.stderr or "Error <-1>" in proc.stderr:  # SCIP_NOMEMORY under the cap
                extra += f"SCIP out of memory under the {args.memory_cap:.0f} GB cap, "
            said = [line.strip() for line in proc.stderr.splitlines()
                    if line.strip() and not line.startswith("stage ") and "InitializeLog" not in line]
            if said and r["objective"] != r["objective"]:
                extra += f"last message: {said[-1][-140:]}, "
            bound = f"{r['bound']:>12.3f}" if r["bound"] == r["bound"] else f"{'none':>12}"
            if r["objective"] != r["objective"]:  # NaN: no placement within the time limit
                print(f"{tier:>12} {name:>6} {'none':>12} {bound} {'-':>9} {r['seconds']:>8.1f} "
                      f"{r['cpu_seconds']:>8.1f} {r['peak_mb']:>8.0f}  {r['status']}: no placement within "
                      f"{peer_limit:.0f} s ({extra}{_said(r)}load {os.getloadavg()[0]:.1f})", flush=True)
                continue
            results[who] = r
            print(f"{tier:>12} {name:>6} {r['objective']:>12.3f} {bound} {r['gap']:>9.4%} "
                  f"{r['seconds']:>8.1f} {r['cpu_seconds']:>8.1f} {r['peak_mb']:>8.0f}  {r['status']} "
                  f"({extra}{goal(tier)}, load {os.getloadavg()[0]:.1f})", flush=True)
        for who in args.peer.split(","):
            if "ours" not in results:
                break
            if who not in results:
                print(f"{tier:>12} ratio  none: {names[who]} has no placement to compare with", flush=True)
                continue
            o, p = results["ours"], results[who]
            print(f"{tier:>12} ratio  ours/{names[who]}: objective {o['objective'] / p['objective']:.4f}, "
                  f"time {o['seconds'] / p['seconds']:.3f}, memory {o['peak_mb'] / p['peak_mb']:.3f}",
                  flush=True)


if __name__ == "__main__":
    main()
