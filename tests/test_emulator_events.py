"""The emulator emits every webhook kind, signed; each comes out of make_app typed, with its fields."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp import web

from wa_async import webhooks as wh
from wa_async.emulator import Emulator
from wa_async.emulator._inbound import bsuid_for
from wa_async.emulator._records import Accepted
from wa_async.emulator._webhooks import WebhookSender

SECRET = "emit-secret"
USER = "16505551234"


@dataclass
class Hooked:
    emu: Emulator
    app: web.Application
    events: list[wh.Event]

    async def one(self, sent: Any) -> wh.Event:
        """The event the awaited emission `sent` produced (the receiver answered before it returned)."""
        result = await sent
        await self.app[wh.RECEIVER].drain()
        (event,) = self.events
        self.events.clear()
        if isinstance(result, str) and hasattr(event, "id"):
            assert event.id == result  # type: ignore[attr-defined]
        return event


@pytest.fixture
async def hooked() -> AsyncIterator[Hooked]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    events: list[wh.Event] = []
    app = wh.make_app(events.append, verify_token="tok", app_secret=SECRET)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    await web.SockSite(runner, sock).start()
    url = f"http://127.0.0.1:{sock.getsockname()[1]}/webhook"
    try:
        async with Emulator(webhook_url=url, app_secret=SECRET) as emu:
            yield Hooked(emu, app, events)
            assert emu.stats.webhook_errors == 0  # every emission was signed and accepted
    finally:
        await runner.cleanup()
        sock.close()


async def test_message_from_a_username_only_user(hooked: Hooked) -> None:
    ev = await hooked.one(hooked.emu.inbound(None, user_id="US.42", username="jamie.example", name="Jamie", text="hi"))
    assert isinstance(ev, wh.TextMessage) and ev.body == "hi"
    assert (ev.from_, ev.user_id, ev.sender, ev.username, ev.contact_name) == (
        None,
        "US.42",
        "US.42",
        "jamie.example",
        "Jamie",
    )
    assert ev.phone_number_id == hooked.emu.phone_number_id


async def test_message_from_a_phone_user_with_parent_bsuid_in_a_group_with_errors(hooked: Hooked) -> None:
    errors = [{"code": 131051, "title": "Message type unknown", "error_data": {"details": "later"}}]
    sent = hooked.emu.inbound(USER, parent_user_id="US.ENT.7", text="hello all", group_id="G1", errors=errors)
    ev = await hooked.one(sent)
    assert isinstance(ev, wh.TextMessage)
    assert (ev.from_, ev.user_id, ev.parent_user_id, ev.group_id) == (USER, bsuid_for(USER), "US.ENT.7", "G1")
    assert [(e.code, e.details) for e in ev.errors] == [(131051, "later")]


async def test_edit_and_revoke(hooked: Hooked) -> None:
    edit = await hooked.one(hooked.emu.edit("wamid.orig", "fixed typo"))
    assert isinstance(edit, wh.EditMessage) and edit.original_message_id == "wamid.orig"
    assert isinstance(edit.edited, wh.TextMessage) and edit.edited.body == "fixed typo" and edit.sender == USER
    revoke = await hooked.one(hooked.emu.revoke("wamid.orig", from_=None, user_id="US.42"))
    assert isinstance(revoke, wh.RevokeMessage) and revoke.original_message_id == "wamid.orig"
    assert revoke.sender == "US.42"


async def test_calls_connect_status_terminate(hooked: Hooked) -> None:
    emu = hooked.emu
    connect = await hooked.one(emu.call(USER))
    assert isinstance(connect, wh.CallEvent) and (connect.event, connect.direction) == ("connect", "USER_INITIATED")
    assert connect.session is not None and connect.session.sdp_type == "offer" and connect.sender == USER
    assert connect.to == emu.display_phone_number and connect.contact is not None
    ringing = await hooked.one(emu.call(USER, event="status", status="RINGING", callback_data="t-1"))
    assert isinstance(ringing, wh.CallEvent) and (ringing.event, ringing.status) == ("status", "RINGING")
    assert (ringing.to, ringing.callback_data, ringing.sender) == (USER, "t-1", USER)
    end = await hooked.one(emu.call(None, user_id="US.42", event="terminate", call_id=connect.id, duration=90))
    assert isinstance(end, wh.CallEvent) and (end.id, end.status, end.duration) == (connect.id, "COMPLETED", 90)
    assert end.start_time is not None and end.end_time is not None and (end.end_time - end.start_time).seconds == 90
    assert end.from_ is None and end.sender == "US.42"


async def test_call_permission_reply(hooked: Hooked) -> None:
    ev = await hooked.one(hooked.emu.call_permission_reply("accept", context="wamid.req"))
    assert isinstance(ev, wh.CallPermissionReply) and ev.response == "accept" and not ev.is_permanent
    assert ev.expiration_timestamp is not None and ev.context is not None and ev.context.id == "wamid.req"


async def test_account_update(hooked: Hooked) -> None:
    restriction = [{"restriction_type": "RESTRICTED_BIZ_INITIATED_MESSAGING", "expiration": 1767866400}]
    ev = await hooked.one(hooked.emu.account_update("ACCOUNT_RESTRICTION", restriction_info=restriction))
    assert isinstance(ev, wh.AccountUpdate) and ev.event == "ACCOUNT_RESTRICTION"
    assert [r.restriction_type for r in ev.restriction_info] == ["RESTRICTED_BIZ_INITIATED_MESSAGING"]
    assert ev.waba_id == hooked.emu.waba_id and ev.timestamp is not None


async def test_marketing_opt_out_and_back_in(hooked: Hooked) -> None:
    stop = await hooked.one(hooked.emu.user_preferences("stop"))
    assert isinstance(stop, wh.UserPreferences) and (stop.value, stop.sender) == ("stop", USER)
    assert stop.user_id == bsuid_for(USER) and stop.category == "marketing_messages"
    resume = await hooked.one(hooked.emu.user_preferences("resume", from_=None, user_id="US.42"))
    assert isinstance(resume, wh.UserPreferences) and (resume.value, resume.wa_id, resume.sender) == (
        "resume",
        None,
        "US.42",
    )


async def test_user_id_update_and_later_messages_carry_the_new_id(hooked: Hooked) -> None:
    emu = hooked.emu
    old = bsuid_for(USER)
    new = await emu.user_id_update(new_user_id="US.NEW")
    ev = await hooked.one(_done(new))
    assert isinstance(ev, wh.UserIdUpdate) and (ev.previous_user_id, ev.user_id, ev.wa_id) == (old, "US.NEW", USER)
    msg = await hooked.one(emu.inbound(USER, text="still me"))
    assert isinstance(msg, wh.TextMessage) and msg.user_id == "US.NEW"


async def test_echo_from_the_business_app(hooked: Hooked) -> None:
    ev = await hooked.one(hooked.emu.echo(USER, "Sent from the phone"))
    assert isinstance(ev, wh.MessageEcho) and ev.body == "Sent from the phone"
    assert (ev.from_, ev.to, ev.to_user_id, ev.sender) == (hooked.emu.display_phone_number, USER, bsuid_for(USER), USER)


async def test_template_updates(hooked: Hooked) -> None:
    emu = hooked.emu
    quality = await hooked.one(
        emu.template_update(
            "message_template_quality_update", 77, "promo", previous_quality_score="GREEN", new_quality_score="RED"
        )
    )
    assert isinstance(quality, wh.TemplateQualityUpdate) and (quality.name, quality.new_quality_score) == (
        "promo",
        "RED",
    )
    category = await hooked.one(
        emu.template_update(
            "template_category_update", 77, "promo", previous_category="UTILITY", new_category="MARKETING"
        )
    )
    assert isinstance(category, wh.TemplateCategoryUpdate) and not category.impending
    components = await hooked.one(
        emu.template_update("message_template_components_update", 77, "promo", message_template_element="Hi {{1}}")
    )
    assert isinstance(components, wh.TemplateComponentsUpdate) and components.element == "Hi {{1}}"
    status = await hooked.one(emu.template_update("message_template_status_update", 77, "promo", event="APPROVED"))
    assert isinstance(status, wh.TemplateStatus) and (status.event, status.message_template_id) == ("APPROVED", 77)


async def test_group_events(hooked: Hooked) -> None:
    emu = hooked.emu
    created = await hooked.one(
        emu.group_event(
            "group_lifecycle_update",
            "group_create",
            "G1",
            subject="Workshop",
            invite_link="https://chat.whatsapp.com/x",
            join_approval_mode="auto_approve",
        )
    )
    assert isinstance(created, wh.GroupEvent) and (created.field, created.type, created.subject) == (
        "group_lifecycle_update",
        "group_create",
        "Workshop",
    )
    joined = await hooked.one(
        emu.group_event(
            "group_participants_update",
            "group_participants_add",
            "G1",
            reason="invite_link",
            added_participants=[{"user_id": "US.42", "username": "jamie"}],
        )
    )
    assert isinstance(joined, wh.GroupEvent) and [p.username for p in joined.added_participants] == ["jamie"]


async def test_generic_emit_of_a_field_meta_adds_later(hooked: Hooked) -> None:
    assert await hooked.emu.emit("consumer_profile", {"anything": 1})
    await hooked.app[wh.RECEIVER].drain()
    (ev,) = hooked.events
    assert isinstance(ev, wh.Unknown) and ev.field == "consumer_profile" and ev.raw == {"anything": 1}
    assert ev.time is not None


async def test_emitting_needs_a_webhook_url() -> None:
    async with Emulator() as emu:
        with pytest.raises(RuntimeError, match="webhook_url"):
            await emu.account_update("ACCOUNT_DELETED")


async def _done(value: Any) -> Any:
    return value


# -- status webhooks name the user as Meta does since April 2026 -----------------------------------------------


def sender() -> WebhookSender:
    from wa_async.emulator._records import Stats

    return WebhookSender(
        "http://127.0.0.1:9/x", None, waba_id="W", display_phone_number="1555", stats=Stats(), wall=lambda: 1767261600.0
    )


def accepted(payload: dict[str, Any], wa_id: str = USER) -> Accepted:
    return Accepted("wamid.X", payload.get("to", ""), "text", payload, 0.0, "PN", wa_id)


def test_status_of_a_message_sent_to_a_phone() -> None:
    ws = sender()
    ws.users.get(USER, username="jamie", name="Jamie")
    sent, contacts = ws._status(accepted({"to": USER}), "sent", None, None)
    assert (sent["recipient_id"], sent["recipient_user_id"]) == (USER, bsuid_for(USER))
    assert contacts == [{"profile": {"name": "Jamie"}, "wa_id": USER, "user_id": bsuid_for(USER)}]  # no username
    _, contacts = ws._status(accepted({"to": USER}), "delivered", None, None)
    assert contacts[0]["profile"] == {"name": "Jamie", "username": "jamie"}
    failed, contacts = ws._status(accepted({"to": USER}), "failed", 131026, None)
    assert "recipient_user_id" not in failed and contacts == []


def test_status_of_a_message_sent_to_a_bsuid() -> None:
    ws = sender()
    ws.users.get(None, user_id="US.42", parent_user_id="US.ENT.1", username="jamie")
    item, contacts = ws._status(accepted({"recipient": "US.42"}, wa_id=""), "read", None, None)
    assert "recipient_id" not in item  # the phone is not known, so not shared
    assert (item["recipient_user_id"], item["recipient_parent_user_id"]) == ("US.42", "US.ENT.1")
    assert contacts[0]["user_id"] == "US.42" and "wa_id" not in contacts[0]
    (status,) = wh.parse(_envelope(ws, item, contacts))
    assert isinstance(status, wh.Status) and status.sender == "US.42" and status.recipient_id is None
    assert status.contact is not None and status.contact.username == "jamie"


def _envelope(ws: WebhookSender, item: dict[str, Any], contacts: list[dict[str, Any]]) -> bytes:
    import json

    return json.dumps(ws.envelope("PN", {"contacts": contacts, "statuses": [item]})).encode()


def test_status_of_a_group_message_names_the_group() -> None:
    item, contacts = sender()._status(accepted({"recipient_type": "group", "to": "G1"}, wa_id="G1"), "read", None, None)
    assert (item["recipient_id"], item["recipient_type"]) == ("G1", "group")
    assert "recipient_user_id" not in item and contacts == []


async def test_media_and_location_messages(hooked: Hooked) -> None:
    voice = await hooked.one(hooked.emu.inbound(USER, audio={"id": "9", "mime_type": "audio/ogg", "voice": True}))
    assert isinstance(voice, wh.AudioMessage) and voice.voice and voice.media_id == "9"
    doc = {"id": "8", "mime_type": "application/pdf", "filename": "a.pdf", "caption": "invoice"}
    pdf = await hooked.one(hooked.emu.inbound(USER, document=doc))
    assert isinstance(pdf, wh.DocumentMessage) and (pdf.filename, pdf.caption) == ("a.pdf", "invoice")
    place = await hooked.one(hooked.emu.inbound(USER, location={"latitude": 1.5, "longitude": 2.5, "name": "Here"}))
    assert isinstance(place, wh.LocationMessage) and (place.latitude, place.name) == (1.5, "Here")
    with pytest.raises(ValueError, match="exactly one"):
        await hooked.emu.inbound(USER, video={"id": "1"}, sticker={"id": "2"})
    with pytest.raises(ValueError, match="exactly one"):
        await hooked.emu.inbound(USER, text="hi", sticker={"id": "2"})
