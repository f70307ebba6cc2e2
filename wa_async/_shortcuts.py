"""``client.send_text(...)`` and the other one-line senders: each builds one message struct and sends it.

Every keyword is spelled out with its type, so ``mypy --strict`` catches a misspelt option, and the struct
validates the values as it would if built by hand.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ._messages import (
    Audio,
    Buttons,
    Contact,
    Contacts,
    CtaUrl,
    Document,
    Image,
    ListMessage,
    Location,
    Message,
    Reaction,
    ReplyButton,
    Section,
    Sticker,
    Template,
    Text,
    Video,
)
from ._messages._interactive import Header
from ._messages._template import Component

__all__ = ["Shortcuts"]


class Shortcuts:
    """The ``send_*`` shortcuts of [`Client`][wa_async.Client]; each returns the wamid, as ``send()`` does."""

    __slots__ = ()

    async def send(self, msg: Message) -> str:
        """Send one message and return its wamid (the client implements it)."""
        raise NotImplementedError

    async def send_text(
        self,
        to: str,
        body: str,
        *,
        preview_url: bool = False,
        reply_to: str | None = None,
        callback_data: str | None = None,
    ) -> str:
        """Send a [`Text`][wa_async.Text] message; return its wamid."""
        return await self.send(Text(to, body, preview_url=preview_url, reply_to=reply_to, callback_data=callback_data))

    async def send_template(
        self,
        to: str,
        name: str,
        language: str = "en_US",
        components: Sequence[Component] = (),
        *,
        callback_data: str | None = None,
    ) -> str:
        """Send a [`Template`][wa_async.Template] message; return its wamid."""
        return await self.send(Template(to, name, language, components, callback_data=callback_data))

    async def send_image(
        self,
        to: str,
        *,
        link: str | None = None,
        id: str | None = None,
        caption: str | None = None,
        reply_to: str | None = None,
        callback_data: str | None = None,
    ) -> str:
        """Send an [`Image`][wa_async.Image] by link or media id; return its wamid."""
        msg = Image(to, link=link, id=id, caption=caption, reply_to=reply_to, callback_data=callback_data)
        return await self.send(msg)

    async def send_video(
        self,
        to: str,
        *,
        link: str | None = None,
        id: str | None = None,
        caption: str | None = None,
        reply_to: str | None = None,
        callback_data: str | None = None,
    ) -> str:
        """Send a [`Video`][wa_async.Video] by link or media id; return its wamid."""
        msg = Video(to, link=link, id=id, caption=caption, reply_to=reply_to, callback_data=callback_data)
        return await self.send(msg)

    async def send_audio(
        self,
        to: str,
        *,
        link: str | None = None,
        id: str | None = None,
        voice: bool = False,
        reply_to: str | None = None,
        callback_data: str | None = None,
    ) -> str:
        """Send an [`Audio`][wa_async.Audio] file (``voice=True``: a voice note) by link or media id."""
        msg = Audio(to, link=link, id=id, voice=voice, reply_to=reply_to, callback_data=callback_data)
        return await self.send(msg)

    async def send_document(
        self,
        to: str,
        *,
        link: str | None = None,
        id: str | None = None,
        caption: str | None = None,
        filename: str | None = None,
        reply_to: str | None = None,
        callback_data: str | None = None,
    ) -> str:
        """Send a [`Document`][wa_async.Document] by link or media id; return its wamid."""
        msg = Document(
            to, link=link, id=id, caption=caption, filename=filename, reply_to=reply_to, callback_data=callback_data
        )
        return await self.send(msg)

    async def send_sticker(
        self,
        to: str,
        *,
        link: str | None = None,
        id: str | None = None,
        reply_to: str | None = None,
        callback_data: str | None = None,
    ) -> str:
        """Send a [`Sticker`][wa_async.Sticker] by link or media id; return its wamid."""
        return await self.send(Sticker(to, link=link, id=id, reply_to=reply_to, callback_data=callback_data))

    async def send_location(
        self,
        to: str,
        latitude: float,
        longitude: float,
        *,
        name: str | None = None,
        address: str | None = None,
        reply_to: str | None = None,
        callback_data: str | None = None,
    ) -> str:
        """Send a [`Location`][wa_async.Location]; return its wamid."""
        msg = Location(
            to, latitude, longitude, name=name, address=address, reply_to=reply_to, callback_data=callback_data
        )
        return await self.send(msg)

    async def send_contacts(
        self,
        to: str,
        contacts: Sequence[Contact | dict[str, Any]],
        *,
        callback_data: str | None = None,
    ) -> str:
        """Send [`Contacts`][wa_async.Contacts] cards; return the wamid."""
        return await self.send(Contacts(to, contacts, callback_data=callback_data))

    async def send_buttons(
        self,
        to: str,
        body: str,
        buttons: Sequence[ReplyButton],
        *,
        header: Header | None = None,
        footer: str | None = None,
        reply_to: str | None = None,
        callback_data: str | None = None,
    ) -> str:
        """Send a [`Buttons`][wa_async.Buttons] message (1 to 3 reply buttons); return its wamid."""
        msg = Buttons(
            to, body, buttons, header=header, footer=footer, reply_to=reply_to, callback_data=callback_data
        )
        return await self.send(msg)

    async def send_list(
        self,
        to: str,
        body: str,
        button: str,
        sections: Sequence[Section],
        *,
        header: str | None = None,
        footer: str | None = None,
        reply_to: str | None = None,
        callback_data: str | None = None,
    ) -> str:
        """Send a [`ListMessage`][wa_async.ListMessage]; return its wamid."""
        msg = ListMessage(
            to, body, button, sections, header=header, footer=footer, reply_to=reply_to, callback_data=callback_data
        )
        return await self.send(msg)

    async def send_cta_url(
        self,
        to: str,
        body: str,
        display_text: str,
        url: str,
        *,
        header: Header | None = None,
        footer: str | None = None,
        reply_to: str | None = None,
        callback_data: str | None = None,
    ) -> str:
        """Send a [`CtaUrl`][wa_async.CtaUrl] call-to-action button; return its wamid."""
        msg = CtaUrl(
            to, body, display_text, url, header=header, footer=footer, reply_to=reply_to, callback_data=callback_data
        )
        return await self.send(msg)

    async def send_reaction(self, to: str, message_id: str, emoji: str, *, callback_data: str | None = None) -> str:
        """React to a message (an empty ``emoji`` removes the reaction); return the reaction's wamid."""
        return await self.send(Reaction(to, message_id, emoji, callback_data=callback_data))
