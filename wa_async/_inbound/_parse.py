"""`parse(body)`: a webhook body to typed events, every entry, change, message and status in order.

The whole envelope is decoded in one msgspec pass into the wire structs of `_wire`. Only when that fails on a
shape it does not expect, or meets a kind it does not know, does it fall back to plain JSON, so the unknown
part is kept as `Unknown` and the rest still comes out typed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from wa_async._errors import WebhookError

from ._build import message, status
from ._build_fields import FIELDS, numbers_as_strings, value_errors
from ._context import Ctx
from ._events import Event, Unknown
from ._wire import WireChange, WireEnvelope, WireValue

__all__ = ["parse"]

# Non-strict: Meta writes Unix seconds as strings in some places and integers in others.
_ENVELOPE = msgspec.json.Decoder(WireEnvelope, strict=False)
_ANY = msgspec.json.Decoder()

# The lists of each field whose items become events, in the order they are emitted: the slow path types them
# one by one, so one odd item does not take its neighbours down with it.
_ITEMS: dict[str, tuple[str, ...]] = {
    "messages": ("messages", "statuses"),
    "user_preferences": ("user_preferences",),
    "user_id_update": ("user_id_update",),
    "smb_message_echoes": ("message_echoes",),
    "history": ("history", "messages"),
    "smb_app_state_sync": ("state_sync",),
    "calls": ("calls", "statuses"),
    "group_lifecycle_update": ("groups",),
    "group_participants_update": ("groups",),
    "group_settings_update": ("groups",),
    "group_status_update": ("groups",),
}


_GROUP_FIELDS = frozenset(k for k, v in _ITEMS.items() if v == ("groups",))


def parse(body: bytes | str) -> list[Event]:
    """Every event in a webhook body, in delivery order.

    Kinds the parser does not know come back as `Unknown` with their raw JSON.

    Args:
        body: the request body exactly as received.

    Returns:
        The events: messages, statuses, and one event per item of every other field.

    Raises:
        WebhookError: the body is not JSON (including invalid UTF-8 inside a string, or nesting too deep to
            decode) or not a webhook envelope (an object with `object` and an `entry` list).
    """
    try:
        try:
            envelope = _ENVELOPE.decode(body)
        except msgspec.ValidationError:
            return _parse_loose(body)
        events: list[Event] = []
        for ei, entry in enumerate(envelope.entry):
            for ci, change in enumerate(entry.changes):
                _change_events(events, change, entry.id, entry.time, body, ei, ci, None)
        return events
    except (msgspec.DecodeError, UnicodeError) as e:
        raise WebhookError(f"webhook body is not valid JSON: {e}") from None
    except RecursionError:
        raise WebhookError("webhook body is nested too deeply to be a webhook") from None


def _change_events(
    events: list[Event],
    change: WireChange,
    waba_id: str | None,
    time: datetime | None,
    body: bytes | str | None,
    entry: int,
    index: int,
    raw: Any,
) -> None:
    """The events of change `index` of entry `entry`; its raw JSON is `raw`, or is decoded from `body` if needed."""
    value, field = change.value, change.field
    if value is None:
        events.append(Unknown(raw=None, field=field, waba_id=waba_id, time=time))
        return
    ctx = Ctx(value, field, waba_id, time, body, entry, index, raw)
    if field == "messages":
        known = _messages(events, value, ctx)
    elif (build := FIELDS.get(field or "")) is not None:
        known = build(events, value, ctx, message)
        if value.errors:
            value_errors(events, value, ctx)
            known = True
    else:
        known = False
    if not known:
        events.append(Unknown(raw=ctx.raw(), field=field, time=time, **ctx.ids()))


def _messages(events: list[Event], value: WireValue, ctx: Ctx) -> bool:
    for mi, m in enumerate(value.messages):
        try:
            msg = message(m, ctx)
        except ValueError:  # no sender at all
            msg = None
        if msg is None:
            events.append(Unknown(raw=ctx.raw("messages", mi), field=ctx.field, time=ctx.time, id=m.id, **ctx.ids()))
        else:
            events.append(msg)
    for s in value.statuses:
        events.append(status(s, ctx))
    if value.errors:
        value_errors(events, value, ctx)
        return True
    return bool(value.messages or value.statuses)


# -- the slow path: JSON that is not the typed envelope --------------------------------------------------------


def _parse_loose(body: bytes | str) -> list[Event]:
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
        time = _time(entry.get("time"))
        for change in changes:
            _salvage_change(events, change, waba_id, time)
    return events


def _time(stamp: Any) -> datetime | None:
    try:
        return msgspec.convert(stamp, datetime | None, strict=False)
    except msgspec.ValidationError:
        return None


def _salvage_change(events: list[Event], change: Any, waba_id: str | None, time: datetime | None) -> None:
    value = change.get("value") if isinstance(change, dict) else None
    field = change.get("field") if isinstance(change, dict) else None
    field = field if isinstance(field, str) else None
    if field in _GROUP_FIELDS:
        numbers_as_strings(value)
    try:
        typed = msgspec.convert(change, WireChange, strict=False)
    except msgspec.ValidationError:
        pass
    else:
        _change_events(events, typed, waba_id, time, None, 0, 0, value)
        return
    keys = _ITEMS.get(field or "")
    unknown = {"raw": value if value is not None else change, "field": field, "waba_id": waba_id, "time": time}
    if keys is None or not isinstance(value, dict):
        events.append(Unknown(**unknown))
        return
    # A change with a bad item: type the others one by one and keep the bad ones raw, in order.
    try:
        rest = {k: v for k, v in value.items() if k not in keys and k != "errors"}
        shell = msgspec.convert(rest, WireValue, strict=False)
    except msgspec.ValidationError:
        events.append(Unknown(**unknown))
        return
    ctx = Ctx(shell, field, waba_id, time)
    for key in keys:
        items = value.get(key)
        for item in items if isinstance(items, list) else [] if items is None else [items]:
            one = {**rest, key: [item]}
            try:
                typed_one = msgspec.convert(one, WireValue, strict=False)
            except msgspec.ValidationError:
                item_id = item.get("id") if key == "messages" and isinstance(item, dict) else None
                events.append(
                    Unknown(raw=item, field=field, time=time, id=item_id if isinstance(item_id, str) else None,
                            **ctx.ids())
                )  # fmt: skip
                continue
            one_ctx = Ctx(typed_one, field, waba_id, time, raw=one)
            if field == "messages":
                _messages(events, typed_one, one_ctx)
            else:
                FIELDS[field or ""](events, typed_one, one_ctx, message)
    errors = value.get("errors")
    if errors:
        try:
            value_errors(events, msgspec.convert({"errors": errors}, WireValue, strict=False), ctx)
        except msgspec.ValidationError:
            events.append(Unknown(raw={"errors": errors}, field=field, time=time, **ctx.ids()))
