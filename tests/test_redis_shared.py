"""RedisDeduplicator, RedisWindowStore and the Redis status feed, in one process against a real redis-server."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta

import pytest
import redis.asyncio as aioredis

import wa_async as wa
from tests.redis_server import RedisServer
from tests.test_webhooks_app import TOKEN, FakeClient, Recorder, body_of, status, text
from wa_async._conversations import Conversations
from wa_async.webhooks import Receiver, RedisDeduplicator


@pytest.fixture(scope="module")
def server() -> Iterator[RedisServer]:
    with RedisServer() as s:
        yield s


@pytest.fixture
async def redis(server: RedisServer) -> AsyncIterator[aioredis.Redis]:
    client = aioredis.Redis.from_url(server.url)
    yield client
    await client.aclose()


@pytest.fixture
def prefix() -> str:
    return f"t{uuid.uuid4().hex[:8]}:"


# -- RedisDeduplicator ----------------------------------------------------------------------------------------


async def test_two_receivers_sharing_a_deduplicator_hand_each_event_over_once(
    redis: aioredis.Redis, prefix: str
) -> None:
    handlers = Recorder(), Recorder()
    receivers = [Receiver(h, verify_token=TOKEN, dedupe=RedisDeduplicator(redis, prefix=prefix)) for h in handlers]
    body = body_of([text("m1"), text("m1")], [status("w1", "sent"), status("w1", "delivered")])
    for receiver in (*receivers, *receivers):
        assert (await receiver.handle("POST", {}, {}, body)).status == 200
    for receiver in receivers:
        await receiver.aclose()
    seen = [(type(e).__name__, getattr(e, "status", None)) for h in handlers for e in h.events]
    assert sorted(seen, key=str) == [("Status", "delivered"), ("Status", "sent"), ("TextMessage", None)]
    assert 0 < await redis.ttl(f"{prefix}m1") <= 7 * 24 * 3600


async def test_unreachable_redis_is_503_and_the_redelivery_is_handled_later(server: RedisServer, prefix: str) -> None:
    handler = Recorder()
    down = aioredis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=1)  # nothing listens on port 1
    body = body_of([text("m1")])
    receiver = Receiver(handler, verify_token=TOKEN, dedupe=RedisDeduplicator(down, prefix=prefix))
    reply = await receiver.handle("POST", {}, {}, body)
    assert reply.status == 503 and reply.headers == {"Retry-After": "5"}
    await down.aclose()
    up = aioredis.Redis.from_url(server.url)
    receiver.dedupe = RedisDeduplicator(up, prefix=prefix)
    assert (await receiver.handle("POST", {}, {}, body)).status == 200
    await receiver.aclose()
    await up.aclose()
    assert [getattr(e, "id", None) for e in handler.events] == ["m1"]


# -- RedisWindowStore -------------------------------------------------------------------------------------------


async def test_windows_are_shared_and_the_later_message_wins(redis: aioredis.Redis, prefix: str) -> None:
    store = wa.RedisWindowStore(redis, prefix=prefix)
    now = datetime.now(UTC).replace(microsecond=0)
    assert await store.last_inbound("15551234567") is None
    await store.record_inbound("15551234567", now)
    await store.record_inbound("15551234567", now - timedelta(hours=1))  # a late redelivery
    assert await store.last_inbound("15551234567") == now
    ttl = await redis.pttl(f"{prefix}window:15551234567")
    assert 47 * 3600 * 1000 < ttl <= 48 * 3600 * 1000  # the window's 24 hours, then a day to tell it closed
    await store.record_inbound("15550000000", now - timedelta(days=3))  # long closed: not worth keeping
    assert await store.last_inbound("15550000000") is None


async def test_a_message_one_process_receives_opens_the_window_for_another(redis: aioredis.Redis, prefix: str) -> None:
    receiving = FakeClient()
    receiving.conversations = Conversations(store=wa.RedisWindowStore(redis, prefix=prefix), windows=True)
    sending = Conversations(store=wa.RedisWindowStore(redis, prefix=prefix), windows=True)
    with pytest.raises(wa.WindowClosed):
        await sending.check_window("16505551234")
    receiver = Receiver(verify_token=TOKEN, client=receiving)
    fresh = body_of([{**text("m1"), "timestamp": str(int(datetime.now(UTC).timestamp()))}])
    assert (await receiver.handle("POST", {}, {}, fresh)).status == 200
    await receiving.conversations.flush()
    await sending.check_window("16505551234")  # no WindowClosed: the other process's message counts
    await receiving.conversations.aclose()
    await sending.aclose()


# -- statuses ---------------------------------------------------------------------------------------------------


async def test_wait_status_resolves_from_a_status_another_process_observed(redis: aioredis.Redis, prefix: str) -> None:
    receiving = Conversations(store=wa.RedisWindowStore(redis, prefix=prefix))
    waiting = Conversations(store=wa.RedisWindowStore(redis, prefix=prefix))
    statuses = wa.webhooks.parse(body_of(statuses=[status("w1", "sent"), status("w2", "read")]))
    receiving.observe(statuses[0])  # before anyone waits: read back from its key
    await receiving.flush()
    assert (await waiting.wait_status("w1", "sent", timeout=10)).status == "sent"
    waiter = asyncio.create_task(waiting.wait_status("w2", "delivered", timeout=10))
    while not waiting._waiters:
        await asyncio.sleep(0)
    receiving.observe(statuses[1])  # read implies delivered
    assert (await waiter).status == "read"
    await receiving.aclose()
    await waiting.aclose()


async def test_a_failed_status_from_another_process_raises_its_error(redis: aioredis.Redis, prefix: str) -> None:
    receiving = Conversations(store=wa.RedisWindowStore(redis, prefix=prefix))
    waiting = Conversations(store=wa.RedisWindowStore(redis, prefix=prefix))
    failed = {**status("w3", "failed"), "errors": [{"code": 131049, "title": "not delivered for engagement"}]}
    (event,) = wa.webhooks.parse(body_of(statuses=[failed]))
    receiving.observe(event)
    await receiving.flush()
    with pytest.raises(wa.RecipientError):
        await waiting.wait_status("w3", "delivered", timeout=10)
    await receiving.aclose()
    await waiting.aclose()


async def test_the_listener_reconnects_after_redis_restarts_and_nothing_is_missed(prefix: str) -> None:
    with RedisServer() as server:
        receiving_redis = aioredis.Redis.from_url(server.url)
        waiting_redis = aioredis.Redis.from_url(server.url)
        receiving = Conversations(store=wa.RedisWindowStore(receiving_redis, prefix=prefix))
        waiting = Conversations(store=wa.RedisWindowStore(waiting_redis, prefix=prefix))
        waiter = asyncio.create_task(waiting.wait_status("w9", "delivered", timeout=30))
        while waiting._listener is None or not waiting._waiters:
            await asyncio.sleep(0)
        await waiting._listener.ready()
        server.stop()
        server.start()  # same port, empty: the listener must subscribe again by itself
        (event,) = wa.webhooks.parse(body_of(statuses=[status("w9", "delivered")]))
        receiving.observe(event)  # published while the listener may still be reconnecting: stored, re-read
        await receiving.flush()
        assert (await waiter).status == "delivered"
        await receiving.aclose()
        await waiting.aclose()
        await receiving_redis.aclose()
        await waiting_redis.aclose()


async def test_statuses_of_another_number_are_not_taken(redis: aioredis.Redis, prefix: str) -> None:
    receiving = Conversations(store=wa.RedisWindowStore(redis, prefix=prefix))
    waiting = Conversations(store=wa.RedisWindowStore(redis, prefix=prefix), phone_number_id="999")
    (event,) = wa.webhooks.parse(body_of(statuses=[status("w4", "delivered")]))  # number 106540352242922
    receiving.observe(event)
    await receiving.flush()
    with pytest.raises(TimeoutError):
        await waiting.wait_status("w4", "delivered", timeout=0.2)
    await receiving.aclose()
    await waiting.aclose()


async def test_without_statuses_nothing_is_published(redis: aioredis.Redis, prefix: str) -> None:
    store = wa.RedisWindowStore(redis, prefix=prefix, statuses=False)
    assert store.statuses is None
    receiving = Conversations(store=store)
    (event,) = wa.webhooks.parse(body_of(statuses=[status("w5", "delivered")]))
    receiving.observe(event)
    await receiving.aclose()
    assert await redis.keys(f"{prefix}*") == []
