"""Answers leave at once: Nagle's algorithm is off on every connection uvicorn accepts,
also from a listening socket handed to several serving processes (`--workers N`),
whose connections asyncio does not recognise as TCP (protocol number 0)."""

from __future__ import annotations

import asyncio
import socket

from uvicorn.importer import import_from_string

from mqa_workflow.web.serving import HTTP_PROTOCOL, NoDelayHTTPProtocol, no_delay


async def _accepted_no_delay(turn_off: bool) -> int:
    """TCP_NODELAY of a connection accepted on a socket built as uvicorn's workers get it."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)  # protocol number 0
    listener.bind(("127.0.0.1", 0))
    loop = asyncio.get_running_loop()
    seen: asyncio.Future[int] = loop.create_future()

    class Probe(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            if turn_off:
                no_delay(transport)
            sock = transport.get_extra_info("socket")
            seen.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))

    server = await loop.create_server(Probe, sock=listener)
    try:
        _, writer = await asyncio.open_connection(*listener.getsockname())
        result = await asyncio.wait_for(seen, 10)
        writer.close()
        return result
    finally:
        server.close()
        await server.wait_closed()


def test_a_connection_from_a_handed_over_socket_keeps_nagle_unless_turned_off() -> None:
    assert asyncio.run(_accepted_no_delay(turn_off=False)) == 0  # what caused the 40 ms
    assert asyncio.run(_accepted_no_delay(turn_off=True)) != 0


def test_the_served_protocol_is_uvicorns_own_with_nagle_off() -> None:
    assert import_from_string(HTTP_PROTOCOL) is NoDelayHTTPProtocol
    from uvicorn.protocols.http.auto import AutoHTTPProtocol

    assert issubclass(NoDelayHTTPProtocol, AutoHTTPProtocol)
