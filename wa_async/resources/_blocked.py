"""``client.blocked``: the phone number's block list (``/{phone_number_id}/block_users``).

Meta's Block Users page: only a user who wrote to the business in the last 24 hours can be blocked (131047), not
the business itself (131021), nor by a parent BSUID; the list holds at most 64,000 users (139101). Results are per
user: when some fail, Meta answers HTTP 400 with the per-user results and error 139100, which comes back here as a
[`BlockResult`][wa_async.resources.BlockResult] whose ``failed`` says who and why. The list pages with cursors; a
cursor from before the list changed answers 139102 (list again from the start).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Mapping

import msgspec

from .._errors import ApiError, DeliveryUnknown, ValidationError
from .._pipeline import Pipeline
from .._request import Request, decode_json
from .._transport import Response
from ._common import ErrorDetail, json_body, users_list
from ._paging import Page, follow_pages

__all__ = [
    "MAX_BLOCKED",
    "BlockResult",
    "Blocked",
    "BlockedUser",
    "ChangeBlockList",
    "DoneUser",
    "FailedUser",
    "ListBlocked",
]

MAX_BLOCKED = 64_000  # the block list's capacity (Meta's Block Users page, error 139101)


class BlockedUser(msgspec.Struct, frozen=True):
    """A blocked user: the phone (``wa_id``, when Meta gives it), the BSUID (``user_id``) and its parent."""

    wa_id: str | None = None
    user_id: str | None = None
    parent_user_id: str | None = None


class DoneUser(msgspec.Struct, frozen=True):
    """A user the call went through for: ``input`` as sent, and whom Meta resolved it to."""

    input: str
    wa_id: str | None = None
    user_id: str | None = None


class FailedUser(msgspec.Struct, frozen=True):
    """A user the call failed for: ``input`` as sent, and Meta's errors (``131047``: no message in 24 hours)."""

    input: str
    wa_id: str | None = None
    user_id: str | None = None
    errors: list[ErrorDetail] = []

    @property
    def code(self) -> int | None:
        """The first error's code."""
        return self.errors[0].code if self.errors else None


class BlockResult(msgspec.Struct, frozen=True):
    """What a block or unblock did, user by user: ``done`` went through, ``failed`` did not (with why)."""

    done: list[DoneUser] = []
    failed: list[FailedUser] = []

    @property
    def ok(self) -> bool:
        """True when every user went through."""
        return not self.failed


class _Outcome(msgspec.Struct):
    added_users: list[DoneUser] = []
    removed_users: list[DoneUser] = []  # a third-party SDK reads this key for unblock (UNCERTAIN); Meta shows added
    failed_users: list[FailedUser] = []


class _Answer(msgspec.Struct):
    block_users: _Outcome | None = None


class _PartialFailure(ApiError):
    """Meta's 400 with per-user results: turned into the call's result by `Blocked`."""

    def __init__(self, base: ApiError, result: BlockResult) -> None:
        super().__init__(
            base.message, http_status=base.http_status, code=base.code, subcode=base.subcode, type=base.type,
            details=base.details, fbtrace_id=base.fbtrace_id, is_transient=base.is_transient,
            retry_after=base.retry_after, request=base.request,
        )  # fmt: skip
        self.result = result


class _ListItem(msgspec.Struct):
    wa_id: str | None = None
    user_id: str | None = None
    parent_user_id: str | None = None
    block_users: list[DoneUser] = []  # Meta's October 2025 page nested the users one level down


class ChangeBlockList(Request[BlockResult]):
    """``POST`` (block) or ``DELETE`` (unblock) ``/{phone_number_id}/block_users``."""

    __slots__ = ()

    def __init__(self, phone_number_id: str, users: list[dict[str, str]], *, block: bool) -> None:
        body = json_body({"messaging_product": "whatsapp", "block_users": users})
        super().__init__("POST" if block else "DELETE", f"{phone_number_id}/block_users", body=body)

    @property
    def idempotent(self) -> bool:
        """Blocking or unblocking the same users again changes nothing: safe to repeat."""
        return True

    def decode(self, response: Response) -> BlockResult:
        """The per-user results."""
        answer: _Answer = decode_json(response, _Answer, self)
        return _result(answer.block_users)

    def error(self, response: Response) -> ApiError | DeliveryUnknown:
        """Meta's error; one that carries per-user results (139100) keeps them."""
        base = super().error(response)
        if isinstance(base, ApiError):
            try:
                answer = msgspec.json.decode(response.body, type=_Answer)
            except (msgspec.DecodeError, msgspec.ValidationError):
                return base
            if answer.block_users is not None:
                return _PartialFailure(base, _result(answer.block_users))
        return base


class ListBlocked(Request[Page[_ListItem]]):
    """``GET /{phone_number_id}/block_users``: one page."""

    __slots__ = ()
    result = Page[_ListItem]

    def __init__(self, phone_number_id: str, params: Mapping[str, str]) -> None:
        super().__init__("GET", f"{phone_number_id}/block_users", params=params)


class Blocked:
    """The block list of the client's phone number: ``client.blocked``.

    ```python
    result = await client.blocked.block(["15551234567", "US.1234567890123456789"])
    for user in result.failed:
        print(user.input, user.code, user.errors[0].message)  # 131047: not in 24 hours
    async for user in client.blocked.list():
        print(user.wa_id, user.user_id)
    await client.blocked.unblock("15551234567")
    ```
    """

    __slots__ = ("_api",)

    def __init__(self, api: Pipeline) -> None:
        self._api = api

    def __repr__(self) -> str:
        return f"<Blocked phone_number_id={self._api.phone_number_id}>"

    async def block(self, users: str | Iterable[str]) -> BlockResult:
        """Block users, given as phone numbers or BSUIDs; the result says user by user what was done.

        Raises:
            ValidationError: no user, more than 64,000 (the list's capacity), one given twice, a parent BSUID
                (Meta refuses those), or one that is neither a phone number nor a BSUID.
        """
        return await self._change(users, block=True)

    async def unblock(self, users: str | Iterable[str]) -> BlockResult:
        """Unblock users, given as phone numbers or BSUIDs; the result says user by user what was done.

        Raises:
            ValidationError: as for [`block`][wa_async.resources.Blocked.block].
        """
        return await self._change(users, block=False)

    async def list(self, *, limit: int | None = None) -> AsyncIterator[BlockedUser]:
        """Every blocked user, following the paging cursors (``limit``: the page size). If the list changes
        while paging, Meta answers 139102: the walk starts again from the first page, once, without yielding a
        user twice."""
        if limit is not None and (not isinstance(limit, int) or limit < 1):
            raise ValidationError("limit", f"{limit!r}: the page size must be a positive integer")
        params = {"limit": str(limit)} if limit else {}
        pnid = self._api.phone_number_id
        async for item in follow_pages(self._api, lambda p: ListBlocked(pnid, p), params, key=_user_key):
            if item.block_users:
                for user in item.block_users:
                    yield BlockedUser(wa_id=user.wa_id, user_id=user.user_id)
            else:
                yield BlockedUser(wa_id=item.wa_id, user_id=item.user_id, parent_user_id=item.parent_user_id)

    async def _change(self, users: str | Iterable[str], *, block: bool) -> BlockResult:
        items = users_list(users, "users", limit=MAX_BLOCKED)
        for i, item in enumerate(items):
            if ".ENT." in item.get("user_id", ""):
                raise ValidationError(f"users[{i}]", f"{item['user_id']!r} is a parent BSUID: Meta blocks only a "
                                      "user's own BSUID or phone number")  # fmt: skip
        try:
            return await self._api.execute(ChangeBlockList(self._api.phone_number_id, items, block=block))
        except _PartialFailure as partial:
            return partial.result


def _result(outcome: _Outcome | None) -> BlockResult:
    if outcome is None:
        return BlockResult()
    return BlockResult(done=[*outcome.added_users, *outcome.removed_users], failed=outcome.failed_users)


def _user_key(item: _ListItem) -> object:
    nested = tuple((u.wa_id, u.user_id) for u in item.block_users or ())
    return (item.wa_id, item.user_id, nested)
