"""How uvicorn serves the application: its HTTP protocol with Nagle's algorithm off.

With ``--workers N`` uvicorn binds the listening socket itself and hands it to each
serving process, where Python rebuilds it with protocol number 0; asyncio then takes
the accepted connections for something other than TCP and never sets ``TCP_NODELAY``
on them (one process, listening through ``create_server``, does). An answer goes out
as two writes, the head and then the body: with Nagle on, the body waits for the
client's acknowledgement of the head, which the client delays by 40 ms, so every
answer on a kept-alive connection cost ~40 ms more (bench/RESULTS.md, issue 14).
"""

from __future__ import annotations

import asyncio
import socket
from contextlib import suppress

from uvicorn.protocols.http.auto import AutoHTTPProtocol

HTTP_PROTOCOL = "mqa_workflow.web.serving:NoDelayHTTPProtocol"  # uvicorn's ``http=``


def no_delay(transport: asyncio.BaseTransport) -> bool:
    """Turn Nagle's algorithm off on a TCP connection; whether it is off now."""
    sock = transport.get_extra_info("socket")
    if sock is None or sock.family not in (socket.AF_INET, socket.AF_INET6):
        return False
    with suppress(OSError):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return bool(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))


class NoDelayHTTPProtocol(AutoHTTPProtocol):  # type: ignore[misc,valid-type]
    """uvicorn's own HTTP protocol, with ``TCP_NODELAY`` on each accepted connection."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        no_delay(transport)
        super().connection_made(transport)
