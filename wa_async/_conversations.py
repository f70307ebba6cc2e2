"""Conversation state the client keeps from webhooks: 24-hour windows and message statuses.

Meta lets a business send free-form messages to a user only within 24 hours of that user's last message;
outside it only templates go through (131047). `Conversations` learns each contact's last inbound message from
the receiver (`Conversations.observe`), refuses free-form sends that would fail (`Conversations.check_window`),
and resolves `Conversations.wait_status` from status webhooks.

A contact is keyed by every id a message carries: the phone number when Meta shares it, the business-scoped
user ID (BSUID) and the parent BSUID. So a user who hides their number behind a username is one contact whether
the business answers their BSUID or (while Meta still shares it) their phone, and a changed BSUID
(`UserIdUpdate`, or a `user_changed_user_id` system message) carries the window over to the new id.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Coroutine
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, Protocol, runtime_checkable

from wa_async._errors import WindowClosed, status_error
from wa_async._inbound._events import Event, Message, Status, SystemMessage
from wa_async._inbound._user_events import UserIdUpdate

__all__ = ["WINDOW", "Conversations", "MemoryWindowStore", "StatusFeed", "WindowPolicy", "WindowStore"]

log = logging.getLogger("wa_async.conversations")

WINDOW = timedelta(hours=24)
"""The customer-service window: 24 hours from the user's last message."""

WindowPolicy = bool | Literal["auto"]
"""`"auto"`: refuse when the last inbound is known and too old, or, once a receiver is attached, unknown.
`True`: refuse unless a message within 24 hours is known. `False`: never refuse."""

WaitableStatus = Literal["sent", "delivered", "read", "played"]

# A status implies the ones before it: "read only if it has been delivered", and delivered may be skipped
# when both happen together (Meta's status webhook reference); played is the first play of a voice note, after read.
_RANK = {"sent": 0, "delivered": 1, "read": 2, "played": 3}


@runtime_checkable
class WindowStore(Protocol):
    """Where the time of each contact's last inbound message is kept (share one store across processes)."""

    async def last_inbound(self, wa_id: str) -> datetime | None:
        """The time of the last message from `wa_id`, or None if none is known."""
        ...

    async def record_inbound(self, wa_id: str, at: datetime) -> None:
        """Note a message from `wa_id` at `at` (keep the later of this and what is known)."""
        ...


class _Listener(Protocol):
    async def ready(self) -> None: ...

    async def aclose(self) -> None: ...


class StatusFeed(Protocol):
    """Statuses shared between processes (a window store may carry one as `statuses`; see `RedisWindowStore`)."""

    async def publish(self, status: Status) -> None:
        """Make `status`, received by this process, known to every process."""
        ...

    async def known(self, wamid: str) -> list[Status]:
        """The statuses of `wamid` any process published (and the feed still keeps)."""
        ...

    def listen(self, on_status: Callable[[Status], None], on_ready: Callable[[], Awaitable[None]]) -> _Listener:
        """Hand every status published from now on to `on_status`; call `on_ready` once subscribed (again after a
        reconnection)."""
        ...


class MemoryWindowStore:
    """An in-process `WindowStore` holding the `size` most recently active contacts."""

    __slots__ = ("_last", "size")

    def __init__(self, size: int = 100_000) -> None:
        self.size = size
        self._last: OrderedDict[str, datetime] = OrderedDict()

    def __repr__(self) -> str:
        return f"<MemoryWindowStore {len(self._last)}/{self.size} contacts>"

    def get(self, wa_id: str) -> datetime | None:
        """`last_inbound` without awaiting."""
        return self._last.get(wa_id)

    def put(self, wa_id: str, at: datetime) -> None:
        """`record_inbound` without awaiting."""
        known = self._last.get(wa_id)
        self._last[wa_id] = at if known is None or at > known else known
        self._last.move_to_end(wa_id)
        if len(self._last) > self.size:
            self._last.popitem(last=False)

    async def last_inbound(self, wa_id: str) -> datetime | None:
        return self.get(wa_id)

    async def record_inbound(self, wa_id: str, at: datetime) -> None:
        self.put(wa_id, at)


class Conversations:
    """24-hour windows and status waiters, fed by the webhook receiver.

    ```python
    conv = Conversations()
    conv.observe(event)  # for each received event (the receiver does this)
    # raises WindowClosed outside the window (a BSUID works too)
    await conv.check_window("15551234567")
    status = await conv.wait_status(wamid, "read", timeout=60)
    ```

    `store` (default: in memory) may be shared by several processes, e.g. one backed by Redis; what this
    process observed is also kept locally, so `check_window_nowait` can answer without I/O. `clock` returns the
    current aware datetime (inject a fake one in tests). `phone_number_id`, when set, ignores messages to other
    business numbers (a window is per business number and user). `remember` bounds the statuses kept for
    waiters that start after their status arrived.
    """

    __slots__ = (
        "_aliases",
        "_attached",
        "_clock",
        "_feed",
        "_listener",
        "_local",
        "_statuses",
        "_waiters",
        "_writes",
        "phone_number_id",
        "remember",
        "store",
        "windows",
    )

    def __init__(
        self,
        *,
        windows: WindowPolicy = "auto",
        store: WindowStore | None = None,
        clock: Callable[[], datetime] | None = None,
        phone_number_id: str | None = None,
        remember: int = 10_000,
    ) -> None:
        if windows not in (True, False, "auto"):
            raise ValueError(f"windows must be True, False or 'auto', not {windows!r}")
        self.windows = windows
        self.store: WindowStore = store if store is not None else MemoryWindowStore()
        self._local = self.store if isinstance(self.store, MemoryWindowStore) else MemoryWindowStore()
        self._clock = clock if clock is not None else _utcnow
        self.phone_number_id = phone_number_id
        self.remember = remember
        self._attached = False
        self._aliases: OrderedDict[str, tuple[str, ...]] = OrderedDict()
        self._statuses: OrderedDict[str, Status] = OrderedDict()
        self._waiters: dict[str, list[tuple[int, asyncio.Future[Status]]]] = {}
        self._writes: set[asyncio.Task[None]] = set()
        # Statuses shared with other processes: what this one's receiver observes is published, and while
        # someone waits, what the others publish is observed here.
        self._feed: StatusFeed | None = getattr(self.store, "statuses", None)
        self._listener: _Listener | None = None

    def __repr__(self) -> str:
        waiting = sum(len(w) for w in self._waiters.values())
        return (
            f"<Conversations windows={self.windows!r} attached={self._attached} "
            f"statuses={len(self._statuses)} waiting={waiting}>"
        )

    # -- the receiver side ---------------------------------------------------------------------------------

    def attach(self) -> None:
        """Say a webhook receiver now feeds `observe`: from here, a contact never heard from has no window."""
        self._attached = True

    @property
    def attached(self) -> bool:
        """Whether a receiver feeds this object."""
        return self._attached

    def observe(self, event: Event) -> None:
        """Learn from one received event.

        A message opens its sender's window (under each of their ids), a status resolves waiters, a changed
        BSUID or number carries the window over to the new id.
        """
        if isinstance(event, Status):
            self._observe_status(event)
            if self._feed is not None:
                self._spawn(asyncio.get_running_loop(), self._feed.publish(event))
        elif isinstance(event, UserIdUpdate):
            old = self._link(_keys(event.previous_user_id, event.previous_parent_user_id, event.wa_id))
            self._carry(old, _keys(event.user_id, event.parent_user_id))
        elif isinstance(event, Message):
            if self.phone_number_id is not None and event.phone_number_id not in (None, self.phone_number_id):
                return
            keys = self._link(_keys(event.from_, event.user_id, event.parent_user_id))
            if isinstance(event, SystemMessage):
                self._carry(keys, _keys(event.wa_id, event.new_user_id, event.new_parent_user_id))
                return
            for key in keys:
                self._local.put(key, event.timestamp)
            if self.store is not self._local:
                loop = asyncio.get_running_loop()  # the store is async: observe runs inside the receiver's loop
                for key in keys:
                    self._spawn(loop, self.store.record_inbound(key, event.timestamp))

    def _link(self, keys: list[str]) -> list[str]:
        """`keys` and every id seen together with one of them before: all the ids of one user.

        A message that carries both a phone and a BSUID ties them, so a later message with only the BSUID (Meta
        stops sharing the phone after 30 days of silence) still moves the window the phone is known by.
        """
        aliases = self._aliases
        group = list(keys)
        for key in keys:
            for other in aliases.get(key, ()):
                if other not in group:
                    group.append(other)
        if len(group) > 1:
            together = tuple(group)
            for key in group:
                aliases[key] = together
                aliases.move_to_end(key)
            while len(aliases) > self._local.size:
                aliases.popitem(last=False)
        return group

    def _carry(self, old: list[str], new: list[str]) -> None:
        """Give the ids in `new` the latest window known under any id in `old` (the same user, renamed)."""
        new = [k for k in new if k not in old]
        if not new:
            return
        self._link(old + new)
        last = max((t for k in old if (t := self._local.get(k)) is not None), default=None)
        if last is not None:
            for key in new:
                self._local.put(key, last)
        if self.store is not self._local:
            self._spawn(asyncio.get_running_loop(), self._carry_shared(old, new, last))

    async def _carry_shared(self, old: list[str], new: list[str], last: datetime | None) -> None:
        for key in old:
            known = await self.store.last_inbound(key)
            if known is not None and (last is None or known > last):
                last = known
        if last is not None:
            for key in new:
                await self.store.record_inbound(key, last)

    def _spawn(self, loop: asyncio.AbstractEventLoop, write: Coroutine[Any, Any, None]) -> None:
        task = loop.create_task(self._write(write))
        self._writes.add(task)
        task.add_done_callback(self._writes.discard)

    @staticmethod
    async def _write(write: Coroutine[Any, Any, None]) -> None:
        try:
            await write
        except Exception:
            log.exception("a write to the shared store failed")

    async def flush(self) -> None:
        """Wait until every window write `observe` started has reached the store."""
        while self._writes:
            await asyncio.gather(*self._writes)

    # -- windows -------------------------------------------------------------------------------------------

    async def window_expires(self, to: str) -> datetime | None:
        """When the window with `to` closes (may be in the past), or None when no message is known."""
        wa_id = _wa_id(to)
        last = self._local.get(wa_id)
        if self.store is not self._local:
            await self.flush()
            shared = await self.store.last_inbound(wa_id)
            if shared is not None and (last is None or shared > last):
                last = shared
        return last + WINDOW if last is not None else None

    async def check_window(self, to: str) -> None:
        """Raise `WindowClosed` if a free-form message to `to` would fail with 131047.

        See `WindowPolicy` for when an unknown contact counts as closed.
        """
        if self.windows is not False:
            self._judge(to, await self.window_expires(to))

    @property
    def local_only(self) -> bool:
        """True when every window this object knows is in this process (no shared store to ask)."""
        return self.store is self._local

    def check_window_nowait(self, to: str) -> None:
        """`check_window` from what this process observed, without asking a shared store."""
        if self.windows is not False:
            last = self._local.get(_wa_id(to))
            self._judge(to, last + WINDOW if last is not None else None)

    def _judge(self, to: str, expires: datetime | None) -> None:
        if expires is None:
            if self.windows is True or self._attached:
                raise WindowClosed(to)
        elif self._clock() >= expires:
            raise WindowClosed(to)

    # -- statuses ------------------------------------------------------------------------------------------

    def _observe_status(self, status: Status) -> None:
        if self.phone_number_id is not None and status.phone_number_id not in (None, self.phone_number_id):
            return  # another business number's message (a shared feed carries every number's)
        failed = status.status == "failed"
        rank = _RANK.get(status.status)
        if rank is None and not failed:
            return  # a status this version does not know: neither progress nor failure
        known = self._statuses.get(status.id)
        if failed or known is None or (known.status != "failed" and rank is not None and rank > _rank(known)):
            self._statuses[status.id] = status
        self._statuses.move_to_end(status.id)
        if len(self._statuses) > self.remember:
            self._statuses.popitem(last=False)
        waiters = self._waiters.get(status.id)
        if not waiters:
            return
        keep = []
        for target, fut in waiters:
            if fut.done():
                continue
            if failed:
                fut.set_exception(status_error(status))
            elif rank is not None and rank >= target:
                fut.set_result(status)
            else:
                keep.append((target, fut))
        if keep:
            self._waiters[status.id] = keep
        else:
            del self._waiters[status.id]

    async def wait_status(
        self, wamid: str, status: WaitableStatus = "delivered", timeout: float | None = None
    ) -> Status:
        """Wait until message `wamid` reaches `status` or a later one, and return that status event.

        Order: sent < delivered < read < played. A `failed` status raises the `ApiError`
        subclass for its error code. A status that arrived before the call counts. Raises `TimeoutError` after
        `timeout` seconds.
        """
        target = _RANK.get(status)
        if target is None:
            raise ValueError(f"status must be one of {', '.join(_RANK)}, not {status!r}")
        known = self._statuses.get(wamid)
        if known is not None:
            if known.status == "failed":
                raise status_error(known)
            if _rank(known) >= target:
                return known
        fut: asyncio.Future[Status] = asyncio.get_running_loop().create_future()
        entry = (target, fut)
        self._waiters.setdefault(wamid, []).append(entry)
        try:
            async with asyncio.timeout(timeout):
                if self._feed is not None:
                    await self._shared(wamid)
                return await fut
        finally:
            waiters = self._waiters.get(wamid)
            if waiters is not None and entry in waiters:
                waiters.remove(entry)
                if not waiters:
                    del self._waiters[wamid]

    async def _shared(self, wamid: str) -> None:
        """Listen to the other processes' statuses, then read what they published for `wamid` before."""
        feed = self._feed
        assert feed is not None
        if self._listener is None:
            self._listener = feed.listen(self._observe_status, self._reread)
        await self._listener.ready()
        try:
            known = await feed.known(wamid)
        except Exception:
            # The listener reconnects by itself and then re-reads every waited-for wamid (_reread).
            log.warning("could not read the shared statuses of %s; waiting for the feed", wamid, exc_info=True)
            return
        for status in known:
            self._observe_status(status)

    async def _reread(self) -> None:
        """After (re)subscribing: read the shared statuses of every waited-for wamid, in case one was missed."""
        feed = self._feed
        assert feed is not None
        for wamid in list(self._waiters):
            for status in await feed.known(wamid):
                self._observe_status(status)

    def last_status(self, wamid: str) -> Status | None:
        """The furthest status seen for `wamid` (`failed` wins), if still remembered."""
        return self._statuses.get(wamid)

    async def aclose(self) -> None:
        """Finish the window and status writes still pending and stop listening (call on client close)."""
        await self.flush()
        if self._listener is not None:
            listener, self._listener = self._listener, None
            await listener.aclose()


def _rank(status: Status) -> int:
    return _RANK.get(status.status, -1)


def _wa_id(number: str) -> str:
    return number.lstrip("+")


def _keys(*ids: str | None) -> list[str]:
    """The window keys of a user's ids: phone numbers without `+`, BSUIDs as they are; absent ids skipped."""
    out: list[str] = []
    for i in ids:
        if i:
            key = _wa_id(i)
            if key not in out:
                out.append(key)
    return out


def _utcnow() -> datetime:
    return datetime.now(UTC)
