"""What users and Meta do, as webhooks in Meta's shape: users who write, edit, call, opt out or change their
BSUID, and updates to the account, its templates and its groups.

Every user has a business-scoped user ID (BSUID), as Meta has put in webhooks since April 2026; a user made
without a phone number is one who hides it behind a username. `Emitting` is the part of the `Emulator` that
posts these webhooks, signed like its status webhooks.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ._validate import normalize_to

if TYPE_CHECKING:
    from ._send import Messages
    from ._webhooks import WebhookSender
    from ._windows import Windows

__all__ = ["DEFAULT_USER", "Emitting", "User", "Users", "bsuid_for", "inbound_message"]

DEFAULT_USER = "16505551234"

# Fields whose value names the business number (`messaging_product` + `metadata`); the others (account and
# template fields) carry the entry's time instead.
_NUMBER_FIELDS = frozenset({
    "messages", "calls", "user_preferences", "user_id_update", "history", "smb_message_echoes",
    "smb_app_state_sync", "group_lifecycle_update", "group_participants_update", "group_settings_update",
    "group_status_update",
})  # fmt: skip

_SDP_OFFER = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"


def bsuid_for(phone: str) -> str:
    """A stable made-up BSUID for `phone`: `US.` and 19 digits (the shape of Meta's examples)."""
    digest = hashlib.sha256(phone.encode()).digest()
    return f"US.{int.from_bytes(digest[:8], 'big') % 10**19:019d}"


@dataclass(slots=True)
class User:
    """A WhatsApp user as webhooks show them: `phone` is None when they hide it behind a username."""

    user_id: str
    phone: str | None = None
    parent_user_id: str | None = None
    username: str | None = None
    name: str | None = "Test User"

    def contact(self, *, username: bool = True) -> dict[str, Any]:
        """This user's `contacts[]` entry."""
        profile: dict[str, Any] = {}
        if self.name is not None:
            profile["name"] = self.name
        if username and self.username is not None:
            profile["username"] = self.username
        entry: dict[str, Any] = {"profile": profile} if profile else {}
        return entry | self.ids()

    def ids(self) -> dict[str, Any]:
        """This user's `wa_id` (when known), `user_id` and `parent_user_id` (when set), as webhooks name them."""
        ids: dict[str, Any] = {} if self.phone is None else {"wa_id": self.phone}
        ids["user_id"] = self.user_id
        if self.parent_user_id is not None:
            ids["parent_user_id"] = self.parent_user_id
        return ids


class Users:
    """The users the emulator knows, by phone number and by BSUID."""

    __slots__ = ("_by_key",)

    def __init__(self) -> None:
        self._by_key: dict[str, User] = {}

    def __repr__(self) -> str:
        return f"<Users {len({id(u) for u in self._by_key.values()})}>"

    def find(self, key: str | None) -> User | None:
        """The user known by a phone number (any spelling) or a BSUID."""
        if not key:
            return None
        return self._by_key.get(normalize_to(key) or key)

    def get(
        self,
        phone: str | None,
        *,
        user_id: str | None = None,
        parent_user_id: str | None = None,
        username: str | None = None,
        name: str | None = None,
    ) -> User:
        """The user with this phone or BSUID, made on first use; given details update it."""
        digits = (normalize_to(phone) or phone) if phone else None
        user = self.find(digits) or self.find(user_id)
        if user is None:
            if digits is None and user_id is None:
                raise ValueError("a user needs a phone number or a user_id (BSUID)")
            user = User(user_id=user_id or bsuid_for(digits or ""), phone=digits)
        if user_id is not None and user_id != user.user_id:
            self._by_key.pop(user.user_id, None)
            user.user_id = user_id
        user.phone = digits if digits is not None else user.phone
        user.parent_user_id = parent_user_id if parent_user_id is not None else user.parent_user_id
        user.username = username if username is not None else user.username
        user.name = name if name is not None else user.name
        self._index(user)
        return user

    def renamed(self, user: User, user_id: str, parent_user_id: str | None = None) -> None:
        """`user` got a new BSUID (and parent BSUID)."""
        self._by_key.pop(user.user_id, None)
        user.user_id = user_id
        if parent_user_id is not None:
            user.parent_user_id = parent_user_id
        self._index(user)

    def _index(self, user: User) -> None:
        if user.phone is not None:
            self._by_key[user.phone] = user
        self._by_key[user.user_id] = user


def inbound_message(
    *,
    wamid: str,
    from_: str | None,
    timestamp: str,
    user_id: str | None = None,
    parent_user_id: str | None = None,
    text: str | None = None,
    button_reply: tuple[str, str] | None = None,
    list_reply: tuple[str, str] | tuple[str, str, str] | None = None,
    reaction: tuple[str, str] | None = None,
    image: dict[str, Any] | None = None,
    content: tuple[str, dict[str, Any]] | None = None,
    context: dict[str, str] | None = None,
    group_id: str | None = None,
    errors: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """One `messages[]` item; exactly one of the content arguments must be given.

    `content` is any other type as `(type, object)`, e.g. `("edit", {...})`.
    """
    given = [a is not None for a in (text, button_reply, list_reply, reaction, image, content)]
    if sum(given) != 1:
        raise ValueError("give exactly one of text, button_reply, list_reply, reaction, a media object, location")
    message: dict[str, Any] = {}
    if from_ is not None:
        message["from"] = from_
    if user_id is not None:
        message["from_user_id"] = user_id
    if parent_user_id is not None:
        message["from_parent_user_id"] = parent_user_id
    message |= {"id": wamid, "timestamp": timestamp}
    if group_id is not None:
        message["group_id"] = group_id
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
    elif image is not None:
        message |= {"type": "image", "image": image}
    elif content is not None:
        message |= {"type": content[0], content[0]: content[1]}
    if errors:
        message["errors"] = errors
    return message


class Emitting:
    """The webhooks an `Emulator` posts on request: users' messages and actions, account and template events.

    Each method posts one signed delivery to `webhook_url` and returns the id of what it made (a wamid, a
    call id, a BSUID) or, for `emit`, whether the receiver answered 2xx.
    """

    # Set by the Emulator.
    phone_number_id: str
    display_phone_number: str
    waba_id: str
    users: Users
    windows: Windows
    messages: Messages
    _webhooks: WebhookSender | None

    def _now(self) -> float:
        raise NotImplementedError

    def _poster(self) -> WebhookSender:
        if self._webhooks is None:
            raise RuntimeError("emitting webhooks needs the emulator's webhook_url")
        return self._webhooks

    async def emit(
        self,
        field: str,
        value: dict[str, Any],
        *,
        phone_number_id: str | None = None,
        time: int | None = None,
    ) -> bool:
        """Post a delivery of `field` carrying `value`, as it is; True when the receiver answered 2xx.

        For a field tied to a business number (`messages`, `calls`, `user_preferences`, groups, ...) the value
        gets `messaging_product` and `metadata` unless it has them; the others (account and template fields)
        get the entry's `time` (now unless given).
        """
        poster = self._poster()
        entry: dict[str, Any] = {"id": self.waba_id}
        if field in _NUMBER_FIELDS:
            if "metadata" not in value:
                metadata = {
                    "display_phone_number": self.display_phone_number,
                    "phone_number_id": phone_number_id or self.phone_number_id,
                }
                value = {"messaging_product": "whatsapp", "metadata": metadata, **value}
        else:
            entry["time"] = time if time is not None else _wall()
        entry["changes"] = [{"value": value, "field": field}]
        return await poster.post({"object": "whatsapp_business_account", "entry": [entry]})

    def _user(
        self,
        from_: str | None,
        user_id: str | None,
        parent_user_id: str | None = None,
        username: str | None = None,
        name: str | None = None,
    ) -> User:
        return self.users.get(from_, user_id=user_id, parent_user_id=parent_user_id, username=username, name=name)

    async def inbound(
        self,
        from_: str | None = DEFAULT_USER,
        *,
        user_id: str | None = None,
        parent_user_id: str | None = None,
        username: str | None = None,
        text: str | None = None,
        button_reply: tuple[str, str] | None = None,
        list_reply: tuple[str, str] | tuple[str, str, str] | None = None,
        reaction: tuple[str, str] | None = None,
        image: dict[str, Any] | None = None,
        video: dict[str, Any] | None = None,
        audio: dict[str, Any] | None = None,
        document: dict[str, Any] | None = None,
        sticker: dict[str, Any] | None = None,
        location: dict[str, Any] | None = None,
        name: str = "Test User",
        context: str | None = None,
        group_id: str | None = None,
        errors: list[dict[str, Any]] | None = None,
        phone_number_id: str | None = None,
    ) -> str:
        """Post an inbound message webhook as if a user wrote to the business; return its wamid.

        Give one of `text`, `button_reply=(id, title)`, `list_reply=(id, title[, description])`,
        `reaction=(message_id, emoji)`, a media object (`image`, `video`, `audio`, `document`, `sticker`:
        `{"id", "mime_type", "sha256"?, "caption"?, "filename"?}`) or `location={"latitude", "longitude", ...}`;
        `context` is the wamid of the business message it answers. `from_=None` with `user_id` (and
        `username`) is a user who hides their number: the webhook carries only their BSUID. Every user has a
        BSUID (made up from the phone unless given). It opens the user's 24-hour window; with
        `enforce_window=True` and no `webhook_url` it only does that.
        """
        wamid, _ = await self._inbound(
            from_, user_id=user_id, parent_user_id=parent_user_id, username=username, text=text,
            button_reply=button_reply, list_reply=list_reply, reaction=reaction, image=image, video=video,
            audio=audio, document=document, sticker=sticker, location=location, name=name, context=context,
            group_id=group_id, errors=errors, phone_number_id=phone_number_id,
        )  # fmt: skip
        return wamid

    async def _inbound(
        self,
        from_: str | None = DEFAULT_USER,
        *,
        user_id: str | None = None,
        parent_user_id: str | None = None,
        username: str | None = None,
        text: str | None = None,
        button_reply: tuple[str, str] | None = None,
        list_reply: tuple[str, str] | tuple[str, str, str] | None = None,
        reaction: tuple[str, str] | None = None,
        image: dict[str, Any] | None = None,
        video: dict[str, Any] | None = None,
        audio: dict[str, Any] | None = None,
        document: dict[str, Any] | None = None,
        sticker: dict[str, Any] | None = None,
        location: dict[str, Any] | None = None,
        name: str = "Test User",
        context: str | None = None,
        group_id: str | None = None,
        errors: list[dict[str, Any]] | None = None,
        phone_number_id: str | None = None,
    ) -> tuple[str, bool]:
        """`inbound()`, and whether the receiver answered 2xx."""
        if self._webhooks is None and not self.messages.enforce_window:
            raise RuntimeError("inbound() needs webhook_url (or enforce_window=True, to open a window only)")
        user = self._user(from_, user_id, parent_user_id, username, name)
        pnid = phone_number_id or self.phone_number_id
        self._open_window(pnid, user)
        wamid = self.messages.new_wamid(user.phone or user.user_id)
        others = {"video": video, "audio": audio, "document": document, "sticker": sticker, "location": location}
        given = [(kind, obj) for kind, obj in others.items() if obj is not None]
        if len(given) > 1:
            raise ValueError("give exactly one of text, button_reply, list_reply, reaction, a media object, location")
        if self._webhooks is None:
            return wamid, False
        message = inbound_message(
            wamid=wamid,
            from_=from_ if user.phone is not None else None,
            user_id=user.user_id,
            parent_user_id=user.parent_user_id,
            timestamp=str(_wall()),
            text=text,
            button_reply=button_reply,
            list_reply=list_reply,
            reaction=reaction,
            image=image,
            content=(given[0][0], dict(given[0][1])) if given else None,
            context={"from": self.display_phone_number, "id": context} if context else None,
            group_id=group_id,
            errors=errors,
        )
        value = {"contacts": [user.contact()], "messages": [message]}
        return wamid, await self.emit("messages", value, phone_number_id=pnid)

    def _open_window(self, pnid: str, user: User) -> None:
        now = self._now()
        for key in (user.phone, user.user_id, user.parent_user_id):
            if key is not None:
                self.windows.opened(pnid, key, now)

    async def _user_message(self, user: User, kind: str, body: dict[str, Any], **extra: Any) -> str:
        wamid = self.messages.new_wamid(user.phone or user.user_id)
        message = inbound_message(
            wamid=wamid,
            from_=user.phone,
            user_id=user.user_id,
            parent_user_id=user.parent_user_id,
            timestamp=str(_wall()),
            content=(kind, body),
            **extra,
        )
        contacts = [user.contact()] if kind != "system" else []  # system messages carry no contacts
        value: dict[str, Any] = {"contacts": contacts, "messages": [message]} if contacts else {"messages": [message]}
        await self.emit("messages", value)
        return wamid

    async def edit(self, original_message_id: str, text: str, *, from_: str | None = DEFAULT_USER,
                   user_id: str | None = None) -> str:  # fmt: skip
        """Post that a user edited their text message `original_message_id` to `text`; return the edit's wamid."""
        user = self._user(from_, user_id)
        self._open_window(self.phone_number_id, user)
        edit = {"original_message_id": original_message_id, "message": {"type": "text", "text": {"body": text}}}
        return await self._user_message(user, "edit", edit)

    async def revoke(self, original_message_id: str, *, from_: str | None = DEFAULT_USER,
                     user_id: str | None = None) -> str:  # fmt: skip
        """Post that a user deleted their message `original_message_id`; return the revoke's wamid."""
        user = self._user(from_, user_id)
        return await self._user_message(user, "revoke", {"original_message_id": original_message_id})

    async def call_permission_reply(
        self,
        response: str = "accept",
        *,
        from_: str | None = DEFAULT_USER,
        user_id: str | None = None,
        permanent: bool = False,
        context: str | None = None,
    ) -> str:
        """Post a user's answer (`"accept"` or `"reject"`) to a call permission request; return its wamid."""
        user = self._user(from_, user_id)
        reply: dict[str, Any] = {"response": response, "is_permanent": permanent, "response_source": "user_action"}
        if not permanent and response == "accept":
            reply["expiration_timestamp"] = str(_wall() + 7 * 24 * 3600)  # a temporary permission lasts 7 days
        interactive = {"type": "call_permission_reply", "call_permission_reply": reply}
        ctx = {"from": self.display_phone_number, "id": context} if context else None
        return await self._user_message(user, "interactive", interactive, context=ctx)

    async def call(
        self,
        from_: str | None = DEFAULT_USER,
        *,
        user_id: str | None = None,
        event: str = "connect",
        call_id: str | None = None,
        direction: str = "USER_INITIATED",
        status: str | None = None,
        duration: int | None = None,
        callback_data: str | None = None,
    ) -> str:
        """Post a `calls` webhook about the user `from_`; return the call id.

        `event` is `"connect"` (with an SDP offer for a user-initiated call), `"terminate"` (`status`
        COMPLETED unless given, `duration` in seconds) or `"status"` (your call's RINGING, ACCEPTED or
        REJECTED, in `status`; business-initiated).
        """
        user = self._user(from_, user_id)
        call_id = call_id or "wacid." + self.messages.new_wamid(user.phone or user.user_id).removeprefix("wamid.")
        now = _wall()
        value: dict[str, Any] = {"contacts": [user.contact()]}
        if event == "status":
            item: dict[str, Any] = {"id": call_id, "timestamp": str(now), "type": "call",
                                    "status": status or "RINGING", "recipient_user_id": user.user_id}  # fmt: skip
            if user.phone is not None:
                item["recipient_id"] = user.phone
            if callback_data is not None:
                item["biz_opaque_callback_data"] = callback_data
            value["statuses"] = [item]
            await self.emit("calls", value)
            return call_id
        ends = _user_ends(user, "from" if direction == "USER_INITIATED" else "to")
        business = "to" if direction == "USER_INITIATED" else "from"
        item = {"id": call_id, **ends, business: self.display_phone_number, "event": event,
                "timestamp": str(now), "direction": direction}  # fmt: skip
        if event == "connect":
            sdp_type = "offer" if direction == "USER_INITIATED" else "answer"
            item["session"] = {"sdp_type": sdp_type, "sdp": _SDP_OFFER}
        elif event == "terminate":
            item["status"] = status or "COMPLETED"
            if duration is not None:
                item |= {"start_time": str(now - duration), "end_time": str(now), "duration": duration}
        if callback_data is not None:
            item["biz_opaque_callback_data"] = callback_data
        value["calls"] = [item]
        await self.emit("calls", value)
        return call_id

    async def user_preferences(
        self, value: str = "stop", *, from_: str | None = DEFAULT_USER, user_id: str | None = None
    ) -> None:
        """Post that a user stopped (`"stop"`) or resumed (`"resume"`) marketing messages."""
        user = self._user(from_, user_id)
        pref = user.ids() | {
            "detail": f"User requested to {value} marketing messages",
            "category": "marketing_messages",
            "value": value,
            "timestamp": _wall(),
        }
        await self.emit("user_preferences", {"contacts": [user.contact()], "user_preferences": [pref]})

    async def user_id_update(
        self,
        *,
        from_: str | None = DEFAULT_USER,
        user_id: str | None = None,
        new_user_id: str | None = None,
        new_parent_user_id: str | None = None,
    ) -> str:
        """Post that a user's BSUID changed (`user_id_update`); later webhooks carry the new one. Return it."""
        user = self._user(from_, user_id)
        previous, previous_parent = user.user_id, user.parent_user_id
        new = new_user_id or bsuid_for(previous)
        self.users.renamed(user, new, new_parent_user_id)
        self.windows.carry(previous, new)
        update: dict[str, Any] = {}
        if user.phone is not None:
            update["wa_id"] = user.phone
        update |= {"detail": f"User id for {user.name or 'the user'} has been updated.",
                   "user_id": {"previous": previous, "current": new}, "timestamp": str(_wall())}  # fmt: skip
        if new_parent_user_id is not None and previous_parent is not None:
            update["parent_user_id"] = {"previous": previous_parent, "current": new_parent_user_id}
        contact = {k: v for k, v in user.contact().items() if k in ("profile", "wa_id")}
        await self.emit("user_id_update", {"contacts": [contact], "user_id_update": [update]})
        return new

    async def echo(self, to: str | None, text: str, *, user_id: str | None = None) -> str:
        """Post a message the business sent from the WhatsApp Business app (`smb_message_echoes`); return its id."""
        user = self._user(to, user_id)
        wamid = self.messages.new_wamid(user.phone or user.user_id)
        item: dict[str, Any] = {"from": self.display_phone_number, **_user_ends(user, "to"), "id": wamid,
                                "timestamp": str(_wall()), "type": "text", "text": {"body": text}}  # fmt: skip
        await self.emit("smb_message_echoes", {"contacts": [user.ids()], "message_echoes": [item]})
        return wamid

    async def account_update(self, event: str, **fields: Any) -> bool:
        """Post an `account_update` with `event` (e.g. `"ACCOUNT_RESTRICTION"`) and its fields."""
        return await self.emit("account_update", {"event": event, **fields})

    async def template_update(self, field: str, template_id: int, name: str, language: str = "en_US",
                              **fields: Any) -> bool:  # fmt: skip
        """Post a template event: `field` is `message_template_status_update`, `message_template_quality_update`,
        `template_category_update` or `message_template_components_update`; `fields` its other keys."""
        value = {"message_template_id": template_id, "message_template_name": name,
                 "message_template_language": language, **fields}  # fmt: skip
        return await self.emit(field, value)

    async def group_event(self, field: str, type: str, group_id: str, **fields: Any) -> bool:
        """Post a group event (`field` one of the four group fields, `type` e.g. `"group_create"`)."""
        item = {"timestamp": str(_wall()), "group_id": group_id, "type": type, **fields}
        return await self.emit(field, {"groups": [item]})


def _user_ends(user: User, side: str) -> dict[str, Any]:
    """The user's ids on one side of a call or an echo: `from`/`to`, `*_user_id`, `*_parent_user_id`."""
    ends: dict[str, Any] = {}
    if user.phone is not None:
        ends[side] = user.phone
    ends[f"{side}_user_id"] = user.user_id
    if user.parent_user_id is not None:
        ends[f"{side}_parent_user_id"] = user.parent_user_id
    return ends


def _wall() -> int:
    return int(time.time())
