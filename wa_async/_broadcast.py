"""Broadcast jobs: many messages through the client's bounded queue, optionally journaled so a killed run can resume.

```python
report = await client.broadcast(
    (wa.Template(to, "spring_sale") for to in numbers), journal="sale.sqlite", progress=True
)
print(report.sent, report.failed, report.unknown)
```

Messages are read lazily, a batch at a time, so a million recipients are never held in memory at once.
Each message gets a stable key: its recipient plus a hash of its wire bytes without the recipient and
``callback_data``, or a key the caller gives by yielding ``(key, message)``. A key seen twice in one job is sent
once; the repeat is ``skipped``. With a journal, every row is committed as in flight just before its request
leaves, so a run started again on the same journal skips what was sent or failed for good, sends what never
left, and reports what was in flight at the crash as ``unknown`` (sent again only with ``resend_unknown=True``).

The runner is in ``_broadcast_run``, the progress bar in ``_progress`` (imported only when shown, so
``import wa_async`` loads no ``rich``).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import AsyncIterable, Iterable, Mapping, Sized
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol, cast

import msgspec

from ._errors import ValidationError, describe_code
from ._journal import JournalStore, is_postgres_url
from ._pacer import PAIR_INTERVAL

if TYPE_CHECKING:
    from ._opt_outs import OptOuts

__all__ = ["DEFAULT_OPT_OUTS", "PACING_STATUSES", "PAIR_INTERVAL", "BroadcastReport", "Display", "ErrorGroup",
           "Item", "Outcome", "OutcomeStatus", "broadcast", "message_key"]  # fmt: skip

"""Seconds between two messages to the same recipient: "1 message every 6 seconds to the same WhatsApp user"
(Meta's pair rate limit, error 131056; see docs/rate-limits-and-errors.md)."""

DEFAULT_OPT_OUTS = "opt-outs.sqlite"
"""The opt-out store a marketing broadcast uses by default: this file in the journal's directory."""

OutcomeStatus = Literal["sent", "failed", "unknown", "skipped", "opted_out"]

PACING_STATUSES = ("held_for_quality_assessment", "paused")
"""``message_status`` values by which Meta says it is pacing the template (holding or pausing its messages)."""


class Outcome(msgspec.Struct, frozen=True, gc=False):
    """What happened to one message. ``earlier``: settled by an earlier run of the same journaled job.

    ``code`` is the Graph error code of a failure, when Meta gave one. ``message_status`` is Meta's answer to a
    template send made by this run (``accepted``, or ``held_for_quality_assessment``/``paused`` while Meta paces
    the template), when it gave one. ``opted_out``: a marketing message to a user in the opt-out store, not sent.
    """

    to: str
    status: OutcomeStatus
    wamid: str | None = None
    error: str | None = None
    earlier: bool = False
    code: int | None = None
    message_status: str | None = None


class ErrorGroup(msgspec.Struct, frozen=True):
    """Failures that share one error: its Graph ``code`` (if any) and ``meaning``, how many, and one example."""

    code: int | None
    meaning: str | None
    count: int
    example_to: str
    example_error: str


class BroadcastReport(msgspec.Struct, frozen=True):
    """The result of a broadcast: counts per status, the outcome per message key, and this run's pace.

    With a journal the counts cover the whole job, earlier runs included; ``rate`` is what this run sent
    per second of ``elapsed``. ``opted_out`` counts the marketing messages not sent to users who opted out (their
    rows stay pending: a later run sends them if the user resumed). ``message_statuses`` counts this run's
    answers by ``message_status``; ``held_for_quality_assessment`` and ``paused`` mean Meta is pacing the
    template. ``stopped`` says why the job ended early with rows left pending (``"paused"``: ``stop_on_pause``
    and Meta paced the template), else ``None``.
    """

    sent: int
    failed: int
    unknown: int
    skipped: int
    outcomes: dict[str, Outcome]
    elapsed: float
    rate: float
    opted_out: int = 0
    message_statuses: dict[str, int] = {}
    stopped: str | None = None

    @property
    def paced(self) -> int:
        """This run's messages that Meta held or paused (``held_for_quality_assessment`` or ``paused``)."""
        return sum(self.message_statuses.get(s, 0) for s in PACING_STATUSES)

    def error_groups(self) -> list[ErrorGroup]:
        """The failed messages grouped by error (by Graph code, else by the error's text), largest group first.

        ```python
        for group in report.error_groups():
            print(group.code, group.meaning, group.count, group.example_to, group.example_error)
        ```
        """
        groups: dict[int | str, list[Any]] = {}
        for outcome in self.outcomes.values():
            if outcome.status != "failed":
                continue
            error = outcome.error or "failed"
            found = groups.get(outcome.code if outcome.code is not None else error)
            if found is None:
                groups[outcome.code if outcome.code is not None else error] = [outcome.code, 1, outcome.to, error]
            else:
                found[1] += 1
        out = [ErrorGroup(code, describe_code(code), n, to, error) for code, n, to, error in groups.values()]
        return sorted(out, key=lambda g: -g.count)


class _Message(Protocol):
    @property
    def to(self) -> str: ...
    @property
    def callback_data(self) -> str | None: ...
    def to_json(self) -> bytes: ...


Item = _Message | tuple[str, _Message]


class Display(Protocol):
    """A live view of a running broadcast (the progress bar): a context manager told of every change."""

    def __enter__(self) -> Any: ...
    def __exit__(self, *exc: object) -> None: ...
    def update(self, counts: Mapping[str, int], done: int, settled_now: int) -> None:
        """``counts`` per status so far (the job's), ``done`` messages of the input, ``settled_now`` answered in this
        run (the ones that make its rate)."""


_NOT_CONTENT = ("to", "recipient", "biz_opaque_callback_data")
_decode_body = msgspec.json.Decoder(dict[str, Any]).decode
_encode_body = msgspec.json.Encoder().encode


def message_key(msg: _Message) -> str:
    """The stable key of a message: ``recipient:hash`` of its wire bytes without the recipient and ``callback_data``.

    The hash leaves the recipient out so that a journal can move a user's rows to a new id (see
    [`Journal.move_user`][wa_async.Journal.move_user]) and still find them.
    """
    body = _decode_body(msg.to_json())
    for name in _NOT_CONTENT:
        body.pop(name, None)
    return f"{msg.to}:{hashlib.sha256(_encode_body(body)).hexdigest()[:24]}"


def legacy_message_key(msg: _Message) -> str:
    """The key journals started by wa_async 0.1 use: the hash covers the recipient too."""
    if msg.callback_data is not None:
        msg = cast(_Message, msgspec.structs.replace(cast(Any, msg), callback_data=None))
    return f"{msg.to}:{hashlib.sha256(msg.to_json()).hexdigest()[:24]}"


async def broadcast(
    client: Any,
    messages: Iterable[Item] | AsyncIterable[Item],
    journal: str | os.PathLike[str] | JournalStore | None = None,
    progress: bool | Display = False,
    *,
    resend_unknown: bool = False,
    job: str | Mapping[str, Any] | None = None,
    pair_interval: float = PAIR_INTERVAL,
    total: int | None = None,
    marketing: bool = False,
    opt_outs: OptOuts | str | os.PathLike[str] | None = None,
    stop_on_pause: bool = False,
) -> BroadcastReport:
    """Send ``messages`` (messages, or ``(key, message)`` pairs) through ``client``'s queue; see the module doc.

    Args:
        client: the [`Client`][wa_async.Client] to send with (its clock and sleep time the pair spacing).
        messages: an iterable or async iterable, read lazily.
        journal: a SQLite file name or a ``postgresql://`` URL (opened and closed here), or a journal store such
            as [`Journal`][wa_async.Journal] or [`PostgresJournal`][wa_async.PostgresJournal] (left open if it was
            open, e.g. to settle unknown rows from status webhooks). Workers given the same URL and ``job`` name
            share the job.
        progress: show a live progress bar on stderr.
        resend_unknown: send again the rows an earlier run left ``unknown`` (they may have been delivered).
        job: names the job's parameters; a journal refuses a run whose ``job`` or sending number differs from the
            one it was started with. With a ``postgresql://`` URL, the job's name (a ``str``).
        pair_interval: seconds between two messages to one recipient, from when the previous one left.
        total: how many messages there are, for the progress bar when ``messages`` has no ``len()``.
        marketing: send every message (a ``Template``) through Meta's Marketing Messages API, skipping the users
            in the opt-out store (reported ``opted_out``).
        opt_outs: the opt-out store (an [`OptOuts`][wa_async.OptOuts], or a SQLite file name) that marketing
            messages are checked against; by default, with ``marketing=True`` and a journal file, the file
            ``opt-outs.sqlite`` beside the journal.
        stop_on_pause: stop the job, leaving the unsent rows pending, when Meta answers that it is pacing the
            template (``held_for_quality_assessment`` or ``paused``); the report's ``stopped`` is ``"paused"``.

    Returns:
        The [`BroadcastReport`][wa_async.BroadcastReport].

    Raises:
        AuthError: the token was refused; nothing more was sent and the unsent rows stay pending.
        LimiterUnavailable: the shared limiter is gone; likewise.
        TemplateError: code 134101, the template is still syncing with the Marketing Messages API (about 10
            minutes); likewise: run the job again later.
        JournalError: the journal cannot be used (or stopped working: nothing more was sent).
        ValidationError: a ``postgresql://`` journal without a ``job`` name.

    Cancelling the call stops the job cleanly: nothing more leaves, requests on the wire are awaited, the journal
    is written, and ``CancelledError`` is raised again.
    """
    from ._broadcast_run import Run

    store: JournalStore | None
    if journal is None or isinstance(journal, JournalStore):
        store = journal
    else:
        from ._journal import open_store

        store = open_store(journal, job)
    opt_out_store, own_opt_outs = _opt_out_store(opt_outs, journal, marketing)
    opened = store is not None and not store.is_open
    try:
        if store is not None:
            if opened:
                await store.open()
            params: dict[str, Any] = {"phone_number_id": client.phone_number_id, "job": job}
            if marketing:  # only then, so that journals begun before this option still match their jobs
                params["marketing"] = True
            await store.begin(params)
        run = Run(client, store, resend_unknown=resend_unknown, pair_interval=pair_interval, marketing=marketing,
                  opt_outs=opt_out_store, stop_on_pause=stop_on_pause)  # fmt: skip
        if isinstance(messages, Sized):
            total = len(messages)
        display: contextlib.AbstractContextManager[Any] = contextlib.nullcontext()
        if progress is True:
            from ._progress import BroadcastProgress

            progress = BroadcastProgress(total, clock=run.clock)
        if progress is not False:
            run.display = cast(Display, progress)
            display = cast(Display, progress)
        with display:
            return await run.run(messages)
    finally:
        try:
            if store is not None and opened:
                await store.close()
        finally:
            if own_opt_outs and opt_out_store is not None:
                await opt_out_store.close()


def _opt_out_store(opt_outs: OptOuts | str | os.PathLike[str] | None, journal: object,
                   marketing: bool) -> tuple[OptOuts | None, bool]:  # fmt: skip
    """The opt-out store a broadcast checks, and whether the broadcast opened it (and so closes it)."""
    from ._opt_outs import OptOuts

    if isinstance(opt_outs, OptOuts):
        return opt_outs, False
    path: Path | None = None
    if opt_outs is not None:
        path = Path(opt_outs)
    elif marketing and isinstance(journal, (str, os.PathLike)) and not is_postgres_url(journal):
        path = Path(journal).parent / DEFAULT_OPT_OUTS
    if path is None:
        return None, False
    if isinstance(journal, (str, os.PathLike)) and os.path.abspath(path) == os.path.abspath(journal):
        raise ValidationError("opt_outs", f"{str(path)!r} is the journal; give the opt-out store a file of its own")
    return OptOuts(path), True
