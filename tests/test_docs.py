"""Every code block of README.md and docs/ runs, against an emulator in another process, so no sample can rot.

Sybil finds the blocks; how each kind runs (docs/contributing.md says the same for writers):

- ``python`` runs. The blocks of one page run in order in one namespace, as a reader reads them. A block may
  ``await`` at top level (it runs on the page's event loop) or call ``asyncio.run()`` itself. A block that starts
  with ``>>>`` is a doctest.
- ``bash`` runs under ``bash -euo pipefail`` in the page's working directory.
- ``console`` is a transcript: each ``$ `` line runs as a command, and the lines under it are its output
  (``...`` matches anything); a command whose output shows ``error:`` must fail, any other must succeed.
- Other languages (``text``, ``csv``, ``json``...) are shown, not run. A fence without a language fails.
- ``<!-- skip: next "why" -->`` before a block skips it: the reason is required and shows in the report.

The environment is what a user's would be: ``WA_PHONE_NUMBER_ID``, ``WA_WABA_ID``, ``WA_BASE_URL`` (the
emulator's gateway URL), ``MATON_API_KEY`` and ``MATON_CTRL_URL`` name the emulator, ``REDIS_URL`` a
``redis-server`` of the test's own, ``WA_JOURNAL_URL`` a PostgreSQL cluster of its own (a broadcast journal);
each page runs in a fresh directory holding the files of ``tests/data/docs/`` (a recipients CSV, a PDF); only
loopback addresses resolve.
"""

from __future__ import annotations

import ast
import asyncio
import doctest
import importlib
import inspect
import os
import re
import shutil
import socket
import subprocess
import sys
import sysconfig
import types
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import SkipTest

import pytest
from sybil import Document, Example, Sybil
from sybil.evaluators.doctest import DocTestEvaluator
from sybil.parsers.abstract import DocTestStringParser
from sybil.parsers.markdown import CodeBlockParser, PythonCodeBlockParser, SkipParser

from tests.emulator_process import emulator_process
from tests.postgres_server import PostgresServer
from tests.redis_server import RedisServer

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FILES = Path(__file__).parent / "data" / "docs"
RUN = {"python", "bash", "console"}
SHOWN = {"text", "csv", "json", "toml", "yaml", "ini", "html"}
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>[^\n`]*)$", re.MULTILINE)
SKIP = re.compile(r"<!--\s*skip:\s*(?P<args>.*?)\s*-->")


# --- evaluators ------------------------------------------------------------------------------------------------


class _Page:
    """What the blocks of one page share: an event loop, a working directory, the environment."""

    def __init__(self, workdir: Path, env: dict[str, str]) -> None:
        self.workdir = workdir
        self.env = env
        self.runner = asyncio.Runner()


def _page(example: Example) -> _Page:
    page = example.namespace.get("__page__")
    assert isinstance(page, _Page)
    return page


def run_python(example: Example) -> None:
    """Run a block as a module would, except that ``await`` is allowed at top level."""
    __tracebackhide__ = True
    source = "\n" * (example.line + example.parsed.line_offset) + example.parsed
    code = compile(source, example.path, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True)
    if code.co_flags & inspect.CO_COROUTINE:
        _page(example).runner.run(eval(code, example.namespace))  # top-level await: the page's loop
    else:
        exec(code, example.namespace)
    example.namespace.pop("__builtins__", None)


def _shell(example: Example, command: str) -> subprocess.CompletedProcess[str]:
    page = _page(example)
    return subprocess.run(
        ["bash", "-euo", "pipefail", "-c", command], cwd=page.workdir, env=page.env, capture_output=True,
        text=True, timeout=120, check=False,
    )  # fmt: skip


def run_bash(example: Example) -> None:
    result = _shell(example, str(example.parsed))
    if result.returncode != 0:
        raise AssertionError(f"exit {result.returncode}\n--- stdout\n{result.stdout}--- stderr\n{result.stderr}")


def run_console(example: Example) -> None:
    """Run each ``$ `` command of a transcript and compare its output with the lines shown under it."""
    checker = doctest.OutputChecker()
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    for command, shown in _transcript(str(example.parsed)):
        result = _shell(example, command)
        got = result.stdout + result.stderr
        must_fail = "error:" in shown
        if (result.returncode != 0) != must_fail:
            raise AssertionError(f"$ {command}\nexit {result.returncode}, expected {'failure' if must_fail else 0}"
                                 f"\n--- output\n{got}")  # fmt: skip
        if shown and not checker.check_output(shown, got, flags):
            raise AssertionError(f"$ {command}\n--- shown\n{shown}--- got\n{got}")


def _transcript(text: str) -> Iterator[tuple[str, str]]:
    command: str | None = None
    shown: list[str] = []
    for line in text.splitlines():
        if command is not None and not shown and command.endswith("\\"):
            command = command[:-1] + " " + line.split("  # ")[0].strip()  # a command continued on this line
        elif line.startswith("$ "):
            if command is not None:
                yield command, "".join(shown)
            command, shown = line[2:].split("  # ")[0].strip(), []
        elif command is not None:
            shown.append(line + "\n")
    if command is not None:
        yield command, "".join(shown)


class _Checker(doctest.OutputChecker):
    """Doctest output, with an exception's public name (``wa_async.ValidationError``) matching its defining
    module's (``wa_async._errors.ValidationError``)."""

    def check_output(self, want: str, got: str, optionflags: int) -> bool:
        got = re.sub(r"\bwa_async\.(?:_\w+\.)+", "wa_async.", got)
        return super().check_output(want, got, optionflags)


class _DocTestEvaluator(DocTestEvaluator):
    def __init__(self) -> None:
        super().__init__(doctest.ELLIPSIS)
        self.runner._checker = _Checker()  # type: ignore[attr-defined]


class _PythonParser(PythonCodeBlockParser):
    """Python blocks run by :func:`run_python`; blocks starting with ``>>>`` are doctests."""

    def __init__(self) -> None:
        super().__init__()
        self.codeblock_parser = CodeBlockParser("python", run_python)
        self.doctest_parser = DocTestStringParser(_DocTestEvaluator())


SYBIL = Sybil(
    parsers=[
        SkipParser(),
        _PythonParser(),
        CodeBlockParser("bash", run_bash),
        CodeBlockParser("console", run_console),
    ],
    path=str(ROOT),
)


# --- the environment -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def emulator() -> Iterator[dict[str, str]]:
    with emulator_process("--rate", "0") as info, RedisServer() as redis, PostgresServer() as postgres:
        yield info | {"redis_url": redis.url, "journal_url": postgres.url}


@pytest.fixture
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """No sample reaches the internet: a name other than a loopback one does not resolve."""
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in ("127.0.0.1", "localhost", "::1", b"127.0.0.1", b"localhost", None):
            raise socket.gaierror(socket.EAI_NONAME, f"the docs tests reach only loopback, not {host!r}")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def _environment(emulator: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WA_", "MATON_"))}
    scripts = sysconfig.get_path("scripts")
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), scripts, env.get("PATH", "")])
    env["PYTHONPATH"] = str(ROOT)
    env |= {
        "WA_PHONE_NUMBER_ID": emulator["phone_number_id"],
        "WA_WABA_ID": emulator["waba_id"],
        "WA_BASE_URL": emulator["gateway_url"],
        "MATON_API_KEY": "docs-test-key",
        "MATON_CTRL_URL": emulator["ctrl_url"],
        "REDIS_URL": emulator["redis_url"],
        "WA_JOURNAL_URL": emulator["journal_url"],
        "WA_VERIFY_TOKEN": "docs-verify-token",
        "WA_APP_SECRET": "docs-app-secret",
    }
    return env


@pytest.mark.parametrize("page", PAGES, ids=[p.relative_to(ROOT).as_posix() for p in PAGES])
def test_every_sample_runs(
    page: Path, emulator: dict[str, str], loopback_only: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with urllib.request.urlopen(urllib.request.Request(emulator["graph_url"] + "/__emulator/reset", method="POST")):
        pass  # loopback: each page starts with no accepted messages and fresh pair limits
    workdir = tmp_path / "work"
    shutil.copytree(FILES, workdir)
    env = _environment(emulator)
    for name in list(os.environ):
        if name.startswith(("WA_", "MATON_")):
            monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(workdir)

    _close_idle_loop()
    document: Document = SYBIL.parse(page)
    state = _Page(workdir, env)
    document.namespace["__page__"] = state
    skipped: list[str] = []
    try:
        for example in document.examples():
            try:
                example.evaluate()
            except SkipTest as skip:
                skipped.append(f"line {example.line}: {skip}")
            except Exception as error:
                where = f"{page.relative_to(ROOT)}, line {example.line}"
                raise AssertionError(f"{where}: the sample fails: {type(error).__name__}: {error}") from error
    finally:
        state.runner.close()
    if skipped:
        print(f"{page.relative_to(ROOT)}: skipped", *skipped, sep="\n  ")


def _close_idle_loop() -> None:
    """Close the event loop a plugin may have set for this sync test: the samples' ``asyncio.run()`` replaces
    the current loop without closing it, and a loop left open is a ResourceWarning (an error here) later."""
    policy = asyncio.get_event_loop_policy()
    try:
        loop = policy.get_event_loop()
    except RuntimeError:
        return
    if not loop.is_running():
        loop.close()
        policy.set_event_loop(None)


# --- the rules the samples keep --------------------------------------------------------------------------------


def _fences(text: str) -> Iterator[tuple[int, str, str]]:
    """(line, language, body) of each fenced block."""
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        match = FENCE.match(lines[i])
        if match is None:
            i += 1
            continue
        start, fence = i, match["fence"]
        i += 1
        body = []
        while i < len(lines) and lines[i].strip() != fence:
            body.append(lines[i])
            i += 1
        i += 1
        yield start + 1, match["info"].strip(), "\n".join(body)


@pytest.mark.parametrize("page", PAGES, ids=[p.relative_to(ROOT).as_posix() for p in PAGES])
def test_every_block_says_its_language_and_fits_the_page(page: Path) -> None:
    """A fence names its language (so it is run or deliberately shown), and no code line is cut off: lines over
    88 characters do not fit the docs site's code blocks at 1280 pixels."""
    problems = []
    for line, language, body in _fences(page.read_text()):
        if language.split(" ")[0] not in RUN | SHOWN:
            problems.append(f"line {line}: the fence needs a language ({', '.join(sorted(RUN | SHOWN))}), "
                            f"not {language!r}")  # fmt: skip
        for n, code in enumerate(body.splitlines(), line + 1):
            if len(code) > 88:
                problems.append(f"line {n}: {len(code)} characters (at most 88 fit): {code[:50]}...")
    assert not problems, f"{page.relative_to(ROOT)}:\n" + "\n".join(problems)


@pytest.mark.parametrize("page", PAGES, ids=[p.relative_to(ROOT).as_posix() for p in PAGES])
def test_every_skip_gives_a_reason(page: Path) -> None:
    for match in SKIP.finditer(page.read_text()):
        args = match["args"]
        assert re.fullmatch(r'(next|start)\s+"[^"]{10,}"|end', args), (
            f"{page.relative_to(ROOT)}: '<!-- skip: {args} -->' needs a reason: <!-- skip: next \"why\" -->"
        )


# --- the API reference -----------------------------------------------------------------------------------------

REFERENCE = ROOT / "docs" / "reference"
PUBLIC_MODULES = [
    "wa_async", "wa_async.webhooks", "wa_async.resources", "wa_async.emulator", "wa_async.maton", "wa_async.flows",
    "wa_async.errors", "wa_async.messages",
]
REST = re.compile(r"::\s*$|:(?:class|meth|func|attr|exc|data|mod|obj):`|^\s*>>> ", re.MULTILINE)
# Modules whose docstrings still use reST (``::`` blocks, :class: roles, >>> examples), for the sweep that turns
# them into Google style. The list may only shrink: a module that is converted must leave it.
NOT_YET_GOOGLE: set[str] = set()


def _resolve(path: str) -> Any:
    parts = path.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for attr in parts[i:]:
            obj = getattr(obj, attr)
        return obj
    raise ImportError(path)


def test_the_reference_shows_every_public_name() -> None:
    """Every name a public module exports (but submodules) has a ``::: path`` entry in docs/reference/, and
    every entry names something that exists."""
    shown = {}
    for page in REFERENCE.glob("*.md"):
        for path in re.findall(r"^::: ([\w.]+)\s*$", page.read_text(), re.MULTILINE):
            shown[id(_resolve(path))] = path
    missing = []
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            obj = getattr(module, name)
            if name.startswith("__") or isinstance(obj, types.ModuleType):
                continue
            if id(obj) not in shown:
                missing.append(f"{module_name}.{name}")
    assert not missing, f"not in docs/reference/*.md: {', '.join(missing)}"


def _docstrings(path: Path) -> Iterator[str]:
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            doc = ast.get_docstring(node, clean=False)
            if doc:
                yield doc


def test_docstrings_are_google_style() -> None:
    """Docstrings use Google style and Markdown (fenced examples, [`Name`][wa_async.Name] references), which
    the reference renders; reST ``::`` blocks, roles and ``>>>`` show raw. Only NOT_YET_GOOGLE may have them."""
    rest = {p.relative_to(ROOT).as_posix() for p in (ROOT / "wa_async").rglob("*.py")
            if any(REST.search(doc) for doc in _docstrings(p))}  # fmt: skip
    assert not rest - NOT_YET_GOOGLE, f"reST in docstrings (use Google style): {sorted(rest - NOT_YET_GOOGLE)}"
    assert not NOT_YET_GOOGLE - rest, f"converted: remove from NOT_YET_GOOGLE: {sorted(NOT_YET_GOOGLE - rest)}"
