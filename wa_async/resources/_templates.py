"""``client.templates``: list (every page), get, create, edit and delete message templates."""

from __future__ import annotations

import datetime
from collections import deque
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any

import msgspec

from .._errors import ValidationError
from .._pipeline import Pipeline
from .._request import Request, Success, decode_json, node_id
from .._transport import Response
from ._paging import Page, csv, follow_pages, waba_of
from ._template_check import check_category, check_components, check_template, check_ttl
from ._template_parts import Component, components_wire

__all__ = ["CreateTemplate", "DeleteTemplate", "DeleteTemplates", "EditTemplate", "GetTemplate", "ListTemplates",
           "TemplateInfo", "Templates"]  # fmt: skip

# Meta's template-management page: only these can be edited; an approved template once in 24 hours and 10 times
# in 30 days (rejected and paused ones without limit); at most 100 ids in one bulk delete.
EDITABLE = ("APPROVED", "REJECTED", "PAUSED")
_DAY = 24 * 3600.0
_EDITS_PER_DAY, _EDITS_PER_MONTH, _MONTH = 1, 10, 30 * _DAY
DELETE_IDS_LIMIT = 100

_GET_FIELDS = "id,name,language,status,category,sub_category,parameter_format,components,rejected_reason"


class TemplateInfo(msgspec.Struct, frozen=True):
    """A message template as Meta describes it; with ``fields=`` only the asked-for fields are set."""

    id: str
    status: str | None = None
    category: str | None = None
    name: str | None = None
    language: str | None = None
    components: list[dict[str, Any]] = []
    parameter_format: str | None = None
    sub_category: str | None = None
    rejected_reason: str | None = None


class ListTemplates(Request[Page[TemplateInfo]]):
    """``GET /{waba_id}/message_templates``: one page."""

    __slots__ = ()
    result = Page[TemplateInfo]

    def __init__(self, waba_id: str, params: Mapping[str, str]) -> None:
        super().__init__("GET", f"{waba_id}/message_templates", params=params)


class GetTemplate(Request[TemplateInfo]):
    """``GET /{template_id}``."""

    __slots__ = ()
    result = TemplateInfo

    def __init__(self, template_id: str, fields: str = _GET_FIELDS) -> None:
        super().__init__("GET", node_id(template_id), params={"fields": fields})


class CreateTemplate(Request[TemplateInfo]):
    """``POST /{waba_id}/message_templates``."""

    __slots__ = ()
    result = TemplateInfo

    def __init__(self, waba_id: str, spec: Mapping[str, Any]) -> None:
        super().__init__("POST", f"{waba_id}/message_templates", body=msgspec.json.encode(spec))


class EditTemplate(Request[bool]):
    """``POST /{template_id}`` with ``category``, ``components`` and/or ``message_send_ttl_seconds``."""

    __slots__ = ()

    def __init__(self, template_id: str, changes: Mapping[str, Any]) -> None:
        super().__init__("POST", node_id(template_id, "template_id"), body=msgspec.json.encode(changes))

    def decode(self, response: Response) -> bool:
        """True when Meta confirms."""
        return bool(decode_json(response, Success, self).success)


class DeleteTemplates(Request[bool]):
    """``DELETE /{waba_id}/message_templates?hsm_ids=[...]``: several templates by id, all or none."""

    __slots__ = ()

    def __init__(self, waba_id: str, template_ids: Sequence[str]) -> None:
        ids = msgspec.json.encode(list(template_ids)).decode()
        super().__init__("DELETE", f"{waba_id}/message_templates", params={"hsm_ids": ids})

    def decode(self, response: Response) -> bool:
        """True when Meta confirms."""
        return bool(decode_json(response, Success, self).success)


class DeleteTemplate(Request[bool]):
    """``DELETE /{waba_id}/message_templates?name=...`` (one language's version with ``hsm_id``)."""

    __slots__ = ()

    def __init__(self, waba_id: str, name: str, hsm_id: str | None = None) -> None:
        params = {"name": name} if hsm_id is None else {"name": name, "hsm_id": node_id(hsm_id, "hsm_id")}
        super().__init__("DELETE", f"{waba_id}/message_templates", params=params)

    def decode(self, response: Response) -> bool:
        """True when Meta confirms."""
        return bool(decode_json(response, Success, self).success)


class Templates:
    """Message templates of the client's WhatsApp Business Account (needs ``waba_id``): ``client.templates``.

    ```python
    async for t in client.templates.list(status="APPROVED"):
        print(t.name, t.language, t.status)
    info = await client.templates.create(
        "order_update", "en_US", "UTILITY",
        [BodyText("Hi {{1}}, order {{2}} shipped.", examples=["Ana", "#12"])],
        ttl=3600,
    )
    await client.templates.edit(info.id, ttl=7200)
    await client.templates.delete("order_update")
    ```
    """

    __slots__ = ("_api", "_edits")

    def __init__(self, api: Pipeline) -> None:
        self._api = api
        self._edits: dict[str, deque[float]] = {}  # when this client edited each approved template

    def __repr__(self) -> str:
        return f"<Templates waba_id={self._api.waba_id}>"

    async def list(
        self,
        status: str | Sequence[str] | None = None,
        name: str | None = None,
        category: str | None = None,
        language: str | None = None,
        fields: str | Sequence[str] | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[TemplateInfo]:
        """Every template matching the filters, following the paging cursors to the last page.

        ``limit`` is the page size, not a cap on the total.
        """
        waba = waba_of(self._api)
        if limit is not None and (not isinstance(limit, int) or limit < 1):
            raise ValidationError("limit", f"{limit!r}: the page size must be a positive integer")
        params = {k: v for k, v in (("status", csv(status, upper=True)), ("name", name),
                                    ("category", category and category.upper()), ("language", language),
                                    ("fields", csv(fields)), ("limit", limit and str(limit))) if v}  # fmt: skip
        async for template in follow_pages(self._api, lambda p: ListTemplates(waba, p), params):
            yield template

    async def get(self, template_id: str) -> TemplateInfo:
        """One template by id."""
        return await self._api.execute(GetTemplate(template_id))


    async def create(
        self,
        name: str,
        language: str,
        category: str,
        components: Sequence[Component | Mapping[str, Any]],
        *,
        parameter_format: str | None = None,
        ttl: int | datetime.timedelta | None = None,
    ) -> TemplateInfo:
        """Submit a template for review; return its id, status (usually ``PENDING``) and category.

        Args:
            name: lowercase letters, digits and underscores, at most 512 characters.
            language: the language code, e.g. ``en_US``.
            category: ``AUTHENTICATION``, ``MARKETING`` or ``UTILITY`` (any case).
            components: typed ([`BodyText`][wa_async.resources.BodyText], [`OtpButton`][wa_async.resources.OtpButton],
                [`TemplateCarousel`][wa_async.resources.TemplateCarousel], ...) or raw dicts, checked against
                Meta's limits before sending.
            parameter_format: ``"named"`` or ``"positional"`` (Meta's default).
            ttl: the time-to-live of the template's messages (``message_send_ttl_seconds``): authentication 30 to
                900 seconds, utility 30 to 43,200, marketing 43,200 to 2,592,000 (honoured on the Marketing
                Messages API only); ``-1`` is 30 days for authentication and utility.

        Raises:
            ValidationError: the definition breaks one of Meta's limits; nothing was sent.
        """
        wire = components_wire(components)
        body: dict[str, Any] = {
            "name": name,
            "language": language,
            "category": check_template(name, language, category, wire),
            "components": wire,
        }
        if parameter_format is not None:
            body["parameter_format"] = parameter_format.upper()
        if ttl is not None:
            body["message_send_ttl_seconds"] = check_ttl(body["category"], ttl)
        info = await self._api.execute(CreateTemplate(waba_of(self._api), body))
        return msgspec.structs.replace(info, name=info.name or name, language=info.language or language)

    async def edit(
        self,
        template_id: str,
        components: Sequence[Component | Mapping[str, Any]] | None = None,
        *,
        category: str | None = None,
        ttl: int | datetime.timedelta | None = None,
    ) -> bool:
        """Edit a template: its components (they replace all of them), its category, its time-to-live.

        The template is fetched first, and Meta's edit rules are checked before the edit is sent: only an
        ``APPROVED``, ``REJECTED`` or ``PAUSED`` template can be edited; an approved template's category cannot
        change; the components and ``ttl`` must fit the category; an approved template is edited at most once in
        24 hours and 10 times in 30 days (counted here for the edits made through this client; Meta counts every
        edit and refuses the rest). An edited approved or paused template goes back to review.

        Raises:
            ValidationError: nothing to edit, or a rule above is broken; nothing was sent.
        """
        node = node_id(template_id, "template_id")
        if components is None and category is None and ttl is None:
            raise ValidationError("components", "nothing to edit: give components, category or ttl")
        wire = None
        if components is not None:
            wire = components_wire(components)
            if not wire:
                raise ValidationError("components", "an edit replaces every component: give at least one")
        new_category = check_category(category) if category is not None else None
        info = await self._api.execute(GetTemplate(node, fields="id,name,language,status,category"))
        status, current = (info.status or "").upper(), (info.category or "").upper()
        if status not in EDITABLE:
            raise ValidationError("template_id", f"{node} is {status or 'of unknown status'}: only an APPROVED, "
                                                 "REJECTED or PAUSED template can be edited")  # fmt: skip
        cat = new_category or check_category(current)
        if status == "APPROVED" and cat != current:
            raise ValidationError("category", f"{node} is APPROVED as {current}: an approved template's category "
                                              "cannot change")  # fmt: skip
        changes: dict[str, Any] = {}
        if new_category is not None:
            changes["category"] = new_category
        if wire is not None:
            check_components(cat, wire)
            changes["components"] = wire
        if ttl is not None:
            changes["message_send_ttl_seconds"] = check_ttl(cat, ttl)
        if status == "APPROVED":
            self._check_edit_rate(node)
        done = await self._api.execute(EditTemplate(node, changes))
        if done and status == "APPROVED":
            self._edits.setdefault(node, deque()).append(self._api.now())
        return done

    def _check_edit_rate(self, node: str) -> None:
        now = self._api.now()
        edits = self._edits.get(node)
        if not edits:
            return
        while edits and edits[0] <= now - _MONTH:
            edits.popleft()
        last = edits[-1] if edits else None
        if last is not None and last > now - _DAY:
            hours = (last + _DAY - now) / 3600
            raise ValidationError("template_id", f"{node} is approved and was edited less than 24 hours ago: "
                                                 f"Meta allows one edit a day (next in {hours:.1f} h)",
                                  limit=_EDITS_PER_DAY)  # fmt: skip
        if len(edits) >= _EDITS_PER_MONTH:
            raise ValidationError("template_id", f"{node} is approved and was edited {len(edits)} times in 30 "
                                                 "days: Meta allows 10", limit=_EDITS_PER_MONTH)  # fmt: skip

    async def delete(self, name: str, hsm_id: str | None = None) -> bool:
        """Delete a template by name (every language), or one language's version with ``hsm_id``."""
        if not isinstance(name, str) or not name.strip():
            raise ValidationError("name", "is empty")
        return await self._api.execute(DeleteTemplate(waba_of(self._api), name, hsm_id))

    async def delete_many(self, template_ids: Sequence[str]) -> bool:
        """Delete up to 100 templates by id in one request; Meta deletes all of them or none.

        ```python
        await client.templates.delete_many(["1407680676729941", "1025290028877064"])
        ```
        """
        if isinstance(template_ids, str) or not isinstance(template_ids, Sequence):
            raise ValidationError("template_ids", "expected a list of template ids")
        ids = [node_id(t, f"template_ids[{i}]") for i, t in enumerate(template_ids)]
        if not ids:
            raise ValidationError("template_ids", "is empty")
        if len(ids) > DELETE_IDS_LIMIT:
            raise ValidationError("template_ids", f"{len(ids)} ids, the limit is {DELETE_IDS_LIMIT} a request",
                                  limit=DELETE_IDS_LIMIT)  # fmt: skip
        if len(set(ids)) != len(ids):
            raise ValidationError("template_ids", "an id is given twice")
        return await self._api.execute(DeleteTemplates(waba_of(self._api), ids))
