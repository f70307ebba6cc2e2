"""A rate limit shared by every process and host: [`RedisLimiter`][wa_async.RedisLimiter].

The decision is made on the Redis server by one Lua script, on Redis's own clock (``TIME``), so neither the
clocks of the hosts nor the order in which their requests arrive matter. The script implements GCRA in its
"schedule" form: each ``acquire()`` reserves the next free slot, ``SPACING_GUARD / rate`` after the previous
one, and returns how long to wait for it. The caller sleeps exactly that long, once: one round trip per acquire,
no polling and no thundering herd however many processes wait.

redis-py is an optional dependency (``pip install 'wa-async[redis]'``); this module imports it only when a
limiter is built.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ._errors import WhatsAppError
from ._limiter import LATENESS_HALF_LIFE, SPACING_GUARD, Lateness, Limiter

if TYPE_CHECKING:
    from redis.asyncio import Redis
    from redis.commands.core import AsyncScript

__all__ = ["LimiterUnavailable", "RedisLimiter"]

logger = logging.getLogger("wa_async.limiter")

# A reservation further ahead than this is confirmed (one more round trip) when its slot comes, so a pause set
# meanwhile by another process is honoured; nearer slots go ahead, as a request already in flight would.
RECHECK_AFTER = 0.25

# KEYS[1]: a hash holding `tat` (the GCRA theoretical arrival time), `pause` (pause-until) and `late`/`late_at` (the
# largest lateness reported lately, and when), in microseconds of server time. ARGV[1]: op, ARGV[2]: the time to use
# (0: the server's own, TIME). The reply is {microseconds (to wait, or of pause left), the time used}.
_SCRIPT = """
local now = tonumber(ARGV[2])
if now == 0 then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000000 + tonumber(t[2])
end
local state = redis.call('HMGET', KEYS[1], 'tat', 'pause', 'late', 'late_at')
local tat = tonumber(state[1]) or 0
local pause = tonumber(state[2]) or 0
local late = tonumber(state[3]) or 0
local late_at = tonumber(state[4]) or now
local op = ARGV[1]
local reply
if op == 'acquire' then
  -- ARGV[3]: emission interval, ARGV[4]: burst tolerance (burst - 1 intervals), ARGV[5]: how late this process's
  -- requests lately left after their slots, all in microseconds; ARGV[6]: the rate, ARGV[7]: the lateness half-life.
  if late > 0 then
    late = late * 0.5 ^ ((now - late_at) / tonumber(ARGV[7]))
  end
  local reported = tonumber(ARGV[5])
  if reported > late then
    late = reported
    late_at = now
    redis.call('HSET', KEYS[1], 'late', string.format('%.0f', late), 'late_at', string.format('%.0f', late_at))
  end
  local slot = math.max(now, pause, tat - tonumber(ARGV[4]))
  tat = math.max(tat, slot) + tonumber(ARGV[3]) + late / tonumber(ARGV[6])
  redis.call('HSET', KEYS[1], 'tat', string.format('%.0f', tat))
  reply = slot - now
elseif op == 'pause' then
  -- ARGV[3]: the pause in microseconds; a longer pause already set is kept.
  pause = math.max(pause, now + tonumber(ARGV[3]))
  redis.call('HSET', KEYS[1], 'pause', string.format('%.0f', pause))
  reply = pause - now
else
  -- op == 'check': what is left of the pause.
  return {math.max(0, pause - now), now}
end
-- Let the key expire a second after its state stops mattering (the lateness is forgotten with it).
local ttl = math.ceil((math.max(tat, pause) - now) / 1000) + 1000
redis.call('PEXPIRE', KEYS[1], string.format('%.0f', ttl))
return {reply, now}
"""

class LimiterUnavailable(WhatsAppError):
    """The shared limiter's Redis could not be reached or answered with an error, and there is no fallback.

    Nothing was sent: a shared limit that cannot be checked is never treated as no limit.
    """


class RedisLimiter:
    """``rate`` requests per second shared by every process and host that uses the same Redis ``key``.

    With the default ``burst=1`` requests from all of them together are spaced ``1.0075 / rate`` apart, so no
    sliding 1-second window sees more than ``rate``, exactly like [`LocalLimiter`][wa_async.LocalLimiter] in one
    process. ``pause(seconds)`` (the server said to slow down) holds back every process.

    ```python
    r = redis.asyncio.Redis.from_url("redis://cache:6379/0")
    limiter = wa.RedisLimiter(r, "wa:106540352242922", rate=10)
    client = wa.Client.maton(pnid, limiter=limiter)
    ```

    If Redis is unreachable, ``acquire()`` raises [`LimiterUnavailable`][wa_async.LimiterUnavailable]; with
    ``fallback=`` (say ``wa.LocalLimiter(10 / processes)``) it logs one warning, uses the fallback, and tries
    Redis again every ``probe_interval`` seconds. ``timeout`` bounds each Redis call, retries included. The
    limiter does not own ``redis``: close it yourself.

    Requests that leave late after their slots (a process still opening its connection, a busy event loop) are
    reported by the client ([`departed`][wa_async.RedisLimiter.departed]); the largest lateness any process
    reported lately widens everyone's spacing, so the server's sliding window never sees more than ``rate``. Each
    process holds at most one reservation at a time, so that a widening applies to every slot handed out after
    it. ``clock`` (tests only) runs the shared schedule on the caller's clock instead of Redis's.
    """

    __slots__ = (
        "_clock",
        "_errors",
        "_fallback_since",
        "_interval_us",
        "_late",
        "_paused_at",
        "_paused_until",
        "_reserving",
        "_script",
        "_tolerance_us",
        "burst",
        "fallback",
        "key",
        "probe_interval",
        "rate",
        "redis",
        "timeout",
        "url",
    )

    def __init__(
        self,
        redis: Redis,
        key: str,
        rate: float,
        burst: int = 1,
        *,
        fallback: Limiter | None = None,
        timeout: float = 3.0,
        probe_interval: float = 5.0,
        clock: Callable[[], float] | None = None,
    ) -> None:
        if rate <= 0:
            raise ValueError(f"rate must be > 0, got {rate!r}")
        if burst < 1:
            raise ValueError(f"burst must be >= 1, got {burst!r}")
        if not key:
            raise ValueError("key must not be empty")
        from redis.exceptions import RedisError  # the optional extra, imported only when used

        self.redis = redis
        self.key = key
        self.rate = float(rate)
        self.burst = int(burst)
        self.fallback = fallback
        self.timeout = float(timeout)
        self.probe_interval = float(probe_interval)
        self.url = _describe(redis)
        self._errors: tuple[type[BaseException], ...] = (RedisError, OSError, TimeoutError)
        self._script: AsyncScript = redis.register_script(_SCRIPT)
        # Whole microseconds, rounded up so that rounding can only widen the spacing.
        self._interval_us = math.ceil(SPACING_GUARD * 1e6 / self.rate)
        self._tolerance_us = (self.burst - 1) * self._interval_us
        # This process's own view of the pause (loop clock): lets its sleepers skip the confirming round trip.
        self._paused_at = float("-inf")
        self._paused_until = 0.0
        self._fallback_since: float | None = None  # loop time Redis last failed while on the fallback
        # How late this process's requests lately left after their slots: reported with each reservation, so that
        # every process spaces its slots by the largest lateness any of them saw.
        self._late = Lateness()
        # One reservation at a time per process: a slot is reserved only once the previous one was granted, so no
        # process holds slots far ahead that a lateness reported meanwhile could not widen.
        self._reserving: asyncio.Lock | None = None
        # Tests may run the shared schedule on a virtual clock (seconds); by default it is Redis's own TIME.
        self._clock = clock

    async def acquire(self) -> None:
        """Reserve the next shared slot and sleep until it; re-reserve if a pause began meanwhile.

        Raises:
            LimiterUnavailable: Redis failed and there is no fallback.
        """
        loop = asyncio.get_running_loop()
        if self.fallback is not None and self._on_fallback(loop):
            await self.fallback.acquire()
            return
        # This process's own pause holds even if recording it in Redis failed.
        while (delay := self._paused_until - loop.time()) > 0:  # noqa: ASYNC110 (a pause may be extended)
            await asyncio.sleep(delay)
        if self._reserving is None:
            self._reserving = asyncio.Lock()
        async with self._reserving:
            while True:
                try:
                    reserved_at = loop.time()  # before the call: a pause racing with it counts as "meanwhile"
                    late_us = round(self._late.bound(reserved_at) * 1e6)
                    wait = await self._call(
                        "acquire", self._interval_us, self._tolerance_us, late_us, self.rate, self._half_life_us
                    ) / 1e6
                    if wait <= 0:
                        break
                    await asyncio.sleep(wait)
                    if self._paused_at >= reserved_at:
                        continue  # this process paused while we slept: our slot may fall inside the pause
                    if wait <= RECHECK_AFTER or await self._call("check") <= 0:
                        break
                except self._errors as e:
                    if self.fallback is None:
                        raise LimiterUnavailable(self._describe_failure(e)) from e
                    self._fall_back(e)
                    await self.fallback.acquire()
                    return
        if self._fallback_since is not None:
            self._fallback_since = None
            logger.info("rate limiter %r: Redis at %s is reachable again; using it", self.key, self.url)

    _half_life_us = round(LATENESS_HALF_LIFE * 1e6)

    def departed(self, lateness: float) -> None:
        """Learn that the request granted ``lateness`` seconds ago has only now left; every process sharing the key
        widens its spacing by the largest such lateness any of them reports."""
        if lateness > 0:
            self._late.observe(lateness, asyncio.get_running_loop().time())
        if self.fallback is not None:
            departed = getattr(self.fallback, "departed", None)
            if departed is not None:
                departed(lateness)

    async def pause(self, seconds: float) -> None:
        """Hold back every ``acquire()`` of every process sharing the key for ``seconds`` from now.

        A longer pause already set is kept. The fallback, if any, is paused too. If Redis fails this logs a
        warning instead of raising (the pause still holds in this process; the next ``acquire()`` reports).
        """
        if seconds <= 0:
            return
        loop = asyncio.get_running_loop()
        self._paused_at = loop.time()
        self._paused_until = max(self._paused_until, self._paused_at + seconds)
        if self.fallback is not None:
            await self.fallback.pause(seconds)
            if self._on_fallback(loop):
                return
        try:
            await self._call("pause", round(seconds * 1e6))
        except self._errors as e:
            if self.fallback is None:
                logger.warning("%s; the pause holds in this process only", self._describe_failure(e))
            else:
                self._fall_back(e)

    @property
    def paused_for(self) -> float:
        """Seconds left of the last pause this process set (another process's pause is known only to Redis)."""
        try:
            now = asyncio.get_running_loop().time()
        except RuntimeError:
            return 0.0
        return max(0.0, self._paused_until - now)

    async def _call(self, op: str, *args: float) -> int:
        now_us = round(self._clock() * 1e6) if self._clock is not None else 0
        async with asyncio.timeout(self.timeout):
            reply = await self._script(keys=[self.key], args=[op, now_us, *args])
        return int(reply[0])

    def _on_fallback(self, loop: asyncio.AbstractEventLoop) -> bool:
        """Redis failed less than ``probe_interval`` ago: do not try it yet."""
        return self._fallback_since is not None and loop.time() - self._fallback_since < self.probe_interval

    def _describe_failure(self, error: BaseException) -> str:
        return f"rate limiter {self.key!r} cannot use Redis at {self.url}: {type(error).__name__}: {error}"

    def _fall_back(self, error: BaseException) -> None:
        if self._fallback_since is None:
            logger.warning(
                "%s; using the fallback %r and retrying Redis every %gs",
                self._describe_failure(error), self.fallback, self.probe_interval,
            )  # fmt: skip
        self._fallback_since = asyncio.get_running_loop().time()

    def __repr__(self) -> str:
        state = "fallback" if self._fallback_since is not None else "redis"
        return (
            f"<RedisLimiter key={self.key!r} rate={self.rate} burst={self.burst} redis={self.url} "
            f"using={state} paused_for={self.paused_for:.3f}s>"
        )


def _describe(redis: Any) -> str:
    """The Redis URL without credentials, for messages."""
    try:
        kwargs = redis.connection_pool.connection_kwargs
    except AttributeError:
        return repr(redis)
    db = kwargs.get("db", 0)
    if path := kwargs.get("path"):
        return f"unix://{path}?db={db}"
    scheme = "rediss" if "SSL" in redis.connection_pool.connection_class.__name__ else "redis"
    return f"{scheme}://{kwargs.get('host', 'localhost')}:{kwargs.get('port', 6379)}/{db}"
