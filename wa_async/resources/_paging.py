"""Graph's paged lists: one page struct for every resource, and a loop that follows the ``after`` cursors."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from typing import Generic, TypeVar

import msgspec

from .._errors import ValidationError
from .._pipeline import Pipeline
from .._request import Request

__all__ = ["Page", "csv", "follow_pages", "waba_of"]

T = TypeVar("T")


class _Cursors(msgspec.Struct):
    before: str | None = None
    after: str | None = None


class _Paging(msgspec.Struct):
    cursors: _Cursors | None = None
    next: str | None = None


class Page(msgspec.Struct, Generic[T]):
    """One page of a Graph list: its items and the cursor to the next page."""

    data: list[T] = []
    paging: _Paging | None = None

    @property
    def after(self) -> str | None:
        """The cursor of the next page, or None on the last one."""
        paging = self.paging
        if paging is None or not paging.next or paging.cursors is None or not self.data:
            return None
        return paging.cursors.after or None


async def follow_pages(
    api: Pipeline, request: Callable[[Mapping[str, str]], Request[Page[T]]], params: Mapping[str, str]
) -> AsyncIterator[T]:
    """Every item of every page, following the ``after`` cursor on our own base URL (``paging.next`` names
    graph.facebook.com even through Maton); a cursor seen twice ends the walk."""
    seen: set[str] = set()
    while True:
        page = await api.execute(request(params))
        for item in page.data:
            yield item
        after = page.after
        if after is None or after in seen:
            return
        seen.add(after)
        params = {**params, "after": after}


def waba_of(api: Pipeline) -> str:
    """The client's WhatsApp Business Account id, or a clear error."""
    if not api.waba_id:
        raise ValidationError("waba_id", "this needs the WhatsApp Business Account id: pass waba_id= to the client "
                                         "(or set WA_WABA_ID)")  # fmt: skip
    return api.waba_id


def csv(value: str | Sequence[str] | None, *, upper: bool = False) -> str | None:
    """A comma-separated Graph list parameter."""
    if value is None:
        return None
    text = value if isinstance(value, str) else ",".join(value)
    return text.upper() if upper else text
