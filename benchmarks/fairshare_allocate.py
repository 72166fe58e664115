"""Allocate every state with data under every preset and method; ours beside a straightforward pandas peer.

Run: ``.venv/bin/python -m benchmarks.fairshare_allocate [--year 2023] [--repeat 20]``

For each preset the states are every state whose shipped figures cover the key for the year (latest figure
up to the year when one is missing). Timed: the key (shares, caps, redistribution) plus the apportionment of
the preset's default total (120,000 / 40,000 / 30,000 persons; 160,000 for the Dublin key, which has none).
The figures are gathered once beforehand (also timed, once, as "gather").

The peer does the same in plain pandas the way an analyst would: a DataFrame of the figures, vectorised
shares and caps, Hamilton by sorting remainders, divisor methods by building each state's quotient table
(w / d for d up to ⌈quota⌉ + n) and taking the ``total`` largest. Results are checked equal before timing.
"""

from __future__ import annotations

import argparse
import functools
import math
import statistics
import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from asylon.data.facts import default_store
from asylon.engines.fairshare.allocation import allocate, build_table, states_with_data
from asylon.engines.fairshare.model import METHODS, KeySpec, StateTable
from asylon.engines.fairshare.presets import PRESETS
from benchmarks.machine import describe


def pandas_key(spec: KeySpec, frame: pd.DataFrame) -> pd.Series:
    key = pd.Series(0.0, index=frame.index)
    removed = 0.0
    for c in spec.criteria:
        x = frame[c.column]
        if c.invert:
            x = 1.0 / x.clip(lower=c.invert_floor) if c.invert_floor is not None else 1.0 / x
        pure = x / x.sum()
        effective = pure
        if c.cap is not None:
            base = sum(frame[o] / frame[o].sum() for o in c.cap.of)
            if c.cap.reading == "mean":
                base = base / len(c.cap.of)
            effective = pd.concat([pure, c.cap.fraction * base], axis=1).min(axis=1)
            removed += c.weight * (pure - effective).sum()
        key = key + c.weight * effective
    if removed > 0:
        key = key + removed * sum(w * frame[col] / frame[col].sum() for col, w in spec.redistribute.items())
    return key


def pandas_apportion(shares: pd.Series, total: int, method: str) -> pd.Series:
    quotas = shares / shares.sum() * total
    if method == "independent":
        return np.floor(quotas + 0.5).astype(int)
    if method == "hamilton":
        seats = np.floor(quotas).astype(int)
        left = total - int(seats.sum())
        order = (quotas - seats).sort_values(ascending=False, kind="stable").index[:left]
        seats[order] += 1
        return seats
    offset = 1.0 if method == "dhondt" else 0.5
    n = len(shares)
    parts = []
    for state, w in shares.items():
        k = np.arange(math.ceil(quotas[state]) + n)
        parts.append(pd.DataFrame({"state": state, "q": w / (k + offset)}))
    table = pd.concat(parts, ignore_index=True)
    top = table.nlargest(total, "q", keep="first")
    return top.groupby("state").size().reindex(shares.index, fill_value=0)


def best_ms(action: Callable[[], object], repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return min(times), statistics.median(times)


def machine() -> str:
    return f"{describe()}, pandas {pd.__version__}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--year", type=int, default=2023)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args(argv)
    print(f"machine: {machine()}")
    print("note: the machine's cores are shared with other work; timings are noisy (min and median shown).")
    print()
    header = f"{'preset':<20} {'n':>4} {'total':>7} {'method':<13} {'ours ms':>16} {'pandas ms':>18} {'pandas/ours':>11}"
    start = time.perf_counter()
    default_store()
    print(f"load the shipped country facts (once per process): {(time.perf_counter() - start) * 1000:.0f} ms")
    print(header)
    print("-" * len(header))
    for name, preset in PRESETS.items():
        spec = preset.spec
        total = preset.default_total or 160_000
        start = time.perf_counter()
        states = states_with_data(spec, args.year, latest=True)
        table: StateTable = build_table(spec, states=states, year=args.year, latest=True)
        gather_ms = (time.perf_counter() - start) * 1000
        frame = pd.DataFrame({c: table.values[c] for c in spec.columns}, index=list(table.states))
        for method in METHODS:
            key, allocation = allocate(spec, table, total, method)
            peer_key = pandas_key(spec, frame)
            assert np.allclose(key.shares, peer_key.to_numpy(), rtol=1e-12, atol=1e-15), name
            peer = pandas_apportion(peer_key, total, method)
            assert allocation.seats.tolist() == peer.astype(int).tolist(), (name, method)
            ours = best_ms(functools.partial(allocate, spec, table, total, method), args.repeat)
            theirs = best_ms(
                functools.partial(
                    lambda s, f, t, m: pandas_apportion(pandas_key(s, f), t, m), spec, frame, total, method
                ),
                max(3, args.repeat // 4),
            )
            print(
                f"{name:<20} {len(states):>4} {total:>7} {method:<13} "
                f"{ours[0]:>7.2f} / {ours[1]:>6.2f} {theirs[0]:>8.2f} / {theirs[1]:>7.2f} {theirs[1] / ours[1]:>10.1f}x"
            )
        print(
            f"{'':<20} gather figures for {len(states)} states from the shipped data once: {gather_ms:.0f} ms"
        )
    print()
    print(
        "ours ms / pandas ms: min / median over the repeats; pandas/ours: ratio of medians (higher = ours faster)."
    )


if __name__ == "__main__":
    main()
