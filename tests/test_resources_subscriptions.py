"""client.subscriptions: Meta's documented bodies, and the emulator end to end (with a real verification
handshake against our own webhook receiver)."""

from __future__ import annotations

import pytest
from aiohttp import web

import wa_async as wa
from tests._account import OK, PNID, WABA, Scripted, answer, emulated
from tests._data import payload


async def test_subscribe_with_an_override_sends_the_documented_body() -> None:
    documented = payload("request-subscribed-apps-override.json")
    mock = Scripted([OK, OK])
    async with mock.client as client:
        assert await client.subscriptions.subscribe(documented["override_callback_uri"], documented["verify_token"])
        assert await client.subscriptions.subscribe()
    assert mock.sent(0) == documented and mock.path(0) == f"{WABA}/subscribed_apps"
    assert mock.requests[1].body is None and mock.requests[1].method == "POST"


async def test_list_decodes_the_documented_answer() -> None:
    mock = Scripted([answer(payload("response-subscribed-apps-get.json")), answer({"data": []})])
    async with mock.client as client:
        (app,) = await client.subscriptions.list()
        assert await client.subscriptions.list() == []
    assert app == wa.SubscribedApp(id="1234567890123458", name="Example Messaging App",
                                   link="https://www.facebook.com/games/?app_id=1234567890123458",
                                   override_callback_uri="https://hooks.example.com/whatsapp/waba-1234567890123456")


async def test_the_number_override_is_the_documented_call() -> None:
    documented = payload("request-phone-webhook-override.json")
    config = documented["webhook_configuration"]
    mock = Scripted([OK, OK, answer(payload("response-phone-webhook-configuration.json"))])
    async with mock.client as client:
        assert await client.subscriptions.set_number_override(config["override_callback_uri"], config["verify_token"])
        assert await client.subscriptions.remove_number_override()
        got = await client.subscriptions.webhook_configuration()
    assert mock.sent(0) == documented and mock.path(0) == PNID
    assert mock.sent(1) == {"webhook_configuration": {"override_callback_uri": ""}}  # Meta: empty removes it
    assert mock.requests[2].params == {"fields": "webhook_configuration"}
    assert got.phone_number == "https://hooks.example.com/whatsapp/pn-1234567890123457"
    assert got.effective == got.phone_number
    assert wa.WebhookConfiguration(application="https://a.test").effective == "https://a.test"


async def test_against_the_emulator() -> None:
    async with emulated(webhook_url="https://app.example.com/hook") as (emu, client):
        subs = client.subscriptions
        assert await subs.list() == []
        assert emu.subscriptions.callback_url(emu.phone_number_id) is None  # not subscribed: nothing is sent
        assert await subs.subscribe()
        (app,) = await subs.list()
        assert app.override_callback_uri is None and app.name
        assert emu.subscriptions.callback_url(emu.phone_number_id) == "https://app.example.com/hook"
        assert await subs.subscribe("https://waba.example.com/hook", verify_token="t")
        assert (await subs.list())[0].override_callback_uri == "https://waba.example.com/hook"
        assert await subs.set_number_override("https://pn.example.com/hook", "t")
        assert emu.subscriptions.callback_url(emu.phone_number_id) == "https://pn.example.com/hook"
        config = await subs.webhook_configuration()
        assert config == wa.WebhookConfiguration("https://pn.example.com/hook", "https://waba.example.com/hook",
                                                 "https://app.example.com/hook")  # fmt: skip
        assert await subs.remove_number_override()
        assert (await subs.webhook_configuration()).effective == "https://waba.example.com/hook"
        assert await subs.subscribe()  # no body: the WABA override goes too
        assert emu.subscriptions.callback_url(emu.phone_number_id) == "https://app.example.com/hook"
        assert await subs.unsubscribe()
        assert await subs.list() == [] and not emu.subscriptions.is_subscribed(emu.waba_id)


async def test_an_override_must_pass_metas_verification_request() -> None:
    app = wa.webhooks.make_app(verify_token="right-token")
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/webhook"
    try:
        async with emulated() as (emu, client):
            emu.subscriptions.verify_callbacks = True
            assert await client.subscriptions.subscribe(url, verify_token="right-token")
            assert (await client.subscriptions.list())[0].override_callback_uri == url
            with pytest.raises(wa.ApiError) as caught:
                await client.subscriptions.set_number_override(url, "wrong-token")
            assert caught.value.code == 2200
    finally:
        await runner.cleanup()
