"""The log as static C2SP tlog-tiles: tiles of 256 hashes, entry bundles, and proofs computed from them.

Server side, :func:`tiles_for_size` lists the resources a checkpoint of a given size needs, :func:`tile_data` and
:func:`entry_bundle` produce their bytes and :func:`write_tiles` writes them under a directory that any static web
server can serve as ``<prefix>/tile/…``. Client side, :class:`TiledTree` fetches tiles through a callable
(HTTP, files, a cache) and computes inclusion and consistency proofs for a checkpoint from them.

Paths: ``tile/<L>/<N>[.p/<W>]`` and ``tile/entries/<N>[.p/<W>]``, ``<N>`` in 3-digit groups, all but the last
prefixed with ``x`` (``1234067`` → ``x001/x234/067``). Tile ``n`` at level ``l`` holds
``MTH(D[(n·256 + i)·256^l : (n·256 + i + 1)·256^l])`` for ``i`` in 0…255 (c2sp.org/tlog-tiles).
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

from asylon.engines.ledger import merkle
from asylon.engines.ledger.log import TransparencyLog
from asylon.engines.ledger.model import ConsistencyProof, InclusionProof
from asylon.errors import InvalidInput, Problem

__all__ = [
    "TILE_WIDTH",
    "TiledTree",
    "entries_path",
    "entry_bundle",
    "parse_entry_bundle",
    "tile_data",
    "tile_path",
    "tiles_for_size",
    "write_tiles",
]

TILE_HEIGHT = 8
TILE_WIDTH = 1 << TILE_HEIGHT


def _index_path(n: int) -> str:
    groups = []
    while True:
        groups.append(f"{n % 1000:03d}")
        n //= 1000
        if n == 0:
            break
    groups.reverse()
    return "/".join([*("x" + g for g in groups[:-1]), groups[-1]])


def tile_path(level: int, index: int, width: int | None = None) -> str:
    """Path of a hash tile.

    >>> tile_path(0, 1234067), tile_path(1, 5, 17)
    ('tile/0/x001/x234/067', 'tile/1/005.p/17')
    """
    suffix = f".p/{width}" if width is not None and width < TILE_WIDTH else ""
    return f"tile/{level}/{_index_path(index)}{suffix}"


def entries_path(index: int, width: int | None = None) -> str:
    """Path of an entry bundle.

    >>> entries_path(3, 12)
    'tile/entries/003.p/12'
    """
    suffix = f".p/{width}" if width is not None and width < TILE_WIDTH else ""
    return f"tile/entries/{_index_path(index)}{suffix}"


def tiles_for_size(size: int) -> Iterator[tuple[int, int, int]]:
    """``(level, index, width)`` of every tile of a tree of ``size`` leaves (width 256 = full).

    >>> sorted({(lvl, w) for lvl, _, w in tiles_for_size(70_000)})
    [(0, 112), (0, 256), (1, 17), (1, 256), (2, 1)]
    """
    level = 0
    while size >> (TILE_HEIGHT * level) > 0:
        count = size >> (TILE_HEIGHT * level)  # hashes at this tile level
        full, partial = divmod(count, TILE_WIDTH)
        for n in range(full):
            yield level, n, TILE_WIDTH
        if partial:
            yield level, full, partial
        level += 1


def tile_data(log: TransparencyLog, level: int, index: int, width: int) -> bytes:
    """Concatenated hashes of a tile, from the log's stored subtrees."""
    span = 1 << (TILE_HEIGHT * level)
    start = index * TILE_WIDTH
    if (start + width) * span > log.size() or not 1 <= width <= TILE_WIDTH:
        raise InvalidInput(Problem(f"tile {level}/{index} of width {width} is beyond the log", field="tile"))
    return b"".join(log.subtree((start + i) * span, (start + i + 1) * span) for i in range(width))


def entry_bundle(log: TransparencyLog, index: int, width: int) -> bytes:
    """Big-endian uint16 length-prefixed entries of bundle ``index``."""
    start = index * TILE_WIDTH
    if start + width > log.size():
        raise InvalidInput(Problem(f"entry bundle {index} of width {width} is beyond the log", field="tile"))
    out = bytearray()
    for i, e in enumerate(log.store.entries(start, start + width), start=start):
        if len(e) > 0xFFFF:
            raise InvalidInput(Problem(f"entry {i} is longer than a tile bundle allows (65,535 bytes)"))
        out += struct.pack(">H", len(e)) + e
    return bytes(out)


def parse_entry_bundle(data: bytes) -> list[bytes]:
    """Entries of a bundle.

    >>> parse_entry_bundle(b"\\x00\\x02ab\\x00\\x00")
    [b'ab', b'']
    """
    entries, pos = [], 0
    while pos < len(data):
        if pos + 2 > len(data):
            raise InvalidInput(Problem("entry bundle ends inside a length prefix"))
        (n,) = struct.unpack_from(">H", data, pos)
        if pos + 2 + n > len(data):
            raise InvalidInput(Problem("entry bundle ends inside an entry"))
        entries.append(data[pos + 2 : pos + 2 + n])
        pos += 2 + n
    return entries


def write_tiles(log: TransparencyLog, directory: str | Path, size: int | None = None) -> int:
    """Write every tile and entry bundle for ``size`` (default: the whole log) that is not there yet.

    Full tiles are immutable, so existing ones are skipped; returns how many files were written.
    """
    size = log.size() if size is None else size
    root = Path(directory)
    written = 0
    for level, index, width in tiles_for_size(size):
        targets: list[tuple[str, Callable[[], bytes]]] = [
            (tile_path(level, index, width), partial(tile_data, log, level, index, width))
        ]
        if level == 0:
            targets.append((entries_path(index, width), partial(entry_bundle, log, index, width)))
        for rel, make in targets:
            path = root / rel
            if path.exists():
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(path.name + ".tmp")
            tmp.write_bytes(make())
            tmp.replace(path)
            written += 1
    return written


class TiledTree:
    """A read-only view of a log of ``size`` leaves built from fetched tiles; computes proofs like the log does.

    ``fetch(path)`` returns the bytes of a tile path (e.g. an HTTP GET of ``<prefix>/<path>``). Verify the
    checkpoint first, then check proofs against its root: tiles are not trusted, the root is.
    """

    def __init__(self, size: int, fetch: Callable[[str], bytes]) -> None:
        self.size = size
        self._fetch = fetch
        self._cache: dict[tuple[int, int], bytes] = {}

    def _tile(self, level: int, index: int) -> bytes:
        key = (level, index)
        if key not in self._cache:
            count = self.size >> (TILE_HEIGHT * level)
            width = min(TILE_WIDTH, count - index * TILE_WIDTH)
            data = self._fetch(tile_path(level, index, width))
            if len(data) != width * 32:
                raise InvalidInput(
                    Problem(f"tile {tile_path(level, index, width)} has {len(data)} bytes, not {width * 32}")
                )
            self._cache[key] = data
        return self._cache[key]

    def _complete(self, height: int, k: int) -> bytes:
        """Hash of the complete subtree of 2**height leaves numbered ``k`` at that height."""
        level, rest = divmod(height, TILE_HEIGHT)
        first = k << rest  # index of its first hash at tile level ``level``
        tile = self._tile(level, first // TILE_WIDTH)
        offset = first % TILE_WIDTH
        row = [tile[(offset + i) * 32 : (offset + i + 1) * 32] for i in range(1 << rest)]
        while len(row) > 1:
            row = [merkle.node_hash(row[i], row[i + 1]) for i in range(0, len(row), 2)]
        return row[0]

    def subtree(self, start: int, end: int) -> bytes:
        n = end - start
        if n & (n - 1) == 0 and start % n == 0:
            return self._complete(n.bit_length() - 1, start // n)
        k = 1 << ((n - 1).bit_length() - 1)
        return merkle.node_hash(self.subtree(start, start + k), self.subtree(start + k, end))

    def root(self) -> bytes:
        return merkle.EMPTY_ROOT if self.size == 0 else self.subtree(0, self.size)

    def inclusion_proof(self, index: int) -> InclusionProof:
        return InclusionProof(index, self.size, tuple(merkle.inclusion_proof(index, self.size, self.subtree)))

    def consistency_proof(self, first: int) -> ConsistencyProof:
        return ConsistencyProof(
            first, self.size, tuple(merkle.consistency_proof(first, self.size, self.subtree))
        )
