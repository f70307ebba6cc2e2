"""Inbound webhooks in Meta's shape: what a user sends the business, and status updates.

The shapes follow Meta's webhook reference and example payloads
(https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/payload-examples).
"""

from __future__ import annotations

from typing import Any

__all__ = ["MEDIA_KINDS", "STATUSES", "inbound_message", "message_content", "status_item"]

MEDIA_KINDS = ("image", "video", "audio", "document", "sticker")
STATUSES = ("sent", "delivered", "read", "failed", "played")


def message_content(
    *,
    text: str | None = None,
    button_reply: tuple[str, str] | None = None,
    list_reply: tuple[str, str] | tuple[str, str, str] | None = None,
    reaction: tuple[str, str] | None = None,
    location: dict[str, Any] | None = None,
    **media: dict[str, Any] | None,
) -> tuple[str, dict[str, Any]]:
    """The ``type`` and its object for one inbound message.

    Args:
        text: A text message's body.
        button_reply: ``(id, title)`` of a tapped reply button.
        list_reply: ``(id, title)`` or ``(id, title, description)`` of a chosen list row.
        reaction: ``(message_id, emoji)``.
        location: ``{"latitude", "longitude", "name"?, "address"?}``.
        **media: One of ``image``, ``video``, ``audio``, ``document``, ``sticker``: the media object
            (``{"id", "mime_type", "sha256"?, "caption"?, "filename"?}``).

    Raises:
        ValueError: Not exactly one content was given, or an unknown media kind.
    """
    unknown = set(media) - set(MEDIA_KINDS)
    if unknown:
        kinds = ", ".join(("text", "button_reply", "list_reply", "reaction", "location", *MEDIA_KINDS))
        raise ValueError(f"unknown content {sorted(unknown)[0]!r}: give one of {kinds}")
    given: list[tuple[str, dict[str, Any]]] = []
    if text is not None:
        given.append(("text", {"body": text}))
    if button_reply is not None:
        reply = {"id": button_reply[0], "title": button_reply[1]}
        given.append(("interactive", {"type": "button_reply", "button_reply": reply}))
    if list_reply is not None:
        row = dict(zip(("id", "title", "description"), list_reply, strict=False))
        given.append(("interactive", {"type": "list_reply", "list_reply": row}))
    if reaction is not None:
        given.append(("reaction", {"message_id": reaction[0], "emoji": reaction[1]}))
    if location is not None:
        given.append(("location", dict(location)))
    given.extend((kind, dict(obj)) for kind, obj in media.items() if obj is not None)
    if len(given) != 1:
        kinds = ", ".join(("text", "button_reply", "list_reply", "reaction", "location", *MEDIA_KINDS))
        raise ValueError(f"give exactly one of {kinds}")
    return given[0]


def inbound_message(
    *,
    wamid: str,
    from_: str,
    timestamp: str,
    content: tuple[str, dict[str, Any]],
    context: dict[str, str] | None = None,
) -> dict[str, Any]:
    """One ``messages[]`` item of a message webhook; ``content`` comes from `message_content()`."""
    kind, obj = content
    message: dict[str, Any] = {"from": from_, "id": wamid, "timestamp": timestamp}
    if context is not None:
        message["context"] = context
    message["type"] = kind
    message[kind] = obj
    return message


def status_item(
    *,
    wamid: str,
    status: str,
    recipient_id: str,
    timestamp: str,
    callback_data: str | None = None,
    category: str | None = None,
    failed_code: int | None = None,
) -> dict[str, Any]:
    """One ``statuses[]`` item of a status webhook; pricing rides on ``sent`` and ``delivered``."""
    item: dict[str, Any] = {"id": wamid, "status": status, "timestamp": timestamp, "recipient_id": recipient_id}
    if callback_data is not None:
        item["biz_opaque_callback_data"] = callback_data
    if status in ("sent", "delivered"):
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
            "href": "/documentation/business-messaging/whatsapp/support/error-codes",
        }]  # fmt: skip
    return item
