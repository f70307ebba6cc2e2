"""wa.OptOuts.redis: the opt-out store shared through a real redis-server on loopback."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

import wa_async as wa
from tests.redis_server import RedisServer
from wa_async.emulator import Emulator


@pytest.fixture
async def redis(redis_server: RedisServer) -> AsyncIterator[aioredis.Redis]:
    client = aioredis.Redis.from_url(redis_server.url)
    yield client
    await client.aclose()


async def test_two_stores_on_one_key_see_the_same_users(redis: aioredis.Redis) -> None:
    key = f"wa-test:{uuid.uuid4().hex}"
    receiver, sender = wa.OptOuts.redis(redis, key), wa.OptOuts.redis(redis, key)
    assert await receiver.add("+1 650 555 1234", "US.13491208655302741918", at=10.0) == 2
    assert await receiver.add("16505551234", at=20.0) == 0
    assert await sender.which(["16505551234", "US.13491208655302741918", "16505550000"]) == {
        "16505551234", "US.13491208655302741918"}
    assert await sender.count() == 2
    assert await receiver.remove("16505551234", at=50.0) == 1
    assert await sender.add("16505551234", at=40.0) == 0  # older than the resume: it loses
    assert not await sender.contains("16505551234") and await sender.count() == 1
    assert await redis.type(f"{{{key}}}") == b"set"  # one hash tag for both keys (Redis Cluster)


async def test_a_marketing_broadcast_honours_a_redis_store(redis: aioredis.Redis) -> None:
    opt_outs = wa.OptOuts.redis(redis, f"wa-test:{uuid.uuid4().hex}")
    await opt_outs.add("4915100000001")
    async with Emulator(rate_limit=None) as emu:
        emu.templates.add("spring_sale", "en_US", "MARKETING", [{"type": "BODY", "text": "Spring sale!"}])
        async with wa.Client.maton(emu.phone_number_id, api_key="k", base_url=emu.gateway_url,
                                   rate_limit=None) as client:  # fmt: skip
            users = ["4915100000000", "4915100000001", "4915100000002"]
            report = await client.broadcast([wa.Template(u, "spring_sale") for u in users], marketing=True,
                                            opt_outs=opt_outs)  # fmt: skip
        assert (report.sent, report.opted_out) == (2, 1)
        assert sorted(a.to for a in emu.accepted) == ["4915100000000", "4915100000002"]
