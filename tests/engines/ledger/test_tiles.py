"""C2SP tlog-tiles: paths, the tiles a size needs, and proofs computed from tiles alone."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asylon.engines.ledger import merkle
from asylon.engines.ledger.log import TransparencyLog
from asylon.engines.ledger.logstore import FileLogStore, MemoryLogStore
from asylon.engines.ledger.tiles import (
    TiledTree,
    entries_path,
    parse_entry_bundle,
    tile_path,
    tiles_for_size,
    write_tiles,
)
from asylon.errors import InvalidInput


@pytest.mark.parametrize(
    ("level", "index", "width", "want"),
    [
        (0, 0, None, "tile/0/000"),
        (0, 1234067, None, "tile/0/x001/x234/067"),
        (2, 1000, 3, "tile/2/x001/000.p/3"),
        (1, 7, 256, "tile/1/007"),
    ],
)
def test_tile_paths(level: int, index: int, width: int | None, want: str) -> None:
    assert tile_path(level, index, width) == want
    assert entries_path(index, width) == want.replace(f"tile/{level}/", "tile/entries/")


def test_spec_example_tree_of_70000() -> None:
    # c2sp.org/tlog-tiles: 273 full level-0 tiles, a partial of width 112, one full level-1 tile, a partial level-1
    # tile of width 17 and a partial level-2 tile of width 1.
    counts = Counter((level, width) for level, _, width in tiles_for_size(70_000))
    assert counts == {(0, 256): 273, (0, 112): 1, (1, 256): 1, (1, 17): 1, (2, 1): 1}
    assert sorted((lv, w) for lv, _, w in tiles_for_size(256)) == [(0, 256), (1, 1)]


def _served(tmp_path: Path, n: int) -> tuple[TransparencyLog, TiledTree]:
    log = TransparencyLog(FileLogStore(tmp_path / "log"))
    log.append_batch([i.to_bytes(3, "big") * (1 + i % 3) for i in range(n)])
    write_tiles(log, tmp_path / "www")
    return log, TiledTree(n, lambda p: (tmp_path / "www" / p).read_bytes())


def test_proofs_from_tiles_equal_the_logs(tmp_path: Path) -> None:
    log, tiled = _served(tmp_path, 70_000)
    assert tiled.root() == log.root()
    for i in (0, 255, 256, 65_535, 65_536, 69_999):
        assert tiled.inclusion_proof(i) == log.inclusion_proof(i)
    for first in (1, 256, 257, 65_536, 69_999):
        assert tiled.consistency_proof(first) == log.consistency_proof(first)
    bundle = parse_entry_bundle((tmp_path / "www" / entries_path(273, 112)).read_bytes())
    assert [merkle.leaf_hash(e) for e in bundle] == [log.leaf_hash(273 * 256 + i) for i in range(112)]


def test_growing_log_keeps_full_tiles_and_adds_new_ones(tmp_path: Path) -> None:
    log, _ = _served(tmp_path, 600)
    log.append_batch([b"more"] * 100)
    assert write_tiles(log, tmp_path / "www") > 0
    tiled = TiledTree(700, lambda p: (tmp_path / "www" / p).read_bytes())
    assert tiled.root() == log.root()


def test_tampered_tile_gives_a_proof_that_does_not_verify(tmp_path: Path) -> None:
    log, _ = _served(tmp_path, 1000)
    target = tmp_path / "www" / tile_path(0, 1)
    data = bytearray(target.read_bytes())
    data[40] ^= 1
    target.write_bytes(bytes(data))
    tiled = TiledTree(1000, lambda p: (tmp_path / "www" / p).read_bytes())
    proof = tiled.inclusion_proof(300)
    with pytest.raises(merkle.ProofError):
        merkle.verify_inclusion(log.leaf_hash(300), 300, 1000, proof.hashes, log.root())
    target.write_bytes(bytes(data[:-32]))
    with pytest.raises(InvalidInput, match="bytes"):
        TiledTree(1000, lambda p: (tmp_path / "www" / p).read_bytes()).inclusion_proof(300)


@settings(max_examples=25, derandomize=True, deadline=None)
@given(st.integers(1, 3000), st.data())
def test_tiles_match_the_log_for_any_size(size: int, data: st.DataObject) -> None:
    log = TransparencyLog(MemoryLogStore())
    log.append_batch([i.to_bytes(4, "big") for i in range(size)])
    from asylon.engines.ledger.tiles import tile_data

    store = {tile_path(lv, n, w): tile_data(log, lv, n, w) for lv, n, w in tiles_for_size(size)}
    tiled = TiledTree(size, store.__getitem__)
    assert tiled.root() == log.root()
    i = data.draw(st.integers(0, size - 1))
    assert tiled.inclusion_proof(i) == log.inclusion_proof(i)
