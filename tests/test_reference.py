"""The API reference as a reader sees it: the built site (``mkdocs build``) shows every field of every public record
class with its type, renders docstrings as Markdown (no raw reST, no nested blockquotes), shows no private names,
and no docstring example is wider than the page."""

from __future__ import annotations

import ast
import dataclasses
import html
import inspect
import os
import re
import subprocess
import sys
import typing
from collections.abc import Iterator
from pathlib import Path

import msgspec
import pytest

from tests.test_docs import NOT_YET_GOOGLE, REFERENCE, ROOT, _resolve

# Private names a section may still show, and why; the list may only shrink.
KNOWN_PRIVATE = {
    "wa_async.resources.MEDIA_LIMITS": {"_KB", "_MB"},  # the value, as the source writes it
    "wa_async.flows.EncryptedRequest": {"_key", "_iv"},  # these dataclasses' constructors take their private fields
    "wa_async.flows.FlowRequest": {"_key", "_iv"},
}
# Modules whose docstring examples still have lines over 88 characters (cut off at 1280 px); may only shrink.
TOO_WIDE: set[str] = set()
WIDTH = 88


@pytest.fixture(scope="module")
def sections(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The HTML of each object the reference shows, by its identifier (``wa_async.Text``)."""
    site = tmp_path_factory.mktemp("site")
    build = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(site)],
        cwd=ROOT, env=os.environ | {"NO_MKDOCS_2_WARNING": "1"}, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert build.returncode == 0, f"mkdocs build --strict failed:\n{build.stderr}"
    found: dict[str, str] = {}
    for page in (site / "reference").glob("*/index.html"):
        article = page.read_text()
        article = article[article.index("<article") : article.index("</article>")]
        parts = re.split(r'(?=<h2 id=")', article)
        for part in parts:
            m = re.match(r'<h2 id="([^"]+)"', part)
            if m:
                found[m[1]] = part
    return found


def _shown() -> Iterator[str]:
    for page in sorted(REFERENCE.glob("*.md")):
        yield from re.findall(r"^::: ([\w.]+)\s*$", page.read_text(), re.MULTILINE)


def _module_file(obj: object) -> str | None:
    try:
        path = inspect.getsourcefile(obj)  # type: ignore[arg-type]
    except TypeError:
        return None
    return Path(path).relative_to(ROOT).as_posix() if path else None


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


def _fields(cls: object) -> list[str] | None:
    """The public field names of a record class (msgspec struct, dataclass, NamedTuple, TypedDict)."""
    if not isinstance(cls, type):
        return None
    if issubclass(cls, msgspec.Struct):
        names = list(inspect.signature(cls).parameters)
    elif dataclasses.is_dataclass(cls):
        names = [f.name for f in dataclasses.fields(cls)]
    elif issubclass(cls, tuple) and hasattr(cls, "_fields"):
        names = list(cls._fields)
    elif typing.is_typeddict(cls):
        names = list(cls.__annotations__)
    else:
        return None
    return [name for name in names if not name.startswith("_")]


def _typed_fields(section: str, sections: dict[str, str]) -> set[str]:
    """The fields a class's section shows with a type: in its signature (``name: type``), in its ``Fields:``
    list (``name (type)``), or in the section of a base class it names ("the fields of Base")."""
    shown: set[str] = set()
    signature = re.search(r'<div class="doc-signature[^>]*>(.*?)</div>', section, re.S)
    if signature is not None:
        shown |= set(re.findall(r"(?:\(|,)\s*(\w+)\s*:", _text(signature[1])))
    listed = re.search(r"Fields:</span></p>\s*<ul>(.*?)</ul>", section, re.S)
    if listed is not None:
        for item in re.findall(r'<li class="doc-section-item field-body">(.*?)</li>', listed[1], re.S):
            m = re.match(r"\s*(\w+)\s*\(\S", _text(item))
            if m is not None:
                shown.add(m[1])
    for base in re.findall(r'fields of (?:<a [^>]*href="[^"#]*#([\w.]+)"[^>]*>.*?</a>(?:\s*and\s*)?)+', section):
        shown |= _typed_fields(sections[base], sections) if base in sections else set()
    return shown


def test_every_public_record_shows_its_fields_with_their_types(sections: dict[str, str]) -> None:
    checked = 0
    missing = []
    for identifier in _shown():
        fields = _fields(_resolve(identifier))
        if not fields:
            continue
        checked += 1
        assert identifier in sections, f"{identifier} is not in the built reference"
        absent = set(fields) - _typed_fields(sections[identifier], sections)
        if absent:
            missing.append(f"{identifier}: {', '.join(sorted(absent))}")
    assert checked > 150, f"only {checked} record classes found in the reference"
    assert not missing, "fields the reference does not show with a type:\n" + "\n".join(missing)


def test_a_field_shows_its_own_docstring_once(sections: dict[str, str]) -> None:
    timed = sections["wa_async.HttpRequest"]
    assert _text(timed).count("Ask the transport to say when the body left") == 1
    assert 'id="wa_async.HttpRequest.timed"' not in timed  # in the Fields list, not again as a member


def test_webhook_events_list_their_own_fields_and_name_their_base(sections: dict[str, str]) -> None:
    image = _text(sections["wa_async.webhooks.ImageMessage"])
    assert re.search(r"Fields:\s*caption\s*\(str \| None\)", image)
    assert "fields of MediaMessage" in image
    assert "waba_id" not in image  # the base's fields are on the base's entry
    assert "ImageMessage(" not in image  # a parsed event shows no constructor


def _problems(sections: dict[str, str], pattern: re.Pattern[str], allowed: dict[str, set[str]]) -> list[str]:
    problems = []
    for identifier in _shown():
        if _module_file(_resolve(identifier)) in NOT_YET_GOOGLE:
            continue  # still reST: test_docstrings_are_google_style tracks it
        found = set(pattern.findall(_text(sections[identifier]))) - allowed.get(identifier, set())
        if found:
            problems.append(f"{identifier}: {', '.join(sorted(found))}")
    return problems


def test_the_reference_renders_markdown_not_rest(sections: dict[str, str]) -> None:
    rest = re.compile(r":(?:class|meth|func|attr|exc|data|mod|obj):|^\s*::\s*$|>>>", re.MULTILINE)
    problems = _problems(sections, rest, {})
    problems += [f"{i}: a blockquote (an indented block read as a quote)" for i, s in sections.items()
                 if "<blockquote" in s and _module_file(_resolve(i)) not in NOT_YET_GOOGLE]  # fmt: skip
    assert not problems, "raw reST in the reference:\n" + "\n".join(problems)


def test_the_reference_shows_no_private_names(sections: dict[str, str]) -> None:
    private = re.compile(r"(?<![\w.])_[A-Za-z]\w*|wa_async\._\w+")
    problems = _problems(sections, private, KNOWN_PRIVATE)
    assert not problems, "private names in the reference:\n" + "\n".join(problems)
    stale = {i: names for i, names in KNOWN_PRIVATE.items()
             if not names & set(private.findall(_text(sections[i])))}  # fmt: skip
    assert not stale, f"fixed: remove from KNOWN_PRIVATE: {sorted(stale)}"


def test_docstring_examples_fit_the_page() -> None:
    """A fenced example in a class or function docstring has no line over 88 characters (the reference's code
    blocks show 88 at 1280 pixels; more is cut off)."""
    wide: dict[str, list[str]] = {}
    for path in sorted((ROOT / "wa_async").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            inside, indent = False, 0
            for line in (ast.get_docstring(node) or "").splitlines():
                if line.lstrip().startswith("```"):
                    inside, indent = not inside, len(line) - len(line.lstrip())
                elif inside and len(line[indent:]) > WIDTH:
                    wide.setdefault(path.relative_to(ROOT).as_posix(), []).append(f"{node.name}: {line.strip()[:40]}")
    assert not set(wide) - TOO_WIDE, f"docstring example lines over {WIDTH} characters: " + str(
        {k: v for k, v in wide.items() if k not in TOO_WIDE}
    )
    assert not TOO_WIDE - set(wide), f"fixed: remove from TOO_WIDE: {sorted(TOO_WIDE - set(wide))}"
