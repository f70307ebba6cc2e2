"""A small event router; a `Router` is itself a valid webhook handler."""

from __future__ import annotations

import inspect
import re
from collections.abc import Awaitable, Callable, Collection
from typing import Any, TypeVar

from wa_async._inbound._account_events import AccountUpdate, TemplateStatus
from wa_async._inbound._call_group_events import CallEvent, GroupEvent
from wa_async._inbound._events import (
    ButtonMessage,
    CallPermissionReply,
    EditMessage,
    ErrorEvent,
    Event,
    InteractiveMessage,
    Message,
    RevokeMessage,
    Status,
    TextMessage,
    Unknown,
)
from wa_async._inbound._parts import ButtonReply, ListReply
from wa_async._inbound._user_events import MessageEcho, UserIdUpdate, UserPreferences

__all__ = ["Handler", "Router"]

Handler = Callable[[Any], Awaitable[Any] | Any]
"""A webhook handler: called with one event; sync or async."""

H = TypeVar("H", bound=Handler)
_Predicate = Callable[[Event], bool]


def _ids(values: str | Collection[str] | None) -> frozenset[str] | None:
    if values is None:
        return None
    return frozenset(v.lstrip("+") for v in ([values] if isinstance(values, str) else values))


class Router:
    """Dispatch each event to the first route whose filters match, else to the fallbacks.

    Every event kind has a route: `on(EventClass, ...)` takes any of them, and the named routes below add the
    filters that matter for their kind.

    ```python
    router = wa.webhooks.Router()

    @router.message(text="hi")
    async def hello(msg: wa.webhooks.TextMessage) -> None:
        await msg.reply("Hello!")

    @router.on(wa.webhooks.CallEvent, wa.webhooks.GroupEvent)
    def log(event: wa.webhooks.Event) -> None:
        print(event)
    ```
    """

    __slots__ = ("_fallbacks", "_routes")

    def __init__(self) -> None:
        self._routes: list[tuple[_Predicate, Handler]] = []
        self._fallbacks: list[Handler] = []

    def __repr__(self) -> str:
        return f"<Router {len(self._routes)} routes, {len(self._fallbacks)} fallbacks>"

    def on(self, *kinds: type[Event], where: Callable[[Any], bool] | None = None) -> Callable[[H], H]:
        """Route events of any of the classes `kinds` (all events when none is given).

        Args:
            kinds: event classes, e.g. `wa.webhooks.UserPreferences`; a subclass matches too.
            where: an extra test on the event.
        """
        classes = tuple(kinds) or (Event,)
        if where is None:
            return self._add(lambda ev: isinstance(ev, classes))
        test = where
        return self._add(lambda ev: isinstance(ev, classes) and bool(test(ev)))

    def message(
        self,
        *,
        text: str | None = None,
        matches: str | re.Pattern[str] | None = None,
        from_: str | Collection[str] | None = None,
        type: type[Message] | str | None = None,
    ) -> Callable[[H], H]:
        """Route inbound messages.

        Args:
            text: a text message whose body equals it, ignoring case and surrounding space.
            matches: a text message whose body the regular expression finds (`re.search`).
            from_: the sender, or a collection of them: a phone number (with or without `+`) or a BSUID, matched
                against the message's phone, BSUID and parent BSUID.
            type: a `Message` subclass or a wire type (`"image"`).
        """
        pattern = re.compile(matches) if isinstance(matches, str) else matches
        wanted = text.strip().casefold() if text is not None else None
        senders = _ids(from_)

        def pred(ev: Event) -> bool:
            if not isinstance(ev, Message):
                return False
            if senders is not None and not any(
                i is not None and i in senders for i in (ev.from_, ev.user_id, ev.parent_user_id)
            ):
                return False
            if isinstance(type, str) and ev.type != type:
                return False
            if type is not None and not isinstance(type, str) and not isinstance(ev, type):
                return False
            if wanted is not None or pattern is not None:
                if not isinstance(ev, TextMessage):
                    return False
                if wanted is not None and ev.body.strip().casefold() != wanted:
                    return False
                if pattern is not None and pattern.search(ev.body) is None:
                    return False
            return True

        return self._add(pred)

    def button(self, *, id: str | None = None) -> Callable[[H], H]:
        """Route taps: reply buttons and list rows (by their `id`) and template quick replies (by payload)."""

        def pred(ev: Event) -> bool:
            if isinstance(ev, InteractiveMessage) and isinstance(ev.choice, ButtonReply | ListReply):
                return id is None or ev.choice.id == id
            if isinstance(ev, ButtonMessage):
                return id is None or ev.payload == id
            return False

        return self._add(pred)

    def edit(self) -> Callable[[H], H]:
        """Route `EditMessage` (a user edited a message)."""
        return self.on(EditMessage)

    def revoke(self) -> Callable[[H], H]:
        """Route `RevokeMessage` (a user deleted a message)."""
        return self.on(RevokeMessage)

    def status(self, *statuses: str) -> Callable[[H], H]:
        """Route status updates; with arguments, only those statuses (`"failed"`, `"read"`, ...)."""
        return self._add(lambda ev: isinstance(ev, Status) and (not statuses or ev.status in statuses))

    def template_status(self, *events: str) -> Callable[[H], H]:
        """Route template review updates; with arguments, only those events (`"APPROVED"`, ...)."""
        return self._add(lambda ev: isinstance(ev, TemplateStatus) and (not events or ev.event in events))

    def account_update(self, *events: str) -> Callable[[H], H]:
        """Route `AccountUpdate`; with arguments, only those events (`"ACCOUNT_RESTRICTION"`, ...)."""
        return self._add(lambda ev: isinstance(ev, AccountUpdate) and (not events or ev.event in events))

    def call(self, *events: str) -> Callable[[H], H]:
        """Route `CallEvent`; with arguments, only those events (`"connect"`, `"status"`, `"terminate"`)."""
        return self._add(lambda ev: isinstance(ev, CallEvent) and (not events or ev.event in events))

    def call_permission(self, *responses: str) -> Callable[[H], H]:
        """Route `CallPermissionReply`; with arguments, only those responses (`"accept"`, `"reject"`)."""
        return self._add(lambda ev: isinstance(ev, CallPermissionReply) and (not responses or ev.response in responses))

    def group(self, *types: str) -> Callable[[H], H]:
        """Route `GroupEvent`; with arguments, only those types (`"group_create"`, `"group_join_request_created"`)."""
        return self._add(lambda ev: isinstance(ev, GroupEvent) and (not types or ev.type in types))

    def user_preferences(self, *values: str) -> Callable[[H], H]:
        """Route `UserPreferences`; with arguments, only those values (`"stop"`, `"resume"`)."""
        return self._add(lambda ev: isinstance(ev, UserPreferences) and (not values or ev.value in values))

    def user_id_update(self) -> Callable[[H], H]:
        """Route `UserIdUpdate` (a user's BSUID changed)."""
        return self.on(UserIdUpdate)

    def echo(self) -> Callable[[H], H]:
        """Route `MessageEcho` (a message the business sent from the WhatsApp Business app)."""
        return self.on(MessageEcho)

    def error(self) -> Callable[[H], H]:
        """Route `ErrorEvent` (`value.errors`)."""
        return self.on(ErrorEvent)

    def unknown(self) -> Callable[[H], H]:
        """Route `Unknown` parts."""
        return self.on(Unknown)

    def fallback(self) -> Callable[[H], H]:
        """Called for every event no route matched."""

        def register(handler: H) -> H:
            self._fallbacks.append(handler)
            return handler

        return register

    def add(self, predicate: Callable[[Event], bool], handler: Handler) -> None:
        """Route events for which `predicate` is true to `handler`."""
        self._routes.append((predicate, handler))

    def _add(self, predicate: _Predicate) -> Callable[[H], H]:
        def register(handler: H) -> H:
            self._routes.append((predicate, handler))
            return handler

        return register

    async def __call__(self, event: Event) -> None:
        """Dispatch `event`: the first matching route, or every fallback."""
        for predicate, handler in self._routes:
            if predicate(event):
                await call_handler(handler, event)
                return
        for handler in self._fallbacks:
            await call_handler(handler, event)


async def call_handler(handler: Handler, event: Event) -> None:
    """Call a sync or async handler with `event`."""
    result = handler(event)
    if inspect.isawaitable(result):
        await result
