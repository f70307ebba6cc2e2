"""Conversations: 24-hour windows under each policy (fake clock) and wait_status."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from wa_async._conversations import Conversations, MemoryWindowStore, WindowStore
from wa_async._errors import RecipientError, ServerError, WindowClosed
from wa_async.webhooks import ErrorDetail, Status, SystemMessage, TextMessage, UserIdUpdate

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
USER = "16505551234"


class Clock:
    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def inbound(at: datetime, frm: str = USER, *, id: str = "m", number: str = "PN1") -> TextMessage:
    return TextMessage(id=id, from_=frm, timestamp=at, type="text", body="hi", phone_number_id=number)


def status(st: str, wamid: str = "w1", code: int | None = None) -> Status:
    errors = [ErrorDetail(code=code, title="failed title", details="why")] if code is not None else []
    return Status(id=wamid, status=st, recipient_id=USER, timestamp=T0, errors=errors)


# -- windows ------------------------------------------------------------------------------------------------


async def test_inbound_opens_window_for_24_hours() -> None:
    clock = Clock()
    conv = Conversations(clock=clock)
    conv.attach()
    conv.observe(inbound(T0))
    await conv.check_window(USER)
    await conv.check_window("+" + USER)  # a leading + is the same contact
    clock.now = T0 + timedelta(hours=23, minutes=59)
    await conv.check_window(USER)
    clock.now = T0 + timedelta(hours=24)
    with pytest.raises(WindowClosed) as info:
        await conv.check_window(USER)
    assert info.value.to == USER


async def test_new_inbound_resets_window_and_old_redelivery_does_not_shorten_it() -> None:
    clock = Clock(T0 + timedelta(hours=30))
    conv = Conversations(clock=clock)
    conv.observe(inbound(T0))
    with pytest.raises(WindowClosed):
        await conv.check_window(USER)
    conv.observe(inbound(T0 + timedelta(hours=29)))
    await conv.check_window(USER)
    conv.observe(inbound(T0 - timedelta(days=3)))  # a late redelivery of an old message
    await conv.check_window(USER)
    assert await conv.window_expires(USER) == T0 + timedelta(hours=53)


async def test_auto_unknown_contact_allowed_until_attached() -> None:
    conv = Conversations(clock=Clock())
    await conv.check_window(USER)  # nothing observed and no receiver: no evidence, let it through
    conv.attach()
    with pytest.raises(WindowClosed):
        await conv.check_window(USER)
    with pytest.raises(WindowClosed):
        conv.check_window_nowait(USER)


async def test_strict_refuses_unknown_contact_even_unattached() -> None:
    conv = Conversations(windows=True, clock=Clock())
    with pytest.raises(WindowClosed):
        await conv.check_window(USER)
    conv.observe(inbound(T0))
    await conv.check_window(USER)


async def test_off_never_refuses() -> None:
    clock = Clock(T0 + timedelta(days=5))
    conv = Conversations(windows=False, clock=clock)
    conv.attach()
    conv.observe(inbound(T0))
    await conv.check_window(USER)
    await conv.check_window("15550000000")
    conv.check_window_nowait("15550000000")


def test_bad_policy_rejected() -> None:
    with pytest.raises(ValueError, match="windows"):
        Conversations(windows="sometimes")  # type: ignore[arg-type]


async def test_system_messages_and_other_numbers_do_not_open_windows() -> None:
    conv = Conversations(windows=True, clock=Clock(), phone_number_id="PN1")
    system = SystemMessage(id="s", from_=USER, timestamp=T0, type="system", body="changed", phone_number_id="PN1")
    conv.observe(system)
    conv.observe(inbound(T0, number="PN2"))
    with pytest.raises(WindowClosed):
        await conv.check_window(USER)
    conv.observe(inbound(T0, number="PN1"))
    await conv.check_window(USER)


async def test_nowait_check_uses_what_this_process_saw() -> None:
    clock = Clock()
    conv = Conversations(clock=clock)
    conv.attach()
    conv.observe(inbound(T0))
    conv.check_window_nowait(USER)
    clock.now = T0 + timedelta(days=1, seconds=1)
    with pytest.raises(WindowClosed):
        conv.check_window_nowait(USER)


class SlowSharedStore:
    """A WindowStore that answers on a later loop turn, like a network store; records calls."""

    def __init__(self) -> None:
        self.data: dict[str, datetime] = {}
        self.writes: list[tuple[str, datetime]] = []

    async def last_inbound(self, wa_id: str) -> datetime | None:
        await asyncio.sleep(0)
        return self.data.get(wa_id)

    async def record_inbound(self, wa_id: str, at: datetime) -> None:
        await asyncio.sleep(0)
        self.writes.append((wa_id, at))
        self.data[wa_id] = max(at, self.data.get(wa_id, at))


async def test_shared_store_written_through_and_read() -> None:
    store = SlowSharedStore()
    assert isinstance(store, WindowStore)
    conv = Conversations(windows=True, store=store, clock=Clock())
    conv.observe(inbound(T0))
    await conv.flush()
    assert store.writes == [(USER, T0)]
    # Another process recorded a message from a contact this one never saw.
    store.data["15550009999"] = T0 - timedelta(hours=1)
    await conv.check_window("15550009999")
    with pytest.raises(WindowClosed):
        conv.check_window_nowait("15550009999")  # nowait knows only this process's observations
    await conv.aclose()


async def test_memory_store_is_bounded_lru() -> None:
    store = MemoryWindowStore(size=2)
    await store.record_inbound("a", T0)
    await store.record_inbound("b", T0)
    await store.record_inbound("a", T0 - timedelta(hours=1))  # keeps the later time, refreshes recency
    await store.record_inbound("c", T0)
    assert await store.last_inbound("a") == T0
    assert await store.last_inbound("b") is None
    assert await store.last_inbound("c") == T0


# -- wait_status ----------------------------------------------------------------------------------------------


async def test_wait_resolves_on_target_or_later_status() -> None:
    conv = Conversations()
    delivered = asyncio.create_task(conv.wait_status("w1", "delivered"))
    read = asyncio.create_task(conv.wait_status("w1", "read"))
    await asyncio.sleep(0)
    conv.observe(status("sent"))
    await asyncio.sleep(0)
    assert not delivered.done() and not read.done()
    conv.observe(status("read"))  # delivered may be skipped when both happen together (FACTS §5.5)
    assert (await delivered).status == "read"
    assert (await read).status == "read"


async def test_played_satisfies_read_but_read_not_played() -> None:
    conv = Conversations()
    played = asyncio.create_task(conv.wait_status("w1", "played"))
    await asyncio.sleep(0)
    conv.observe(status("read"))
    assert (await conv.wait_status("w1", "read")).status == "read"
    assert not played.done()
    conv.observe(status("played"))
    assert (await played).status == "played"
    assert (await conv.wait_status("w1", "delivered")).status == "played"


async def test_status_before_the_wait_is_remembered() -> None:
    conv = Conversations()
    conv.observe(status("delivered"))
    conv.observe(status("sent"))  # an out-of-order older status does not move it back
    got = await conv.wait_status("w1", "delivered", timeout=0)
    assert got.status == "delivered"
    last = conv.last_status("w1")
    assert last is not None and last.status == "delivered"


async def test_remembered_statuses_are_bounded() -> None:
    conv = Conversations(remember=2)
    for wamid in ("a", "b", "c"):
        conv.observe(status("delivered", wamid))
    assert conv.last_status("a") is None
    with pytest.raises(TimeoutError):
        await conv.wait_status("a", "delivered", timeout=0)
    assert (await conv.wait_status("c", "delivered", timeout=0)).id == "c"


async def test_timeout_raises_and_cleans_up() -> None:
    conv = Conversations()
    with pytest.raises(TimeoutError):
        await conv.wait_status("w1", "delivered", timeout=0.001)
    assert "waiting=0" in repr(conv)


async def test_cancelled_waiter_is_removed() -> None:
    conv = Conversations()
    task = asyncio.create_task(conv.wait_status("w1"))
    await asyncio.sleep(0)
    assert "waiting=1" in repr(conv)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert "waiting=0" in repr(conv)
    conv.observe(status("delivered"))  # no stale future to resolve


async def test_failed_raises_the_error_class_of_its_code() -> None:
    conv = Conversations()
    waiter = asyncio.create_task(conv.wait_status("w1", "read"))
    await asyncio.sleep(0)
    conv.observe(status("sent"))
    conv.observe(status("failed", code=131049))
    with pytest.raises(RecipientError) as info:
        await waiter
    err = info.value
    assert err.code == 131049 and err.details == "why" and "failed title" in str(err)
    assert isinstance(err.request, Status) and err.request.id == "w1"
    # A wait started after the failure raises too, and a late "read" does not hide it.
    conv.observe(status("read"))
    with pytest.raises(RecipientError):
        await conv.wait_status("w1", "sent")


async def test_failed_with_transient_code_and_without_errors() -> None:
    conv = Conversations()
    conv.observe(status("failed", "w2", code=131000))
    with pytest.raises(ServerError):
        await conv.wait_status("w2")
    conv.observe(Status(id="w3", status="failed", recipient_id=USER, timestamp=T0))
    with pytest.raises(Exception, match="message w3 failed"):
        await conv.wait_status("w3")


async def test_unknown_status_value_ignored_and_bad_target_rejected() -> None:
    conv = Conversations()
    conv.observe(status("deleted"))
    assert conv.last_status("w1") is None
    with pytest.raises(ValueError, match="status must be"):
        await conv.wait_status("w1", "failed")  # type: ignore[arg-type]


async def test_waiters_for_other_messages_untouched() -> None:
    conv = Conversations()
    other = asyncio.create_task(conv.wait_status("w2", "delivered"))
    await asyncio.sleep(0)
    conv.observe(status("read", "w1"))
    await asyncio.sleep(0)
    assert not other.done()
    conv.observe(status("delivered", "w2"))
    assert (await other).id == "w2"


# -- identity: phones, BSUIDs, parent BSUIDs ---------------------------------------------------------------------

BSUID = "US.1234567890123456789"
PARENT = "US.ENT.1234567890987654321"


def from_user(at: datetime, *, phone: str | None, user_id: str, parent: str | None = None) -> TextMessage:
    return TextMessage(
        id="m", from_=phone, user_id=user_id, parent_user_id=parent, timestamp=at, type="text", body="hi",
        phone_number_id="PN1",
    )  # fmt: skip


async def test_a_user_who_hides_their_number_is_one_contact_on_their_bsuids() -> None:
    clock = Clock()
    conv = Conversations(clock=clock)
    conv.attach()
    conv.observe(from_user(T0, phone=None, user_id=BSUID, parent=PARENT))
    await conv.check_window(BSUID)
    await conv.check_window(PARENT)
    conv.check_window_nowait(BSUID)
    with pytest.raises(WindowClosed):
        await conv.check_window(USER)  # their phone was never shared: nothing is known under it


async def test_phone_and_bsuid_open_the_same_window() -> None:
    conv = Conversations(clock=Clock())
    conv.attach()
    conv.observe(from_user(T0, phone=USER, user_id=BSUID))
    assert await conv.window_expires(USER) == await conv.window_expires(BSUID) == T0 + timedelta(hours=24)
    # Later Meta no longer shares the phone: a message with the BSUID alone still moves the phone's window.
    conv.observe(from_user(T0 + timedelta(hours=5), phone=None, user_id=BSUID))
    assert await conv.window_expires(BSUID) == await conv.window_expires(USER) == T0 + timedelta(hours=29)
    # Another user is untouched.
    assert await conv.window_expires("US.other") is None


def user_id_update(previous: str, current: str, *, parent: tuple[str, str] | None = None) -> UserIdUpdate:
    return UserIdUpdate(
        user_id=current, previous_user_id=previous, parent_user_id=parent[1] if parent else None,
        previous_parent_user_id=parent[0] if parent else None, timestamp=T0, phone_number_id="PN1",
    )  # fmt: skip


async def test_user_id_update_moves_the_window_to_the_new_ids() -> None:
    conv = Conversations(clock=Clock(), phone_number_id="PN1")
    conv.attach()
    conv.observe(from_user(T0, phone=None, user_id=BSUID, parent=PARENT))
    conv.observe(user_id_update(BSUID, "US.999", parent=(PARENT, "US.ENT.999")))
    await conv.check_window("US.999")
    await conv.check_window("US.ENT.999")
    assert await conv.window_expires("US.999") == T0 + timedelta(hours=24)


async def test_user_id_update_for_an_unknown_user_opens_nothing() -> None:
    conv = Conversations(clock=Clock())
    conv.attach()
    conv.observe(user_id_update("US.1", "US.2"))
    with pytest.raises(WindowClosed):
        await conv.check_window("US.2")


async def test_system_message_of_a_changed_user_id_carries_the_window_but_opens_none() -> None:
    conv = Conversations(clock=Clock(), phone_number_id="PN1")
    conv.attach()
    conv.observe(from_user(T0, phone=USER, user_id=BSUID))
    later = T0 + timedelta(hours=3)
    changed = SystemMessage(
        id="s", from_=USER, timestamp=later, type="system", system_type="user_changed_user_id",
        new_user_id="US.NEW", phone_number_id="PN1",
    )  # fmt: skip
    conv.observe(changed)
    assert await conv.window_expires("US.NEW") == T0 + timedelta(hours=24)  # the last message's, not the notice's
    assert await conv.window_expires(USER) == T0 + timedelta(hours=24)


async def test_user_id_update_reaches_a_shared_store() -> None:
    store = SlowSharedStore()
    store.data[BSUID] = T0 + timedelta(hours=1)  # another process saw a later message
    conv = Conversations(clock=Clock(), store=store)
    conv.attach()
    conv.observe(from_user(T0, phone=None, user_id=BSUID))
    conv.observe(user_id_update(BSUID, "US.999"))
    await conv.flush()
    assert store.data["US.999"] == T0 + timedelta(hours=1)
    assert await conv.window_expires("US.999") == T0 + timedelta(hours=25)


async def test_the_ids_linked_together_are_bounded_like_the_windows() -> None:
    conv = Conversations(clock=Clock(), store=MemoryWindowStore(size=4))
    for i in range(10):
        conv.observe(from_user(T0, phone=f"1555000{i:04d}", user_id=f"US.{i}"))
    assert len(conv._aliases) <= 4
