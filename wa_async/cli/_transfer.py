"""A progress bar for ``wa-async media upload`` and ``download`` of large files (rich, on stderr, as the broadcast's).

The media resource reads an upload through the file object it is given and streams a download through
``client.stream``; the bar counts both without changing either: :meth:`Transfer.reader` wraps the file,
:func:`counted_media` wraps the client's pipeline.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import IO, TYPE_CHECKING, Any, cast

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

if TYPE_CHECKING:
    from .._client import Client
    from .._pipeline import Pipeline
    from .._transport import StreamedResponse
    from ..resources import Media

__all__ = ["SHOW_PROGRESS_FROM", "Transfer", "counted_media"]

SHOW_PROGRESS_FROM = 1024 * 1024  # bytes: smaller files come and go too fast for a bar


class Transfer:
    """A bar for ``size`` bytes (``0``: unknown) labelled ``label``; ``with Transfer(...) as bar:``."""

    def __init__(self, label: str, size: int, *, console: Console | None = None) -> None:
        self.position = 0
        self._bar = Progress(
            TextColumn(f"[bold]{label}"), BarColumn(), DownloadColumn(), TransferSpeedColumn(),
            TimeRemainingColumn(), console=console if console is not None else Console(stderr=True),
        )  # fmt: skip
        self._task = self._bar.add_task(label, total=size or None)

    def __repr__(self) -> str:
        return f"<Transfer at {self.position}>"

    def __enter__(self) -> Transfer:
        self._bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._bar.stop()

    def at(self, position: int) -> None:
        """Show ``position`` bytes done (rich's bar takes updates from any thread)."""
        self.position = position
        self._bar.update(self._task, completed=position)

    def reader(self, f: IO[bytes]) -> IO[bytes]:
        """``f``, counting what is read from it (a retry that rewinds it rewinds the bar)."""
        return cast(IO[bytes], _CountingReader(f, self))


class _CountingReader:
    """The parts of a binary file the upload uses: read, seek, tell, name."""

    def __init__(self, f: IO[bytes], bar: Transfer) -> None:
        self._f = f
        self._bar = bar
        self.name = f.name

    def read(self, n: int = -1) -> bytes:
        data = self._f.read(n)
        self._bar.at(self._f.tell())
        return data

    def seek(self, offset: int, whence: int = 0) -> int:
        position = self._f.seek(offset, whence)
        if whence == 0:
            self._bar.at(position)
        return position

    def tell(self) -> int:
        return self._f.tell()


class _CountedPipeline:
    """The client's request pipeline, with every streamed body counted into ``bar``; the rest is its own."""

    def __init__(self, pipeline: Pipeline, bar: Transfer) -> None:
        self._pipeline = pipeline
        self._bar = bar

    def __getattr__(self, name: str) -> Any:
        return getattr(self._pipeline, name)

    @contextlib.asynccontextmanager
    async def stream(self, *args: Any, **kwargs: Any) -> AsyncIterator[StreamedResponse]:
        async with self._pipeline.stream(*args, **kwargs) as resp:
            yield resp._replace(chunks=self._count(resp.chunks))

    async def _count(self, chunks: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
        done = 0
        self._bar.at(0)  # a fresh URL after an expired one starts again
        async for chunk in chunks:
            done += len(chunk)
            self._bar.at(done)
            yield chunk


def counted_media(client: Client, bar: Transfer) -> Media:
    """``client.media``, with the downloads it streams counted into ``bar``.

    (A ``progress=`` callback on ``Media.download`` would make this wrapper unnecessary.)
    """
    from ..resources import Media

    return Media(cast("Pipeline", _CountedPipeline(client._pipeline, bar)))
