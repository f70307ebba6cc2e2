"""A small event router; a :class:`Router` is itself a valid webhook handler."""

from __future__ import annotations

import inspect
import re
from collections.abc import Awaitable, Callable, Collection
from typing import Any, TypeVar

from ._events import (
    ButtonMessage,
    ButtonReply,
    ErrorEvent,
    Event,
    InteractiveMessage,
    ListReply,
    Message,
    Status,
    TemplateStatus,
    TextMessage,
    Unknown,
)

__all__ = ["Handler", "Router"]

Handler = Callable[[Any], Awaitable[Any] | Any]
"""A webhook handler: called with one event; sync or async."""

H = TypeVar("H", bound=Handler)
_Predicate = Callable[[Event], bool]


class Router:
    """Dispatch each event to the first route whose filters match, else to the fallbacks.

    ::

        router = wa.webhooks.Router()

        @router.message(text="hi")
        async def hello(msg):
            await msg.reply("Hello!")

        app = wa.webhooks.make_app(router, verify_token="...", app_secret="...", client=client)
    """

    __slots__ = ("_fallbacks", "_routes")

    def __init__(self) -> None:
        self._routes: list[tuple[_Predicate, Handler]] = []
        self._fallbacks: list[Handler] = []

    def __repr__(self) -> str:
        return f"<Router {len(self._routes)} routes, {len(self._fallbacks)} fallbacks>"

    def message(
        self,
        *,
        text: str | None = None,
        matches: str | re.Pattern[str] | None = None,
        from_: str | Collection[str] | None = None,
        type: type[Message] | str | None = None,
    ) -> Callable[[H], H]:
        """Route inbound messages.

        ``text``: a text message whose body equals it, ignoring case and surrounding space. ``matches``: a
        text message whose body the regular expression finds (``re.search``). ``from_``: the sender's number,
        or a collection of them. ``type``: a :class:`Message` subclass or a wire type (``"image"``).
        """
        pattern = re.compile(matches) if isinstance(matches, str) else matches
        wanted = text.strip().casefold() if text is not None else None
        senders = None
        if from_ is not None:
            senders = {s.lstrip("+") for s in ([from_] if isinstance(from_, str) else from_)}

        def pred(ev: Event) -> bool:
            if not isinstance(ev, Message):
                return False
            if senders is not None and ev.from_.lstrip("+") not in senders:
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
        """Route taps: reply buttons and list rows (by their ``id``) and template quick replies (by payload)."""

        def pred(ev: Event) -> bool:
            if isinstance(ev, InteractiveMessage) and isinstance(ev.choice, ButtonReply | ListReply):
                return id is None or ev.choice.id == id
            if isinstance(ev, ButtonMessage):
                return id is None or ev.payload == id
            return False

        return self._add(pred)

    def status(self, *statuses: str) -> Callable[[H], H]:
        """Route status updates; with arguments, only those statuses (``"failed"``, ``"read"``, ...)."""
        return self._add(lambda ev: isinstance(ev, Status) and (not statuses or ev.status in statuses))

    def template_status(self, *events: str) -> Callable[[H], H]:
        """Route template review updates; with arguments, only those events (``"APPROVED"``, ...)."""
        return self._add(lambda ev: isinstance(ev, TemplateStatus) and (not events or ev.event in events))

    def error(self) -> Callable[[H], H]:
        """Route :class:`ErrorEvent` (``value.errors``)."""
        return self._add(lambda ev: isinstance(ev, ErrorEvent))

    def unknown(self) -> Callable[[H], H]:
        """Route :class:`Unknown` parts."""
        return self._add(lambda ev: isinstance(ev, Unknown))

    def fallback(self) -> Callable[[H], H]:
        """Called for every event no route matched."""

        def register(handler: H) -> H:
            self._fallbacks.append(handler)
            return handler

        return register

    def add(self, predicate: Callable[[Event], bool], handler: Handler) -> None:
        """Route events for which ``predicate`` is true to ``handler``."""
        self._routes.append((predicate, handler))

    def _add(self, predicate: _Predicate) -> Callable[[H], H]:
        def register(handler: H) -> H:
            self._routes.append((predicate, handler))
            return handler

        return register

    async def __call__(self, event: Event) -> None:
        """Dispatch ``event``: the first matching route, or every fallback."""
        for predicate, handler in self._routes:
            if predicate(event):
                await call_handler(handler, event)
                return
        for handler in self._fallbacks:
            await call_handler(handler, event)


async def call_handler(handler: Handler, event: Event) -> None:
    """Call a sync or async handler with ``event``."""
    result = handler(event)
    if inspect.isawaitable(result):
        await result
