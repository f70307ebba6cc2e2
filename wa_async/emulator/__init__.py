"""A local stand-in for the WhatsApp Cloud API and the Maton gateway, for tests, demos and benchmarks.

It imports nothing from the rest of wa_async: its validation is written independently from Meta's documented
rules, so it checks the client rather than agreeing with it. See ``docs/emulator.md``.
"""

from ._clock import ManualClock
from ._faults import Fault, FaultKind
from ._records import Accepted, Stats
from ._serve import main, serve
from ._server import Emulator
from ._webhooks import sign

__all__ = ["Accepted", "Emulator", "Fault", "FaultKind", "ManualClock", "Stats", "main", "serve", "sign"]
