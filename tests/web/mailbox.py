"""A real SMTP server on localhost for the desk's e-mail tests (aiosmtpd): STARTTLS with a test certificate,
AUTH with one account, every message it accepts kept to be read; an address containing "bounce" is refused.

The desk verifies the server's certificate with the system's store: a test points SSL_CERT_FILE at the test
certificate (OpenSSL reads it when a context loads its default paths), as an office would install its CA.
"""

from __future__ import annotations

import email
import email.policy
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword, Session

from web.certificate import self_signed

USER, PASSWORD = "xxgk@example.edu.cn", "Mail-Passw0rd"


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage

    @property
    def body(self) -> str:
        part = self.message.get_body(("plain",))
        return str(part.get_content()) if part is not None else ""


@dataclass
class Mailbox:
    """The server: its port, its certificate (to trust), what it received."""

    port: int
    certificate: Path
    received: list[Received] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.recipients]


class _Handler:
    def __init__(self, box: Mailbox) -> None:
        self.box = box

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if "bounce" in address:
            return "550 5.1.1 用户不存在"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.box.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), parsed))
        return "250 OK"


class _Session(Session):
    login_data: Any = None  # a plain attribute: aiosmtpd's own property warns (deprecated) at each login


class _SMTP(SMTP):
    def _create_session(self) -> Session:
        return _Session(self.loop)


class _Controller(Controller):
    def factory(self) -> SMTP:
        return _SMTP(self.handler, **self.SMTP_kwargs)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def mailbox(folder: Path) -> Iterator[Mailbox]:
    """An SMTP server on 127.0.0.1 (STARTTLS required before AUTH; USER / PASSWORD) until the block ends."""
    certificate, key = self_signed(folder)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certificate, key)
    box = Mailbox(_free_port(), certificate)

    def authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (USER.encode(), PASSWORD.encode())
        if ok:
            box.logins.append(data.login.decode())
        return AuthResult(success=ok, handled=False)  # a failure answered 535 by aiosmtpd

    controller = _Controller(_Handler(box), hostname="127.0.0.1", port=box.port, tls_context=context,
                            require_starttls=True, authenticator=authenticate, auth_require_tls=True,
                            decode_data=False)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()
