"""The Emulator: an aiohttp app on 127.0.0.1 that stands in for the Cloud API and the Maton gateway."""

from __future__ import annotations

import asyncio
import dataclasses
import inspect
from collections.abc import Awaitable, Callable, Iterable, Sequence
from types import TracebackType
from typing import Any, Self, TypeVar

from aiohttp import web

from ._account import Account
from ._area import Area
from ._blocked import BlockList
from ._calls import Calls
from ._encryption import BusinessEncryption
from ._faults import Fault, FaultSet
from ._flows import FlowStore
from ._graph import GraphError, json_response
from ._groups import Groups
from ._inbound import Emitting, Users
from ._limits import PairLimit, SlidingWindow
from ._maton import Connections
from ._media import MAX_UPLOAD, MediaStore
from ._qr import QrCodes
from ._records import Accepted, Stats
from ._registration import Registration
from ._send import Messages
from ._settings import PhoneSettings
from ._subscriptions import Subscriptions
from ._template_edit import TemplateEdits
from ._templates import TemplateStore
from ._usernames import Usernames
from ._validate import normalize_to
from ._webhooks import WebhookSender
from ._windows import Windows

__all__ = ["GATEWAY_PREFIX", "Emulator"]

GATEWAY_PREFIX = "/whatsapp-business"
_VERSION = r"{version:v\d+\.\d+}"
_Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
_A = TypeVar("_A", bound=Area)


class Emulator(Emitting):
    """A local WhatsApp Cloud API + Maton gateway for tests, demos and benchmarks.

        async with Emulator(rate_limit=10) as emu:
            client = wa.Client.maton(emu.phone_number_id, api_key="test", base_url=emu.gateway_url)
            await client.send(wa.Text("15551234567", "hi"))
            assert emu.accepted[0].type == "text" and emu.max_window <= 10

    Any phone number id and WABA id are accepted in a path; ``GET /{v}/{id}`` answers a media item, a template,
    or a phone number already used in a path (or the default one), else Graph's error 100/33. With
    ``enforce_window=True`` a free-form message to a user who has not written (``inbound``) in the last 24
    hours answers 131047. Time comes from the loop clock unless ``clock=`` is given (tests pass a fake one to step
    the rate window, media URL expiry and the 24-hour windows).
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
        self.users = Users()  # the users inbound webhooks come from, by phone and BSUID
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
        # The management areas (docs/emulator.md, "Account management"), one line each; each serves its routes.
        self._areas: list[Area] = []
        self.subscriptions = self._area(Subscriptions(waba_id=waba_id, account=self.account, numbers=self._numbers,
                                                      app_url=webhook_url))  # fmt: skip
        self.registration = self._area(Registration(self._now))
        self.settings = self._area(PhoneSettings())
        self.blocked = self._area(BlockList(self._now, self.windows, business_number=display_phone_number,
                                            enforce_window=enforce_window))  # fmt: skip
        self.qr_codes = self._area(QrCodes())
        self.template_edits = self._area(TemplateEdits(self.templates, self._now))
        self.encryption = self._area(BusinessEncryption())
        self.flows = self._area(FlowStore(has_key=self.encryption.has_any_key))
        self.calls = self._area(Calls(self._now, self.settings))
        self.groups = self._area(Groups())
        self.usernames = self._area(Usernames(self.registration))
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
                users=self.users,
            )
            self.messages.webhooks = self._webhooks
            sender = self._webhooks
            for area in self._areas:
                # An area's event (a call, a group change) goes out as a signed webhook, like a status does.
                area.emit = lambda field, value, pnid: sender.spawn(self.emit(field, value, phone_number_id=pnid))
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

    async def status(
        self, wamid: str, status: str, *, recipient: str | None = None, code: int | None = None
    ) -> bool:
        """Post one more status webhook of a message now; True when the receiver answered 2xx.

        Statuses of accepted messages are posted by themselves (``status_delays``); this one is for a test of
        what a bot does with, say, a late ``failed``.

        Args:
            wamid: The message's id: one the emulator accepted, or any with ``recipient``.
            status: ``sent``, ``delivered``, ``read``, ``failed`` or ``played``.
            recipient: The user's number; by default the accepted message's.
            code: The error code of a ``failed`` status (default 131026, undeliverable).

        Raises:
            ValueError: An unknown status, or an unknown wamid without ``recipient``.
            RuntimeError: No ``webhook_url`` is set.
        """
        poster = self._poster()
        if status not in _STATUSES:
            raise ValueError(f"status must be one of {', '.join(_STATUSES)}, not {status!r}")
        record = next((a for a in reversed(self.accepted) if a.wamid == wamid), None)
        if recipient is not None:
            digits = normalize_to(recipient) or recipient
            pnid = record.phone_number_id if record is not None else self.phone_number_id
            record = Accepted(wamid, digits, "text", {"to": digits}, self._now(), pnid, digits)
        elif record is None:
            raise ValueError(f"no accepted message {wamid!r}: give its recipient")
        failed = (code or 131026) if status == "failed" else None
        return await poster.post(poster.status_payload(record, status, failed_code=failed))

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
            add("POST", f"{base}/{{pnid}}/marketing_messages", self.messages.post_marketing)
            add("POST", f"{base}/{{pnid}}/media", self.media.upload)
            add("GET", f"{base}/{{pnid}}/whatsapp_business_profile", self._sync(self.account.get_profile))
            add("POST", f"{base}/{{pnid}}/whatsapp_business_profile", self.account.update_profile)
            add("GET", f"{base}/{{waba}}/message_templates", self._sync(self.templates.list))
            add("POST", f"{base}/{{waba}}/message_templates", self.templates.create)
            add("DELETE", f"{base}/{{waba}}/message_templates", self._sync(self.templates.delete))
            add("GET", f"{base}/{{waba}}/phone_numbers", self._sync(self.account.list_phone_numbers))
            for area in self._areas:
                for method, path, handler in area.routes():
                    add(method, base + path, handler)
            add("GET", f"{base}/{{node}}", self._get_node)
            add("POST", f"{base}/{{node}}", self._post_node)
            add("DELETE", f"{base}/{{node}}", self._delete_node)
        for area in self._areas:
            for method, path, handler in area.raw_routes():
                add(method, path, handler)
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

    def _area(self, area: _A) -> _A:
        self._areas.append(area)
        return area

    def _node_handler(self, method: str, node: str) -> _Handler | None:
        for area in self._areas:
            handler = area.node(method, node)
            if handler is not None:
                return handler
        return None

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
        handler = self._node_handler("GET", node)
        if handler is not None:
            return await handler(request)
        if node in self._numbers:
            return self.account.get_phone_number(request, node)
        raise _no_object("get", node)

    async def _post_node(self, request: web.Request) -> web.StreamResponse:
        node = request.match_info["node"]
        handler = self._node_handler("POST", node)
        if handler is None:
            raise _no_object("post", node)
        return await handler(request)

    async def _delete_node(self, request: web.Request) -> web.StreamResponse:
        node = request.match_info["node"]
        if node in self.media:
            return self.media.delete(node)
        handler = self._node_handler("DELETE", node)
        if handler is None:
            raise _no_object("delete", node)
        return await handler(request)

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
        if "from" in body:
            body["from_"] = body.pop("from")
        for key in ("button_reply", "list_reply", "reaction"):
            if isinstance(body.get(key), list):
                body[key] = tuple(body[key])
        unknown = sorted(set(body) - _INBOUND_KEYS)
        if unknown:
            known = ", ".join(sorted(_INBOUND_KEYS))
            return _control_error(400, f"unknown field {unknown[0]!r}; inbound() takes {known}")
        try:
            wamid, delivered = await self._inbound(**body)
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


_STATUSES = ("sent", "delivered", "read", "failed", "played")
_INBOUND_KEYS = frozenset(inspect.signature(Emitting.inbound).parameters) - {"self"}


async def _control_body(request: web.Request) -> dict[str, Any]:
    try:
        body: Any = await request.json()
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
