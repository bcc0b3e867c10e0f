"""What every request of the desk passes through (ASGI middleware `Guard`), and the desk's log.

- Security headers on every answer: a Content-Security-Policy allowing only the desk's own script and style
  files (no inline script), no framing, nosniff, no Referer (a department's token is in its URLs), no caching
  of pages.
- A cookie of ours that is not of the shape we make (a non-ASCII value, say) is a 400 page that clears it,
  never an error.
- The body of a request must keep arriving: each read within `idle` seconds and the whole of it within
  `whole` seconds, else `SlowClient` (the app answers 408). Slow headers are the server's
  (web/server.py).
- One line per request in desk.log (log.log_line): time, method, path (a department's token hidden), status,
  ms, client.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import anyio
from starlette.datastructures import MutableHeaders
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from report_builder.web.log import log_line
from report_builder.web.rendering import message_page
from report_builder.web.security import COOKIE_SHAPE, CSRF_COOKIE, SESSION_COOKIE

__all__ = ["CONTENT_SECURITY_POLICY", "IDLE_SECONDS", "WHOLE_SECONDS", "Guard", "SlowClient"]

CONTENT_SECURITY_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
                           "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
}
OUR_COOKIES = (CSRF_COOKIE, SESSION_COOKIE)
IDLE_SECONDS = 30.0  # between two pieces of a request's body
WHOLE_SECONDS = 300.0  # for all of it: 20 MB at 70 KB/s


class SlowClient(Exception):
    """A request's body stopped arriving, or arrived too slowly."""


class Guard:
    """See the module's docstring."""

    def __init__(self, app: ASGIApp, log: Path, idle: float = IDLE_SECONDS, whole: float = WHOLE_SECONDS) -> None:
        self.app, self.log, self.idle, self.whole = app, log, idle, whole

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.monotonic()
        status = [500]

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    headers.setdefault(name, value)
                if not scope.get("path", "").startswith("/static/"):
                    headers.setdefault("cache-control", "no-store")
            await send(message)

        try:
            bad = _bad_cookies(scope)
            if bad:
                response = message_page(400, "无法识别浏览器发来的信息",
                                        "浏览器保存的本网站信息（Cookie）无法识别，已清除。请重新打开本页面或本部门的链接。")
                for name in bad:
                    response.delete_cookie(name, path="/office" if name == SESSION_COOKIE else "/")
                await response(scope, receive, sending)
                return
            await self.app(scope, self._in_time(receive), sending)
        finally:
            ms = (time.monotonic() - started) * 1000
            shown = re.sub(r"^/([dr])/[^/]+", r"/\1/…", scope.get("path", ""))  # a department's or reviewer's token
            client = scope.get("client") or ("", 0)
            log_line(self.log, scope.get("method", ""), shown, str(status[0]), f"{ms:.0f}", str(client[0]))

    def _in_time(self, receive: Receive) -> Receive:
        """`receive` that raises SlowClient when the body stops arriving (once it is whole: as it is)."""
        deadline = time.monotonic() + self.whole
        whole = False

        async def in_time() -> Message:
            nonlocal whole
            if whole:
                return await receive()
            try:
                with anyio.fail_after(max(0.0, min(self.idle, deadline - time.monotonic()))):
                    message = await receive()
            except TimeoutError:
                raise SlowClient from None
            whole = message["type"] != "http.request" or not message.get("more_body", False)
            return message

        return in_time


def _bad_cookies(scope: Scope) -> list[str]:
    """Our cookies whose value is not of the shape we make."""
    cookies: dict[str, str] = {}
    for name, value in scope.get("headers", ()):
        if name == b"cookie":
            cookies.update(cookie_parser(value.decode("latin-1")))
    return [name for name in OUR_COOKIES if name in cookies and not COOKIE_SHAPE.fullmatch(cookies[name])]
