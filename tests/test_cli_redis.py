"""``--redis-url``: the broadcast and the demo keep their limit in a real redis-server; errors are one line.

That two broadcasts sharing the limit keep its rate together is proven on a fake clock in test_broadcast.py; the
real-time figure with two processes is ``python -m benchmarks.bench_shared_limit`` (a test that depends on the
machine's speed was flaky on busy CI machines).
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

import pytest
import redis

from tests._server import free_port as _free_port
from tests.redis_server import RedisServer
from wa_async.cli import broadcast as cli
from wa_async.cli.demo import run_demo


def write_recipients(path: Path, first: int, count: int) -> Path:
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["phone", "name", "order"])
        w.writerows([f"1555{first + i:07d}", f"Customer {i}", f"#{first + i}"] for i in range(count))
    return path


def script_calls(url: str) -> int:
    """How many times Redis ran a script (the limiter's one round trip per acquire)."""
    with redis.Redis.from_url(url) as r:
        stats = r.info("commandstats")
    return sum(int(stats.get(name, {}).get("calls", 0)) for name in ("cmdstat_evalsha", "cmdstat_eval"))


def sandbox_args(tmp_path: Path, *extra: str) -> list[str]:
    src = write_recipients(tmp_path / "r.csv", 0, 3)
    return [str(src), "--template", "order_update", "--journal", str(tmp_path / "j.sqlite"), "--sandbox", *extra]


def test_unreachable_redis_is_one_line_and_sends_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"redis://127.0.0.1:{_free_port()}/0"  # nothing listens there
    assert cli.main(sandbox_args(tmp_path, "--redis-url", url)) == 1
    err = capsys.readouterr().err
    assert "cannot reach Redis at " + url in err and "Traceback" not in err


def test_password_is_not_printed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"redis://:hunter2@127.0.0.1:{_free_port()}/0"
    assert cli.main(sandbox_args(tmp_path, "--redis-url", url)) == 1
    err = capsys.readouterr().err
    assert "cannot reach Redis" in err and "hunter2" not in err


def test_missing_redis_package_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    for name in ("redis", "redis.asyncio", "redis.exceptions"):
        monkeypatch.setitem(sys.modules, name, None)  # `import redis.asyncio` raises ImportError
    assert cli.main(sandbox_args(tmp_path, "--redis-url", "redis://127.0.0.1:1/0")) == 2
    err = capsys.readouterr().err
    assert "pip install 'wa-async[redis]'" in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("extra", "message"),
    [(["--redis-url", "http://127.0.0.1/0"], "--redis-url"), (["--redis-key", "k"], "--redis-key needs --redis-url"),
     (["--redis-url", "redis://127.0.0.1:1/0", "--rate", "0"], "--rate 0")],
    ids=["bad-scheme", "key-alone", "no-rate"],
)
def test_usage_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str],
                             message: str) -> None:  # fmt: skip
    assert cli.main(sandbox_args(tmp_path, *extra)) == 2
    assert message in capsys.readouterr().err


def test_sandbox_run_uses_the_given_key(redis_server: RedisServer, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    before = script_calls(redis_server.url)
    args = sandbox_args(tmp_path, "--param", "name", "--param", "order", "--redis-url", redis_server.url,
                        "--redis-key", "wa-test:sandbox", "--rate", "50")  # fmt: skip
    assert cli.main(args) == 0
    assert "sent" in capsys.readouterr().out
    assert script_calls(redis_server.url) - before >= 3


async def test_demo_shares_its_limit_through_redis(redis_server: RedisServer) -> None:
    from rich.console import Console

    key = "wa-async:106540352242922"  # the default: wa-async:<the emulator's phone_number_id>
    with redis.Redis.from_url(redis_server.url) as r, r.pubsub() as events:
        r.config_set("notify-keyspace-events", "Kh")  # hash commands on a key are published
        events.subscribe(f"__keyspace@0__:{key}")
        figures = await run_demo(20, 50, Console(file=io.StringIO()), redis_url=redis_server.url)
        seen = []
        while (event := events.get_message(timeout=1.0)) is not None:
            seen.append(event["data"])
    assert figures["sent"] == 20 and figures["rate_limited"] == 0
    assert seen.count(b"hset") >= 20  # one reservation per message, on the default key


@pytest.mark.parametrize("form", ["userinfo", "query", "both"])
def test_a_password_in_any_form_is_never_printed(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                 form: str) -> None:  # fmt: skip
    port = _free_port()
    url = {"userinfo": f"redis://:hunter2@127.0.0.1:{port}/0",
           "query": f"redis://127.0.0.1:{port}/0?password=hunter2",
           "both": f"redis://user:hunter2@127.0.0.1:{port}/0?password=s3cr%40t"}[form]  # fmt: skip
    assert cli.main(sandbox_args(tmp_path, "--redis-url", url)) == 1
    err = capsys.readouterr().err
    assert "cannot reach Redis" in err
    assert "hunter2" not in err and "s3cr" not in err


def test_a_password_in_a_malformed_url_is_never_printed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(sandbox_args(tmp_path, "--redis-url", "redis://:hunter2@127.0.0.1:notaport/0")) in (1, 2)
    err = capsys.readouterr().err
    assert "hunter2" not in err and "Traceback" not in err
