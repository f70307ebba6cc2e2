"""Media files on disk: the documented type and size limits, sizing up an upload, a streamed download.

Nothing here reads a whole file into memory, and every file operation runs in a worker thread so the event loop
never blocks on the disk.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
import tempfile
from collections.abc import AsyncIterable
from pathlib import Path
from typing import IO

from .._errors import ValidationError
from .._transport import FileSource

__all__ = ["CHUNK", "MEDIA_LIMITS", "STATIC_STICKER_LIMIT", "check_media", "open_source", "write_stream"]

CHUNK = 256 * 1024
_KB, _MB = 1024, 1024 * 1024

# MIME type -> (kind, maximum bytes): Meta's supported media types and sizes (docs/limits.md, "Media").
MEDIA_LIMITS: dict[str, tuple[str, int]] = {
    **dict.fromkeys(("audio/aac", "audio/amr", "audio/mpeg", "audio/mp4", "audio/ogg"), ("audio", 16 * _MB)),
    **dict.fromkeys(
        (
            "text/plain",
            "application/pdf",
            "application/msword",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "application/vnd.ms-excel",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "application/vnd.ms-powerpoint",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ),
        ("document", 100 * _MB),
    ),
    **dict.fromkeys(("image/jpeg", "image/png"), ("image", 5 * _MB)),
    "image/webp": ("animated sticker", 500 * _KB),
    **dict.fromkeys(("video/3gpp", "video/mp4"), ("video", 16 * _MB)),
}
STATIC_STICKER_LIMIT = 100 * _KB  # a static webp sticker, 100 KB (animated: 500 KB)


def _size_text(n: int) -> str:
    return f"{n // _MB} MB" if n >= _MB and n % _MB == 0 else f"{n // _KB} KB" if n % _KB == 0 else f"{n} bytes"


def check_media(mime_type: str, size: int, head: bytes = b"") -> None:
    """Refuse a MIME type WhatsApp does not take, or a size over its documented limit (docs/limits.md).

    ``head`` is the file's first bytes, to tell an animated webp sticker from a static one.
    """
    base = mime_type.split(";", 1)[0].strip().lower()
    if base not in MEDIA_LIMITS:
        raise ValidationError(
            "mime_type", f"{mime_type!r} is not a media type WhatsApp accepts (it takes "
            f"{', '.join(sorted(MEDIA_LIMITS))})",
        )  # fmt: skip
    kind, limit = MEDIA_LIMITS[base]
    if base == "image/webp" and not _animated_webp(head):
        kind, limit = "static sticker", STATIC_STICKER_LIMIT
    if size > limit:
        raise ValidationError(
            "file", f"{size} bytes; the limit for {kind} ({base}) is {_size_text(limit)}", limit=limit
        )
    if size == 0:
        raise ValidationError("file", "is empty")


def _animated_webp(head: bytes) -> bool:
    # RIFF....WEBPVP8X then a flags byte whose bit 1 marks an animation (the WebP container spec).
    return head[:4] == b"RIFF" and head[8:16] == b"WEBPVP8X" and len(head) > 20 and bool(head[20] & 0x02)


async def open_source(obj: str | os.PathLike[str] | bytes | bytearray | memoryview | IO[bytes], limit: int,
                      filename: str | None) -> FileSource:  # fmt: skip
    """Size up what to upload without reading it all (in a thread); a pipe is read up to ``limit + 1`` bytes."""
    if isinstance(obj, bytes | bytearray | memoryview):
        data = bytes(obj)
        return FileSource(size=len(data), head=data[:32], filename=filename or "file", data=data)
    if isinstance(obj, str | os.PathLike):
        path = Path(obj)
        return await asyncio.to_thread(_path_source, path, filename or path.name)
    if hasattr(obj, "read"):
        return await asyncio.to_thread(_file_source, obj, limit, filename or _file_name(obj))
    raise ValidationError("file", f"expected a path, bytes or a binary file object, got {type(obj).__name__}")


def _path_source(path: Path, filename: str) -> FileSource:
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise ValidationError("file", f"{path} is not a regular file")
        with path.open("rb") as f:
            head = f.read(32)
    except FileNotFoundError:
        raise ValidationError("file", f"{path}: no such file") from None
    except PermissionError:
        raise ValidationError("file", f"{path}: permission denied") from None
    return FileSource(size=size, head=head, filename=filename, path=path)


def _file_source(f: IO[bytes], limit: int, filename: str) -> FileSource:
    try:
        start = f.tell()
        end = f.seek(0, io.SEEK_END)
        f.seek(start)
    except (OSError, AttributeError, ValueError):
        data = f.read(limit + 1)  # not seekable: it cannot be re-read for a retry, so hold it (bounded)
        if not isinstance(data, bytes):
            raise ValidationError("file", "the file object must be opened in binary mode") from None
        return FileSource(size=len(data), head=data[:32], filename=filename, data=data)
    head = f.read(32)
    f.seek(start)
    if not isinstance(head, bytes):
        raise ValidationError("file", "the file object must be opened in binary mode")
    return FileSource(size=end - start, head=head, filename=filename, file=f, start=start)


def _file_name(f: object) -> str:
    name = getattr(f, "name", None)
    return Path(name).name if isinstance(name, str) and name else "file"


async def write_stream(chunks: AsyncIterable[bytes], dest: Path) -> tuple[Path, str]:
    """Write ``chunks`` to a temporary file beside ``dest`` (in a thread); return its path and sha256 hex.

    The caller renames it into place once the digest checks out, or removes it.
    """
    fd, name = await asyncio.to_thread(tempfile.mkstemp, prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    tmp = Path(name)
    digest = hashlib.sha256()
    out = os.fdopen(fd, "wb")

    def put(chunk: bytes) -> None:
        out.write(chunk)
        digest.update(chunk)

    try:
        async for chunk in chunks:
            await asyncio.to_thread(put, chunk)
        await asyncio.to_thread(out.close)
    except BaseException:
        await asyncio.to_thread(_discard, out, tmp)
        raise
    return tmp, digest.hexdigest()


def _discard(out: IO[bytes], tmp: Path) -> None:
    out.close()
    tmp.unlink(missing_ok=True)
