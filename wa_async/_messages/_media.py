"""Media messages: image, video, document, audio, sticker, each by ``link`` or by uploaded ``id``.

Prefer uploaded media ids at high throughput: Meta fetches and caches links.
"""

from __future__ import annotations

from typing import Any, ClassVar

from wa_async._errors import ValidationError
from wa_async._messages import _check
from wa_async._messages._base import Message

__all__ = ["Audio", "Document", "Image", "Sticker", "Video"]

CAPTION_LIMIT = 1024  # Meta's image, video and document pages


class _MediaMessage(Message, frozen=True):
    _to_groups: ClassVar[bool] = True  # Meta's group messaging page: text, media and templates
    link: str | None = None
    id: str | None = None

    def _validate(self) -> None:
        _check.link_or_id(self.link, self.id)
        _check.optional_text(getattr(self, "reply_to", None), "reply_to", None)

    def _media(self) -> dict[str, Any]:
        return {"link": self.link} if self.id is None else {"id": self.id}


class _Captioned(_MediaMessage, frozen=True):
    caption: str | None = None

    def _validate(self) -> None:
        super()._validate()
        _check.optional_text(self.caption, "caption", CAPTION_LIMIT)

    def _wire(self) -> Any:
        media = self._media()
        if self.caption is not None:
            media["caption"] = self.caption
        return media


class Image(_Captioned, frozen=True):
    """An image (JPEG or PNG, up to 5 MB) with an optional caption of up to 1024 characters."""

    type: ClassVar[str] = "image"

    reply_to: str | None = None


class Video(_Captioned, frozen=True):
    """A video (MP4 or 3GPP, up to 16 MB) with an optional caption of up to 1024 characters."""

    type: ClassVar[str] = "video"

    reply_to: str | None = None


class Document(_Captioned, frozen=True):
    """A document (up to 100 MB) with an optional caption and the file name the recipient sees."""

    type: ClassVar[str] = "document"

    filename: str | None = None
    reply_to: str | None = None

    def _validate(self) -> None:
        super()._validate()
        _check.optional_text(self.filename, "filename", None)
        if self.filename is not None and ("/" in self.filename or "\\" in self.filename):
            raise ValidationError("filename", f"{self.filename!r} is a path; give the file name only")

    def _wire(self) -> Any:
        media = super()._wire()
        if self.filename is not None:
            media["filename"] = self.filename
        return media


class Audio(_MediaMessage, frozen=True):
    """An audio file; ``voice=True`` sends it as a voice note (OGG/OPUS)."""

    type: ClassVar[str] = "audio"

    reply_to: str | None = None
    voice: bool = False

    def _validate(self) -> None:
        super()._validate()
        if not isinstance(self.voice, bool):
            raise ValidationError("voice", f"expected a bool, got {type(self.voice).__name__}")

    def _wire(self) -> Any:
        media = self._media()
        if self.voice:
            media["voice"] = True
        return media


class Sticker(_MediaMessage, frozen=True):
    """A WebP sticker (static up to 100 KB, animated up to 500 KB)."""

    type: ClassVar[str] = "sticker"

    reply_to: str | None = None

    def _wire(self) -> Any:
        return self._media()
