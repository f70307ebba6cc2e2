"""Signed webhooks in Meta's envelope: status updates of accepted messages, and the posting of every webhook.

Status webhooks name the user as Meta does since April 2026: the phone number the message went to
(`recipient_id`), the user's BSUID (`recipient_user_id`, not on a failed message sent to a phone) and, on
`sent`/`delivered`/`read`, a `contacts` entry (a username only from `delivered` on). A message sent to a BSUID
(`recipient`) has `recipient_id` only when the user's phone is known.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import time
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

import aiohttp
import msgspec

from ._inbound import Users, bsuid_for
from ._records import Accepted, Stats

__all__ = ["WebhookSender", "deliver", "sign"]

_ENCODE = msgspec.json.Encoder().encode
_HREF = "/documentation/business-messaging/whatsapp/support/error-codes"


def sign(body: bytes, app_secret: str) -> str:
    """The ``X-Hub-Signature-256`` value: ``sha256=`` and the hex HMAC-SHA256 of the raw body ."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


async def deliver(session: aiohttp.ClientSession, url: str, payload: dict[str, Any], app_secret: str | None) -> int:
    """Post one webhook body to ``url``, signed when ``app_secret`` is given; return the HTTP status.

    Raises:
        aiohttp.ClientError: The request failed (so may ``TimeoutError`` and ``OSError``).
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

    __slots__ = (
        "_session",
        "_tasks",
        "app_secret",
        "display_phone_number",
        "stats",
        "url",
        "users",
        "waba_id",
        "wall",
    )

    def __init__(
        self,
        url: str,
        app_secret: str | None,
        *,
        waba_id: str,
        display_phone_number: str,
        stats: Stats,
        users: Users | None = None,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.url = url
        self.app_secret = app_secret
        self.waba_id = waba_id
        self.display_phone_number = display_phone_number
        self.stats = stats
        self.users = users if users is not None else Users()
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
            ok = 200 <= await deliver(self._session, self.url, payload, self.app_secret) < 300
        except (TimeoutError, aiohttp.ClientError, OSError):
            ok = False
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

    def spawn(self, post: Coroutine[Any, Any, object]) -> None:
        """Run ``post`` (a delivery) in a task this sender owns and awaits on close."""
        task = asyncio.create_task(_quietly(post))
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
            await self.post(self.status_payload(msg, status, failed_code=failed_code, category=category))

    def status_payload(
        self, msg: Accepted, status: str, *, failed_code: int | None = None, category: str | None = None
    ) -> dict[str, Any]:
        """The whole webhook body of one status of ``msg``."""
        item, contacts = self._status(msg, status, failed_code, category)
        value: dict[str, Any] = {"contacts": contacts, "statuses": [item]} if contacts else {"statuses": [item]}
        return self.envelope(msg.phone_number_id, value)

    def _status(
        self, msg: Accepted, status: str, failed_code: int | None, category: str | None
    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        item: dict[str, Any] = {"id": msg.wamid, "status": status, "timestamp": str(int(self.wall()))}
        recipient = msg.payload.get("recipient")
        to_phone = "to" in msg.payload or not isinstance(recipient, str)
        user = self.users.find(msg.wa_id if to_phone else recipient)
        if msg.payload.get("recipient_type") == "group":  # the group's id; members are not modelled here
            item |= {"recipient_id": msg.payload.get("to", msg.wa_id), "recipient_type": "group"}
            user = None
        elif to_phone:
            item["recipient_id"] = msg.wa_id
            if status != "failed":  # a failed message sent to a phone carries no BSUID
                item["recipient_user_id"] = user.user_id if user is not None else bsuid_for(msg.wa_id)
        else:
            if user is not None and user.phone is not None:
                item["recipient_id"] = user.phone
            item["recipient_user_id"] = recipient
        if user is not None and user.parent_user_id is not None:
            item["recipient_parent_user_id"] = user.parent_user_id
        callback = msg.payload.get("biz_opaque_callback_data")
        if callback is not None:
            item["biz_opaque_callback_data"] = callback
        if status in ("sent", "delivered"):  # pricing rides on sent and one later status (docs/limits.md)
            item["pricing"] = {
                "billable": True,
                "pricing_model": "PMP",
                "type": "regular" if category else "free_customer_service",
                "category": category or "service",
            }
        if failed_code is not None:
            title = "Message undeliverable." if failed_code == 131026 else "Message failed to send."
            item["errors"] = [{
                "code": failed_code,
                "title": title,
                "message": title,
                "error_data": {"details": "The message could not be delivered to the recipient."},
                "href": _HREF,
            }]  # fmt: skip
        contacts: list[dict[str, Any]] = []
        if (
            status != "failed" and "recipient_user_id" in item
        ):  # Meta adds contacts to sent, delivered and read, the username from delivered on
            if user is not None:
                contacts = [user.contact(username=status != "sent")]
            else:
                contacts = [{"wa_id": msg.wa_id, "user_id": item["recipient_user_id"]}]
        return item, contacts

    def envelope(self, phone_number_id: str, value: dict[str, Any]) -> dict[str, Any]:
        """Wrap ``value`` (``statuses``/``messages``/``contacts``) in Meta's webhook envelope of field ``messages``."""
        metadata = {"display_phone_number": self.display_phone_number, "phone_number_id": phone_number_id}
        return {
            "object": "whatsapp_business_account",
            "entry": [{
                "id": self.waba_id,
                "changes": [{"value": {"messaging_product": "whatsapp", "metadata": metadata, **value},
                             "field": "messages"}],
            }],
        }  # fmt: skip

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


async def _quietly(post: Coroutine[Any, Any, object]) -> None:
    await post  # a delivery's failures are counted by the sender; its answer is not needed here
