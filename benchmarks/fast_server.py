"""A minimal, fast HTTP/1.1 keep-alive server standing in for the Graph API's send endpoint.

It answers ``POST /{version}/{phone_number_id}/messages`` with Meta's success body (FACTS §3.1) carrying a unique
wamid, and 404 to anything else. It is a raw asyncio protocol (uvloop when installed), so that it costs far less
CPU per request than any client under test: the benchmark checks that it stays under one core.

Run it as its own process: ``python -m benchmarks.fast_server [--port 0]``; it prints ``PORT <n>`` on stdout once
it listens and serves until SIGTERM or SIGINT.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import signal
import sys
from typing import cast

__all__ = ["RECIPIENT", "FastProtocol", "serve"]

RECIPIENT = "15550001111"
"""Every benchmark message goes to this number; the server echoes it as the contact."""

_BODY_HEAD = (
    b'{"messaging_product":"whatsapp","contacts":[{"input":"'
    + RECIPIENT.encode()
    + b'","wa_id":"'
    + RECIPIENT.encode()
    + b'"}],"messages":[{"id":"wamid.HBgLMTU1NTAwMDExMTEVAgARGBI'
)
_BODY_TAIL = b'"}]}'
_NOT_FOUND = b"HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
_MAX_HEAD = 64 * 1024


class FastProtocol(asyncio.Protocol):
    """One connection: parses pipelined requests by Content-Length and answers each at once."""

    __slots__ = ("_buf", "_counter", "_transport")

    def __init__(self, counter: itertools.count[int]) -> None:
        self._buf = bytearray()
        self._counter = counter
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)  # uvloop's is not an asyncio.Transport subclass

    def data_received(self, data: bytes) -> None:
        buf = self._buf
        buf += data
        out = []
        close = False
        while True:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                if len(buf) > _MAX_HEAD:
                    close = True
                break
            head = bytes(buf[:end]).lower()
            length = 0
            pos = head.find(b"\r\ncontent-length:")
            if pos >= 0:
                eol = head.find(b"\r\n", pos + 2)
                length = int(head[pos + 17 : eol if eol >= 0 else len(head)])
            total = end + 4 + length
            if len(buf) < total:
                break
            del buf[:total]
            line_end = head.find(b"\r\n")
            request_line = head[: line_end if line_end >= 0 else len(head)]
            parts = request_line.split(b" ")
            if len(parts) == 3 and parts[0] == b"post" and parts[1].endswith(b"/messages"):
                body = b"%s%012d%s" % (_BODY_HEAD, next(self._counter), _BODY_TAIL)
                out.append(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
                    % (len(body), body)
                )
            else:
                out.append(_NOT_FOUND)
            if b"\r\nconnection: close" in head:
                close = True
                break
        if self._transport is not None:
            if out:
                self._transport.write(b"".join(out))
            if close:
                self._transport.close()


async def serve(host: str = "127.0.0.1", port: int = 0) -> None:
    """Listen, print ``PORT <n>``, and serve until SIGTERM/SIGINT."""
    loop = asyncio.get_running_loop()
    counter = itertools.count()
    server = await loop.create_server(lambda: FastProtocol(counter), host, port, backlog=1024)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    sockets = server.sockets
    print(f"PORT {sockets[0].getsockname()[1]}", flush=True)
    async with server:
        await stop.wait()


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--no-uvloop", action="store_true")
    args = parser.parse_args(argv)
    runner = asyncio.run
    if not args.no_uvloop:
        with contextlib.suppress(ImportError):
            import uvloop

            runner = uvloop.run
    runner(serve(port=args.port))
    sys.exit(0)


if __name__ == "__main__":
    main()
