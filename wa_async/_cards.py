"""Contact cards in Meta's wire shape, shared by what users send (``wa.Contacts``) and what they receive (a contacts
message in a webhook): one struct for each part, decoded and encoded as they are. Fields a received card may lack
are optional here; [`wa.Contact`][wa_async.Contact], the card users build, checks what Meta requires of a send."""

from __future__ import annotations

import msgspec

__all__ = ["Address", "Card", "Email", "Name", "Org", "Phone", "Url"]


class Name(msgspec.Struct, frozen=True, omit_defaults=True):
    """A contact's name; ``formatted_name`` is what the message shows."""

    formatted_name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    middle_name: str | None = None
    suffix: str | None = None
    prefix: str | None = None


class Phone(msgspec.Struct, frozen=True, omit_defaults=True):
    """A phone number as it should be shown; ``wa_id`` (the number on WhatsApp) adds a "Message" button."""

    phone: str | None = None
    type: str | None = None
    wa_id: str | None = None


class Email(msgspec.Struct, frozen=True, omit_defaults=True):
    """An email address; ``type`` is e.g. ``"HOME"`` or ``"WORK"``."""

    email: str | None = None
    type: str | None = None


class Url(msgspec.Struct, frozen=True, omit_defaults=True):
    """A web address; ``type`` is e.g. ``"HOME"`` or ``"WORK"``."""

    url: str | None = None
    type: str | None = None


class Address(msgspec.Struct, frozen=True, omit_defaults=True):
    """A postal address; ``country_code`` is the two-letter ISO code."""

    street: str | None = None
    city: str | None = None
    state: str | None = None
    zip: str | None = None
    country: str | None = None
    country_code: str | None = None
    type: str | None = None


class Org(msgspec.Struct, frozen=True, omit_defaults=True):
    """Where the contact works."""

    company: str | None = None
    department: str | None = None
    title: str | None = None


class Card(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """A contact card a user shared (``contacts[]`` of a contacts message).

    ``origin`` is ``"contact_request"`` when the user shared their own number through a request-contact-info
    button, ``"other"`` for a card shared by hand (then ``vcard`` holds it); older deliveries carry neither.
    """

    name: Name | None = None
    phones: list[Phone] = []
    emails: list[Email] = []
    urls: list[Url] = []
    addresses: list[Address] = []
    org: Org | None = None
    birthday: str | None = None
    origin: str | None = None
    vcard: str | None = None
