"""``client.send_text(...)`` and the other one-line senders: each builds one message struct and sends it.

Every keyword is spelled out with its type, so ``mypy --strict`` catches a misspelt option, and the struct
validates the values as it would if built by hand.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

from ._messages import (
    AddressRequest,
    Audio,
    Buttons,
    CallPermissionRequest,
    Carousel,
    CarouselCard,
    Catalog,
    Contact,
    ContactInfoRequest,
    Contacts,
    CtaUrl,
    Document,
    Image,
    ImageParam,
    ListMessage,
    Location,
    LocationRequest,
    Message,
    OrderAmount,
    OrderDetails,
    OrderItem,
    OrderStatus,
    Product,
    ProductCard,
    ProductList,
    ProductSection,
    Reaction,
    ReplyButton,
    SavedAddress,
    Section,
    Sticker,
    Template,
    Text,
    Video,
    VoiceCall,
)
from ._messages._interactive import Header
from ._messages._orders import NO_TAX
from ._messages._template import Component, otp_components

__all__ = ["Shortcuts"]


class Shortcuts:
    """The ``send_*`` shortcuts of [`Client`][wa_async.Client]; each returns the wamid, as ``send()`` does.

    ``to`` is a phone number, a BSUID or a [`Group`][wa_async.Group], as for the message structs.
    """

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
        language_policy: Literal["deterministic"] | None = None,
        marketing: bool = False,
        product_policy: Literal["CLOUD_API_FALLBACK", "STRICT"] | None = None,
        message_activity_sharing: bool | None = None,
        callback_data: str | None = None,
    ) -> str:
        """Send a [`Template`][wa_async.Template] message (``marketing=True``: through the Marketing Messages
        API); return its wamid."""
        msg = Template(
            to,
            name,
            language,
            components,
            language_policy=language_policy,
            marketing=marketing,
            product_policy=product_policy,
            message_activity_sharing=message_activity_sharing,
            callback_data=callback_data,
        )
        return await self.send(msg)

    async def send_otp(
        self, to: str, name: str, code: str, language: str = "en_US", *, callback_data: str | None = None
    ) -> str:
        """Send an authentication template with its one-time password ``code`` (up to 15 characters) in the body
        and in its copy-code, one-tap or zero-tap button, as Meta's authentication templates take it. Phone
        numbers only: Meta refuses such templates for BSUIDs (error 131062)."""
        return await self.send(Template(to, name, language, otp_components(code), callback_data=callback_data))

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
        reply_to: str | None = None,
        callback_data: str | None = None,
    ) -> str:
        """Send [`Contacts`][wa_async.Contacts] cards; return the wamid."""
        return await self.send(Contacts(to, contacts, reply_to=reply_to, callback_data=callback_data))

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
        msg = Buttons(to, body, buttons, header=header, footer=footer, reply_to=reply_to, callback_data=callback_data)
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

    async def send_product(
        self,
        to: str,
        catalog_id: str,
        product_id: str,
        *,
        body: str | None = None,
        footer: str | None = None,
        reply_to: str | None = None,
        callback_data: str | None = None,
    ) -> str:
        """Send one catalog [`Product`][wa_async.Product]; return the wamid."""
        msg = Product(
            to, catalog_id, product_id, body=body, footer=footer, reply_to=reply_to, callback_data=callback_data
        )
        return await self.send(msg)

    async def send_product_list(
        self,
        to: str,
        catalog_id: str,
        header: str,
        body: str,
        sections: Sequence[ProductSection],
        *,
        footer: str | None = None,
        reply_to: str | None = None,
        callback_data: str | None = None,
    ) -> str:
        """Send a [`ProductList`][wa_async.ProductList] (up to 30 products in up to 10 sections)."""
        msg = ProductList(
            to, catalog_id, header, body, sections, footer=footer, reply_to=reply_to, callback_data=callback_data
        )
        return await self.send(msg)

    async def send_catalog(
        self,
        to: str,
        body: str,
        *,
        thumbnail_product_id: str | None = None,
        footer: str | None = None,
        reply_to: str | None = None,
        callback_data: str | None = None,
    ) -> str:
        """Send a [`Catalog`][wa_async.Catalog] button that opens your catalog; return the wamid."""
        msg = Catalog(
            to,
            body,
            thumbnail_product_id=thumbnail_product_id,
            footer=footer,
            reply_to=reply_to,
            callback_data=callback_data,
        )
        return await self.send(msg)

    async def send_carousel(
        self,
        to: str,
        body: str,
        cards: Sequence[CarouselCard | ProductCard],
        *,
        reply_to: str | None = None,
        callback_data: str | None = None,
    ) -> str:
        """Send a [`Carousel`][wa_async.Carousel] of 2 to 10 media or product cards; return the wamid."""
        return await self.send(Carousel(to, body, cards, reply_to=reply_to, callback_data=callback_data))

    async def send_location_request(
        self, to: str, body: str, *, reply_to: str | None = None, callback_data: str | None = None
    ) -> str:
        """Ask the user for their location ([`LocationRequest`][wa_async.LocationRequest]); return the wamid."""
        return await self.send(LocationRequest(to, body, reply_to=reply_to, callback_data=callback_data))

    async def send_call_permission_request(
        self, to: str, body: str | None = None, *, reply_to: str | None = None, callback_data: str | None = None
    ) -> str:
        """Ask for permission to call the user
        ([`CallPermissionRequest`][wa_async.CallPermissionRequest]); return the wamid."""
        return await self.send(CallPermissionRequest(to, body, reply_to=reply_to, callback_data=callback_data))

    async def send_contact_info_request(
        self, to: str, body: str, *, reply_to: str | None = None, callback_data: str | None = None
    ) -> str:
        """Ask a user who hides their number to share it
        ([`ContactInfoRequest`][wa_async.ContactInfoRequest]); return the wamid."""
        return await self.send(ContactInfoRequest(to, body, reply_to=reply_to, callback_data=callback_data))

    async def send_voice_call(
        self,
        to: str,
        body: str,
        *,
        display_text: str | None = None,
        ttl_minutes: int | None = None,
        payload: str | None = None,
        reply_to: str | None = None,
        callback_data: str | None = None,
    ) -> str:
        """Send a button that calls your business ([`VoiceCall`][wa_async.VoiceCall]); return the wamid."""
        msg = VoiceCall(
            to,
            body,
            display_text=display_text,
            ttl_minutes=ttl_minutes,
            payload=payload,
            reply_to=reply_to,
            callback_data=callback_data,
        )
        return await self.send(msg)

    async def send_address_request(
        self,
        to: str,
        body: str,
        *,
        values: Mapping[str, str] | None = None,
        saved_addresses: Sequence[SavedAddress] = (),
        validation_errors: Mapping[str, str] | None = None,
        country: str = "IN",
        footer: str | None = None,
        reply_to: str | None = None,
        callback_data: str | None = None,
    ) -> str:
        """Ask for a delivery address with WhatsApp's form ([`AddressRequest`][wa_async.AddressRequest], India
        only); return the wamid."""
        msg = AddressRequest(
            to,
            body,
            values=values,
            saved_addresses=saved_addresses,
            validation_errors=validation_errors,
            country=country,
            footer=footer,
            reply_to=reply_to,
            callback_data=callback_data,
        )
        return await self.send(msg)

    async def send_order_details(
        self,
        to: str,
        body: str,
        reference_id: str,
        currency: Literal["INR", "BRL"],
        items: Sequence[OrderItem],
        *,
        payment_settings: Sequence[dict[str, Any]] = (),
        goods_type: Literal["digital-goods", "physical-goods"] = "digital-goods",
        tax: OrderAmount = NO_TAX,
        shipping: OrderAmount | None = None,
        discount: OrderAmount | None = None,
        catalog_id: str | None = None,
        expiration_timestamp: int | None = None,
        expiration_description: str | None = None,
        header: ImageParam | None = None,
        footer: str | None = None,
        reply_to: str | None = None,
        callback_data: str | None = None,
    ) -> str:
        """Send an order to review and pay ([`OrderDetails`][wa_async.OrderDetails], India and Brazil payments
        only); return the wamid."""
        msg = OrderDetails(
            to,
            body,
            reference_id,
            currency,
            items,
            payment_settings=payment_settings,
            goods_type=goods_type,
            tax=tax,
            shipping=shipping,
            discount=discount,
            catalog_id=catalog_id,
            expiration_timestamp=expiration_timestamp,
            expiration_description=expiration_description,
            header=header,
            footer=footer,
            reply_to=reply_to,
            callback_data=callback_data,
        )
        return await self.send(msg)

    async def send_order_status(
        self,
        to: str,
        body: str,
        reference_id: str,
        status: str,
        *,
        description: str | None = None,
        payment_status: str | None = None,
        payment_timestamp: int | None = None,
        footer: str | None = None,
        reply_to: str | None = None,
        callback_data: str | None = None,
    ) -> str:
        """Send an order's new status ([`OrderStatus`][wa_async.OrderStatus], India and Brazil payments only);
        return the wamid."""
        msg = OrderStatus(
            to,
            body,
            reference_id,
            status,
            description=description,
            payment_status=payment_status,
            payment_timestamp=payment_timestamp,
            footer=footer,
            reply_to=reply_to,
            callback_data=callback_data,
        )
        return await self.send(msg)
