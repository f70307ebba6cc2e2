"""``client.templates``: list (every page), get, create and delete message templates (FACTS §4, §7)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import msgspec

from .._errors import ValidationError
from ._template_parts import Component, check_template, components_wire

if TYPE_CHECKING:
    from .._client import Client

__all__ = ["TemplateInfo", "Templates", "waba_of"]

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


class _Cursors(msgspec.Struct):
    before: str | None = None
    after: str | None = None


class _Paging(msgspec.Struct):
    cursors: _Cursors | None = None
    next: str | None = None


class _Page(msgspec.Struct):
    data: list[TemplateInfo] = []
    paging: _Paging | None = None


class _Success(msgspec.Struct):
    success: bool = False


def waba_of(client: Client) -> str:
    """The client's WhatsApp Business Account id, or a clear error."""
    if not client.waba_id:
        raise ValidationError("waba_id", "this needs the WhatsApp Business Account id: pass waba_id= to the client "
                                         "(or set WA_WABA_ID on the command line)")  # fmt: skip
    return client.waba_id


class Templates:
    """Message templates of the client's WhatsApp Business Account (needs ``waba_id``): ``client.templates``.

    ::

        async for t in client.templates.list(status="APPROVED"):
            print(t.name, t.language, t.status)
        info = await client.templates.create("order_update", "en_US", "UTILITY",
                                             [BodyText("Hi {{1}}, order {{2}} shipped.", examples=["Ana", "#12"])])
        await client.templates.delete("order_update")
    """

    __slots__ = ("_client",)

    def __init__(self, client: Client) -> None:
        self._client = client

    def __repr__(self) -> str:
        return f"<Templates waba_id={self._client.waba_id}>"

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
        path = f"{waba_of(self._client)}/message_templates"
        if limit is not None and (not isinstance(limit, int) or limit < 1):
            raise ValidationError("limit", f"{limit!r}: the page size must be a positive integer")
        params = {k: v for k, v in (("status", _csv(status, upper=True)), ("name", name),
                                    ("category", category and category.upper()), ("language", language),
                                    ("fields", _csv(fields)), ("limit", limit and str(limit))) if v}  # fmt: skip
        seen: set[str] = set()
        while True:
            page = await self._client.request("GET", path, params=params, decode=_Page)
            for template in page.data:
                yield template
            # Follow the cursor on our own base URL: `paging.next` names graph.facebook.com even through Maton.
            paging = page.paging
            after = paging.cursors.after if paging is not None and paging.cursors is not None else None
            if paging is None or not paging.next or not after or after in seen or not page.data:
                return
            seen.add(after)
            params = {**params, "after": after}

    async def get(self, template_id: str) -> TemplateInfo:
        """One template by id."""
        return await self._client.request("GET", _node(template_id), params={"fields": _GET_FIELDS},
                                          decode=TemplateInfo)  # fmt: skip

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

        ``components`` are typed (:class:`HeaderText`, :class:`BodyText`, ...) or raw dicts, checked against
        FACTS §4 before sending.
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
        path = f"{waba_of(self._client)}/message_templates"
        info = await self._client.request("POST", path, body=msgspec.json.encode(body), decode=TemplateInfo)
        return msgspec.structs.replace(info, name=info.name or name, language=info.language or language)

    async def delete(self, name: str, hsm_id: str | None = None) -> bool:
        """Delete a template by name (every language), or one language's version with ``hsm_id``."""
        if not isinstance(name, str) or not name.strip():
            raise ValidationError("name", "is empty")
        params = {"name": name} if hsm_id is None else {"name": name, "hsm_id": _node(hsm_id)}
        path = f"{waba_of(self._client)}/message_templates"
        result = await self._client.request("DELETE", path, params=params, decode=_Success)
        return result.success


def _csv(value: str | Sequence[str] | None, *, upper: bool = False) -> str | None:
    if value is None:
        return None
    text = value if isinstance(value, str) else ",".join(value)
    return text.upper() if upper else text


def _node(node_id: str) -> str:
    value = str(node_id).strip()
    if not value or "/" in value or "?" in value:
        raise ValidationError("id", f"{node_id!r} is not an id")
    return value
