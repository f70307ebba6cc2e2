"""parse(): every payload Meta documents, batching, unknown kinds, malformed bodies."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from tests._data import PAYLOADS
from tests.test_webhooks_fields import CHECKS as FIELD_CHECKS
from wa_async import webhooks as wh
from wa_async._errors import WebhookError


def load(name: str) -> bytes:
    return (PAYLOADS / name).read_bytes()


def one(name: str) -> Any:
    events = wh.parse(load(name))
    assert len(events) == 1, events
    return events[0]


def at(ts: int) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


def common(ev: wh.Message, *, type: str, id: str, ts: int, name: str | None = "Sheena Nelson") -> None:
    assert ev.type == type
    assert ev.id == id
    assert ev.from_ == "16505551234"
    assert ev.timestamp == at(ts) and ev.timestamp.tzinfo is UTC
    assert ev.phone_number_id == "106540352242922"
    assert ev.display_phone_number == "15550783881"
    assert ev.contact_name == name


# The payloads this file checks field by field; tests/test_webhooks_fields.py checks the others (CHECKS).
CHECKED_HERE = {
    "webhook-button-template-quick-reply.json",
    "webhook-contacts-message.json",
    "webhook-document-message.json",
    "webhook-image-message.json",
    "webhook-interactive-button-reply.json",
    "webhook-interactive-list-reply.json",
    "webhook-location-message.json",
    "webhook-order-message.json",
    "webhook-reaction-message.json",
    "webhook-status-failed-131049.json",
    "webhook-status-sent.json",
    "webhook-status-v24-minimal.json",
    "webhook-sticker-message.json",
    "webhook-system-user-changed-number.json",
    "webhook-template-status-approved.json",
    "webhook-template-status-rejected-invalid-format.json",
    "webhook-text-message-business-button-referred-product.json",
    "webhook-text-message-ctwa-referral.json",
    "webhook-text-message.json",
    "webhook-unsupported-message-131051.json",
    "webhook-value-errors-130429.json",
}


@pytest.mark.parametrize("name", sorted(p.name for p in PAYLOADS.glob("webhook-*.json")))
def test_every_webhook_payload_is_typed_and_checked(name: str) -> None:
    events = wh.parse(load(name))
    assert events, name
    assert not [e for e in events if isinstance(e, wh.Unknown)], events
    assert name in CHECKED_HERE | set(FIELD_CHECKS), f"{name} has no test reading its fields"


def test_the_payload_list_is_complete() -> None:
    files = {p.name for p in PAYLOADS.glob("webhook-*.json")}
    assert len(files) >= 58
    assert CHECKED_HERE | set(FIELD_CHECKS) == files


def test_text() -> None:
    ev = one("webhook-text-message.json")
    assert isinstance(ev, wh.TextMessage)
    common(ev, type="text", id="wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=", ts=1749416383)
    assert ev.body == "Does it come in another color?"
    assert ev.context is None and ev.referral is None
    assert ev.waba_id == "102290129340398"


def test_text_referred_product_context() -> None:
    ev = one("webhook-text-message-business-button-referred-product.json")
    assert isinstance(ev, wh.TextMessage)
    assert ev.body == "Is this still available?"
    assert ev.context is not None
    assert ev.context.from_ == "15550783881"
    assert ev.context.id == "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGA9wcm9kdWN0X2lucXVpcnkA"
    assert ev.context.forwarded is False
    assert ev.context.referred_product == wh.ReferredProduct(
        catalog_id="194836987003835", product_retailer_id="di9ozbzfi4"
    )


def test_text_ctwa_referral() -> None:
    ev = one("webhook-text-message-ctwa-referral.json")
    assert isinstance(ev, wh.TextMessage)
    r = ev.referral
    assert r is not None
    assert r.source_type == "ad" and r.source_id == "120226305854810726"
    assert r.headline == "Chat with us" and r.media_type == "image"
    assert r.ctwa_clid is not None and r.ctwa_clid.startswith("Aff-n8ZT")
    assert r.welcome_message == "Hi there! Let us know how we can help!"


def test_image() -> None:
    ev = one("webhook-image-message.json")
    assert isinstance(ev, wh.ImageMessage) and isinstance(ev, wh.MediaMessage)
    common(ev, type="image", id="wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=", ts=1744344496)
    assert ev.media_id == "1003383421387256"
    assert ev.caption == "Taj Mahal" and ev.mime_type == "image/jpeg"
    assert ev.sha256 == "SfInY0gGKTsJlUWbwxC1k+FAD0FZHvzwfpvO0zX0GUI="
    assert ev.url is not None and ev.url.startswith("https://lookaside.fbsbx.com/")


def test_document() -> None:
    ev = one("webhook-document-message.json")
    assert isinstance(ev, wh.DocumentMessage)
    assert (ev.media_id, ev.filename, ev.caption, ev.mime_type) == (
        "622684793477189",
        "receipt.pdf",
        "my receipt",
        "application/pdf",
    )


def test_sticker() -> None:
    ev = one("webhook-sticker-message.json")
    assert isinstance(ev, wh.StickerMessage)
    assert ev.media_id == "1908647269898587" and ev.animated is True and ev.mime_type == "image/webp"


def test_audio_and_video_built_from_meta_field_lists() -> None:
    # FACTS §5.4 has no verbatim audio/video example: build one from the documented fields.
    body = envelope(
        [
            message("audio", {"audio": {"id": "55", "mime_type": "audio/ogg; codecs=opus", "voice": True}}),
            message("video", {"video": {"id": "66", "mime_type": "video/mp4", "caption": "clip"}}, id="wamid.V"),
        ]
    )
    audio, video = wh.parse(body)
    assert isinstance(audio, wh.AudioMessage) and audio.voice is True and audio.media_id == "55"
    assert isinstance(video, wh.VideoMessage) and video.caption == "clip" and video.media_id == "66"


def test_location() -> None:
    ev = one("webhook-location-message.json")
    assert isinstance(ev, wh.LocationMessage)
    assert ev.latitude == pytest.approx(37.44221496582) and ev.longitude == pytest.approx(-122.16165924072)
    assert ev.name == "Philz Coffee" and ev.address == "101 Forest Ave, Palo Alto, CA 94301"
    assert ev.url == "https://philzcoffee.com/"


def test_contacts() -> None:
    ev = one("webhook-contacts-message.json")
    assert isinstance(ev, wh.ContactsMessage)
    (card,) = ev.contacts
    assert card.name is not None and card.name.formatted_name == "Lucía Gómez"
    assert card.org is not None and card.org.company == "Google"
    assert card.phones[0].wa_id == "19835552319" and card.phones[0].type == "MOBILE"


def test_interactive_button_reply() -> None:
    ev = one("webhook-interactive-button-reply.json")
    assert isinstance(ev, wh.InteractiveMessage)
    assert ev.choice == wh.ButtonReply(id="change-button", title="Change")
    assert ev.contact_name == "Pablo Morales"
    assert ev.context is not None and ev.context.id == "wamid.HBgLMTY0NjcwNDM1OTUVAgARGBJBM0Y4RUU0RUNFQkFDMjYzQUMA"


def test_interactive_list_reply() -> None:
    ev = one("webhook-interactive-list-reply.json")
    assert isinstance(ev, wh.InteractiveMessage)
    assert ev.choice == wh.ListReply(
        id="priority_express", title="Priority Mail Express", description="Next Day to 2 Days"
    )


def test_interactive_flow_reply() -> None:
    interactive = {
        "type": "nfm_reply",
        "nfm_reply": {"name": "flow", "body": "Sent", "response_json": '{"flow_token": "t"}'},
    }
    (ev,) = wh.parse(envelope([message("interactive", {"interactive": interactive})]))
    assert isinstance(ev, wh.InteractiveMessage)
    assert isinstance(ev.choice, wh.FlowReply) and json.loads(ev.choice.response_json) == {"flow_token": "t"}


def test_button_template_quick_reply() -> None:
    ev = one("webhook-button-template-quick-reply.json")
    assert isinstance(ev, wh.ButtonMessage)
    assert ev.payload == "Unsubscribe" and ev.text == "Unsubscribe"
    assert ev.timestamp == at(1750091045)


def test_reaction_and_removed_reaction() -> None:
    ev = one("webhook-reaction-message.json")
    assert isinstance(ev, wh.ReactionMessage)
    assert ev.emoji == "👍" and ev.message_id == "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI0RTJEOTc2ODVERUY5RDlGNkYA"
    (removed,) = wh.parse(envelope([message("reaction", {"reaction": {"message_id": "wamid.A"}})]))
    assert isinstance(removed, wh.ReactionMessage) and removed.emoji is None


def test_order() -> None:
    ev = one("webhook-order-message.json")
    assert isinstance(ev, wh.OrderMessage)
    assert ev.catalog_id == "194836987003835" and ev.text == ""
    assert [(i.product_retailer_id, i.quantity, i.item_price, i.currency) for i in ev.product_items] == [
        ("di9ozbzfi4", 2, 30.0, "USD"),
        ("nqryix03ez", 1, 25.0, "USD"),
    ]


def test_system_message_has_no_contact_name() -> None:
    ev = one("webhook-system-user-changed-number.json")
    assert isinstance(ev, wh.SystemMessage)
    common(ev, type="system", id="wamid.HBgLMTk4MzU1NTE5NzQVAgASGAoxMTgyMDg2MjY3AA==", ts=1750269342, name=None)
    assert ev.system_type == "user_changed_number" and ev.wa_id == "12195555358"
    assert ev.body == "User Sheena Nelson changed from 16505551234 to 12195555358"


def test_unsupported_keeps_its_errors() -> None:
    ev = one("webhook-unsupported-message-131051.json")
    assert isinstance(ev, wh.UnsupportedMessage)
    assert ev.errors == [
        wh.ErrorDetail(
            code=131051,
            title="Message type unknown",
            message="Message type unknown",
            details="Message type is currently not supported.",
        )
    ]


def test_status_sent_with_conversation_and_pricing() -> None:
    ev = one("webhook-status-sent.json")
    assert isinstance(ev, wh.Status)
    assert ev.id == "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA="
    assert ev.status == "sent" and ev.recipient_id == "16505551234" and ev.timestamp == at(1750030073)
    assert ev.phone_number_id == "106540352242922"
    assert ev.conversation == wh.ConversationInfo(
        id="72b14d6bd5407799e66f64d1b338e567", origin_type="marketing", expiration_timestamp=at(1750116480)
    )
    assert ev.pricing == wh.Pricing(billable=True, pricing_model="PMP", type="regular", category="marketing")
    assert ev.errors == [] and ev.callback_data is None


def test_status_v24_minimal() -> None:
    ev = one("webhook-status-v24-minimal.json")
    assert isinstance(ev, wh.Status)
    assert ev.status == "sent" and ev.conversation is None and ev.pricing is None


def test_status_failed() -> None:
    ev = one("webhook-status-failed-131049.json")
    assert isinstance(ev, wh.Status)
    assert ev.status == "failed"
    (err,) = ev.errors
    assert err.code == 131049
    assert err.title == "This message was not delivered to maintain healthy ecosystem engagement."
    assert err.details == "In order to maintain a healthy ecosystem engagement, the message failed to be delivered."
    assert err.href == "/documentation/business-messaging/whatsapp/support/error-codes"


def test_status_callback_data_and_played() -> None:
    status = {
        "id": "wamid.P",
        "status": "played",
        "timestamp": "1750030073",
        "recipient_id": "16505551234",
        "biz_opaque_callback_data": "order-17",
    }
    (ev,) = wh.parse(envelope(statuses=[status]))
    assert isinstance(ev, wh.Status) and ev.status == "played" and ev.callback_data == "order-17"


def test_template_status_approved() -> None:
    ev = one("webhook-template-status-approved.json")
    assert isinstance(ev, wh.TemplateStatus)
    assert ev.event == "APPROVED" and ev.message_template_id == 1689556908129832
    assert ev.name == "order_confirmation" and ev.language == "en-US"
    assert ev.reason == "NONE" and ev.category == "UTILITY"
    assert ev.timestamp == at(1751247548) and ev.waba_id == "102290129340398"


def test_template_status_rejected() -> None:
    ev = one("webhook-template-status-rejected-invalid-format.json")
    assert isinstance(ev, wh.TemplateStatus)
    assert ev.event == "REJECTED" and ev.reason == "INVALID_FORMAT"
    assert ev.rejection_reason is not None and ev.rejection_reason.startswith("Your template has parameters")
    assert ev.recommendation is not None and ev.recommendation.startswith("Separate parameters")


def test_value_errors() -> None:
    ev = one("webhook-value-errors-130429.json")
    assert isinstance(ev, wh.ErrorEvent)
    (err,) = ev.errors
    assert err.code == 130429 and err.title == "Rate limit hit"
    assert err.details is not None and err.details.startswith("Message failed to send")
    assert ev.phone_number_id == "106540352242922"


# -- batching, unknowns, malformed bodies ------------------------------------------------------------------


def message(type: str, payload: dict[str, Any], *, id: str = "wamid.M", frm: str = "16505551234") -> dict[str, Any]:
    return {"from": frm, "id": id, "timestamp": "1750000000", "type": type, **payload}


def text(id: str, body: str, frm: str = "16505551234") -> dict[str, Any]:
    return message("text", {"text": {"body": body}}, id=id, frm=frm)


def status(id: str, st: str) -> dict[str, Any]:
    return {"id": id, "status": st, "timestamp": "1750000001", "recipient_id": "16505551234"}


def value(messages: Any = None, statuses: Any = None, *, number: str = "106540352242922") -> dict[str, Any]:
    v: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881", "phone_number_id": number},
    }
    if messages is not None:
        v["contacts"] = [{"profile": {"name": "Ann"}, "wa_id": "16505551234"}]
        v["messages"] = messages
    if statuses is not None:
        v["statuses"] = statuses
    return v


def envelope(messages: Any = None, statuses: Any = None) -> bytes:
    change = {"field": "messages", "value": value(messages, statuses)}
    return json.dumps({"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [change]}]}).encode()


def test_batched_entries_changes_messages_statuses_in_order() -> None:
    body = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "W1",
                "changes": [
                    {"field": "messages", "value": value([text("m1", "a"), text("m2", "b", frm="16505550000")])},
                    {"field": "messages", "value": value(statuses=[status("s1", "sent"), status("s1", "read")])},
                ],
            },
            {
                "id": "W2",
                "changes": [
                    {"field": "messages", "value": value([text("m3", "c")], [status("s2", "delivered")], number="2")},
                ],
            },
        ],
    }
    events = wh.parse(json.dumps(body).encode())
    got = [(type(e).__name__, e.id, getattr(e, "status", None), e.waba_id) for e in events]  # type: ignore[attr-defined]
    assert got == [
        ("TextMessage", "m1", None, "W1"),
        ("TextMessage", "m2", None, "W1"),
        ("Status", "s1", "sent", "W1"),
        ("Status", "s1", "read", "W1"),
        ("TextMessage", "m3", None, "W2"),
        ("Status", "s2", "delivered", "W2"),
    ]
    assert isinstance(events[0], wh.TextMessage) and events[0].contact_name == "Ann"
    assert isinstance(events[1], wh.TextMessage) and events[1].contact_name is None  # no contact for that wa_id
    assert isinstance(events[4], wh.TextMessage) and events[4].phone_number_id == "2"


def test_unknown_message_type_kept_raw_between_known_ones() -> None:
    odd = message("hologram", {"hologram": {"depth": 3}}, id="m2")
    events = wh.parse(envelope([text("m1", "a"), odd, text("m3", "c")]))
    assert [type(e).__name__ for e in events] == ["TextMessage", "Unknown", "TextMessage"]
    assert isinstance(events[1], wh.Unknown) and events[1].raw == odd and events[1].field == "messages"


def test_unknown_interactive_type_kept_raw() -> None:
    odd = message("interactive", {"interactive": {"type": "call_permission_reply", "x": {}}})
    (ev,) = wh.parse(envelope([odd]))
    assert isinstance(ev, wh.Unknown) and ev.raw == odd


def test_item_with_unexpected_shape_kept_raw_and_others_typed() -> None:
    bad = {"id": "m2", "from": "16505551234", "timestamp": "1750000000", "type": "text", "text": {"body": 5}}
    events = wh.parse(envelope([text("m1", "a"), bad], [status("s1", "sent")]))
    assert [type(e).__name__ for e in events] == ["TextMessage", "Unknown", "Status"]
    assert isinstance(events[1], wh.Unknown) and events[1].raw == bad


def test_bad_timestamp_kept_raw() -> None:
    bad = {**text("m1", "a"), "timestamp": "yesterday"}
    (ev,) = wh.parse(envelope([bad]))
    assert isinstance(ev, wh.Unknown) and ev.raw == bad


def test_unknown_field_kept_raw() -> None:
    change = {"field": "phone_number_quality_update", "value": {"event": {"odd": 1}, "current_limit": "TIER_1K"}}
    body = json.dumps({"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [change]}]})
    (ev,) = wh.parse(body.encode())
    assert isinstance(ev, wh.Unknown) and ev.field == "phone_number_quality_update" and ev.raw == change["value"]


@pytest.mark.parametrize("typed", [True, False])
def test_unknown_keeps_field_number_and_entry_time(typed: bool) -> None:
    # A field Meta may add later; `typed=False` also sends a bad item so the slow path runs.
    value: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881", "phone_number_id": "PN9"},
        "consumer_profile": {"anything": [1, 2]},
    }
    changes: list[dict[str, Any]] = [{"field": "consumer_profile", "value": value}]
    if not typed:
        changes.append({"field": "messages", "value": {"messages": [{"id": 5}]}})
    entry = {"id": "W", "time": 1767261600, "changes": changes}
    events = wh.parse(json.dumps({"object": "whatsapp_business_account", "entry": [entry]}).encode())
    ev = events[0]
    assert isinstance(ev, wh.Unknown) and ev.raw == value and ev.field == "consumer_profile"
    assert (ev.phone_number_id, ev.waba_id, ev.time) == ("PN9", "W", at(1767261600))
    if not typed:
        assert isinstance(events[1], wh.Unknown) and events[1].raw == {"id": 5}


def test_messages_change_with_nothing_known_is_kept() -> None:
    body = envelope()  # metadata only
    (ev,) = wh.parse(body)
    assert isinstance(ev, wh.Unknown) and ev.raw["metadata"]["phone_number_id"] == "106540352242922"


def test_str_body_accepted() -> None:
    (ev,) = wh.parse(load("webhook-text-message.json").decode())
    assert isinstance(ev, wh.TextMessage)


def test_empty_entry_list_is_no_events() -> None:
    assert wh.parse(b'{"object": "whatsapp_business_account", "entry": []}') == []


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b"{",
        b"[]",
        b"42",
        b'"x"',
        b"{}",
        b'{"object": "x"}',
        b'{"entry": []}',
        b'{"object": "x", "entry": {}}',
    ],
)
def test_malformed_bodies_raise_webhook_error(body: bytes) -> None:
    with pytest.raises(WebhookError) as info:
        wh.parse(body)
    assert "JSON" in str(info.value) or "envelope" in str(info.value)
    assert wh.WebhookError is WebhookError


async def test_unbound_message_cannot_reply() -> None:
    ev = one("webhook-text-message.json")
    assert not ev.bound
    with pytest.raises(wh.NotBound, match="not bound"):
        await ev.reply("hi")


# -- nothing documented is dropped -----------------------------------------------------------------------------


def change_body(field: str, value: dict[str, Any], *, time: int | None = None) -> bytes:
    entry: dict[str, Any] = {"id": "W", "changes": [{"field": field, "value": value}]}
    if time is not None:
        entry["time"] = time
    return json.dumps({"object": "whatsapp_business_account", "entry": [entry]}).encode()


def test_errors_on_any_message_type() -> None:
    errors = [{"code": 131051, "title": "Message type unknown", "error_data": {"details": "not supported"}}]
    interactive = {"type": "button_reply", "button_reply": {"id": "b", "title": "B"}}
    body = envelope([message("interactive", {"interactive": interactive, "errors": errors})])
    (ev,) = wh.parse(body)
    assert isinstance(ev, wh.InteractiveMessage)
    assert ev.errors == [wh.ErrorDetail(code=131051, title="Message type unknown", details="not supported")]


def test_contact_identity_key_hash_wa_id_and_name_when_wa_id_differs_from_from() -> None:
    value = {
        "metadata": {"phone_number_id": "1"},
        "contacts": [{"profile": {"name": "Ana"}, "wa_id": "5511987654321", "identity_key_hash": "k3y"}],
        "messages": [text("m1", "oi", frm="551187654321")],  # Meta writes some numbers differently in `from`
    }
    (ev,) = wh.parse(change_body("messages", value))
    assert isinstance(ev, wh.TextMessage) and ev.from_ == "551187654321"
    assert ev.contact == wh.ContactProfile(name="Ana", wa_id="5511987654321", identity_key_hash="k3y")
    assert ev.contact_name == "Ana"


def test_contacts_matched_by_id_when_several() -> None:
    value = {
        "metadata": {"phone_number_id": "1"},
        "contacts": [
            {"profile": {"name": "Ann"}, "wa_id": "111", "user_id": "US.1"},
            {"profile": {"name": "Bob", "username": "bob"}, "user_id": "US.2"},
        ],
        "messages": [
            {"from_user_id": "US.2", "id": "m2", "timestamp": "1750000000", "type": "text", "text": {"body": "b"}},
            {"from": "111", "id": "m1", "timestamp": "1750000000", "type": "text", "text": {"body": "a"}},
            {"from": "999", "id": "m3", "timestamp": "1750000000", "type": "text", "text": {"body": "c"}},
        ],
    }
    bob, ann, stranger = wh.parse(change_body("messages", value))
    assert isinstance(bob, wh.Message) and (bob.contact_name, bob.username, bob.sender) == ("Bob", "bob", "US.2")
    assert isinstance(ann, wh.Message) and ann.contact_name == "Ann"
    assert isinstance(stranger, wh.Message) and stranger.contact is None


def test_empty_phone_is_absent_and_a_message_with_no_sender_is_kept_raw() -> None:
    nobody = {"id": "m0", "timestamp": "1750000000", "type": "text", "text": {"body": "?"}}
    empty = {"from": "", "from_user_id": "US.7", "id": "m1", "timestamp": "1750000000", "type": "text",
             "text": {"body": "hi"}}  # fmt: skip
    events = wh.parse(change_body("messages", {"metadata": {"phone_number_id": "1"}, "messages": [nobody, empty]}))
    assert isinstance(events[0], wh.Unknown) and events[0].raw == nobody and events[0].id == "m0"
    assert isinstance(events[1], wh.TextMessage) and events[1].from_ is None and events[1].sender == "US.7"


def test_group_message_and_group_statuses_per_member() -> None:
    msg = {**text("m1", "hello group"), "from_user_id": "US.1", "group_id": "G1"}
    statuses = [
        {"id": "w1", "status": "read", "timestamp": "1750000001", "recipient_id": "G1", "recipient_type": "group",
         "recipient_participant_id": "111", "recipient_participant_user_id": "US.1",
         "recipient_identity_key_hash": "h1"},
        {"id": "w1", "status": "read", "timestamp": "1750000001", "recipient_id": "G1", "recipient_type": "group",
         "recipient_participant_user_id": "US.2", "recipient_participant_parent_user_id": "US.ENT.2"},
    ]  # fmt: skip
    m, first, second = wh.parse(change_body("messages", {"messages": [msg], "statuses": statuses}))
    assert isinstance(m, wh.TextMessage) and m.group_id == "G1" and m.sender == "16505551234"
    assert isinstance(first, wh.Status) and isinstance(second, wh.Status)
    assert (first.recipient_id, first.recipient_type, first.recipient_participant_id) == ("G1", "group", "111")
    assert first.recipient_participant_user_id == "US.1" and first.recipient_identity_key_hash == "h1"
    assert (first.sender, second.sender) == ("111", "US.2")
    assert second.recipient_participant_parent_user_id == "US.ENT.2"


def test_parent_bsuid_under_its_older_name() -> None:
    st = {"id": "w", "status": "delivered", "timestamp": "1750000001", "recipient_user_id": "US.1",
          "parent_recipient_user_id": "US.ENT.1"}  # fmt: skip
    (ev,) = wh.parse(envelope(statuses=[st]))
    assert isinstance(ev, wh.Status) and ev.recipient_parent_user_id == "US.ENT.1" and ev.recipient_id is None


def test_status_with_no_recipient_is_kept_raw() -> None:
    st = {"id": "w", "status": "sent", "timestamp": "1750000001"}
    (ev,) = wh.parse(envelope(statuses=[st]))
    assert isinstance(ev, wh.Unknown) and ev.raw == st and ev.id is None  # not a message: not deduplicated by id


def test_unknown_message_type_keeps_its_id() -> None:
    odd = message("hologram", {"hologram": {}}, id="wamid.H")
    (ev,) = wh.parse(envelope([odd]))
    assert isinstance(ev, wh.Unknown) and ev.id == "wamid.H" and ev.phone_number_id == "106540352242922"


def test_edit_of_an_unknown_type_is_kept_raw() -> None:
    odd = message("edit", {"edit": {"original_message_id": "wamid.O", "message": {"type": "hologram"}}})
    (ev,) = wh.parse(envelope([odd]))
    assert isinstance(ev, wh.Unknown) and ev.raw == odd


def test_echo_of_any_type_keeps_its_content() -> None:
    template = {"name": "order_update", "language": {"code": "en_US"}}
    echoes = [
        {"from": "1555", "to": "111", "id": "e1", "timestamp": "1750000000", "type": "template", "template": template},
        {"from": "1555", "to_user_id": "US.1", "id": "e2", "timestamp": "1750000000", "type": "hologram",
         "hologram": {"depth": 3}},
        {"from": "1555", "to": "111", "id": "e3", "timestamp": "1750000000", "type": "revoke",
         "revoke": {"original_message_id": "wamid.O"}},
    ]  # fmt: skip
    a, b, c = wh.parse(change_body("smb_message_echoes", {"message_echoes": echoes}))
    assert isinstance(a, wh.MessageEcho) and a.content == template and a.body is None
    assert isinstance(b, wh.MessageEcho) and b.content == {"depth": 3} and b.sender == "US.1"
    assert isinstance(c, wh.MessageEcho) and c.original_message_id == "wamid.O"


def test_history_media_follow_up_comes_out_as_messages() -> None:
    image = message("image", {"image": {"id": "77", "mime_type": "image/jpeg"}}, id="wamid.I")
    (ev,) = wh.parse(change_body("history", {"metadata": {"phone_number_id": "1"}, "messages": [image]}))
    assert isinstance(ev, wh.HistorySync) and ev.threads == []
    (img,) = ev.messages
    assert isinstance(img, wh.ImageMessage) and img.media_id == "77" and not img.bound


def test_bad_item_in_another_field_kept_raw_and_the_rest_typed() -> None:
    prefs = [
        {"wa_id": "111", "value": "stop", "timestamp": 1767261600},
        {"wa_id": "222", "value": {"odd": True}},
        {"user_id": "US.3", "value": "resume", "timestamp": 1767261601},
    ]
    a, b, c = wh.parse(
        change_body("user_preferences", {"metadata": {"phone_number_id": "1"}, "user_preferences": prefs})
    )
    assert isinstance(a, wh.UserPreferences) and a.sender == "111" and a.phone_number_id == "1"
    assert isinstance(b, wh.Unknown) and b.raw == prefs[1] and b.field == "user_preferences"
    assert isinstance(c, wh.UserPreferences) and (c.value, c.sender) == ("resume", "US.3")


def test_expiration_as_string_or_integer() -> None:
    for stamp in ("1767866400", 1767866400):
        reply = {"type": "call_permission_reply",
                 "call_permission_reply": {"response": "reject", "expiration_timestamp": stamp}}  # fmt: skip
        (ev,) = wh.parse(envelope([message("interactive", {"interactive": reply})]))
        assert isinstance(ev, wh.CallPermissionReply) and ev.response == "reject"
        assert ev.expiration_timestamp == at(1767866400)


# -- bodies that are not webhooks: always WebhookError (the receiver answers 400) ------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b'{"object":"x","entry":[{"changes":[{"field":"messages","value":{"messages":[{"text":{"body":"\xff"}}]}}]}]}',
        b'{"object":"x","entry":[{"changes":[{"field":"new_field","value":{"k":"\xc3\x28"}}]}]}',
        '{"object": "x", "entry": [], "k": "\ud800"}',
    ],
)
def test_invalid_utf8_is_a_webhook_error(body: bytes | str) -> None:
    with pytest.raises(WebhookError, match="not valid JSON"):
        wh.parse(body)


@pytest.mark.parametrize("depth", [10_000, 200_000])
def test_deep_nesting_is_a_webhook_error(depth: int) -> None:
    nested = b"[" * depth + b"]" * depth
    for body in (nested, b'{"object":"x","entry":[{"changes":[{"field":"q","value":' + nested + b"}]}]}"):
        with pytest.raises(WebhookError):
            wh.parse(body)
