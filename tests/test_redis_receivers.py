"""Several receiver processes behind one URL, sharing Redis: each event handled once, windows and statuses shared.

Each receiver is a real process (``tests/receiver_process.py``) talking to a real ``redis-server``; the test
plays Meta (signed POSTs, a redelivery landing on the other process) and, at the end, the emulator in its own
process sends status webhooks to one receiver while another process waits for them.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.emulator_process import emulator_process
from tests.redis_server import RedisServer
from wa_async.webhooks import sign

ROOT = Path(__file__).resolve().parent.parent
PNID = "106540352242922"  # the emulator process's number
SECRET = "s3cret"


class Receiver:
    """A receiver process: send it a command, read its JSON answer."""

    def __init__(self, redis_url: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.receiver_process", redis_url, PNID, SECRET],
            cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        self.port = self.read()["port"]
        self.url = f"http://127.0.0.1:{self.port}/webhook"

    def read(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        assert line, f"the receiver exited ({self.proc.poll()})"
        answer: dict[str, Any] = json.loads(line)
        return answer

    def tell(self, command: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()

    def ask(self, command: str) -> dict[str, Any]:
        self.tell(command)
        return self.read()

    def post(self, body: bytes) -> int:
        request = urllib.request.Request(self.url, data=body, headers={"X-Hub-Signature-256": sign(body, SECRET)})
        with urllib.request.urlopen(request, timeout=10) as response:
            status: int = response.status
            return status

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                self.tell("quit")
                self.proc.wait(10)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        if self.proc.stdout is not None:
            self.proc.stdout.close()


@pytest.fixture
def receivers() -> Iterator[tuple[Receiver, Receiver]]:
    with RedisServer() as redis:
        first, second = Receiver(redis.url), Receiver(redis.url)
        try:
            yield first, second
        finally:
            first.stop()
            second.stop()


def delivery(messages: list[dict[str, Any]] = (), statuses: list[dict[str, Any]] = ()) -> bytes:  # type: ignore[assignment]
    value: dict[str, Any] = {"messaging_product": "whatsapp",
                             "metadata": {"display_phone_number": "15550001111", "phone_number_id": PNID}}  # fmt: skip
    if messages:
        value["messages"] = messages
    if statuses:
        value["statuses"] = statuses
    change = {"field": "messages", "value": value}
    return json.dumps({"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [change]}]}).encode()


def message(id: str) -> dict[str, Any]:
    return {"from": "16505551234", "id": id, "timestamp": str(int(time.time())), "type": "text",
            "text": {"body": "hi"}}  # fmt: skip


def status(id: str, st: str = "delivered") -> dict[str, Any]:
    return {"id": id, "status": st, "timestamp": str(int(time.time())), "recipient_id": "16505551234"}


@pytest.mark.timeout(60)
def test_a_redelivery_to_another_process_is_handled_once(receivers: tuple[Receiver, Receiver]) -> None:
    first, second = receivers
    body = delivery([message("wamid.IN1")], [status("wamid.OUT1", "sent")])
    assert first.post(body) == 200
    assert second.post(body) == 200  # Meta's redelivery, given to the other process by the load balancer
    assert first.post(body) == 200
    assert second.post(delivery(statuses=[status("wamid.OUT1", "delivered")])) == 200  # a new status passes
    handled = first.ask("handled")["handled"] + second.ask("handled")["handled"]
    assert sorted(handled) == [
        "Status:wamid.OUT1:delivered", "Status:wamid.OUT1:sent", "TextMessage:wamid.IN1:",
    ]  # fmt: skip
    # The message the first process received opened the user's window for every process.
    assert second.ask("window 16505551234")["expires"] is not None


@pytest.mark.timeout(60)
def test_a_status_received_by_one_process_resolves_wait_status_in_another(
    receivers: tuple[Receiver, Receiver],
) -> None:
    first, second = receivers
    first.ask("handled")  # both are up and serving
    assert first.post(delivery(statuses=[status("wamid.EARLY")])) == 200  # before anyone waits
    second.tell("wait wamid.EARLY")
    assert second.read() == {"wamid": "wamid.EARLY", "status": "delivered"}
    second.tell("wait wamid.LATER")  # waiting first, then the status comes to the other process
    assert second.ask("handled") == {"handled": []}  # the wait is running (commands are read in order)
    assert first.post(delivery(statuses=[status("wamid.LATER", "read")])) == 200  # read implies delivered
    assert second.read() == {"wamid": "wamid.LATER", "status": "read"}


@pytest.mark.timeout(90)
def test_a_message_sent_by_one_process_is_tracked_from_webhooks_another_receives(
    receivers: tuple[Receiver, Receiver],
) -> None:
    first, second = receivers
    with emulator_process("--rate", "0", "--webhook-url", first.url, "--app-secret", SECRET) as info:
        assert info["phone_number_id"] == PNID
        answer = second.ask(f"send {info['gateway_url']} 15551234567")
    assert answer["wamid"].startswith("wamid.") and answer["status"] in ("delivered", "read")
    handled = first.ask("handled")["handled"]
    assert f"Status:{answer['wamid']}:delivered" in handled
    assert second.ask("handled") == {"handled": []}  # the emulator posted only to the first
