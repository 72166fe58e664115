"""Privacy-preserving linkage: accuracy against plaintext linkage, and Dice throughput against anonlink.

Run: ``.venv/bin/python -m benchmarks.linkage_pprl [--people N] [--throughput-records N]``

1. Accuracy: the same synthetic registers linked in plaintext (our Splink preset) and from encodings
   under each hardening (balance = default, blip, none), in one run. Encoded linkage reports F1 at the
   default Dice threshold and at the best threshold (an upper bound), with and without one-to-one.
2. Throughput on one core: every pair of two sets of encodings compared at a Dice threshold by our
   numba kernel, by numpy's bitwise_count, and by anonlink's C++ kernel on the very same encodings.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from asylon.engines.linkage import evaluation as ev
from asylon.engines.linkage.bloom import EncodingSchema, encode
from asylon.engines.linkage.dice import dice_above
from asylon.engines.linkage.model import LinkageOptions
from asylon.engines.linkage.pprl import link_encoded
from asylon.engines.linkage.probabilistic import link
from asylon.engines.linkage.records import prepare
from asylon.engines.linkage.synthetic import generate_people, registrations
from benchmarks.linkage_synthetic import machine

SECRET = b"benchmark-secret-0123456789abcdef"


def accuracy(people: int, seed: int) -> None:
    left, right = registrations(generate_people(people, seed=seed), seed=seed + 1)
    truth = ev.truth_lookup([("left", left), ("right", right)])
    total = ev.true_pair_count(left["true_id"], right["true_id"])
    print(f"accuracy: link {len(left):,} × {len(right):,} records, {total:,} true pairs")
    t = time.perf_counter()
    plain = link(left, right, options=LinkageOptions(threshold=0.95, keep_from=0.01))
    plain_at = ev.score_pairs(plain.pairs, truth, total, threshold=0.95)
    _, plain_best = ev.best_f1(plain.pairs, truth, total)
    print(
        f"  {'plaintext (registration preset)':34} at 0.95: {plain_at}; best F1 {plain_best.f1:.4f} ({time.perf_counter() - t:.0f} s)"
    )
    pl, pr = prepare(left), prepare(right)
    for hardening in ("balance", "blip", "none"):
        schema = EncodingSchema(hardening=hardening)  # type: ignore[arg-type]
        t = time.perf_counter()
        a, b = encode(pl, SECRET, schema, blip_seed=1), encode(pr, SECRET, schema, blip_seed=2)
        t_enc = time.perf_counter() - t
        for one in (False, True):
            t = time.perf_counter()
            result = link_encoded(a, b, keep_from=0.5, one_to_one=one)
            t_link = time.perf_counter() - t
            at = ev.score_pairs(result.pairs, truth, total, threshold=result.threshold, column="dice")
            thr, best = ev.best_f1(result.pairs, truth, total, column="dice")
            label = f"encoded, {hardening}{', one-to-one' if one else ''}"
            print(
                f"  {label:34} at {result.threshold}: {at}; best F1 {best.f1:.4f} at {thr:.3f}; "
                f"F1 vs plaintext {100 * (at.f1 - plain_at.f1):+.1f} pts "
                f"(encode {t_enc:.1f} s, {result.candidates:,} candidates, link {t_link:.1f} s)"
            )


def throughput(n: int, seed: int) -> None:
    import anonlink
    from bitarray import bitarray

    people = generate_people(n, seed=seed)
    left, right = registrations(people, seed=seed + 1, overlap=0.5)
    pl, pr = prepare(left).iloc[:n], prepare(right).iloc[:n]
    print(f"throughput (one core; machine shared, timings noisy): {len(pl):,} × {len(pr):,} all pairs")
    for hardening, threshold in (("none", 0.8), ("balance", 0.9)):
        schema = EncodingSchema(hardening=hardening)  # type: ignore[arg-type]
        a, b = encode(pl, SECRET, schema).bits, encode(pr, SECRET, schema).bits
        bits = a.shape[1] * 64
        dice_above(a[:8], b[:8], threshold)  # compile outside the timing
        pairs = a.shape[0] * b.shape[0]
        t = time.perf_counter()
        ours = dice_above(a, b, threshold)
        ours_rate = pairs / (time.perf_counter() - t) / 1e6
        sub = max(1, min(a.shape[0], 400))
        t = time.perf_counter()
        dice_above(a[:sub], b, threshold, use_numba=False)
        numpy_rate = sub * b.shape[0] / (time.perf_counter() - t) / 1e6

        def to_bitarrays(m: np.ndarray) -> list[bitarray]:
            out = []
            for row in m:
                x = bitarray(endian="little")
                x.frombytes(row.tobytes())
                out.append(x)
            return out

        fa, fb = to_bitarrays(a), to_bitarrays(b)
        t = time.perf_counter()
        theirs = anonlink.similarities.dice_coefficient_accelerated((fa, fb), threshold)
        anon_rate = pairs / (time.perf_counter() - t) / 1e6
        same = len(theirs[0]) == len(ours[0])
        print(
            f"  {bits}-bit, Dice ≥ {threshold}: ours (numba) {ours_rate:6.1f} M/s | anonlink {anon_rate:6.1f} M/s | "
            f"numpy {numpy_rate:5.1f} M/s | ours/anonlink {ours_rate / anon_rate:.2f}x | same pairs found: {same}"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=10000)
    parser.add_argument("--throughput-records", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    print(machine())
    if args.throughput_records:
        throughput(args.throughput_records, args.seed)
    accuracy(args.people, args.seed)


if __name__ == "__main__":
    main()
