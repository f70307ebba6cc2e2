"""``wa-async``: send against an emulator in another process, the demo, one-line errors."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from rich.console import Console

from tests.emulator_process import emulator_process as start_emulator
from wa_async._options import DEFAULT_API_VERSION
from wa_async.cli import main
from wa_async.cli.demo import run_demo


@pytest.fixture(scope="module")
def emulator_process() -> Iterator[dict[str, str]]:
    with start_emulator("--rate", "10") as info:
        yield info


def wa(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("WA_", "MATON_"))}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "wa_async.cli", *args], capture_output=True, text=True, env=full_env, timeout=60
    )


def test_send_text_prints_the_wamid(emulator_process: dict[str, str]) -> None:
    env = {
        "MATON_API_KEY": "k",
        "WA_PHONE_NUMBER_ID": emulator_process["phone_number_id"],
        "WA_BASE_URL": emulator_process["gateway_url"],
    }
    done = wa("send", "text", "--to", "+15551234567", "--body", "hello from the CLI", env=env)
    assert done.returncode == 0, done.stderr
    wamid = done.stdout.strip()
    assert re.fullmatch(r"wamid\.\S+", wamid)
    with urllib.request.urlopen(emulator_process["graph_url"] + "/__emulator/accepted") as resp:  # loopback only
        accepted = json.loads(resp.read())
    items = accepted if isinstance(accepted, list) else accepted.get("accepted", accepted)
    assert any(a["wamid"] == wamid and a["payload"]["text"]["body"] == "hello from the CLI" for a in items)


def test_send_other_types_with_flags(emulator_process: dict[str, str]) -> None:
    target = ["--phone-number-id", emulator_process["phone_number_id"], "--api-key", "k",
              "--base-url", emulator_process["gateway_url"]]  # fmt: skip
    for args in (
        ["template", "--to", "15551234567", "--name", "order_update", "--param", "Ann", "--param", "#1"],
        ["image", "--to", "15551234567", "--link", "https://example.com/a.jpg", "--caption", "hi"],
        ["location", "--to", "15551234567", "--latitude", "52.5", "--longitude", "13.4"],
        ["buttons", "--to", "15551234567", "--body", "pick", "--button", "y:Yes", "--button", "n:No"],
    ):
        done = wa("send", *args, *target)
        assert done.returncode == 0, (args, done.stderr)
        assert done.stdout.startswith("wamid.")


def test_api_error_is_one_line_with_its_code(emulator_process: dict[str, str]) -> None:
    target = ["--phone-number-id", emulator_process["phone_number_id"], "--api-key", "k",
              "--base-url", emulator_process["gateway_url"]]  # fmt: skip
    done = wa("send", "template", "--to", "15551234567", "--name", "no_such_template", *target)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "132001" in lines[0] and lines[0].startswith("wa-async: error:")


def test_user_mistakes_are_one_line_exit_2() -> None:
    done = wa("send", "text", "--to", "15551234567", "--body", "x")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "WA_PHONE_NUMBER_ID" in done.stderr
    done = wa("send", "text", "--to", "12", "--body", "x", env={"MATON_API_KEY": "k", "WA_PHONE_NUMBER_ID": "1"})
    assert done.returncode == 2 and "to:" in done.stderr and len(done.stderr.strip().splitlines()) == 1
    done = wa("send", "buttons", "--to", "15551234567", "--body", "x", "--button", "nocolon",
              env={"MATON_API_KEY": "k", "WA_PHONE_NUMBER_ID": "1"})  # fmt: skip
    assert done.returncode == 2 and "ID:TITLE" in done.stderr


def test_unreachable_server_is_one_line() -> None:
    done = wa("send", "text", "--to", "15551234567", "--body", "x",
              env={"MATON_API_KEY": "k", "WA_PHONE_NUMBER_ID": "1", "WA_BASE_URL": "http://127.0.0.1:9"})  # fmt: skip
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "could not connect" in done.stderr


async def test_demo_runs_and_reports_no_429s() -> None:
    console = Console(record=True, width=100)
    figures = await run_demo(25, 50, console)
    out = console.export_text()
    assert figures["sent"] == 25 and figures["failed"] == 0
    assert figures["rate_limited"] == 0 and figures["max_window"] <= 50
    assert "429s seen by the server" in out and "achieved rate" in out


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    for command in ("demo", "emulator", "send", "broadcast"):
        assert command in out


# --- every send verb, in process against the emulator process ----------------------------------------------------

GROUP = "Y2FwaV9ncm91cDoxNTU1MDAwMTExMToxMjM0NTY3ODkwMTIzNDU2Nzg5MAZDZD"
LINK = "https://example.com/a.jpg"
SEND_VERBS: list[tuple[list[str], str, dict[str, Any]]] = [
    # (the command line after --to, the recipient given, what the accepted body must hold)
    (["text", "--body", "hi"], "+1 (555) 123-4567", {"to": "15551234567", "type": "text"}),
    (["text", "--body", "hi"], "+1 555 123 4567", {"to": "15551234567"}),
    (["text", "--body", "to a username", "--callback-data", "c-1"], "US.13491208655302741918",
     {"recipient": "US.13491208655302741918", "biz_opaque_callback_data": "c-1"}),
    (["text", "--group", "--body", "hello all"], GROUP, {"recipient_type": "group", "to": GROUP}),
    (["contacts", "--name", "Ann", "--phone", "+15550001111", "--reply-to", "wamid.X"], "15551230001",
     {"type": "contacts", "context": {"message_id": "wamid.X"}}),
    (["product", "--catalog-id", "C1", "--product-id", "SKU-1", "--body", "Look"], "15551230002",
     {"interactive": {"type": "product", "body": {"text": "Look"},
                      "action": {"catalog_id": "C1", "product_retailer_id": "SKU-1"}}}),
    (["product-list", "--catalog-id", "C1", "--header", "Menu", "--body", "Pick", "--section", "Beans:B1,B2",
      "--section", "Tools:T1"], "15551230003",
     {"interactive.action.sections": [
         {"title": "Beans", "product_items": [{"product_retailer_id": "B1"}, {"product_retailer_id": "B2"}]},
         {"title": "Tools", "product_items": [{"product_retailer_id": "T1"}]}]}),
    (["catalog", "--body", "Browse", "--thumbnail-product-id", "B1"], "15551230004",
     {"interactive.action": {"name": "catalog_message", "parameters": {"thumbnail_product_retailer_id": "B1"}}}),
    (["carousel", "--body", "Offers", "--card", f"{LINK}|Shop|https://example.com/1|Beans",
      "--card", f"{LINK}|Shop|https://example.com/2"], "15551230005",
     {"interactive.action.cards.0.body": {"text": "Beans"}, "interactive.action.cards.1.card_index": 1}),
    (["carousel", "--body", "Products", "--catalog-id", "C1", "--product", "B1", "--product", "B2"], "15551230006",
     {"interactive.action.cards.1.action": {"product_retailer_id": "B2", "catalog_id": "C1"}}),
    (["location-request", "--body", "Where are you?"], "15551230007",
     {"interactive.action": {"name": "send_location"}}),
    (["call-permission"], "US.13491208655302741918", {"interactive.type": "call_permission_request"}),
    (["contact-info-request", "--body", "Your number, please"], "US.ENT.11815799212886844830",
     {"recipient": "US.ENT.11815799212886844830", "interactive.action": {"name": "request_contact_info"}}),
    (["voice-call", "--body", "Call us", "--ttl-minutes", "60", "--payload", "t-1"], "15551230008",
     {"interactive.action.parameters": {"ttl_minutes": 60, "payload": "t-1"}}),
    (["address", "--body", "Where to?", "--value", "city=Mumbai"], "919876543210",
     {"interactive.action.parameters": {"country": "IN", "values": {"city": "Mumbai"}}}),
    (["order-details", "--body", "Pay", "--reference-id", "o-1", "--currency", "BRL",
      "--item", "Gift card|5000|2|GIFT", "--tax", "100", "--payment-link", "https://pay.example.com/o-1"],
     "5511987654321",
     {"interactive.action.parameters.total_amount": {"value": 10100, "offset": 100},
      "interactive.action.parameters.payment_type": "br"}),
    (["order-status", "--body", "Shipped", "--reference-id", "o-1", "--status", "shipped"], "5511987654322",
     {"interactive.action.parameters.order": {"status": "shipped"}}),
    (["template", "--name", "reservation_confirmation", "--named-param", "number_of_guests=2",
      "--named-param", "day=Friday", "--named-param", "date=May 1", "--named-param", "time=7pm",
      "--language-policy", "deterministic"], "15551230009",
     {"template.language": {"policy": "deterministic", "code": "en_US"},
      "template.components.0.parameters.0": {"type": "text", "parameter_name": "number_of_guests", "text": "2"}}),
    (["otp", "--name", "verification_code", "--code", "482913"], "15551230010",
     {"template.components.1": {"type": "button", "sub_type": "url", "index": "0",
                                "parameters": [{"type": "text", "text": "482913"}]}}),
]  # fmt: skip


def _at(body: Any, path: str) -> Any:
    for key in path.split("."):
        body = body[int(key)] if isinstance(body, list) else body[key]
    return body


def _accepted(emulator: dict[str, str]) -> list[dict[str, Any]]:
    with urllib.request.urlopen(emulator["graph_url"] + "/__emulator/accepted") as resp:  # loopback only
        items: list[dict[str, Any]] = json.loads(resp.read())
    return items


def _graph_target(emulator: dict[str, str]) -> list[str]:
    # Graph mode (80 requests a second per number) keeps these quick sends clear of the gateway's 10/s window.
    pnid, url = emulator["phone_number_id"], emulator["graph_url"]
    return ["--phone-number-id", pnid, "--access-token", "t", "--base-url", url]


@pytest.fixture(scope="module")
def auth_template(emulator_process: dict[str, str]) -> None:
    body = {"name": "verification_code", "language": "en_US", "category": "AUTHENTICATION",
            "components": [{"type": "BODY", "text": "{{1}} is your verification code."}]}  # fmt: skip
    url = f"{emulator_process['graph_url']}/{DEFAULT_API_VERSION}/{emulator_process['waba_id']}/message_templates"
    request = urllib.request.Request(url, json.dumps(body).encode(), {"Authorization": "Bearer t"}, method="POST")
    with urllib.request.urlopen(request) as resp:  # loopback only
        assert json.loads(resp.read())["status"] == "APPROVED"


@pytest.mark.parametrize(("verb", "to", "expected"), SEND_VERBS, ids=[f"{v[0]}-{i}" for i, (v, _, _) in
                                                                      enumerate(SEND_VERBS)])  # fmt: skip
def test_every_send_verb_reaches_the_emulator(
    emulator_process: dict[str, str], auth_template: None, capsys: pytest.CaptureFixture[str],
    verb: list[str], to: str, expected: dict[str, Any],
) -> None:  # fmt: skip
    code = main(["send", verb[0], "--to", to, *verb[1:], *_graph_target(emulator_process)])
    out, err = capsys.readouterr()
    assert code == 0, err
    wamid = out.strip()
    [record] = [a for a in _accepted(emulator_process) if a["wamid"] == wamid]
    for path, value in expected.items():
        assert _at(record["payload"], path) == value, path


def test_every_send_verb_is_tested() -> None:
    from wa_async.cli.send import _VERBS

    tested = {verb[0] for verb, _, _ in SEND_VERBS} | {"template", "image", "location", "buttons"}  # and above
    assert set(_VERBS) - tested <= {"video", "audio", "document", "sticker", "reaction", "cta"}  # as before


def test_send_verbs_refuse_bad_input_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    target = ["--phone-number-id", "1", "--api-key", "k", "--base-url", "http://127.0.0.1:9"]  # never reached
    cases = [
        (["carousel", "--to", "15551234567", "--body", "b", "--card", "only-a-link"], "MEDIA_LINK|BUTTON_TEXT|URL"),
        (["carousel", "--to", "15551234567", "--body", "b", "--card", f"{LINK}|Go|{LINK}"], "cards: 1 cards"),
        (["product-list", "--to", "1555", "--catalog-id", "c", "--header", "h", "--body", "b", "--section", "x:p"],
         "to: "),
        (["otp", "--to", "US.13491208655302741918", "--name", "verification_code", "--code", "1"], "131062"),
        (["text", "--to", "Y2Fw", "--group", "--body", "\ud800"], "lone surrogate"),
        (["order-details", "--to", "15551234567", "--body", "b", "--reference-id", "r", "--currency", "INR",
          "--item", "A|x|1"], "--item"),
        (["buttons", "--to", "15551234567", "--group", "--body", "b", "--button", "a:A"], "group"),
    ]  # fmt: skip
    for argv, words in cases:
        code = main(["send", *argv, *target])
        err = capsys.readouterr().err
        assert code == 2, (argv, err)
        assert words in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err, (argv, err)


def test_marketing_flag_builds_a_marketing_template() -> None:
    from wa_async.cli import build_parser
    from wa_async.cli.send import build_message

    args = build_parser().parse_args(["send", "template", "--to", "15551234567", "--name", "spring_sale",
                                      "--param", "Jamie", "--marketing", "--product-policy", "STRICT"])  # fmt: skip
    msg = build_message(args)
    assert msg.endpoint == "marketing_messages"
    assert json.loads(msg.to_json())["product_policy"] == "STRICT"


@pytest.mark.parametrize(("args", "needle"), [(["--port", "99999"], "--port 99999"), (["--port", "-1"], "--port -1"),
                                              (["--rate", "-5"], "--rate -5")])
def test_emulator_options_out_of_range_are_one_line_exit_2(
    capsys: pytest.CaptureFixture[str], args: list[str], needle: str
) -> None:
    assert main(["emulator", *args]) == 2
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("wa-async: error: ") and needle in lines[0], err


def test_help_names_every_environment_variable(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = " ".join(capsys.readouterr().out.split())
    for name in ("MATON_API_KEY", "MATON_CONNECTION_ID", "MATON_CTRL_URL", "WA_PHONE_NUMBER_ID", "WA_WABA_ID",
                 "WA_ACCESS_TOKEN", "WA_BASE_URL", "WA_API_VERSION"):  # fmt: skip
        assert name in out, name
