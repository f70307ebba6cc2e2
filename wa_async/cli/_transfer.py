"""A progress bar for ``wa-async media upload`` and ``download`` of large files (rich, on stderr, as the broadcast's).

A `Transfer` is the ``progress=`` callback of ``client.media.upload`` and ``client.media.download``.
"""

from __future__ import annotations

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

__all__ = ["SHOW_PROGRESS_FROM", "Transfer"]

SHOW_PROGRESS_FROM = 1024 * 1024  # bytes: smaller files come and go too fast for a bar


class Transfer:
    """A bar for ``size`` bytes (``0``: unknown) labelled ``label``.

    Examples:
        ```python
        with Transfer("report.pdf", size) as bar:
            media_id = await client.media.upload("report.pdf", "application/pdf", progress=bar)
        ```
    """

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

    def __call__(self, done: int, total: int | None) -> None:
        """The ``progress`` callback of ``client.media.upload`` and ``download``."""
        self.at(done)
