"""Signed webhooks in Meta's envelope (docs/limits.md): status updates and inbound messages."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import time
from collections.abc import Callable, Sequence
from typing import Any

import aiohttp
import msgspec

from ._inbound import status_item
from ._records import Accepted, Stats

__all__ = ["WebhookSender", "deliver", "envelope", "sign"]

_ENCODE = msgspec.json.Encoder().encode


def sign(body: bytes, app_secret: str) -> str:
    """The ``X-Hub-Signature-256`` value: ``sha256=`` and the hex HMAC-SHA256 of the raw body (docs/limits.md)."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def envelope(waba_id: str, display_phone_number: str, phone_number_id: str, value: dict[str, Any]) -> dict[str, Any]:
    """Wrap ``value`` (``statuses``, or ``contacts`` and ``messages``) in Meta's webhook envelope."""
    metadata = {"display_phone_number": display_phone_number, "phone_number_id": phone_number_id}
    return {
        "object": "whatsapp_business_account",
        "entry": [{
            "id": waba_id,
            "changes": [{"value": {"messaging_product": "whatsapp", "metadata": metadata, **value},
                         "field": "messages"}],
        }],
    }  # fmt: skip


async def deliver(session: aiohttp.ClientSession, url: str, payload: dict[str, Any], app_secret: str | None) -> int:
    """Post one webhook body to ``url``, signed when ``app_secret`` is given; return the HTTP status.

    Raises:
        aiohttp.ClientError: The request failed (as do ``TimeoutError`` and ``OSError``).
    """
    body = _ENCODE(payload)
    headers = {"Content-Type": "application/json"}
    if app_secret is not None:
        headers["X-Hub-Signature-256"] = sign(body, app_secret)
    async with session.post(url, data=body, headers=headers) as resp:
        await resp.read()
        return resp.status


class WebhookSender:
    """Posts webhooks to one URL from tasks it owns; failures are counted in ``stats``, never raised."""

    __slots__ = ("_session", "_tasks", "app_secret", "display_phone_number", "stats", "url", "waba_id", "wall")

    def __init__(
        self,
        url: str,
        app_secret: str | None,
        *,
        waba_id: str,
        display_phone_number: str,
        stats: Stats,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.url = url
        self.app_secret = app_secret
        self.waba_id = waba_id
        self.display_phone_number = display_phone_number
        self.stats = stats
        self.wall = wall
        self._session: aiohttp.ClientSession | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    def __repr__(self) -> str:
        return f"<WebhookSender url={self.url!r} pending={len(self._tasks)}>"

    @property
    def pending(self) -> int:
        """Scheduled webhook tasks not yet finished."""
        return len(self._tasks)

    async def post(self, payload: dict[str, Any]) -> bool:
        """Post one webhook body; True on a 2xx answer."""
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        try:
            status = await deliver(self._session, self.url, payload, self.app_secret)
        except (TimeoutError, aiohttp.ClientError, OSError):
            status = 0
        ok = 200 <= status < 300
        if ok:
            self.stats.webhooks_sent += 1
        else:
            self.stats.webhook_errors += 1
        return ok

    def schedule_statuses(
        self, msg: Accepted, delays: Sequence[float], *, failed_code: int | None, category: str | None
    ) -> None:
        """Post ``sent``, ``delivered``, ``read`` (or one ``failed``) for ``msg`` after ``delays`` seconds."""
        if failed_code is not None:
            steps = [("failed", delays[0])]
        elif msg.type == "reaction":  # Meta: only a `sent` status follows a reaction (docs/limits.md)
            steps = [("sent", delays[0])]
        else:
            steps = list(zip(("sent", "delivered", "read"), delays, strict=False))
        task = asyncio.create_task(self._statuses(msg, steps, failed_code, category))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _statuses(
        self, msg: Accepted, steps: list[tuple[str, float]], failed_code: int | None, category: str | None
    ) -> None:
        waited = 0.0
        for status, at in steps:
            if at > waited:
                await asyncio.sleep(at - waited)
                waited = at
            item = self._status(msg, status, failed_code, category)
            await self.post(self.envelope(msg.phone_number_id, {"statuses": [item]}))

    def _status(self, msg: Accepted, status: str, failed_code: int | None, category: str | None) -> dict[str, Any]:
        return status_item(
            wamid=msg.wamid,
            status=status,
            recipient_id=msg.wa_id,
            timestamp=str(int(self.wall())),
            callback_data=msg.payload.get("biz_opaque_callback_data"),
            category=category,
            failed_code=failed_code,
        )

    def envelope(self, phone_number_id: str, value: dict[str, Any]) -> dict[str, Any]:
        """Wrap ``value`` (``statuses``/``messages``/``contacts``) in Meta's webhook envelope."""
        return envelope(self.waba_id, self.display_phone_number, phone_number_id, value)

    async def drain(self) -> None:
        """Wait until every scheduled webhook has been posted."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def close(self) -> None:
        """Cancel what is still scheduled and close the HTTP session."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        if self._session is not None:
            await self._session.close()
            self._session = None
