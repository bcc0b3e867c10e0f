"""The office's credential and its logins, kept in the desk's SQLite file (store.Store).

The password: made at first start (or by `serve --new-password`), shown once, only its scrypt hash kept; its
characters leave out those read as others (0 O o 1 l I). A login is a server-side session: a random cookie
value whose sha256 is a row of `sessions`, made anew at every login (the old one ended), ended at logout and
every one of them at a new password, expiring after SESSION_SECONDS.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

from report_builder.web.store import Store

__all__ = ["PASSWORD_ALPHABET", "SESSION_SECONDS", "Office", "new_password"]

SCRYPT = {"n": 2**14, "r": 8, "p": 1}
SESSION_SECONDS = 12 * 3600
PASSWORD_ALPHABET = "23456789abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0 O o 1 l I
PASSWORD_GROUPS, GROUP_LENGTH = 4, 4  # "Xk7q-…": 16 characters of 56, about 93 bits


def new_password() -> str:
    """A random password in groups of four characters, none of them easily misread."""
    return "-".join("".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(GROUP_LENGTH))
                    for _ in range(PASSWORD_GROUPS))


def _hash(password: str, salt: bytes) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, **SCRYPT)


def _session_id(cookie: str) -> str:
    return hashlib.sha256(cookie.encode("utf-8")).hexdigest()


class Office:
    """The office's password and sessions in a desk's state file."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def make_password(self) -> str | None:
        """At first start: a new password (returned once; only its hash is kept). None when one exists."""
        password, salt = new_password(), secrets.token_bytes(16)
        with self.store.connect() as db:
            cursor = db.execute("INSERT OR IGNORE INTO office (id, password_hash, salt, session_secret) "
                                "VALUES (1, ?, ?, x'')", (_hash(password, salt), salt))
        return password if cursor.rowcount == 1 else None

    def set_password(self, password: str) -> None:
        """Replace the office's password; every session ends (in the same transaction)."""
        salt = secrets.token_bytes(16)
        with self.store.connect() as db:
            db.execute("BEGIN IMMEDIATE")
            db.execute("INSERT INTO office (id, password_hash, salt, session_secret) VALUES (1, ?, ?, x'') "
                       "ON CONFLICT (id) DO UPDATE SET password_hash = excluded.password_hash, salt = excluded.salt",
                       (_hash(password, salt), salt))
            db.execute("DELETE FROM sessions")
            db.execute("COMMIT")

    def check_password(self, password: str) -> bool:
        with self.store.connect() as db:
            row = db.execute("SELECT password_hash, salt FROM office WHERE id = 1").fetchone()
        return row is not None and hmac.compare_digest(bytes(row[0]), _hash(password, bytes(row[1])))

    def start_session(self, replacing: str = "", now: float | None = None) -> str:
        """A new session's cookie value; the session of `replacing` (the cookie sent with the login) and the
        expired ones end."""
        now = time.time() if now is None else now
        cookie = secrets.token_urlsafe(32)
        with self.store.connect() as db:
            db.execute("BEGIN IMMEDIATE")
            db.execute("DELETE FROM sessions WHERE expires <= ? OR id = ?", (now, _session_id(replacing)))
            db.execute("INSERT INTO sessions (id, expires) VALUES (?, ?)", (_session_id(cookie), now + SESSION_SECONDS))
            db.execute("COMMIT")
        return cookie

    def session(self, cookie: str, now: float | None = None) -> str:
        """The id of the live session `cookie` belongs to ("" when none: never made, ended or expired)."""
        if not cookie:
            return ""
        found = _session_id(cookie)
        with self.store.connect() as db:
            row = db.execute("SELECT expires FROM sessions WHERE id = ?", (found,)).fetchone()
        return found if row is not None and row[0] > (time.time() if now is None else now) else ""

    def end_session(self, cookie: str) -> None:
        with self.store.connect() as db:
            db.execute("DELETE FROM sessions WHERE id = ?", (_session_id(cookie),))
