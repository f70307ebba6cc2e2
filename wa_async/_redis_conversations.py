"""Conversation state shared by several processes through Redis: `RedisWindowStore` and its status feed.

Behind a load balancer, the process that receives a user's message or a message's status is often not the one
that sends or waits. `RedisWindowStore` keeps each contact's last inbound time in Redis (the `WindowStore`
protocol), and carries a `RedisStatusFeed`: every status a receiver observes is stored under its wamid and
published on one channel, so `client.wait_status(...)` in any process resolves from a webhook any other process
received.

redis-py is an optional dependency (`pip install 'wa-async[redis]'`); this module needs it only when a store is
built with a client.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import msgspec

from ._conversations import WINDOW
from ._errors import ValidationError
from ._inbound._events import Status

if TYPE_CHECKING:
    from redis.asyncio import Redis
    from redis.commands.core import AsyncScript

__all__ = ["RedisStatusFeed", "RedisWindowStore", "StatusListener"]

log = logging.getLogger("wa_async.conversations")

# KEYS[1]: the contact's key. ARGV[1]: the message time (Unix seconds), ARGV[2]: milliseconds to keep it.
# Keeps the later of the stored and the given time, so a late redelivery never moves a window back.
_RECORD = """
local known = redis.call('GET', KEYS[1])
if known and tonumber(known) >= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
"""

_encode = msgspec.json.encode
_decode_status = msgspec.json.Decoder(Status).decode


class RedisWindowStore:
    """A `WindowStore` in Redis, shared by every process of a service, with a status feed for `wait_status`.

    ```python
    redis = redis.asyncio.Redis.from_url(os.environ["REDIS_URL"])
    client = wa.Client.from_env(window_store=wa.RedisWindowStore(redis))
    ```

    Give every process (receivers and senders alike) a store on the same Redis and `prefix`: a window opened by
    a message one process received is known to all, and a status one process received resolves `wait_status`
    in any of them. A contact's time is kept until `retain` seconds after their window closes. The store does
    not own `redis`: close it yourself, after the clients.

    Args:
        redis: a `redis.asyncio.Redis` client.
        prefix: the start of every key and of the status channel.
        retain: seconds a contact's last message is kept after their 24-hour window closed (so a closed window
            is told from an unknown contact); default one day.
        statuses: whether to share statuses for `wait_status` (see `RedisStatusFeed`).
        status_ttl: seconds a status is kept for a waiter that starts after it arrived; default one hour.
    """

    __slots__ = ("_record", "prefix", "redis", "retain", "statuses")

    def __init__(
        self,
        redis: Redis,
        *,
        prefix: str = "wa:",
        retain: float = 86_400.0,
        statuses: bool = True,
        status_ttl: int = 3_600,
    ) -> None:
        if retain < 0:
            raise ValidationError("retain", "must not be negative", limit=0)
        self.redis = redis
        self.prefix = prefix
        self.retain = retain
        self._record: AsyncScript = redis.register_script(_RECORD)
        self.statuses: RedisStatusFeed | None = (
            RedisStatusFeed(redis, prefix=f"{prefix}status:", ttl=status_ttl) if statuses else None
        )

    def __repr__(self) -> str:
        return f"<RedisWindowStore prefix={self.prefix!r} statuses={self.statuses is not None}>"

    def _key(self, wa_id: str) -> str:
        return f"{self.prefix}window:{wa_id}"

    async def last_inbound(self, wa_id: str) -> datetime | None:
        """The time of the last message from `wa_id` any process recorded, or None."""
        raw = await self.redis.get(self._key(wa_id))
        return None if raw is None else datetime.fromtimestamp(float(raw), UTC)

    async def record_inbound(self, wa_id: str, at: datetime) -> None:
        """Note a message from `wa_id` at `at`, unless a later one is known."""
        sent_at = at.timestamp()
        keep_ms = int((sent_at + WINDOW.total_seconds() + self.retain - time.time()) * 1000)
        if keep_ms > 0:  # else the window closed and its retention passed: nothing worth keeping
            await self._record(keys=[self._key(wa_id)], args=[repr(sent_at), keep_ms])


class RedisStatusFeed:
    """Statuses shared by every process: stored under their wamid for `ttl` seconds and published on a channel.

    A `Conversations` whose window store has one (`RedisWindowStore(...).statuses`) publishes each status its
    receiver observes, and while someone waits for a status it listens on the channel; a status that arrived
    before the wait began is read from its key. After Redis was unreachable the listener reconnects by itself
    and reads again what the waiters wait for, so no status is missed.
    """

    __slots__ = ("channel", "prefix", "redis", "ttl")

    def __init__(self, redis: Redis, *, prefix: str = "wa:status:", ttl: int = 3_600) -> None:
        if ttl < 1:
            raise ValidationError("status_ttl", "must be at least 1 second", limit=1)
        self.redis = redis
        self.prefix = prefix
        self.ttl = ttl
        self.channel = f"{prefix}updates"

    def __repr__(self) -> str:
        return f"<RedisStatusFeed channel={self.channel!r} ttl={self.ttl}s>"

    async def publish(self, status: Status) -> None:
        """Store `status` under its wamid (one field per status name), then tell the listeners."""
        data = _encode(status)
        key = self.prefix + status.id
        # Stored before published: a waiter that subscribes and then reads the key sees it one way or the other.
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(key, status.status, data)
            pipe.expire(key, self.ttl)
            pipe.publish(self.channel, data)
            await pipe.execute()

    async def known(self, wamid: str) -> list[Status]:
        """The statuses of `wamid` stored so far (any order)."""
        stored: dict[Any, Any] = await self.redis.hgetall(self.prefix + wamid)
        return [_decode_status(v) for v in stored.values()]

    def listen(self, on_status: Callable[[Status], None], on_ready: Callable[[], Awaitable[None]]) -> StatusListener:
        """Start a task that hands every published status to `on_status`; `on_ready` runs after each
        (re)subscription. Close it with `aclose()`."""
        return StatusListener(self, on_status, on_ready)


class StatusListener:
    """The task behind `RedisStatusFeed.listen`: subscribed, reconnecting with backoff, until closed."""

    __slots__ = ("_feed", "_on_ready", "_on_status", "_ready", "_task")

    def __init__(
        self, feed: RedisStatusFeed, on_status: Callable[[Status], None], on_ready: Callable[[], Awaitable[None]]
    ) -> None:
        self._feed = feed
        self._on_status = on_status
        self._on_ready = on_ready
        self._ready = asyncio.Event()
        self._task = asyncio.get_running_loop().create_task(self._run(), name="wa_async-status-listener")

    def __repr__(self) -> str:
        return f"<StatusListener {self._feed.channel!r} subscribed={self._ready.is_set()}>"

    async def ready(self) -> None:
        """Wait until the listener is subscribed."""
        await self._ready.wait()

    async def _run(self) -> None:
        delay = 0.1
        while True:
            pubsub = self._feed.redis.pubsub()
            try:
                await pubsub.subscribe(self._feed.channel)
                while True:
                    message = await pubsub.get_message(timeout=None)
                    if message is None:
                        continue
                    if message["type"] == "subscribe":
                        self._ready.set()
                        delay = 0.1
                        await self._on_ready()
                    elif message["type"] == "message":
                        try:
                            status = _decode_status(message["data"])
                        except msgspec.DecodeError:
                            log.warning("ignoring a malformed status on %s", self._feed.channel)
                            continue
                        self._on_status(status)
            except Exception as e:
                self._ready.clear()
                log.warning("status listener lost Redis (%s); reconnecting in %.1fs", e, delay)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()  # type: ignore[no-untyped-call]
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)

    async def aclose(self) -> None:
        """Stop listening."""
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
