"""Where a transparency log keeps its entries: the :class:`LogStore` interface and two implementations.

A store holds, in order, each entry (the leaf input: a salted commitment or a digest, never personal data) and its
RFC 9162 leaf hash, plus the latest signed checkpoint. ``append`` must be durable when it returns.

- :class:`MemoryLogStore` — for tests and throw-away logs.
- :class:`FileLogStore` — a directory of append-only files, one ``fsync`` per batch. The platform may add a
  database-backed store later by implementing the same four methods.

File layout of :class:`FileLogStore` (all integers big-endian)::

    entries.bin    entry bytes, concatenated
    offsets.bin    u64 end offset of each entry in entries.bin
    hashes.bin     32-byte leaf hash of each entry; this file is the commit record, written last
    checkpoint     the latest signed checkpoint note (replaced atomically)

A crash mid-batch leaves at most a torn tail, which :class:`FileLogStore` cuts back on open to the last batch whose
hashes were fully written.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from asylon.errors import InvalidFile, Problem

__all__ = ["FileLogStore", "LogStore", "MemoryLogStore"]

_U64 = struct.Struct(">Q")


class LogStore(Protocol):
    """Durable, append-only storage of log entries and their leaf hashes."""

    def size(self) -> int: ...

    def append(self, entries: Sequence[bytes], leaf_hashes: Sequence[bytes]) -> None:
        """Append a batch; durable when it returns."""
        ...

    def leaf_hashes(self) -> bytes:
        """All stored leaf hashes, concatenated (32 bytes each)."""
        ...

    def entry(self, index: int) -> bytes: ...

    def entries(self, start: int, end: int) -> list[bytes]:
        """Entries ``start`` to ``end - 1`` in one read."""
        ...

    def save_checkpoint(self, note: str) -> None: ...

    def latest_checkpoint(self) -> str | None: ...


class MemoryLogStore:
    """A :class:`LogStore` in memory.

    >>> s = MemoryLogStore(); s.append([b"x"], [bytes(32)]); s.size()
    1
    """

    def __init__(self) -> None:
        self._entries: list[bytes] = []
        self._hashes = bytearray()
        self._checkpoint: str | None = None

    def size(self) -> int:
        return len(self._entries)

    def append(self, entries: Sequence[bytes], leaf_hashes: Sequence[bytes]) -> None:
        self._entries.extend(entries)
        self._hashes += b"".join(leaf_hashes)

    def leaf_hashes(self) -> bytes:
        return bytes(self._hashes)

    def entry(self, index: int) -> bytes:
        return self._entries[index]

    def entries(self, start: int, end: int) -> list[bytes]:
        return self._entries[start:end]

    def save_checkpoint(self, note: str) -> None:
        self._checkpoint = note

    def latest_checkpoint(self) -> str | None:
        return self._checkpoint


class FileLogStore:
    """A :class:`LogStore` in a directory; one ``fsync`` per file per batch.

    >>> import tempfile
    >>> d = tempfile.mkdtemp()
    >>> s = FileLogStore(d); s.append([b"a", b"bc"], [bytes(32), bytes(32)]); s.close()
    >>> FileLogStore(d).entry(1)
    b'bc'
    """

    def __init__(self, directory: str | os.PathLike[str], *, durable: bool = True) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self._durable = durable
        self._entries_path = self.directory / "entries.bin"
        self._offsets_path = self.directory / "offsets.bin"
        self._hashes_path = self.directory / "hashes.bin"
        self._checkpoint_path = self.directory / "checkpoint"
        self._recover()
        self._entries = open(self._entries_path, "ab")  # noqa: SIM115 - kept open for the store's lifetime
        self._offsets = open(self._offsets_path, "ab")  # noqa: SIM115
        self._hashes = open(self._hashes_path, "ab")  # noqa: SIM115

    def _recover(self) -> None:
        for p in (self._entries_path, self._offsets_path, self._hashes_path):
            p.touch(exist_ok=True)
        n = self._hashes_path.stat().st_size // 32
        offsets = self._offsets_path.read_bytes()
        if len(offsets) // 8 < n:
            raise InvalidFile(
                str(self._offsets_path),
                Problem(
                    f"holds {len(offsets) // 8} offsets for {n} leaf hashes",
                    fix="the log directory was damaged outside asylon; restore it from a backup",
                ),
            )
        end = _U64.unpack_from(offsets, (n - 1) * 8)[0] if n else 0
        if self._entries_path.stat().st_size < end:
            raise InvalidFile(
                str(self._entries_path),
                Problem("is shorter than its offsets say", fix="restore the log directory from a backup"),
            )
        # Cut any torn tail of an interrupted batch back to the last committed entry.
        os.truncate(self._hashes_path, n * 32)
        os.truncate(self._offsets_path, n * 8)
        os.truncate(self._entries_path, end)
        self._offsets_cache = bytearray(offsets[: n * 8])
        self._size = n
        self._end = end

    def size(self) -> int:
        return self._size

    def _sync(self, f: object) -> None:
        f.flush()  # type: ignore[attr-defined]
        if self._durable:
            os.fsync(f.fileno())  # type: ignore[attr-defined]

    def append(self, entries: Sequence[bytes], leaf_hashes: Sequence[bytes]) -> None:
        if len(entries) != len(leaf_hashes):
            raise ValueError("one leaf hash per entry")
        if not entries:
            return
        offsets = bytearray()
        end = self._end
        for e in entries:
            end += len(e)
            offsets += _U64.pack(end)
        self._entries.write(b"".join(entries))
        self._offsets.write(offsets)
        self._sync(self._entries)
        self._sync(self._offsets)
        # The hashes file is written last: an entry counts only once its hash is durable.
        self._hashes.write(b"".join(leaf_hashes))
        self._sync(self._hashes)
        self._offsets_cache += offsets
        self._end = end
        self._size += len(entries)

    def leaf_hashes(self) -> bytes:
        self._hashes.flush()
        return self._hashes_path.read_bytes()[: self._size * 32]

    def entry(self, index: int) -> bytes:
        if not 0 <= index < self._size:
            raise IndexError(index)
        start = _U64.unpack_from(self._offsets_cache, (index - 1) * 8)[0] if index else 0
        (end,) = _U64.unpack_from(self._offsets_cache, index * 8)
        self._entries.flush()
        with open(self._entries_path, "rb") as f:
            f.seek(start)
            return f.read(end - start)

    def entries(self, start: int, end: int) -> list[bytes]:
        if not 0 <= start <= end <= self._size:
            raise IndexError((start, end))
        if start == end:
            return []
        ends = [_U64.unpack_from(self._offsets_cache, i * 8)[0] for i in range(start, end)]
        first = _U64.unpack_from(self._offsets_cache, (start - 1) * 8)[0] if start else 0
        self._entries.flush()
        with open(self._entries_path, "rb") as f:
            f.seek(first)
            blob = f.read(ends[-1] - first)
        out, pos = [], 0
        for e in ends:
            out.append(blob[pos : e - first])
            pos = e - first
        return out

    def save_checkpoint(self, note: str) -> None:
        tmp = self._checkpoint_path.with_suffix(".tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(note)
            f.flush()
            if self._durable:
                os.fsync(f.fileno())
        os.replace(tmp, self._checkpoint_path)

    def latest_checkpoint(self) -> str | None:
        if not self._checkpoint_path.exists():
            return None
        return self._checkpoint_path.read_text(encoding="utf-8")

    def close(self) -> None:
        for f in (self._entries, self._offsets, self._hashes):
            f.close()
