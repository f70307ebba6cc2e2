"""``client.usernames``: the phone number's business username (``/{phone_number_id}/username``).

Meta's business-scoped user IDs page ("Business usernames"): ``POST`` sets the username and answers its status
(``approved``, or ``reserved`` until it can be used); a name another number of the same business portfolio holds
is refused (147005) unless ``transfer_action`` is ``force_transfer``. ``GET`` reads it, ``DELETE`` removes it,
``GET .../username_suggestions`` lists names Meta reserved for the business. A change arrives by the
``business_username_updates`` webhook too. The number must be registered (133010).
"""

from __future__ import annotations

import msgspec

from .._pipeline import Pipeline
from .._request import Request, decode_json
from .._transport import Response
from ._common import Confirmed, json_body, text_field

__all__ = ["DeleteUsername", "GetUsername", "SetUsername", "Username", "UsernameSuggestions", "Usernames"]


class Username(msgspec.Struct, frozen=True):
    """The number's username and its ``status`` (``approved`` or ``reserved``); ``username`` is None when unset."""

    username: str | None = None
    status: str | None = None


class _Suggestion(msgspec.Struct):
    username_suggestions: list[str] = []


class _Suggestions(msgspec.Struct):
    data: list[_Suggestion] = []


class SetUsername(Request[str]):
    """``POST /{phone_number_id}/username``: the result is the status (``approved`` or ``reserved``)."""

    __slots__ = ()

    def __init__(self, phone_number_id: str, username: str, force_transfer: bool = False) -> None:
        body = {"username": username, "transfer_action": "force_transfer" if force_transfer else "none"}
        super().__init__("POST", f"{phone_number_id}/username", body=json_body(body))

    def decode(self, response: Response) -> str:
        """The status."""
        return str(decode_json(response, Username, self).status or "")


class GetUsername(Request[Username]):
    """``GET /{phone_number_id}/username``."""

    __slots__ = ()
    result = Username

    def __init__(self, phone_number_id: str) -> None:
        super().__init__("GET", f"{phone_number_id}/username")


class DeleteUsername(Confirmed):
    """``DELETE /{phone_number_id}/username``."""

    __slots__ = ()

    def __init__(self, phone_number_id: str) -> None:
        super().__init__("DELETE", f"{phone_number_id}/username")


class UsernameSuggestions(Request[list[str]]):
    """``GET /{phone_number_id}/username_suggestions``."""

    __slots__ = ()

    def __init__(self, phone_number_id: str) -> None:
        super().__init__("GET", f"{phone_number_id}/username_suggestions")

    def decode(self, response: Response) -> list[str]:
        """The suggested names."""
        answer: _Suggestions = decode_json(response, _Suggestions, self)
        return [name for item in answer.data for name in item.username_suggestions]


class Usernames:
    """The business username of the client's phone number: ``client.usernames``.

    ```python
    print(await client.usernames.suggestions())  # names Meta reserved for the business
    status = await client.usernames.set("examplecoffee")  # "approved" or "reserved"
    print(await client.usernames.get())
    # Username(username='examplecoffee', status='approved')
    ```
    """

    __slots__ = ("_api",)

    def __init__(self, api: Pipeline) -> None:
        self._api = api

    def __repr__(self) -> str:
        return f"<Usernames phone_number_id={self._api.phone_number_id}>"

    async def get(self) -> Username:
        """The number's username and its status (both None when it has none)."""
        return await self._api.execute(GetUsername(self._api.phone_number_id))

    async def set(self, username: str, *, force_transfer: bool = False) -> str:
        """Adopt or change the username; return its status (``approved`` or ``reserved``). ``force_transfer``
        moves a name another number of the same portfolio holds. Meta checks the name's format (error 100).

        Raises:
            ValidationError: an empty username.
        """
        name = text_field(username, "username").strip()
        return await self._api.execute(SetUsername(self._api.phone_number_id, name, force_transfer))

    async def delete(self) -> bool:
        """Remove the username; False when the number had none."""
        return await self._api.execute(DeleteUsername(self._api.phone_number_id))

    async def suggestions(self) -> list[str]:
        """Usernames Meta reserved for the business."""
        return await self._api.execute(UsernameSuggestions(self._api.phone_number_id))
