"""Layers run downward: parsing and conversations need no aiohttp.web; `import wa_async` stays light."""

from __future__ import annotations

import subprocess
import sys


def loaded_after(statement: str, module: str) -> bool:
    code = f"import sys; {statement}; print({module!r} in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return out.strip() == "True"


def test_import_wa_async_does_not_load_aiohttp_web() -> None:
    assert not loaded_after("import wa_async", "aiohttp.web")


def test_parsing_and_conversations_do_not_load_aiohttp_web() -> None:
    statement = "from wa_async._inbound._parse import parse; import wa_async._conversations"
    assert not loaded_after(statement, "aiohttp.web")


def test_the_aiohttp_app_does_load_it() -> None:
    # The checks here can fail: make_app really needs aiohttp.web.
    assert loaded_after("import wa_async.webhooks; wa_async.webhooks.make_app", "aiohttp.web")


def test_the_framework_free_receiver_and_its_asgi_app_do_not() -> None:
    statement = "import wa_async.webhooks as w; w.Receiver(print, verify_token='t').asgi; w.RedisDeduplicator"
    assert not loaded_after(statement, "aiohttp.web")
    assert not loaded_after(statement, "redis")


def test_import_wa_async_does_not_load_the_receiver_package() -> None:
    # _conversations used to import wa_async.webhooks._events, an upward import that pulled in the receiver.
    assert not loaded_after("import wa_async", "wa_async.webhooks")
