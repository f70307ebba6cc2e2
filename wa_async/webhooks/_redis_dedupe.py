"""`RedisDeduplicator`: one duplicate filter for several receiver processes behind one URL.

Meta redelivers a webhook until it gets a 200, for up to 7 days, and a load balancer may hand the redelivery to
another process than the first delivery. Each event key is claimed with `SET key 1 NX EX ttl`, all keys of a
delivery in one round trip: the process whose `SET` wins handles the event, every other one drops it. redis-py
is the optional `redis` extra; this module needs it only when a filter is built with a client.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import TYPE_CHECKING

import msgspec

from wa_async._errors import ValidationError
from wa_async._inbound._events import Event

from ._dedupe import dedupe_key

if TYPE_CHECKING:
    from redis.asyncio import Redis

__all__ = ["RedisDeduplicator"]

WEEK = 7 * 24 * 3600
_encode = msgspec.json.encode


class RedisDeduplicator:
    """Drops events another process (or this one) already accepted, through Redis.

    ```python
    redis = redis.asyncio.Redis.from_url("redis://cache:6379/0")
    dedupe = wa.webhooks.RedisDeduplicator(redis)
    receiver = wa.webhooks.Receiver(
        router, verify_token=token, app_secret=secret, dedupe=dedupe
    )
    ```

    Events are keyed as the in-process `Deduplicator` keys them (a message by its id, a status by its id, status
    and user...); events without a stable id always pass. A key is kept `ttl` seconds (default 7 days, as long
    as Meta redelivers; about 100 bytes each). When Redis cannot be reached the receiver answers 503 and Meta
    delivers the body again later: nothing is handled twice or lost. The filter does not own `redis`.

    Args:
        redis: a `redis.asyncio.Redis` client.
        prefix: the start of every key.
        ttl: seconds a key is remembered.
    """

    __slots__ = ("prefix", "redis", "ttl")

    def __init__(self, redis: Redis, *, prefix: str = "wa:seen:", ttl: int = WEEK) -> None:
        if ttl < 1:
            raise ValidationError("ttl", "must be at least 1 second", limit=1)
        self.redis = redis
        self.prefix = prefix
        self.ttl = ttl

    def __repr__(self) -> str:
        return f"<RedisDeduplicator prefix={self.prefix!r} ttl={self.ttl}s>"

    def key(self, event: Event) -> str | None:
        """The Redis key of `event`, or None when nothing identifies it."""
        key = dedupe_key(event)
        return None if key is None else self.prefix + _text(key)

    async def fresh(self, events: Iterable[Event]) -> list[Event]:
        """The events no process accepted before, in order; claims them (one round trip)."""
        events = list(events)
        keys = [self.key(e) for e in events]
        claimed: list[object] = []
        if any(k is not None for k in keys):
            async with self.redis.pipeline(transaction=False) as pipe:
                for k in keys:
                    if k is not None:
                        pipe.set(k, b"1", nx=True, ex=self.ttl)
                claimed = await pipe.execute()
        won = iter(claimed)
        return [e for e, k in zip(events, keys, strict=True) if k is None or next(won)]


def _text(key: Hashable) -> str:
    if isinstance(key, str):
        return key
    return _encode(key).decode()
