"""``client.templates``: list (every page), get, create and delete message templates."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any

import msgspec

from .._errors import ValidationError
from .._pipeline import Pipeline
from .._request import Request, Success, decode_json, node_id
from .._transport import Response
from ._paging import Page, csv, follow_pages, waba_of
from ._template_parts import Component, check_template, components_wire

__all__ = ["CreateTemplate", "DeleteTemplate", "GetTemplate", "ListTemplates", "TemplateInfo", "Templates"]

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

    def __init__(self, template_id: str) -> None:
        super().__init__("GET", node_id(template_id), params={"fields": _GET_FIELDS})


class CreateTemplate(Request[TemplateInfo]):
    """``POST /{waba_id}/message_templates``."""

    __slots__ = ()
    result = TemplateInfo

    def __init__(self, waba_id: str, spec: Mapping[str, Any]) -> None:
        super().__init__("POST", f"{waba_id}/message_templates", body=msgspec.json.encode(spec))


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
    info = await client.templates.create("order_update", "en_US", "UTILITY",
                                         [BodyText("Hi {{1}}, order {{2}} shipped.", examples=["Ana", "#12"])])
    await client.templates.delete("order_update")
    ```
    """

    __slots__ = ("_api",)

    def __init__(self, api: Pipeline) -> None:
        self._api = api

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
        allow_category_change: bool | None = None,
    ) -> TemplateInfo:
        """Submit a template for review; return its id, status (usually ``PENDING``) and category.

        ``components`` are typed ([`HeaderText`][wa_async.resources.HeaderText],
        [`BodyText`][wa_async.resources.BodyText], ...) or raw dicts, checked against Meta's limits before sending.
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
        if allow_category_change is not None:
            body["allow_category_change"] = allow_category_change
        info = await self._api.execute(CreateTemplate(waba_of(self._api), body))
        return msgspec.structs.replace(info, name=info.name or name, language=info.language or language)

    async def delete(self, name: str, hsm_id: str | None = None) -> bool:
        """Delete a template by name (every language), or one language's version with ``hsm_id``."""
        if not isinstance(name, str) or not name.strip():
            raise ValidationError("name", "is empty")
        return await self._api.execute(DeleteTemplate(waba_of(self._api), name, hsm_id))
