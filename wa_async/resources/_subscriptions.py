"""``client.subscriptions``: the app's webhook subscription to the WABA, and the callback overrides.

Meta's "Subscribed apps" reference and its webhooks override page: ``POST /{waba}/subscribed_apps`` subscribes the
app (no body: it also clears a WABA-level override; ``override_callback_uri`` plus ``verify_token``: an alternate
callback for the WABA), ``GET`` lists the subscribed apps, ``DELETE`` unsubscribes. A phone number's own override
is ``POST /{phone_number_id}`` with ``webhook_configuration``; the callback Meta uses is the number's override, then
the WABA's, then the app's.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import msgspec

from .._errors import ValidationError
from .._pipeline import Pipeline
from .._request import Request, decode_json, node_id
from .._transport import Response
from ._common import Confirmed, json_body, text_field
from ._paging import waba_of

__all__ = [
    "GetWebhookConfiguration",
    "ListSubscribedApps",
    "SetNumberOverride",
    "SubscribeApp",
    "SubscribedApp",
    "Subscriptions",
    "UnsubscribeApp",
    "WebhookConfiguration",
]

CALLBACK_URL_LIMIT = 200  # override_callback_uri: at most 200 characters (Meta's webhooks override page)


class SubscribedApp(msgspec.Struct, frozen=True):
    """An app subscribed to the WABA's webhooks, with the WABA-level callback override if one is set."""

    id: str
    name: str | None = None
    link: str | None = None
    override_callback_uri: str | None = None


class WebhookConfiguration(msgspec.Struct, frozen=True):
    """Where the number's webhooks go: its own override, the WABA's override, the app's callback (each when set)."""

    phone_number: str | None = None
    whatsapp_business_account: str | None = None
    application: str | None = None

    @property
    def effective(self) -> str | None:
        """The callback Meta uses: the number's override, then the WABA's, then the app's."""
        return self.phone_number or self.whatsapp_business_account or self.application or None


class _AppData(msgspec.Struct):
    id: str
    name: str | None = None
    link: str | None = None


class _AppItem(msgspec.Struct):
    whatsapp_business_api_data: _AppData
    override_callback_uri: str | None = None


class _Apps(msgspec.Struct):
    data: list[_AppItem] = []


class _NumberConfig(msgspec.Struct):
    webhook_configuration: WebhookConfiguration = WebhookConfiguration()


class ListSubscribedApps(Request[list[SubscribedApp]]):
    """``GET /{waba_id}/subscribed_apps``."""

    __slots__ = ()

    def __init__(self, waba_id: str) -> None:
        super().__init__("GET", f"{waba_id}/subscribed_apps")

    def decode(self, response: Response) -> list[SubscribedApp]:
        """The subscribed apps (empty when none)."""
        apps: _Apps = decode_json(response, _Apps, self)
        return [SubscribedApp(id=a.whatsapp_business_api_data.id, name=a.whatsapp_business_api_data.name,
                              link=a.whatsapp_business_api_data.link, override_callback_uri=a.override_callback_uri)
                for a in apps.data]  # fmt: skip


class SubscribeApp(Confirmed):
    """``POST /{waba_id}/subscribed_apps``, optionally with an override callback and its verify token."""

    __slots__ = ()

    def __init__(self, waba_id: str, callback_url: str | None = None, verify_token: str | None = None) -> None:
        body = None
        if callback_url is not None:
            body = json_body({"override_callback_uri": callback_url, "verify_token": verify_token})
        super().__init__("POST", f"{waba_id}/subscribed_apps", body=body)


class UnsubscribeApp(Confirmed):
    """``DELETE /{waba_id}/subscribed_apps``: no more webhooks from this WABA for the app."""

    __slots__ = ()

    def __init__(self, waba_id: str) -> None:
        super().__init__("DELETE", f"{waba_id}/subscribed_apps")


class SetNumberOverride(Confirmed):
    """``POST /{phone_number_id}`` with ``webhook_configuration`` (an empty URL removes the override)."""

    __slots__ = ()

    def __init__(self, phone_number_id: str, callback_url: str, verify_token: str | None = None) -> None:
        config = {"override_callback_uri": callback_url}
        if verify_token is not None:
            config["verify_token"] = verify_token
        super().__init__("POST", node_id(phone_number_id, "phone_number_id"),
                         body=json_body({"webhook_configuration": config}))  # fmt: skip


class GetWebhookConfiguration(Request[WebhookConfiguration]):
    """``GET /{phone_number_id}?fields=webhook_configuration``."""

    __slots__ = ()

    def __init__(self, phone_number_id: str) -> None:
        super().__init__("GET", node_id(phone_number_id, "phone_number_id"),
                         params={"fields": "webhook_configuration"})  # fmt: skip

    def decode(self, response: Response) -> WebhookConfiguration:
        """The configured callbacks."""
        config: _NumberConfig = decode_json(response, _NumberConfig, self)
        return config.webhook_configuration


class Subscriptions:
    """Webhook subscriptions: ``client.subscriptions`` (the WABA calls need ``waba_id``).

    ```python
    await client.subscriptions.subscribe()  # webhooks of this WABA go to the app's URL
    await client.subscriptions.subscribe(  # a WABA override
        "https://hooks.example.com/wa", verify_token="s3cret"
    )
    await client.subscriptions.set_number_override(
        "https://hooks.example.com/pn", verify_token="s3cret"
    )
    print((await client.subscriptions.webhook_configuration()).effective)
    ```
    """

    __slots__ = ("_api",)

    def __init__(self, api: Pipeline) -> None:
        self._api = api

    def __repr__(self) -> str:
        return f"<Subscriptions waba_id={self._api.waba_id}>"

    async def subscribe(self, callback_url: str | None = None, verify_token: str | None = None) -> bool:
        """Subscribe the app to the WABA's webhooks.

        Without ``callback_url`` the app's own callback is used (and a WABA-level override is cleared); with it,
        the WABA's webhooks go there instead. Meta first checks the URL with its verification request, which
        must echo the challenge for ``verify_token``.

        Raises:
            ValidationError: ``callback_url`` is not an https URL of at most 200 characters, or ``verify_token``
                is missing with it (or given without it).
        """
        waba = waba_of(self._api)
        if callback_url is None:
            if verify_token is not None:
                raise ValidationError("verify_token", "is only sent with a callback_url")
            return await self._api.execute(SubscribeApp(waba))
        url, token = _callback(callback_url), text_field(verify_token, "verify_token")
        return await self._api.execute(SubscribeApp(waba, url, token))

    async def list(self) -> list[SubscribedApp]:
        """The apps subscribed to the WABA (empty when none)."""
        return await self._api.execute(ListSubscribedApps(waba_of(self._api)))

    async def unsubscribe(self) -> bool:
        """Unsubscribe the app: Meta stops sending this WABA's webhooks to it at once."""
        return await self._api.execute(UnsubscribeApp(waba_of(self._api)))

    async def set_number_override(self, callback_url: str, verify_token: str) -> bool:
        """Send this phone number's webhooks to ``callback_url`` (it must pass Meta's verification request).

        Raises:
            ValidationError: not an https URL of at most 200 characters, or an empty ``verify_token``.
        """
        url, token = _callback(callback_url), text_field(verify_token, "verify_token")
        return await self._api.execute(SetNumberOverride(self._api.phone_number_id, url, token))

    async def remove_number_override(self) -> bool:
        """Remove this phone number's callback override (its webhooks go to the WABA's or the app's URL)."""
        return await self._api.execute(SetNumberOverride(self._api.phone_number_id, ""))

    async def webhook_configuration(self) -> WebhookConfiguration:
        """Where this number's webhooks go: its override, the WABA's override and the app's callback."""
        return await self._api.execute(GetWebhookConfiguration(self._api.phone_number_id))


def _callback(url: object) -> str:
    text = text_field(url, "callback_url", CALLBACK_URL_LIMIT)
    parts = urlsplit(text)
    # Meta requires https; plain http is let through for a receiver on this machine (tests, the emulator).
    local = parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost", "::1")
    if (parts.scheme != "https" and not local) or not parts.hostname or any(c.isspace() for c in text):
        raise ValidationError("callback_url", f"{text!r} is not an https URL")
    return text
