"""Raw HTTP against the emulator, for the management-area tests."""

from __future__ import annotations

from typing import Any

import aiohttp

AUTH = {"Authorization": "Bearer test-key"}


async def call(
    http: aiohttp.ClientSession, method: str, url: str, *, headers: dict[str, str] | None = None, **kwargs: Any
) -> tuple[int, Any]:
    """One request; the status and the decoded JSON body."""
    async with http.request(method, url, headers=AUTH if headers is None else headers, **kwargs) as resp:
        return resp.status, await resp.json(content_type=None)


def code(body: Any) -> int:
    """The Graph error code of an error body."""
    return int(body["error"]["code"])
