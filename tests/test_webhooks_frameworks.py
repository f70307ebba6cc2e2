"""Receiver.asgi in FastAPI and Starlette (through their test clients), and Receiver.handle in a Django view."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.applications import Starlette
from starlette.routing import Route

from tests._loops import close_idle_loop
from tests.test_webhooks_app import SECRET, TEXT_BODY, TOKEN, body_of, sign, text
from wa_async.webhooks import Event, Receiver

VERIFY = {"hub.mode": "subscribe", "hub.verify_token": TOKEN, "hub.challenge": "42"}
SIGNED = {"X-Hub-Signature-256": sign(TEXT_BODY, SECRET)}


def test_routed_it_answers_at_the_exact_path_mounted_below_it() -> None:
    close_idle_loop()
    receiver = Receiver(verify_token=TOKEN, app_secret=SECRET)
    routed = FastAPI(routes=[Route("/webhook", receiver.asgi, methods=["GET", "POST"])])
    mounted = FastAPI()
    mounted.mount("/webhook", receiver.asgi)
    with TestClient(routed) as http:
        assert http.get("/webhook", params=VERIFY).text == "42"
        assert http.post("/webhook", content=TEXT_BODY, headers=SIGNED).status_code == 200
        assert http.post("/webhook", content=TEXT_BODY).status_code == 401
    with TestClient(mounted) as http:
        # The pitfall the docs warn about: Starlette redirects the mount point itself to its slashed form.
        assert http.get("/webhook", params=VERIFY, follow_redirects=False).status_code == 307
        assert http.get("/webhook/", params=VERIFY).text == "42"


def test_the_apps_lifespan_awaits_the_handlers_before_the_client_closes() -> None:
    close_idle_loop()
    release = threading.Event()
    order: list[str] = []

    async def slow(event: Event) -> None:
        await asyncio.to_thread(release.wait, 10)
        order.append("handled")

    receiver = Receiver(slow, verify_token=TOKEN)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with receiver:
            yield
        order.append("closed")

    app = Starlette(routes=[Route("/webhook", receiver.asgi, methods=["GET", "POST"])], lifespan=lifespan)
    with TestClient(app) as http:
        assert http.post("/webhook", content=body_of([text("m1")])).status_code == 200
        assert order == []  # answered before the handler ran
        release.set()
    assert order == ["handled", "closed"]
    with TestClient(app) as http:  # closed receivers refuse: Meta delivers again, to another process
        reply = http.post("/webhook", content=body_of([text("m2")]))
        assert reply.status_code == 503 and reply.headers["retry-after"] == "5"


async def test_django_view_and_asgi_lifespan() -> None:
    django = pytest.importorskip("django")  # the dev extra installs it; a bare checkout may not have it
    from django.conf import settings

    if not settings.configured:
        settings.configure(ALLOWED_HOSTS=["*"])
    django.setup()
    from django.http import HttpRequest, HttpResponse
    from django.test import AsyncRequestFactory
    from django.views.decorators.csrf import csrf_exempt

    seen: list[str] = []
    receiver = Receiver(lambda e: seen.append(type(e).__name__), verify_token=TOKEN, app_secret=SECRET)

    @csrf_exempt
    async def view(request: HttpRequest) -> HttpResponse:
        reply = await receiver.handle(request.method or "GET", request.GET, request.headers, request.body)
        response = HttpResponse(reply.body, status=reply.status, content_type=reply.content_type)
        for name, value in reply.headers.items():
            response[name] = value
        return response

    factory = AsyncRequestFactory()
    assert (await view(factory.get("/webhook", VERIFY))).content == b"42"
    headers = {"X-Hub-Signature-256": sign(TEXT_BODY, SECRET)}
    assert (await view(factory.post("/webhook", TEXT_BODY, "application/json", headers=headers))).status_code == 200
    assert (await view(factory.post("/webhook", TEXT_BODY, "application/json"))).status_code == 401
    bad = {"X-Hub-Signature-256": "sha256=" + "0" * 64}
    assert (await view(factory.post("/webhook", TEXT_BODY, "application/json", headers=bad))).status_code == 403

    # The lifespan the docs give Django's asgi.py: the receiver answers it and awaits its handlers on shutdown.
    messages: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    for kind in ("lifespan.startup", "lifespan.shutdown"):
        messages.put_nowait({"type": kind})
    await receiver.asgi({"type": "lifespan"}, messages.get, send)
    assert [m["type"] for m in sent] == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    assert seen == ["TextMessage"] and receiver.closed
