"""What every ``wa-async`` command shares: the target flags, building a client from them, one-line errors."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Awaitable, Callable
from typing import Any

from .._client import Client
from .._errors import ApiError, ValidationError, WhatsAppError, describe_code
from .._options import DEFAULT_API_VERSION

__all__ = [
    "EXIT_ERROR",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_USAGE",
    "UsageError",
    "add_target_arguments",
    "client_from_args",
    "describe_error",
    "fail",
    "run_async",
    "target_env",
]

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


class UsageError(Exception):
    """A mistake in the command line or the environment: one line, exit 2."""


def add_target_arguments(p: argparse.ArgumentParser) -> None:
    """The flags that say where to send: they default to the environment variables API.md names."""
    g = p.add_argument_group("target (flags or environment)")
    g.add_argument("--phone-number-id", metavar="ID", help="the sending number's id (env WA_PHONE_NUMBER_ID)")
    g.add_argument("--waba-id", metavar="ID", help="the WhatsApp Business Account id (env WA_WABA_ID)")
    g.add_argument("--api-key", metavar="KEY", help="Maton API key (env MATON_API_KEY)")
    g.add_argument("--connection-id", metavar="ID",
                   help="Maton connection id, sent as Maton-Connection (env MATON_CONNECTION_ID)")  # fmt: skip
    g.add_argument("--access-token", metavar="TOKEN", help="Graph API access token (env WA_ACCESS_TOKEN): "
                   "send straight to Meta instead of through Maton")  # fmt: skip
    g.add_argument("--base-url", metavar="URL", help="override the base URL, e.g. an emulator (env WA_BASE_URL)")
    g.add_argument("--api-version", metavar="V",
                   help=f"Graph API version (env WA_API_VERSION; default {DEFAULT_API_VERSION})")  # fmt: skip


def target_env(args: argparse.Namespace, *, need_phone: bool = True) -> dict[str, str]:
    """The environment with the target flags laid over it, checked.

    Args:
        args: The parsed command line, with the target flags.
        need_phone: Whether the command needs a phone number id (else ``WA_PHONE_NUMBER_ID`` becomes ``-``).

    Returns:
        The environment, as [`Client.from_env`][wa_async.Client.from_env] reads it.

    Raises:
        UsageError: The phone number id (if needed) or the credentials are missing.
    """
    env = dict(os.environ)
    for flag, name in _FLAG_ENV:
        value = getattr(args, flag, None)
        if value:
            env[name] = value
    if not env.get("WA_PHONE_NUMBER_ID"):
        if need_phone:
            raise UsageError("no phone number id: pass --phone-number-id or set WA_PHONE_NUMBER_ID")
        env["WA_PHONE_NUMBER_ID"] = "-"
    if not env.get("WA_ACCESS_TOKEN") and not env.get("MATON_API_KEY"):
        raise UsageError("no credentials: set MATON_API_KEY (or --api-key), or WA_ACCESS_TOKEN for the Graph API")
    return env


def client_from_args(args: argparse.Namespace, *, need_phone: bool = True, **options: Any) -> Client:
    """A client from the flags, falling back on the environment.

    The environment is read as [`Client.from_env`][wa_async.Client.from_env] reads it: a Graph client when an
    access token is given, else a Maton client.

    Args:
        args: The parsed command line, with the target flags.
        need_phone: Whether the command needs a phone number id.
        **options: Passed on to the client, as [`ClientOptions`][wa_async.ClientOptions].

    Raises:
        UsageError: The phone number id (if needed) or the credentials are missing.
    """
    return Client.from_env(environ=target_env(args, need_phone=need_phone), **options)


# Each target flag and the environment variable it overrides.
_FLAG_ENV = (
    ("phone_number_id", "WA_PHONE_NUMBER_ID"),
    ("waba_id", "WA_WABA_ID"),
    ("base_url", "WA_BASE_URL"),
    ("api_version", "WA_API_VERSION"),
    ("access_token", "WA_ACCESS_TOKEN"),
    ("api_key", "MATON_API_KEY"),
    ("connection_id", "MATON_CONNECTION_ID"),
)


def describe_error(error: BaseException) -> str:
    """One line for a user: what failed and, for an API error, the Graph code and its meaning."""
    if isinstance(error, ApiError):
        meaning = describe_code(error.code)
        code = f"code {error.code}" + (f" ({meaning})" if meaning else "") if error.code is not None else ""
        parts = [f"{type(error).__name__}: HTTP {error.http_status}", code, error.message]
        if error.details and error.details not in error.message:
            parts.append(error.details)
        return ": ".join(p for p in parts if p)
    return f"{type(error).__name__}: {error}"


def fail(message: str, code: int = EXIT_ERROR) -> int:
    """Print ``wa-async: error: message`` on stderr and return ``code``."""
    print(f"wa-async: error: {message}", file=sys.stderr)
    return code


def run_async(main: Callable[[], Awaitable[int]]) -> int:
    """Run a command's coroutine; user mistakes and API errors become one line, never a traceback."""
    try:
        return asyncio.run(_call(main))
    except KeyboardInterrupt:
        return fail("interrupted", EXIT_INTERRUPTED)
    except UsageError as e:
        return fail(str(e), EXIT_USAGE)
    except ValidationError as e:
        return fail(f"invalid input: {e}", EXIT_USAGE)
    except (WhatsAppError, OSError) as e:
        return fail(describe_error(e))


async def _call(main: Callable[[], Awaitable[int]]) -> int:
    return await main()
