"""Inbound message webhooks in Meta's shape (FACTS §5.4): what a user sends the business."""

from __future__ import annotations

from typing import Any

__all__ = ["inbound_message"]


def inbound_message(
    *,
    wamid: str,
    from_: str,
    timestamp: str,
    text: str | None = None,
    button_reply: tuple[str, str] | None = None,
    list_reply: tuple[str, str] | tuple[str, str, str] | None = None,
    reaction: tuple[str, str] | None = None,
    image: dict[str, Any] | None = None,
    context: dict[str, str] | None = None,
) -> dict[str, Any]:
    """One ``messages[]`` item; exactly one of the content arguments must be given."""
    given = [a is not None for a in (text, button_reply, list_reply, reaction, image)]
    if sum(given) != 1:
        raise ValueError("give exactly one of text, button_reply, list_reply, reaction, image")
    message: dict[str, Any] = {"from": from_, "id": wamid, "timestamp": timestamp}
    if context is not None:
        message["context"] = context
    if text is not None:
        message |= {"type": "text", "text": {"body": text}}
    elif button_reply is not None:
        reply = {"id": button_reply[0], "title": button_reply[1]}
        message |= {"type": "interactive", "interactive": {"type": "button_reply", "button_reply": reply}}
    elif list_reply is not None:
        row = dict(zip(("id", "title", "description"), list_reply, strict=False))
        message |= {"type": "interactive", "interactive": {"type": "list_reply", "list_reply": row}}
    elif reaction is not None:
        message |= {"type": "reaction", "reaction": {"message_id": reaction[0], "emoji": reaction[1]}}
    else:
        message |= {"type": "image", "image": image}
    return message
