"""client.phone_numbers and client.profile: Meta's examples over aioresponses, limits, and the emulator."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import msgspec
import pytest
from aioresponses import aioresponses
from yarl import URL

import wa_async as wa
from tests._account import OK, Scripted, emulated
from tests._data import payload, sent_json
from wa_async.resources import BusinessProfile, PhoneNumbers, Profile, Throughput

BASE = "https://gw.test/whatsapp-business"
PNID, WABA = "106540352242922", "102290129340398"
NUMBERS = re.compile(rf"^{re.escape(BASE)}/v25\.0/{WABA}/phone_numbers(\?.*)?$")
NUMBER = re.compile(rf"^{re.escape(BASE)}/v25\.0/{PNID}(\?.*)?$")
PROFILE = re.compile(rf"^{re.escape(BASE)}/v25\.0/{PNID}/whatsapp_business_profile(\?.*)?$")


@pytest.fixture
async def client() -> AsyncIterator[wa.Client]:
    async with wa.Client.maton(PNID, api_key="k", base_url=BASE, waba_id=WABA, rate_limit=None) as c:
        yield c


def queries(mock: aioresponses) -> list[dict[str, str]]:
    return [dict(URL(str(url)).query) for (m, url), cs in mock.requests.items() for _ in cs if m == "GET"]


async def test_list_decodes_the_documented_numbers(client: wa.Client) -> None:
    with aioresponses() as mock:
        mock.get(NUMBERS, payload=payload("phone-numbers-list-response.json"))
        first, second = await PhoneNumbers(client).list()
    assert first.display_phone_number == "+1 631-555-5555" and first.verified_name == "Jasper's Market"
    assert first.quality_rating == "GREEN" and first.messaging_limit == "TIER_1K" and first.account_mode == "LIVE"
    assert first.is_official_business_account is True and first.username == "jaspers_market"
    assert second.status == "PENDING" and second.username is None and second.messaging_limit == "TIER_50"
    assert queries(mock) == [{}]  # no `next`: one page


async def test_list_follows_pages_and_sends_fields(client: wa.Client) -> None:
    page = payload("phone-numbers-list-response.json")
    page["paging"]["next"] = "https://graph.facebook.com/v23.0/next"
    last = {"data": [{"id": "3", "display_phone_number": "+1 555"}], "paging": {"cursors": {"after": "Z"}}}
    with aioresponses() as mock:
        mock.get(NUMBERS, payload=page)
        mock.get(NUMBERS, payload=last)
        numbers = await PhoneNumbers(client).list(fields=["id", "display_phone_number"])
    assert [n.id for n in numbers] == ["1906385232743451", "1913623884432103", "3"]
    assert queries(mock) == [{"fields": "id,display_phone_number"},
                             {"fields": "id,display_phone_number", "after": "MTAxNTExOTQ1MjAwNzI5NDE="}]  # fmt: skip


async def test_get_decodes_the_documented_metadata(client: wa.Client) -> None:
    with aioresponses() as mock:
        mock.get(NUMBER, payload=payload("phone-number-metadata-response.json"))
        number = await PhoneNumbers(client).get()
    assert number.id == "106540352242922" and number.platform_type == "CLOUD_API"
    assert number.throughput == Throughput(level="STANDARD") and number.code_verification_status == "VERIFIED"
    assert number.webhook_configuration == {"application": "https://www.luckyshrub.com/webhooks"}


async def test_numbers_list_needs_the_waba_id() -> None:
    async with wa.Client.maton(PNID, api_key="k", base_url=BASE) as c:
        with pytest.raises(wa.ValidationError, match="waba_id"):
            await PhoneNumbers(c).list()


EXPECTED = BusinessProfile(
    about="Welcome to our business! We provide excellent service.",
    address="123 Business Street, City, State 12345",
    description="We are a leading provider of quality products and services.",
    email="contact@business.com",
    websites=["https://www.business.com", "https://www.facebook.com/business"],
    vertical="RESTAURANT",
    profile_picture_url="https://pps.whatsapp.net/v/profile_picture_url",
)


async def test_profile_get_accepts_the_nested_openapi_shape(client: wa.Client) -> None:
    with aioresponses() as mock:
        mock.get(PROFILE, payload=payload("business-profile-get-response.json"))
        assert await Profile(client).get() == EXPECTED
    assert queries(mock)[0]["fields"].split(",") == [
        "about", "address", "description", "email", "profile_picture_url", "websites", "vertical"]  # fmt: skip


async def test_profile_get_accepts_the_flat_documented_shape(client: wa.Client) -> None:
    flat = {**payload("business-profile-get-response.json")["data"][0]["business_profile"]}
    with aioresponses() as mock:
        mock.get(PROFILE, payload={"data": [flat]})
        assert await Profile(client).get() == EXPECTED


async def test_profile_update_sends_the_documented_request(client: wa.Client) -> None:
    documented = payload("business-profile-update-request.json")
    fields = {k: v for k, v in documented.items() if k != "messaging_product"}
    with aioresponses() as mock:
        mock.post(PROFILE, payload={"success": True})
        assert await Profile(client).update(**fields) is True
        (call,) = [c for (m, _), cs in mock.requests.items() for c in cs if m == "POST"]
    assert sent_json(call.kwargs["data"]) == documented


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"about": ""}, "about"),
        ({"about": "a" * 140}, "about"),
        ({"address": "a" * 257}, "address"),
        ({"email": "e" * 129}, "email"),
        ({"description": "d" * 513}, "description"),
        ({"websites": ["https://a", "https://b", "https://c"]}, "websites"),
        ({"websites": ["https://" + "w" * 249]}, "websites[0]"),
        ({"websites": ["not a url"]}, "websites[0]"),
        ({}, "profile"),
    ],
)
async def test_profile_limits_are_checked_locally(client: wa.Client, fields: dict[str, Any], field: str) -> None:
    with aioresponses() as mock:
        with pytest.raises(wa.ValidationError) as caught:
            await Profile(client).update(**fields)
        assert mock.requests == {}
    assert caught.value.field == field


async def test_profile_limits_are_inclusive(client: wa.Client) -> None:
    with aioresponses() as mock:
        mock.post(PROFILE, payload={"success": True})
        assert await Profile(client).update(about="a" * 139, address="a" * 256, email="e" * 128,
                                            description="d" * 512, websites=["https://" + "w" * 248] * 2)  # fmt: skip


async def test_against_the_emulator() -> None:
    async with wa.Emulator(rate_limit=None) as emu:
        client = wa.Client.maton(emu.phone_number_id, api_key="k", base_url=emu.gateway_url, waba_id=emu.waba_id,
                                 rate_limit=None)  # fmt: skip
        async with client:
            (number,) = await PhoneNumbers(client).list()
            assert number.id == emu.phone_number_id and number.display_phone_number == emu.display_phone_number
            me = await PhoneNumbers(client).get(fields="display_phone_number,quality_rating,throughput")
            assert me.quality_rating == "GREEN" and me.throughput == Throughput("STANDARD") and me.status is None
            with pytest.raises(wa.ApiError, match="nonexisting field"):
                await PhoneNumbers(client).get(fields="nope")
            profile = Profile(client)
            assert await profile.update(about="Open 9-5", websites=["https://shop.test"], vertical="retail")
            got = await profile.get()
            assert got.about == "Open 9-5" and got.websites == ["https://shop.test"] and got.vertical == "RETAIL"


# -- registration, settings and throughput (account management) ------------------------------------------------


async def test_registration_sends_the_documented_bodies() -> None:
    mock = Scripted([OK, OK, OK, OK])
    async with mock.client as c:
        assert await c.phone_numbers.register("246810", data_localization_region="de")
        assert await c.phone_numbers.request_code("sms", "en_US")
        assert await c.phone_numbers.verify_code(" 123456 ")
        assert await c.phone_numbers.deregister()
    assert mock.sent(0) == payload("request-register-phone.json")
    assert mock.sent(1) == payload("request-request-code.json")
    assert mock.sent(2) == payload("request-verify-code.json")
    assert [mock.path(i) for i in range(4)] == [f"{PNID}/register", f"{PNID}/request_code", f"{PNID}/verify_code",
                                                f"{PNID}/deregister"]  # fmt: skip
    assert mock.requests[3].body is None


async def test_the_documented_call_settings_go_out_as_meta_shows_them() -> None:
    body = payload("request-call-settings.json")
    settings = msgspec.convert(body["calling"], wa.CallingSettings)
    mock = Scripted([OK, OK])
    async with mock.client as c:
        assert await c.phone_numbers.update_settings(calling=settings)
        assert await c.calls.update_settings(
            status="enabled", call_icon_visibility="default", restrict_to_user_countries=["us", "CA"],
            call_hours=settings.call_hours, callback_permission_status="ENABLED",
        )  # fmt: skip
    assert mock.sent(0) == body and mock.sent(1) == body and mock.path() == f"{PNID}/settings"


async def test_registration_settings_and_throughput_against_the_emulator() -> None:
    async with emulated() as (emu, client):
        numbers = client.phone_numbers
        assert await numbers.throughput() == "STANDARD"
        assert await numbers.request_code("VOICE", "de_DE")
        code = emu.registration.last_code(emu.phone_number_id)
        assert code is not None and len(code) == 6
        with pytest.raises(wa.ApiError, match="invalid"):
            await numbers.verify_code("000000" if code != "000000" else "111111")
        assert await numbers.verify_code(code)
        assert await numbers.register("246810", data_localization_region="DE")
        assert emu.registration.pin(emu.phone_number_id) == "246810"
        with pytest.raises(wa.ApiError) as caught:
            await numbers.register("135790")  # not the two-step PIN now set
        assert caught.value.code == 133005
        assert await numbers.deregister()
        with pytest.raises(wa.ApiError) as caught:
            await numbers.deregister()
        assert caught.value.code == 100 and caught.value.subcode == 2207051
        assert await numbers.register("246810")
        settings = await numbers.settings()
        assert not settings.calling.enabled and settings.payload_encryption == {"status": "DISABLED"}
        assert await numbers.update_settings(storage_configuration={"status": "DEFAULT"})
        assert await numbers.update_settings(calling=wa.CallingSettings(status="ENABLED"))
        assert (await numbers.settings()).calling.enabled


async def test_register_and_deregister_are_limited_to_ten_in_72_hours() -> None:
    async with emulated() as (_, client):
        for i in range(10):
            await (client.phone_numbers.register("246810") if i % 2 == 0 else client.phone_numbers.deregister())
        with pytest.raises(wa.ApiError) as caught:
            await client.phone_numbers.register("246810")
    assert caught.value.code == 133016  # not retried: Meta's limit holds for 72 hours
