"""Graph's paged lists: one page struct for every resource, and a loop that follows the ``after`` cursors."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from typing import Generic, TypeVar

import msgspec

from .._errors import ApiError, ValidationError
from .._pipeline import Pipeline
from .._request import Request

__all__ = ["STALE_CURSOR", "Page", "csv", "follow_pages", "waba_of"]

STALE_CURSOR = frozenset({131059, 139102})
"""Graph's errors for a paging cursor that is no longer valid (v24.0 and later), and for a block list that changed
while it was being listed: both say to list again from the first page."""

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
    api: Pipeline,
    request: Callable[[Mapping[str, str]], Request[Page[T]]],
    params: Mapping[str, str],
    key: Callable[[T], object] | None = None,
) -> AsyncIterator[T]:
    """Every item of every page, following the ``after`` cursor on our own base URL (``paging.next`` names
    graph.facebook.com even through Maton); a cursor seen twice ends the walk.

    Since v24.0 Graph answers a cursor that went stale with error 131059, to be retried without it (the block list
    says 139102 when it changed meanwhile): the walk then starts again from the first page (once), skipping the
    items it already yielded (by ``key(item)``, by default the item's ``id``).
    """
    key_of = key if key is not None else _id
    first = dict(params)
    seen: set[str] = set()
    yielded: set[object] = set()
    restarted = False
    while True:
        try:
            page = await api.execute(request(params))
        except ApiError as error:
            if error.code not in STALE_CURSOR or "after" not in params or restarted:
                raise
            restarted, params, seen = True, first, set()
            continue
        for item in page.data:
            item_key = key_of(item)
            if item_key is not None:
                if item_key in yielded:
                    continue
                yielded.add(item_key)
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


def _id(item: object) -> object:
    return getattr(item, "id", None)
