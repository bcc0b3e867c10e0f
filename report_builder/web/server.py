"""The desk served by uvicorn: TLS from a certificate, bounds on slow and greedy clients, a clean stop.

uvicorn reads a request's headers without a deadline (its keep-alive timeout starts only after an answer and
stops at the first byte), so a client can hold a connection by sending its headers a byte at a time. Here each
connection must complete a request's headers within `header_seconds` of opening (or of its last answer), and
one client address holds at most `per_client` connections (a trusted proxy: any number). The body's pace is
the app's (guard.Guard). Ctrl-C or SIGTERM stops the server gracefully and `serve` returns normally (uvicorn
would raise the signal again after its shutdown).
"""

from __future__ import annotations

import contextlib
import ipaddress
import signal
import ssl
import threading
from collections import Counter
from collections.abc import Callable, Collection, Iterator
from pathlib import Path
from typing import Any

import uvicorn
from uvicorn.config import Config
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.server import ServerState

__all__ = ["HEADER_SECONDS", "PER_CLIENT", "DeskServer", "desk_config", "protocol_class"]

HEADER_SECONDS = 10.0  # from a connection or its last answer to a request's complete headers
KEEP_ALIVE_SECONDS = 5  # an idle connection after an answer
PER_CLIENT = 64  # connections open from one address at once (a campus NAT may put many departments behind one)
MAX_CONNECTIONS = 1000  # in all; beyond it uvicorn answers 503
GRACEFUL_SECONDS = 5  # after Ctrl-C, open requests get this long before the server stops anyway


def protocol_class(header_seconds: float = HEADER_SECONDS, per_client: int = PER_CLIENT,
                   exempt: Collection[str] = ()) -> type[H11Protocol]:
    """uvicorn's HTTP/1.1 protocol with a deadline for headers and a bound on connections per client address
    (`exempt`: addresses or networks without that bound, the trusted proxies)."""
    open_from: Counter[str] = Counter()
    networks = [ipaddress.ip_network(address, strict=False) for address in exempt]

    def bounded(host: str) -> bool:
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return True
        return not any(address in network for network in networks)

    class DeskProtocol(H11Protocol):
        def __init__(self, config: Config, server_state: ServerState, app_state: dict[str, Any],
                     _loop: Any = None) -> None:
            super().__init__(config, server_state, app_state, _loop)
            self._deadline: Any = None
            self._host = ""

        def connection_made(self, transport: Any) -> None:
            super().connection_made(transport)
            self._host = self.client[0] if self.client else ""
            open_from[self._host] += 1
            if open_from[self._host] > per_client and bounded(self._host):
                transport.close()
                return
            self._wait_for_headers()

        def connection_lost(self, exc: Exception | None) -> None:
            self._stop_waiting()
            open_from[self._host] -= 1
            if open_from[self._host] <= 0:
                del open_from[self._host]
            super().connection_lost(exc)

        def handle_events(self) -> None:
            before = self.cycle
            super().handle_events()
            if self.cycle is not before:  # a request's headers are complete
                self._stop_waiting()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing() and self._idle():
                self._wait_for_headers()

        def _idle(self) -> bool:
            return self.cycle is None or self.cycle.response_complete

        def _wait_for_headers(self) -> None:
            self._stop_waiting()
            self._deadline = self.loop.call_later(header_seconds, self._too_slow)

        def _stop_waiting(self) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
                self._deadline = None

        def _too_slow(self) -> None:
            self._deadline = None
            if self._idle() and not self.transport.is_closing():
                self.transport.close()

    return DeskProtocol


class DeskServer(uvicorn.Server):
    """uvicorn's server whose Ctrl-C and SIGTERM stop it gracefully and are not raised again afterwards."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = {sig: signal.signal(sig, self.handle_exit) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


class _Quiet:
    """The app, whose unexpected errors stay off the office's console: the app has already answered them with
    its Chinese page and written them to desk.log (app._crashed); uvicorn would print a traceback."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        with contextlib.suppress(Exception):
            await self.app(scope, receive, send)


def _tls(config: Config, default: Callable[[], ssl.SSLContext]) -> ssl.SSLContext:
    context = default()
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def desk_config(app: Any, host: str, port: int, *, cert: Path | None = None, key: Path | None = None,
                trusted: Collection[str] = (), header_seconds: float = HEADER_SECONDS,
                per_client: int = PER_CLIENT) -> Config:
    """uvicorn's configuration of the desk: TLS when `cert` and `key` are given (TLS 1.2 at least), the
    forwarded headers left to the app (create_app's trusted proxies), quiet logs (desk.log has the requests)."""
    tls: dict[str, Any] = {}
    if cert is not None and key is not None:
        tls = {"ssl_certfile": str(cert), "ssl_keyfile": str(key), "ssl_context_factory": _tls}
    return Config(_Quiet(app), host=host, port=port, log_level="error", access_log=False, proxy_headers=False,
                  http=protocol_class(header_seconds, per_client, frozenset(trusted)), server_header=False,
                  timeout_keep_alive=KEEP_ALIVE_SECONDS, limit_concurrency=MAX_CONNECTIONS,
                  timeout_graceful_shutdown=GRACEFUL_SECONDS, **tls)
