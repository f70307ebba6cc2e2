"""The recipients file of ``wa-async broadcast``: CSV or JSON lines, checked row by row, read lazily.

A row names its recipient by phone number (the ``phone`` column, or ``--phone-column``) or, for a user who hides
their number, by business-scoped user id (a ``user_id`` or ``bsuid`` column); the phone wins when a row has both,
as it does at Meta.
"""

from __future__ import annotations

import contextlib
import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import msgspec

from .._errors import ValidationError
from .._messages import Template
from ._common import UsageError

__all__ = ["USER_ID_COLUMNS", "BadRow", "Recipients"]

USER_ID_COLUMNS = ("user_id", "bsuid")


class BadRow(msgspec.Struct, frozen=True):
    """An input row that cannot be sent, with its line number."""

    line: int
    phone: str
    reason: str


class Recipients:
    """The input file, read lazily: `check()` reads it once; iterating reads it again, valid rows only."""

    def __init__(self, path: Path, phone_column: str, params: list[str], template: str, language: str, *,
                 marketing: bool = False, product_policy: str | None = None) -> None:  # fmt: skip
        self.path = path
        self.phone_column = phone_column
        self.params = params
        self.template = template
        self.language = language
        self.marketing = marketing
        self.product_policy = product_policy
        self.valid = 0
        self.bad: list[BadRow] = []
        self._bad_lines: set[int] = set()
        if not path.is_file():
            raise UsageError(f"{path}: no such file")
        self.jsonl = path.suffix.lower() in (".jsonl", ".ndjson", ".json") or self._looks_like_json()

    def __len__(self) -> int:
        return self.valid

    def __iter__(self) -> Iterator[Template]:
        for line, fields in self._rows():
            if line not in self._bad_lines:
                yield self._message(fields)

    def check(self) -> list[BadRow]:
        """Build every row's message once (numbers and parameters checked), counting and listing the bad ones."""
        for line, fields in self._rows():
            try:
                self._message(fields)
            except (ValidationError, ValueError) as e:
                self.bad.append(BadRow(line, self._recipient(fields) or "", str(e)))
                self._bad_lines.add(line)
            else:
                self.valid += 1
        return self.bad

    def _recipient(self, fields: dict[str, Any]) -> str | None:
        # As written ("+49 (151) 123-45", or a BSUID such as "US.1349..."): the message normalises it, as
        # `wa-async send` and the library do.
        phone = str(fields.get(self.phone_column) or "").strip()
        if phone:
            return phone
        for column in USER_ID_COLUMNS:
            user_id = str(fields.get(column) or "").strip()
            if user_id:
                return user_id
        return None

    def _message(self, fields: dict[str, Any]) -> Template:
        if "__error__" in fields:
            raise ValueError("not a JSON object")
        to = self._recipient(fields)
        if to is None:
            raise ValueError(f"no value in column {self.phone_column!r} (nor in {' or '.join(USER_ID_COLUMNS)})")
        values = []
        for column in self.params:
            value = fields.get(column)
            if value is None or str(value).strip() == "":
                raise ValueError(f"no value in column {column!r}")
            values.append({"type": "text", "text": str(value)})
        components = ({"type": "body", "parameters": values},) if values else ()
        return Template(to, self.template, language=self.language, components=components, marketing=self.marketing,
                        product_policy=self.product_policy)  # type: ignore[arg-type]  # checked by Template

    def _rows(self) -> Iterator[tuple[int, dict[str, Any]]]:
        try:
            with self.path.open(newline="", encoding="utf-8-sig") as f:
                yield from (self._json_rows(f) if self.jsonl else self._csv_rows(f))
        except UnicodeDecodeError as e:
            raise UsageError(f"{self.path}: not UTF-8 text ({e.reason})") from e
        except OSError as e:
            raise UsageError(f"{self.path}: {e.strerror or e}") from e

    def _csv_rows(self, f: IO[str]) -> Iterator[tuple[int, dict[str, Any]]]:
        reader = csv.DictReader(f)
        columns = reader.fieldnames or []
        if self.phone_column not in columns and not set(USER_ID_COLUMNS) & set(columns):
            raise UsageError(f"{self.path}: no column {self.phone_column!r} (nor {' or '.join(USER_ID_COLUMNS)}; "
                             f"columns: {', '.join(columns) or 'none'})")  # fmt: skip
        for needed in self.params:
            if needed not in columns:
                raise UsageError(f"{self.path}: no column {needed!r} (columns: {', '.join(columns) or 'none'})")
        for fields in reader:
            yield reader.line_num, fields

    def _json_rows(self, f: IO[str]) -> Iterator[tuple[int, dict[str, Any]]]:
        for number, text in enumerate(f, start=1):
            if not text.strip():
                continue
            try:
                fields = json.loads(text)
            except json.JSONDecodeError:
                fields = None
            if not isinstance(fields, dict):
                fields = {"__error__": True}
            yield number, fields

    def _looks_like_json(self) -> bool:
        with contextlib.suppress(OSError, UnicodeDecodeError), self.path.open(encoding="utf-8-sig") as f:
            return f.read(64).lstrip().startswith("{")
        return False
