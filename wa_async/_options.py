"""The client's options, as one typed dictionary shared by every constructor, and the API version constant."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Literal, TypedDict

if TYPE_CHECKING:
    import aiohttp

    from ._conversations import WindowStore
    from ._limiter import Limiter
    from ._retry import RetryPolicy
    from ._transport import Transport

__all__ = ["DEFAULT_API_VERSION", "GRAPH_BASE_URL", "GRAPH_RATE", "MATON_BASE_URL", "MATON_RATE", "ClientOptions"]

DEFAULT_API_VERSION = "v25.0"
"""The Graph API version requests use unless ``api_version=`` pins another. v25.0 (released 2026-02-18) works
until 2028-07-29: Meta keeps each version for two years after the next one is released."""

MATON_BASE_URL = "https://gateway.maton.ai/whatsapp-business"
GRAPH_BASE_URL = "https://graph.facebook.com"
# Maton's gateway allows 10 requests/second per account; Cloud API numbers start at 80 messages/second.
MATON_RATE = 10.0
GRAPH_RATE = 80.0


class ClientOptions(TypedDict, total=False):
    """The keyword options every client constructor takes (see [`Client`][wa_async.Client])."""

    waba_id: str | None
    api_version: str
    base_url: str
    rate_limit: float | Literal["auto"] | None
    burst: int
    limiter: Limiter | None
    queue_size: int
    workers: int | None
    retry: RetryPolicy | None
    timeout: float | None
    session: aiohttp.ClientSession | None
    transport: Transport | None
    windows: bool | Literal["auto"]
    window_store: WindowStore | None
    sleep: Callable[[float], Awaitable[None]]
    clock: Callable[[], float] | None
