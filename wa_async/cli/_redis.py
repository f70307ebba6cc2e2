"""``--redis-url`` and ``--redis-key``: one account's rate limit shared by every process that names the same Redis.

Several ``wa-async broadcast`` processes for one account each keep to ``--rate`` on their own; with
``--redis-url`` they keep to it together (a :class:`~wa_async.RedisLimiter`). Redis is checked once before
anything is sent, so a missing package or an unreachable server is one clear line, not a failed row per message.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

from .._limiter import Limiter
from .._redis_limiter import LimiterUnavailable

__all__ = ["CONNECT_TIMEOUT", "RedisOptionError", "add_redis_arguments", "default_key", "redis_limiter"]

CONNECT_TIMEOUT = 3.0


class RedisOptionError(Exception):
    """``--redis-url`` cannot be used as given (redis-py missing, a malformed URL): a usage error, exit 2."""


def add_redis_arguments(p: argparse.ArgumentParser) -> None:
    """Add ``--redis-url`` and ``--redis-key``."""
    p.add_argument("--redis-url", metavar="URL",
                   help="share the rate limit with every process using this Redis, e.g. redis://localhost:6379/0 "
                        "(needs pip install 'wa-async[redis]')")  # fmt: skip
    p.add_argument("--redis-key", metavar="KEY",
                   help="the shared limit's key in Redis (default wa-async:<phone_number_id>)")


def default_key(phone_number_id: str) -> str:
    """The Redis key every process sending for this number shares unless ``--redis-key`` says otherwise."""
    return f"wa-async:{phone_number_id}"


@contextlib.asynccontextmanager
async def redis_limiter(url: str, key: str, rate: float) -> AsyncIterator[Limiter]:
    """A :class:`~wa_async.RedisLimiter` on ``url``, once Redis answered a PING; closes the connection after.

    Raises :class:`RedisOptionError` when redis-py is missing or the URL is malformed, and
    :class:`~wa_async.LimiterUnavailable` when Redis cannot be reached.
    """
    try:
        import redis.asyncio as aioredis
        from redis.exceptions import RedisError
    except ImportError:
        raise RedisOptionError("--redis-url needs redis-py: pip install 'wa-async[redis]'") from None
    from .._redis_limiter import RedisLimiter

    try:
        client = aioredis.Redis.from_url(url, socket_connect_timeout=CONNECT_TIMEOUT, socket_timeout=CONNECT_TIMEOUT)
    except ValueError as e:
        raise RedisOptionError(f"--redis-url {_redact(url)!r}: {e}") from None
    try:
        try:
            async with asyncio.timeout(CONNECT_TIMEOUT):
                await client.ping()
        except (RedisError, OSError, TimeoutError) as e:
            detail = str(e) or type(e).__name__
            raise LimiterUnavailable(f"cannot reach Redis at {_redact(url)}: {detail}; nothing was sent") from None
        yield RedisLimiter(client, key, rate)
    finally:
        await client.aclose()


def _redact(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        parts = urlsplit(url)
        if parts.password is None:
            return url
        host = parts.netloc.rpartition("@")[2]
        return parts._replace(netloc=f"{parts.username or ''}:***@{host}").geturl()
    except ValueError:
        return "the given URL"
