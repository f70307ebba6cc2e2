"""``wa-async``: send against an emulator in another process, the demo, one-line errors."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator

import pytest
from rich.console import Console

from tests.emulator_process import emulator_process as start_emulator
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
    import json
    import urllib.request

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
