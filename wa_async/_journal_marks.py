"""The SQLite journal's in-flight marks: one byte per row in a memory-mapped file beside the journal.

A row is marked just before its request leaves: one byte stored into shared memory, on the event loop, with no
system call, no thread hop and no wait, so the mark costs the sending worker almost nothing. The byte is in the
kernel's page cache the moment it is stored, so it survives the process being killed (as a SQLite commit in WAL
mode with ``synchronous=NORMAL`` does; neither survives a power cut: ``synchronous="FULL"`` journals commit their
marks to SQLite with an fsync instead). The writer thread clears a row's byte once the row's outcome is
committed, and the next run turns every row still marked (and not settled) ``unknown``.

The pages are created and touched by the writer thread when the rows are claimed, so the loop's store never
faults a page in from disk. Layout: a header of one allocation unit (``wa_async marks`` and the job's id), then
chunks of ``CHUNK`` rows, one byte each (byte ``row % CHUNK`` of chunk ``row // CHUNK``), each mapped on its own
so the file can grow while the loop writes into the chunks mapped before.
"""

from __future__ import annotations

import mmap
import os
from collections.abc import Iterable
from pathlib import Path

from ._journal import JournalError

__all__ = ["CHUNK", "MarkFile", "marks_path", "read_marks"]

_SHIFT = 20
CHUNK = 1 << _SHIFT  # rows per mapped chunk (1 MiB)
_HEADER = max(mmap.ALLOCATIONGRANULARITY, 4096)
_MAGIC = b"wa_async marks 1\n"


def marks_path(journal: Path) -> Path:
    """The marks file of the journal at ``journal``: ``<journal>-marks``."""
    return journal.with_name(journal.name + "-marks")


class MarkFile:
    """The marks of one journal. `mark` runs on the event loop; everything else on the writer thread."""

    __slots__ = ("_chunks", "_fd", "job_id", "path")

    def __init__(self, path: Path) -> None:
        self.path = path
        self.job_id: str | None = None
        self._fd: int | None = None
        self._chunks: list[mmap.mmap] = []

    def __repr__(self) -> str:
        return f"<MarkFile {str(self.path)!r} chunks={len(self._chunks)}>"

    def open(self, job_id: str) -> set[int]:
        """Open (or create) the file for job ``job_id``; returns the rows a run before this one left marked.

        Raises:
            JournalError: the file belongs to another job, or cannot be used.
        """
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as e:
            raise JournalError(f"cannot open the journal's marks {self.path}: {e}") from e
        try:
            size = os.fstat(fd).st_size
            header = _MAGIC + job_id.encode() + b"\n"
            if size == 0 or not os.pread(fd, len(header), 0).strip(b"\0"):  # new, or its creation was cut short
                os.ftruncate(fd, max(size, _HEADER))
                os.pwrite(fd, header, 0)
                size = max(size, _HEADER)
            elif os.pread(fd, len(header), 0) != header:
                raise JournalError(f"{self.path} holds the in-flight marks of another journal; left untouched")
        except OSError as e:
            os.close(fd)
            raise JournalError(f"cannot read the journal's marks {self.path}: {e}") from e
        except BaseException:
            os.close(fd)
            raise
        self._fd, self.job_id = fd, job_id
        left = read_marks(self.path)
        for _ in range((size - _HEADER + CHUNK - 1) // CHUNK):
            self._map_next()
        return left

    def close(self) -> None:
        """Unmap and close; the file is removed when no row is marked (nothing for a next run to see)."""
        clean = all(chunk.find(b"\x01") < 0 for chunk in self._chunks)
        for chunk in self._chunks:
            chunk.close()
        self._chunks = []
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
            if clean:
                self.path.unlink(missing_ok=True)

    def mark(self, row: int) -> None:
        """Mark ``row`` in flight (on the event loop: a store into memory the writer thread prepared)."""
        try:
            self._chunks[row >> _SHIFT][row & (CHUNK - 1)] = 1
        except IndexError:
            raise JournalError(f"row {row} was never claimed; it cannot be marked in flight") from None

    def prepare(self, rows: Iterable[int]) -> None:
        """Map the chunks ``rows`` fall in and touch their bytes, so marking them never waits for the disk."""
        for row in rows:
            index = row >> _SHIFT
            while index >= len(self._chunks):
                self._map_next()
            chunk = self._chunks[index]
            offset = row & (CHUNK - 1)
            chunk[offset] = chunk[offset]  # faults the page in, here and not on the loop

    def clear(self, rows: Iterable[int]) -> None:
        """Unmark ``rows``: their outcomes are committed."""
        chunks = self._chunks
        for row in rows:
            index = row >> _SHIFT
            if index < len(chunks):
                chunks[index][row & (CHUNK - 1)] = 0

    def reset(self) -> None:
        """Unmark every row (a new run starts, its predecessor's marks applied to the journal)."""
        for chunk in self._chunks:
            chunk.seek(0)
            chunk.write(bytes(CHUNK))
            chunk.seek(0)

    def marked(self) -> set[int]:
        """The rows marked now."""
        out: set[int] = set()
        for index, chunk in enumerate(self._chunks):
            _collect(chunk, index, out)
        return out

    def _map_next(self) -> None:
        assert self._fd is not None
        index = len(self._chunks)
        end = _HEADER + (index + 1) * CHUNK
        if os.fstat(self._fd).st_size < end:
            os.ftruncate(self._fd, end)  # sparse: a chunk takes disk only where rows were marked
        self._chunks.append(mmap.mmap(self._fd, CHUNK, offset=_HEADER + index * CHUNK))


def read_marks(path: Path) -> set[int]:
    """The rows marked in the marks file at ``path`` (none if there is no such file), read without mapping it."""
    try:
        with path.open("rb") as f:
            f.seek(_HEADER)
            data = f.read()
    except FileNotFoundError:
        return set()
    out: set[int] = set()
    for index in range((len(data) + CHUNK - 1) // CHUNK):
        _collect(data[index * CHUNK:(index + 1) * CHUNK], index, out)
    return out


def _collect(chunk: bytes | mmap.mmap, index: int, out: set[int]) -> None:
    at = chunk.find(b"\x01")
    while at >= 0:
        out.add(index * CHUNK + at)
        at = chunk.find(b"\x01", at + 1)
