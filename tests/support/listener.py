"""A loopback listener that counts every connection: the proof that nothing reached it."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field


@dataclass
class Listener:
    """Where the listener is and how many connections it accepted (on any of its sockets)."""

    port: int
    connections: int = 0
    peers: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        """Its plain-http address on 127.0.0.1."""
        return f"http://127.0.0.1:{self.port}"


@contextlib.asynccontextmanager
async def counting_listener() -> AsyncIterator[Listener]:
    """Listen on 127.0.0.1 (and ::1 on the same port where IPv6 works); count, answer a bare
    HTTP 200 so a client that did connect would see success, close."""
    listener = Listener(port=0)

    async def accepted(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        listener.connections += 1
        listener.peers.append(str(writer.get_extra_info("peername")))
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            b"Content-Length: 2\r\nConnection: close\r\n\r\n{}"
        )
        with contextlib.suppress(ConnectionError):
            await writer.drain()
        writer.close()

    servers = [await asyncio.start_server(accepted, "127.0.0.1", 0)]
    listener.port = servers[0].sockets[0].getsockname()[1]
    with contextlib.suppress(OSError):
        servers.append(
            await asyncio.start_server(accepted, "::1", listener.port, family=socket.AF_INET6)
        )
    try:
        yield listener
    finally:
        for server in servers:
            server.close()
            await server.wait_closed()
