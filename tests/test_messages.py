"""Outbound messages: Meta's example payloads, Meta's OpenAPI schema, and every documented limit."""

from __future__ import annotations

import copy
import inspect
import json
from collections.abc import Callable, Iterable, Iterator
from fnmatch import fnmatch
from typing import Any

import msgspec
import pytest
import yaml  # type: ignore[import-untyped]
from jsonschema import Draft202012Validator  # type: ignore[import-untyped]
from jsonschema.exceptions import ValidationError as SchemaError  # type: ignore[import-untyped]
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

import wa_async._messages as m
from tests._data import NOT_MESSAGE_SENDS, PAYLOADS, SPEC, message_send_payloads, payload
from wa_async._errors import ValidationError
from wa_async._messages import (
    ActionParam,
    Address,
    AddressRequest,
    Audio,
    BodyParams,
    ButtonParams,
    Buttons,
    CallPermissionRequest,
    Carousel,
    CarouselCard,
    CarouselParams,
    Catalog,
    Contact,
    ContactInfoRequest,
    Contacts,
    CtaUrl,
    Currency,
    DateTime,
    Document,
    DocumentParam,
    Email,
    Flow,
    Group,
    HeaderParams,
    Image,
    ImageParam,
    ListMessage,
    Location,
    LocationRequest,
    MarkRead,
    Message,
    Name,
    OrderAmount,
    OrderDetails,
    OrderItem,
    OrderStatus,
    Org,
    PayloadParam,
    Phone,
    Product,
    ProductCard,
    ProductList,
    ProductParam,
    ProductSection,
    Reaction,
    ReplyButton,
    Row,
    SavedAddress,
    Section,
    Sticker,
    Template,
    Text,
    TextParam,
    TtlParam,
    Url,
    Video,
    VideoParam,
    VoiceCall,
)
from wa_async._shortcuts import Shortcuts

TO = "16505551234"
LINK = "https://example.com/media/file.bin"
SPEC_URI = "urn:meta:business-messaging-api"


def decoded(msg: Message | MarkRead) -> Any:
    return msgspec.json.decode(msg.to_json())


# --- Meta's example payloads --------------------------------------------------------------------------------
#
# Each case builds our struct for one request-*.json and returns it with the file's JSON, edited only where the
# example cannot be sent as it stands. The edits, once for all:
# - "{{Recipient-Phone-Number}}" is a placeholder, and "+16505551234" is stored without its "+": ``to`` is TO.
# - "<http(s)://...>" links are placeholders, not URLs; template names such as "template-name" break Meta's own
#   name rule (^[a-z0-9_]+$, FACTS §4): we substitute valid values.
# - We always send "recipient_type": "individual" (BaseMessageProperties in the OpenAPI file requires it); the
#   contacts and flow-template examples leave it out.
# - A phone number goes out as its digits: "+15551234567" is sent as "15551234567".
# - A template button's index goes out as a string, as the OpenAPI file types it; some examples send a number.
# - A text message always sends preview_url (false by default); one BSUID example leaves it out.


def _to(expected: dict[str, Any]) -> dict[str, Any]:
    expected["to"] = TO
    expected.setdefault("recipient_type", "individual")
    return expected


def _digits(expected: dict[str, Any]) -> dict[str, Any]:
    if "to" in expected:
        expected["to"] = expected["to"].lstrip("+")
    return expected


def _string_indexes(components: list[dict[str, Any]]) -> None:
    for c in components:
        if c["type"] == "button" and "index" in c:
            c["index"] = str(c["index"])
        for card in c.get("cards", ()):
            _string_indexes(card["components"])


PHONE = "+15551234567"
BSUID = "US.1234567890123456789"
CATALOG = "1234567890555555"
WAMID = "wamid.HBgLMTU1NTEyMzQ1NjcVAgASGBQxMjM0NTY3ODkwQUJDREVGMDIzNAA="


def case_audio_by_id(e: dict[str, Any]) -> tuple[Message | MarkRead, Any]:
    return Audio(TO, id="<AUDIO_OBJECT_ID>"), _to(e)


def case_contacts(e: dict[str, Any]) -> tuple[Message | MarkRead, Any]:
    card = Contact(
        Name("John Smith", first_name="John", last_name="Smith", middle_name="D.", suffix="Jr", prefix="Dr"),
        phones=[Phone("+1 (940) 555-1234", "HOME"), Phone("+1 (650) 555-1234", "WORK", "16505551234")],
        emails=[Email("test@fb.com", "WORK"), Email("test@whatsapp.com", "HOME")],
        urls=[Url("https://www.facebook.com", "WORK"), Url("https://www.whatsapp.com", "HOME")],
        addresses=[
            Address("1 Hacker Way", "Menlo Park", "CA", "94025", "United States", "us", "HOME"),
            Address("200 Jefferson Dr", "Menlo Park", "CA", "94025", "United States", "us", "WORK"),
        ],
        org=Org("WhatsApp", "Design", "Manager"),
        birthday="2012-08-18",
    )
    return Contacts(TO, [card]), _to(e)


def case_contacts_raw(e: dict[str, Any]) -> tuple[Message | MarkRead, Any]:
    return Contacts(TO, e["contacts"]), _to(e)


def case_document_by_url(e: dict[str, Any]) -> tuple[Message | MarkRead, Any]:
    e["document"]["link"] = LINK
    return Document(TO, link=LINK, caption="<DOCUMENT-CAPTION-TEXT>"), _to(e)


def case_image_by_id(e: dict[str, Any]) -> tuple[Message | MarkRead, Any]:
    return Image(TO, id="<IMAGE_OBJECT_ID>"), _to(e)


def case_cta_url(e: dict[str, Any]) -> tuple[Message | MarkRead, Any]:
    msg = CtaUrl(
        "+16505551234",
        "Tap the button below to see available dates.",
        "See Dates",
        "https://www.luckyshrub.com?clickID=kqDGWd24Q5TRwoEQTICY7W1JKoXvaZOXWAS7h1P76s0R7Paec4",
        header=ImageParam(link="https://www.luckyshrub.com/assets/lucky-shrub-banner-logo-v1.png"),
        footer="Dates subject to change.",
    )
    return msg, _to(e)


def case_flow(e: dict[str, Any]) -> tuple[Message | MarkRead, Any]:
    msg = Flow(
        TO,
        "<BODY_TEXT>",
        "Open Flow!",
        flow_id="{{Flow-ID}}",
        flow_token="<FLOW_TOKEN>",
        screen="<SCREEN_ID>",
        data={"<CUSTOM_KEY>": "<CUSTOM_VALUE>"},
        header="<HEADER_TEXT>",
        footer="<FOOTER_TEXT>",
    )
    return msg, _to(e)


def case_list(e: dict[str, Any]) -> tuple[Message | MarkRead, Any]:
    msg = ListMessage(
        "+16505551234",
        "Which shipping option do you prefer?",
        "Shipping Options",
        [
            Section(
                "I want it ASAP!",
                [
                    Row("priority_express", "Priority Mail Express", "Next Day to 2 Days"),
                    Row("priority_mail", "Priority Mail", "1–3 Days"),
                ],
            ),
            Section(
                "I can wait a bit",
                [
                    Row("usps_ground_advantage", "USPS Ground Advantage", "2–5 Days"),
                    Row("media_mail", "Media Mail", "2–8 Days"),
                ],
            ),
        ],
        header="Choose Shipping Option",
        footer="Lucky Shrub: Your gateway to succulents™",
    )
    return msg, _to(e)


def case_reply_buttons(e: dict[str, Any]) -> tuple[Message | MarkRead, Any]:
    msg = Buttons(
        "+16505551234",
        "Hi Pablo! Your gardening workshop is scheduled for 9am tomorrow. Use the buttons if you need to "
        "reschedule. Thank you!",
        [ReplyButton("change-button", "Change"), ReplyButton("cancel-button", "Cancel")],
        header=ImageParam(id="2762702990552401"),
        footer="Lucky Shrub: Your gateway to succulents!™",
    )
    return msg, _to(e)


def case_location(e: dict[str, Any]) -> tuple[Message | MarkRead, Any]:
    msg = Location(TO, 37.758056, -122.425332, name="META HQ", address="1 Hacker Way, Menlo Park, CA 94025")
    return msg, _to(e)


def case_mark_as_read(e: dict[str, Any]) -> tuple[Message | MarkRead, Any]:
    return MarkRead("<WHATSAPP_MESSAGE_ID>"), e


def case_reaction(e: dict[str, Any]) -> tuple[Message | MarkRead, Any]:
    return Reaction(TO, "wamid.HBgLM...", "😀"), _to(e)


def case_sticker_by_id(e: dict[str, Any]) -> tuple[Message | MarkRead, Any]:
    return Sticker(TO, id="<MEDIA_OBJECT_ID>"), _to(e)


def case_template_catalog(e: dict[str, Any]) -> tuple[Message | MarkRead, Any]:
    msg = Template(
        "+16505551234",
        "intro_catalog_offer",
        "en_US",
        [
            BodyParams(["100", "400", "3"]),
            ButtonParams("CATALOG", 0, [ActionParam(thumbnail_product_retailer_id="2lc20305pt")]),
        ],
    )
    # This one example sends the button index as a number; we always send a string, as every other example
    # does and as the OpenAPI schema types it.
    e["template"]["components"][1]["index"] = "0"
    return msg, _to(e)


def case_template_flow(e: dict[str, Any]) -> tuple[Message | MarkRead, Any]:
    action = ActionParam(flow_token="<FLOW_TOKEN>", flow_action_data={"<CUSTOM_KEY>": "<CUSTOM_VALUE>"})
    msg = Template(TO, "flow_template", "en_US", [ButtonParams("flow", "0", [action])])
    e["template"]["name"] = "flow_template"
    return msg, _to(e)


_BODY_PARAMS = BodyParams(
    [
        "text-string",
        Currency("$100.99", "USD", 100990),
        DateTime(
            "February 25, 1977",
            day_of_week=5,
            year=1977,
            month=2,
            day_of_month=25,
            hour=15,
            minute=33,
            calendar="GREGORIAN",
        ),
    ]
)


def case_template_media_header(e: dict[str, Any]) -> tuple[Message | MarkRead, Any]:
    header = HeaderParams([ImageParam(link=LINK)])
    msg = Template(TO, "template_name", "language-and-locale-code", [header, _BODY_PARAMS])
    e["template"]["name"] = "template_name"
    e["template"]["components"][0]["parameters"][0]["image"]["link"] = LINK
    return msg, _to(e)


def case_template_quick_reply(e: dict[str, Any]) -> tuple[Message | MarkRead, Any]:
    components: list[Any] = [
        HeaderParams([ImageParam(link=LINK)]),
        _BODY_PARAMS,
        ButtonParams("quick_reply", "0", ["aGlzIHRoaXMgaXMgY29v"]),  # a str is the payload of a quick reply
        ButtonParams("quick_reply", 1, [PayloadParam("9rwnB8RbYmPF5t2Mn09x4h")]),
    ]
    msg = Template(TO, "template_name", "language-and-locale-code", components)
    e["template"]["name"] = "template_name"
    e["template"]["components"][0]["parameters"][0]["image"]["link"] = LINK
    return msg, _to(e)


def case_template_raw_components(e: dict[str, Any]) -> tuple[Message | MarkRead, Any]:
    e["template"]["name"] = "template_name"
    e["template"]["components"][0]["parameters"][0]["image"]["link"] = LINK
    msg = Template(TO, "template_name", "language-and-locale-code", copy.deepcopy(e["template"]["components"]))
    return msg, _to(e)


def case_template_text(e: dict[str, Any]) -> tuple[Message | MarkRead, Any]:
    msg = Template(TO, "template_name", "language-and-locale-code", [_BODY_PARAMS])
    e["template"]["name"] = "template_name"
    return msg, _to(e)


def case_text_preview_url(e: dict[str, Any]) -> tuple[Message | MarkRead, Any]:
    body = "As requested, here's the link to our latest product: https://www.meta.com/quest/quest-3/"
    return Text("+16505551234", body, preview_url=True), _to(e)


def case_text_reply(e: dict[str, Any]) -> tuple[Message | MarkRead, Any]:
    return Text(TO, "<TEXT_MSG_CONTENT>", reply_to="<MSGID_OF_PREV_MSG>"), _to(e)


def case_typing(e: dict[str, Any]) -> tuple[Message | MarkRead, Any]:
    return MarkRead("wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUYzMjEzNDM2RTZGQ0MzMDJBRgA=", typing=True), e


def case_video_by_url(e: dict[str, Any]) -> tuple[Message | MarkRead, Any]:
    e["video"]["link"] = LINK
    return Video(TO, link=LINK, caption="<VIDEO_CAPTION_TEXT>"), _to(e)


# --- Meta's 2026 examples: recipients, commerce, carousels, prompts, payments, templates ------------------------


def case_contacts_reply(e: dict[str, Any]) -> tuple[Message | MarkRead, Any]:
    card = Contact(
        Name("Example Coffee Support", first_name="Example", last_name="Support"),
        phones=[Phone("+1 555 000 1111", "WORK", "15550001111")],
        emails=[Email("support@example.com", "WORK")],
        urls=[Url("https://www.example.com", "WORK")],
        org=Org("Example Coffee Co.", "Customer care"),
    )
    return Contacts(PHONE, [card], reply_to=WAMID), _digits(e)


def case_address_request(e: dict[str, Any]) -> tuple[Message | MarkRead, Any]:
    saved = SavedAddress(
        "address1",
        {
            "name": "Jamie Example",
            "phone_number": "+15551234567",
            "in_pin_code": "400063",
            "floor_number": "8",
            "building_name": "Example Towers",
            "address": "Wing A, 1 Example Road",
            "landmark_area": "Goregaon",
            "city": "Mumbai",
        },
    )
    msg = AddressRequest(
        PHONE,
        "Thanks for your order! Where should we deliver it?",
        values={"name": "Jamie Example", "phone_number": "+15551234567"},
        saved_addresses=[saved],
    )
    return msg, _digits(e)


def case_call_permission_request(e: dict[str, Any]) -> tuple[Message | MarkRead, Any]:
    return CallPermissionRequest(BSUID, "May we call you about order #4711?"), e


def case_catalog(e: dict[str, Any]) -> tuple[Message | MarkRead, Any]:
    msg = Catalog(
        PHONE,
        "Browse our full range and order right here in the chat.",
        thumbnail_product_id="BEANS-ETH",
        footer="Free delivery over $30",
    )
    return msg, _digits(e)


def case_location_request(e: dict[str, Any]) -> tuple[Message | MarkRead, Any]:
    return LocationRequest(PHONE, "Where should we pick you up? Tap below to share your location."), _digits(e)


def case_media_carousel(e: dict[str, Any]) -> tuple[Message | MarkRead, Any]:
    cards = [
        CarouselCard(
            ImageParam(link="https://cdn.example.com/offers/beans.jpg"),
            "Shop now",
            "https://shop.example.com/offers/beans",
            body="Ethiopian beans, 20% off",
        ),
        CarouselCard(
            ImageParam(link="https://cdn.example.com/offers/grinder.jpg"),
            "Shop now",
            "https://shop.example.com/offers/grinder",
            body="Burr grinder, free shipping",
        ),
    ]
    return Carousel(PHONE, "This week's offers", cards), _digits(e)


def case_order_details(e: dict[str, Any]) -> tuple[Message | MarkRead, Any]:
    msg = OrderDetails(
        PHONE,
        "Here is your order summary. Tap to review and pay.",
        "order-2026-0001",
        "BRL",
        [OrderItem("Gift card R$50", OrderAmount(5000), 1, retailer_id="GIFT-50")],
        payment_settings=[
            {"type": "payment_link", "payment_link": {"uri": "https://pay.example.com/p/order-2026-0001"}}
        ],
        tax=OrderAmount(0, description="No tax"),
    )
    return msg, _digits(e)


def case_order_status(e: dict[str, Any]) -> tuple[Message | MarkRead, Any]:
    msg = OrderStatus(
        PHONE, "Your order is being prepared.", "order-2026-0001", "processing", description="Payment received"
    )
    return msg, _digits(e)


def case_product_carousel(e: dict[str, Any]) -> tuple[Message | MarkRead, Any]:
    cards = [ProductCard(CATALOG, "BEANS-ETH"), ProductCard(CATALOG, "GRINDER-01")]
    return Carousel(PHONE, "Featured products", cards), _digits(e)


def case_product_list(e: dict[str, Any]) -> tuple[Message | MarkRead, Any]:
    msg = ProductList(
        PHONE,
        CATALOG,
        "Our best sellers",
        "Pick anything you like and send us your cart.",
        [ProductSection("Coffee beans", ["BEANS-ETH", "BEANS-COL"]), ProductSection("Equipment", ["GRINDER-01"])],
        footer="Example Coffee Co.",
    )
    return msg, _digits(e)


def case_product(e: dict[str, Any]) -> tuple[Message | MarkRead, Any]:
    msg = Product(
        PHONE, CATALOG, "GRINDER-01", body="Here is the grinder you asked about.", footer="Example Coffee Co."
    )
    return msg, _digits(e)


def case_contact_info_request(e: dict[str, Any]) -> tuple[Message | MarkRead, Any]:
    return ContactInfoRequest(BSUID, "Please share your phone number so our courier can reach you."), e


def case_voice_call(e: dict[str, Any]) -> tuple[Message | MarkRead, Any]:
    msg = VoiceCall(
        PHONE,
        "Tap below to call our support team on WhatsApp.",
        display_text="Call support",
        ttl_minutes=1440,
        payload="ticket-4711",
    )
    return msg, _digits(e)


def case_marketing(e: dict[str, Any]) -> tuple[Message | MarkRead, Any]:
    msg = Template(
        PHONE,
        "spring_sale",
        "en_US",
        [BodyParams(["Jamie", "SPRING20"])],
        marketing=True,
        product_policy="STRICT",
        message_activity_sharing=True,
    )
    return msg, _digits(e)


def case_template_copy_code(e: dict[str, Any]) -> tuple[Message | MarkRead, Any]:
    components = [BodyParams(["25%"]), ButtonParams("copy_code", 0, ["WINTER2026SAVE25"])]
    msg = Template(PHONE, "coupon_winter_2026", "en_US", components, language_policy="deterministic")
    _string_indexes(e["template"]["components"])
    return msg, _digits(e)


def _media_card(image_id: str, name: str) -> list[HeaderParams | BodyParams | ButtonParams]:
    return [
        HeaderParams([ImageParam(id=image_id)]),
        BodyParams([name.capitalize()]),
        ButtonParams("quick_reply", 0, [f"MORE_LIKE_{name.upper()}"]),
        ButtonParams("url", 1, [name]),
    ]


def case_template_media_carousel(e: dict[str, Any]) -> tuple[Message | MarkRead, Any]:
    cards = CarouselParams([_media_card("1234567890666661", "ethiopia"), _media_card("1234567890666662", "colombia")])
    msg = Template(PHONE, "seasonal_carousel_v1", components=[BodyParams(["Jamie"]), cards])
    _string_indexes(e["template"]["components"])
    return msg, _digits(e)


def case_template_mpm(e: dict[str, Any]) -> tuple[Message | MarkRead, Any]:
    sections = [
        ProductSection("Still in your cart", ["BEANS-ETH", "GRINDER-01"]),
        ProductSection("You may also like", ["BEANS-COL"]),
    ]
    components = [
        HeaderParams(["Jamie"]),
        BodyParams(["CART10"]),
        ButtonParams("mpm", 0, [ActionParam(thumbnail_product_retailer_id="BEANS-ETH", sections=sections)]),
    ]
    msg = Template(PHONE, "abandoned_cart", components=components)
    _string_indexes(e["template"]["components"])
    return msg, _digits(e)


def case_template_named_params(e: dict[str, Any]) -> tuple[Message | MarkRead, Any]:
    body = BodyParams([TextParam("ORD-4711", name="order_number"), TextParam("Jamie", name="first_name")])
    return Template(PHONE, "order_confirmation_named", components=[body]), _digits(e)


def case_template_otp(e: dict[str, Any]) -> tuple[Message | MarkRead, Any]:
    components = [BodyParams(["482913"]), ButtonParams("otp", parameters=["482913"])]
    return Template(PHONE, "verification_code", components=components), _digits(e)


def case_template_product_carousel(e: dict[str, Any]) -> tuple[Message | MarkRead, Any]:
    cards = CarouselParams(
        [[HeaderParams([ProductParam(CATALOG, "BEANS-ETH")])], [HeaderParams([ProductParam(CATALOG, "GRINDER-01")])]]
    )
    return Template(PHONE, "product_carousel_v1", components=[BodyParams(["Jamie"]), cards]), _digits(e)


def case_template_voice_call(e: dict[str, Any]) -> tuple[Message | MarkRead, Any]:
    button = ButtonParams("voice_call", parameters=[TtlParam(1440), "ticket-4711"])  # a str is the payload
    return Template(PHONE, "call_us_now", components=[button]), _digits(e)


def case_text_to_bsuid(e: dict[str, Any]) -> tuple[Message | MarkRead, Any]:
    return Text(BSUID, "Your table for two is confirmed for 7pm."), e


def case_text_to_phone_and_bsuid(e: dict[str, Any]) -> tuple[Message | MarkRead, Any]:
    msg = Text(PHONE, "Both identifiers sent; the phone number (to) takes precedence.", user_id=BSUID)
    e["text"]["preview_url"] = False
    return msg, _digits(e)


Case = Callable[[dict[str, Any]], tuple[Message | MarkRead, Any]]
CASES: list[tuple[str, Case]] = [
    ("request-audio-by-id.json", case_audio_by_id),
    ("request-contacts.json", case_contacts),
    ("request-contacts.json", case_contacts_raw),
    ("request-document-by-url.json", case_document_by_url),
    ("request-image-by-id.json", case_image_by_id),
    ("request-interactive-cta-url.json", case_cta_url),
    ("request-interactive-flow-published-by-id.json", case_flow),
    ("request-interactive-list.json", case_list),
    ("request-interactive-reply-buttons.json", case_reply_buttons),
    ("request-location.json", case_location),
    ("request-mark-as-read.json", case_mark_as_read),
    ("request-reaction.json", case_reaction),
    ("request-sticker-by-id.json", case_sticker_by_id),
    ("request-template-catalog-button.json", case_template_catalog),
    ("request-template-flow-button.json", case_template_flow),
    ("request-template-media-header.json", case_template_media_header),
    ("request-template-quick-reply-buttons.json", case_template_quick_reply),
    ("request-template-quick-reply-buttons.json", case_template_raw_components),
    ("request-template-text-currency-datetime.json", case_template_text),
    ("request-text-preview-url.json", case_text_preview_url),
    ("request-text-reply-context.json", case_text_reply),
    ("request-typing-indicator-and-read.json", case_typing),
    ("request-video-by-url.json", case_video_by_url),
    ("request-contacts-reply-context.json", case_contacts_reply),
    ("request-interactive-address-message.json", case_address_request),
    ("request-interactive-call-permission-request.json", case_call_permission_request),
    ("request-interactive-catalog-message.json", case_catalog),
    ("request-interactive-location-request.json", case_location_request),
    ("request-interactive-media-carousel.json", case_media_carousel),
    ("request-interactive-order-details-br.json", case_order_details),
    ("request-interactive-order-status.json", case_order_status),
    ("request-interactive-product-carousel.json", case_product_carousel),
    ("request-interactive-product-list.json", case_product_list),
    ("request-interactive-product.json", case_product),
    ("request-interactive-request-contact-info.json", case_contact_info_request),
    ("request-interactive-voice-call.json", case_voice_call),
    ("request-marketing-message.json", case_marketing),
    ("request-template-copy-code.json", case_template_copy_code),
    ("request-template-media-carousel.json", case_template_media_carousel),
    ("request-template-mpm.json", case_template_mpm),
    ("request-template-named-params.json", case_template_named_params),
    ("request-template-otp-url-button.json", case_template_otp),
    ("request-template-product-carousel.json", case_template_product_carousel),
    ("request-template-voice-call.json", case_template_voice_call),
    ("request-text-to-bsuid.json", case_text_to_bsuid),
    ("request-text-to-phone-and-bsuid.json", case_text_to_phone_and_bsuid),
]
CASE_IDS = [f.__name__.removeprefix("case_") for _, f in CASES]


def test_every_message_send_payload_has_a_case() -> None:
    # Every request payload is a message send with a case here, or matches NOT_MESSAGE_SENDS (management
    # endpoints, tested with their resources): nothing is skipped silently.
    sends = {p.name for p in message_send_payloads()}
    assert sends, f"no payloads under {PAYLOADS}"
    assert sends == {name for name, _ in CASES}
    left = {p.name for p in PAYLOADS.glob("request-*.json")} - sends
    assert all(any(fnmatch(name, pattern) for pattern in NOT_MESSAGE_SENDS) for name in left)


def test_not_message_sends_names_only_other_endpoints() -> None:
    # The exclusions must not swallow a message type: none of them matches a message send's file name pattern.
    for pattern in NOT_MESSAGE_SENDS:
        assert not any(fnmatch(name, pattern) for name, _ in CASES), pattern


@pytest.mark.parametrize(("name", "case"), CASES, ids=CASE_IDS)
def test_matches_meta_example(name: str, case: Case) -> None:
    msg, expected = case(payload(name))
    assert decoded(msg) == expected


# --- Meta's OpenAPI schema ----------------------------------------------------------------------------------
#
# The messages request schema (POST /{Version}/{Phone-Number-ID}/messages -> components.schemas.Message) is
# broken in places: it rejects Meta's own examples. Each patch below repairs one fault, narrowly, and
# test_spec_rejects_meta_examples_without_patch proves the fault is real. Known and left alone:
# - MarkRead (read receipts, typing indicators) is not in the Message schema at all: it is checked against
#   Meta's example payloads only.
# - BodyObject caps every interactive body at 1024 characters, but list bodies may hold 4096 (FACTS §4); no
#   message validated here has a body over 1024.
# - jsonschema does not implement OpenAPI's `discriminator`; where the spec relies on one to type template
#   components and parameters, `_dispatch` turns its mapping into if/then so that they are checked at all.

Schemas = dict[str, Any]


def _patch_base_properties(s: Schemas) -> None:
    """Every *Message is allOf[BaseMessageProperties, {additionalProperties: false, properties: <its own>}], so
    the second part rejects the shared fields (messaging_product, to, ...) and biz_opaque_callback_data
    (FACTS §3.1), which the spec never declares."""
    shared = [*s["BaseMessageProperties"]["properties"], "biz_opaque_callback_data"]
    for name, schema in s.items():
        if name.endswith("Message") and "allOf" in schema:
            own = schema["allOf"][1]
            if own.get("additionalProperties") is False:
                for key in shared:
                    own["properties"].setdefault(key, True)


def _patch_location_numbers(s: Schemas) -> None:
    """latitude and longitude are typed string, but the spec's own examples (and Meta's pages) send numbers."""
    props = s["LocationMessage"]["allOf"][1]["properties"]["location"]["properties"]
    props["latitude"]["type"] = props["longitude"]["type"] = "number"


def _patch_language_policy(s: Schemas) -> None:
    """LanguageObject requires a `policy` that none of Meta's template examples sends."""
    s["LanguageObject"]["required"] = ["code"]


def _dispatch(s: Schemas, base: str) -> dict[str, Any]:
    disc = s[base]["discriminator"]
    prop = disc["propertyName"]
    rules: list[Any] = [{"$ref": f"#/components/schemas/{base}"}]
    for value, target in disc["mapping"].items():
        rules.append({"if": {"properties": {prop: {"const": value}}, "required": [prop]}, "then": {"$ref": target}})
    return {"allOf": rules}


def _patch_template_buttons(s: Schemas) -> None:
    """Template buttons: the index pattern ^[2-6, 11-14]$ rejects "0" and "1", used by every example; sub_type
    lacks "flow" and the "CATALOG" spelling of Meta's examples; button parameters lack "action" (flow, catalog)."""
    for name in ("TemplateComponent", "ButtonComponent"):
        props = s[name]["properties"] if "properties" in s[name] else s[name]["allOf"][1]["properties"]
        del props["index"]["pattern"]
        props["sub_type"]["enum"] += ["flow", "CATALOG"]
    s["ButtonParameterObject"]["properties"]["type"]["enum"].append("action")


def _wire_discriminators(s: Schemas) -> None:
    s["TemplateObject"]["properties"]["components"]["items"] = _dispatch(s, "TemplateComponent")
    for name in ("HeaderComponent", "BodyComponent"):
        s[name]["allOf"][1]["properties"]["parameters"]["items"] = _dispatch(s, "ParameterObject")
    s["ButtonComponent"]["allOf"][1]["properties"]["parameters"]["items"] = _dispatch(s, "ButtonParameterObject")


def _patch_cta_url(s: Schemas) -> None:
    """The spec has no cta_url interactive type (FACTS §3.2; Meta's interactive-cta-url page)."""
    s["InteractiveObject"]["properties"]["type"]["enum"].append("cta_url")
    s["ActionObject"]["oneOf"].append(
        {
            "required": ["name", "parameters"],
            "properties": {
                "name": {"enum": ["cta_url"]},
                "parameters": {
                    "type": "object",
                    "required": ["display_text", "url"],
                    "properties": {"display_text": {"type": "string", "maxLength": 20}, "url": {"type": "string"}},
                },
            },
        }
    )


def _patch_recipient(s: Schemas) -> None:
    """Sends to a business-scoped user ID carry `recipient` instead of `to` (Meta's business-scoped user IDs page);
    the spec (v23.0) requires `to` and knows no `recipient`, on /messages and on /marketing_messages."""
    base = s["BaseMessageProperties"]
    base["properties"]["recipient"] = {"type": "string"}
    base["required"] = [r for r in base["required"] if r != "to"]
    base["anyOf"] = [{"required": ["to"]}, {"required": ["recipient"]}]
    for name, schema in s.items():
        if name.endswith("Message") and "allOf" in schema:
            own = schema["allOf"][1]
            if own.get("additionalProperties") is False:
                own["properties"].setdefault("recipient", True)
    mm = s["MarketingMessageRequestPayload"]
    mm["properties"]["recipient"] = {"type": "string"}
    mm["required"] = [r for r in mm["required"] if r != "to"]
    mm["anyOf"] = [{"required": ["to"]}, {"required": ["recipient"]}]
    # biz_opaque_callback_data: the Marketing Messages API takes the Cloud API's template body (Meta's
    # send-marketing-messages page); the schema leaves the common field out.
    mm["properties"]["biz_opaque_callback_data"] = {"type": "string", "maxLength": 512}


_CARD = {
    "type": "object",
    "additionalProperties": False,
    "required": ["card_index", "type", "action"],
    "properties": {
        "card_index": {"type": "integer", "minimum": 0, "maximum": 9},
        "type": {"enum": ["cta_url", "product"]},
        "header": {"$ref": "#/components/schemas/HeaderObject"},
        "body": {"type": "object", "required": ["text"], "properties": {"text": {"type": "string", "maxLength": 160}}},
        "action": {"type": "object"},
    },
}


def _named(name: str, parameters: dict[str, Any] | None = None, required: tuple[str, ...] = ()) -> dict[str, Any]:
    branch: dict[str, Any] = {"required": ["name", *(["parameters"] if required else [])],
                              "properties": {"name": {"enum": [name]}}}  # fmt: skip
    if parameters is not None:
        branch["properties"]["parameters"] = {"type": "object", "required": list(required), "properties": parameters}
    return branch


def _patch_interactive_2026(s: Schemas) -> None:
    """The spec (v23.0) lacks the interactive types Meta's pages document since: location requests, carousels,
    call buttons, REQUEST_CONTACT_INFO, address messages, and the payments orders."""
    s["InteractiveObject"]["properties"]["type"]["enum"] += [
        "location_request_message", "carousel", "voice_call", "request_contact_info", "address_message",
        "order_details", "order_status",
    ]  # fmt: skip
    branches = s["ActionObject"]["oneOf"]

    def named(name: str) -> dict[str, Any]:
        return next(b for b in branches if b["properties"].get("name", {}).get("enum") == [name])

    named("call_permission_request")["properties"]["name"]["enum"] += ["send_location", "request_contact_info"]
    amount = {"type": "object", "required": ["value", "offset"],
              "properties": {"value": {"type": "integer", "minimum": 0}, "offset": {"const": 100}}}  # fmt: skip
    branches += [
        {
            "required": ["cards"],
            "properties": {"cards": {"type": "array", "minItems": 2, "maxItems": 10, "items": _CARD}},
        },
        _named(
            "voice_call",
            {
                "display_text": {"type": "string", "maxLength": 20},
                "ttl_minutes": {"type": "integer", "minimum": 1, "maximum": 43200},
                "payload": {"type": "string", "maxLength": 512},
            },
        ),
        _named(
            "address_message",
            {
                "country": {"enum": ["IN"]},
                "values": {"type": "object"},
                "saved_addresses": {"type": "array"},
                "validation_errors": {"type": "object"},
            },
            ("country",),
        ),
        _named(
            "review_and_pay",
            {
                "reference_id": {"type": "string", "maxLength": 60},
                "type": {"enum": ["digital-goods", "physical-goods"]},
                "currency": {"enum": ["INR", "BRL"]},
                "total_amount": amount,
                "order": {"type": "object", "required": ["status", "items", "subtotal", "tax"]},
            },
            ("reference_id", "type", "currency", "total_amount", "order"),
        ),
        _named(
            "review_order",
            {"reference_id": {"type": "string"}, "order": {"type": "object", "required": ["status"]}},
            ("reference_id", "order"),
        ),
    ]


def _patch_template_2026(s: Schemas) -> None:
    """Template sends the spec (v23.0) cannot express: copy_code, mpm, voice_call and order_details buttons,
    coupon_code and ttl_minutes button parameters, a voice_call button without an index (Meta's call-button page
    sends none), product headers and carousel components (Meta's template pages)."""
    component = s["TemplateComponent"]["properties"]
    component["type"]["enum"].append("carousel")
    for props in (component, s["ButtonComponent"]["allOf"][1]["properties"]):
        props["sub_type"]["enum"] += ["copy_code", "mpm", "voice_call", "order_details"]
    button = s["ButtonComponent"]["allOf"][1]
    button["required"] = ["sub_type", "parameters"]
    button["if"] = {"properties": {"sub_type": {"not": {"const": "voice_call"}}}}
    button["then"] = {"required": ["index"]}
    s["ButtonParameterObject"]["properties"]["type"]["enum"] += ["coupon_code", "ttl_minutes"]
    rules = s["ButtonComponent"]["allOf"][1]["properties"]["parameters"]["items"]["allOf"]
    for kind, value in (("coupon_code", {"type": "string", "maxLength": 20}),
                        ("ttl_minutes", {"type": "integer", "minimum": 1, "maximum": 43200})):  # fmt: skip
        rules.append({"if": {"properties": {"type": {"const": kind}}, "required": ["type"]},
                      "then": {"required": [kind], "properties": {kind: value}}})  # fmt: skip
    s["ParameterObject"]["properties"]["type"]["enum"].append("product")
    product = {"type": "object", "required": ["product_retailer_id", "catalog_id"],
               "properties": {"product_retailer_id": {"type": "string"}, "catalog_id": {"type": "string"}}}  # fmt: skip
    for name in ("HeaderComponent",):
        s[name]["allOf"][1]["properties"]["parameters"]["items"]["allOf"].append(
            {
                "if": {"properties": {"type": {"const": "product"}}, "required": ["type"]},
                "then": {"required": ["product"], "properties": {"product": product}},
            }
        )
    components = s["TemplateObject"]["properties"]["components"]["items"]
    card = {"type": "object", "additionalProperties": False, "required": ["card_index", "components"],
            "properties": {"card_index": {"type": "integer", "minimum": 0, "maximum": 9},
                           "components": {"type": "array", "items": copy.deepcopy(components)}}}  # fmt: skip
    components["allOf"].append(
        {
            "if": {"properties": {"type": {"const": "carousel"}}, "required": ["type"]},
            "then": {
                "required": ["cards"],
                "properties": {"cards": {"type": "array", "minItems": 2, "maxItems": 10, "items": card}},
            },
        }
    )


def _patch_catalog_parameters(s: Schemas) -> None:
    """The spec requires `parameters` on catalog_message; Meta's share-products page makes it optional (without
    it the catalog's first item is shown)."""
    branch = next(
        b for b in s["ActionObject"]["oneOf"] if b["properties"].get("name", {}).get("enum") == ["catalog_message"]
    )
    branch["required"] = ["name"]


def _catalog_without_thumbnail() -> Any:
    return decoded(Catalog(TO, "Browse our catalog"))


PATCHES: dict[str, tuple[Callable[[Schemas], None], str | Callable[[], Any], str]] = {
    # patch: (the fix, a Meta example the spec rejects without it, the spec's complaint)
    "base_properties": (
        _patch_base_properties,
        "request-text-reply-context.json",
        "'messaging_product', 'recipient_type', 'to' were unexpected",
    ),
    "location_numbers": (_patch_location_numbers, "request-location.json", "37.758056 is not of type 'string'"),
    "language_policy": (
        _patch_language_policy,
        "request-template-text-currency-datetime.json",
        "'policy' is a required property",
    ),
    "template_buttons": (
        _patch_template_buttons,
        "request-template-flow-button.json",
        "'0' does not match '^[2-6, 11-14]$'",
    ),
    "cta_url": (_patch_cta_url, "request-interactive-cta-url.json", "'cta_url' is not one of ['button',"),
    "recipient": (_patch_recipient, "request-text-to-bsuid.json", "'to' is a required property"),
    "interactive_2026": (
        _patch_interactive_2026,
        "request-interactive-location-request.json",
        "'location_request_message' is not one of",
    ),
    "catalog_parameters": (
        _patch_catalog_parameters,
        _catalog_without_thumbnail,
        "'parameters' is a required property",
    ),
    "template_2026": (_patch_template_2026, "request-template-copy-code.json", "'copy_code' is not one of"),
}


@pytest.fixture(scope="session")
def spec() -> Any:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the file is 1 MB: libyaml when it is there
    with SPEC.open(encoding="utf-8") as f:
        return yaml.load(f, Loader=loader)


def make_validator(spec: Any, skip: str | None = None, endpoint: str = "messages") -> Draft202012Validator:
    """A validator of the request body of ``POST /{Phone-Number-ID}/<endpoint>``, patched but for ``skip``."""
    doc = copy.deepcopy(spec)
    schemas = doc["components"]["schemas"]
    _wire_discriminators(schemas)
    skipped = PATCHES[skip][0] if skip is not None else None
    for patch in dict.fromkeys(p for p, _, _ in PATCHES.values()):  # each fix once, in order
        if patch is not skipped:
            patch(schemas)
    resource = Resource.from_contents(doc, default_specification=DRAFT202012)
    registry: Registry[Any] = Registry().with_resource(SPEC_URI, resource)
    request = doc["paths"][f"/{{Version}}/{{Phone-Number-ID}}/{endpoint}"]["post"]["requestBody"]
    ref = request["content"]["application/json"]["schema"]["$ref"]
    return Draft202012Validator({"$ref": f"{SPEC_URI}{ref}"}, registry=registry)


@pytest.fixture(scope="session")
def validators(spec: Any) -> dict[str, Draft202012Validator]:
    return {endpoint: make_validator(spec, endpoint=endpoint) for endpoint in ("messages", "marketing_messages")}


@pytest.fixture(scope="session")
def validator(validators: dict[str, Draft202012Validator]) -> Draft202012Validator:
    return validators["messages"]


def _meta_example(name: str | Callable[[], Any]) -> Any:
    if callable(name):
        return name()
    # Run through our own case so that placeholders are the only edits.
    case = dict(CASES)[name]
    return case(payload(name))[1]


def _causes(errors: Iterable[SchemaError]) -> Iterator[str]:
    for e in errors:
        yield e.message
        yield from _causes(e.context)


@pytest.mark.parametrize("patch", list(PATCHES))
def test_spec_rejects_meta_examples_without_patch(spec: Any, validator: Draft202012Validator, patch: str) -> None:
    _, name, complaint = PATCHES[patch]
    example = _meta_example(name)
    validator.validate(example)
    causes = list(_causes(make_validator(spec, skip=patch).iter_errors(example)))
    assert any(complaint in c for c in causes), causes


def extra_messages() -> Iterator[Message]:
    """Every option of every type, beyond Meta's examples."""
    yield Text(TO, "hi", callback_data="campaign-7")
    yield Image(TO, link=LINK, caption="c", reply_to="wamid.1", callback_data="x")
    yield Video(TO, id="123")
    yield Document(TO, id="123", caption="c", filename="report.pdf")
    yield Audio(TO, link=LINK, voice=True)
    yield Sticker(TO, link=LINK)
    yield Location(TO, 0, 0)
    yield Contacts(TO, [Contact("Ann Lee", phones=["+1 650 555 1234"], emails=["a@b.co"], urls=[LINK])])
    yield Reaction(TO, "wamid.1", "")
    yield Buttons(TO, "b", [ReplyButton("1", "One")], header="Head", footer="Foot", reply_to="wamid.1")
    yield Buttons(TO, "b", [ReplyButton("1", "One")], header=VideoParam(link=LINK))
    yield Buttons(TO, "b", [ReplyButton("1", "One")], header=DocumentParam(id="9", filename="a.pdf"))
    yield ListMessage(TO, "b", "Pick", [Section(None, [Row("a", "A")])])
    yield CtaUrl(TO, "b", "Open", LINK, header="Head")
    yield Flow(TO, "b", "Go", flow_name="signup", mode="draft", flow_action="data_exchange")
    yield Template(TO, "hello_world")
    yield Template(
        TO,
        "order_update",
        "pt_BR",
        [
            HeaderParams([TextParam("Order 7")]),
            BodyParams(["a", TextParam("b"), DateTime("today")]),
            ButtonParams("url", 0, ["track/7"]),
        ],
        callback_data="x",
    )
    yield Template(TO, "video_header", components=[HeaderParams([VideoParam(id="1")])])
    yield Template(TO, "document_header", components=[HeaderParams([DocumentParam(link=LINK, filename="a.pdf")])])
    # Recipients and the 2026 types, with the options Meta's examples leave out.
    yield Text(BSUID.replace("US.", "US.ENT."), "to a parent BSUID")
    yield Image(Group(GROUP), link=LINK, caption="to a group")
    yield Template(Group(GROUP), "hello_world")
    yield Contacts(TO, [Contact("Ann")], reply_to="wamid.1", callback_data="x")
    yield Product(TO, CATALOG, "SKU-1")
    yield ProductList(TO, CATALOG, "Menu", "Pick", [ProductSection(None, ["SKU-1"])], reply_to="wamid.1")
    yield Catalog(TO, "Browse our catalog")
    yield Carousel(TO, "Videos", [CarouselCard(VideoParam(link=LINK), "Watch", LINK)] * 2)
    yield CallPermissionRequest(TO)
    yield VoiceCall(TO, "Call us")
    yield AddressRequest(TO, "Where to?", validation_errors={"in_pin_code": "We could not locate this pin code."})
    yield OrderDetails(
        TO, "Pay", "ref.1", "INR",
        [OrderItem("Bread", OrderAmount(10000), 2, sale_amount=OrderAmount(9000),
                   country_of_origin="India", importer_name="Importer", importer_address={"city": "Delhi"})],
        payment_settings=[{"type": "payment_gateway", "payment_gateway": {"type": "payu", "configuration_name": "c"}}],
        goods_type="physical-goods", tax=OrderAmount(1000, description="GST"),
        shipping=OrderAmount(500), discount=OrderAmount(700, discount_program_name="Diwali"),
        catalog_id=CATALOG, expiration_timestamp=1_900_000_000, expiration_description="Expires tonight",
        header=ImageParam(link=LINK), footer="Thanks",
    )  # fmt: skip
    yield OrderStatus(TO, "Paid", "ref.1", "completed", payment_status="captured", payment_timestamp=1_900_000_000)
    yield Template(TO, "named_header", components=[HeaderParams([TextParam("Ann", name="first_name")])])
    yield Template(TO, "voice", components=[ButtonParams("voice_call", 0, [PayloadParam("p")])])
    yield Template(TO, "otp", components=[BodyParams(["123456"]), ButtonParams("otp", 0, [TextParam("123456")])])
    yield Template(TO, "promo", marketing=True)
    yield Template(BSUID, "promo", marketing=True, product_policy="CLOUD_API_FALLBACK", callback_data="x")


GROUP = "Y2FwaV9ncm91cDoxNTU1MDAwMTExMToxMjM0NTY3ODkwMTIzNDU2Nzg5MAZDZD"
ALL = [c for c in CASES if c[0] not in ("request-mark-as-read.json", "request-typing-indicator-and-read.json")]


@pytest.mark.parametrize(("name", "case"), ALL, ids=[f.__name__.removeprefix("case_") for _, f in ALL])
def test_meta_example_messages_match_schema(validators: dict[str, Draft202012Validator], name: str, case: Case) -> None:
    msg, _ = case(payload(name))
    validators[msg.endpoint].validate(decoded(msg))


@pytest.mark.parametrize("msg", list(extra_messages()), ids=lambda msg: type(msg).__name__)
def test_messages_match_schema(validators: dict[str, Draft202012Validator], msg: Message) -> None:
    validators[msg.endpoint].validate(decoded(msg))


def test_schema_catches_a_bad_message(validator: Draft202012Validator) -> None:
    # The patched schema still has teeth: a fourth button and an unknown key are both rejected.
    wire = decoded(Buttons(TO, "b", [ReplyButton("1", "One")]))
    wire["interactive"]["action"]["buttons"] *= 4
    with pytest.raises(SchemaError):
        validator.validate(wire)
    wire = decoded(Text(TO, "hi"))
    wire["text"]["colour"] = "red"
    with pytest.raises(SchemaError):
        validator.validate(wire)
    wire = decoded(Template(TO, "t", components=[BodyParams([Currency("$1", "USD", 1000)])]))
    del wire["template"]["components"][0]["parameters"][0]["currency"]["amount_1000"]
    with pytest.raises(SchemaError):
        validator.validate(wire)


# --- shape of the API ---------------------------------------------------------------------------------------


def test_all_is_sorted_and_complete() -> None:
    assert m.__all__ == sorted(m.__all__)
    assert set(m.__all__) == {n for n in dir(m) if not n.startswith("_") and isinstance(getattr(m, n), type)}


SIGNATURES: dict[type[Message], str] = {
    Text: "to, body, preview_url=False, reply_to=None",
    Template: "to, name, language='en_US', components=()",
    Image: "to, link=None, id=None, caption=None, reply_to=None",
    Video: "to, link=None, id=None, caption=None, reply_to=None",
    Document: "to, link=None, id=None, caption=None, filename=None, reply_to=None",
    Audio: "to, link=None, id=None, reply_to=None, voice=False",
    Sticker: "to, link=None, id=None, reply_to=None",
    Location: "to, latitude, longitude, name=None, address=None, reply_to=None",
    Contacts: "to, contacts, reply_to=None",
    Buttons: "to, body, buttons, header=None, footer=None, reply_to=None",
    ListMessage: "to, body, button, sections, header=None, footer=None, reply_to=None",
    CtaUrl: "to, body, display_text, url, header=None, footer=None, reply_to=None",
    Reaction: "to, message_id, emoji",
    Product: "to, catalog_id, product_id, body=None, footer=None, reply_to=None",
    ProductList: "to, catalog_id, header, body, sections, footer=None, reply_to=None",
    Catalog: "to, body, thumbnail_product_id=None, footer=None, reply_to=None",
    Carousel: "to, body, cards, reply_to=None",
    LocationRequest: "to, body, reply_to=None",
    CallPermissionRequest: "to, body=None, reply_to=None",
    ContactInfoRequest: "to, body, reply_to=None",
    VoiceCall: "to, body, display_text=None, ttl_minutes=None, payload=None, reply_to=None",
    AddressRequest: "to, body, values=None, saved_addresses=(), validation_errors=None, country='IN', footer=None, "
    "reply_to=None",
    OrderDetails: "to, body, reference_id, currency, items, payment_settings=(), goods_type='digital-goods', "
    "tax=OrderAmount(value=0, offset=100, description=None, discount_program_name=None), shipping=None, "
    "discount=None, catalog_id=None, expiration_timestamp=None, expiration_description=None, header=None, "
    "footer=None, reply_to=None",
    OrderStatus: "to, body, reference_id, status, description=None, payment_status=None, payment_timestamp=None, "
    "footer=None, reply_to=None",
}


@pytest.mark.parametrize("cls", list(SIGNATURES), ids=lambda c: c.__name__)
def test_positional_order(cls: type[Message]) -> None:
    params = inspect.signature(cls).parameters.values()
    positional = [p for p in params if p.kind is p.POSITIONAL_OR_KEYWORD]
    shown = ", ".join(p.name if p.default is p.empty else f"{p.name}={p.default!r}" for p in positional)
    assert shown == SIGNATURES[cls]
    keyword_only = [p.name for p in params if p.kind is p.KEYWORD_ONLY]
    options = ["language_policy", "marketing", "product_policy", "message_activity_sharing"] if cls is Template else []
    assert keyword_only == ["callback_data", "user_id", *options]


def test_class_attributes() -> None:
    types = {cls: cls.type for cls in SIGNATURES}
    assert types[Text] == "text" and types[Buttons] == types[CtaUrl] == types[ListMessage] == "interactive"
    assert Flow.type == "interactive" and Contacts.type == "contacts" and Template.type == "template"
    assert [cls for cls in SIGNATURES if not cls.free_form] == [Template]
    assert {cls for cls in SIGNATURES if cls.type == "interactive"} >= {Product, Carousel, VoiceCall, OrderDetails}
    assert MarkRead.free_form is False
    assert MarkRead("wamid.1").endpoint == "messages"
    assert all(cls.endpoint.fget is not None for cls in SIGNATURES)  # type: ignore[attr-defined]
    assert "callback_data" not in MarkRead.__struct_fields__


def test_messages_are_frozen_values() -> None:
    a = Text("+16505551234", "hi")
    assert a == Text(TO, "hi") and hash(a) == hash(Text(TO, "hi"))
    with pytest.raises(AttributeError):
        a.body = "x" * 5000  # type: ignore[misc]


def test_sequences_are_frozen_after_validation() -> None:
    buttons = [ReplyButton("1", "One")]
    msg = Buttons(TO, "b", buttons)
    buttons.append(ReplyButton("2", "Two"))
    assert len(msg.buttons) == 1


def test_key_order() -> None:
    wire = Text(TO, "hi", reply_to="wamid.1", callback_data="cb").to_json()
    assert wire == (
        b'{"messaging_product":"whatsapp","recipient_type":"individual","to":"16505551234","type":"text",'
        b'"text":{"body":"hi","preview_url":false},"context":{"message_id":"wamid.1"},'
        b'"biz_opaque_callback_data":"cb"}'
    )


def test_callback_data_and_reply_to_everywhere() -> None:
    for msg in extra_messages():
        wire = decoded(msg)
        assert wire.get("biz_opaque_callback_data") == msg.callback_data
        assert wire.get("context") == (
            {"message_id": getattr(msg, "reply_to", None)} if getattr(msg, "reply_to", None) is not None else None
        )


def test_mark_read() -> None:
    assert decoded(MarkRead("wamid.1")) == {"messaging_product": "whatsapp", "status": "read", "message_id": "wamid.1"}
    assert decoded(MarkRead("wamid.1", typing=True))["typing_indicator"] == {"type": "text"}
    with pytest.raises(ValidationError) as e:
        MarkRead("")
    assert e.value.field == "message_id"


# --- validation ---------------------------------------------------------------------------------------------


def long(n: int) -> str:
    return "x" * n


def ids(n: int) -> list[str]:
    return [f"r{i}" for i in range(n)]


# (name, build(n), limit, the field the error names). Each: n = limit - 1 and n = limit pass, limit + 1 fails.
LIMITS: list[tuple[str, Callable[[int], object], int, str]] = [
    ("text body", lambda n: Text(TO, long(n)), 4096, "body"),
    ("image caption", lambda n: Image(TO, id="1", caption=long(n)), 1024, "caption"),
    ("video caption", lambda n: Video(TO, id="1", caption=long(n)), 1024, "caption"),
    ("document caption", lambda n: Document(TO, id="1", caption=long(n)), 1024, "caption"),
    ("callback_data", lambda n: Text(TO, "hi", callback_data=long(n)), 512, "callback_data"),
    ("template callback_data", lambda n: Template(TO, "t", callback_data=long(n)), 512, "callback_data"),
    ("to digits", lambda n: Text("+" + "1" * n, "hi"), 15, "to"),
    ("buttons body", lambda n: Buttons(TO, long(n), [ReplyButton("1", "One")]), 1024, "body"),
    (
        "buttons count",
        lambda n: Buttons(TO, "b", [ReplyButton(str(i), f"T{i}") for i in range(n)]),
        3,
        "buttons",
    ),
    ("button title", lambda n: Buttons(TO, "b", [ReplyButton("1", long(n))]), 20, "buttons[0].title"),
    (
        "button id",
        lambda n: Buttons(TO, "b", [ReplyButton("0", "A"), ReplyButton(long(n), "B")]),
        256,
        "buttons[1].id",
    ),
    ("buttons header", lambda n: Buttons(TO, "b", [ReplyButton("1", "A")], header=long(n)), 60, "header"),
    ("buttons footer", lambda n: Buttons(TO, "b", [ReplyButton("1", "A")], footer=long(n)), 60, "footer"),
    ("list body", lambda n: ListMessage(TO, long(n), "Pick", [Section(None, [Row("a", "A")])]), 4096, "body"),
    ("list button", lambda n: ListMessage(TO, "b", long(n), [Section(None, [Row("a", "A")])]), 20, "button"),
    (
        "list header",
        lambda n: ListMessage(TO, "b", "P", [Section(None, [Row("a", "A")])], header=long(n)),
        60,
        "header",
    ),
    (
        "list footer",
        lambda n: ListMessage(TO, "b", "P", [Section(None, [Row("a", "A")])], footer=long(n)),
        60,
        "footer",
    ),
    (
        "list sections",
        lambda n: ListMessage(TO, "b", "P", [Section(f"S{i}", [Row(f"r{i}", "A")]) for i in range(n)]),
        10,
        "sections",
    ),
    (
        "section title",
        lambda n: ListMessage(TO, "b", "P", [Section("S", [Row("a", "A")]), Section(long(n), [Row("b", "B")])]),
        24,
        "sections[1].title",
    ),
    (
        "rows in all",
        lambda n: ListMessage(
            TO, "b", "P", [Section("S", [Row(i, "A") for i in ids(n - 1)]), Section("T", [Row("last", "B")])]
        ),
        10,
        "sections",
    ),
    (
        "row id",
        lambda n: ListMessage(TO, "b", "P", [Section(None, [Row("a", "A"), Row("b", "B"), Row(long(n), "C")])]),
        200,
        "sections[0].rows[2].id",
    ),
    (
        "row title",
        lambda n: ListMessage(TO, "b", "P", [Section(None, [Row("a", "A"), Row("b", "B"), Row("c", long(n))])]),
        24,
        "sections[0].rows[2].title",
    ),
    (
        "row description",
        lambda n: ListMessage(TO, "b", "P", [Section(None, [Row("a", "A", long(n))])]),
        72,
        "sections[0].rows[0].description",
    ),
    ("cta body", lambda n: CtaUrl(TO, long(n), "Open", LINK), 1024, "body"),
    ("cta display_text", lambda n: CtaUrl(TO, "b", long(n), LINK), 20, "display_text"),
    ("cta header", lambda n: CtaUrl(TO, "b", "Open", LINK, header=long(n)), 60, "header"),
    ("cta footer", lambda n: CtaUrl(TO, "b", "Open", LINK, footer=long(n)), 60, "footer"),
    ("template name", lambda n: Template(TO, long(n)), 512, "name"),
    (
        "template header text",
        lambda n: Template(TO, "t", components=[HeaderParams([long(n)])]),
        60,
        "components[0].parameters[0]",
    ),
    (
        "template header TextParam",
        lambda n: Template(TO, "t", components=[BodyParams(["a"]), HeaderParams([TextParam(long(n))])]),
        60,
        "components[1].parameters[0].text",
    ),
    (
        "template button index",
        lambda n: Template(TO, "t", components=[ButtonParams("url", n, ["x"])]),
        9,
        "components[0].index",
    ),
    ("flow cta", lambda n: Flow(TO, "b", long(n), flow_id="1"), 30, "flow_cta"),
    ("flow body", lambda n: Flow(TO, long(n), "Go", flow_id="1"), 1024, "body"),
    ("contacts", lambda n: Contacts(TO, [Contact("A")] * n), 257, "contacts"),
    ("bsuid", lambda n: Text("US." + "1" * n, "hi"), 256, "to"),
    ("product body", lambda n: Product(TO, "c", "p", body=long(n)), 1024, "body"),
    ("product footer", lambda n: Product(TO, "c", "p", footer=long(n)), 60, "footer"),
    ("product list header", lambda n: ProductList(TO, "c", long(n), "b", [ProductSection(None, ["p"])]), 60, "header"),
    ("product list body", lambda n: ProductList(TO, "c", "h", long(n), [ProductSection(None, ["p"])]), 1024, "body"),
    (
        "product list sections",
        lambda n: ProductList(TO, "c", "h", "b", [ProductSection(f"S{i}", ["p"]) for i in range(n)]),
        10,
        "sections",
    ),
    (
        "product list products in all",
        lambda n: ProductList(TO, "c", "h", "b", [ProductSection("A", ["p"] * (n - 1)), ProductSection("B", ["q"])]),
        30,
        "sections",
    ),
    (
        "product section title",
        lambda n: ProductList(TO, "c", "h", "b", [ProductSection(long(n), ["p"])]),
        24,
        "sections[0].title",
    ),
    ("catalog body", lambda n: Catalog(TO, long(n)), 1024, "body"),
    ("catalog footer", lambda n: Catalog(TO, "b", footer=long(n)), 60, "footer"),
    ("carousel body", lambda n: Carousel(TO, long(n), [ProductCard("c", "p")] * 2), 1024, "body"),
    ("carousel cards", lambda n: Carousel(TO, "b", [ProductCard("c", "p")] * n), 10, "cards"),
    (
        "carousel card body",
        lambda n: Carousel(TO, "b", [CarouselCard(ImageParam(link=LINK), "Go", LINK, body=long(n))] * 2),
        160,
        "cards[0].body",
    ),
    (
        "carousel card button",
        lambda n: Carousel(TO, "b", [CarouselCard(ImageParam(link=LINK), long(n), LINK)] * 2),
        20,
        "cards[0].display_text",
    ),
    ("location request body", lambda n: LocationRequest(TO, long(n)), 1024, "body"),
    ("call permission body", lambda n: CallPermissionRequest(TO, long(n)), 1024, "body"),
    ("contact info body", lambda n: ContactInfoRequest(TO, long(n)), 1024, "body"),
    ("voice call body", lambda n: VoiceCall(TO, long(n)), 1024, "body"),
    ("voice call display_text", lambda n: VoiceCall(TO, "b", display_text=long(n)), 20, "display_text"),
    ("voice call ttl", lambda n: VoiceCall(TO, "b", ttl_minutes=n), 43200, "ttl_minutes"),
    ("voice call payload", lambda n: VoiceCall(TO, "b", payload=long(n)), 512, "payload"),
    ("address body", lambda n: AddressRequest(TO, long(n)), 1024, "body"),
    ("address pin code", lambda n: AddressRequest(TO, "b", values={"in_pin_code": "4" * n}), 6, "values.in_pin_code"),
    ("order body", lambda n: _order(body=long(n)), 1024, "body"),
    ("order reference id INR", lambda n: _order(reference_id="r" * n), 35, "reference_id"),
    ("order reference id BRL", lambda n: _order(reference_id="r" * n, currency="BRL"), 60, "reference_id"),
    ("order item name", lambda n: _order(items=[OrderItem(long(n), OrderAmount(100), 1)]), 60, "items[0].name"),
    ("order tax description", lambda n: _order(tax=OrderAmount(0, description=long(n))), 60, "tax.description"),
    (
        "order discount program",
        lambda n: _order(discount=OrderAmount(1, discount_program_name=long(n))),
        60,
        "discount.discount_program_name",
    ),
    (
        "order expiration description",
        lambda n: _order(expiration_timestamp=1_900_000_000, expiration_description=long(n)),
        120,
        "expiration_description",
    ),
    ("order status description", lambda n: OrderStatus(TO, "b", "r", "shipped", description=long(n)), 120,
     "description"),
    ("coupon code", lambda n: Template(TO, "t", components=[ButtonParams("copy_code", 0, ["C" * n])]), 20,
     "components[0].parameters[0].coupon_code"),
    ("otp code", lambda n: Template(TO, "t", components=[ButtonParams("otp", 0, ["1" * n])]), 15,
     "components[0].parameters[0]"),
    ("template ttl", lambda n: Template(TO, "t", components=[ButtonParams("voice_call", parameters=[TtlParam(n)])]),
     43200, "components[0].parameters[0].ttl_minutes"),
    ("template call payload",
     lambda n: Template(TO, "t", components=[ButtonParams("voice_call", parameters=[long(n)])]), 512,
     "components[0].parameters[0]"),
    ("template carousel cards", lambda n: Template(TO, "t", components=[CarouselParams([_card()] * n)]), 10,
     "components[0].cards"),
    ("mpm sections", lambda n: Template(TO, "t", components=[_mpm([ProductSection(f"S{i}", ["p"]) for i in range(n)])]),
     10, "components[0].parameters[0].sections"),
    ("mpm products", lambda n: Template(TO, "t", components=[_mpm([ProductSection(None, ["p"] * n)])]), 30,
     "components[0].parameters[0].sections"),
]  # fmt: skip


def _order(**kwargs: Any) -> OrderDetails:
    values: dict[str, Any] = {
        "to": TO, "body": "Pay", "reference_id": "ref-1", "currency": "INR",
        "items": [OrderItem("Bread", OrderAmount(10000), 1)],
    }  # fmt: skip
    return OrderDetails(**(values | kwargs))


def _card() -> list[HeaderParams | BodyParams | ButtonParams]:
    return [HeaderParams([ImageParam(id="1")]), ButtonParams("quick_reply", 0, ["more"])]


def _mpm(sections: list[ProductSection]) -> ButtonParams:
    return ButtonParams("mpm", 0, [ActionParam(thumbnail_product_retailer_id="p", sections=sections)])


@pytest.mark.parametrize(("build", "limit", "field"), [c[1:] for c in LIMITS], ids=[c[0] for c in LIMITS])
def test_limit(build: Callable[[int], object], limit: int, field: str) -> None:
    build(limit - 1)
    build(limit)
    with pytest.raises(ValidationError) as e:
        build(limit + 1)
    assert e.value.field == field
    assert e.value.limit == limit
    assert str(limit) in str(e.value) and str(e.value).startswith(f"{field}: ")


def test_error_message_names_size_and_limit() -> None:
    with pytest.raises(ValidationError) as e:
        Text(TO, long(4100))
    assert str(e.value) == "body: 4100 characters, the limit is 4096"


# (name, build(value), below, at, above, field): a lower bound, or a numeric range
MINIMUMS: list[tuple[str, Callable[[Any], object], Any, Any, str]] = [
    # name, build, the smallest value that passes, the largest that fails, field
    ("text body", lambda n: Text(TO, long(n)), 1, 0, "body"),
    ("to digits", lambda n: Text("1" * n, "hi"), 7, 6, "to"),
    ("buttons", lambda n: Buttons(TO, "b", [ReplyButton(str(i), f"T{i}") for i in range(n)]), 1, 0, "buttons"),
    (
        "sections",
        lambda n: ListMessage(TO, "b", "P", [Section(None, [Row(f"r{i}", "A")]) for i in range(n)]),
        1,
        0,
        "sections",
    ),
    (
        "rows",
        lambda n: ListMessage(TO, "b", "P", [Section(None, [Row(i, "A") for i in ids(n)])]),
        1,
        0,
        "sections[0].rows",
    ),
    ("contacts", lambda n: Contacts(TO, [Contact("A")] * n), 1, 0, "contacts"),
    ("button title", lambda n: Buttons(TO, "b", [ReplyButton("1", long(n))]), 1, 0, "buttons[0].title"),
    ("latitude", lambda x: Location(TO, x, 0), -90, -90.000001, "latitude"),
    ("latitude max", lambda x: Location(TO, -x, 0), -90, -90.000001, "latitude"),
    ("longitude", lambda x: Location(TO, 0, x), -180, -180.000001, "longitude"),
    ("longitude max", lambda x: Location(TO, 0, -x), -180, -180.000001, "longitude"),
    ("template language", lambda n: Template(TO, "t", long(n)), 1, 0, "language"),
    ("reaction message_id", lambda n: Reaction(TO, long(n), "👍"), 1, 0, "message_id"),
    (
        "template button index",
        lambda n: Template(TO, "t", components=[ButtonParams("url", n, ["x"])]),
        0,
        -1,
        "components[0].index",
    ),
    ("carousel cards", lambda n: Carousel(TO, "b", [ProductCard("c", "p")] * n), 2, 1, "cards"),
    ("template carousel cards", lambda n: Template(TO, "t", components=[CarouselParams([_card()] * n)]), 2, 1,
     "components[0].cards"),
    ("voice call ttl", lambda n: VoiceCall(TO, "b", ttl_minutes=n), 1, 0, "ttl_minutes"),
    ("template ttl", lambda n: Template(TO, "t", components=[ButtonParams("voice_call", parameters=[TtlParam(n)])]),
     1, 0, "components[0].parameters[0].ttl_minutes"),
    ("order quantity", lambda n: _order(items=[OrderItem("Bread", OrderAmount(100), n)]), 1, 0, "items[0].quantity"),
    ("order amount", lambda n: _order(items=[OrderItem("Bread", OrderAmount(n), 1)]), 0, -1, "items[0].amount.value"),
    ("order items", lambda n: _order(items=[OrderItem("Bread", OrderAmount(1), 1)] * n), 1, 0, "items"),
    ("product list sections", lambda n: ProductList(TO, "c", "h", "b", [ProductSection(None, ["p"])] * n), 1, 0,
     "sections"),
    ("product section products", lambda n: ProductList(TO, "c", "h", "b", [ProductSection(None, ["p"] * n)]), 1, 0,
     "sections[0].product_ids"),
    ("address value", lambda n: AddressRequest(TO, "b", values={"city": long(n)}), 1, 0, "values.city"),
]  # fmt: skip


@pytest.mark.parametrize(("build", "ok", "bad", "field"), [c[1:] for c in MINIMUMS], ids=[c[0] for c in MINIMUMS])
def test_minimum(build: Callable[[Any], object], ok: Any, bad: Any, field: str) -> None:
    build(ok)
    with pytest.raises(ValidationError) as e:
        build(bad)
    assert e.value.field == field


@pytest.mark.parametrize(
    "to",
    [
        "1650555123x", "++16505551234", "1650+5551234", "", "٢٣٤٥٦٧٨٩", 16505551234, "16505551234\n", "1650\t5551234",
        "1.650.555.1234", "+1.650.555.1234", "US.", "us.13491208655302741918", "USA.1349120865", "US.1349-1208",
        "US.ENT.", "US.ent.1181", "U.1349", "US..1349", "US.1349 ", "US." + "1" * 257,
    ],
)  # fmt: skip
def test_bad_recipient(to: Any) -> None:
    with pytest.raises(ValidationError) as e:
        Text(to, "hi")
    assert e.value.field == "to"


@pytest.mark.parametrize(
    "written",
    ["+16505551234", "16505551234", "+1 (650) 555-1234", "+1 650 555 1234", "1-650-555-1234", "+ 16505551234"],
)
def test_phone_numbers_are_written_as_meta_accepts_and_sent_as_digits(written: str) -> None:
    assert Text(written, "hi").to == "16505551234"
    assert Template(written, "t").to == "16505551234"
    assert decoded(Text(written, "hi"))["to"] == "16505551234"


def test_malformed_ids_name_the_rule() -> None:
    with pytest.raises(ValidationError, match=r"country code, '\.', then letters and digits"):
        Text("us.13491208655302741918", "hi")
    with pytest.raises(ValidationError, match="6 digits, at least 7 required"):
        Text("1650 55", "hi")
    with pytest.raises(ValidationError, match="neither a phone number nor a BSUID"):
        Text("1.650.555.1234", "hi")


@pytest.mark.parametrize("bsuid", ["US.13491208655302741918", "US.ENT.11815799212886844830", "BR.a1B2c3"])
def test_a_bsuid_goes_out_as_recipient(bsuid: str) -> None:
    msg = Text(bsuid, "hi")
    assert msg.to == bsuid  # the key of pair limits and windows: the BSUID as given
    wire = decoded(msg)
    assert wire["recipient"] == bsuid and "to" not in wire and wire["recipient_type"] == "individual"


def test_phone_and_bsuid_together() -> None:
    msg = Text(TO, "hi", user_id=BSUID)
    assert msg.to == TO
    wire = decoded(msg)
    assert (wire["to"], wire["recipient"]) == (TO, BSUID)
    assert list(wire)[:5] == ["messaging_product", "recipient_type", "to", "recipient", "type"]
    for to, user_id, field in [
        (BSUID, BSUID, "user_id"),
        (TO, "16505551234", "user_id"),
        (Group(GROUP), BSUID, "user_id"),
    ]:
        with pytest.raises(ValidationError) as e:
            Text(to, "hi", user_id=user_id)
        assert e.value.field == field


def test_groups_take_text_media_and_templates() -> None:
    for msg in (Text(Group(GROUP), "hi"), Image(Group(GROUP), id="1"), Template(Group(GROUP), "t")):
        assert msg.to == GROUP and type(msg.to) is str
        wire = decoded(msg)
        assert (wire["recipient_type"], wire["to"]) == ("group", GROUP)
    refused: list[Callable[[], object]] = [
        lambda: Buttons(Group(GROUP), "b", [ReplyButton("1", "One")]),
        lambda: Location(Group(GROUP), 0, 0),
        lambda: Reaction(Group(GROUP), "wamid.1", "👍"),
        lambda: Template(Group(GROUP), "t", marketing=True),
    ]
    for build in refused:
        with pytest.raises(ValidationError) as e:
            build()
        assert e.value.field == "to"
    for bad in ("12345678", "", "a b", "Y2Fw.aV9"):
        with pytest.raises(ValidationError):
            Text(Group(bad), "hi")


def test_authentication_templates_refuse_a_bsuid() -> None:
    # Meta's error 131062: one-tap, zero-tap and copy-code authentication templates go to phone numbers only.
    otp = [BodyParams(["482913"]), ButtonParams("otp", parameters=["482913"])]
    Template(TO, "verification_code", components=otp)
    Template(TO, "verification_code", components=otp, user_id=BSUID)  # "to" wins: a phone send
    with pytest.raises(ValidationError, match="131062") as e:
        Template(BSUID, "verification_code", components=otp)
    assert e.value.field == "to"
    Template(BSUID, "coupon", components=[ButtonParams("copy_code", 0, ["SAVE25"])])  # a marketing coupon is fine


def test_endpoint() -> None:
    assert Text(TO, "hi").endpoint == Template(TO, "t").endpoint == "messages"
    assert Template(TO, "t", marketing=True).endpoint == "marketing_messages"
    wire = decoded(Template(TO, "t", marketing=True, product_policy="STRICT", message_activity_sharing=False))
    assert (wire["product_policy"], wire["message_activity_sharing"]) == ("STRICT", False)
    assert "product_policy" not in decoded(Template(TO, "t", marketing=True))
    for kwargs, field in [
        ({"product_policy": "STRICT"}, "product_policy"),
        ({"message_activity_sharing": True}, "message_activity_sharing"),
        ({"marketing": True, "product_policy": "LOOSE"}, "product_policy"),
        ({"marketing": True, "message_activity_sharing": "yes"}, "message_activity_sharing"),
        ({"marketing": "yes"}, "marketing"),
        ({"language_policy": "fallback"}, "language_policy"),
    ]:
        with pytest.raises(ValidationError) as e:
            Template(TO, "t", **kwargs)
        assert e.value.field == field, kwargs


@pytest.mark.parametrize("cls", [Image, Video, Document, Audio, Sticker], ids=lambda c: c.__name__)
def test_media_needs_exactly_one_of_link_and_id(cls: type[Any]) -> None:
    assert decoded(cls(TO, link=LINK))[cls.type] == {"link": LINK}
    assert decoded(cls(TO, id="42"))[cls.type] == {"id": "42"}
    for kwargs in ({}, {"link": LINK, "id": "42"}):
        with pytest.raises(ValidationError) as e:
            cls(TO, **kwargs)
        assert e.value.field == "link"
    for bad in ("ftp://example.com/a.png", "example.com/a.png", "https://", "<http(s)://document-url>"):
        with pytest.raises(ValidationError) as e:
            cls(TO, link=bad)
        assert e.value.field == "link"


def test_media_details() -> None:
    assert decoded(Audio(TO, id="1", voice=True))["audio"] == {"id": "1", "voice": True}
    assert decoded(Document(TO, id="1", filename="a.pdf"))["document"] == {"id": "1", "filename": "a.pdf"}
    for bad in ("", "dir/a.pdf", "..\\a.pdf"):
        with pytest.raises(ValidationError) as e:
            Document(TO, id="1", filename=bad)
        assert e.value.field == "filename"


def test_location_rejects_non_numbers() -> None:
    bad: Any
    for bad in (float("nan"), float("inf"), "37.7", True):
        with pytest.raises(ValidationError) as e:
            Location(TO, bad, 0)
        assert e.value.field == "latitude"


def test_reaction_empty_emoji_removes() -> None:
    assert decoded(Reaction(TO, "wamid.1", ""))["reaction"] == {"message_id": "wamid.1", "emoji": ""}


def test_unique_buttons() -> None:
    with pytest.raises(ValidationError) as e:
        Buttons(TO, "b", [ReplyButton("1", "Yes"), ReplyButton("2", "Yes")])
    assert e.value.field == "buttons[1].title" and "buttons[0].title" in str(e.value)
    with pytest.raises(ValidationError) as e:
        Buttons(TO, "b", [ReplyButton("1", "Yes"), ReplyButton("1", "No")])
    assert e.value.field == "buttons[1].id"


def test_unique_row_ids_across_sections() -> None:
    with pytest.raises(ValidationError) as e:
        ListMessage(TO, "b", "P", [Section("A", [Row("x", "X")]), Section("B", [Row("y", "Y"), Row("x", "Z")])])
    assert e.value.field == "sections[1].rows[1].id"


def test_section_title_required_with_several_sections() -> None:
    ListMessage(TO, "b", "P", [Section(None, [Row("x", "X")])])
    with pytest.raises(ValidationError) as e:
        ListMessage(TO, "b", "P", [Section("A", [Row("x", "X")]), Section(None, [Row("y", "Y")])])
    assert e.value.field == "sections[1].title"


def test_list_header_is_text_only() -> None:
    with pytest.raises(ValidationError) as e:
        ListMessage(TO, "b", "P", [Section(None, [Row("x", "X")])], header=ImageParam(link=LINK))  # type: ignore[arg-type]
    assert e.value.field == "header"


def test_interactive_media_header_is_checked() -> None:
    with pytest.raises(ValidationError) as e:
        Buttons(TO, "b", [ReplyButton("1", "A")], header=ImageParam())
    assert e.value.field == "header.link"


def test_cta_url_must_be_http() -> None:
    with pytest.raises(ValidationError) as e:
        CtaUrl(TO, "b", "Open", "javascript:alert(1)")
    assert e.value.field == "url"


@pytest.mark.parametrize("name", ["Hello", "hello-world", "hello world", "héllo", ""])
def test_template_name_rule(name: str) -> None:
    with pytest.raises(ValidationError) as e:
        Template(TO, name)
    assert e.value.field == "name"


def test_template_components_checked_with_paths() -> None:
    cases: list[tuple[list[Any], str]] = [
        ([BodyParams(["a", Currency("$1", "usd", 1000)])], "components[0].parameters[1].code"),
        ([BodyParams(["a", Currency("$1", "USD", 1.5)])], "components[0].parameters[1].amount_1000"),  # type: ignore[arg-type]
        ([BodyParams([DateTime("x", month=13)])], "components[0].parameters[0].month"),
        ([HeaderParams([ImageParam(link=LINK, id="1")])], "components[0].parameters[0].link"),
        ([HeaderParams([])], "components[0].parameters"),
        ([HeaderParams(["a", "b"])], "components[0].parameters"),
        ([BodyParams([""])], "components[0].parameters[0]"),
        ([BodyParams([3])], "components[0].parameters[0]"),  # type: ignore[list-item]
        ([BodyParams([{"text": "no type"}])], "components[0].parameters[0].type"),
        ([ButtonParams("call", 0)], "components[0].sub_type"),
        ([ButtonParams("flow", 0, [ActionParam()])], "components[0].parameters[0].action"),
        ([BodyParams(["a"]), BodyParams(["b"])], "components[1]"),
        ([ButtonParams("url", 1, ["a"]), ButtonParams("url", "1", ["b"])], "components[1]"),
        ([{"parameters": []}], "components[0].type"),
        (["body"], "components[0]"),
    ]
    for components, field in cases:
        with pytest.raises(ValidationError) as e:
            Template(TO, "t", components=components)
        assert e.value.field == field, components


def test_template_button_params() -> None:
    wire = decoded(Template(TO, "t", components=[ButtonParams("url", 2, ["order/7"])]))
    assert wire["template"]["components"] == [
        {"type": "button", "sub_type": "url", "index": "2", "parameters": [{"type": "text", "text": "order/7"}]}
    ]


def test_template_without_components_omits_them() -> None:
    assert decoded(Template(TO, "hello_world"))["template"] == {"name": "hello_world", "language": {"code": "en_US"}}


def test_contact_plain_strings() -> None:
    wire = decoded(Contacts(TO, [Contact("Ann Lee", phones=["+1 650"], emails=["a@b.co"], urls=[LINK])]))
    assert wire["contacts"] == [
        {
            "name": {"formatted_name": "Ann Lee", "first_name": "Ann Lee"},
            "phones": [{"phone": "+1 650"}],
            "emails": [{"email": "a@b.co"}],
            "urls": [{"url": LINK}],
        }
    ]


def test_contact_checks() -> None:
    for contact, field in [
        (Contact(""), "contacts[0].name"),
        (Contact(Name("")), "contacts[0].name.formatted_name"),
        (Contact("A", phones=[Phone("")]), "contacts[0].phones[0].phone"),
        (Contact("A", emails=["a@b.co", ""]), "contacts[0].emails[1]"),
        (Contact("A", birthday="18/08/2012"), "contacts[0].birthday"),
        (Contact("A", birthday="2012-02-30"), "contacts[0].birthday"),
        (Contact("A", addresses=["1 Hacker Way"]), "contacts[0].addresses[0]"),  # type: ignore[list-item]
    ]:
        with pytest.raises(ValidationError) as e:
            Contacts(TO, [Contact("ok"), contact])
        assert e.value.field == field.replace("[0]", "[1]", 1), contact
    with pytest.raises(ValidationError) as e:
        Contacts(TO, "Ann")  # type: ignore[arg-type]
    assert e.value.field == "contacts"


def test_flow_checks() -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({}, "flow_id"),
        ({"flow_id": "1", "flow_name": "n"}, "flow_id"),
        ({"flow_id": "1", "flow_action": "jump"}, "flow_action"),
        ({"flow_id": "1", "data": {}}, "data"),
        ({"flow_id": "1", "mode": "live"}, "mode"),
    ]
    for kwargs, field in cases:
        with pytest.raises(ValidationError) as e:
            Flow(TO, "b", "Go", **kwargs)
        assert e.value.field == field


def wrong(value: object) -> Any:
    """A value of the wrong type, past the type checker, as untyped callers may pass it."""
    return value


def test_wrong_types_are_validation_errors() -> None:
    cases: list[tuple[Callable[[], object], str]] = [
        (lambda: Text(TO, wrong(42)), "body"),
        (lambda: Text(TO, "hi", preview_url=wrong("yes")), "preview_url"),
        (lambda: Buttons(TO, "b", [wrong(("1", "One"))]), "buttons[0]"),
        (lambda: Buttons(TO, "b", wrong(ReplyButton("1", "One"))), "buttons"),
        (lambda: ListMessage(TO, "b", "P", [wrong([Row("a", "A")])]), "sections[0]"),
        (lambda: Audio(TO, id="1", voice=wrong(1)), "voice"),
    ]
    for build, field in cases:
        with pytest.raises(ValidationError) as e:
            build()
        assert e.value.field == field


# --- lone surrogates (issue 12 #10) -------------------------------------------------------------------------------

S = "ok \ud800"  # a lone surrogate: no UTF-8 body can hold it, so to_json() would fail in the middle of a broadcast

SURROGATES: list[tuple[Callable[[], object], str]] = [
    (lambda: Text(TO, S), "body"),
    (lambda: Text(TO, "hi", reply_to=S), "reply_to"),
    (lambda: Text(TO, "hi", callback_data=S), "callback_data"),
    (lambda: Image(TO, id="1", caption=S), "caption"),
    (lambda: Image(TO, id=S), "id"),
    (lambda: Document(TO, id="1", filename=S), "filename"),
    (lambda: Location(TO, 0, 0, name=S), "name"),
    (lambda: Reaction(TO, "wamid.1", "\udfff"), "emoji"),
    (lambda: MarkRead(S), "message_id"),
    (lambda: Contacts(TO, [Contact(S)]), "contacts[0].name"),
    (lambda: Contacts(TO, [Contact(Name("A", last_name=S))]), "contacts[0].name.last_name"),
    (lambda: Contacts(TO, [Contact("A", phones=[Phone("1", type=S)])]), "contacts[0].phones[0].type"),
    (lambda: Contacts(TO, [Contact("A", addresses=[Address(street=S)])]), "contacts[0].addresses[0].street"),
    (lambda: Contacts(TO, [Contact("A", org=Org(company=S))]), "contacts[0].org.company"),
    (lambda: Contacts(TO, [{"name": {"formatted_name": S}}]), "contacts[0].name.formatted_name"),
    (lambda: Buttons(TO, "b", [ReplyButton("1", S)]), "buttons[0].title"),
    (lambda: Buttons(TO, "b", [ReplyButton("1", "A")], header=S), "header"),
    (lambda: ListMessage(TO, "b", "P", [Section(None, [Row("a", "A", S)])]), "sections[0].rows[0].description"),
    (lambda: CtaUrl(TO, "b", "Go", "https://example.com/" + S), "url"),
    (lambda: Flow(TO, "b", "Go", flow_id="1", data={"k": [S]}), "data.k[0]"),
    (lambda: Template(TO, "t", components=[BodyParams([S])]), "components[0].parameters[0]"),
    (lambda: Template(TO, "t", components=[BodyParams([TextParam(S)])]), "components[0].parameters[0].text"),
    (lambda: Template(TO, "t", components=[BodyParams([Currency(S, "USD", 1)])]),
     "components[0].parameters[0].fallback_value"),
    (lambda: Template(TO, "t", components=[{"type": "body", "parameters": [{"type": "text", "text": S}]}]),
     "components[0].parameters[0].text"),
    (lambda: Template(TO, "t", S), "language"),
    (lambda: Product(TO, "c", S), "product_id"),
    (lambda: ProductList(TO, "c", "h", "b", [ProductSection(None, [S])]), "sections[0].product_ids[0]"),
    (lambda: Carousel(TO, "b", [CarouselCard(ImageParam(link=LINK), "Go", LINK, body=S)] * 2), "cards[0].body"),
    (lambda: VoiceCall(TO, "b", payload=S), "payload"),
    (lambda: AddressRequest(TO, "b", values={"city": S}), "values.city"),
    (lambda: _order(items=[OrderItem(S, OrderAmount(1), 1)]), "items[0].name"),
    (lambda: _order(payment_settings=[{"type": "payment_link", "payment_link": {"uri": S}}]),
     "payment_settings[0].payment_link.uri"),
]  # fmt: skip


@pytest.mark.parametrize(("build", "field"), SURROGATES, ids=[f for _, f in SURROGATES])
def test_lone_surrogates_are_refused_in_validation(build: Callable[[], object], field: str) -> None:
    with pytest.raises(ValidationError, match="lone surrogate") as e:
        build()
    assert e.value.field == field


def test_astral_characters_and_pairs_are_fine() -> None:
    assert decoded(Text(TO, "café 😀 \U0001f600"))["text"]["body"] == "café 😀 \U0001f600"


# --- the rules of the 2026 types, beyond counts and lengths -------------------------------------------------------

RULES: list[tuple[Callable[[], object], str, str]] = [
    # (build, the field the error names, a word of the message)
    (lambda: ProductList(TO, "c", "h", "b", [ProductSection("A", ["p"]), ProductSection(None, ["q"])]),
     "sections[1].title", "more than one section"),
    (lambda: ProductList(TO, "c", "h", "b", [("A", ["p"])]), "sections[0]", "ProductSection"),  # type: ignore[list-item]
    (lambda: Product(TO, "", "p"), "catalog_id", "at least 1"),
    (lambda: Carousel(TO, "b", [ProductCard("c", "p"), CarouselCard(ImageParam(link=LINK), "Go", LINK)]), "cards",
     "all media cards"),
    (lambda: Carousel(TO, "b", [ProductCard("c1", "p"), ProductCard("c2", "q")]), "cards", "one catalog_id"),
    (lambda: Carousel(TO, "b", [CarouselCard(ImageParam(link=LINK), "Go", LINK),
                                CarouselCard(VideoParam(link=LINK), "Go", LINK)]), "cards", "one kind"),
    (lambda: Carousel(TO, "b", [CarouselCard(ImageParam(id="1"), "Go", LINK)] * 2), "cards[0].header.link", "link"),
    (lambda: Carousel(TO, "b", [CarouselCard(ImageParam(link=LINK), "Go", "ftp://x")] * 2), "cards[0].url", "http"),
    (lambda: Carousel(TO, "b", [CarouselCard(ImageParam(link=LINK), "Go", LINK, body="a\nb\nc\nd")] * 2),
     "cards[0].body", "3 line breaks"),
    (lambda: AddressRequest(TO, "b", country="SG"), "country", "'IN'"),
    (lambda: AddressRequest(TO, "b", values={"zip": "1"}), "values.zip", "not an address field"),
    (lambda: AddressRequest(TO, "b", saved_addresses=[SavedAddress("a", {}), SavedAddress("a", {})]),
     "saved_addresses[1].id", "unique"),
    (lambda: _order(currency="USD"), "currency", "'INR'"),
    (lambda: _order(reference_id="order #1"), "reference_id", "letters, digits"),
    (lambda: _order(goods_type="services"), "goods_type", "digital-goods"),
    (lambda: _order(items=[OrderItem("A", OrderAmount(100, offset=1000), 1)]), "items[0].amount.offset", "100"),
    (lambda: _order(items=[OrderItem("A", OrderAmount(100), 1, sale_amount=OrderAmount(100))]),
     "items[0].sale_amount", "less than"),
    (lambda: _order(items=[OrderItem("A", OrderAmount(100, description="x"), 1)]), "items[0].amount.description",
     "only tax, shipping and discount"),
    (lambda: _order(tax=OrderAmount(0, discount_program_name="x")), "tax.discount_program_name", "only a discount"),
    (lambda: _order(discount=OrderAmount(20000)), "discount", "larger than"),
    (lambda: _order(expiration_timestamp=1_900_000_000), "expiration_timestamp", "both"),
    (lambda: _order(payment_settings=[{"payment_link": {}}]), "payment_settings[0].type", "type"),
    (lambda: _order(header=ImageParam(id="1")), "header", "by link"),
    (lambda: OrderStatus(TO, "b", "r", "lost"), "status", "'processing'"),
    (lambda: OrderStatus(TO, "b", "r", "shipped", payment_status="refunded"), "payment_status", "'captured'"),
    (lambda: OrderStatus(TO, "b", "r", "shipped", payment_timestamp=1), "payment_timestamp", "payment_status"),
    (lambda: Template(TO, "t", components=[BodyParams([TextParam("a", name="First")])]),
     "components[0].parameters[0].name", "lowercase"),
    (lambda: Template(TO, "t", components=[BodyParams([TextParam("a", name="n"), TextParam("b", name="n")])]),
     "components[0].parameters[1].name", "unique"),
    (lambda: Template(TO, "t", components=[ButtonParams("copy_code", 0, ["A"]), ButtonParams("copy_code", 1, ["B"])]),
     "components[1]", "one copy_code"),
    (lambda: Template(TO, "t", components=[ButtonParams("copy_code", 0, ["25% OFF"])]),
     "components[0].parameters[0].coupon_code", "alphanumeric"),
    (lambda: Template(TO, "t", components=[ButtonParams("copy_code", 0, [PayloadParam("x")])]),
     "components[0].parameters[0]", "CouponParam"),
    (lambda: Template(TO, "t", components=[ButtonParams("otp", 0, ["1", "2"])]), "components[0].parameters", "limit"),
    (lambda: Template(TO, "t", components=[ButtonParams("url", None, ["x"])]), "components[0].index", "required"),
    (lambda: Template(TO, "t", components=[ButtonParams("mpm", 0, [ActionParam(sections=[
        ProductSection("A", ["p"]), ProductSection(None, ["q"])])])]),
     "components[0].parameters[0].sections[1].title", "more than one section"),
    (lambda: Template(TO, "t", components=[CarouselParams([[BodyParams(["a"])]] * 2)]), "components[0].cards[0]",
     "needs a HeaderParams"),
    (lambda: Template(TO, "t", components=[CarouselParams([[HeaderParams(["text"])]] * 2)]),
     "components[0].cards[0].header", "image, a video or a ProductParam"),
    (lambda: Template(TO, "t", components=[CarouselParams([_card(), [HeaderParams([ProductParam("c", "p")])]])]),
     "components[0].cards", "same kind"),
    (lambda: Template(TO, "t", components=[CarouselParams([[*_card(), ButtonParams("copy_code", 1, ["A"])]] * 2)]),
     "components[0].cards[0][2].sub_type", "quick_reply, url"),
    (lambda: Template(TO, "t", components=[CarouselParams([[*_card(), _card()[0]]] * 2)]),
     "components[0].cards[0][2]", "one header"),
    (lambda: Template(TO, "t", components=[CarouselParams([_card()] * 2), CarouselParams([_card()] * 2)]),
     "components[1]", "one carousel"),
]  # fmt: skip


@pytest.mark.parametrize(("build", "field", "words"), RULES, ids=[f"{f}:{w}" for _, f, w in RULES])
def test_rule(build: Callable[[], object], field: str, words: str) -> None:
    with pytest.raises(ValidationError) as e:
        build()
    assert e.value.field == field
    assert words in str(e.value)


def test_order_totals_are_computed() -> None:
    msg = _order(
        items=[OrderItem("A", OrderAmount(1000), 2), OrderItem("B", OrderAmount(500), 1, sale_amount=OrderAmount(400))],
        tax=OrderAmount(100),
        shipping=OrderAmount(50),
        discount=OrderAmount(150),
    )
    params = decoded(msg)["interactive"]["action"]["parameters"]
    assert params["order"]["subtotal"] == {"value": 2400, "offset": 100}
    assert params["total_amount"] == {"value": 2400, "offset": 100}  # 2400 + 100 + 50 - 150
    assert "payment_type" not in params  # India; Brazil adds "br"
    assert decoded(_order(currency="BRL"))["interactive"]["action"]["parameters"]["payment_type"] == "br"


def test_named_parameters_and_language_policy() -> None:
    msg = Template(
        TO, "t", components=[BodyParams([TextParam("Ann", name="first_name")])], language_policy="deterministic"
    )
    template = decoded(msg)["template"]
    assert template["language"] == {"policy": "deterministic", "code": "en_US"}
    assert template["components"][0]["parameters"] == [{"type": "text", "parameter_name": "first_name", "text": "Ann"}]


def test_button_sub_types_on_the_wire() -> None:
    def wire(button: ButtonParams) -> Any:
        return decoded(Template(TO, "t", components=[button]))["template"]["components"][0]

    assert wire(ButtonParams("otp", parameters=["123"])) == {
        "type": "button", "sub_type": "url", "index": "0", "parameters": [{"type": "text", "text": "123"}]
    }  # fmt: skip
    assert wire(ButtonParams("copy_code", 1, ["SAVE"]))["parameters"] == [
        {"type": "coupon_code", "coupon_code": "SAVE"}
    ]
    assert wire(ButtonParams("voice_call", parameters=["p"])) == {
        "type": "button", "sub_type": "voice_call", "parameters": [{"type": "payload", "payload": "p"}]
    }  # fmt: skip
    order = {"reference_id": "r1", "type": "digital-goods"}
    assert wire(ButtonParams("order_details", 0, [ActionParam(order_details=order)]))["parameters"] == [
        {"type": "action", "action": {"order_details": order}}
    ]
    assert wire(ButtonParams("catalog", 0, [ActionParam(thumbnail_product_retailer_id="p")]))["parameters"] == [
        {"type": "action", "action": {"thumbnail_product_retailer_id": "p"}}
    ]


def test_new_sequences_are_frozen() -> None:
    sections = [ProductSection("A", ["p"])]
    msg = ProductList(TO, "c", "h", "b", sections)
    sections[0].product_ids.append("q")  # type: ignore[attr-defined]
    assert msg.sections[0].product_ids == ("p",)
    values = {"city": "Mumbai"}
    address = AddressRequest(TO, "b", values=values)
    values["city"] = "Delhi"
    assert decoded(address)["interactive"]["action"]["parameters"]["values"] == {"city": "Mumbai"}


# --- the send_* shortcuts -----------------------------------------------------------------------------------------

SHORTCUTS: dict[str, type[Message]] = {
    "send_text": Text,
    "send_template": Template,
    "send_image": Image,
    "send_video": Video,
    "send_audio": Audio,
    "send_document": Document,
    "send_sticker": Sticker,
    "send_location": Location,
    "send_contacts": Contacts,
    "send_buttons": Buttons,
    "send_list": ListMessage,
    "send_cta_url": CtaUrl,
    "send_reaction": Reaction,
    "send_product": Product,
    "send_product_list": ProductList,
    "send_catalog": Catalog,
    "send_carousel": Carousel,
    "send_location_request": LocationRequest,
    "send_call_permission_request": CallPermissionRequest,
    "send_contact_info_request": ContactInfoRequest,
    "send_voice_call": VoiceCall,
    "send_address_request": AddressRequest,
    "send_order_details": OrderDetails,
    "send_order_status": OrderStatus,
}


class _Recorder(Shortcuts):
    def __init__(self) -> None:
        self.sent: list[Message] = []

    async def send(self, msg: Message) -> str:
        self.sent.append(msg)
        return f"wamid.{len(self.sent)}"


def test_every_shortcut_spells_out_its_struct() -> None:
    names = {n for n in dir(Shortcuts) if n.startswith("send_")}
    assert names == {*SHORTCUTS, "send_otp"}
    for name, cls in SHORTCUTS.items():
        params = inspect.signature(getattr(Shortcuts, name)).parameters
        assert all(p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) for p in params.values()), name
        assert all(p.annotation is not p.empty for n, p in params.items() if n != "self"), name
        fields = set(cls.__struct_fields__) - {"user_id"}  # both ids at once: build the struct
        assert set(params) - {"self"} == fields, name
        # The struct's positional fields stay positional, in the same order.
        positional = [n for n, p in params.items() if p.kind is p.POSITIONAL_OR_KEYWORD and n != "self"]
        struct = [n for n, p in inspect.signature(cls).parameters.items() if p.kind is p.POSITIONAL_OR_KEYWORD]
        assert positional == struct[: len(positional)], name


async def test_the_new_shortcuts_build_the_structs() -> None:
    r = _Recorder()
    card = CarouselCard(ImageParam(link=LINK), "Go", LINK)
    item = OrderItem("Bread", OrderAmount(100), 1)
    calls: list[tuple[Any, Message]] = [
        (r.send_product(TO, "c", "p", body="b"), Product(TO, "c", "p", body="b")),
        (r.send_product_list(TO, "c", "h", "b", [ProductSection(None, ["p"])], footer="f"),
         ProductList(TO, "c", "h", "b", [ProductSection(None, ["p"])], footer="f")),
        (r.send_catalog(TO, "b", thumbnail_product_id="p"), Catalog(TO, "b", thumbnail_product_id="p")),
        (r.send_carousel(TO, "b", [card, card]), Carousel(TO, "b", [card, card])),
        (r.send_location_request(TO, "b"), LocationRequest(TO, "b")),
        (r.send_call_permission_request(BSUID), CallPermissionRequest(BSUID)),
        (r.send_contact_info_request(BSUID, "b"), ContactInfoRequest(BSUID, "b")),
        (r.send_voice_call(TO, "b", ttl_minutes=60), VoiceCall(TO, "b", ttl_minutes=60)),
        (r.send_address_request(TO, "b", values={"city": "Pune"}), AddressRequest(TO, "b", values={"city": "Pune"})),
        (r.send_order_details(TO, "b", "r1", "INR", [item], footer="f"),
         OrderDetails(TO, "b", "r1", "INR", [item], footer="f")),
        (r.send_order_status(TO, "b", "r1", "shipped"), OrderStatus(TO, "b", "r1", "shipped")),
        (r.send_contacts(TO, [Contact("A")], reply_to="wamid.1"), Contacts(TO, [Contact("A")], reply_to="wamid.1")),
        (r.send_template(TO, "promo", marketing=True, product_policy="STRICT"),
         Template(TO, "promo", marketing=True, product_policy="STRICT")),
        (r.send_otp(TO, "verification_code", "482913"),
         Template(TO, "verification_code", components=[BodyParams(["482913"]), ButtonParams("otp", 0, ["482913"])])),
        (r.send_text(Group(GROUP), "hi"), Text(Group(GROUP), "hi")),
    ]  # fmt: skip
    for call, expected in calls:
        await call
        assert r.sent[-1] == expected
        assert r.sent[-1].to_json() == expected.to_json()
    with pytest.raises(ValidationError, match="131062"):
        await r.send_otp(BSUID, "verification_code", "482913")


def test_hot_paths_encode_what_the_general_path_does() -> None:
    # Text and Template write their phone-number path out for speed; it must say what _body() says.
    for msg in [*extra_messages(), *(case(payload(name))[0] for name, case in ALL)]:
        assert isinstance(msg, Message)
        assert msg.to_json() == msgspec.json.encode(msg._body()), msg


def test_a_received_contact_card_is_forwarded_as_it_is() -> None:
    """One card struct for both directions: a card a user shared can be sent on unchanged."""
    import wa_async.webhooks as webhooks

    (event,) = [e for e in webhooks.parse((PAYLOADS / "webhook-contacts-message.json").read_bytes())
                if isinstance(e, webhooks.ContactsMessage)]  # fmt: skip
    card = event.contacts[0]
    assert isinstance(card, webhooks.Contact) and isinstance(card.name, m.Name)  # the outbound part types
    sent = json.loads(m.Contacts("15551234567", [card]).to_json())["contacts"][0]
    received = msgspec.to_builtins(card)
    received.pop("origin", None), received.pop("vcard", None)
    assert sent == received
    with pytest.raises(ValidationError, match=r"contacts\[0\]\.name\.formatted_name"):
        m.Contacts("15551234567", [webhooks.Contact()])
