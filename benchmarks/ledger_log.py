"""Transparency log and offline verification: throughput, proof size, verification time — ours and peers.

Run: ``.venv/bin/python -m benchmarks.ledger_log [--entries 1000000]``

Measures, on one core:

1. durable appends per second, batched (``FileLogStore``, one fsync per file per batch of 1,000), against a
   straightforward non-batched append (fsync per entry, same store) and pymerkle's ``SqliteTree`` (RFC 9162
   compatible, one transaction per batch);
2. inclusion-proof size at 1,000,000 entries (raw hashes and as JSON in an envelope);
3. inclusion-proof verification time at that size, ours against ``pymerkle.verify_inclusion``;
4. a full offline credential check (signature, issuer, checkpoint with witness cosignatures, inclusion, two status
   lists, validity, MRZ) for a credential logged at index ~1,000,000.

The goals from the issue are printed next to each figure. Timings are from a shared 2-core machine and are noisy.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from asylon.engines.ledger import merkle
from asylon.engines.ledger.checkpoint import cosign_checkpoint
from asylon.engines.ledger.credentials import travel_document
from asylon.engines.ledger.issuance import StatusRegistry, issue_batch, refresh_proof
from asylon.engines.ledger.issuer import IssuerKeyRing
from asylon.engines.ledger.log import TransparencyLog
from asylon.engines.ledger.logstore import FileLogStore, MemoryLogStore
from asylon.engines.ledger.model import Person
from asylon.engines.ledger.note import generate_signer
from asylon.engines.ledger.trust import TrustBundle
from asylon.engines.ledger.verification import verify_envelope
from benchmarks.machine import describe


def _per_call(fn: Callable[[], object], repeat: int) -> float:
    """Median seconds per call over 5 rounds of ``repeat`` calls."""
    rounds = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(repeat):
            fn()
        rounds.append((time.perf_counter() - start) / repeat)
    return statistics.median(rounds)


def _entry(i: int) -> bytes:
    # The shape of a real credential leaf: tag + 32-byte salted commitment.
    return b"asylon/credential/v1\x00" + i.to_bytes(32, "big")


def bench_appends(n_batched: int, n_single: int, batch: int) -> dict[str, float]:
    out: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as d:
        log = TransparencyLog(FileLogStore(Path(d) / "batched"))
        start = time.perf_counter()
        for s in range(0, n_batched, batch):
            log.append_batch([_entry(i) for i in range(s, min(n_batched, s + batch))])
        out["ours_batched"] = n_batched / (time.perf_counter() - start)

        single = TransparencyLog(FileLogStore(Path(d) / "single"))
        start = time.perf_counter()
        for i in range(n_single):
            single.append(_entry(i))
        out["ours_unbatched"] = n_single / (time.perf_counter() - start)

        try:
            from pymerkle import SqliteTree
        except ImportError:
            return out
        tree = SqliteTree(str(Path(d) / "pymerkle.db"), algorithm="sha256")
        n_peer = min(n_batched, 100_000)
        start = time.perf_counter()
        for s in range(0, n_peer, batch):
            tree.append_entries([_entry(i) for i in range(s, min(n_peer, s + batch))])
        out["pymerkle_sqlite_batched"] = n_peer / (time.perf_counter() - start)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000, help="log size for proof figures")
    parser.add_argument("--appends", type=int, default=200_000, help="entries for the batched append test")
    args = parser.parse_args()
    print(f"machine: {describe()} (shared with other work: timings are noisy)")

    # 1. Durable appends.
    a = bench_appends(args.appends, 300, 1000)
    print("\n1. durable appends per second (fsync per batch of 1,000; goal >= 20,000/s)")
    print(f"   ours, batched            {a['ours_batched']:>12,.0f}/s")
    print(
        f"   ours, fsync per entry    {a['ours_unbatched']:>12,.0f}/s   batched is x{a['ours_batched'] / a['ours_unbatched']:.0f}"
    )
    if "pymerkle_sqlite_batched" in a:
        ratio = a["ours_batched"] / a["pymerkle_sqlite_batched"]
        print(f"   pymerkle SqliteTree      {a['pymerkle_sqlite_batched']:>12,.0f}/s   ours is x{ratio:.1f}")

    # 2 & 3. Proofs at the requested size.
    n = args.entries
    start = time.perf_counter()
    log = TransparencyLog(MemoryLogStore(), generate_signer("asylon.example/log"))
    for s in range(0, n, 50_000):
        log.append_batch([_entry(i) for i in range(s, min(n, s + 50_000))])
    build = time.perf_counter() - start
    root = log.root()
    index = n - 12_345
    proof = log.inclusion_proof(index)
    raw = len(proof.hashes) * 32
    as_json = len(json.dumps(proof.to_json(), separators=(",", ":")))
    print(f"\n2. inclusion proof at {n:,} entries (goal <= 1 KB); tree built in {build:.1f} s")
    print(f"   {len(proof.hashes)} hashes = {raw} bytes raw, {as_json} bytes as JSON (base64)")

    leaf = merkle.leaf_hash(_entry(index))
    ours = _per_call(lambda: merkle.verify_inclusion(leaf, index, n, proof.hashes, root), 2000)
    gen = _per_call(lambda: log.inclusion_proof(index), 500)
    print(f"\n3. inclusion proof verification at {n:,} entries (goal <= 50 µs)")
    print(f"   ours                     {ours * 1e6:>8.1f} µs   (proof generation {gen * 1e6:.1f} µs)")
    try:
        from pymerkle import InmemoryTree
        from pymerkle import verify_inclusion as pm_verify

        peer_n = min(n, 200_000)
        tree = InmemoryTree(algorithm="sha256")
        tree.append_entries([_entry(i) for i in range(peer_n)])
        pm_index = peer_n - 12_345
        pm_proof = tree.prove_inclusion(pm_index)
        pm_base, pm_root = tree.get_leaf(pm_index), tree.get_root()
        ours_small = log.inclusion_proof(pm_index - 1, peer_n)
        small_root = log.root(peer_n)
        small_leaf = merkle.leaf_hash(_entry(pm_index - 1))
        assert small_root == pm_root, "pymerkle and asylon disagree on the RFC 9162 root"
        peer = _per_call(lambda: pm_verify(pm_base, pm_root, pm_proof), 2000)
        ours2 = _per_call(
            lambda: merkle.verify_inclusion(small_leaf, pm_index - 1, peer_n, ours_small.hashes, small_root),
            2000,
        )
        print(
            f"   at {peer_n:,} entries (same root as pymerkle): ours {ours2 * 1e6:.1f} µs, "
            f"pymerkle.verify_inclusion {peer * 1e6:.1f} µs   ours is x{peer / ours2:.1f} faster"
        )
    except ImportError:
        print("   (pymerkle not installed: no peer figure)")

    # 4. Full offline check of a credential logged at index ~n.
    t0 = datetime(2026, 3, 1, tzinfo=UTC)
    ring = IssuerKeyRing.create("https://asylon.example/orgs/unhcr", "UNHCR", at=t0)
    witnesses = [generate_signer(f"witness.example/w{i}", cosigner=True) for i in range(3)]
    registry = StatusRegistry(f"{ring.issuer}/status/1")
    person = Person("Amina", "Haddad", "1990-05-04", "F", "SYR")
    cred = travel_document(
        person,
        issuer=ring,
        issuing_state="JOR",
        document_number="RT0012345",
        date_of_issue=date(2026, 3, 1),
        date_of_expiry=date(2031, 2, 28),
        valid_from=t0,
    )
    [env] = issue_batch([cred], ring=ring, log=log, at=t0, status=registry)
    lists = registry.publish(ring, log, at=t0)
    note = log.checkpoint()
    for w in witnesses:
        note = cosign_checkpoint(note, w, timestamp=int(t0.timestamp()))
    env = refresh_proof(env, log, note, log.size())

    def fresh_bundle() -> TrustBundle:
        return TrustBundle.build(
            issuers=[ring.public()],
            log_key=log.signer.verifier,  # type: ignore[union-attr]
            witnesses=[w.verifier for w in witnesses],
            quorum=2,
            status_lists=lists,
        )

    now = t0 + timedelta(days=1)
    bundle = fresh_bundle()
    report = verify_envelope(env, bundle, now=now)
    assert report.ok, report.failed
    warm = _per_call(lambda: verify_envelope(env, bundle, now=now), 200)
    cold_bundles = [fresh_bundle() for _ in range(5 * 100)]
    cold = _per_call(lambda: verify_envelope(env, cold_bundles.pop(), now=now), 100)
    from asylon.engines.ledger.envelope import qr_payload

    assert env.proof is not None
    print(f"\n4. full offline credential check, leaf {env.proof.index:,} of {log.size():,} (goal <= 5 ms)")
    print(
        f"   first credential after loading a bundle {cold * 1e3:>6.2f} ms  (also checks both status lists' signatures)"
    )
    print(
        f"   each further credential                {warm * 1e3:>6.2f} ms  (status lists checked once per bundle)"
    )
    print("   = Ed25519 x4 on the cosigned checkpoint, x1 on the credential, JCS x3, inclusion proof, MRZ")
    print(f"   envelope {len(env.dumps())} bytes; QR payload {len(qr_payload(env))} characters")


if __name__ == "__main__":
    main()
