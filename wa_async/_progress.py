"""The broadcast's live progress bar (rich, on stderr): done of total, counts per status, this run's rate, ETA.

Imported only when a progress bar is shown. The rate counts only the messages this run sent and had answered,
over the last ``WINDOW`` seconds, so rows an earlier run settled (skipped at once on a resume) do not make it
look faster than it is; the time left is the rows left at that rate.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, Task, TextColumn
from rich.text import Text

__all__ = ["WINDOW", "BroadcastProgress", "RateMeter"]

WINDOW = 10.0  # seconds of history behind the rate shown


class RateMeter:
    """Events per second over the last ``window`` seconds of ``clock``, from cumulative counts."""

    __slots__ = ("_clock", "_samples", "window")

    def __init__(self, clock: Callable[[], float], window: float = WINDOW) -> None:
        self._clock = clock
        self.window = window
        self._samples: deque[tuple[float, int]] = deque([(clock(), 0)])

    def __repr__(self) -> str:
        return f"<RateMeter {self.rate():.2f}/s window={self.window}s>"

    def add(self, total: int) -> None:
        """Note that ``total`` events have happened so far."""
        now = self._clock()
        samples = self._samples
        if samples[-1][0] == now:
            samples[-1] = (now, total)
        else:
            samples.append((now, total))
        # Keep one sample at or before the window's start, so the rate spans the whole window.
        while len(samples) > 2 and samples[1][0] <= now - self.window:
            samples.popleft()

    def rate(self) -> float:
        """Events per second over the window (0 until time has passed)."""
        first_t, first_n = self._samples[0]
        last_t, last_n = self._samples[-1]
        now = self._clock()
        span = max(now, last_t) - first_t
        return (last_n - first_n) / span if span > 0 else 0.0


class BroadcastProgress:
    """A progress bar for [`Client.broadcast`][wa_async.Client.broadcast] (its ``Display``); also used by
    ``wa-async demo``.

    Args:
        total: messages in the input, if known (the bar shows ``done/?`` otherwise).
        clock: the broadcast's clock (the client's), for the rate.
        console: where to draw; stderr by default.
        title: the label left of the bar.
    """

    def __init__(self, total: int | None, *, clock: Callable[[], float], console: Console | None = None,
                 title: str = "broadcast") -> None:  # fmt: skip
        self.total = total
        self.meter = RateMeter(clock)
        self._rate = 0.0  # computed on the loop at each update: the bar's refresh thread must not call the clock
        self.done = 0
        self.counts: dict[str, int] = {"sent": 0, "failed": 0, "unknown": 0, "skipped": 0}
        self._bar = Progress(
            TextColumn(f"[bold]{title}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("sent [green]{task.fields[sent]}[/] failed [red]{task.fields[failed]}[/] "
                       "unknown [yellow]{task.fields[unknown]}[/]"),
            _RateColumn(self), _EtaColumn(self),
            console=console if console is not None else Console(stderr=True),
        )
        self._task = self._bar.add_task(title, total=total, sent=0, failed=0, unknown=0)

    def __repr__(self) -> str:
        return f"<BroadcastProgress {self.done}/{self.total} {self.counts} {self.meter!r}>"

    def __enter__(self) -> BroadcastProgress:
        self._bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._refresh()
        self._bar.stop()

    def update(self, counts: Mapping[str, int], done: int, settled_now: int) -> None:
        """Take the broadcast's counts (see ``Display.update``)."""
        self.counts = dict(counts)
        self.done = done
        self.meter.add(settled_now)
        self._rate = self.meter.rate()
        self._refresh()

    def rate(self) -> float:
        """Messages per second this run is answering, as of the last update."""
        return self._rate

    def eta(self) -> float | None:
        """Seconds left at the current rate; ``None`` without a total or a rate."""
        rate = self.rate()
        if self.total is None or rate <= 0:
            return None
        return max(0, self.total - self.done) / rate

    def _refresh(self) -> None:
        c = self.counts
        self._bar.update(self._task, completed=self.done, sent=c["sent"], failed=c["failed"], unknown=c["unknown"])


class _RateColumn(ProgressColumn):
    def __init__(self, view: BroadcastProgress) -> None:
        super().__init__()
        self._view = view

    def render(self, task: Task) -> Text:
        rate = self._view.rate()
        return Text(f"{rate:.1f} msg/s" if rate else "- msg/s", style="progress.data.speed")


class _EtaColumn(ProgressColumn):
    def __init__(self, view: BroadcastProgress) -> None:
        super().__init__()
        self._view = view

    def render(self, task: Task) -> Text:
        eta = self._view.eta()
        if eta is None:
            return Text("-:--:--", style="progress.remaining")
        minutes, seconds = divmod(round(eta), 60)
        hours, minutes = divmod(minutes, 60)
        return Text(f"{hours}:{minutes:02d}:{seconds:02d}", style="progress.remaining")

