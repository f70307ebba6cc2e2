"""``parse(body)``: a webhook body to typed events, every entry, change, message and status in order.

The whole envelope is decoded in one msgspec pass into the wire structs of :mod:`._wire`. Only when that
fails on a shape it does not expect, or meets a kind it does not know, does it fall back to plain JSON, so
the unknown part is kept as :class:`Unknown` and the rest still comes out typed.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, NamedTuple

import msgspec

from wa_async._errors import WebhookError

from ._events import (
    AudioMessage,
    ButtonMessage,
    ButtonReply,
    ConversationInfo,
    DocumentMessage,
    ErrorEvent,
    Event,
    FlowReply,
    ImageMessage,
    InteractiveMessage,
    ListReply,
    LocationMessage,
    Message,
    OrderMessage,
    Pricing,
    ReactionMessage,
    Status,
    StickerMessage,
    SystemMessage,
    TemplateStatus,
    TextMessage,
    Unknown,
    UnsupportedMessage,
    VideoMessage,
)
from ._events import ContactsMessage as _ContactsMessage
from ._wire import Stamp, WireChange, WireEnvelope, WireMessage, WireStatus, WireValue

__all__ = ["parse"]

_ENVELOPE = msgspec.json.Decoder(WireEnvelope)
_ANY = msgspec.json.Decoder()


def parse(body: bytes | str) -> list[Event]:
    """Every event in a webhook body, in delivery order.

    Kinds the parser does not know come back as :class:`Unknown` with their raw JSON. A body that is not
    JSON or not a webhook envelope (an object with ``object`` and an ``entry`` list) raises
    :class:`~wa_async.errors.WebhookError`.
    """
    try:
        envelope = _ENVELOPE.decode(body)
    except msgspec.ValidationError:
        return _parse_loose(body)
    except msgspec.DecodeError as e:
        raise WebhookError(f"webhook body is not valid JSON: {e}") from None
    root = _LazyRoot(body)
    events: list[Event] = []
    for ei, entry in enumerate(envelope.entry):
        for ci, change in enumerate(entry.changes):
            _change_events(events, change, entry.id, entry.time, root.thunk(ei, ci))
    return events


class _LazyRoot:
    """The body as plain JSON, decoded at most once and only when an unknown part needs its raw form."""

    __slots__ = ("_body", "_root")

    def __init__(self, body: bytes | str) -> None:
        self._body = body
        self._root: Any = None

    def thunk(self, ei: int, ci: int) -> Callable[..., Any]:
        def value(*path: str | int) -> Any:
            if self._root is None:
                self._root = _ANY.decode(self._body)
            node = self._root["entry"][ei]["changes"][ci]["value"]
            for key in path:
                node = node[key]
            return node

        return value


def _parse_loose(body: bytes | str) -> list[Event]:
    """The slow path: the body decodes as JSON but not as the typed envelope; salvage what is typed."""
    root = _ANY.decode(body)
    if not isinstance(root, dict) or "object" not in root or not isinstance(root.get("entry"), list):
        raise WebhookError("not a webhook envelope: expected a JSON object with 'object' and an 'entry' list")
    events: list[Event] = []
    for entry in root["entry"]:
        changes = entry.get("changes") if isinstance(entry, dict) else None
        if not isinstance(changes, list):
            events.append(Unknown(raw=entry))
            continue
        waba_id = entry.get("id")
        waba_id = str(waba_id) if isinstance(waba_id, str | int) else None
        time = entry.get("time") if isinstance(entry.get("time"), int) else None
        for change in changes:
            _salvage_change(events, change, waba_id, time)
    return events


def _salvage_change(events: list[Event], change: Any, waba_id: str | None, time: int | None) -> None:
    value = change.get("value") if isinstance(change, dict) else None
    field = change.get("field") if isinstance(change, dict) else None
    field = field if isinstance(field, str) else None
    try:
        typed = msgspec.convert(change, WireChange)
    except msgspec.ValidationError:
        pass
    else:
        _change_events(events, typed, waba_id, time, _dict_thunk(value))
        return
    if field != "messages" or not isinstance(value, dict):
        events.append(Unknown(raw=value if value is not None else change, field=field, waba_id=waba_id))
        return
    # A messages change with a bad item: type the others one by one and keep the bad ones raw, in order.
    try:
        rest = {k: v for k, v in value.items() if k not in ("messages", "statuses")}
        shell = msgspec.convert(rest, WireValue)
    except msgspec.ValidationError:
        events.append(Unknown(raw=value, field=field, waba_id=waba_id))
        return
    ctx = _Ctx.of(shell, waba_id)
    for key in ("messages", "statuses"):
        raw_items = value.get(key)
        for raw in raw_items if isinstance(raw_items, list) else [] if raw_items is None else [raw_items]:
            try:
                if key == "messages":
                    _one_message(events, msgspec.convert(raw, WireMessage), ctx, _dict_thunk(raw), ())
                else:
                    _one_status(events, msgspec.convert(raw, WireStatus), ctx, _dict_thunk(raw), ())
            except msgspec.ValidationError:
                events.append(Unknown(raw=raw, field=field, waba_id=waba_id))
    if shell.errors:
        events.append(ctx.error_event(shell))


def _dict_thunk(value: Any) -> Callable[..., Any]:
    def get(*path: str | int) -> Any:
        node = value
        for key in path:
            node = node[key]
        return node

    return get


def _change_events(
    events: list[Event],
    change: WireChange,
    waba_id: str | None,
    time: int | None,
    raw: Callable[..., Any],
) -> None:
    value = change.value
    if value is None:
        events.append(Unknown(raw=None, field=change.field, waba_id=waba_id))
    elif change.field == "messages" and (value.messages or value.statuses or value.errors):
        ctx = _Ctx.of(value, waba_id)
        for mi, m in enumerate(value.messages):
            _one_message(events, m, ctx, raw, ("messages", mi))
        for si, s in enumerate(value.statuses):
            _one_status(events, s, ctx, raw, ("statuses", si))
        if value.errors:
            events.append(ctx.error_event(value))
    elif change.field == "message_template_status_update" and value.event and value.message_template_id:
        try:
            events.append(_template_status(value, waba_id, time))
        except ValueError:
            events.append(Unknown(raw=raw(), field=change.field, waba_id=waba_id))
    else:
        events.append(Unknown(raw=raw(), field=change.field, waba_id=waba_id))


class _Ctx(NamedTuple):
    """What every event of one ``value`` shares."""

    waba_id: str | None
    number_id: str | None
    display: str | None
    names: dict[str | None, str | None]

    @classmethod
    def of(cls, value: WireValue, waba_id: str | None) -> _Ctx:
        meta = value.metadata
        names = {c.wa_id: c.profile.name for c in value.contacts if c.profile is not None}
        if meta is None:
            return cls(waba_id, None, None, names)
        return cls(waba_id, meta.phone_number_id, meta.display_phone_number, names)

    def error_event(self, value: WireValue) -> ErrorEvent:
        return ErrorEvent(
            errors=[e.detail() for e in value.errors],
            waba_id=self.waba_id,
            phone_number_id=self.number_id,
            display_phone_number=self.display,
        )


def _one_message(
    events: list[Event], m: WireMessage, ctx: _Ctx, raw: Callable[..., Any], path: tuple[str | int, ...]
) -> None:
    try:
        msg = _message(m, ctx)
    except ValueError:  # e.g. a timestamp that is not Unix seconds
        msg = None
    events.append(msg if msg is not None else Unknown(raw=raw(*path), field="messages", waba_id=ctx.waba_id))


def _one_status(
    events: list[Event], s: WireStatus, ctx: _Ctx, raw: Callable[..., Any], path: tuple[str | int, ...]
) -> None:
    try:
        events.append(_status(s, ctx))
    except ValueError:
        events.append(Unknown(raw=raw(*path), field="messages", waba_id=ctx.waba_id))


@functools.lru_cache(maxsize=1024)  # a batch of statuses shares a few timestamps; datetimes are immutable
def _when(stamp: Stamp) -> datetime:
    try:
        return datetime.fromtimestamp(int(stamp), UTC)
    except (OverflowError, OSError) as e:
        raise ValueError(f"timestamp out of range: {stamp!r}") from e


def _message(m: WireMessage, ctx: _Ctx) -> Message | None:
    """The typed message for ``m``, or None when its type (or its payload) is one the parser does not know."""
    common: dict[str, Any] = {
        "id": m.id,
        "from_": m.from_,
        "timestamp": _when(m.timestamp),
        "type": m.type,
        "context": m.context,
        "waba_id": ctx.waba_id,
        "phone_number_id": ctx.number_id,
        "display_phone_number": ctx.display,
        "contact_name": ctx.names.get(m.from_),
    }
    t = m.type
    if t == "text" and m.text is not None:
        referral = m.referral.public() if m.referral is not None else None
        return TextMessage(body=m.text.body, referral=referral, **common)
    if t in _MEDIA and (media := getattr(m, t)) is not None:
        cls = _MEDIA[t]
        media_fields = {"media_id": media.id, "mime_type": media.mime_type, "sha256": media.sha256, "url": media.url}
        if cls in (ImageMessage, VideoMessage, DocumentMessage):
            media_fields["caption"] = media.caption
        if cls is DocumentMessage:
            media_fields["filename"] = media.filename
        elif cls is AudioMessage:
            media_fields["voice"] = media.voice
        elif cls is StickerMessage:
            media_fields["animated"] = media.animated
        return cls(**media_fields, **common)
    if t == "location" and (loc := m.location) is not None:
        return LocationMessage(
            latitude=loc.latitude, longitude=loc.longitude, name=loc.name, address=loc.address, url=loc.url, **common
        )
    if t == "contacts" and m.contacts is not None:
        return _ContactsMessage(contacts=m.contacts, **common)
    if t == "interactive" and (i := m.interactive) is not None:
        choice: ButtonReply | ListReply | FlowReply
        if i.type == "button_reply" and i.button_reply is not None:
            choice = ButtonReply(id=i.button_reply.id, title=i.button_reply.title)
        elif i.type == "list_reply" and i.list_reply is not None:
            lr = i.list_reply
            choice = ListReply(id=lr.id, title=lr.title, description=lr.description)
        elif i.type == "nfm_reply" and i.nfm_reply is not None:
            nr = i.nfm_reply
            choice = FlowReply(response_json=nr.response_json, body=nr.body, name=nr.name)
        else:
            return None
        return InteractiveMessage(choice=choice, **common)
    if t == "button" and m.button is not None:
        return ButtonMessage(payload=m.button.payload, text=m.button.text, **common)
    if t == "reaction" and m.reaction is not None:
        # Removing a reaction omits the emoji (or sends an empty one): both become None (FACTS §5.4).
        emoji = m.reaction.emoji or None
        return ReactionMessage(message_id=m.reaction.message_id, emoji=emoji, **common)
    if t == "order" and (o := m.order) is not None:
        return OrderMessage(catalog_id=o.catalog_id, text=o.text, product_items=o.product_items, **common)
    if t == "system" and (s := m.system) is not None:
        return SystemMessage(body=s.body, wa_id=s.wa_id, system_type=s.type, **common)
    if t in ("unsupported", "unknown"):
        return UnsupportedMessage(errors=[e.detail() for e in m.errors], **common)
    return None


_MEDIA: dict[str, type[ImageMessage | VideoMessage | AudioMessage | DocumentMessage | StickerMessage]] = {
    "image": ImageMessage,
    "video": VideoMessage,
    "audio": AudioMessage,
    "document": DocumentMessage,
    "sticker": StickerMessage,
}


def _status(s: WireStatus, ctx: _Ctx) -> Status:
    conversation = None
    if (c := s.conversation) is not None:
        expires = _when(c.expiration_timestamp) if c.expiration_timestamp is not None else None
        origin = c.origin.type if c.origin is not None else None
        conversation = ConversationInfo(id=c.id, origin_type=origin, expiration_timestamp=expires)
    pricing = None
    if (p := s.pricing) is not None:
        pricing = Pricing(billable=p.billable, pricing_model=p.pricing_model, type=p.type, category=p.category)
    return Status(
        id=s.id,
        status=s.status,
        recipient_id=s.recipient_id,
        timestamp=_when(s.timestamp),
        errors=[e.detail() for e in s.errors] if s.errors else [],
        callback_data=s.biz_opaque_callback_data,
        conversation=conversation,
        pricing=pricing,
        recipient_type=s.recipient_type,
        waba_id=ctx.waba_id,
        phone_number_id=ctx.number_id,
        display_phone_number=ctx.display,
    )


def _template_status(v: WireValue, waba_id: str | None, time: int | None) -> TemplateStatus:
    assert v.event is not None and v.message_template_id is not None
    return TemplateStatus(
        event=v.event,
        message_template_id=v.message_template_id,
        name=v.message_template_name,
        language=v.message_template_language,
        reason=v.reason,
        category=v.message_template_category,
        rejection_reason=v.rejection_info.reason if v.rejection_info is not None else None,
        recommendation=v.rejection_info.recommendation if v.rejection_info is not None else None,
        other_info_title=v.other_info.title if v.other_info is not None else None,
        other_info_description=v.other_info.description if v.other_info is not None else None,
        disable_date=v.disable_info.disable_date if v.disable_info is not None else None,
        timestamp=_when(time) if time is not None else None,
        waba_id=waba_id,
    )
