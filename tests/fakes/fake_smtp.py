"""A fake mail server: a real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it accepts.

The app talks to it with smtplib, unchanged, configured only by the SMTP settings. Switches:
``accept()`` (default), ``refuse()`` (a 451 "try again later" reply to the message),
``reject()`` (a 550 for every recipient) and ``drop()`` (the connection is closed when the
message has been sent, with no reply).
"""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from dataclasses import dataclass
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

ACCEPT, REFUSE, REJECT, DROP = "accept", "refuse", "reject", "drop"


@dataclass(frozen=True)
class Received:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    login: str  # the SMTP user that authenticated, or ""
    message: EmailMessage

    @property
    def attachments(self) -> list[EmailMessage]:
        return list(self.message.iter_attachments())

    @property
    def text(self) -> str:
        return self.message.get_body(preferencelist=("plain",)).get_content()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class FakeSMTPServer:
    def __init__(self, username: str = "", password: str = "") -> None:
        self.host = "127.0.0.1"
        self.port = _free_port()
        self.username = username
        self.password = password
        self.mode = ACCEPT
        self.reply = ""
        self._received: list[Received] = []
        self._lock = threading.Lock()
        self.transactions = 0  # messages the server was asked to take, whatever it answered
        self.logins = 0  # AUTH attempts: credentials that crossed the (plaintext) connection
        kwargs = {"auth_require_tls": False, "authenticator": self._authenticate} if username else {}
        self._controller = Controller(
            self, hostname=self.host, port=self.port, server_hostname="fake-smtp.test", **kwargs
        )

    # --- lifecycle and switches ---
    def start(self) -> FakeSMTPServer:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def accept(self) -> None:
        self.mode, self.reply = ACCEPT, ""

    def refuse(self, reply: str = "451 4.3.0 Mail server busy, try again later") -> None:
        self.mode, self.reply = REFUSE, reply

    def reject(self, reply: str = "550 5.1.1 No such mailbox here") -> None:
        self.mode, self.reply = REJECT, reply

    def drop(self) -> None:
        self.mode, self.reply = DROP, ""

    # --- what it received ---
    @property
    def messages(self) -> list[Received]:
        with self._lock:
            return list(self._received)

    def messages_to(self, address: str) -> list[Received]:
        return [m for m in self.messages if address.lower() in (r.lower() for r in m.rcpt_tos)]

    def clear(self) -> None:
        with self._lock:
            self._received.clear()
            self.transactions = 0

    # --- aiosmtpd hooks ---
    def _authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        self.logins += 1
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login.decode() == self.username
            and auth_data.password.decode() == self.password
        )
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.mode == REJECT:
            return self.reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self._lock:
            self.transactions += 1
        if self.mode == REFUSE:
            return self.reply
        if self.mode == DROP:
            server.transport.abort()
            return "421 closing"  # never reaches the client: the connection is gone
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        login = session.auth_data.login.decode() if isinstance(session.auth_data, LoginPassword) else ""
        with self._lock:
            self._received.append(Received(envelope.mail_from, tuple(envelope.rcpt_tos), login, message))
        return "250 2.0.0 Message accepted"
