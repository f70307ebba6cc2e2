"""Build the events of the fields beyond `messages` from their wire structs, one function per field.

Each builder appends the events of one `value` and returns whether it recognised anything; the parser keeps
a value nothing recognised as `Unknown`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._account_events import (
    AccountUpdate,
    BusinessCapabilityUpdate,
    BusinessUsernameUpdate,
    PhoneNumberQualityUpdate,
    TemplateCategoryUpdate,
    TemplateComponentsUpdate,
    TemplateQualityUpdate,
    TemplateStatus,
)
from ._call_group_events import CallEvent
from ._context import Ctx
from ._events import ErrorEvent, Event, Message, Unknown
from ._user_events import AppStateSync, HistoryMessage, HistorySync, HistoryThread, MessageEcho, UserIdUpdate
from ._wire import (
    ANY_CONTENT_TYPES,
    WireAnyContent,
    WireHistoryMessage,
    WireValue,
)

__all__ = ["FIELDS", "Builder"]

Builder = Callable[[list[Event], WireValue, Ctx, Callable[[Any, Ctx], Message | None]], bool]


def _templates_common(v: WireValue, ctx: Ctx) -> dict[str, Any]:
    return {
        "message_template_id": v.message_template_id,
        "name": v.message_template_name,
        "language": v.message_template_language,
        "timestamp": ctx.time,
        **ctx.ids(),
    }


def template_status(events: list[Event], v: WireValue, ctx: Ctx, _: Any) -> bool:
    if not v.event or v.message_template_id is None:
        return False
    rejection, other = v.rejection_info, v.other_info
    events.append(
        TemplateStatus(
            event=v.event,
            reason=v.reason,
            category=v.message_template_category,
            rejection_reason=rejection.reason if rejection is not None else None,
            recommendation=rejection.recommendation if rejection is not None else None,
            other_info_title=other.title if other is not None else None,
            other_info_description=other.description if other is not None else None,
            disable_date=v.disable_info.disable_date if v.disable_info is not None else None,
            **_templates_common(v, ctx),
        )
    )
    return True


def template_quality(events: list[Event], v: WireValue, ctx: Ctx, _: Any) -> bool:
    if v.message_template_id is None or not v.new_quality_score:
        return False
    events.append(
        TemplateQualityUpdate(
            previous_quality_score=v.previous_quality_score,
            new_quality_score=v.new_quality_score,
            **_templates_common(v, ctx),
        )
    )
    return True


def template_category(events: list[Event], v: WireValue, ctx: Ctx, _: Any) -> bool:
    if v.message_template_id is None or not (v.new_category or v.correct_category):
        return False
    events.append(
        TemplateCategoryUpdate(
            new_category=v.new_category,
            previous_category=v.previous_category,
            correct_category=v.correct_category,
            category_update_timestamp=v.category_update_timestamp,
            **_templates_common(v, ctx),
        )
    )
    return True


def template_components(events: list[Event], v: WireValue, ctx: Ctx, _: Any) -> bool:
    if v.message_template_id is None:
        return False
    events.append(
        TemplateComponentsUpdate(
            element=v.message_template_element,
            title=v.message_template_title,
            footer=v.message_template_footer,
            buttons=v.message_template_buttons,
            **_templates_common(v, ctx),
        )
    )
    return True


def account_update(events: list[Event], v: WireValue, ctx: Ctx, _: Any) -> bool:
    if not v.event:
        return False
    events.append(
        AccountUpdate(
            event=v.event,
            timestamp=ctx.time,
            restriction_info=v.restriction_info,
            violation_info=v.violation_info,
            waba_info=v.waba_info,
            auth_international_rate_eligibility=v.auth_international_rate_eligibility,
            country=v.country,
            ban_info=v.ban_info,
            partner_client_certification_info=v.partner_client_certification_info,
            volume_tier_info=v.volume_tier_info,
            disconnection_info=v.disconnection_info,
            **ctx.ids(),
        )
    )
    return True


def phone_number_quality(events: list[Event], v: WireValue, ctx: Ctx, _: Any) -> bool:
    if not v.event:
        return False
    tier = v.max_daily_conversations_per_business
    events.append(
        PhoneNumberQualityUpdate(
            event=v.event,
            timestamp=ctx.time,
            max_daily_conversations_per_business=str(tier) if tier is not None else None,
            current_limit=v.current_limit,
            old_limit=v.old_limit,
            **ctx.ids(),
        )
    )
    return True


def business_capability(events: list[Event], v: WireValue, ctx: Ctx, _: Any) -> bool:
    limits = (
        v.max_daily_conversations_per_business,
        v.max_phone_numbers_per_waba,
        v.max_phone_numbers_per_business,
        v.max_daily_conversation_per_phone,
    )
    if all(x is None for x in limits):
        return False
    events.append(
        BusinessCapabilityUpdate(
            timestamp=ctx.time,
            max_daily_conversations_per_business=limits[0],
            max_phone_numbers_per_waba=limits[1],
            max_phone_numbers_per_business=limits[2],
            max_daily_conversation_per_phone=limits[3],
            **ctx.ids(),
        )
    )
    return True


def business_username(events: list[Event], v: WireValue, ctx: Ctx, _: Any) -> bool:
    if not v.status:
        return False
    events.append(BusinessUsernameUpdate(status=v.status, username=v.username, timestamp=ctx.time, **ctx.ids()))
    return True


def user_preferences(events: list[Event], v: WireValue, ctx: Ctx, _: Any) -> bool:
    for p in v.user_preferences:  # decoded from the wire as they are
        p.waba_id, p.phone_number_id, p.display_phone_number = ctx.waba_id, ctx.number_id, ctx.display
        p.wa_id = p.wa_id or None
        if ctx.has_contacts:
            p.contact = ctx.contact(p.wa_id, p.user_id)
        events.append(p)
    return bool(v.user_preferences)


def user_id_update(events: list[Event], v: WireValue, ctx: Ctx, _: Any) -> bool:
    for i, u in enumerate(v.user_id_update):
        if not u.user_id.current:
            events.append(_unknown(ctx.raw("user_id_update", i), ctx))
            continue
        parent = u.parent_user_id
        wa_id = u.wa_id or None
        events.append(
            UserIdUpdate(
                user_id=u.user_id.current,
                previous_user_id=u.user_id.previous or None,
                parent_user_id=(parent.current or None) if parent is not None else None,
                previous_parent_user_id=(parent.previous or None) if parent is not None else None,
                wa_id=wa_id,
                detail=u.detail,
                timestamp=u.timestamp,
                contact=ctx.contact(wa_id, u.user_id.previous, u.user_id.current),
                **ctx.ids(),
            )
        )
    return bool(v.user_id_update)


# Types whose message carries no object of their own.
_NO_CONTENT = frozenset({"media_placeholder", "unsupported", "unknown"})


def _content(item: WireAnyContent, ctx: Ctx, *path: str | int) -> Any:
    if item.type in ANY_CONTENT_TYPES:
        return getattr(item, item.type)
    if item.type in _NO_CONTENT:
        return None
    try:  # a type this version does not name: take it from the raw JSON
        return ctx.raw(*path, item.type)
    except (KeyError, IndexError, TypeError):
        return None


def _body(content: Any) -> str | None:
    if isinstance(content, dict):
        text = content.get("body", content.get("caption"))
        return text if isinstance(text, str) else None
    return None


def _original(content: Any) -> str | None:
    if isinstance(content, dict):
        original = content.get("original_message_id")
        return original if isinstance(original, str) else None
    return None


def message_echoes(events: list[Event], v: WireValue, ctx: Ctx, _: Any) -> bool:
    for i, e in enumerate(v.message_echoes):
        content = _content(e, ctx, "message_echoes", i)
        to, to_uid = e.to or None, e.to_user_id or None
        events.append(
            MessageEcho(
                id=e.id,
                type=e.type,
                timestamp=e.timestamp,
                from_=e.from_ or None,
                to=to,
                to_user_id=to_uid,
                to_parent_user_id=e.to_parent_user_id or None,
                body=_body(content),
                content=content,
                original_message_id=_original(content),
                contact=ctx.contact(to, to_uid),
                **ctx.ids(),
            )
        )
    return bool(v.message_echoes)


def _history_message(m: WireHistoryMessage, ctx: Ctx, *path: str | int) -> HistoryMessage:
    content = _content(m, ctx, *path)
    return HistoryMessage(
        id=m.id,
        type=m.type,
        timestamp=m.timestamp,
        from_=m.from_ or None,
        from_user_id=m.from_user_id or None,
        from_parent_user_id=m.from_parent_user_id or None,
        to=m.to or None,
        to_user_id=m.to_user_id or None,
        status=m.history_context.status if m.history_context is not None else None,
        body=_body(content),
        content=content,
    )


def history(events: list[Event], v: WireValue, ctx: Ctx, message: Callable[[Any, Ctx], Message | None]) -> bool:
    for hi, h in enumerate(v.history):
        threads = []
        for ti, t in enumerate(h.threads):
            c = t.context
            threads.append(
                HistoryThread(
                    id=t.id or None,
                    wa_id=(c.wa_id or None) if c is not None else None,
                    user_id=(c.user_id or None) if c is not None else None,
                    parent_user_id=(c.parent_user_id or None) if c is not None else None,
                    username=c.username if c is not None else None,
                    messages=[
                        _history_message(m, ctx, "history", hi, "threads", ti, "messages", mi)
                        for mi, m in enumerate(t.messages)
                    ],
                )
            )
        meta = h.metadata
        events.append(
            HistorySync(
                phase=meta.phase if meta is not None else None,
                chunk_order=meta.chunk_order if meta is not None else None,
                progress=meta.progress if meta is not None else None,
                threads=threads,
                errors=h.errors,
                **ctx.ids(),
            )
        )
    if v.messages:  # the media of recent messages, shaped like inbound messages
        typed: list[Message] = []
        for mi, m in enumerate(v.messages):
            try:
                msg = message(m, ctx)
            except ValueError:
                msg = None
            if msg is None:
                events.append(_unknown(ctx.raw("messages", mi), ctx))
            else:
                typed.append(msg)
        if typed:
            events.append(HistorySync(messages=typed, **ctx.ids()))
    return bool(v.history or v.messages)


def state_sync(events: list[Event], v: WireValue, ctx: Ctx, _: Any) -> bool:
    for s in v.state_sync:
        events.append(
            AppStateSync(
                type=s.type,
                action=s.action,
                contact=s.contact,
                timestamp=s.metadata.timestamp if s.metadata is not None else None,
                **ctx.ids(),
            )
        )
    return bool(v.state_sync)


def calls(events: list[Event], v: WireValue, ctx: Ctx, _: Any) -> bool:
    for c in v.calls:  # decoded from the wire as they are
        c.waba_id, c.phone_number_id, c.display_phone_number = ctx.waba_id, ctx.number_id, ctx.display
        c.from_, c.to = c.from_ or None, c.to or None
        if ctx.has_contacts:
            user = (c.from_, c.from_user_id) if c.direction == "USER_INITIATED" else (c.to, c.to_user_id)
            c.contact = ctx.contact(*user)
        events.append(c)
    for s in v.statuses:  # a business-initiated call's RINGING, ACCEPTED, REJECTED: the user is the recipient
        to, to_uid = s.recipient_id or None, s.recipient_user_id or None
        events.append(
            CallEvent(
                id=s.id,
                event="status",
                timestamp=s.timestamp,
                status=s.status,
                to=to,
                to_user_id=to_uid,
                to_parent_user_id=s.recipient_parent_user_id,
                callback_data=s.callback_data,
                errors=s.errors,
                contact=ctx.contact(to, to_uid),
                **ctx.ids(),
            )
        )
    return bool(v.calls or v.statuses)


def groups(events: list[Event], v: WireValue, ctx: Ctx, _: Any) -> bool:
    for g in v.groups:  # decoded from the wire as they are: say which field and number they came from
        g.field = ctx.field or ""
        g.waba_id, g.phone_number_id, g.display_phone_number = ctx.waba_id, ctx.number_id, ctx.display
        events.append(g)
    return bool(v.groups)


def numbers_as_strings(value: Any) -> None:
    """Write the participants' numbers of a group value as strings, in place.

    Meta's OpenAPI example gives `input` and `wa_id` as JSON numbers where the pages give strings; the slow
    path calls this before typing such a value.
    """
    groups = value.get("groups") if isinstance(value, dict) else None
    for g in groups if isinstance(groups, list) else []:
        if not isinstance(g, dict):
            continue
        if isinstance(g.get("wa_id"), int):
            g["wa_id"] = str(g["wa_id"])
        for key in ("added_participants", "removed_participants", "failed_participants"):
            for p in g.get(key) or []:
                if isinstance(p, dict):
                    for k in ("input", "wa_id"):
                        if isinstance(p.get(k), int):
                            p[k] = str(p[k])


def value_errors(events: list[Event], v: WireValue, ctx: Ctx) -> None:
    """`value.errors`: errors not tied to one item, as one `ErrorEvent`."""
    if v.errors:
        events.append(ErrorEvent(errors=v.errors, **ctx.ids()))


def _unknown(raw: Any, ctx: Ctx) -> Event:
    return Unknown(raw=raw, field=ctx.field, time=ctx.time, **ctx.ids())


FIELDS: dict[str, Builder] = {
    "message_template_status_update": template_status,
    "message_template_quality_update": template_quality,
    "template_category_update": template_category,
    "template_correct_category_detection": template_category,
    "message_template_components_update": template_components,
    "account_update": account_update,
    "phone_number_quality_update": phone_number_quality,
    "business_capability_update": business_capability,
    "business_username_updates": business_username,
    "user_preferences": user_preferences,
    "user_id_update": user_id_update,
    "smb_message_echoes": message_echoes,
    "history": history,
    "smb_app_state_sync": state_sync,
    "calls": calls,
    "group_lifecycle_update": groups,
    "group_participants_update": groups,
    "group_settings_update": groups,
    "group_status_update": groups,
}
"""The builder of each field the parser knows, beyond `messages` (which `_parse` builds itself)."""
