"""Fault injection: typed specs of what goes wrong, and the set that decides when each fires."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Literal

__all__ = ["ACCEPTING", "Fault", "FaultKind", "FaultSet"]

FaultKind = Literal[
    "server_error",  # 500 with a Graph body (code 131000 unless code=): not accepted
    "unavailable",  # 503 with Retry-After and a Graph body (code 2): not accepted
    "error",  # any Graph error (code=, status=): not accepted
    "reset",  # the connection is closed before any response: not accepted
    "latency",  # wait `delay` seconds, then carry on as usual
    "drop_after_accept",  # accepted and recorded, then the connection is closed with no response
    "bad_gateway",  # accepted and recorded, then a body-less 502
    "undeliverable",  # accepted (200), then a `failed` status webhook with code 131026
]
ACCEPTING: frozenset[str] = frozenset({"latency", "drop_after_accept", "bad_gateway", "undeliverable"})
_REFUSING: frozenset[str] = frozenset({"server_error", "unavailable", "error", "reset"})
_BEFORE: frozenset[str] = _REFUSING | {"latency"}
_ANSWERING_AFTER: frozenset[str] = frozenset({"drop_after_accept", "bad_gateway"})
_DEFAULT_CODES = {"server_error": 131000, "unavailable": 2, "error": 131000, "undeliverable": 131026}


@dataclass(frozen=True, slots=True)
class Fault:
    """One injected fault on ``POST /messages``.

    Faults fire in the order they were added; a fault is used up only when it fires, and the first one that
    answers a request (a refusal, a dropped connection, a 502) leaves the later ones armed.

    Attributes:
        kind: What goes wrong: ``server_error`` (500), ``unavailable`` (503 with ``Retry-After``), ``error``
            (any Graph error), ``reset`` (closed before any answer), ``latency`` (``delay`` seconds late),
            ``drop_after_accept`` (accepted, then closed with no answer), ``bad_gateway`` (accepted, then a
            body-less 502), ``undeliverable`` (accepted, then a ``failed`` status webhook).
        to: Only messages to this recipient (digits; ``+`` and spaces are ignored).
        times: How often it fires; None for always.
        delay: The latency of ``latency``, in seconds.
        retry_after: The ``Retry-After`` of ``unavailable``, in seconds.
        code: The Graph error code answered or reported (default by kind: 131000, 2 or 131026).
        status: The HTTP status of ``error``, ``server_error`` or ``unavailable``.

    Example:
        ```python
        Fault("server_error", times=1)              # the first message fails, then all succeed
        Fault("undeliverable", to="15550001111")    # that number gets a `failed` status webhook
        ```
    """

    kind: FaultKind
    to: str | None = None
    times: int | None = None
    delay: float = 0.0
    retry_after: int = 1
    code: int | None = None
    status: int | None = None

    @property
    def error_code(self) -> int:
        """The Graph code it answers or reports."""
        return self.code if self.code is not None else _DEFAULT_CODES.get(self.kind, 131000)

    @property
    def accepts(self) -> bool:
        """Whether the message is accepted (recorded, and its webhooks sent) when this fault fires."""
        return self.kind in ACCEPTING


class FaultSet:
    """The active faults, each with what is left of its ``times``."""

    __slots__ = ("_armed", "fired")

    def __init__(self, faults: Iterable[Fault] = ()) -> None:
        self._armed: list[_Armed] = []
        self.fired = 0
        for fault in faults:
            self.add(fault)

    def __repr__(self) -> str:
        return f"<FaultSet active={len(self._armed)} fired={self.fired}>"

    def __bool__(self) -> bool:
        return bool(self._armed)

    def add(self, fault: Fault) -> None:
        """Activate ``fault``."""
        if fault.to is not None:
            fault = replace(fault, to=_digits(fault.to))
        self._armed.append(_Armed(fault))

    def clear(self) -> None:
        """Remove every fault."""
        self._armed.clear()
        self.fired = 0

    def before_accept(self, wa_id: str) -> list[Fault]:
        """The faults that fire for a message to ``wa_id`` ("" for a read receipt) before it is accepted.

        Matching ``latency`` faults, in order, up to and including the first fault that refuses the message
        (``server_error``, ``unavailable``, ``error``, ``reset``): that one answers the request, so the faults
        after it stay armed for a later request.
        """
        return self._take(wa_id, _BEFORE, _REFUSING)

    def on_accept(self, wa_id: str) -> list[Fault]:
        """The faults that fire once a message to ``wa_id`` is accepted.

        Matching ``undeliverable`` faults, in order, up to and including the first that answers the request
        (``drop_after_accept``, ``bad_gateway``); the faults after it stay armed.
        """
        return self._take(wa_id, ACCEPTING - _BEFORE, _ANSWERING_AFTER)

    def _take(self, wa_id: str, kinds: frozenset[str], answering: frozenset[str]) -> list[Fault]:
        fired: list[Fault] = []
        for armed in self._armed:
            fault = armed.fault
            if fault.kind not in kinds or armed.left == 0 or (fault.to is not None and fault.to != wa_id):
                continue
            if armed.left is not None:
                armed.left -= 1
            fired.append(fault)
            if fault.kind in answering:  # this fault answers the request: none after it fires on it
                break
        self.fired += len(fired)
        return fired


class _Armed:
    __slots__ = ("fault", "left")

    def __init__(self, fault: Fault) -> None:
        self.fault = fault
        self.left = fault.times


def _digits(number: str) -> str:
    return "".join(ch for ch in number if ch.isdigit())
