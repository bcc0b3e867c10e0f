"""Form tokens against cross-site requests, the shapes of the desk's cookies, and the login throttle.

A form's token is an HMAC (the state file's `forms` key) of what it is for, what it is bound to and this
browser's random cookie (`desk_csrf`): bound to the department's token on a department's page, to the session
on the office's pages (so a cookie planted from another port of the same host, which the browser sends here
too, gives nobody a token that passes). See docs/intake-desk.md.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import time

from starlette.requests import Request

__all__ = ["COOKIE_SHAPE", "CSRF_COOKIE", "SESSION_COOKIE", "LoginThrottle", "browser", "form_token", "form_valid"]

CSRF_COOKIE = "desk_csrf"  # this browser's random value, the base of its form tokens
SESSION_COOKIE = "desk_office"  # the office's session (credential.Office)
COOKIE_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")  # secrets.token_urlsafe(32), the value of both cookies
UPLOAD, LOGIN, OFFICE = "upload", "login", "office"  # what a form token is for


def browser(request: Request) -> tuple[str, bool]:
    """(this browser's value, whether it is new and must be set as a cookie); the same for one request."""
    known = getattr(request.state, "browser", None)
    if isinstance(known, tuple):
        return known
    value = request.cookies.get(CSRF_COOKIE, "")
    found = (value, False) if COOKIE_SHAPE.fullmatch(value) else (secrets.token_urlsafe(32), True)
    request.state.browser = found
    return found


def form_token(key: bytes, browser_value: str, purpose: str, binding: str = "") -> str:
    """The token a form for `purpose` (UPLOAD, LOGIN, OFFICE) carries in this browser, bound to `binding`."""
    text = "\0".join((purpose, binding, browser_value)).encode("utf-8")
    return base64.urlsafe_b64encode(hmac.new(key, text, hashlib.sha256).digest()).rstrip(b"=").decode("ascii")


def form_valid(request: Request, key: bytes, sent: object, purpose: str, binding: str = "") -> bool:
    """Whether the form's `sent` token is this browser's for `purpose` and `binding` (compared as bytes: a
    token of any characters is refused, never an error)."""
    value = request.cookies.get(CSRF_COOKIE, "")
    if not COOKIE_SHAPE.fullmatch(value) or not isinstance(sent, str):
        return False
    expected = form_token(key, value, purpose, binding)
    return hmac.compare_digest(sent.encode("utf-8"), expected.encode("ascii"))


class LoginThrottle:
    """Office logins per client address and in all: each attempt counts from the moment it starts (a burst
    sent at once is counted before any password is checked). After `limit` attempts from one address within
    `window` seconds, or `account_limit` from all addresses, the next waits until the oldest of them is `window`
    seconds old. A successful login forgets its address's attempts. Kept in memory."""

    def __init__(self, limit: int = 5, window: float = 600.0, account_limit: int = 20) -> None:
        self.limit, self.window, self.account_limit = limit, window, account_limit
        self._attempts: dict[str, list[float]] = {}
        self._all: list[float] = []

    def begin(self, client: str, now: float | None = None) -> int:
        """Seconds `client` must wait (nothing counted), or 0: the attempt is counted and may go on."""
        now = time.monotonic() if now is None else now
        mine = [t for t in self._attempts.get(client, []) if now - t < self.window]
        self._all = [t for t in self._all if now - t < self.window]
        self._attempts[client] = mine
        waits = [int(times[-limit] + self.window - now + 0.999)
                 for times, limit in ((mine, self.limit), (self._all, self.account_limit)) if len(times) >= limit]
        if waits:
            return max(1, *waits)
        mine.append(now)
        self._all.append(now)
        return 0

    def succeeded(self, client: str) -> None:
        for moment in self._attempts.pop(client, []):
            if moment in self._all:
                self._all.remove(moment)
