"""Every Python sample of docs/frameworks.md and docs/production.md runs as written, in order, page by page.

As a reader runs them: the blocks of a page share one namespace, may ``await`` at top level (on the page's
event loop), and see the environment a user has (``WA_*``, ``MATON_API_KEY`` naming an emulator in another
process, ``REDIS_URL`` a redis-server of the test's own). ``<!-- skip: next "why" -->`` skips the next block.
"""

from __future__ import annotations

import ast
import asyncio
import inspect
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests._loops import close_idle_loop
from tests.emulator_process import emulator_process
from tests.redis_server import RedisServer

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "docs" / "frameworks.md", ROOT / "docs" / "production.md"]
BLOCK = re.compile(r"(?P<skip><!-- skip: next \"[^\"]+\" -->\n)?```(?P<lang>\w*)\n(?P<code>.*?)^```", re.S | re.M)


def blocks(page: Path) -> list[tuple[int, str, str, bool]]:
    """(line, language, code, skipped) of each fenced block."""
    text = page.read_text()
    return [(text.count("\n", 0, m.start("code")) + 1, m["lang"], m["code"], m["skip"] is not None)
            for m in BLOCK.finditer(text)]  # fmt: skip


@pytest.fixture(scope="module")
def environment() -> Iterator[dict[str, str]]:
    with emulator_process("--rate", "0") as info, RedisServer() as redis:
        yield {
            "WA_PHONE_NUMBER_ID": info["phone_number_id"],
            "WA_WABA_ID": info["waba_id"],
            "WA_BASE_URL": info["gateway_url"],
            "MATON_API_KEY": "docs-test-key",
            "REDIS_URL": redis.url,
            "WA_VERIFY_TOKEN": "docs-verify-token",
            "WA_APP_SECRET": "docs-app-secret",
        }


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_every_sample_runs(page: Path, environment: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    close_idle_loop()
    namespace: dict[str, object] = {}
    ran = 0
    with asyncio.Runner() as runner:
        for line, lang, code, skipped in blocks(page):
            if lang != "python" or skipped:
                continue
            compiled = compile("\n" * (line - 1) + code, str(page), "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
            if compiled.co_flags & inspect.CO_COROUTINE:
                runner.run(eval(compiled, namespace))
            else:
                exec(compiled, namespace)
            ran += 1
    assert ran >= 4


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_blocks_name_their_language_and_fit_88_columns(page: Path) -> None:
    for line, lang, code, _ in blocks(page):
        assert lang in ("python", "bash", "text", "console"), f"{page.name}:{line}: fence language {lang!r}"
        for n, text in enumerate(code.splitlines(), line):
            assert len(text) <= 88, f"{page.name}:{n}: {len(text)} characters"
