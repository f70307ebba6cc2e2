"""`make_app`: the receiver as an aiohttp application.

Everything a request gets is decided by the framework-free `Receiver` (`_receiver.py`); this module only reads
the raw body, passes it on, and ties the receiver's start and shutdown to the application's.
"""

from __future__ import annotations

from collections.abc import Sequence

from aiohttp import web

from ._receiver import MAX_BODY, BoundClient, DuplicateFilter, Receiver
from ._router import Handler

__all__ = ["RECEIVER", "make_app"]

RECEIVER = web.AppKey("wa_async.receiver", Receiver)


def make_app(
    handler: Handler | None = None,
    *,
    verify_token: str,
    app_secret: str | bytes | None = None,
    client: BoundClient | Sequence[BoundClient] | None = None,
    path: str = "/webhook",
    dedupe: DuplicateFilter | None = None,
    dedupe_size: int = 100_000,
    max_body: int = MAX_BODY,
    concurrency: int = 64,
    backlog: int = 1_000,
    shutdown_timeout: float | None = 30.0,
) -> web.Application:
    """An aiohttp application receiving WhatsApp webhooks at `path`.

    The `Receiver` behind it is at `app[wa_async.webhooks.RECEIVER]`; the other arguments are the
    receiver's (see `Receiver`). On startup the receiver attaches the clients' conversations; on cleanup it
    waits up to `shutdown_timeout` seconds for its handler tasks, then cancels them.

    Raises:
        ValidationError: an empty `verify_token` or `app_secret`, or a bound below 1.

    ```python
    app = wa.webhooks.make_app(router, verify_token="tok", app_secret=secret, client=client)
    web.run_app(app, port=8080)
    ```
    """
    receiver = Receiver(
        handler,
        verify_token=verify_token,
        app_secret=app_secret,
        client=client,
        dedupe=dedupe,
        dedupe_size=dedupe_size,
        max_body=max_body,
        concurrency=concurrency,
        backlog=backlog,
        shutdown_timeout=shutdown_timeout,
    )
    app = web.Application(client_max_size=max_body)
    app[RECEIVER] = receiver

    async def serve(request: web.Request) -> web.Response:
        body = await request.read() if request.method == "POST" else b""
        reply = await receiver.handle(request.method, request.query, request.headers, body)
        return web.Response(
            status=reply.status, body=reply.body, headers={"Content-Type": reply.content_type, **reply.headers}
        )

    app.router.add_get(path, serve)
    app.router.add_post(path, serve)

    async def start(_: web.Application) -> None:
        receiver.start()

    async def shutdown(_: web.Application) -> None:
        await receiver.aclose()

    app.on_startup.append(start)
    app.on_cleanup.append(shutdown)
    return app
