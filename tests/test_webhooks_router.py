"""Router: filters, first match wins, fallbacks, sync and async handlers."""

from __future__ import annotations

import json
import re
from typing import Any

from wa_async.webhooks import (
    ButtonMessage,
    Event,
    ImageMessage,
    InteractiveMessage,
    Router,
    Status,
    TemplateStatus,
    TextMessage,
    Unknown,
    parse,
)


def wire_message(type: str, payload: dict[str, Any], *, id: str = "m", frm: str = "16505551234") -> dict[str, Any]:
    return {"from": frm, "id": id, "timestamp": "1750000000", "type": type, **payload}


def events(*messages: dict[str, Any], statuses: list[dict[str, Any]] | None = None) -> list[Event]:
    value: dict[str, Any] = {"metadata": {"phone_number_id": "1"}, "messages": list(messages)}
    if statuses:
        value["statuses"] = statuses
    body = {
        "object": "whatsapp_business_account",
        "entry": [{"id": "1", "changes": [{"field": "messages", "value": value}]}],
    }
    return parse(json.dumps(body).encode())


def text(body: str, frm: str = "16505551234") -> TextMessage:
    (ev,) = events(wire_message("text", {"text": {"body": body}}, frm=frm))
    assert isinstance(ev, TextMessage)
    return ev


def button_reply(id: str) -> InteractiveMessage:
    interactive = {"type": "button_reply", "button_reply": {"id": id, "title": id.title()}}
    (ev,) = events(wire_message("interactive", {"interactive": interactive}))
    assert isinstance(ev, InteractiveMessage)
    return ev


def list_reply(id: str) -> InteractiveMessage:
    interactive = {"type": "list_reply", "list_reply": {"id": id, "title": "Row"}}
    (ev,) = events(wire_message("interactive", {"interactive": interactive}))
    assert isinstance(ev, InteractiveMessage)
    return ev


def quick_reply(payload: str) -> ButtonMessage:
    (ev,) = events(wire_message("button", {"button": {"payload": payload, "text": payload}}))
    assert isinstance(ev, ButtonMessage)
    return ev


def status(st: str) -> Status:
    (ev,) = events(statuses=[{"id": "w", "status": st, "timestamp": "1750000000", "recipient_id": "1"}])
    assert isinstance(ev, Status)
    return ev


def template_status(event: str) -> TemplateStatus:
    return TemplateStatus(event=event, message_template_id=1)


class Bot:
    def __init__(self) -> None:
        self.router = Router()
        self.calls: list[tuple[str, Event]] = []

    def record(self, name: str) -> Any:
        async def handler(event: Event) -> None:
            self.calls.append((name, event))

        return handler

    async def names(self, event: Event) -> list[str]:
        self.calls.clear()
        await self.router(event)
        return [name for name, _ in self.calls]


async def test_text_filter_ignores_case_and_space() -> None:
    bot = Bot()
    bot.router.message(text="hi")(bot.record("hi"))
    assert await bot.names(text("  Hi ")) == ["hi"]
    assert await bot.names(text("hi there")) == []
    assert await bot.names(button_reply("hi")) == []


async def test_matches_filter() -> None:
    bot = Bot()
    bot.router.message(matches=r"order\s+#?(\d+)")(bot.record("order"))
    bot.router.message(matches=re.compile("HELP", re.I))(bot.record("help"))
    assert await bot.names(text("where is order #123?")) == ["order"]
    assert await bot.names(text("help me")) == ["help"]
    assert await bot.names(text("hello")) == []


async def test_from_filter_one_or_many_with_or_without_plus() -> None:
    bot = Bot()
    bot.router.message(from_="+15550001111")(bot.record("vip"))
    bot.router.message(from_=["15550002222", "15550003333"])(bot.record("team"))
    assert await bot.names(text("x", frm="15550001111")) == ["vip"]
    assert await bot.names(text("x", frm="15550003333")) == ["team"]
    assert await bot.names(text("x", frm="15559999999")) == []


async def test_type_filter_by_class_or_wire_name() -> None:
    bot = Bot()
    bot.router.message(type=ImageMessage)(bot.record("image-class"))
    bot.router.message(type="interactive")(bot.record("interactive"))
    (image,) = events(wire_message("image", {"image": {"id": "1"}}))
    assert await bot.names(image) == ["image-class"]
    assert await bot.names(button_reply("a")) == ["interactive"]
    assert await bot.names(text("a")) == []


async def test_combined_filters_all_must_match() -> None:
    bot = Bot()
    bot.router.message(text="stop", from_="15550001111")(bot.record("stop"))
    assert await bot.names(text("stop", frm="15550001111")) == ["stop"]
    assert await bot.names(text("stop", frm="15550002222")) == []


async def test_button_filter_covers_reply_buttons_list_rows_and_quick_replies() -> None:
    bot = Bot()
    bot.router.button(id="yes")(bot.record("yes"))
    bot.router.button()(bot.record("any"))
    assert await bot.names(button_reply("yes")) == ["yes"]
    assert await bot.names(list_reply("yes")) == ["yes"]
    assert await bot.names(quick_reply("yes")) == ["yes"]
    assert await bot.names(button_reply("no")) == ["any"]
    assert await bot.names(text("yes")) == []


async def test_status_filters() -> None:
    bot = Bot()
    bot.router.status("failed")(bot.record("failed"))
    bot.router.status()(bot.record("other"))
    assert await bot.names(status("failed")) == ["failed"]
    assert await bot.names(status("read")) == ["other"]
    assert await bot.names(text("x")) == []


async def test_template_status_error_unknown_routes() -> None:
    bot = Bot()
    bot.router.template_status("REJECTED")(bot.record("rejected"))
    bot.router.template_status()(bot.record("template"))
    bot.router.unknown()(bot.record("unknown"))
    assert await bot.names(template_status("REJECTED")) == ["rejected"]
    assert await bot.names(template_status("APPROVED")) == ["template"]
    assert await bot.names(Unknown(raw={})) == ["unknown"]


async def test_first_match_wins_and_fallbacks_get_the_rest() -> None:
    bot = Bot()
    bot.router.message(text="hi")(bot.record("first"))
    bot.router.message()(bot.record("any-message"))
    bot.router.fallback()(bot.record("fallback-1"))
    bot.router.fallback()(bot.record("fallback-2"))
    assert await bot.names(text("hi")) == ["first"]
    assert await bot.names(text("yo")) == ["any-message"]
    assert await bot.names(status("sent")) == ["fallback-1", "fallback-2"]


async def test_sync_handlers_and_decorator_returns_the_function() -> None:
    router = Router()
    seen: list[str] = []

    @router.message()
    def on_message(event: Event) -> None:
        assert isinstance(event, TextMessage)
        seen.append(event.body)

    router.add(lambda ev: isinstance(ev, Status), lambda ev: seen.append("status"))
    await router(text("plain"))
    await router(status("read"))
    assert seen == ["plain", "status"]
    assert callable(on_message) and on_message.__name__ == "on_message"
    assert "2 routes" in repr(router)
