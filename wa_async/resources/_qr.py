"""``client.qr_codes``: QR codes and short links that open a chat with a prefilled message
(``/{phone_number_id}/message_qrdls``).

Meta's QR codes page: the prefilled message is at most 140 characters; the image is SVG or PNG; a number holds at
most 2,000 codes; codes never expire.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Literal

import msgspec

from .._errors import ApiError, ValidationError
from .._pipeline import Pipeline
from .._request import Request, decode_json, node_id
from .._transport import Response
from ._common import Confirmed, json_body, text_field
from ._paging import Page, follow_pages

__all__ = ["PREFILLED_MESSAGE_LIMIT", "CreateQrCode", "DeleteQrCode", "GetQrCode", "ListQrCodes", "QrCode", "QrCodes"]

PREFILLED_MESSAGE_LIMIT = 140
ImageFormat = Literal["PNG", "SVG"]
_DEFAULT_FIELDS = "code,prefilled_message,deep_link_url"


class QrCode(msgspec.Struct, frozen=True):
    """A QR code: its ``code``, the message it prefills, the ``wa.me`` link, and the image URL when asked for."""

    code: str
    prefilled_message: str = ""
    deep_link_url: str = ""
    qr_image_url: str | None = None


class _One(msgspec.Struct):
    data: list[QrCode] = []


class CreateQrCode(Request[QrCode]):
    """``POST /{phone_number_id}/message_qrdls``: create (or, with ``code``, change) a QR code."""

    __slots__ = ()
    result = QrCode

    def __init__(self, phone_number_id: str, message: str, image: str | None = None, code: str | None = None) -> None:
        body: dict[str, str] = {"prefilled_message": message}
        if image is not None:
            body["generate_qr_image"] = image
        if code is not None:
            body["code"] = code
        super().__init__("POST", f"{phone_number_id}/message_qrdls", body=json_body(body))


class ListQrCodes(Request[Page[QrCode]]):
    """``GET /{phone_number_id}/message_qrdls``: one page."""

    __slots__ = ()
    result = Page[QrCode]

    def __init__(self, phone_number_id: str, params: Mapping[str, str]) -> None:
        super().__init__("GET", f"{phone_number_id}/message_qrdls", params=params)


class GetQrCode(Request[QrCode]):
    """``GET /{phone_number_id}/message_qrdls/{code}`` (Meta answers ``{"data": [...]}``)."""

    __slots__ = ()

    def __init__(self, phone_number_id: str, code: str, fields: str | None = None) -> None:
        super().__init__("GET", f"{phone_number_id}/message_qrdls/{node_id(code, 'code')}",
                         params={"fields": fields} if fields else None)  # fmt: skip

    def decode(self, response: Response) -> QrCode:
        """The one QR code."""
        answer: _One = decode_json(response, _One, self)
        if not answer.data:
            raise ApiError("the QR code answer holds no data", http_status=response.status, request=self)
        return answer.data[0]


class DeleteQrCode(Confirmed):
    """``DELETE /{phone_number_id}/message_qrdls/{code}``."""

    __slots__ = ()

    def __init__(self, phone_number_id: str, code: str) -> None:
        super().__init__("DELETE", f"{phone_number_id}/message_qrdls/{node_id(code, 'code')}")


class QrCodes:
    """QR codes of the client's phone number: ``client.qr_codes``.

    ```python
    qr = await client.qr_codes.create("Hi! I'd like to book a table.", image_format="SVG")
    print(qr.code, qr.deep_link_url, qr.qr_image_url)
    await client.qr_codes.update(qr.code, "Hi! Is there a table tonight?")
    async for qr in client.qr_codes.list():
        print(qr.code, qr.prefilled_message)
    await client.qr_codes.delete(qr.code)
    ```
    """

    __slots__ = ("_api",)

    def __init__(self, api: Pipeline) -> None:
        self._api = api

    def __repr__(self) -> str:
        return f"<QrCodes phone_number_id={self._api.phone_number_id}>"

    async def create(self, prefilled_message: str, image_format: ImageFormat | None = "PNG") -> QrCode:
        """A new QR code that opens a chat with ``prefilled_message`` (at most 140 characters); with
        ``image_format`` (``PNG`` or ``SVG``; None for none) the answer carries the image's URL.

        Raises:
            ValidationError: an empty or too long message, or another image format.
        """
        message = text_field(prefilled_message, "prefilled_message", PREFILLED_MESSAGE_LIMIT)
        image = _format(image_format)
        return await self._api.execute(CreateQrCode(self._api.phone_number_id, message, image))

    async def update(self, code: str, prefilled_message: str, image_format: ImageFormat | None = None) -> QrCode:
        """Change the message a QR code prefills (the code and its image stay the same)."""
        message = text_field(prefilled_message, "prefilled_message", PREFILLED_MESSAGE_LIMIT)
        checked = node_id(code, "code")
        return await self._api.execute(CreateQrCode(self._api.phone_number_id, message, _format(image_format),
                                                    checked))  # fmt: skip

    async def get(self, code: str, image_format: ImageFormat | None = None) -> QrCode:
        """One QR code; with ``image_format`` its image URL in that format too."""
        return await self._api.execute(GetQrCode(self._api.phone_number_id, code, _fields(image_format)))

    async def list(self, image_format: ImageFormat | None = None) -> AsyncIterator[QrCode]:
        """Every QR code of the number (newest first), following the paging cursors."""
        fields = _fields(image_format)
        params = {"fields": fields} if fields is not None else {}
        pnid = self._api.phone_number_id
        async for qr in follow_pages(self._api, lambda p: ListQrCodes(pnid, p), params):
            yield qr

    async def delete(self, code: str) -> bool:
        """Delete a QR code: its link stops working."""
        return await self._api.execute(DeleteQrCode(self._api.phone_number_id, code))


def _format(image_format: object) -> str | None:
    if image_format is None:
        return None
    if not isinstance(image_format, str) or image_format.upper() not in ("PNG", "SVG"):
        raise ValidationError("image_format", f"{image_format!r} is not PNG or SVG")
    return image_format.upper()


def _fields(image_format: object) -> str | None:
    image = _format(image_format)
    return None if image is None else f"{_DEFAULT_FIELDS},qr_image_url.format({image})"
