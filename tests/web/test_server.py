"""The desk's uvicorn server (web/server.py) in this process, with short bounds: headers sent a byte at a time are
cut off, one address cannot hold more than its connections, an ordinary request is served."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from report_builder.web.server import DeskServer, desk_config
from web.served import free_port

HEADERS = 0.6  # seconds a connection has to send a request's headers


async def hello(request: Request) -> PlainTextResponse:
    return PlainTextResponse("你好")


@contextmanager
def serving(per_client: int = 64) -> Iterator[int]:
    port = free_port()
    server = DeskServer(desk_config(Starlette(routes=[Route("/", hello)]), "127.0.0.1", port,
                                    header_seconds=HEADERS, per_client=per_client))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(10)


def closed_after(connection: socket.socket, limit: float, drip: bytes = b"") -> float | None:
    """Seconds until the server closes `connection` (sending `drip` a byte every 0.1 s meanwhile), None if not
    within `limit`."""
    started = time.monotonic()
    connection.settimeout(0.1)
    for byte in [drip[i:i + 1] for i in range(len(drip))] + [b""] * int(limit * 10):
        try:
            if byte:
                connection.sendall(byte)
            if connection.recv(1024) == b"":
                return time.monotonic() - started
        except TimeoutError:
            continue
        except OSError:
            return time.monotonic() - started
    return None


def test_headers_sent_a_byte_at_a_time_are_cut_off() -> None:
    with serving() as port, socket.create_connection(("127.0.0.1", port)) as slow:
        drip = b"GET / HTTP/1.1\r\nHost: x\r\nX-Padding: " + b"a" * 200
        waited = closed_after(slow, 5.0, drip)
        assert waited is not None and HEADERS - 0.1 < waited < HEADERS + 2.0, waited


def test_a_quiet_connection_is_closed_and_a_request_is_served() -> None:
    with serving() as port:
        with socket.create_connection(("127.0.0.1", port)) as quiet:
            assert closed_after(quiet, 5.0) is not None
        with socket.create_connection(("127.0.0.1", port), timeout=5) as ordinary:
            ordinary.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            answer = b""
            while chunk := ordinary.recv(4096):
                answer += chunk
        assert answer.startswith(b"HTTP/1.1 200") and "你好".encode() in answer


def test_one_address_holds_at_most_its_connections() -> None:
    with serving(per_client=3) as port:
        held = [socket.create_connection(("127.0.0.1", port)) for _ in range(3)]
        try:
            with socket.create_connection(("127.0.0.1", port)) as extra:
                assert closed_after(extra, HEADERS - 0.2) is not None  # at once, not at the headers' deadline
        finally:
            for connection in held:
                connection.close()
