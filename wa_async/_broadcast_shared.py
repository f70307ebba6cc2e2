"""The end of a run on a shared journal (PostgreSQL): wait for the other workers, send what they left, report all.

Every worker of a shared job reads the same input; a row another worker held when this one reached it is
``taken``. When its own rows are done, the worker waits until no other is sending
(`wa_async._journal.SharedJournalStore.wait_for_others`). Rows a stopped worker left free are sent now by
reading the input again, when it can be read again (a list, a file of recipients; not a generator: then the next
run sends them). Last, the taken rows' outcomes are read from the journal, so the report covers the whole input.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, Iterable
from typing import TYPE_CHECKING

import msgspec

from ._broadcast import Item, Outcome, OutcomeStatus
from ._journal import SharedJournalStore

if TYPE_CHECKING:
    from ._broadcast_run import Run

__all__ = ["finish_shared"]

_PASSES = 3  # readings of the input at most: the first, and two for rows freed by stopped workers
_LOOKUP = 1000
NOT_SENT = "not sent: another worker of the job held it and stopped; run the job again to send it"


async def finish_shared(run: Run, journal: SharedJournalStore, messages: Iterable[Item] | AsyncIterable[Item]) -> None:
    """Wait for the other workers, send the rows they left free (input read again), read their outcomes."""
    for _ in range(_PASSES - 1):
        free = await journal.wait_for_others()
        if not free or not run.taken or not _rereadable(messages):
            break
        await _send_freed(run, journal, messages)
    else:
        await journal.wait_for_others()
    await journal.flush()
    keys = list(run.taken)
    for start in range(0, len(keys), _LOOKUP):
        chunk = keys[start:start + _LOOKUP]
        found = await journal.lookup(chunk)
        for key in chunk:
            to = run.taken.pop(key)
            row = found.get(key)
            if row is None or row.state in ("pending", "inflight"):
                run._outcome(key, Outcome(to, "failed", None, NOT_SENT))
            else:
                status: OutcomeStatus = row.state  # type: ignore[assignment]  # sent, failed or unknown
                run._outcome(key, Outcome(to, status, row.wamid, row.error, True, row.error_code))


async def _send_freed(run: Run, journal: SharedJournalStore, messages: Iterable[Item] | AsyncIterable[Item]) -> None:
    """Read the input again and send the rows this run saw taken that are free now."""
    async for batch in run._batches(messages):
        picked = [(key, msg) for key, msg in batch if key in run.taken]
        if not picked:
            continue
        claims = [msgspec.structs.replace(c, duplicate=False)
                  for c in await journal.reclaim([(key, msg.to) for key, msg in picked])]  # fmt: skip
        opted_out = await run._opted_out(picked, claims)
        for (key, msg), claim in zip(picked, claims, strict=True):
            if run.fatal is not None:
                raise run.fatal
            if claim.taken or key not in run.taken:  # still another's, or a repeat of a key sent in this pass
                continue
            del run.taken[key]
            await run._dispatch(key, msg, claim, opted_out)
    await run._drain()
    if run.fatal is not None:
        raise run.fatal


def _rereadable(messages: Iterable[Item] | AsyncIterable[Item]) -> bool:
    """Whether reading ``messages`` again starts over (a list, a file reader), not where it stopped (a generator)."""
    if isinstance(messages, AsyncIterable):
        return messages.__aiter__() is not messages
    return iter(messages) is not messages
