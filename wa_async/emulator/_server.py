"""The Emulator: an aiohttp app on 127.0.0.1 that stands in for the Cloud API and the Maton gateway."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from types import TracebackType
from typing import Any, Self

from aiohttp import web

from ._account import Account
from ._faults import Fault, FaultSet
from ._graph import GraphError, json_response
from ._inbound import STATUSES, inbound_message, message_content, status_item
from ._limits import PairLimit, SlidingWindow
from ._maton import Connections
from ._media import MAX_UPLOAD, MediaStore
from ._records import Accepted, Stats
from ._send import Messages
from ._templates import TemplateStore
from ._validate import normalize_to
from ._webhooks import WebhookSender
from ._windows import Windows

__all__ = ["GATEWAY_PREFIX", "Emulator"]

GATEWAY_PREFIX = "/whatsapp-business"
_VERSION = r"{version:v\d+\.\d+}"
_Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Emulator:
    """A local WhatsApp Cloud API + Maton gateway for tests, demos and benchmarks.

    Any phone number id and WABA id are accepted in a path; ``GET /{v}/{id}`` answers a media item, a template,
    or a phone number already used in a path (or the default one), else Graph's error 100/33. See
    [The emulator](../emulator.md) for what it checks and answers.

    Args:
        rate_limit: Gateway requests per sliding second, per bearer token (every gateway request counts);
            None for no limit.
        graph_rate_limit: Graph ``POST .../messages`` per sliding second, per phone number id; None for no limit.
        webhook_url: Where status and inbound webhooks are posted.
        app_secret: Signs the webhooks (``X-Hub-Signature-256``); without it they are unsigned.
        faults: [`Fault`][wa_async.emulator.Fault]s to inject; `add_fault()` adds more while running.
        host: The address to listen on.
        port: The port; 0 picks a free one (`port` tells which once started).
        api_keys: The valid bearer tokens; None accepts any non-empty token.
        pair_limit: Enforce the per-recipient limit (131056).
        pair_burst: The pair bucket's size; it refills one message every 6 seconds.
        status_delays: Seconds after acceptance of the ``sent``, ``delivered`` and ``read`` webhooks.
        media_url_ttl: Seconds a media download URL lives.
        check_templates: Template sends must name an approved template with the right body parameter count.
        enforce_window: A free-form message needs the user's message (`inbound()`) in the last 24 hours, else
            131047.
        auto_approve: Templates created through the API are ``APPROVED`` at once (else ``PENDING``).
        phone_number_id: The phone number id it reports.
        waba_id: The WhatsApp Business Account id it reports.
        display_phone_number: The business number it reports in webhooks.
        clock: A ``() -> float`` in seconds (default the loop's clock); a
            [`ManualClock`][wa_async.emulator.ManualClock] steps the rate window, the pair limit, media URL
            expiry and the 24-hour windows.

    Example:
        ```python
        async with Emulator(rate_limit=10) as emu:
            client = wa.Client.maton(emu.phone_number_id, api_key="test", base_url=emu.gateway_url)
            await client.send(wa.Text("15551234567", "hi"))
            assert emu.accepted[0].type == "text" and emu.max_window <= 10
        ```
    """

    def __init__(
        self,
        *,
        rate_limit: int | None = 10,
        graph_rate_limit: int | None = 80,
        webhook_url: str | None = None,
        app_secret: str | None = None,
        faults: Iterable[Fault] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        api_keys: Iterable[str] | None = None,
        pair_limit: bool = True,
        pair_burst: int = 45,
        status_delays: Sequence[float] = (0.0, 0.05, 0.1),
        media_url_ttl: float = 300.0,
        check_templates: bool = True,
        enforce_window: bool = False,
        auto_approve: bool = True,
        phone_number_id: str = "106540352242922",
        waba_id: str = "102290129340398",
        display_phone_number: str = "15550783881",
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.phone_number_id = phone_number_id
        self.waba_id = waba_id
        self.display_phone_number = display_phone_number
        self.webhook_url = webhook_url
        self.app_secret = app_secret
        self.api_keys = frozenset(api_keys) if api_keys is not None else None
        self.stats = Stats()
        self.faults = FaultSet(faults or ())
        self.templates = TemplateStore(auto_approve=auto_approve)
        self.account = Account(phone_number_id, display_phone_number)
        self.connections = Connections()
        self.windows = Windows()
        self._numbers = {phone_number_id}  # phone number ids used in a path: GET /{v}/{id} knows them
        self._clock = clock
        self._gateway_window = SlidingWindow(rate_limit)
        self._graph_window = SlidingWindow(graph_rate_limit)
        self.media = MediaStore(self._now, media_url_ttl)
        self.messages = Messages(
            clock=self._now,
            stats=self.stats,
            faults=self.faults,
            pairs=PairLimit(pair_burst) if pair_limit else None,
            templates=self.templates,
            check_templates=check_templates,
            status_delays=status_delays,
            windows=self.windows,
            enforce_window=enforce_window,
        )
        self._webhooks: WebhookSender | None = None
        self._runner: web.AppRunner | None = None

    def __repr__(self) -> str:
        where = self.graph_url if self._runner else "not started"
        return f"<Emulator {where} accepted={self.stats.accepted} max_window={self.stats.max_window}>"

    # --- lifecycle -------------------------------------------------------------------------------------------
    async def start(self) -> None:
        """Bind and serve; ``port=0`` picks a free port."""
        if self._runner is not None:
            raise RuntimeError("the emulator is already running")
        if self._clock is None:
            self._clock = asyncio.get_running_loop().time
        if self.webhook_url is not None:
            self._webhooks = WebhookSender(
                self.webhook_url,
                self.app_secret,
                waba_id=self.waba_id,
                display_phone_number=self.display_phone_number,
                stats=self.stats,
            )
            self.messages.webhooks = self._webhooks
        runner = web.AppRunner(self._app(), access_log=None, handle_signals=False)
        await runner.setup()
        await web.TCPSite(runner, self.host, self.port).start()
        self.port = runner.addresses[0][1]
        self._runner = runner

    async def close(self) -> None:
        """Cancel pending webhooks and stop serving."""
        if self._webhooks is not None:
            await self._webhooks.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    # --- what tests read and steer ---------------------------------------------------------------------------
    @property
    def graph_url(self) -> str:
        """Base URL in place of ``https://graph.facebook.com``."""
        return f"http://{self.host}:{self.port}"

    @property
    def gateway_url(self) -> str:
        """Base URL in place of ``https://gateway.maton.ai/whatsapp-business``."""
        return self.graph_url + GATEWAY_PREFIX

    @property
    def ctrl_url(self) -> str:
        """Base URL in place of ``https://ctrl.maton.ai`` (the Maton control plane)."""
        return self.graph_url + "/ctrl"

    @property
    def accepted(self) -> list[Accepted]:
        """Every accepted message, in order."""
        return self.messages.accepted

    @property
    def read_receipts(self) -> list[str]:
        """The message ids marked as read, in order."""
        return self.messages.read_receipts

    @property
    def max_window(self) -> int:
        """The most requests one account sent within any sliding second."""
        return self.stats.max_window

    def add_fault(self, fault: Fault) -> None:
        """Activate a fault while running."""
        self.faults.add(fault)

    def reset(self) -> None:
        """Forget accepted messages, read receipts, counters, rate windows, pair buckets and customer service
        windows (faults stay)."""
        self.messages.accepted.clear()
        self.messages.read_receipts.clear()
        for field in dataclasses.fields(self.stats):
            setattr(self.stats, field.name, 0)
        self._gateway_window.reset()
        self._graph_window.reset()
        self.windows.clear()
        if self.messages.pairs is not None:
            self.messages.pairs.reset()

    async def drain_webhooks(self) -> None:
        """Wait until every scheduled status webhook has been posted."""
        if self._webhooks is not None:
            await self._webhooks.drain()

    async def inbound(
        self,
        from_: str = "16505551234",
        *,
        text: str | None = None,
        button_reply: tuple[str, str] | None = None,
        list_reply: tuple[str, str] | tuple[str, str, str] | None = None,
        reaction: tuple[str, str] | None = None,
        image: dict[str, Any] | None = None,
        video: dict[str, Any] | None = None,
        audio: dict[str, Any] | None = None,
        document: dict[str, Any] | None = None,
        sticker: dict[str, Any] | None = None,
        location: dict[str, Any] | None = None,
        name: str = "Test User",
        context: str | None = None,
        phone_number_id: str | None = None,
    ) -> str:
        """Post a message webhook as if ``from_`` wrote to the business; return the message's wamid.

        It opens ``from_``'s 24-hour customer service window; with ``enforce_window=True`` and no
        ``webhook_url`` it only does that.

        Args:
            from_: The user's number.
            text: A text message's body.
            button_reply: ``(id, title)`` of a tapped reply button.
            list_reply: ``(id, title)`` or ``(id, title, description)`` of a chosen list row.
            reaction: ``(message_id, emoji)``.
            image: A media object, ``{"id", "mime_type", "sha256"?, "caption"?}``; so are ``video``,
                ``audio``, ``document`` (with ``filename``) and ``sticker``.
            video: See ``image``.
            audio: See ``image``.
            document: See ``image``.
            sticker: See ``image``.
            location: ``{"latitude", "longitude", "name"?, "address"?}``.
            name: The user's profile name.
            context: The wamid of the business message this answers.
            phone_number_id: The business number written to (default the emulator's).

        Raises:
            ValueError: Not exactly one content was given.
            RuntimeError: Neither ``webhook_url`` nor ``enforce_window=True`` is set.

        Example:
            ```python
            wamid = await emu.inbound("15551234567", text="hi")
            await emu.inbound("15551234567", button_reply=("yes", "Yes"), context=sent_wamid)
            ```
        """
        content = message_content(
            text=text, button_reply=button_reply, list_reply=list_reply, reaction=reaction, location=location,
            image=image, video=video, audio=audio, document=document, sticker=sticker,
        )  # fmt: skip
        wamid, _ = await self._inbound(from_, content, name=name, context=context, phone_number_id=phone_number_id)
        return wamid

    async def _inbound(
        self,
        from_: str,
        content: tuple[str, dict[str, Any]],
        *,
        name: str,
        context: str | None,
        phone_number_id: str | None,
    ) -> tuple[str, bool]:
        if self._webhooks is None and not self.messages.enforce_window:
            raise RuntimeError("inbound() needs webhook_url (or enforce_window=True, to open a window only)")
        pnid = phone_number_id or self.phone_number_id
        self.windows.opened(pnid, normalize_to(from_) or from_, self._now())
        wamid = self.messages.new_wamid(from_)
        if self._webhooks is None:
            return wamid, False
        message = inbound_message(
            wamid=wamid,
            from_=from_,
            timestamp=str(int(time.time())),
            content=content,
            context={"from": self.display_phone_number, "id": context} if context else None,
        )
        contacts = [{"profile": {"name": name}, "wa_id": from_}]
        payload = self._webhooks.envelope(pnid, {"contacts": contacts, "messages": [message]})
        return wamid, await self._webhooks.post(payload)

    async def status(
        self, wamid: str, status: str, *, recipient: str | None = None, code: int | None = None
    ) -> bool:
        """Post a status webhook for ``wamid`` now; True when the receiver answered 2xx.

        Statuses of accepted messages are posted by themselves (``status_delays``); this posts one more, for
        a test of what a bot does with, say, a late ``failed``.

        Args:
            wamid: The message's id; one the emulator accepted, or any with ``recipient``.
            status: ``sent``, ``delivered``, ``read``, ``failed`` or ``played``.
            recipient: The user's number; default the accepted message's.
            code: The error code of a ``failed`` status (default 131026, undeliverable).

        Raises:
            ValueError: An unknown status, or an unknown wamid without ``recipient``.
            RuntimeError: No ``webhook_url`` is set.
        """
        if self._webhooks is None:
            raise RuntimeError("status() needs webhook_url")
        if status not in STATUSES:
            raise ValueError(f"status must be one of {', '.join(STATUSES)}, not {status!r}")
        record = next((a for a in reversed(self.accepted) if a.wamid == wamid), None)
        if recipient is not None:
            recipient_id = normalize_to(recipient) or recipient
        elif record is not None:
            recipient_id = record.wa_id
        else:
            raise ValueError(f"no accepted message {wamid!r}: give its recipient")
        item = status_item(
            wamid=wamid,
            status=status,
            recipient_id=recipient_id,
            timestamp=str(int(time.time())),
            callback_data=record.payload.get("biz_opaque_callback_data") if record is not None else None,
            failed_code=(code or 131026) if status == "failed" else None,
        )
        pnid = record.phone_number_id if record is not None and record.phone_number_id else self.phone_number_id
        return await self._webhooks.post(self._webhooks.envelope(pnid, {"statuses": [item]}))

    # --- the app -----------------------------------------------------------------------------------------------
    def _now(self) -> float:
        assert self._clock is not None, "the emulator is not started"
        return self._clock()

    def _app(self) -> web.Application:
        app = web.Application(middlewares=[self._guard], client_max_size=MAX_UPLOAD + 1024 * 1024)
        add = app.router.add_route
        for prefix in ("", GATEWAY_PREFIX):
            base = f"{prefix}/{_VERSION}"
            add("POST", f"{base}/{{pnid}}/messages", self.messages.post)
            add("POST", f"{base}/{{pnid}}/media", self.media.upload)
            add("GET", f"{base}/{{pnid}}/whatsapp_business_profile", self._sync(self.account.get_profile))
            add("POST", f"{base}/{{pnid}}/whatsapp_business_profile", self.account.update_profile)
            add("GET", f"{base}/{{waba}}/message_templates", self._sync(self.templates.list))
            add("POST", f"{base}/{{waba}}/message_templates", self.templates.create)
            add("DELETE", f"{base}/{{waba}}/message_templates", self._sync(self.templates.delete))
            add("GET", f"{base}/{{waba}}/phone_numbers", self._sync(self.account.list_phone_numbers))
            add("GET", f"{base}/{{node}}", self._get_node)
            add("DELETE", f"{base}/{{node}}", self._delete_node)
        add("GET", "/whatsapp_business/attachments/", self.media.download)
        add("GET", "/ctrl/connections", self._sync(self.connections.list))
        add("POST", "/ctrl/connections", self.connections.create)
        add("GET", "/ctrl/connections/{connection_id}", self._sync(self.connections.get))
        add("DELETE", "/ctrl/connections/{connection_id}", self._sync(self.connections.delete))
        add("GET", "/ctrl/oauth/{connection_id}", self._sync(self.connections.authorize))
        add("GET", "/__emulator/stats", self._get_stats)
        add("GET", "/__emulator/accepted", self._get_accepted)
        add("POST", "/__emulator/reset", self._post_reset)
        add("POST", "/__emulator/inbound", self._post_inbound)
        add("POST", "/__emulator/status", self._post_status)
        return app

    @staticmethod
    def _sync(handler: Callable[[web.Request], web.StreamResponse]) -> _Handler:
        async def wrapper(request: web.Request) -> web.StreamResponse:
            return handler(request)

        return wrapper

    @web.middleware
    async def _guard(self, request: web.Request, handler: _Handler) -> web.StreamResponse:
        """Bearer check (401, code 190), the rate window (429, code 130429), Graph errors as bodies."""
        path = request.path
        if path.startswith(("/__emulator/", "/ctrl/oauth/")):
            return await handler(request)
        stats = self.stats
        stats.requests += 1
        token = _bearer(request)
        if not token or (self.api_keys is not None and token not in self.api_keys):
            stats.unauthorized += 1
            text = "Invalid OAuth access token - Cannot parse access token"
            return GraphError(190, text, status=401, message=text).response()
        window = None
        if path.startswith(GATEWAY_PREFIX):
            window, key = self._gateway_window, token  # the gateway counts every request of an account
        elif request.method == "POST" and path.endswith("/messages"):
            window, key = self._graph_window, request.match_info.get("pnid", "")  # docs/limits.md: per number
        if window is not None:
            allowed = window.hit(key, self._now())
            if window.max_window > stats.max_window:
                stats.max_window = window.max_window
            if not allowed:
                stats.rate_limited += 1
                return GraphError(130429, "Cloud API message throughput has been reached.", status=429).response()
        pnid = request.match_info.get("pnid")
        if pnid is not None:
            self._numbers.add(pnid)
        try:
            return await handler(request)
        except GraphError as error:
            if error.code == 131056:
                stats.pair_limited += 1
            else:
                stats.invalid += 1
            return error.response()

    async def _get_node(self, request: web.Request) -> web.StreamResponse:
        node = request.match_info["node"]
        if node in self.media:
            return self.media.info(request, node)
        if node in self.templates:
            return self.templates.get(request, node)
        if node in self._numbers:
            return self.account.get_phone_number(request, node)
        raise _no_object("get", node)

    async def _delete_node(self, request: web.Request) -> web.StreamResponse:
        node = request.match_info["node"]
        if node not in self.media:
            raise _no_object("delete", node)
        return self.media.delete(node)

    async def _get_stats(self, request: web.Request) -> web.StreamResponse:
        return json_response(self.stats.as_dict())

    async def _get_accepted(self, request: web.Request) -> web.StreamResponse:
        return json_response([dataclasses.asdict(a) for a in self.accepted])

    async def _post_reset(self, request: web.Request) -> web.StreamResponse:
        self.reset()
        return json_response({"success": True})

    async def _post_inbound(self, request: web.Request) -> web.StreamResponse:
        """``POST /__emulator/inbound``: the keywords of `inbound()` as JSON, ``from`` for ``from_``."""
        body = await _control_body(request)
        try:
            options = {key: body.pop(key) for key in ("name", "context", "phone_number_id") if key in body}
            from_ = str(body.pop("from", "16505551234"))
            for key in ("button_reply", "list_reply", "reaction"):
                if key in body:
                    body[key] = tuple(body[key])
            content = message_content(**body)
            wamid, delivered = await self._inbound(
                from_, content, name=options.get("name", "Test User"), context=options.get("context"),
                phone_number_id=options.get("phone_number_id"),
            )  # fmt: skip
        except (TypeError, ValueError) as error:
            return _control_error(400, str(error))
        except RuntimeError as error:
            return _control_error(409, str(error))
        return json_response({"id": wamid, "delivered": delivered})

    async def _post_status(self, request: web.Request) -> web.StreamResponse:
        """``POST /__emulator/status``: ``{"id", "status", "recipient"?, "code"?}``, as `status()`."""
        body = await _control_body(request)
        try:
            delivered = await self.status(
                str(body["id"]), str(body["status"]), recipient=body.get("recipient"), code=body.get("code")
            )
        except KeyError as error:
            return _control_error(400, f"missing {error.args[0]!r}")
        except ValueError as error:
            return _control_error(400, str(error))
        except RuntimeError as error:
            return _control_error(409, str(error))
        return json_response({"id": body["id"], "delivered": delivered})


async def _control_body(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise web.HTTPBadRequest(text="the body must be a JSON object") from None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text="the body must be a JSON object")
    return body


def _control_error(status: int, message: str) -> web.Response:
    return json_response({"error": {"message": message}}, status=status)


def _no_object(method: str, node: str) -> GraphError:
    """Graph's answer for an id it does not know: code 100, subcode 33."""
    text = (f"Unsupported {method} request. Object with ID '{node}' does not exist, cannot be loaded due to missing "
            "permissions, or does not support this operation.")  # fmt: skip
    return GraphError(100, text, subcode=33, message=text, type="GraphMethodException")


def _bearer(request: web.Request) -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""
