"""Users who stopped marketing messages: [`OptOuts`][wa_async.OptOuts], honoured by marketing broadcasts.

A user's stop (the ``user_preferences`` webhook, [`UserPreferences`][wa_async.webhooks.UserPreferences]) goes in,
their resume takes them out; each change carries its time, so a resume delivered before an older stop still wins.
Users are keyed as a message's ``to`` is: a phone number's digits, or a BSUID as given. The store is a SQLite file
(``_opt_outs_sqlite``, on a thread of its own) or, to share it across processes and hosts, Redis
(``_opt_outs_redis``, needs redis-py); each is imported when first used.

```python
opt_outs = wa.OptOuts("opt-outs.sqlite")
router.user_preferences()(opt_outs.observe)         # the one line that keeps it up to date from webhooks
await opt_outs.add("+1 650 555 1234")               # or by hand, or from a file: import_file("stops.csv")
```
"""

from __future__ import annotations

import asyncio
import csv
import io
import os
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, Protocol, Self

from ._errors import ValidationError, WhatsAppError
from ._messages._check import recipient

__all__ = ["OptOutBackend", "OptOuts", "OptOutsError", "read_opt_out_file"]

State = Literal["stop", "resume"]
_COLUMNS = ("phone", "to", "wa_id", "recipient", "user_id", "bsuid", "parent_user_id")
_CHUNK = 500


class OptOutsError(WhatsAppError):
    """The opt-out store cannot be used: the file is not SQLite or cannot be written."""


class OptOutBackend(Protocol):
    """Where an [`OptOuts`][wa_async.OptOuts] keeps its users (SQLite or Redis)."""

    async def change(self, state: State, users: Sequence[str], at: float, source: str) -> int:
        """Record ``state`` for each user unless a later change is recorded; how many users changed state."""
        ...

    async def which(self, users: Sequence[str]) -> set[str]:
        """The users of ``users`` who are opted out."""
        ...

    async def count(self) -> int:
        """How many users are opted out."""
        ...

    async def close(self) -> None:
        """Release the connection."""
        ...


class OptOuts:
    """The users who stopped marketing messages; marketing broadcasts skip them (report status ``opted_out``).

    ``OptOuts(path)`` keeps them in a SQLite file (created if missing; several processes on one host may share
    it); [`OptOuts.redis`][wa_async.OptOuts.redis] keeps them in Redis for processes on many hosts. The store opens
    on first use; ``close()`` (or ``async with``) releases it.

    ```python
    async with wa.OptOuts("opt-outs.sqlite") as opt_outs:
        await opt_outs.add("+1 650 555 1234", "US.13491208655302741918")
        assert await opt_outs.contains("16505551234")
        await opt_outs.remove("16505551234")
    ```
    """

    __slots__ = ("_backend", "_factory", "_lock", "description")

    def __init__(self, path: str | os.PathLike[str]) -> None:
        file = Path(path)
        self.description = str(file)

        def open_sqlite() -> OptOutBackend:
            from ._opt_outs_sqlite import SqliteOptOuts

            return SqliteOptOuts(file)

        self._factory = open_sqlite
        self._backend: OptOutBackend | None = None
        self._lock = asyncio.Lock()

    @classmethod
    def redis(cls, redis: Any, key: str = "wa-async:opt-outs") -> OptOuts:
        """Opt-outs kept in Redis under ``key`` (a set of users and a hash of when each changed), shared by every
        process that uses the same Redis and key. ``redis`` is a ``redis.asyncio.Redis`` client; the caller
        closes it.

        ```python
        import redis.asyncio

        opt_outs = wa.OptOuts.redis(redis.asyncio.Redis.from_url("redis://localhost:6379/0"))
        ```
        """
        if not key:
            raise ValueError("key must not be empty")
        store = cls.__new__(cls)
        store.description = f"redis key {key}"

        def open_redis() -> OptOutBackend:
            from ._opt_outs_redis import RedisOptOuts

            return RedisOptOuts(redis, key)

        store._factory = open_redis
        store._backend = None
        store._lock = asyncio.Lock()
        return store

    def __repr__(self) -> str:
        return f"<OptOuts {self.description} {'open' if self._backend is not None else 'closed'}>"

    async def __aenter__(self) -> Self:
        await self._open()
        return self

    async def __aexit__(self, et: type[BaseException] | None, e: BaseException | None,
                        tb: TracebackType | None) -> None:  # fmt: skip
        await self.close()

    async def close(self) -> None:
        """Release the file or connection (a later call opens it again)."""
        backend, self._backend = self._backend, None
        if backend is not None:
            await backend.close()

    async def _open(self) -> OptOutBackend:
        if self._backend is None:
            async with self._lock:
                if self._backend is None:
                    self._backend = self._factory()
        return self._backend

    # -- changes ----------------------------------------------------------------------------------------------

    async def add(self, *users: str, at: float | None = None, source: str = "manual") -> int:
        """Opt users out (phone numbers in any usual spelling, or BSUIDs); returns how many were not already.

        ``at`` (Unix seconds, default now) orders this change against others for the same user.
        """
        return await (await self._open()).change("stop", _keys(users), time.time() if at is None else at, source)

    async def remove(self, *users: str, at: float | None = None, source: str = "manual") -> int:
        """Opt users back in; returns how many were opted out."""
        return await (await self._open()).change("resume", _keys(users), time.time() if at is None else at, source)

    async def observe(self, event: object) -> bool:
        """Apply a ``user_preferences`` webhook event: a marketing ``stop`` opts the user out (by every id the
        event names: phone, BSUID, parent BSUID), a ``resume`` opts them back in. Anything else is ignored.
        Returns whether the store changed.

        ```python
        router = wa.webhooks.Router()
        router.user_preferences()(opt_outs.observe)
        ```
        """
        from ._inbound._user_events import UserPreferences

        if not isinstance(event, UserPreferences) or event.category not in (None, "marketing_messages"):
            return False
        value = event.value.lower()
        if value not in ("stop", "resume"):
            return False
        users = [u for u in (event.wa_id, event.user_id, event.parent_user_id) if u]
        if not users:
            return False
        at = event.timestamp.timestamp() if event.timestamp is not None else time.time()
        state: State = "stop" if value == "stop" else "resume"
        return await (await self._open()).change(state, _keys(users), at, "webhook") > 0

    async def import_file(self, path: str | os.PathLike[str]) -> int:
        """Opt out every user of a file: CSV with a ``phone`` (or ``to``, ``wa_id``, ``user_id``, ``bsuid``)
        column, or one user a line (``#`` starts a comment). Returns how many were not already opted out.

        Raises:
            ValidationError: a line that names no valid phone number or BSUID (``field`` is ``file:line``);
                nothing of the file is added then.
        """
        users = await asyncio.to_thread(read_opt_out_file, Path(path))
        added = 0
        backend = await self._open()
        now = time.time()
        for start in range(0, len(users), _CHUNK):
            added += await backend.change("stop", users[start : start + _CHUNK], now, f"file:{Path(path).name}")
        return added

    # -- questions ----------------------------------------------------------------------------------------------

    async def contains(self, user: str) -> bool:
        """Whether ``user`` is opted out."""
        (key,) = _keys([user])
        return bool(await (await self._open()).which([key]))

    async def which(self, users: Iterable[str]) -> set[str]:
        """The opted-out users among ``users``, which are keys as a message's ``to`` is (phone digits or BSUID)."""
        wanted = list(dict.fromkeys(users))
        backend = await self._open()
        found: set[str] = set()
        for start in range(0, len(wanted), _CHUNK):
            found |= await backend.which(wanted[start : start + _CHUNK])
        return found

    async def count(self) -> int:
        """How many users are opted out."""
        return await (await self._open()).count()


def _keys(users: Iterable[str]) -> list[str]:
    keys = []
    for i, user in enumerate(users):
        keys.append(recipient(user.strip() if isinstance(user, str) else user, f"users[{i}]"))
    return list(dict.fromkeys(keys))


def read_opt_out_file(path: Path) -> list[str]:
    """The users of an opt-out file (see [`OptOuts.import_file`][wa_async.OptOuts.import_file]), as keys; runs
    in a thread."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as e:
        raise ValidationError(str(path), e.strerror or str(e)) from None
    except UnicodeDecodeError as e:
        raise ValidationError(str(path), f"not UTF-8 text ({e.reason})") from None
    lines = text.splitlines()
    first = next((line for line in lines if line.strip() and not line.lstrip().startswith("#")), "")
    header = [c.strip().lower() for c in first.split(",")]
    users: list[str] = []
    if set(header) & set(_COLUMNS):
        reader = csv.DictReader(io.StringIO(text))
        columns = [c for c in (reader.fieldnames or []) if c.strip().lower() in _COLUMNS]
        for row in reader:
            values = [str(row.get(c) or "").strip() for c in columns]
            values = [v for v in values if v]
            if not values:
                raise ValidationError(f"{path.name}:{reader.line_num}", f"no value in {', '.join(columns)}")
            users += [_key(v, f"{path.name}:{reader.line_num}") for v in values]
    else:
        for number, line in enumerate(lines, start=1):
            value = line.split("#", 1)[0].strip()
            if value:
                users.append(_key(value, f"{path.name}:{number}"))
    return list(dict.fromkeys(users))


def _key(value: str, field: str) -> str:
    try:
        return recipient(value, field)
    except ValidationError as e:
        raise ValidationError(field, str(e).split(": ", 1)[-1]) from None
