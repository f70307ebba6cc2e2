"""What every event built from one `changes[].value` shares: the entry, the business number, the user profiles."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from ._parts import ContactProfile
from ._wire import WireValue

__all__ = ["Ctx"]

_ANY = msgspec.json.Decoder()


class Ctx:
    """The shared part of one value: ids for each event, and the `contacts[]` profiles to match users against."""

    __slots__ = (
        "_body",
        "_by_id",
        "_change",
        "_entry",
        "_raw",
        "_value",
        "display",
        "field",
        "number_id",
        "time",
        "waba_id",
    )

    def __init__(
        self,
        value: WireValue,
        field: str | None,
        waba_id: str | None,
        time: datetime | None,
        body: bytes | str | None = None,
        entry: int = 0,
        change: int = 0,
        raw: Any = None,
    ) -> None:
        # The raw value is decoded from the body (change `change` of entry `entry`) only when an unknown part
        # needs it. Arguments are positional: this runs for every change parsed.
        self._body = body
        self._entry = entry
        self._change = change
        self._raw = raw
        self.field = field
        self.waba_id = waba_id
        self.time = time
        meta = value.metadata
        if meta is not None:
            self.number_id: str | None = meta.phone_number_id
            self.display: str | None = meta.display_phone_number
        else:
            self.number_id = None
            self.display = value.display_phone_number
        self._value = value
        self._by_id: dict[str, ContactProfile] | None = None

    def raw(self, *path: str | int) -> Any:
        """The decoded JSON at `path` inside this value (the whole value without a path)."""
        node = self._raw
        if node is None:
            root = _ANY.decode(self._body or b"null")
            node = self._raw = root["entry"][self._entry]["changes"][self._change]["value"]
        for key in path:
            node = node[key]
        return node

    @property
    def has_contacts(self) -> bool:
        """Whether the value carried `contacts[]` profiles."""
        return bool(self._value.contacts)

    def ids(self) -> dict[str, Any]:
        """The keyword arguments naming where an event came from."""
        return {"waba_id": self.waba_id, "phone_number_id": self.number_id, "display_phone_number": self.display}

    def contact(self, *ids: str | None) -> ContactProfile | None:
        """The profile of the user known by any of `ids`.

        When the value holds one item and one profile, that profile even if no id matches (Meta's `wa_id` may
        be written differently from the message's `from`), unless the profile names another BSUID.
        """
        value = self._value
        if not value.contacts:
            return None
        profiles = value.contacts
        if len(profiles) == 1:
            only = profiles[0]
            keys = (only.wa_id, only.user_id, only.parent_user_id)
            other = False
            for i in ids:
                if i:
                    if i in keys:
                        return only
                    other = other or (only.user_id is not None and not i.isdigit())
            if other:
                return None  # the event names another BSUID: that profile is someone else's
            items = (
                len(value.messages) + len(value.statuses) + len(value.calls) + len(value.message_echoes)
                + len(value.user_preferences) + len(value.user_id_update)
            )  # fmt: skip
            return only if items == 1 else None  # one profile and one item belong together
        if self._by_id is None:
            self._by_id = {}
            for p in profiles:
                for key in (p.wa_id, p.user_id, p.parent_user_id):
                    if key:
                        self._by_id.setdefault(key, p)
        for key in ids:
            if key and (found := self._by_id.get(key)) is not None:
                return found
        return None
