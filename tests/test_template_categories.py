"""Templates of every category Meta documents: authentication (copy-code, one-tap, zero-tap), coupons,
limited-time offers, carousels, call permission; ``ttl=``, ``edit()`` with Meta's edit rules, bulk delete; and
OTP and carousel templates created and then sent against the emulator."""

from __future__ import annotations

import datetime
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aioresponses import aioresponses
from yarl import URL

import wa_async as wa
from tests._data import sent_json
from tests.conftest import FakeClock
from wa_async.resources import (
    AuthBody,
    AuthFooter,
    BodyText,
    CallPermissionComponent,
    CatalogButton,
    CopyCodeButton,
    FlowButton,
    FooterText,
    HeaderMedia,
    HeaderText,
    LimitedTimeOffer,
    OtpButton,
    PhoneNumberButton,
    QuickReplyButton,
    SpmButton,
    SupportedApp,
    TemplateCard,
    TemplateCarousel,
    UrlButton,
    VoiceCallButton,
)

BASE = "https://gw.test/whatsapp-business"
WABA = "102290129340398"
CREATE = re.compile(rf"^{re.escape(BASE)}/v25\.0/{WABA}/message_templates(\?.*)?$")
APP = SupportedApp("com.example.luckyshrub", "K8a/AINcGX7")


@pytest.fixture
async def client() -> AsyncIterator[wa.Client]:
    async with wa.Client.maton("1", api_key="k", base_url=BASE, waba_id=WABA, rate_limit=None) as c:
        yield c


async def created(client: wa.Client, category: str, components: list[Any], **kwargs: Any) -> dict[str, Any]:
    with aioresponses() as mock:
        mock.post(CREATE, payload={"id": "1", "status": "PENDING", "category": category})
        await client.templates.create("t", "en_US", category, components, **kwargs)
    (call,) = [c for cs in mock.requests.values() for c in cs]
    return sent_json(call.kwargs["data"])  # type: ignore[no-any-return]


def body(text: str = "Hello") -> BodyText:
    return BodyText(text)


# --- the wire of each category ------------------------------------------------------------------------------


async def test_zero_tap_authentication_template(client: wa.Client) -> None:
    # Meta's zero-tap page: a body with the security recommendation, a footer with the expiry and no text, one OTP
    # button naming the apps and accepting the zero-tap terms.
    sent = await created(client, "authentication", [
        AuthBody(add_security_recommendation=True),
        AuthFooter(code_expiration_minutes=5),
        OtpButton("ZERO_TAP", text="Copy Code", autofill_text="Autofill", supported_apps=[APP],
                  zero_tap_terms_accepted=True),
    ], ttl=60)  # fmt: skip
    assert sent == {
        "name": "t", "language": "en_US", "category": "AUTHENTICATION", "message_send_ttl_seconds": 60,
        "components": [
            {"type": "BODY", "add_security_recommendation": True},
            {"type": "FOOTER", "code_expiration_minutes": 5},
            {"type": "BUTTONS", "buttons": [{
                "type": "OTP", "otp_type": "ZERO_TAP", "text": "Copy Code", "autofill_text": "Autofill",
                "zero_tap_terms_accepted": True,
                "supported_apps": [{"package_name": "com.example.luckyshrub", "signature_hash": "K8a/AINcGX7"}],
            }]},
        ],
    }  # fmt: skip


async def test_copy_code_authentication_template_needs_no_label(client: wa.Client) -> None:
    sent = await created(client, "AUTHENTICATION", [AuthBody(), OtpButton("COPY_CODE")])
    assert sent["components"] == [{"type": "BODY"}, {"type": "BUTTONS",
                                                     "buttons": [{"type": "OTP", "otp_type": "COPY_CODE"}]}]


async def test_limited_time_offer_template(client: wa.Client) -> None:
    # Meta's limited-time offer page: an optional image or video header, the offer (text of at most 16), a body of
    # at most 600, a copy-code and a URL button, no footer; marketing only.
    sent = await created(client, "MARKETING", [
        HeaderMedia("IMAGE", example_handle="4::aW1hZ2UvanBlZw=="),
        LimitedTimeOffer("Expiring offer!", has_expiration=True),
        BodyText("Good news, {{1}}! Use code {{2}} to get 25% off all Caribbean Destination packages!",
                 examples=["Pablo", "CARIBE25"]),
        CopyCodeButton("CARIBE25"),
        UrlButton("Book now!", "https://awesomedestinations.com/offers?code={{1}}",
                  example="https://awesomedestinations.com/offers?ref=n3mtql"),
    ])  # fmt: skip
    assert sent["components"] == [
        {"type": "HEADER", "format": "IMAGE", "example": {"header_handle": ["4::aW1hZ2UvanBlZw=="]}},
        {"type": "limited_time_offer", "limited_time_offer": {"text": "Expiring offer!", "has_expiration": True}},
        {"type": "BODY", "text": "Good news, {{1}}! Use code {{2}} to get 25% off all Caribbean Destination packages!",
         "example": {"body_text": [["Pablo", "CARIBE25"]]}},
        {"type": "BUTTONS", "buttons": [
            {"type": "COPY_CODE", "example": "CARIBE25"},
            {"type": "URL", "text": "Book now!", "url": "https://awesomedestinations.com/offers?code={{1}}",
             "example": ["https://awesomedestinations.com/offers?ref=n3mtql"]},
        ]},
    ]  # fmt: skip


def media_card(handle: str, code: str) -> TemplateCard:
    return TemplateCard(
        HeaderMedia("IMAGE", example_handle=handle),
        BodyText("Use code {{1}} for 15% off.", examples=[code]),
        [QuickReplyButton("Send more like this"), UrlButton("Buy now", "https://shop.example/{{1}}", example="beans")],
    )


async def test_media_carousel_template(client: wa.Client) -> None:
    sent = await created(client, "MARKETING", [
        BodyText("Rare beans, {{1}}!", examples=["Pablo"]),
        TemplateCarousel([media_card("4::a", "BEANS15"), media_card("4::b", "GRIND15")]),
    ])  # fmt: skip
    card = {"components": [
        {"type": "HEADER", "format": "IMAGE", "example": {"header_handle": ["4::a"]}},
        {"type": "BODY", "text": "Use code {{1}} for 15% off.", "example": {"body_text": [["BEANS15"]]}},
        {"type": "BUTTONS", "buttons": [
            {"type": "QUICK_REPLY", "text": "Send more like this"},
            {"type": "URL", "text": "Buy now", "url": "https://shop.example/{{1}}", "example": ["beans"]},
        ]},
    ]}  # fmt: skip
    assert sent["components"][1]["type"] == "CAROUSEL"
    assert sent["components"][1]["cards"][0] == card


async def test_product_carousel_and_the_other_buttons(client: wa.Client) -> None:
    product = TemplateCard(HeaderMedia("PRODUCT"), buttons=[SpmButton("View")])
    sent = await created(client, "MARKETING", [body(), TemplateCarousel([product, product])])
    assert sent["components"][1]["cards"] == [{"components": [
        {"type": "HEADER", "format": "PRODUCT"}, {"type": "BUTTONS", "buttons": [{"type": "SPM", "text": "View"}]},
    ]}] * 2  # fmt: skip
    sent = await created(client, "MARKETING", [
        body(), CatalogButton("View catalog"), VoiceCallButton("Call Now"),
        FlowButton("Book", flow_id="123", flow_action="data_exchange"),
    ])  # fmt: skip
    assert sent["components"][1]["buttons"] == [
        {"type": "CATALOG", "text": "View catalog"}, {"type": "voice_call", "text": "Call Now"},
        {"type": "FLOW", "text": "Book", "flow_id": "123", "flow_action": "data_exchange"},
    ]  # fmt: skip
    sent = await created(client, "UTILITY", [body("May we call you?"), CallPermissionComponent()])
    assert sent["components"][1] == {"type": "call_permission_request"}


# --- refused before sending ---------------------------------------------------------------------------------

OTP = OtpButton("COPY_CODE")


@pytest.mark.parametrize(
    ("category", "components", "field"),
    [
        ("AUTHENTICATION", [AuthBody(), AuthFooter(0), OTP], "components[1].code_expiration_minutes"),
        ("AUTHENTICATION", [AuthBody(), AuthFooter(91), OTP], "components[1].code_expiration_minutes"),
        ("AUTHENTICATION", [AuthBody(), {"type": "BODY_X"}], "components"),
        ("AUTHENTICATION", [HeaderText("Hi"), AuthBody(), OTP], "components[0]"),
        ("AUTHENTICATION", [AuthBody(), OTP, QuickReplyButton("No")], "components[1]"),
        ("AUTHENTICATION", [AuthBody(), OtpButton("COPY_CODE", text="x" * 26)], "components[1].buttons[0].text"),
        ("AUTHENTICATION", [AuthBody(), OtpButton("ONE_TAP")], "components[1].buttons[0].supported_apps"),
        ("AUTHENTICATION", [AuthBody(), OtpButton("ONE_TAP", supported_apps=[APP] * 6)],
         "components[1].buttons[0].supported_apps"),
        ("AUTHENTICATION", [AuthBody(), OtpButton("ONE_TAP", supported_apps=[SupportedApp("", "x")])],
         "components[1].buttons[0].supported_apps[0].package_name"),
        ("AUTHENTICATION", [AuthBody(), OtpButton("ZERO_TAP", supported_apps=[APP])],
         "components[1].buttons[0].zero_tap_terms_accepted"),
        ("AUTHENTICATION", [AuthBody(), OtpButton("ONE_TAP", autofill_text="a" * 26, supported_apps=[APP])],
         "components[1].buttons[0].autofill_text"),
        ("AUTHENTICATION", [AuthBody(), {"type": "BUTTONS", "buttons": [{"type": "OTP", "otp_type": "TWO_TAP"}]}],
         "components[1].buttons[0].otp_type"),
        ("UTILITY", [body(), AuthFooter(10)], "components[1].code_expiration_minutes"),
        ("UTILITY", [body(), OTP], "components[1].buttons[0]"),
        ("MARKETING", [body(), CopyCodeButton("SAVE-30")], "components[1].buttons[0].example"),
        ("MARKETING", [body(), CopyCodeButton("A" * 21)], "components[1].buttons[0].example"),
        ("MARKETING", [body(), CopyCodeButton("A"), CopyCodeButton("B")], "components[1].buttons[1]"),
        ("MARKETING", [body(), FlowButton("Go")], "components[1].buttons[0]"),
        ("MARKETING", [body(), FlowButton("Go", flow_id="1", flow_name="n")], "components[1].buttons[0]"),
        ("MARKETING", [body(), PhoneNumberButton("Call", "1" * 21)], "components[1].buttons[0].phone_number"),
        ("MARKETING", [body(), UrlButton("Go", "https://x.example/" + "a" * 2000)], "components[1].buttons[0].url"),
        ("UTILITY", [LimitedTimeOffer("Sale"), body()], "components[0]"),
        ("MARKETING", [LimitedTimeOffer("x" * 17), body()], "components[0].limited_time_offer.text"),
        ("MARKETING", [LimitedTimeOffer("Sale"), body(), FooterText("f")], "components[2]"),
        ("MARKETING", [LimitedTimeOffer("Sale"), body("b" * 601)], "components[1].text"),
        ("MARKETING", [HeaderText("Hi"), LimitedTimeOffer("Sale"), body()], "components[0].format"),
        ("AUTHENTICATION", [AuthBody(), OTP, CallPermissionComponent()], "components[2]"),
        ("UTILITY", [body(), TemplateCarousel([media_card("a", "A"), media_card("b", "B")])], "components[1]"),
        ("MARKETING", [body(), TemplateCarousel([media_card("a", "A")])], "components[1].cards"),
        ("MARKETING", [body(), TemplateCarousel([media_card("a", "A")] * 11)], "components[1].cards"),
        ("MARKETING", [body(), TemplateCarousel([media_card("a", "A"), TemplateCard(HeaderMedia("IMAGE"))])],
         "components[1].cards[1]"),
        ("MARKETING", [body(), TemplateCarousel([TemplateCard(HeaderMedia("DOCUMENT"))] * 2)],
         "components[1].cards[0].components[0].format"),
        ("MARKETING", [body(), TemplateCarousel([TemplateCard(HeaderMedia("IMAGE"), BodyText("b" * 161))] * 2)],
         "components[1].cards[0].components[1].text"),
        ("MARKETING", [body(), TemplateCarousel([TemplateCard(HeaderMedia("IMAGE"), buttons=[
            QuickReplyButton("a"), QuickReplyButton("b"), QuickReplyButton("c")])] * 2)],
         "components[1].cards[0].components[1].buttons"),
        ("MARKETING", [body(), TemplateCarousel([TemplateCard(HeaderMedia("PRODUCT"), buttons=[
            QuickReplyButton("a")])] * 2)], "components[1].cards[0].components[1].buttons[0].type"),
        ("MARKETING", [body(), TemplateCarousel([{"components": [{"type": "BODY", "text": "no header"}]}] * 2)],
         "components[1].cards[0].components"),
    ],
)  # fmt: skip
async def test_refused_before_sending(client: wa.Client, category: str, components: list[Any], field: str) -> None:
    with aioresponses() as mock, pytest.raises(wa.ValidationError) as caught:
        await client.templates.create("t", "en_US", category, components)
    assert mock.requests == {}
    assert caught.value.field == field, caught.value


async def test_legacy_otp_app_fields_are_refused_with_the_reason(client: wa.Client) -> None:
    button = {"type": "OTP", "otp_type": "ONE_TAP", "package_name": "com.x", "signature_hash": "K8a/AINcGX7"}
    with pytest.raises(wa.ValidationError, match="supported_apps") as caught:
        await client.templates.create("t", "en_US", "AUTHENTICATION", [AuthBody(), {"type": "BUTTONS",
                                                                                   "buttons": [button]}])
    assert caught.value.field == "components[1].buttons[0].package_name"


async def test_allow_category_change_is_gone(client: wa.Client) -> None:
    with pytest.raises(TypeError, match="allow_category_change"):
        await client.templates.create("t", "en_US", "UTILITY", [body()], allow_category_change=True)  # type: ignore[call-arg]


# --- ttl ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("category", "ttl", "ok"),
    [
        ("AUTHENTICATION", 30, True), ("AUTHENTICATION", 900, True), ("AUTHENTICATION", 29, False),
        ("AUTHENTICATION", 901, False), ("AUTHENTICATION", -1, True),
        ("UTILITY", 30, True), ("UTILITY", 43_200, True), ("UTILITY", 43_201, False), ("UTILITY", -1, True),
        ("MARKETING", 43_200, True), ("MARKETING", 2_592_000, True), ("MARKETING", 43_199, False),
        ("MARKETING", 2_592_001, False), ("MARKETING", -1, False),
        ("UTILITY", datetime.timedelta(hours=1), True), ("UTILITY", datetime.timedelta(seconds=1.5), False),
        ("UTILITY", "600", False), ("UTILITY", True, False), ("UTILITY", 600.0, False),
    ],
)  # fmt: skip
async def test_ttl_is_checked_against_the_category_range(client: wa.Client, category: str, ttl: Any,
                                                         ok: bool) -> None:  # fmt: skip
    components: list[Any] = [AuthBody(), OTP] if category == "AUTHENTICATION" else [body()]
    if ok:
        sent = await created(client, category, components, ttl=ttl)
        seconds = int(ttl.total_seconds()) if isinstance(ttl, datetime.timedelta) else ttl
        assert sent["message_send_ttl_seconds"] == seconds
    else:
        with aioresponses() as mock, pytest.raises(wa.ValidationError) as caught:
            await client.templates.create("t", "en_US", category, components, ttl=ttl)
        assert mock.requests == {} and caught.value.field == "ttl"


# --- edit and bulk delete --------------------------------------------------------------------------------------

TEMPLATE_ID = "594425479261596"
NODE = re.compile(rf"^{re.escape(BASE)}/v25\.0/{TEMPLATE_ID}(\?.*)?$")


def current(status: str = "APPROVED", category: str = "MARKETING") -> dict[str, Any]:
    return {"id": TEMPLATE_ID, "name": "sale", "language": "en_US", "status": status, "category": category}


async def edit(client: wa.Client, state: dict[str, Any], *args: Any, **kwargs: Any) -> tuple[Any, list[Any]]:
    """Edit against a template in ``state``; the result (or the error) and the requests sent."""
    with aioresponses() as mock:
        mock.get(NODE, payload=state, repeat=True)
        mock.post(NODE, payload={"success": True}, repeat=True)
        try:
            result: Any = await client.templates.edit(TEMPLATE_ID, *args, **kwargs)
        except wa.ValidationError as e:
            result = e
    calls = [(m, sent_json(c.kwargs["data"]) if m == "POST" else dict(URL(str(u)).query))
             for (m, u), cs in mock.requests.items() for c in cs]  # fmt: skip
    return result, calls


async def test_edit_fetches_the_template_then_posts_the_changes(client: wa.Client) -> None:
    result, calls = await edit(client, current(), [body("Now 30% off")], ttl=86_400)
    assert result is True
    assert calls == [
        ("GET", {"fields": "id,name,language,status,category"}),
        ("POST", {"components": [{"type": "BODY", "text": "Now 30% off"}], "message_send_ttl_seconds": 86_400}),
    ]


@pytest.mark.parametrize(
    ("state", "args", "kwargs", "field"),
    [
        (current(), (), {}, "components"),
        (current(), ([],), {}, "components"),
        (current("PENDING"), ([body()],), {}, "template_id"),
        (current("DISABLED"), ([body()],), {}, "template_id"),
        (current(), (), {"category": "UTILITY"}, "category"),
        (current(), (), {"category": "PROMO"}, "category"),
        (current(), (), {"ttl": 600}, "ttl"),  # a marketing template's range starts at 12 hours
        (current(category="UTILITY"), ([body("b" * 1025)],), {}, "components[0].text"),
        (current(category="AUTHENTICATION"), ([body()],), {}, "components"),
    ],
)  # fmt: skip
async def test_edit_rules_are_checked_before_the_edit(client: wa.Client, state: dict[str, Any],
                                                      args: tuple[Any, ...], kwargs: dict[str, Any],
                                                      field: str) -> None:  # fmt: skip
    result, calls = await edit(client, state, *args, **kwargs)
    assert isinstance(result, wa.ValidationError) and result.field == field, result
    assert all(method == "GET" for method, _ in calls)


async def test_a_rejected_template_may_change_category_and_be_edited_again_and_again(client: wa.Client) -> None:
    state = current("REJECTED", "MARKETING")
    for _ in range(3):
        result, calls = await edit(client, state, [body()], category="UTILITY", ttl=-1)
        assert result is True and calls[-1][1]["category"] == "UTILITY"


async def test_an_approved_template_is_edited_once_a_day_and_ten_times_a_month(clock: FakeClock) -> None:
    async with wa.Client.maton("1", api_key="k", base_url=BASE, waba_id=WABA, rate_limit=None,
                               clock=clock) as client:  # fmt: skip
        first = clock.now
        assert (await edit(client, current(), [body()]))[0] is True
        clock.now += 23 * 3600
        refused, calls = await edit(client, current(), [body()])
        assert isinstance(refused, wa.ValidationError) and refused.limit == 1 and "1.0 h" in str(refused)
        assert [m for m, _ in calls] == ["GET"]
        # Another template, or this one once rejected, is not held back.
        assert (await edit(client, current("PAUSED"), [body()]))[0] is True
        for _ in range(9):
            clock.now += 24 * 3600
            assert (await edit(client, current(), [body()]))[0] is True
        clock.now += 24 * 3600
        refused, _ = await edit(client, current(), [body()])
        assert isinstance(refused, wa.ValidationError) and refused.limit == 10
        clock.now = first + 30 * 24 * 3600 + 1  # the first edit leaves the 30 days
        assert (await edit(client, current(), [body()]))[0] is True


async def test_delete_many_sends_the_ids_as_one_json_array(client: wa.Client) -> None:
    with aioresponses() as mock:
        mock.delete(CREATE, payload={"success": True})
        assert await client.templates.delete_many(["1407680676729941", "1025290028877064"]) is True
    ((_, url),) = mock.requests
    assert dict(URL(str(url)).query) == {"hsm_ids": '["1407680676729941","1025290028877064"]'}


@pytest.mark.parametrize(
    ("ids", "limit"),
    [([], None), ("123", None), (["1", "1"], None), ([str(i) for i in range(101)], 100), (["a/b"], None)],
)
async def test_delete_many_is_checked(client: wa.Client, ids: Any, limit: int | None) -> None:
    with aioresponses() as mock, pytest.raises(wa.ValidationError) as caught:
        await client.templates.delete_many(ids)
    assert mock.requests == {} and caught.value.limit == limit


# --- created, then sent, against the emulator -------------------------------------------------------------------


@pytest.fixture
async def live() -> AsyncIterator[tuple[wa.Emulator, wa.Client]]:
    async with wa.Emulator(rate_limit=None) as emu:
        client = wa.Client.maton(emu.phone_number_id, api_key="k", base_url=emu.gateway_url, waba_id=emu.waba_id,
                                 rate_limit=None)  # fmt: skip
        async with client:
            yield emu, client


@pytest.mark.parametrize("otp", [
    OtpButton("COPY_CODE", text="Copy code"),
    OtpButton("ONE_TAP", text="Copy code", autofill_text="Autofill", supported_apps=[APP]),
    OtpButton("ZERO_TAP", supported_apps=[APP], zero_tap_terms_accepted=True),
])  # fmt: skip
async def test_otp_template_created_then_sent(live: tuple[wa.Emulator, wa.Client], otp: OtpButton) -> None:
    emu, client = live
    info = await client.templates.create("login_code", "en_US", "AUTHENTICATION", [
        AuthBody(add_security_recommendation=True), AuthFooter(code_expiration_minutes=10), otp,
    ], ttl=300)  # fmt: skip
    assert info.status == "APPROVED"
    stored = emu.templates.by_id(info.id)
    assert stored["message_send_ttl_seconds"] == 300
    code = "482913"
    wamid = await client.send(wa.Template("+1 650 555 1234", "login_code", "en_US",
                                          [wa.BodyParams([code]), wa.ButtonParams("otp", parameters=[code])]))
    (accepted,) = emu.accepted
    assert accepted.wamid == wamid and accepted.to == "16505551234"
    assert accepted.payload["template"]["components"][1] == {
        "type": "button", "sub_type": "url", "index": "0", "parameters": [{"type": "text", "text": code}]}
    with pytest.raises(wa.TemplateError):  # the code is the body's one parameter
        await client.send(wa.Template("16505551234", "login_code", "en_US"))


async def test_carousel_template_created_then_sent_through_the_marketing_messages_api(
    live: tuple[wa.Emulator, wa.Client],
) -> None:
    emu, client = live
    info = await client.templates.create("bean_carousel", "en_US", "MARKETING", [
        BodyText("Rare beans, {{1}}!", examples=["Pablo"]),
        TemplateCarousel([media_card("4::a", "BEANS15"), media_card("4::b", "GRIND15")]),
    ], ttl=datetime.timedelta(days=2))  # fmt: skip
    assert info.status == "APPROVED" and info.category == "MARKETING"

    def card(image: str, code: str) -> list[Any]:
        return [wa.HeaderParams([wa.ImageParam(link=f"https://shop.example/{image}.png")]), wa.BodyParams([code]),
                wa.ButtonParams("quick_reply", 0, ["MORE"]), wa.ButtonParams("url", 1, [image])]

    msg = wa.Template("16505551234", "bean_carousel", "en_US", [
        wa.BodyParams(["Ana"]), wa.CarouselParams([card("beans", "BEANS15"), card("grinder", "GRIND15")]),
    ], marketing=True)  # fmt: skip
    result = await client.send_result(msg)
    assert result.message_status == "accepted"
    (accepted,) = emu.accepted
    assert accepted.wamid == result.wamid
    carousel = accepted.payload["template"]["components"][1]
    assert [c["card_index"] for c in carousel["cards"]] == [0, 1]


async def test_cli_edit_and_delete_ids_against_the_emulator(
    live: tuple[wa.Emulator, wa.Client], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import asyncio

    from wa_async.cli import main as cli_main

    emu, client = live
    for name, value in (("WA_BASE_URL", emu.gateway_url), ("MATON_API_KEY", "k"), ("WA_WABA_ID", emu.waba_id),
                        ("WA_PHONE_NUMBER_ID", emu.phone_number_id)):  # fmt: skip
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("WA_ACCESS_TOKEN", raising=False)
    info = await client.templates.create("promo_a", "en_US", "MARKETING", [body()])
    other = await client.templates.create("promo_b", "en_US", "MARKETING", [body()])
    # The commands run their own event loops, so in threads; the emulator keeps serving on this one.
    assert await asyncio.to_thread(cli_main, ["templates", "edit", info.id, "--ttl", "86400", "--body", "New"]) == 0
    assert capsys.readouterr().out.strip() == "edited"
    stored = emu.templates.by_id(info.id)
    assert stored["message_send_ttl_seconds"] == 86_400 and stored["components"] == [{"type": "BODY", "text": "New"}]
    assert await asyncio.to_thread(cli_main, ["templates", "edit", info.id, "--ttl", "600"]) == 2
    assert "ttl: 600 seconds: a MARKETING template's time-to-live is 43200" in capsys.readouterr().err
    assert await asyncio.to_thread(cli_main, ["templates", "delete-ids", info.id, other.id]) == 0
    assert info.id not in emu.templates and other.id not in emu.templates
