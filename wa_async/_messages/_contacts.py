"""Contact cards (``contacts`` messages)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any, ClassVar

import msgspec

from wa_async._errors import ValidationError
from wa_async._messages import _check
from wa_async._messages._base import Message

__all__ = ["Address", "Contact", "Contacts", "Email", "Name", "Org", "Phone", "Url"]


# The parts of a card are wire-shaped: msgspec encodes them directly, leaving out the fields not set.


class Name(msgspec.Struct, frozen=True, omit_defaults=True):
    """A contact's name; ``formatted_name`` is what the message shows."""

    formatted_name: str
    first_name: str | None = None
    last_name: str | None = None
    middle_name: str | None = None
    suffix: str | None = None
    prefix: str | None = None


class Phone(msgspec.Struct, frozen=True, omit_defaults=True):
    """A phone number as it should be shown; ``wa_id`` adds a "Message" button for that WhatsApp user."""

    phone: str
    type: str | None = None
    wa_id: str | None = None


class Email(msgspec.Struct, frozen=True, omit_defaults=True):
    """An email address; ``type`` is e.g. ``"HOME"`` or ``"WORK"``."""

    email: str
    type: str | None = None


class Url(msgspec.Struct, frozen=True, omit_defaults=True):
    """A web address; ``type`` is e.g. ``"HOME"`` or ``"WORK"``."""

    url: str
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


class Contact(msgspec.Struct, frozen=True):
    """One contact card. Plain strings work for ``name`` and the items of ``phones``, ``emails`` and ``urls``.

    ```python
    card = wa.Contact("Barbara J. Johnson", phones=["+1 650 555 1234"], emails=["barbara@example.com"])
    ```
    """

    name: str | Name
    phones: Sequence[str | Phone] = ()
    emails: Sequence[str | Email] = ()
    urls: Sequence[str | Url] = ()
    addresses: Sequence[Address] = ()
    org: Org | None = None
    birthday: str | None = None  # YYYY-MM-DD

    def _check(self, path: str) -> None:
        if isinstance(self.name, Name):
            _check.wire_struct(self.name, f"{path}.name")
            _check.text(self.name.formatted_name, f"{path}.name.formatted_name", None)
        elif isinstance(self.name, str):
            _check.text(self.name, f"{path}.name", None)
        else:
            raise ValidationError(f"{path}.name", f"expected a str or a Name, got {type(self.name).__name__}")
        for field, kind, key in (("phones", Phone, "phone"), ("emails", Email, "email"), ("urls", Url, "url")):
            items = _check.sequence(getattr(self, field), f"{path}.{field}")
            msgspec.structs.force_setattr(self, field, items)
            for i, item in enumerate(items):
                if isinstance(item, kind):
                    _check.wire_struct(item, f"{path}.{field}[{i}]")
                value = getattr(item, key) if isinstance(item, kind) else item
                _check.text(value, f"{path}.{field}[{i}]" + ("" if item is value else f".{key}"), None)
        addresses = _check.sequence(self.addresses, f"{path}.addresses")
        msgspec.structs.force_setattr(self, "addresses", addresses)
        for i, a in enumerate(addresses):
            if not isinstance(a, Address):
                raise ValidationError(f"{path}.addresses[{i}]", f"expected an Address, got {type(a).__name__}")
            _check.wire_struct(a, f"{path}.addresses[{i}]")
        if self.org is not None:
            if not isinstance(self.org, Org):
                raise ValidationError(f"{path}.org", f"expected an Org, got {type(self.org).__name__}")
            _check.wire_struct(self.org, f"{path}.org")
        if self.birthday is not None:
            try:
                datetime.date.fromisoformat(_check.text(self.birthday, f"{path}.birthday", 10, minimum=10))
            except ValueError:
                raise ValidationError(f"{path}.birthday", f"{self.birthday!r} is not a YYYY-MM-DD date") from None

    def _wire(self) -> dict[str, Any]:
        # Meta's contacts page asks for at least one name part besides formatted_name, so a plain-string
        # name is sent as the first name too.
        name = self.name if isinstance(self.name, Name) else {"formatted_name": self.name, "first_name": self.name}
        out: dict[str, Any] = {"name": name}
        if self.phones:
            out["phones"] = [{"phone": p} if isinstance(p, str) else p for p in self.phones]
        if self.emails:
            out["emails"] = [{"email": e} if isinstance(e, str) else e for e in self.emails]
        if self.urls:
            out["urls"] = [{"url": u} if isinstance(u, str) else u for u in self.urls]
        if self.addresses:
            out["addresses"] = self.addresses
        if self.org is not None:
            out["org"] = self.org
        if self.birthday is not None:
            out["birthday"] = self.birthday
        return out


MAX_CONTACTS = 257  # Meta's contacts-messages page (Meta's OpenAPI file says 5: UNCERTAIN)


class Contacts(Message, frozen=True):
    """One or more contact cards (up to 257): [`Contact`][wa_async.Contact] values or raw dicts in the wire
    shape; ``reply_to`` answers a message."""

    type: ClassVar[str] = "contacts"

    contacts: Sequence[Contact | dict[str, Any]]
    reply_to: str | None = None

    def _validate(self) -> None:
        contacts = _check.sequence(self.contacts, "contacts")
        msgspec.structs.force_setattr(self, "contacts", contacts)
        _check.count(contacts, "contacts", MAX_CONTACTS, noun="contacts")
        _check.optional_text(self.reply_to, "reply_to", None)
        for i, c in enumerate(contacts):
            if isinstance(c, Contact):
                c._check(f"contacts[{i}]")
            else:
                _check.mapping(c, f"contacts[{i}]")

    def _wire(self) -> Any:
        return [c if isinstance(c, dict) else c._wire() for c in self.contacts]
