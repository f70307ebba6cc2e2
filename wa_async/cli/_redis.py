"""``--redis-url`` and ``--redis-key``: one account's rate limit shared by every process that names the same Redis.

Several ``wa-async broadcast`` processes for one account each keep to ``--rate`` on their own; with
``--redis-url`` they keep to it together (a [`RedisLimiter`][wa_async.RedisLimiter]). Redis is checked once before
anything is sent, so a missing package or an unreachable server is one clear line, not a failed row per message.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from collections.abc import AsyncIterator
from urllib.parse import parse_qsl, unquote, urlsplit

from .._limiter import Limiter
from .._redis_limiter import LimiterUnavailable

__all__ = ["CONNECT_TIMEOUT", "RedisOptionError", "add_redis_arguments", "default_key", "redact", "redis_limiter"]

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
    """A [`RedisLimiter`][wa_async.RedisLimiter] on ``url``, once Redis answered a PING; closes the connection
    after.

    Args:
        url: The Redis URL (``redis://host:6379/0``).
        key: The shared limit's key in Redis.
        rate: Requests per second, for every process that shares ``key``.

    Raises:
        RedisOptionError: redis-py is missing or the URL is malformed.
        LimiterUnavailable: Redis cannot be reached.
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
        raise RedisOptionError(redact(f"--redis-url {url!r}: {e}", url)) from None
    try:
        try:
            async with asyncio.timeout(CONNECT_TIMEOUT):
                await client.ping()
        except (RedisError, OSError, TimeoutError) as e:
            detail = str(e) or type(e).__name__
            raise LimiterUnavailable(redact(f"cannot reach Redis at {url}: {detail}; nothing was sent", url)) from None
        yield RedisLimiter(client, key, rate)
    finally:
        await client.aclose()


def redact(text: str, url: str | None) -> str:
    """``text`` with the password of the Redis ``url`` (``redis://:secret@host`` or ``?password=secret``) and the
    URL's user info masked wherever they appear, for every error and log line."""
    if not url:
        return text
    for secret in sorted(_secrets(url), key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


def _secrets(url: str) -> set[str]:
    """The password-like parts of a Redis URL, as written and decoded."""
    found: set[str] = set()
    try:
        parts = urlsplit(url)
        netloc_password = parts.netloc.rpartition("@")[0].partition(":")[2] if "@" in parts.netloc else ""
        values = [netloc_password] + [v for k, v in parse_qsl(parts.query, keep_blank_values=True)
                                      if k.lower() in ("password", "pass", "passwd", "pwd")]  # fmt: skip
    except ValueError:  # a URL urllib cannot even split: hide everything after the scheme
        return {url.partition("://")[2]} - {""}
    for value in values:
        if value:
            found |= {value, unquote(value)}
    # The raw query value (before parse_qsl decodes '+' and '%xx') as it appears in the URL itself.
    for piece in url.replace("&", "?").split("?")[1:]:
        name, _, value = piece.partition("=")
        if name.lower() in ("password", "pass", "passwd", "pwd") and value:
            found.add(value.split("#")[0])
    return found - {""}
