"""One webhook receiver process of a service behind a load balancer, for the multi-process tests.

``python -m tests.receiver_process REDIS_URL PHONE_NUMBER_ID APP_SECRET`` serves ``make_app`` on a free port
with a client whose windows and statuses live in Redis (``RedisWindowStore``) and a ``RedisDeduplicator``, and
prints ``{"port": N}``. Then it obeys one command per line on stdin, answering with one JSON line each:

- ``wait WAMID``: ``client.wait_status(WAMID, "delivered")`` in the background; prints ``{"wamid", "status"}``.
- ``send GATEWAY TO``: a second client (windows and statuses in the same Redis) sends a text through GATEWAY and
  waits for its delivery; prints ``{"wamid", "status"}``.
- ``window WA_ID``: prints ``{"expires": ISO time or null}`` (what the shared store knows).
- ``handled``: prints ``{"handled": [ids of the events the handler saw]}``.
- ``quit``: closes everything and exits.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

import redis.asyncio as aioredis
from aiohttp import web

import wa_async as wa

TOKEN = "verify-me"


def say(**fields: Any) -> None:
    print(json.dumps(fields), flush=True)


async def main(redis_url: str, phone_number_id: str, app_secret: str) -> None:
    redis = aioredis.Redis.from_url(redis_url)
    store = wa.RedisWindowStore(redis)
    client = wa.Client.maton(phone_number_id, api_key="k", base_url="http://127.0.0.1:9", window_store=store)
    handled: list[str] = []

    def handler(event: wa.webhooks.Event) -> None:
        handled.append(f"{type(event).__name__}:{getattr(event, 'id', '')}:{getattr(event, 'status', '')}")

    app = wa.webhooks.make_app(
        handler,
        verify_token=TOKEN,
        app_secret=app_secret,
        client=client,
        dedupe=wa.webhooks.RedisDeduplicator(redis),
    )
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    say(port=port)
    tasks: set[asyncio.Task[None]] = set()

    async def wait(target: wa.Client, wamid: str) -> None:
        status = await target.wait_status(wamid, "delivered", timeout=30)
        say(wamid=wamid, status=status.status)

    async def send(gateway: str, to: str) -> None:
        sender = wa.Client.maton(phone_number_id, api_key="k", base_url=gateway, window_store=store, windows=False)
        async with sender:
            wamid = await sender.send(wa.Text(to, "hello from another process"))
            await wait(sender, wamid)

    try:
        while True:
            line = (await asyncio.to_thread(sys.stdin.readline)).split()
            if not line or line[0] == "quit":
                break
            command, args = line[0], line[1:]
            if command == "wait":
                task = asyncio.create_task(wait(client, args[0]))
            elif command == "send":
                task = asyncio.create_task(send(args[0], args[1]))
            elif command == "window":
                expires = await client.conversations.window_expires(args[0])
                say(expires=expires.isoformat() if expires else None)
                continue
            elif command == "handled":
                await app[wa.webhooks.RECEIVER].drain()
                say(handled=handled)
                continue
            else:
                raise SystemExit(f"unknown command {command!r}")
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        await asyncio.gather(*tasks)
    finally:
        await runner.cleanup()
        await client.close()
        await redis.aclose()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
