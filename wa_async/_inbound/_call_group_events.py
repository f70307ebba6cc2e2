"""Events of calls (field `calls`) and of groups (the four group fields)."""

from __future__ import annotations

from datetime import datetime

import msgspec

from ._events import Event
from ._parts import ContactProfile, ErrorDetail
from ._user_events import user_key

__all__ = [
    "CallEvent",
    "CallSession",
    "GroupEvent",
    "GroupParticipant",
    "GroupSettingChange",
]


# -- calls -------------------------------------------------------------------------------------------------------


class CallSession(msgspec.Struct, kw_only=True):
    """The WebRTC session of a call: an SDP `offer` (user-initiated) or `answer` (business-initiated)."""

    sdp_type: str
    sdp: str


class CallEvent(Event, kw_only=True):
    """A call moved on (field `calls`).

    `event` is `"connect"` (a call to answer, or your call connecting: `session` holds the SDP),
    `"terminate"` (the call ended: `status` COMPLETED or FAILED, `start_time`, `end_time`, `duration` in seconds
    when answered) or `"status"` (your call's `status`: RINGING, ACCEPTED, REJECTED; the user is in `to*`).
    `direction` is `USER_INITIATED` or `BUSINESS_INITIATED`; `sender` is the user's key.
    """

    id: str
    event: str
    timestamp: datetime
    status: str | None = None
    direction: str | None = None
    from_: str | None = msgspec.field(default=None, name="from")
    from_user_id: str | None = None
    from_parent_user_id: str | None = None
    to: str | None = None
    to_user_id: str | None = None
    to_parent_user_id: str | None = None
    session: CallSession | None = None
    callback_data: str | None = msgspec.field(default=None, name="biz_opaque_callback_data")
    start_time: datetime | None = None
    end_time: datetime | None = None
    duration: int | None = None
    errors: list[ErrorDetail] = msgspec.field(default_factory=list)
    cta_payload: str | None = None
    deeplink_payload: str | None = None
    contact: ContactProfile | None = None

    @property
    def sender(self) -> str:
        """The user on the call: phone number when known, else BSUID."""
        if self.direction == "USER_INITIATED":
            return user_key(self.from_, self.from_user_id, self.from_parent_user_id)
        return user_key(self.to, self.to_user_id, self.to_parent_user_id)


# -- groups ------------------------------------------------------------------------------------------------------


class GroupParticipant(msgspec.Struct, kw_only=True):
    """A group member in a participants update: `input` is what the business sent when it acted."""

    input: str | None = None
    wa_id: str | None = None
    user_id: str | None = None
    parent_user_id: str | None = None
    username: str | None = None
    errors: list[ErrorDetail] = []


class GroupSettingChange(msgspec.Struct, kw_only=True):
    """The outcome of one setting in a group settings update (subject, description or picture)."""

    update_successful: bool | None = None
    text: str | None = None
    mime_type: str | None = None
    sha256: str | None = None
    errors: list[ErrorDetail] = []


class GroupEvent(Event, kw_only=True):
    """Something happened to a group (fields `group_lifecycle_update`, `group_participants_update`,
    `group_settings_update`, `group_status_update`).

    `type` says what: `group_create`, `group_delete`, `group_participants_add`, `group_participants_remove`,
    `group_join_request_created`, `group_join_request_revoked`, `group_settings_update`, `group_suspend`,
    `group_suspend_cleared`. The fields that type carries are set; `request_id` ties it to your API call;
    `errors` (and per-member errors) say what failed. For a join request, `wa_id`/`user_id`/`username` name the
    user.
    """

    type: str
    field: str = ""
    group_id: str | None = None
    timestamp: datetime | None = None
    request_id: str | None = None
    subject: str | None = None
    description: str | None = None
    invite_link: str | None = None
    join_approval_mode: str | None = None
    reason: str | None = None
    initiated_by: str | None = None
    added_participants: list[GroupParticipant] = msgspec.field(default_factory=list)
    removed_participants: list[GroupParticipant] = msgspec.field(default_factory=list)
    failed_participants: list[GroupParticipant] = msgspec.field(default_factory=list)
    join_request_id: str | None = None
    wa_id: str | None = None
    user_id: str | None = None
    parent_user_id: str | None = None
    username: str | None = None
    group_subject: GroupSettingChange | None = None
    group_description: GroupSettingChange | None = None
    profile_picture: GroupSettingChange | None = None
    errors: list[ErrorDetail] = msgspec.field(default_factory=list)
