"""``client.media``: upload, look up, download and delete media."""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import hashlib
import os
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import IO, overload

import msgspec

from .._errors import AuthError, MediaError, NotFound, ValidationError
from .._pipeline import Pipeline
from .._request import ApiCall, Request, Success, decode_json, node_id
from .._transport import FilePart, Multipart, Response
from ._files import CHUNK, MEDIA_LIMITS, check_media, open_source, write_stream

__all__ = ["ChecksumMismatch", "DeleteMedia", "GetMedia", "Media", "MediaInfo", "UploadMedia"]

MediaSource = str | os.PathLike[str] | bytes | bytearray | memoryview | IO[bytes]
Progress = Callable[[int, int | None], None]
"""``progress(done, total)``: bytes transferred so far, and the whole size when known."""


class MediaInfo(msgspec.Struct, frozen=True):
    """An uploaded medium: its short-lived download ``url`` (valid 5 minutes), type, digest and size."""

    id: str
    url: str
    mime_type: str
    sha256: str
    file_size: int | None = None


class _MediaInfoWire(msgspec.Struct):
    id: str
    url: str
    mime_type: str = ""
    sha256: str = ""
    file_size: int | str | None = None  # a string in Meta's example (payloads/media-url-retrieve-response.json)
    messaging_product: str = "whatsapp"


class _Id(msgspec.Struct):
    id: str


class UploadMedia(Request[str]):
    """``POST /{phone_number_id}/media`` (multipart): the result is the media id."""

    __slots__ = ()

    def __init__(self, phone_number_id: str, part: FilePart) -> None:
        body = Multipart([("messaging_product", "whatsapp"), ("type", part.content_type)], [part])
        super().__init__("POST", f"{phone_number_id}/media", body=body)

    def decode(self, response: Response) -> str:
        """The new media id."""
        return str(decode_json(response, _Id, self).id)


class GetMedia(Request[MediaInfo]):
    """``GET /{media_id}``: the download URL (valid 5 minutes), type, digest and size."""

    __slots__ = ()

    def __init__(self, media_id: str) -> None:
        super().__init__("GET", node_id(media_id, "media_id"))

    def decode(self, response: Response) -> MediaInfo:
        """The medium's description."""
        w: _MediaInfoWire = decode_json(response, _MediaInfoWire, self)
        return MediaInfo(id=w.id, url=w.url, mime_type=w.mime_type, sha256=w.sha256, file_size=_int(w.file_size))


class DeleteMedia(Request[bool]):
    """``DELETE /{media_id}``."""

    __slots__ = ()

    def __init__(self, media_id: str) -> None:
        super().__init__("DELETE", node_id(media_id, "media_id"))

    def decode(self, response: Response) -> bool:
        """True when Meta confirms."""
        return bool(decode_json(response, Success, self).success)


class ChecksumMismatch(MediaError):
    """The downloaded bytes do not match the ``sha256`` Meta gave for them; nothing was kept."""

    def __init__(self, media_id: str, expected: str, actual: str) -> None:
        self.media_id = media_id
        self.expected = expected
        self.actual = actual
        super().__init__(
            f"media {media_id}: sha256 mismatch, expected {expected}, got {actual}; the download is corrupt",
            http_status=200,
        )


class Media:
    """Media of the client's phone number: ``client.media``.

    Examples:
        ```python
        media_id = await client.media.upload("invoice.pdf", "application/pdf")  # from disk
        info = await client.media.get(media_id)
        path = await client.media.download(info, dest="copy.pdf")  # sha256 checked
        await client.media.delete(media_id)
        ```
    """

    __slots__ = ("_api",)

    def __init__(self, api: Pipeline) -> None:
        self._api = api

    def __repr__(self) -> str:
        return f"<Media phone_number_id={self._api.phone_number_id}>"

    async def upload(
        self,
        file: MediaSource,
        mime_type: str,
        *,
        filename: str | None = None,
        progress: Progress | None = None,
    ) -> str:
        """Upload a path, bytes or a binary file object.

        The type and size are checked against Meta's documented limits before anything is sent; a file is
        streamed from disk in chunks, never read whole.

        Args:
            file: A path, the bytes, or a binary file object (read from its current position).
            mime_type: The medium's MIME type, e.g. ``"application/pdf"``.
            filename: The file name sent to Meta (default: the path's or file object's name, else ``file``).
            progress: Called as ``progress(done, total)`` as bytes go out (a retry starts again from 0).

        Returns:
            The media id (valid for 30 days).

        Raises:
            ValidationError: The MIME type is not one WhatsApp takes, the file is missing or empty, or it is over
                its type's limit.
        """
        if not isinstance(mime_type, str) or not mime_type.strip():
            raise ValidationError("mime_type", "is empty")
        mime = mime_type.split(";", 1)[0].strip().lower()
        limit = MEDIA_LIMITS.get(mime, ("", 0))[1]
        source = await open_source(file, limit, filename)
        check_media(mime, source.size, source.head)
        source.progress = progress

        return await self._api.execute(UploadMedia(self._api.phone_number_id, FilePart("file", source, mime)))

    async def get(self, media_id: str) -> MediaInfo:
        """The medium's download URL (valid 5 minutes), MIME type, sha256 and size."""
        return await self._api.execute(GetMedia(media_id))

    async def delete(self, media_id: str) -> bool:
        """Delete an uploaded medium; True when Meta confirms."""
        return await self._api.execute(DeleteMedia(media_id))

    @overload
    async def download(
        self, media: str | MediaInfo, dest: None = None, *, progress: Progress | None = None
    ) -> bytes: ...

    @overload
    async def download(
        self, media: str | MediaInfo, dest: str | os.PathLike[str], *, progress: Progress | None = None
    ) -> Path: ...

    async def download(
        self, media: str | MediaInfo, dest: str | os.PathLike[str] | None = None, *, progress: Progress | None = None
    ) -> bytes | Path:
        """Fetch a medium: its bytes, or stream it to ``dest``.

        The URL needs the bearer token and expires after 5 minutes; a 404 or 401 from the media host fetches a
        fresh URL once. The sha256 is checked (hex or base64).

        Args:
            media: The media id, or the [`MediaInfo`][wa_async.MediaInfo] that [`get`][wa_async.resources.Media.get]
                returned.
            dest: A file path to stream the medium to, in chunks; None returns the bytes.
            progress: With ``dest``, called as ``progress(done, total)`` as chunks arrive (``total`` is the size
                Meta gave, or None).

        Returns:
            The bytes, or the path ``dest`` when given.

        Raises:
            ChecksumMismatch: The bytes do not match Meta's sha256; no file is left behind.
        """
        info = media if isinstance(media, MediaInfo) else await self.get(media)
        target = None if dest is None else Path(dest)
        for last_try in (False, True):
            try:
                if target is None:
                    data = await self._api.execute(ApiCall("GET", info.url, bytes))
                    _verify(info, hashlib.sha256(data).hexdigest())
                    return data
                return await self._download_to(info, target, progress)
            except (NotFound, AuthError):
                if last_try:
                    raise
                info = await self.get(info.id)  # the URL expired: ask for a new one
        raise AssertionError("unreachable")  # pragma: no cover

    async def _download_to(self, info: MediaInfo, dest: Path, progress: Progress | None) -> Path:
        # The bearer token goes to the media host too; the retry policy covers the start of the stream.
        async with self._api.stream(ApiCall("GET", info.url, bytes), chunk_size=CHUNK) as resp:
            chunks = resp.chunks if progress is None else _counted(resp.chunks, progress, info.file_size)
            tmp, actual = await write_stream(chunks, dest)
        try:
            _verify(info, actual)
            await asyncio.to_thread(os.replace, tmp, dest)
        except BaseException:
            await asyncio.to_thread(tmp.unlink, True)
            raise
        return dest


async def _counted(chunks: AsyncIterator[bytes], progress: Progress, total: int | None) -> AsyncIterator[bytes]:
    done = 0
    progress(0, total)
    async for chunk in chunks:
        done += len(chunk)
        progress(done, total)
        yield chunk


def _int(value: int | str | None) -> int | None:
    if isinstance(value, str):
        return int(value) if value.strip().isdigit() else None
    return value


def _verify(info: MediaInfo, actual_hex: str) -> None:
    expected = _hex_digest(info.sha256)
    if expected is not None and expected != actual_hex:
        raise ChecksumMismatch(info.id, expected, actual_hex)


def _hex_digest(value: str) -> str | None:
    """A sha256 as lowercase hex, from hex or base64 (either form has been seen); None when it is neither."""
    text = value.strip()
    if len(text) == 64:
        with contextlib.suppress(ValueError):
            return bytes.fromhex(text).hex()
    with contextlib.suppress(binascii.Error, ValueError):
        raw = base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_" if "-" in text or "_" in text else None)
        if len(raw) == 32:
            return raw.hex()
    return None

