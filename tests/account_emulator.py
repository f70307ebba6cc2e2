"""``python -m tests.account_emulator``: the emulator in a process of its own, with the users' side of calls and
groups already played (which no HTTP call can do): a user who allows calls, two users calling, a group that needs
approval with two join requests. Prints those ids, then the emulator's usual lines (see tests/emulator_process.py).
"""

from __future__ import annotations

import asyncio
import contextlib

import wa_async as wa
from wa_async.emulator._serve import describe

CALLER, INCOMING, DECLINED = "15551234567", "wacid.cli-incoming", "wacid.cli-declined"


async def main() -> None:
    async with wa.Emulator(rate_limit=None, port=0) as emu:
        pnid = emu.phone_number_id
        emu.calls.grant_permission(pnid, CALLER)
        emu.calls.incoming(pnid, "15557654321", call_id=INCOMING)
        emu.calls.incoming(pnid, "15557654322", call_id=DECLINED)
        async with wa.Client.maton(pnid, api_key="seed", base_url=emu.gateway_url, rate_limit=None) as client:
            request_id = await client.groups.create("CLI club", join_approval_mode="approval_required")
        group = emu.groups.by_request(request_id)
        first = emu.groups.join(group.id, "15552220001", username="ana.example")
        second = emu.groups.join(group.id, "15552220002")
        print(f"group_id         {group.id}")
        print(f"join_requests    {first} {second}")
        print(describe(emu), flush=True)
        await asyncio.Event().wait()


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main())
