"""parse() on Meta's 2026 payloads: identity (BSUIDs, usernames) and every webhook field beyond messages.

Each payload file has a check below that reads its fields; `test_every_webhook_payload_is_typed_and_checked`
in test_webhooks_parse.py requires one for every webhook file in tests/data.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from tests._data import PAYLOADS
from wa_async import webhooks as wh

CHECKS: dict[str, Callable[[list[wh.Event]], None]] = {}

USER = "15551234567"
BSUID = "US.1234567890123456789"
PARENT = "US.ENT.1234567890987654321"
NUMBER_ID = "1234567890123457"
WABA = "1234567890123456"
T = datetime.fromtimestamp(1767261600, UTC)


def check(name: str) -> Callable[[Callable[[Any], None]], Callable[[Any], None]]:
    def register(fn: Callable[[Any], None]) -> Callable[[Any], None]:
        def run(events: list[wh.Event]) -> None:
            assert len(events) == 1, events
            fn(events[0])

        CHECKS[name] = run
        return fn

    return register


def from_number(ev: wh.Event) -> None:
    assert ev.waba_id == WABA and ev.phone_number_id == NUMBER_ID and ev.display_phone_number == "15550001111"


# -- identity on messages (BSUIDs and usernames) ---------------------------------------------------------------


@check("webhook-text-message-bsuid-username-no-phone.json")
def _username_only(ev: wh.TextMessage) -> None:
    assert isinstance(ev, wh.TextMessage) and ev.body == "Do you deliver on Sundays?"
    assert ev.from_ is None  # the user hides their number
    assert (ev.user_id, ev.parent_user_id, ev.sender) == (BSUID, PARENT, BSUID)
    assert ev.username == "jamie.example" and ev.contact_name == "Jamie Example"
    assert ev.contact == wh.ContactProfile(
        name="Jamie Example", username="jamie.example", user_id=BSUID, parent_user_id=PARENT
    )
    assert ev.timestamp == T
    from_number(ev)


@check("webhook-text-message-bsuid-with-phone.json")
def _phone_and_bsuid(ev: wh.TextMessage) -> None:
    assert isinstance(ev, wh.TextMessage) and ev.body == "Hi, is the shop open today?"
    assert (ev.from_, ev.user_id, ev.parent_user_id, ev.sender) == (USER, BSUID, None, USER)
    assert ev.username is None and ev.contact is not None and ev.contact.wa_id == USER


@check("webhook-contacts-request-contact-info.json")
def _shared_own_number(ev: wh.ContactsMessage) -> None:
    assert isinstance(ev, wh.ContactsMessage)
    assert ev.from_ is None and ev.sender == BSUID and ev.username == "jamie.example"
    (card,) = ev.contacts
    assert card.origin == "contact_request" and card.vcard is None and card.name is None
    assert [(p.phone, p.wa_id, p.type) for p in card.phones] == [("+15551234567", USER, "CELL")]


@check("webhook-address-message-reply.json")
def _address_reply(ev: wh.InteractiveMessage) -> None:
    assert isinstance(ev, wh.InteractiveMessage) and isinstance(ev.choice, wh.FlowReply)
    assert ev.choice.name == "address_message" and '"in_pin_code":"400063"' in ev.choice.response_json
    assert ev.context is not None and ev.context.from_ == "15550001111"
    assert ev.sender == USER and ev.user_id == BSUID


@check("webhook-location-reply-to-request.json")
def _location_reply(ev: wh.LocationMessage) -> None:
    assert isinstance(ev, wh.LocationMessage)
    assert (ev.latitude, ev.longitude, ev.name) == (40.7128, -74.006, "Example Plaza")
    assert ev.context is not None and ev.context.id == "wamid.HBgLMTU1NTEyMzQ1NjcVAgARGBIxMjM0NTY3ODkwQUJDREVGMDEA"


@check("webhook-call-permission-reply.json")
def _call_permission(ev: wh.CallPermissionReply) -> None:
    assert isinstance(ev, wh.CallPermissionReply) and ev.type == "interactive"
    assert (ev.response, ev.is_permanent, ev.response_source) == ("accept", False, "user_action")
    assert ev.expiration_timestamp == datetime.fromtimestamp(1767866400, UTC)
    assert ev.sender == USER and ev.context is not None


@check("webhook-edit-message.json")
def _edit(ev: wh.EditMessage) -> None:
    assert isinstance(ev, wh.EditMessage) and ev.type == "edit"
    assert ev.original_message_id == "wamid.HBgLMTU1NTEyMzQ1NjcVAgASGBQxMjM0NTY3ODkwQUJDREVGMDIzNAA="
    edited = ev.edited
    assert isinstance(edited, wh.ImageMessage) and edited.type == "image"
    assert edited.caption == "Corrected caption" and edited.media_id == "1234567890123470"
    assert edited.id == ev.id and edited.sender == USER and edited.context is not None and edited.context.id == "M0"


@check("webhook-revoke-message.json")
def _revoke(ev: wh.RevokeMessage) -> None:
    assert isinstance(ev, wh.RevokeMessage) and ev.type == "revoke"
    assert ev.original_message_id == "wamid.HBgLMTU1NTEyMzQ1NjcVAgASGBQxMjM0NTY3ODkwQUJDREVGMDIzNAA="
    assert ev.sender == USER and ev.contact_name == "Jamie Example"


@check("webhook-system-user-changed-user-id.json")
def _changed_user_id(ev: wh.SystemMessage) -> None:
    assert isinstance(ev, wh.SystemMessage) and ev.system_type == "user_changed_user_id"
    assert (ev.wa_id, ev.new_user_id, ev.new_parent_user_id) == ("15557654321", "US.1234567890123499999", None)
    assert ev.from_ == USER and ev.contact is None  # system messages carry no contacts


# -- identity on statuses -----------------------------------------------------------------------------------------


@check("webhook-status-delivered-bsuid-parent.json")
def _status_to_bsuid(ev: wh.Status) -> None:
    assert isinstance(ev, wh.Status) and ev.status == "delivered"
    assert ev.recipient_id is None  # sent to a BSUID, phone not shared
    assert (ev.recipient_user_id, ev.recipient_parent_user_id, ev.sender) == (BSUID, PARENT, BSUID)
    assert ev.contact is not None and ev.contact.username == "jamie.example"
    assert ev.pricing == wh.Pricing(billable=True, pricing_model="PMP", type="regular", category="utility")


@check("webhook-status-failed-phone-no-contacts.json")
def _status_failed_phone(ev: wh.Status) -> None:
    assert isinstance(ev, wh.Status) and ev.status == "failed"
    assert (ev.recipient_id, ev.recipient_user_id, ev.sender, ev.contact) == (USER, None, USER, None)
    assert [e.code for e in ev.errors] == [131049]


@check("webhook-status-marketing-lite.json")
def _status_marketing_lite(ev: wh.Status) -> None:
    assert isinstance(ev, wh.Status) and ev.pricing is not None and ev.pricing.category == "marketing_lite"
    assert (ev.recipient_id, ev.recipient_user_id) == (USER, BSUID)
    assert ev.contact is not None and ev.contact.name == "Jamie Example"


# -- templates ----------------------------------------------------------------------------------------------------


@check("webhook-message-template-quality-update.json")
def _template_quality(ev: wh.TemplateQualityUpdate) -> None:
    assert isinstance(ev, wh.TemplateQualityUpdate)
    assert (ev.message_template_id, ev.name, ev.language) == (1234567890123460, "order_update", "en_US")
    assert (ev.previous_quality_score, ev.new_quality_score) == ("GREEN", "YELLOW")
    assert ev.timestamp == T and ev.waba_id == WABA


@check("webhook-template-category-update-impending.json")
def _category_impending(ev: wh.TemplateCategoryUpdate) -> None:
    assert isinstance(ev, wh.TemplateCategoryUpdate) and ev.impending
    assert (ev.new_category, ev.correct_category, ev.previous_category) == ("UTILITY", "MARKETING", None)
    assert ev.category_update_timestamp == datetime.fromtimestamp(1767348000, UTC)


@check("webhook-template-category-update-completed.json")
def _category_completed(ev: wh.TemplateCategoryUpdate) -> None:
    assert isinstance(ev, wh.TemplateCategoryUpdate) and not ev.impending
    assert (ev.previous_category, ev.new_category) == ("UTILITY", "MARKETING")
    assert ev.message_template_id == 1234567890123461 and ev.timestamp == datetime.fromtimestamp(1767348000, UTC)


@check("webhook-message-template-components-update.json")
def _components(ev: wh.TemplateComponentsUpdate) -> None:
    assert isinstance(ev, wh.TemplateComponentsUpdate)
    assert ev.title == "Your order is confirmed!" and ev.footer == "Example Coffee Co."
    assert ev.element == "Thanks for your order, {{1}}! Your order number is {{2}}."
    phone, url = ev.buttons
    assert (phone.message_template_button_type, phone.message_template_button_phone_number) == (
        "PHONE_NUMBER",
        "+15550001111",
    )
    assert url.message_template_button_url == "https://shop.example.com/track/{{1}}"


# -- the account and its numbers ----------------------------------------------------------------------------------


@check("webhook-account-update-restriction.json")
def _restriction(ev: wh.AccountUpdate) -> None:
    assert isinstance(ev, wh.AccountUpdate) and ev.event == "ACCOUNT_RESTRICTION" and ev.timestamp == T
    first, second = ev.restriction_info
    assert first.restriction_type == "RESTRICTED_BIZ_INITIATED_MESSAGING"
    assert first.expiration == datetime.fromtimestamp(1767866400, UTC)
    assert first.remediation is not None and first.remediation.startswith("Review your messaging")
    assert second.remediation is None


@check("webhook-account-update-partner-removed-disconnection.json")
def _partner_removed(ev: wh.AccountUpdate) -> None:
    assert isinstance(ev, wh.AccountUpdate) and ev.event == "PARTNER_REMOVED"
    assert ev.waba_info == wh.WabaInfo(waba_id=WABA, owner_business_id="1234567890222222")
    assert ev.disconnection_info == wh.DisconnectionInfo(reason="PRIMARY_INACTIVITY", initiated_by="SYSTEM")


@check("webhook-account-update-offboarded.json")
def _offboarded(ev: wh.AccountUpdate) -> None:
    assert isinstance(ev, wh.AccountUpdate) and ev.event == "ACCOUNT_OFFBOARDED"
    assert ev.restriction_info == [] and ev.waba_info is None and ev.waba_id == WABA


@check("webhook-phone-number-quality-update.json")
def _number_quality(ev: wh.PhoneNumberQualityUpdate) -> None:
    assert isinstance(ev, wh.PhoneNumberQualityUpdate)
    assert (ev.event, ev.max_daily_conversations_per_business) == ("THROUGHPUT_UPGRADE", "TIER_UNLIMITED")
    assert ev.display_phone_number == "15550001111" and ev.current_limit is None and ev.timestamp == T


@check("webhook-business-capability-update.json")
def _capability(ev: wh.BusinessCapabilityUpdate) -> None:
    assert isinstance(ev, wh.BusinessCapabilityUpdate)
    assert (ev.max_daily_conversations_per_business, ev.max_phone_numbers_per_waba) == ("TIER_10K", 25)
    assert ev.max_phone_numbers_per_business is None and ev.timestamp == T


@check("webhook-business-username-updates.json")
def _business_username(ev: wh.BusinessUsernameUpdate) -> None:
    assert isinstance(ev, wh.BusinessUsernameUpdate)
    assert (ev.username, ev.status, ev.display_phone_number, ev.timestamp) == (
        "examplecoffee",
        "approved",
        "15550001111",
        T,
    )


# -- users --------------------------------------------------------------------------------------------------------


@check("webhook-user-preferences-stop.json")
def _stop(ev: wh.UserPreferences) -> None:
    assert isinstance(ev, wh.UserPreferences)
    assert (ev.value, ev.category, ev.wa_id, ev.user_id, ev.sender) == ("stop", "marketing_messages", USER, BSUID, USER)
    assert ev.detail == "User requested to stop marketing messages" and ev.timestamp == T
    assert ev.contact is not None and ev.contact.name == "Jamie Example"
    from_number(ev)


@check("webhook-user-id-update.json")
def _user_id_update(ev: wh.UserIdUpdate) -> None:
    assert isinstance(ev, wh.UserIdUpdate)
    assert (ev.previous_user_id, ev.user_id) == (BSUID, "US.1234567890123499999")
    assert (ev.previous_parent_user_id, ev.parent_user_id) == (PARENT, "US.ENT.1234567890987699999")
    assert ev.wa_id == USER and ev.sender == USER and ev.timestamp == T
    assert ev.detail == "User id for Jamie Example has been updated."
    assert ev.contact is not None and ev.contact.name == "Jamie Example"


# -- coexistence --------------------------------------------------------------------------------------------------


@check("webhook-smb-message-echoes-text.json")
def _echo(ev: wh.MessageEcho) -> None:
    assert isinstance(ev, wh.MessageEcho) and ev.type == "text"
    assert (ev.from_, ev.to, ev.to_user_id, ev.sender) == ("15550001111", USER, BSUID, USER)
    assert ev.body == "Sure, we can hold it for you until Friday."
    assert ev.content == {"body": "Sure, we can hold it for you until Friday."}
    assert ev.timestamp == T and ev.contact is not None and ev.contact.user_id == BSUID


@check("webhook-history-threads.json")
def _history(ev: wh.HistorySync) -> None:
    assert isinstance(ev, wh.HistorySync)
    assert (ev.phase, ev.chunk_order, ev.progress, ev.errors) == (0, 1, 40, [])
    (thread,) = ev.threads
    assert (thread.id, thread.wa_id, thread.user_id) == (USER, USER, BSUID)
    sent, received = thread.messages
    assert (sent.from_, sent.to, sent.type, sent.status, sent.body) == (
        "15550001111",
        USER,
        "text",
        "READ",
        "Your order has shipped.",
    )
    assert (received.from_user_id, received.type, received.status, received.content) == (
        BSUID,
        "media_placeholder",
        "DELIVERED",
        None,
    )
    assert sent.timestamp == datetime.fromtimestamp(1767175200, UTC)


@check("webhook-history-declined.json")
def _history_declined(ev: wh.HistorySync) -> None:
    assert isinstance(ev, wh.HistorySync) and ev.threads == []
    (err,) = ev.errors
    assert err.code == 2593109 and err.details == "History sharing is turned off by the business"


@check("webhook-smb-app-state-sync.json")
def _state_sync(ev: wh.AppStateSync) -> None:
    assert isinstance(ev, wh.AppStateSync) and (ev.type, ev.action, ev.timestamp) == ("contact", "add", T)
    assert ev.contact == wh.SyncedContact(
        full_name="Jamie Example", first_name="Jamie", phone_number=USER, user_id=BSUID
    )


# -- calls --------------------------------------------------------------------------------------------------------


@check("webhook-calls-connect-user-initiated.json")
def _call_connect(ev: wh.CallEvent) -> None:
    assert isinstance(ev, wh.CallEvent) and (ev.event, ev.direction) == ("connect", "USER_INITIATED")
    assert (ev.from_, ev.from_user_id, ev.to, ev.sender) == (USER, BSUID, "15550001111", USER)
    assert ev.session is not None and ev.session.sdp_type == "offer" and ev.session.sdp.startswith("v=0\r\n")
    assert ev.contact is not None and ev.contact.name == "Jamie Example" and ev.timestamp == T
    from_number(ev)


@check("webhook-calls-terminate.json")
def _call_terminate(ev: wh.CallEvent) -> None:
    assert isinstance(ev, wh.CallEvent) and (ev.event, ev.status, ev.duration) == ("terminate", "COMPLETED", 120)
    assert (ev.start_time, ev.end_time) == (T, datetime.fromtimestamp(1767261720, UTC))
    assert (ev.to, ev.to_user_id, ev.sender, ev.callback_data) == (USER, BSUID, USER, "ticket-4711")


@check("webhook-calls-status-ringing.json")
def _call_status(ev: wh.CallEvent) -> None:
    assert isinstance(ev, wh.CallEvent) and (ev.event, ev.status) == ("status", "RINGING")
    assert (ev.to, ev.to_user_id, ev.sender, ev.callback_data) == (USER, BSUID, USER, "ticket-4711")
    assert ev.id.startswith("wacid.")


# -- groups -------------------------------------------------------------------------------------------------------

GROUP = "Y2FwaV9ncm91cDoxNTU1MDAwMTExMToxMjM0NTY3ODkwMTIzNDU2Nzg5MAZDZD"


@check("webhook-group-lifecycle-create.json")
def _group_create(ev: wh.GroupEvent) -> None:
    assert isinstance(ev, wh.GroupEvent) and (ev.field, ev.type) == ("group_lifecycle_update", "group_create")
    assert (ev.group_id, ev.subject, ev.join_approval_mode) == (GROUP, "Spring workshop attendees", "auto_approve")
    assert ev.invite_link == "https://chat.whatsapp.com/AbCdEfGhIjK1234567890" and ev.timestamp == T
    assert ev.request_id == "1234567890ABCDEF1234567890ABCDEF"


@check("webhook-group-create-openapi.json")
def _group_create_openapi(ev: wh.GroupEvent) -> None:
    assert isinstance(ev, wh.GroupEvent) and ev.type == "group_create" and ev.description == "your-group-description"
    # Meta's OpenAPI example writes the numbers as JSON numbers: they come out as strings.
    assert [(p.input, p.wa_id) for p in ev.added_participants] == [
        ("16505551234", "16505551234"),
        ("16505551235", "16505551235"),
    ]


@check("webhook-group-participants-join-request.json")
def _join_request(ev: wh.GroupEvent) -> None:
    assert isinstance(ev, wh.GroupEvent) and ev.type == "group_join_request_created"
    assert (ev.join_request_id, ev.wa_id, ev.user_id) == ("MTU1NTEyMzQ1Njc6MTIzNDU2Nzg5MDEyMzQ1Njc4OTA=", USER, BSUID)


@check("webhook-group-participants-remove-partial.json")
def _remove_partial(ev: wh.GroupEvent) -> None:
    assert isinstance(ev, wh.GroupEvent) and (ev.type, ev.initiated_by) == ("group_participants_remove", "business")
    assert [p.input for p in ev.removed_participants] == [USER]
    (failed,) = ev.failed_participants
    assert failed.input == "15559876543" and [e.code for e in failed.errors] == [131212]
    assert [e.code for e in ev.errors] == [131201]


@check("webhook-group-settings-update.json")
def _settings(ev: wh.GroupEvent) -> None:
    assert isinstance(ev, wh.GroupEvent) and ev.type == "group_settings_update"
    assert ev.group_subject == wh.GroupSettingChange(text="Spring workshop 2026", update_successful=True)
    assert ev.group_description is not None and ev.group_description.update_successful is True
    assert ev.profile_picture is None


@check("webhook-group-status-suspend.json")
def _suspend(ev: wh.GroupEvent) -> None:
    assert isinstance(ev, wh.GroupEvent) and (ev.field, ev.type, ev.group_id) == (
        "group_status_update",
        "group_suspend",
        GROUP,
    )


# Defined last: the checks above fill CHECKS as the module loads.
@pytest.mark.parametrize("name", sorted(CHECKS))
def test_payload(name: str) -> None:
    CHECKS[name](wh.parse((PAYLOADS / name).read_bytes()))
