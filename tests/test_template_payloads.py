"""Every documented template create and edit request, reproduced field for field with typed components.

The requests are Meta's: the ``request-template-create-*.json`` and ``request-template-edit-*.json`` payloads, and
the create and edit examples of Meta's OpenAPI file. Meta writes enum values in either case (``"body"``,
``"BODY"``, ``"utility"``); the client sends upper case, so those values are compared without case. Everything
else must match exactly.
"""

from __future__ import annotations

import copy
import functools
import json
import re
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
import yaml
from aioresponses import aioresponses

import wa_async as wa
from tests._data import PAYLOADS, SPEC, sent_json
from wa_async.resources import (
    AuthBody,
    AuthFooter,
    BodyText,
    FlowButton,
    FooterText,
    HeaderMedia,
    HeaderText,
    MpmButton,
    OtpButton,
    PhoneNumberButton,
    QuickReplyButton,
    RequestContactInfoButton,
    SupportedApp,
    UrlButton,
)

BASE = "https://gw.test/whatsapp-business"
WABA = "102290129340398"
TEMPLATE_ID = "594425479261596"
CREATE = re.compile(rf"^{re.escape(BASE)}/v25\.0/{WABA}/message_templates$")
NODE = re.compile(rf"^{re.escape(BASE)}/v25\.0/{TEMPLATE_ID}(\?.*)?$")
_ENUMS = frozenset({"type", "format", "category", "parameter_format", "otp_type"})


def caseless(value: Any) -> Any:
    """``value`` with the enum fields Meta writes in either case upper-cased."""
    if isinstance(value, dict):
        return {k: v.upper() if k in _ENUMS and isinstance(v, str) else caseless(v) for k, v in value.items()}
    if isinstance(value, list):
        return [caseless(v) for v in value]
    return value


@pytest.fixture
async def client() -> AsyncIterator[wa.Client]:
    async with wa.Client.maton("1", api_key="k", base_url=BASE, waba_id=WABA, rate_limit=None) as c:
        yield c


async def sent_create(client: wa.Client, *args: Any, **kwargs: Any) -> dict[str, Any]:
    with aioresponses() as mock:
        mock.post(CREATE, payload={"id": TEMPLATE_ID, "status": "PENDING", "category": "UTILITY"})
        await client.templates.create(*args, **kwargs)
    ((_, call),) = [(k, c) for k, cs in mock.requests.items() for c in cs]
    return sent_json(call.kwargs["data"])  # type: ignore[no-any-return]


async def sent_edit(client: wa.Client, current: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """What ``edit()`` posts for a template that is APPROVED as ``current``."""
    with aioresponses() as mock:
        mock.get(NODE, payload={"id": TEMPLATE_ID, "name": "x", "language": "en_US", "status": "APPROVED",
                                "category": current})  # fmt: skip
        mock.post(NODE, payload={"success": True})
        assert await client.templates.edit(TEMPLATE_ID, *args, **kwargs) is True
    (call,) = [c for (m, _), cs in mock.requests.items() for c in cs if m == "POST"]
    return sent_json(call.kwargs["data"])  # type: ignore[no-any-return]


# --- the payload files ---------------------------------------------------------------------------------------

Build = Callable[[wa.Client], Any]

PAYLOAD_FILES: dict[str, Build] = {
    "request-template-create-marketing-ttl.json": lambda c: sent_create(
        c, "flash_sale_48h", "en_US", "MARKETING", [
            BodyText("Flash sale! Use code {{1}} for {{2}} off until midnight tomorrow.", examples=["FLASH48", "30%"]),
            FooterText("Reply STOP to opt out"),
        ], ttl=172800),
    "request-template-create-named-params.json": lambda c: sent_create(
        c, "order_confirmation_named", "en_US", "utility", [
            BodyText("Thank you, {{first_name}}! Your order number is {{order_number}}.",
                     examples={"first_name": "Jamie", "order_number": "ORD-0001"}),
        ], parameter_format="named"),
    "request-template-create-request-contact-info.json": lambda c: sent_create(
        c, "share_phone_for_order_updates", "en_US", "utility", [
            BodyText("To receive delivery updates by SMS too, please share your phone number."),
            RequestContactInfoButton(),
        ]),
    "request-template-edit-components.json": lambda c: sent_edit(
        c, "UTILITY", [
            HeaderText("Your {{1}} order update", example="Example Store"),
            BodyText("Hi {{1}}, order {{2}} ships on {{3}}. Reply STOP to opt out of updates.",
                     examples=["Jamie", "A-1001", "March 3"]),
            FooterText("Example Store customer care"),
            UrlButton("Track order", "https://shop.example.com/track/{{1}}",
                      example="https://shop.example.com/track/A-1001"),
            QuickReplyButton("Talk to an agent"),
        ]),
}  # fmt: skip


async def test_every_create_and_edit_payload_has_a_typed_reproduction() -> None:
    files = {p.name for p in PAYLOADS.glob("request-template-create-*.json")}
    files |= {p.name for p in PAYLOADS.glob("request-template-edit-*.json")}
    assert files == set(PAYLOAD_FILES)


@pytest.mark.parametrize("name", sorted(PAYLOAD_FILES))
async def test_payload_reproduced_field_for_field(client: wa.Client, name: str) -> None:
    expected = json.loads((PAYLOADS / name).read_text())
    assert caseless(await PAYLOAD_FILES[name](client)) == caseless(expected)


# --- Meta's OpenAPI examples -----------------------------------------------------------------------------------


@functools.cache
def _spec() -> Any:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the file is 1 MB: libyaml when it is there
    with SPEC.open(encoding="utf-8") as f:
        return yaml.load(f, Loader=loader)


def spec_examples(path: str) -> dict[str, dict[str, Any]]:
    """The request examples of ``POST path`` in Meta's OpenAPI file (fresh copies)."""
    examples = _spec()["paths"][path]["post"]["requestBody"]["content"]["application/json"]["examples"]
    return {name: copy.deepcopy(example["value"]) for name, example in examples.items()}


FLOW_JSON = ('{"version":"5.0","screens":[{"id":"WELCOME_SCREEN","layout":{"type":"SingleColumnLayout","children":'
             '[{"type":"TextHeading","text":"Hello World"},{"type":"Footer","label":"Complete","on-click-action":'
             '{"name":"complete","payload":{}}}]},"title":"Welcome","terminal":true,"success":true,"data":{}}]}')
IMAGE_HANDLES = (
    "4::aW1hZ2UvanBn:ARYytyb0kLp5htbBB8vWlclG5M9gMBxiEyt4FNCvrueWBOmFmRAztEuNtPGUnEC22Etc_SAAVU0YJOk3B7A-JuR1241_"
    "nq7gfITFxXKdDGnfvw:e:1681000441:634974688087057:100089620928913:ARbB4l0IPRncfMF-1sE\n4::aW1hZ2UvanBn:ARZewDmbZuo"
    "q3rGUO1WgXjJEYcI1Tt7jr_Z6o2-oD5rg4--AQarBV_S1BYEcR8INJkctK0lNJmQ5v7PsBo-vqB-N0DSTe2-G6jHOlxKc12KSSg:e:1681000441"
    ":634974688087057:100089620928913:ARZQmT7tfO0sW--3oLo\n4::aW1hZ2UvanBn:ARZkcJXFoEMa0YMMd2WQT8aVMJFaUPlSYW9xXshyh1b"
    "P-Pd6JP4t2VbrZezqGOEfC-acYkRZA5Q31FX7dEE_hQ9a-0i-b-RaueQrWO6vWk-7bQ:e:1681000441:634974688087057:1000896209289"
    "13:ARYlgv7ErOQGsZYClfs"
)
DOCUMENT_HANDLE = (
    "4::YXBwbGljYXRpb24vcGRm:ARZVv4zuogJMxmAdS3_6T4o_K4ll2806avA7rWpikisTzYPsXXUeKk0REjS-hIM1rYrizHD7rQXj951TKgUFblg"
    "d_BDWVROCwRkg9Vhjj-cHNQ:e:1681237341:634974688087057:100089620928913:ARa1ZDhwbLZM3EENeeg"
)
ONE_TAP = [
    AuthBody(add_security_recommendation=True),
    AuthFooter(code_expiration_minutes=10),
    OtpButton("ONE_TAP", text="Copy Code", autofill_text="Autofill",
              supported_apps=[SupportedApp("com.example.luckyshrub", "K8a%2FAINcGX7")]),
]  # fmt: skip
# The examples name their templates "<TEMPLATE_NAME>", which Meta's own name rule ([a-z0-9_]+) refuses.
PLACEHOLDER_NAME = "template_name"


def flow(**target: str) -> list[Any]:
    return [BodyText("Check out this new offer"),
            FlowButton("Check out this offer!", navigate_screen=target.pop("screen"), flow_action="navigate",
                       **target)]  # fmt: skip


OPENAPI_CREATE: dict[str, tuple[str, str, str, list[Any]]] = {
    "Create Flow Template Message by Flow JSON": (
        PLACEHOLDER_NAME, "en_US", "MARKETING", flow(flow_json=FLOW_JSON, screen="WELCOME_SCREEN")),
    "Create Flow Template Message by ID": (
        PLACEHOLDER_NAME, "en_US", "MARKETING", flow(flow_id="{{Flow-ID}}", screen="<SCREEN_ID>")),
    "Create Flow Template Message by Name": (
        PLACEHOLDER_NAME, "en_US", "MARKETING", flow(flow_name="{{Flow-Name}}", screen="<SCREEN_ID>")),
    "Create authentication template w/ OTP copy code button": (
        "authentication_code_copy_code_button", "en_US", "AUTHENTICATION",
        [AuthBody(add_security_recommendation=True), AuthFooter(code_expiration_minutes=10),
         OtpButton("COPY_CODE", text="Copy Code")]),
    "Create authentication template w/ OTP one-tap autofill button": (
        "authentication_code_autofill_button", "en_US", "AUTHENTICATION", ONE_TAP),
    # Meta's file files a second copy of the one-tap example under this title.
    "Create catalog template": ("authentication_code_autofill_button", "en_US", "AUTHENTICATION", ONE_TAP),
    "Create multi-product message template": ("abandoned_cart", "en_US", "MARKETING", [
        HeaderText("Forget something {{1}}?", example="Pablo"),
        BodyText("Looks like you left some items in your cart! Use code {{1}} and you can get 10% off of all of "
                 "them!", examples=["10OFF"]),
        MpmButton("View items"),
    ]),
    "Create template w/ document header, text body, a phone number button, and a URL button": (
        "order_confirmation", "en_US", "UTILITY", [
            HeaderMedia("DOCUMENT", example_handle=DOCUMENT_HANDLE),
            BodyText("Thank you for your order, {{1}}! Your order number is {{2}}. Tap the PDF linked above to view "
                     "your receipt. If you have any questions, please use the buttons below to contact support. "
                     "Thanks again!", examples=["Mark", "860198-230332"]),
            PhoneNumberButton("Call", "16467043595"),
            UrlButton("Contact Support", "https://www.examplesite.com/support"),
        ]),
    "Create template w/ image header, text body, text footer, and 2 call-to-action buttons": (
        "limited_time_offer_tuscan_getaway_2023", "en_US", "MARKETING", [
            HeaderMedia("IMAGE", example_handle=IMAGE_HANDLES),
            BodyText("Hi {{1}}! For a limited time only you can get our {{2}} for as low as {{3}}. Tap the Offer "
                     "Details button for more information.", examples=["Mark", "Tuscan Getaway package", "800"]),
            FooterText("Offer valid until May 31, 2023"),
            PhoneNumberButton("Call", "16467043595"),
            UrlButton("Shop Now", "https://damp-sea-63235.herokuapp.com/shop?promo={{1}}", example="summer2023"),
        ]),
    "Create template w/ location header, text body, text footer, and a website buttons": (
        "order_delivery_update", "en_US", "UTILITY", [
            HeaderMedia("LOCATION"),
            BodyText("Good news {{1}}! Your order #{{2}} is on its way to the location above. Thank you for your "
                     "order!", examples=["Mark", "566701"]),
            FooterText("To stop receiving delivery updates, tap the button below."),
            QuickReplyButton("Stop Delivery Updates"),
        ]),
    "Create template w/ text header, text body, text footer, and 2 quick reply buttons": (
        "seasonal_promotion_text_only", "en", "MARKETING", [
            HeaderText("Our {{1}} is on!", example="Summer Sale"),
            BodyText("Shop now through {{1}} and use code {{2}} to get {{3}} off of all merchandise.",
                     examples=["the end of August", "25OFF", "25%"]),
            FooterText("Use the buttons below to manage your marketing subscriptions"),
            QuickReplyButton("Unsubcribe from Promos"),
            QuickReplyButton("Unsubscribe from All"),
        ]),
}  # fmt: skip


async def test_every_openapi_create_example_has_a_typed_reproduction() -> None:
    assert set(spec_examples("/{Version}/{WABA-ID}/message_templates")) == set(OPENAPI_CREATE)


def v21_apps(example: dict[str, Any]) -> dict[str, Any]:
    """The example as Graph API v21.0 and later take it: an OTP button's app moved into ``supported_apps``."""
    out = json.loads(json.dumps(example))
    for component in out["components"]:
        for button in component.get("buttons", []):
            if "package_name" in button:
                app = {"package_name": button.pop("package_name"), "signature_hash": button.pop("signature_hash")}
                button["supported_apps"] = [app]
    return out


@pytest.mark.parametrize("title", sorted(OPENAPI_CREATE))
async def test_openapi_create_example_reproduced(client: wa.Client, title: str) -> None:
    example = spec_examples("/{Version}/{WABA-ID}/message_templates")[title]
    if example["name"] == "<TEMPLATE_NAME>":
        example["name"] = PLACEHOLDER_NAME
    name, language, category, components = OPENAPI_CREATE[title]
    body = await sent_create(client, name, language, category, components)
    assert caseless(body) == caseless(v21_apps(example))


async def test_openapi_one_tap_example_as_written_is_refused_with_the_v21_reason(client: wa.Client) -> None:
    example = spec_examples("/{Version}/{WABA-ID}/message_templates")[
        "Create authentication template w/ OTP one-tap autofill button"]
    with aioresponses() as mock, pytest.raises(wa.ValidationError) as caught:
        await client.templates.create(example["name"], example["language"], example["category"],
                                      example["components"])  # fmt: skip
    assert mock.requests == {}
    assert caught.value.field == "components[2].buttons[0].package_name" and "v21.0" in str(caught.value)


async def test_openapi_edit_example_reproduced(client: wa.Client) -> None:
    (example,) = spec_examples("/{Version}/{TEMPLATE_ID}").values()
    body = await sent_edit(client, "MARKETING", [
        HeaderText("Fall Sale"),
        BodyText("Hi {{1}}, our Fall Sale is on! Use promo code {{2}} Get an extra 25% off every order above $350!",
                 examples=["Mark", "FALL25"]),
        FooterText("Not interested in any of our sales? Tap Stop Promotions"),
        QuickReplyButton("Stop promotions"),
    ], category="MARKETING")  # fmt: skip
    # The example repeats the template's name and language, which an edit cannot change (Meta's
    # template-management page: an edit takes category, components and message_send_ttl_seconds).
    del example["name"], example["language"]
    assert caseless(body) == caseless(example)
