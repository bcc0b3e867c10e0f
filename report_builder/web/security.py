"""Cross-site request forgery tokens, the office's signed session cookie, and the request log."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
import time
from pathlib import Path

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["CSRF_COOKIE", "SESSION_COOKIE", "LoginThrottle", "RequestLog", "csrf_token", "csrf_valid", "log_line",
           "sign_session", "valid_session"]

CSRF_COOKIE = "desk_csrf"
SESSION_COOKIE = "desk_office"
SESSION_SECONDS = 12 * 3600


def csrf_token(request: Request) -> tuple[str, bool]:
    """(this browser's token, whether it is new and must be set as a cookie)."""
    token = request.cookies.get(CSRF_COOKIE, "")
    if re.fullmatch(r"[A-Za-z0-9_-]{32,64}", token):
        return token, False
    return secrets.token_urlsafe(32), True


def csrf_valid(request: Request, sent: object) -> bool:
    cookie = request.cookies.get(CSRF_COOKIE, "")
    return bool(cookie) and isinstance(sent, str) and hmac.compare_digest(cookie, sent)


def sign_session(secret: bytes, now: float | None = None) -> str:
    expires = str(int((now or time.time()) + SESSION_SECONDS))
    return f"{expires}.{_mac(secret, expires)}"


def valid_session(secret: bytes, cookie: str | None, now: float | None = None) -> bool:
    if not secret or not cookie or "." not in cookie:
        return False
    expires, mac = cookie.split(".", 1)
    if not expires.isdigit() or not hmac.compare_digest(mac, _mac(secret, expires)):
        return False
    return int(expires) > (now or time.time())


def _mac(secret: bytes, text: str) -> str:
    return hmac.new(secret, b"office-session:" + text.encode(), hashlib.sha256).hexdigest()


class RequestLog:
    """ASGI middleware: one line per request to `path` (time, method, path with the token hidden, status, ms)."""

    def __init__(self, app: ASGIApp, path: Path) -> None:
        self.app = app
        self.path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.monotonic()
        status = [500]

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            ms = (time.monotonic() - started) * 1000
            shown = re.sub(r"^/d/[^/]+", "/d/…", scope.get("path", ""))
            log_line(self.path, scope.get("method", ""), shown, str(status[0]), f"{ms:.0f}")


def log_line(path: Path, *fields: str) -> None:
    """Append one line to the desk's log: the local time, then `fields`, tab-separated (one write: lines from
    concurrent requests do not interleave)."""
    line = "\t".join((dt.datetime.now().astimezone().isoformat(timespec="seconds"), *fields))
    with open(path, "a", encoding="utf-8") as log:
        log.write(line + "\n")


class LoginThrottle:
    """Failed office logins per client address: after `limit` failures within `window` seconds, that address
    waits until the oldest of them is `window` seconds old (no lockout of other addresses; kept in memory)."""

    def __init__(self, limit: int = 5, window: float = 600.0) -> None:
        self.limit, self.window = limit, window
        self._failures: dict[str, list[float]] = {}

    def wait(self, client: str, now: float | None = None) -> int:
        """Seconds `client` must wait before trying again (0: it may try now)."""
        now = time.monotonic() if now is None else now
        recent = [t for t in self._failures.get(client, []) if now - t < self.window]
        self._failures[client] = recent
        if len(recent) < self.limit:
            return 0
        return max(1, int(recent[-self.limit] + self.window - now + 0.999))

    def failed(self, client: str, now: float | None = None) -> None:
        self._failures.setdefault(client, []).append(time.monotonic() if now is None else now)

    def succeeded(self, client: str) -> None:
        self._failures.pop(client, None)
