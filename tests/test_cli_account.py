"""wa-async subscriptions|numbers|blocked|qr|username|flows|calls|groups against an emulator in another process
(tests/account_emulator.py plays the users' side). Most verbs run through ``wa_async.cli.main`` in this process (a
fresh interpreter per command would take half a minute); a few run as ``python -m wa_async.cli`` to prove the
real entry point's exit codes and one-line errors."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import wa_async as wa
from tests.emulator_process import emulator_process
from wa_async.cli import build_parser, main

ROOT = Path(__file__).resolve().parents[1]
SDP = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\n"
FLOW_JSON = {"version": "6.0", "screens": [{"id": "WELCOME", "layout": {"type": "SingleColumnLayout",
                                                                      "children": []}, "terminal": True}]}


@pytest.fixture(scope="module")
def emulator() -> Iterator[dict[str, str]]:
    with emulator_process(argv=[sys.executable, "-m", "tests.account_emulator"]) as info:
        yield info


@pytest.fixture
def env(emulator: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("WA_", "MATON_"))}
    values = {"MATON_API_KEY": "k", "WA_BASE_URL": emulator["gateway_url"],
              "WA_PHONE_NUMBER_ID": emulator["phone_number_id"], "WA_WABA_ID": emulator["waba_id"]}  # fmt: skip
    for name in os.environ:
        if name.startswith(("WA_", "MATON_")):
            monkeypatch.delenv(name)
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("COLUMNS", "200")
    return {**base, **values, "PYTHONPATH": str(ROOT), "COLUMNS": "200"}


class Cli:
    """``wa-async ARGS`` in this process: (exit code, stdout, stderr)."""

    def __init__(self, capsys: pytest.CaptureFixture[str]) -> None:
        self._capsys = capsys

    def __call__(self, *args: str) -> tuple[int, str, str]:
        self._capsys.readouterr()
        code = main(list(args))
        out, err = self._capsys.readouterr()
        return code, out, err

    def ok(self, *args: str) -> str:
        code, out, err = self(*args)
        assert code == 0, (args, out, err)
        return out

    def json(self, *args: str) -> object:
        return json.loads(self.ok(*args))

    def fails(self, code: int, *args: str, needles: tuple[str, ...] = ()) -> str:
        got, out, err = self(*args)
        assert got == code, (args, out, err)
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("wa-async: error: "), err
        for needle in needles:
            assert needle in lines[0], (needle, lines[0])
        return out


@pytest.fixture
def cli(env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(capsys)


def test_every_command_is_registered() -> None:
    parser = build_parser()
    for argv in (["subscriptions", "list"], ["numbers", "register", "123456"], ["blocked", "block", "1"],
                 ["qr", "list"], ["username", "get"], ["flows", "list"], ["calls", "settings"],
                 ["groups", "list"]):  # fmt: skip
        assert callable(parser.parse_args(argv).func)


def test_the_real_entry_point_exits_with_one_line_errors(env: dict[str, str], tmp_path: Path) -> None:
    def wa_async(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "wa_async.cli", *args], env=env, cwd=tmp_path, text=True,
                              capture_output=True, timeout=60)  # fmt: skip

    done = wa_async("numbers", "register", "12345")
    assert done.returncode == 2 and done.stderr.strip().startswith("wa-async: error: invalid input: pin")
    done = wa_async("blocked", "block", env["WA_PHONE_NUMBER_ID"] and "15550783881")  # the business itself
    assert done.returncode == 1 and json.loads(done.stdout)["failed"][0]["errors"][0]["code"] == 131021
    assert len(done.stderr.strip().splitlines()) == 1 and "131021" in done.stderr
    done = wa_async("qr", "create", "From the command line", "--image", "svg")
    assert done.returncode == 0 and json.loads(done.stdout)["qr_image_url"].endswith(".svg")


def test_subscriptions(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    assert "subscribed apps" in cli.ok("subscriptions", "list")
    assert cli.ok("subscriptions", "subscribe").strip() == "subscribed"
    (line,) = cli.ok("subscriptions", "list", "--json").splitlines()
    assert json.loads(line)["name"] == "Emulated WhatsApp App"
    cli.ok("subscriptions", "subscribe", "--callback-url", "https://waba.example.com/h", "--verify-token", "t")
    cli.ok("subscriptions", "override", "https://pn.example.com/h", "--verify-token", "t")
    config = cli.json("subscriptions", "config")
    assert config == {"phone_number": "https://pn.example.com/h", "whatsapp_business_account":
                      "https://waba.example.com/h", "application": "", "effective": "https://pn.example.com/h"}
    assert cli.ok("subscriptions", "remove-override").strip() == "override removed"
    assert cli.json("subscriptions", "config")["effective"] == "https://waba.example.com/h"  # type: ignore[index]
    assert cli.ok("subscriptions", "unsubscribe").strip() == "unsubscribed"
    cli.fails(2, "subscriptions", "subscribe", "--callback-url", "http://hooks.example.com", "--verify-token", "t",
              needles=("callback_url", "https"))  # fmt: skip
    monkeypatch.delenv("WA_WABA_ID")
    cli.fails(2, "subscriptions", "subscribe", needles=("--waba-id",))


def test_numbers(cli: Cli) -> None:
    assert cli.ok("numbers", "throughput").strip() == "STANDARD"
    assert cli.ok("numbers", "request-code", "--method", "voice").strip() == "code sent by VOICE"
    cli.fails(1, "numbers", "verify-code", "not-the-code", needles=("invalid",))
    cli.fails(2, "numbers", "register", "12a456", needles=("pin", "6 digits"))
    cli.fails(2, "numbers", "register", "123456", "--region", "US", needles=("data_localization_region",))
    assert cli.ok("numbers", "register", "246810", "--region", "de").strip() == "registered"
    assert cli.ok("numbers", "deregister").strip() == "deregistered"
    cli.fails(1, "numbers", "deregister", needles=("not registered",))
    assert cli.ok("numbers", "register", "246810").strip() == "registered"
    cli.fails(1, "numbers", "register", "135790", needles=("133005",))
    settings = cli.json("numbers", "settings")
    assert settings["calling"]["status"] == "DISABLED"  # type: ignore[index]


def test_blocked(cli: Cli) -> None:
    result = cli.json("blocked", "block", "+1 555 000 1111", "US.1234567890123456780")
    assert [u["input"] for u in result["done"]] == ["15550001111", "US.1234567890123456780"]  # type: ignore[index]
    table = cli.ok("blocked", "list")
    assert "15550001111" in table and "US.1234567890123456780" in table
    lines = cli.ok("blocked", "list", "--json").splitlines()
    assert [json.loads(x).get("wa_id") for x in lines] == ["15550001111", None]
    out = cli.fails(2, "blocked", "unblock", "15550001111", "US.ENT.1234567890987654321", needles=("users[1]",))
    assert out == ""  # refused before anything was sent
    cli.ok("blocked", "unblock", "15550001111", "US.1234567890123456780")
    assert cli.ok("blocked", "list", "--json") == ""
    cli.fails(2, "blocked", "block", "hello", needles=("users[0]",))


def test_qr_codes(cli: Cli) -> None:
    created = cli.json("qr", "create", "Hi! A table for two?")
    code = created["code"]  # type: ignore[index]
    assert created["qr_image_url"].endswith(".png")  # type: ignore[index]
    assert code in cli.ok("qr", "list")
    assert cli.json("qr", "update", code, "Hi! A table for four?")["prefilled_message"] == "Hi! A table for four?"  # type: ignore[index]
    assert cli.json("qr", "get", code, "--image", "svg")["qr_image_url"].endswith(".svg")  # type: ignore[index]
    assert cli.ok("qr", "delete", code).strip() == "deleted"
    cli.fails(1, "qr", "get", code, needles=("803", "not found"))
    cli.fails(2, "qr", "create", "x" * 141, needles=("prefilled_message", "140"))


def test_username(cli: Cli) -> None:
    names = cli.ok("username", "suggestions").split()
    assert names and names[0].startswith("emulated")
    assert cli.ok("username", "set", names[0]).strip() == "approved"
    assert cli.json("username", "get") == {"username": names[0], "status": "approved"}
    assert cli.ok("username", "delete").strip() == "deleted"
    assert cli("username", "delete") == (1, "no username to delete\n", "")  # Meta answers success: false


def test_flows(cli: Cli, tmp_path: Path) -> None:
    created = cli.json("flows", "create", "--name", "cli flow", "--category", "other", "--category", "SURVEY")
    flow_id = created["id"]  # type: ignore[index]
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    cli.fails(2, "flows", "upload", flow_id, str(broken), needles=("flow_json", "not JSON"))
    invalid = tmp_path / "invalid.json"
    invalid.write_text(json.dumps({"version": "6.0", "screens": [{"id": "A"}]}))
    out = cli.fails(1, "flows", "upload", flow_id, str(invalid), needles=("1 validation error", "layout"))
    assert json.loads(out)["validation_errors"][0]["error"] == "MISSING_REQUIRED_PROPERTY"
    valid = tmp_path / "flow.json"
    valid.write_text(json.dumps({**FLOW_JSON, "data_api_version": "3.0"}))
    assert json.loads(cli.ok("flows", "upload", flow_id, str(valid))) == {"success": True}
    cli.ok("flows", "update", flow_id, "--endpoint-uri", "https://flows.example.com/endpoint")
    pair = wa.flows.generate_key_pair()
    (tmp_path / "private.pem").write_text(pair.private_pem)
    cli.fails(2, "flows", "set-key", str(tmp_path / "private.pem"), needles=("private key",))
    cli.fails(1, "flows", "publish", flow_id, needles=("139002",))  # an endpoint Flow needs the key first
    (tmp_path / "public.pem").write_text(pair.public_pem)
    assert cli.ok("flows", "set-key", str(tmp_path / "public.pem")).strip() == "key uploaded"
    assert cli.json("flows", "key")["business_public_key_signature_status"] == "VALID"  # type: ignore[index]
    assert cli.ok("flows", "preview", flow_id).startswith("https://business.facebook.com/wa/manage/flows/")
    assert "FLOW_JSON" in cli.ok("flows", "assets", flow_id)
    assert cli.ok("flows", "publish", flow_id).strip() == "published"
    assert cli.json("flows", "get", flow_id)["status"] == "PUBLISHED"  # type: ignore[index]
    assert "cli flow" in cli.ok("flows", "list")
    cli.fails(1, "flows", "delete", flow_id, needles=("139004",))
    assert cli.ok("flows", "deprecate", flow_id).strip() == "deprecated"
    draft = cli.json("flows", "create", "--name", "draft", "--category", "OTHER", "--json-file", str(valid))
    assert cli.ok("flows", "delete", draft["id"]).strip() == "deleted"  # type: ignore[index]
    cli.fails(2, "flows", "create", "--name", "x", "--category", "sign up", needles=("categories[0]",))


def test_calls(cli: Cli, tmp_path: Path) -> None:
    sdp = tmp_path / "offer.sdp"
    sdp.write_text(SDP)
    cli.fails(1, "calls", "connect", "15551234567", "--sdp", str(sdp), needles=("138000",))  # calling is off
    cli.fails(2, "calls", "set", "--hours", "MONDAY=9-17", "--timezone", "Europe/Berlin",
              needles=("open_time",))  # fmt: skip
    assert cli.ok("calls", "set", "--status", "enabled", "--call-hours", "ENABLED", "--timezone", "Europe/Berlin",
                  "--hours", "MONDAY=0900-1200", "--hours", "monday=1300-1730", "--holiday", "2026-12-25",
                  "--countries", "US,ca").strip() == "updated"  # fmt: skip
    settings = cli.json("calls", "settings")
    assert settings["status"] == "ENABLED" and settings["call_icons"] == {"restrict_to_user_countries": ["US", "CA"]}  # type: ignore[index]
    assert len(settings["call_hours"]["weekly_operating_hours"]) == 2  # type: ignore[index]
    assert cli.json("calls", "permissions", "15551234567")["status"] == "temporary"  # type: ignore[index]
    call_id = cli.ok("calls", "connect", "15551234567", "--sdp", str(sdp), "--callback-data", "ticket").strip()
    assert call_id.startswith("wacid.")
    assert cli.ok("calls", "terminate", call_id).strip() == "terminated"
    cli.fails(1, "calls", "connect", "15550000000", "--sdp", str(sdp), needles=("138006",))
    answer = tmp_path / "answer.sdp"
    answer.write_text(SDP.replace("1 2", "3 4"))
    assert cli.ok("calls", "pre-accept", "wacid.cli-incoming", "--sdp", str(answer)).strip() == "pre-accepted"
    cli.fails(1, "calls", "accept", "wacid.cli-incoming", "--sdp", str(sdp), needles=("pre_accept SDP",))
    assert cli.ok("calls", "accept", "wacid.cli-incoming", "--sdp", str(answer)).strip() == "accepted"
    assert cli.ok("calls", "terminate", "wacid.cli-incoming").strip() == "terminated"
    assert cli.ok("calls", "reject", "wacid.cli-declined").strip() == "rejected"
    cli.fails(2, "calls", "connect", "15551234567", "--sdp", str(tmp_path / "missing.sdp"), needles=("missing.sdp",))


def jpeg(side: int) -> bytes:
    frame = struct.pack(">BHHB", 8, side, side, 1) + b"\x01\x11\x00"
    return b"\xff\xd8\xff\xc0" + struct.pack(">H", len(frame) + 2) + frame + b"\xff\xd9"


def test_groups(cli: Cli, emulator: dict[str, str], tmp_path: Path) -> None:
    group_id = emulator["group_id"]
    first, second = emulator["join_requests"].split()
    assert group_id in cli.ok("groups", "list")
    assert cli.json("groups", "get", group_id)["join_approval_mode"] == "approval_required"  # type: ignore[index]
    requests = [json.loads(x) for x in cli.ok("groups", "join-requests", group_id, "--json").splitlines()]
    assert [r["join_request_id"] for r in requests] == [first, second] and requests[0]["username"] == "ana.example"
    assert cli.json("groups", "approve", group_id, first)["done"] == [first]  # type: ignore[index]
    out = cli.fails(1, "groups", "reject", group_id, second, "unknown", needles=("1 join request(s) not rejected",
                                                                                 "unknown", "131213"))  # fmt: skip
    assert json.loads(out)["done"] == [second]
    link = cli.ok("groups", "invite-link", group_id).strip()
    assert link.startswith("https://chat.whatsapp.com/")
    assert cli.ok("groups", "invite-link", group_id, "--reset").strip() != link
    assert cli.ok("groups", "invite-link", group_id, "--revoke").strip() == "revoked"
    assert cli("groups", "invite-link", group_id)[0] == 1
    assert cli.json("groups", "add", group_id, "15553330001")["done"] == [{"input": "15553330001"}]  # type: ignore[index]
    out = cli.fails(1, "groups", "remove", group_id, "15553330001", "15559999999", needles=("131212",))
    assert json.loads(out)["done"] == [{"input": "15553330001"}]
    cli.fails(2, "groups", "remove", group_id, *[f"1555444{i:04d}" for i in range(9)], needles=("users", "8"))
    picture = tmp_path / "club.jpg"
    picture.write_bytes(jpeg(256))
    assert cli.ok("groups", "update", group_id, "--subject", "CLI VIP club", "--picture", str(picture)).strip() == \
        "updated"
    assert cli.json("groups", "get", group_id)["subject"] == "CLI VIP club"  # type: ignore[index]
    (tmp_path / "small.jpg").write_bytes(jpeg(100))
    cli.fails(2, "groups", "update", group_id, "--picture", str(tmp_path / "small.jpg"), needles=("192",))
    request_id = cli.ok("groups", "create", "Another club", "--description", "made by the CLI").strip()
    assert request_id.isdigit()
    assert "Another club" in cli.ok("groups", "list")
    assert cli.ok("groups", "delete", group_id).strip() == "deleted"
    cli.fails(2, "groups", "create", "x" * 129, needles=("subject", "128"))
