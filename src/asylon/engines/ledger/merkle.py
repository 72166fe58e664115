"""RFC 9162 Merkle tree hashing, inclusion and consistency proofs.

Leaves are hashed as ``SHA-256(0x00 || leaf)`` and interior nodes as ``SHA-256(0x01 || left || right)``
(RFC 9162 §2.1.1), so a leaf can never be passed off as a node. Proof *generation* follows the PATH and
SUBPROOF definitions of RFC 9162 §2.1.3.1 and §2.1.4.1 over a subtree-hash oracle; proof *verification*
follows the algorithms of §2.1.3.2 and §2.1.4.2 step by step.

Written by hand because no well-kept PyPI package implements RFC 9162 verification with the exact
failure behaviour of the reference (transparency-dev/merkle) test data, and the code is short.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "ProofError",
    "consistency_proof",
    "inclusion_proof",
    "leaf_hash",
    "node_hash",
    "root_from_inclusion",
    "tree_root",
    "verify_consistency",
    "verify_inclusion",
]


class ProofError(ValueError):
    """A proof does not verify; the message says which step failed."""


def leaf_hash(leaf: bytes) -> bytes:
    """RFC 9162 leaf hash.

    >>> leaf_hash(b"").hex()[:16]
    '6e340b9cffb37a98'
    """
    return hashlib.sha256(b"\x00" + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """RFC 9162 interior node hash of two child hashes.

    >>> node_hash(b"N123", b"N456").hex()[:16]
    'aa217fe888e47007'
    """
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """Largest power of two strictly smaller than ``n`` (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


SubtreeHash = Callable[[int, int], bytes]
"""``subtree(start, end)`` returns MTH(D[start:end]) for a non-empty range."""


def tree_root(leaf_hashes: Sequence[bytes]) -> bytes:
    """Merkle tree head of a list of leaf hashes (RFC 9162 MTH).

    >>> tree_root([]) == EMPTY_ROOT
    True
    """
    if not leaf_hashes:
        return EMPTY_ROOT
    level = list(leaf_hashes)
    # Pairwise reduction; an odd last node is carried up unchanged, which gives the RFC's
    # left-balanced tree (largest power of two on the left).
    while len(level) > 1:
        nxt = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    return level[0]


def inclusion_proof(index: int, size: int, subtree: SubtreeHash) -> list[bytes]:
    """Audit path for leaf ``index`` in the tree of ``size`` leaves (RFC 9162 PATH).

    >>> leaves = [leaf_hash(bytes([i])) for i in range(5)]
    >>> proof = inclusion_proof(1, 5, lambda a, b: tree_root(leaves[a:b]))
    >>> verify_inclusion(leaves[1], 1, 5, proof, tree_root(leaves))
    """
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is outside a tree of size {size}")
    path: list[bytes] = []
    start, end = 0, size
    while end - start > 1:
        k = _split(end - start)
        if index - start < k:
            path.append(subtree(start + k, end))
            end = start + k
        else:
            path.append(subtree(start, start + k))
            start += k
    path.reverse()
    return path


def consistency_proof(first: int, second: int, subtree: SubtreeHash) -> list[bytes]:
    """Proof that the tree of size ``first`` is a prefix of the tree of size ``second`` (RFC 9162 PROOF).

    >>> leaves = [leaf_hash(bytes([i])) for i in range(7)]
    >>> st = lambda a, b: tree_root(leaves[a:b])
    >>> verify_consistency(3, 7, consistency_proof(3, 7, st), tree_root(leaves[:3]), tree_root(leaves))
    """
    if not 0 <= first <= second:
        raise ProofError(f"cannot prove size {first} consistent with smaller size {second}")
    if first == 0 or first == second:
        return []
    proof: list[bytes] = []
    m, start, end, complete = first, 0, second, True
    while m != end - start:
        k = _split(end - start)
        if m <= k:
            proof.append(subtree(start + k, end))
            end = start + k
        else:
            proof.append(subtree(start, start + k))
            start += k
            m -= k
            complete = False
    if not complete:
        proof.append(subtree(start, end))
    proof.reverse()
    return proof


def _check_hashes(label: str, hashes: Sequence[bytes]) -> None:
    for i, h in enumerate(hashes):
        if len(h) != HASH_SIZE:
            raise ProofError(f"{label}[{i}] is {len(h)} bytes, not {HASH_SIZE}")


def root_from_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes]) -> bytes:
    """Recompute the root from a leaf hash and its audit path (RFC 9162 §2.1.3.2 steps 1–4)."""
    if index >= size or index < 0:
        raise ProofError(f"leaf index {index} is outside a tree of size {size}")
    if len(leaf) != HASH_SIZE:
        raise ProofError(f"leaf hash is {len(leaf)} bytes, not {HASH_SIZE}")
    fn, sn, r = index, size - 1, leaf
    sha256 = hashlib.sha256  # local name: this loop is the hot path of every verification
    for i, p in enumerate(proof):
        if len(p) != HASH_SIZE:
            raise ProofError(f"proof[{i}] is {len(p)} bytes, not {HASH_SIZE}")
        if sn == 0:
            raise ProofError("inclusion proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            r = sha256(b"\x01" + p + r).digest()
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = sha256(b"\x01" + r + p).digest()
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("inclusion proof is shorter than the tree is deep")
    return r


def verify_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes) -> None:
    """Raise :class:`ProofError` unless ``proof`` shows leaf hash ``leaf`` at ``index`` under ``root``.

    >>> verify_inclusion(leaf_hash(b""), 0, 1, [], leaf_hash(b""))
    """
    if len(root) != HASH_SIZE:
        raise ProofError(f"root is {len(root)} bytes, not {HASH_SIZE}")
    if root_from_inclusion(leaf, index, size, proof) != root:
        raise ProofError("inclusion proof leads to a different root")


def verify_consistency(
    first: int, second: int, proof: Sequence[bytes], first_root: bytes, second_root: bytes
) -> None:
    """Raise :class:`ProofError` unless ``proof`` shows tree ``first`` is a prefix of tree ``second``.

    >>> verify_consistency(1, 1, [], leaf_hash(b""), leaf_hash(b""))
    """
    if len(first_root) != HASH_SIZE or len(second_root) != HASH_SIZE:
        raise ProofError("a root hash is not 32 bytes")
    _check_hashes("proof", proof)
    if second < first or first < 0:
        raise ProofError(f"size {second} is smaller than earlier size {first}: the log shrank")
    if first == second:
        if proof:
            raise ProofError("equal sizes need an empty proof")
        if first_root != second_root:
            raise ProofError("same size, different roots: the log was rewritten")
        return
    if first == 0:
        if proof:
            raise ProofError("a proof from the empty tree must be empty")
        return
    if not proof:
        raise ProofError("consistency proof is empty")
    path = list(proof)
    if first & (first - 1) == 0:
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("consistency proof is longer than needed")
        if fn & 1 or fn == sn:
            fr = hashlib.sha256(b"\x01" + c + fr).digest()
            sr = hashlib.sha256(b"\x01" + c + sr).digest()
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = hashlib.sha256(b"\x01" + sr + c).digest()
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("consistency proof is shorter than needed")
    if fr != first_root:
        raise ProofError("consistency proof does not lead to the earlier root")
    if sr != second_root:
        raise ProofError("consistency proof does not lead to the later root")
