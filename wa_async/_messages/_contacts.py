"""Contact cards (``contacts`` messages)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any, ClassVar

import msgspec

from wa_async._cards import Address, Card, Email, Name, Org, Phone, Url
from wa_async._errors import ValidationError
from wa_async._messages import _check
from wa_async._messages._base import Message

__all__ = ["Address", "Contact", "Contacts", "Email", "Name", "Org", "Phone", "Url"]


# The parts of a card are wire-shaped and shared with received cards (wa_async._cards); a card users build is
# checked here for what Meta requires of a send (a formatted name, the phone of each phone entry...).


class Contact(msgspec.Struct, frozen=True):
    """One contact card. Plain strings work for ``name`` and the items of ``phones``, ``emails`` and ``urls``.

    ```python
    card = wa.Contact(
        "Barbara J. Johnson", phones=["+1 650 555 1234"], emails=["barbara@example.com"]
    )
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
    """One or more contact cards (up to 257): [`Contact`][wa_async.Contact] values, cards received in a contacts
    message (``wa.webhooks.Contact``: forwarded as they are), or raw dicts in the wire shape; ``reply_to`` answers a
    message."""

    type: ClassVar[str] = "contacts"

    contacts: Sequence[Contact | Card | dict[str, Any]]
    reply_to: str | None = None

    def _validate(self) -> None:
        contacts = [_from_card(c) if isinstance(c, Card) else c for c in _check.sequence(self.contacts, "contacts")]
        msgspec.structs.force_setattr(self, "contacts", contacts)
        _check.count(contacts, "contacts", MAX_CONTACTS, noun="contacts")
        _check.optional_text(self.reply_to, "reply_to", None)
        for i, c in enumerate(contacts):
            if isinstance(c, Contact):
                c._check(f"contacts[{i}]")
            else:
                _check.mapping(c, f"contacts[{i}]")

    def _wire(self) -> Any:
        return [c if isinstance(c, dict) else c._wire() for c in self.contacts]  # type: ignore[union-attr]


def _from_card(card: Card) -> Contact:
    """A received card as one to send: the same parts (what only a received card has, its origin and vCard, stays)."""
    return Contact(
        card.name or Name(),
        phones=card.phones,
        emails=card.emails,
        urls=card.urls,
        addresses=card.addresses,
        org=card.org,
        birthday=card.birthday,
    )
