"""The broadcast's preflight: fetch the template once and check what the rows will give it, before the first send.

Every row gives the template's body one parameter per ``--param`` (a row with a blank one is refused by the row
check), so one comparison covers every row. Meta would refuse each message of a mismatched job on its own
(132000 for a wrong parameter count, 132001 for an unknown or unapproved template); the preflight says it once.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..resources import TemplateInfo
from ._common import UsageError

if TYPE_CHECKING:
    from .._client import Client

__all__ = ["body_parameters", "check_template", "find_template"]

_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")
_MEDIA_HEADERS = ("IMAGE", "VIDEO", "DOCUMENT", "GIF", "LOCATION")


async def find_template(client: Client, name: str, language: str) -> TemplateInfo | None:
    """The WABA's template ``name`` in ``language`` (one listing, filtered by name), or ``None``."""
    async for info in client.templates.list(name=name):
        if info.name == name and info.language == language:
            return info
    return None


def body_parameters(info: TemplateInfo) -> int:
    """How many distinct parameters the template's body text takes (``{{1}}`` or ``{{name}}``)."""
    for component in info.components:
        if str(component.get("type", "")).upper() == "BODY":
            return len(set(_PLACEHOLDER.findall(str(component.get("text", "")))))
    return 0


def check_template(info: TemplateInfo | None, name: str, language: str, params: int, *,
                   marketing: bool = False) -> None:  # fmt: skip
    """Check that the rows can be sent with this template, as a whole.

    Args:
        info: The template as the WABA lists it, or None when it has no such template.
        name: The template's name, for the message.
        language: The template's language, for the message.
        params: How many body parameters each row gives (one per ``--param``).
        marketing: Whether the job sends through the Marketing Messages API.

    Raises:
        UsageError: Saying why no row could be sent: the template is missing, not approved, not a marketing
            template for ``--marketing``, takes another number of body parameters, or needs a header or URL
            button parameter the command cannot give.
    """
    skip = "; --no-preflight sends anyway"
    if info is None:
        raise UsageError(f"template {name!r} in {language} is not in this WhatsApp Business Account{skip}")
    if info.status != "APPROVED":
        raise UsageError(f"template {name!r} in {language} is {info.status}, not APPROVED{skip}")
    if marketing and (info.category or "").upper() != "MARKETING":
        raise UsageError(f"template {name!r} is {info.category}: the Marketing Messages API (--marketing) sends "
                         f"MARKETING templates only (Meta answers 134100){skip}")  # fmt: skip
    expected = body_parameters(info)
    if expected != params:
        raise UsageError(f"template {name!r} takes {expected} body parameter(s); --param gives {params}{skip}")
    for component in info.components:
        kind = str(component.get("type", "")).upper()
        if kind == "HEADER" and (str(component.get("format", "")).upper() in _MEDIA_HEADERS
                                 or _PLACEHOLDER.search(str(component.get("text", "")))):  # fmt: skip
            raise UsageError(f"template {name!r} has a header that needs a parameter, which wa-async broadcast "
                             f"cannot give (send it from Python: wa.Template(..., components=...)){skip}")  # fmt: skip
        if kind == "BUTTONS":
            for button in component.get("buttons", []) or []:
                if _PLACEHOLDER.search(str(button.get("url", ""))):
                    raise UsageError(f"template {name!r} has a URL button that needs a parameter, which wa-async "
                                     f"broadcast cannot give{skip}")  # fmt: skip
