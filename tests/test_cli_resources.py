"""wa-async media|templates|numbers|profile|connections against ``python -m wa_async.emulator`` in another process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.emulator_process import emulator_process
from wa_async.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def emulator() -> Iterator[dict[str, str]]:
    with emulator_process("--rate", "0") as info:
        yield info


@pytest.fixture
def env(emulator: dict[str, str]) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("WA_", "MATON_"))}
    return {**base, "PYTHONPATH": str(ROOT), "COLUMNS": "200", "MATON_API_KEY": "k",
            "WA_BASE_URL": emulator["gateway_url"], "WA_PHONE_NUMBER_ID": emulator["phone_number_id"],
            "WA_WABA_ID": emulator["waba_id"], "MATON_CTRL_URL": emulator["ctrl_url"]}  # fmt: skip


def wa(env: dict[str, str], *args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "wa_async.cli", *args], env=env, cwd=cwd, capture_output=True,
                          text=True, timeout=60)  # fmt: skip


def ok(env: dict[str, str], *args: str, cwd: Path = ROOT) -> str:
    done = wa(env, *args, cwd=cwd)
    assert done.returncode == 0, done.stderr
    return done.stdout


def one_line_error(done: subprocess.CompletedProcess[str], code: int, *needles: str) -> None:
    assert done.returncode == code, (done.stdout, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("wa-async: error: "), done.stderr
    assert "Traceback" not in done.stderr
    for needle in needles:
        assert needle in lines[0]


def test_every_group_is_registered() -> None:
    parser = build_parser()
    for argv in (["media", "get", "1"], ["templates", "list"], ["numbers", "list"], ["profile", "get"],
                 ["connections", "list"]):  # fmt: skip
        assert callable(parser.parse_args(argv).func)


def test_media(env: dict[str, str], tmp_path: Path) -> None:
    src = tmp_path / "note.txt"
    src.write_text("hello from the command line\n")
    media_id = ok(env, "media", "upload", str(src), "--type", "text/plain").strip()
    assert media_id.isdigit()
    info = json.loads(ok(env, "media", "get", media_id))
    assert info["id"] == media_id and info["mime_type"] == "text/plain" and info["file_size"] == 28
    assert Path(ok(env, "media", "download", media_id, cwd=tmp_path).strip()) == Path(f"{media_id}.txt")
    assert (tmp_path / f"{media_id}.txt").read_bytes() == src.read_bytes()
    out = tmp_path / "copy.txt"
    ok(env, "media", "download", media_id, "--out", str(out))
    assert out.read_bytes() == src.read_bytes()
    assert ok(env, "media", "delete", media_id).strip() == "deleted"
    one_line_error(wa(env, "media", "delete", media_id), 1, "NotFound", media_id)
    one_line_error(wa(env, "media", "upload", str(src), "--type", "image/gif"), 2, "image/gif")
    one_line_error(wa(env, "media", "upload", str(tmp_path / "missing.png"), "--type", "image/png"), 2, "no such")
    one_line_error(wa({**env, "MATON_API_KEY": ""}, "media", "get", "1"), 2, "MATON_API_KEY")


def test_templates(env: dict[str, str]) -> None:
    table = ok(env, "templates", "list")
    assert "hello_world" in table and "APPROVED" in table
    lines = ok(env, "templates", "list", "--json", "--limit", "1", "--status", "approved").splitlines()
    assert len(lines) >= 4 and all(json.loads(line)["status"] == "APPROVED" for line in lines)
    created = json.loads(ok(env, "templates", "create", "--name", "cli_note", "--category", "utility",
                            "--body", "Hi {{1}}", "--example", "Ana", "--header", "Note", "--footer", "bye",
                            "--quick-reply", "Stop", "--url-button", "Open=https://shop.test"))  # fmt: skip
    assert created["name"] == "cli_note" and created["category"] == "UTILITY" and created["id"]
    (line,) = ok(env, "templates", "list", "--json", "--name", "cli_note").splitlines()
    assert json.loads(line)["components"][-1]["buttons"][1] == {
        "type": "URL",
        "text": "Open",
        "url": "https://shop.test",
    }
    assert ok(env, "templates", "delete", "cli_note").strip() == "deleted"
    one_line_error(wa(env, "templates", "delete", "cli_note"), 1, "cli_note")
    one_line_error(wa(env, "templates", "create", "--name", "Bad Name", "--category", "utility", "--body", "x"), 2,
                   "name")  # fmt: skip
    one_line_error(wa(env, "templates", "create", "--name", "x", "--category", "utility", "--body", "x",
                      "--url-button", "nolabel"), 2, "LABEL=VALUE")  # fmt: skip
    one_line_error(wa({**env, "WA_WABA_ID": ""}, "templates", "list"), 2, "--waba-id")


def test_numbers_and_profile(env: dict[str, str], emulator: dict[str, str]) -> None:
    assert emulator["phone_number_id"] in ok(env, "numbers", "list")
    (line,) = ok(env, "numbers", "list", "--json").splitlines()
    assert json.loads(line)["quality_rating"] == "GREEN"
    number = json.loads(ok(env, "numbers", "get"))
    assert number["id"] == emulator["phone_number_id"] and number["throughput"] == {"level": "STANDARD"}
    one_line_error(wa(env, "numbers", "get", "--fields", "nope"), 1, "nope")
    assert ok(env, "profile", "set", "--about", "Open 9-5", "--website", "https://shop.test").strip() == "updated"
    profile = json.loads(ok(env, "profile", "get"))
    assert profile["about"] == "Open 9-5" and profile["websites"] == ["https://shop.test"]
    one_line_error(wa(env, "profile", "set", "--about", "x" * 140), 2, "about", "139")
    one_line_error(wa({**env, "WA_PHONE_NUMBER_ID": ""}, "profile", "get"), 2, "--phone-number-id")


def test_connections(env: dict[str, str]) -> None:
    assert "whatsapp-business" in ok(env, "connections", "list")
    done = wa(env, "connections", "create")
    assert done.returncode == 0, done.stderr
    created = json.loads(done.stdout)
    assert created["status"] == "PENDING" and created["url"] in done.stderr
    cid = created["connection_id"]
    pending = [json.loads(x) for x in ok(env, "connections", "list", "--status", "pending", "--json").splitlines()]
    assert [c["connection_id"] for c in pending] == [cid]
    assert json.loads(ok(env, "connections", "get", cid))["connection_id"] == cid
    assert ok(env, "connections", "delete", cid).strip() == "deleted"
    one_line_error(wa(env, "connections", "get", cid), 1, "NotFound", "Connection not found")
    one_line_error(wa({**env, "MATON_API_KEY": ""}, "connections", "list"), 2, "MATON_API_KEY")


@pytest.mark.parametrize("hostile", ["../../escaped", "/tmp/wa-async-escaped", "..", "sub/dir"])
def test_media_download_names_the_file_from_the_given_id_never_the_servers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], hostile: str
) -> None:
    import hashlib

    from aioresponses import aioresponses

    from wa_async.cli import main

    work = tmp_path / "a" / "b"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    for name in ("WA_ACCESS_TOKEN", "WA_WABA_ID", "WA_API_VERSION", "MATON_CONNECTION_ID"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MATON_API_KEY", "k")
    monkeypatch.setenv("WA_BASE_URL", "https://graph.test")
    body = b"the media bytes"
    info = {"id": hostile, "url": "https://media.test/x", "mime_type": "text/plain",
            "sha256": hashlib.sha256(body).hexdigest(), "file_size": len(body), "messaging_product": "whatsapp"}
    with aioresponses() as mock:  # a hostile server: its `id` is a path
        mock.get("https://graph.test/v25.0/1234", payload=info)
        mock.get("https://media.test/x", body=body)
        assert main(["media", "download", "1234"]) == 0
    assert capsys.readouterr().out.strip() == "1234.txt"
    assert (work / "1234.txt").read_bytes() == body
    assert sorted(p.name for p in work.iterdir()) == ["1234.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a"]
    assert not list(Path("/tmp").glob("wa-async-escaped*"))


@pytest.mark.parametrize("given", ["../x", "a/b", "..", ".hidden", "a\\b"])
def test_media_download_refuses_an_id_that_is_a_path(env: dict[str, str], tmp_path: Path, given: str) -> None:
    one_line_error(wa(env, "media", "download", given, cwd=tmp_path), 2, "not a media id")
    assert list(tmp_path.iterdir()) == []


def test_large_transfers_show_progress(env: dict[str, str], tmp_path: Path) -> None:
    src = tmp_path / "big.pdf"
    src.write_bytes(b"%PDF-1.4\n" + b"x" * (2 * 1024 * 1024))
    up = wa(env, "media", "upload", str(src), "--type", "application/pdf")
    assert up.returncode == 0, up.stderr
    media_id = up.stdout.strip()
    assert "upload big.pdf" in up.stderr and "2.1/2.1 MB" in up.stderr
    down = wa(env, "media", "download", media_id, cwd=tmp_path)
    assert down.returncode == 0, down.stderr
    assert f"download {media_id}.pdf" in down.stderr and "2.1/2.1 MB" in down.stderr
    assert (tmp_path / f"{media_id}.pdf").read_bytes() == src.read_bytes()
