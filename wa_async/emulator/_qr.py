"""QR codes and short links: ``/{pnid}/message_qrdls`` (Meta's QR codes page and the OpenAPI file).

Create ``{"prefilled_message" (at most 140 characters), "generate_qr_image"?: "SVG"|"PNG"}`` ->
``{"code", "prefilled_message", "deep_link_url", "qr_image_url"?}``; the same ``POST`` with ``code`` updates the
message. List (newest first, ``limit`` 1 to 25, ``code`` filter, ``fields`` with ``qr_image_url.format(SVG)``),
get and delete one by code; a missing code is a 404 with code 803. At most 2,000 codes per number.

The image behind ``qr_image_url`` is served by the emulator without a token (Meta's is a public CDN URL): a small
valid SVG or PNG placeholder, not a scannable code.
"""

from __future__ import annotations

import re
import secrets
import struct
import time
import zlib
from collections.abc import Iterable
from typing import Any

from aiohttp import web

from ._area import Area, Route, not_found, read_body, str_field
from ._graph import json_response, param
from ._paging import page

__all__ = ["MAX_QR_CODES", "QrCodes"]

MAX_QR_CODES = 2000
_MAX_MESSAGE = 140
_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"  # the OpenAPI pattern [A-Z2-7]{14}
_CODE = re.compile(r"^[A-Z0-9]{14}$")  # lookups: Meta's own examples hold a '1', outside that pattern
_FORMATS = frozenset({"SVG", "PNG"})
_IMAGE_FIELD = re.compile(r"^qr_image_url\.format\((SVG|PNG)\)$")
_DEFAULT_FIELDS = ("code", "prefilled_message", "deep_link_url")


class QrCodes(Area):
    """QR codes per phone number id, newest first."""

    __slots__ = ("_codes", "limit")

    def __init__(self) -> None:
        super().__init__()
        self.limit = MAX_QR_CODES
        self._codes: dict[str, dict[str, dict[str, Any]]] = {}  # pnid -> code -> record (insertion = age)

    def __repr__(self) -> str:
        return f"<QrCodes numbers={len(self._codes)}>"

    def routes(self) -> Iterable[Route]:
        """``GET``/``POST /{pnid}/message_qrdls`` and ``GET``/``DELETE /{pnid}/message_qrdls/{code}``."""
        one = "/{pnid}/message_qrdls/{code}"
        return (
            ("GET", "/{pnid}/message_qrdls", self.list_codes),
            ("POST", "/{pnid}/message_qrdls", self.create_or_update),
            ("GET", one, self.get),
            ("DELETE", one, self.delete),
        )

    def raw_routes(self) -> Iterable[Route]:
        """The QR images: ``GET /__emulator/qr/{code}.svg`` or ``.png``."""
        return (("GET", "/__emulator/qr/{name}", self.image),)

    async def create_or_update(self, request: web.Request) -> web.Response:
        """``POST /{pnid}/message_qrdls``: create (no ``code``) or update (with ``code``)."""
        body = await read_body(request)
        unknown = set(body) - {"prefilled_message", "generate_qr_image", "code"}
        if unknown:
            raise param(f"Unknown parameter {sorted(unknown)[0]!r}")
        message = str_field(body, "prefilled_message")
        assert message is not None
        if len(message) > _MAX_MESSAGE:
            raise param(f"Invalid prefilled_message length. Maximum {_MAX_MESSAGE} characters allowed")
        image = body.get("generate_qr_image")
        if image is not None and image not in _FORMATS:
            raise param(f'Param generate_qr_image must be one of {{PNG, SVG}} - got "{image}".')
        pnid = request.match_info["pnid"]
        codes = self._codes.setdefault(pnid, {})
        code = body.get("code")
        if code is not None:
            record = codes.get(_valid_code(code))
            if record is None:
                raise not_found("QR code")
            record["prefilled_message"] = message
        else:
            if len(codes) >= self.limit:
                raise param(f"A phone number can have at most {self.limit} QR codes.")
            code = _new_code(codes)
            record = codes[code] = {
                "code": code,
                "prefilled_message": message,
                "deep_link_url": f"https://wa.me/message/{code}",
                "creation_time": int(time.time()),
            }
        answer = {k: record[k] for k in _DEFAULT_FIELDS}
        if image is not None:
            answer["qr_image_url"] = _image_url(request, code, image)
        return json_response(answer)

    async def list_codes(self, request: web.Request) -> web.Response:
        """``GET /{pnid}/message_qrdls?fields&code&limit&after&before``."""
        records = list(reversed(self._codes.get(request.match_info["pnid"], {}).values()))
        if "code" in request.query:
            records = [r for r in records if r["code"] == request.query["code"]]
        chunk, paging = page(records, request, prefix="qr", maximum=25)
        body: dict[str, Any] = {"data": [_fields(request, r) for r in chunk]}
        if paging is not None:
            body["paging"] = paging
        return json_response(body)

    async def get(self, request: web.Request) -> web.Response:
        """``GET /{pnid}/message_qrdls/{code}`` -> ``{"data": [{...}]}``."""
        return json_response({"data": [_fields(request, self._find(request))]})

    async def delete(self, request: web.Request) -> web.Response:
        """``DELETE /{pnid}/message_qrdls/{code}``."""
        record = self._find(request)
        del self._codes[request.match_info["pnid"]][record["code"]]
        return json_response({"success": True})

    async def image(self, request: web.Request) -> web.Response:
        """The image of a QR code: an SVG or PNG placeholder carrying its deep link."""
        code, _, ext = request.match_info["name"].partition(".")
        if not any(code in codes for codes in self._codes.values()) or ext not in ("svg", "png"):
            return web.Response(status=404, text="Not Found")
        if ext == "svg":
            link = f"https://wa.me/message/{code}"
            svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256" viewBox="0 0 256 256">'
                   f'<rect width="256" height="256" fill="#fff"/>'
                   f'<text x="8" y="128" font-size="10">{link}</text></svg>')
            return web.Response(text=svg, content_type="image/svg+xml")
        return web.Response(body=_png(), content_type="image/png")

    def _find(self, request: web.Request) -> dict[str, Any]:
        code = _valid_code(request.match_info["code"])
        record = self._codes.get(request.match_info["pnid"], {}).get(code)
        if record is None:
            raise not_found("QR code")
        return record


def _valid_code(code: Any) -> str:
    if not isinstance(code, str) or not _CODE.match(code):
        raise param("Invalid QR code ID format. Expected 14-character alphanumeric string")
    return code


def _new_code(taken: dict[str, Any]) -> str:
    while True:
        code = "".join(secrets.choice(_ALPHABET) for _ in range(14))
        if code not in taken:
            return code


def _image_url(request: web.Request, code: str, image: str) -> str:
    return f"{request.scheme}://{request.host}/__emulator/qr/{code}.{image.lower()}"


def _fields(request: web.Request, record: dict[str, Any]) -> dict[str, Any]:
    """The record with the requested ``fields`` (code, prefilled_message and deep_link_url are always there)."""
    item = {k: record[k] for k in _DEFAULT_FIELDS}
    for name in (f.strip() for f in request.query.get("fields", "").split(",") if f.strip()):
        match = _IMAGE_FIELD.match(name)
        if match:
            item["qr_image_url"] = _image_url(request, record["code"], match.group(1))
        elif name == "creation_time":
            item["creation_time"] = record["creation_time"]
        elif name not in _DEFAULT_FIELDS:
            raise param(f"Invalid fields parameter: {name!r}. Check field names and format specifications")
    return item


def _png() -> bytes:
    """A valid 1x1 white PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    body = chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\xff")) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + body
