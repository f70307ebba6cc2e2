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
from typing import Any, Literal, Protocol, cast

import msgspec

from ._errors import describe_code
from ._journal import JournalStore
from ._pacer import PAIR_INTERVAL

__all__ = ["PAIR_INTERVAL", "BroadcastReport", "Display", "ErrorGroup", "Item", "Outcome", "OutcomeStatus",
           "broadcast", "message_key"]  # fmt: skip

"""Seconds between two messages to the same recipient: "1 message every 6 seconds to the same WhatsApp user"
(Meta's pair rate limit, error 131056; see docs/rate-limits-and-errors.md)."""

OutcomeStatus = Literal["sent", "failed", "unknown", "skipped"]


class Outcome(msgspec.Struct, frozen=True, gc=False):
    """What happened to one message. ``earlier``: settled by an earlier run of the same journaled job.

    ``code`` is the Graph error code of a failure, when Meta gave one.
    """

    to: str
    status: OutcomeStatus
    wamid: str | None = None
    error: str | None = None
    earlier: bool = False
    code: int | None = None


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
    per second of ``elapsed``.
    """

    sent: int
    failed: int
    unknown: int
    skipped: int
    outcomes: dict[str, Outcome]
    elapsed: float
    rate: float

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
    :meth:`wa_async.Journal.move_user`) and still find them.
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
) -> BroadcastReport:
    """Send ``messages`` (messages, or ``(key, message)`` pairs) through ``client``'s queue; see the module doc.

    Args:
        client: the :class:`~wa_async.Client` to send with (its clock and sleep time the pair spacing).
        messages: an iterable or async iterable, read lazily.
        journal: a SQLite file name (opened and closed here) or a journal store such as
            :class:`~wa_async.Journal` (left open if it was open, e.g. to settle unknown rows from status webhooks).
        progress: show a live progress bar on stderr.
        resend_unknown: send again the rows an earlier run left ``unknown`` (they may have been delivered).
        job: names the job's parameters; a journal refuses a run whose ``job`` or sending number differs from the
            one it was started with.
        pair_interval: seconds between two messages to one recipient, from when the previous one left.
        total: how many messages there are, for the progress bar when ``messages`` has no ``len()``.

    Returns:
        The :class:`BroadcastReport`.

    Raises:
        AuthError: the token was refused; nothing more was sent and the unsent rows stay pending.
        LimiterUnavailable: the shared limiter is gone; likewise.
        JournalError: the journal cannot be used.

    Cancelling the call stops the job cleanly: nothing more leaves, requests on the wire are awaited, the journal
    is written, and ``CancelledError`` is raised again.
    """
    from ._broadcast_run import Run

    store: JournalStore | None
    if journal is None or isinstance(journal, JournalStore):
        store = journal
    else:
        from ._journal import Journal

        store = Journal(journal)
    opened = store is not None and not store.is_open
    try:
        if store is not None:
            if opened:
                await store.open()
            await store.begin({"phone_number_id": client.phone_number_id, "job": job})
        run = Run(client, store, resend_unknown=resend_unknown, pair_interval=pair_interval)
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
        if store is not None and opened:
            await store.close()
