"""The opt-out store in Redis: the set ``{key}`` of opted-out users and the hash ``{key}:at`` of when each user last
changed, updated together by one script so that a later change always wins. Needs redis-py (``wa-async[redis]``),
imported only when this store is used."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["RedisOptOuts"]

# KEYS: the set, the hash. ARGV: "stop" or "resume", the change's time, then the users. Returns how many changed.
_SET = """
local changed = 0
local at = tonumber(ARGV[2])
for i = 3, #ARGV do
  local user = ARGV[i]
  local before = tonumber(redis.call('HGET', KEYS[2], user) or '-1')
  if at >= before then
    redis.call('HSET', KEYS[2], user, ARGV[2])
    if ARGV[1] == 'stop' then
      changed = changed + redis.call('SADD', KEYS[1], user)
    else
      changed = changed + redis.call('SREM', KEYS[1], user)
    end
  end
end
return changed
"""


class RedisOptOuts:
    """The Redis backend of [`OptOuts`][wa_async.OptOuts]."""

    __slots__ = ("_at", "_key", "_redis", "_script")

    def __init__(self, redis: Any, key: str) -> None:
        self._redis = redis
        # One hash tag, so that both keys live on one slot of a Redis Cluster.
        self._key = f"{{{key}}}"
        self._at = f"{{{key}}}:at"
        self._script = redis.register_script(_SET)

    def __repr__(self) -> str:
        return f"<RedisOptOuts {self._key}>"

    async def change(self, state: str, users: Sequence[str], at: float, source: str) -> int:
        """Record ``state`` for the users unless a later change is recorded; how many changed state."""
        if not users:
            return 0
        return int(await self._script(keys=[self._key, self._at], args=[state, repr(float(at)), *users]))

    async def which(self, users: Sequence[str]) -> set[str]:
        """The opted-out users among ``users``."""
        if not users:
            return set()
        async with self._redis.pipeline(transaction=False) as pipe:
            for user in users:
                pipe.sismember(self._key, user)
            flags = await pipe.execute()
        return {user for user, flag in zip(users, flags, strict=True) if flag}

    async def count(self) -> int:
        """How many users are opted out."""
        return int(await self._redis.scard(self._key))

    async def close(self) -> None:
        """Nothing to release: the caller owns the Redis client."""
