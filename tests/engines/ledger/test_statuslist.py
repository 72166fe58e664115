"""Bitstring Status List encoding and random index allocation."""

from __future__ import annotations

import base64
import gzip
import itertools

import pytest

from asylon.engines.ledger.statuslist import MIN_ENTRIES, IndexAllocator, StatusList
from asylon.errors import Conflict, InvalidInput


def test_index_zero_is_the_leftmost_bit() -> None:
    sl = StatusList.empty()
    sl.set(0, True)
    sl.set(9, True)
    assert sl.bits[0] == 0x80 and sl.bits[1] == 0x40


def test_encoding_is_multibase_base64url_of_gzip() -> None:
    sl = StatusList.empty()
    for i in (1, 500, MIN_ENTRIES - 1):
        sl.set(i, True)
    enc = sl.encode()
    assert enc.startswith("u") and "=" not in enc and "+" not in enc and "/" not in enc
    raw = gzip.decompress(base64.urlsafe_b64decode(enc[1:] + "=" * (-len(enc[1:]) % 4)))
    assert len(raw) * 8 == MIN_ENTRIES
    back = StatusList.decode(enc)
    assert [i for i in range(MIN_ENTRIES) if back.get(i)] == [1, 500, MIN_ENTRIES - 1]


def test_lists_shorter_than_the_minimum_are_refused() -> None:
    with pytest.raises(InvalidInput):
        StatusList.empty(1024)
    short = "u" + base64.urlsafe_b64encode(gzip.compress(bytes(100))).decode().rstrip("=")
    with pytest.raises(InvalidInput, match="shorter"):
        StatusList.decode(short)


def test_allocation_is_unique_and_spread_over_the_list() -> None:
    alloc = IndexAllocator()
    got = [alloc.allocate() for _ in range(2000)]
    assert len(set(got)) == 2000
    # Issuance order must not show: indexes are spread over the whole list and not increasing.
    assert max(got) > MIN_ENTRIES * 0.9 and min(got) < MIN_ENTRIES * 0.1
    assert sum(a < b for a, b in itertools.pairwise(got)) < 1200


def test_allocator_fills_the_whole_list_then_refuses() -> None:
    alloc = IndexAllocator.resume(range(MIN_ENTRIES - 3))
    last = {alloc.allocate() for _ in range(3)}
    assert last == {MIN_ENTRIES - 3, MIN_ENTRIES - 2, MIN_ENTRIES - 1}
    with pytest.raises(Conflict):
        alloc.allocate()
