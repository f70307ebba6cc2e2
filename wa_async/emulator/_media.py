"""Media: upload (multipart), URL retrieval with expiring URLs, download, delete (docs/limits.md)."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from aiohttp import web

from ._graph import GraphError, json_response, param

__all__ = ["MEDIA_LIMITS", "MediaStore"]

_MB = 1024 * 1024
# MIME type -> maximum size in bytes (docs/limits.md).
MEDIA_LIMITS: dict[str, int] = {
    **dict.fromkeys(("audio/aac", "audio/amr", "audio/mpeg", "audio/mp4", "audio/ogg"), 16 * _MB),
    **dict.fromkeys(
        (
            "text/plain",
            "application/vnd.ms-excel",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "application/msword",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "application/vnd.ms-powerpoint",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            "application/pdf",
        ),
        100 * _MB,
    ),
    **dict.fromkeys(("image/jpeg", "image/png"), 5 * _MB),
    "image/webp": 500 * 1024,  # animated stickers; static ones are held to 100 KB below
    **dict.fromkeys(("video/3gpp", "video/mp4"), 16 * _MB),
}
_STATIC_STICKER_MAX = 100 * 1024
MAX_UPLOAD = 100 * _MB


@dataclass(slots=True)
class _Media:
    id: str
    data: bytes
    mime_type: str
    sha256: str


class MediaStore:
    """Uploaded media in memory, and the download URLs handed out for them."""

    __slots__ = ("_clock", "_media", "_urls", "ttl")

    def __init__(self, clock: Callable[[], float], ttl: float = 300.0) -> None:
        self._clock = clock
        self.ttl = ttl
        self._media: dict[str, _Media] = {}
        self._urls: dict[str, tuple[str, float]] = {}  # hash -> (media id, expiry on the clock)

    def __repr__(self) -> str:
        return f"<MediaStore media={len(self._media)} urls={len(self._urls)} ttl={self.ttl}>"

    def __contains__(self, media_id: object) -> bool:
        return media_id in self._media

    def add(self, data: bytes, mime_type: str) -> str:
        """Store ``data`` and return its new media id."""
        media_id = str(secrets.randbelow(9 * 10**15) + 10**15)
        self._media[media_id] = _Media(media_id, data, mime_type, hashlib.sha256(data).hexdigest())
        return media_id

    def clear(self) -> None:
        """Forget every upload and URL."""
        self._media.clear()
        self._urls.clear()

    async def upload(self, request: web.Request) -> web.Response:
        """``POST /{v}/{pnid}/media``: multipart ``messaging_product``, ``type``, ``file``."""
        form = await request.post()
        if form.get("messaging_product") is None:
            raise param("The parameter messaging_product is required.")
        if form.get("messaging_product") != "whatsapp":
            raise param("Param messaging_product must be one of {WHATSAPP}.")
        file = form.get("file")
        if not isinstance(file, web.FileField):
            raise param("The parameter file is required.")
        mime_type = form.get("type")
        if not isinstance(mime_type, str) or not mime_type:
            raise param("The parameter type is required.")
        if mime_type not in MEDIA_LIMITS:
            raise GraphError(131053, f"Unsupported file type: {mime_type}")
        part_type = file.content_type
        if part_type not in ("", "application/octet-stream", mime_type):
            raise GraphError(131053, f"The file's type {part_type} does not match the type {mime_type}")
        data = file.file.read()
        limit = MEDIA_LIMITS[mime_type]
        if mime_type == "image/webp" and b"ANIM" not in data[:64]:
            limit = _STATIC_STICKER_MAX
        if not data:
            raise GraphError(131053, "The file is empty")
        if len(data) > limit:
            raise GraphError(131053, f"File size {len(data)} exceeds the {limit} byte limit for {mime_type}")
        return json_response({"id": self.add(data, mime_type)})

    def info(self, request: web.Request, media_id: str) -> web.Response:
        """``GET /{v}/{media_id}``: metadata and a download URL valid for ``ttl`` seconds (docs/limits.md)."""
        media = self._media[media_id]
        url_hash = secrets.token_urlsafe(16)
        expires = self._clock() + self.ttl
        self._urls[url_hash] = (media_id, expires)
        root = f"{request.scheme}://{request.host}"
        ext = mime_ext(media.mime_type)
        return json_response({
            "messaging_product": "whatsapp",
            "url": f"{root}/whatsapp_business/attachments/?mid={media_id}&ext={ext}&hash={url_hash}",
            "mime_type": media.mime_type,
            "sha256": media.sha256,
            "file_size": str(len(media.data)),  # a string in Meta's example
            "id": media_id,
        })  # fmt: skip

    def delete(self, media_id: str) -> web.Response:
        """``DELETE /{v}/{media_id}``."""
        del self._media[media_id]
        return json_response({"success": True})

    async def download(self, request: web.Request) -> web.Response:
        """``GET <media URL>``: the bytes; 404 once the URL expired (the bearer is checked by the caller)."""
        entry = self._urls.get(request.query.get("hash", ""))
        if entry is None or self._clock() >= entry[1] or entry[0] not in self._media:
            return web.Response(status=404, text="Not Found")
        media = self._media[entry[0]]
        return web.Response(body=media.data, content_type=media.mime_type)


def mime_ext(mime_type: str) -> str:
    """A file extension for a MIME type, as the ``ext`` query parameter of a media URL."""
    return mime_type.rsplit("/", 1)[-1].split(".")[-1].split("+")[0]
