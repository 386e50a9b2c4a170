"""SMTP adapter: builds the email (plain text and, when given, HTML with an inline logo; PDF attached) and hands it to the mail server with smtplib.

Configured only by settings (SMTP_HOST, SMTP_PORT, SMTP_SSL or SMTP_STARTTLS, SMTP_USERNAME,
SMTP_PASSWORD, SMTP_TIMEOUT, MAIL_FROM). The login is sent only over TLS (SMTP_SSL, or after
STARTTLS) unless SMTP_ALLOW_PLAINTEXT_LOGIN says otherwise. Every failure becomes a ``MailDeliveryError`` whose
message a user can read and which says whether trying again can help (4xx, network) or not
(5xx). The password never appears in a message.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid, parseaddr

from invoice_crm.domain.email_text import clean_subject
from invoice_crm.domain.emails import clean_email
from invoice_crm.domain.errors import IntegrationError, ValidationError
from invoice_crm.settings import Settings


class MailDeliveryError(IntegrationError):
    """The mail server did not take the message. ``permanent``: retrying the same will not help."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message, field="email")
        self.permanent = permanent


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    maintype: str = "application"
    subtype: str = "pdf"


@dataclass(frozen=True)
class InlineImage:
    """An image the HTML part shows by ``cid:<cid>`` (the logo), sent inside the message."""

    cid: str
    content: bytes
    maintype: str = "image"
    subtype: str = "png"


@dataclass(frozen=True)
class OutgoingEmail:
    recipient: str
    subject: str
    body: str
    message_id: str
    attachment: Attachment | None = None
    html: str = ""  # the same message as HTML (multipart/alternative with ``body``), or none
    inline_image: InlineImage | None = None
    sender_name: str = ""  # Settings → Email: the From name on MAIL_FROM's address ("": MAIL_FROM as set)
    reply_to: str = ""  # Settings → Email: where the client's answer goes ("": to the From address)


def new_message_id(settings: Settings) -> str:
    """A Message-ID in the sender's domain; kept with the queued email so retries reuse it."""
    domain = parseaddr(settings.mail_from)[1].rpartition("@")[2] or None
    return make_msgid(domain=domain)


def sender(name: str, settings: Settings) -> str:
    """The From header: ``name`` (one line) on MAIL_FROM's address, or MAIL_FROM as set when
    there is no name. Only the name is the business's: the address stays the one the mail
    server accepts mail from."""
    name = " ".join(str(name or "").split())
    if not name:
        return settings.mail_from
    return formataddr((name, parseaddr(settings.mail_from)[1]))


def build_message(email: OutgoingEmail, settings: Settings) -> EmailMessage:
    """The message; the recipient must be exactly one address and the subject one line
    (ValidationError otherwise), so no field can add a recipient or a header."""
    message = EmailMessage()
    message["From"] = sender(email.sender_name, settings)
    message["To"] = clean_email(email.recipient, field="recipient", required=True, label="Recipient")
    if email.reply_to:
        message["Reply-To"] = clean_email(email.reply_to, field="reply_to", label="Reply-to address")
    message["Subject"] = clean_subject(email.subject)
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = email.message_id
    message.set_content(email.body)
    if email.html:
        message.add_alternative(email.html, subtype="html")
        if email.inline_image is not None:
            image = email.inline_image
            html_part = message.get_payload()[-1]
            html_part.add_related(
                image.content, maintype=image.maintype, subtype=image.subtype, cid=f"<{image.cid}>",
                disposition="inline", filename=f"logo.{'svg' if image.subtype.startswith('svg') else image.subtype}",
            )
    if email.attachment is not None:
        message.add_attachment(
            email.attachment.content,
            maintype=email.attachment.maintype,
            subtype=email.attachment.subtype,
            filename=email.attachment.filename,
        )
    return message


def _reply(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {text}".strip()


def _connect(settings: Settings) -> smtplib.SMTP:
    host, port, timeout = settings.smtp_host, settings.smtp_port, settings.smtp_timeout
    if settings.smtp_ssl:
        return smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
    server = smtplib.SMTP(host, port, timeout=timeout)
    mode = settings.smtp_starttls
    if mode is True or mode == "auto":
        server.ehlo()
        if mode is True or server.has_extn("starttls"):
            server.starttls(context=ssl.create_default_context())
            server.ehlo()
    return server


def _deliver(message: EmailMessage, settings: Settings) -> None:
    with _connect(settings) as server:
        if settings.smtp_username:
            if not isinstance(server.sock, ssl.SSLSocket) and not settings.smtp_allow_plaintext_login:
                raise MailDeliveryError(
                    f"The connection to {settings.smtp_host}:{settings.smtp_port} is not encrypted "
                    "(the server offers no STARTTLS), so SMTP_USERNAME / SMTP_PASSWORD were not sent. "
                    "Use SMTP_SSL=true or a server with STARTTLS, or set SMTP_ALLOW_PLAINTEXT_LOGIN=true "
                    "only for a server on a trusted network",
                    permanent=True,
                )
            server.login(settings.smtp_username, settings.smtp_password.get_secret_value())
        server.send_message(message)


def send_email(email: OutgoingEmail, settings: Settings) -> None:
    """Deliver one email to the configured server; raise ``MailDeliveryError`` if it is not taken."""
    if not settings.email_enabled:
        raise MailDeliveryError("Email is not set up in the server settings", permanent=True)
    try:
        message = build_message(email, settings)
    except (ValidationError, ValueError) as exc:  # never let a field become another header
        raise MailDeliveryError(f"The email cannot be sent as written: {getattr(exc, 'message', exc)}", permanent=True) from None
    try:
        _deliver(message, settings)
    except MailDeliveryError:
        raise
    except Exception as exc:  # every smtplib/socket/ssl failure becomes one readable reason
        raise describe_failure(exc, settings) from exc


def describe_failure(exc: BaseException, settings: Settings) -> MailDeliveryError:
    """A readable reason for a failed delivery, and whether retrying can help."""
    server = f"{settings.smtp_host}:{settings.smtp_port}"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        (recipient, (code, text)), *_ = exc.recipients.items()
        return MailDeliveryError(
            f"The mail server refused the recipient {recipient}: {_reply(code, text)}", permanent=code >= 500
        )
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return MailDeliveryError(
            f"The mail server refused the sender {exc.sender} (the sender address in the server settings): {_reply(exc.smtp_code, exc.smtp_error)}",
            permanent=exc.smtp_code >= 500,
        )
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return MailDeliveryError(
            f"The mail server refused the login in the server settings (reply {exc.smtp_code})", permanent=True
        )
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        what = "STARTTLS (change the TLS choice in the server settings)" if "STARTTLS" in str(exc) else "login"
        return MailDeliveryError(f"The mail server at {server} does not support {what}", permanent=True)
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return MailDeliveryError(f"The mail server at {server} closed the connection unexpectedly")
    if isinstance(exc, smtplib.SMTPConnectError):
        return MailDeliveryError(f"The mail server at {server} refused the session: {_reply(exc.smtp_code, exc.smtp_error)}")
    if isinstance(exc, smtplib.SMTPResponseException):  # SMTPDataError, SMTPHeloError and the rest
        return MailDeliveryError(
            f"The mail server refused the message: {_reply(exc.smtp_code, exc.smtp_error)}",
            permanent=exc.smtp_code >= 500,
        )
    if isinstance(exc, smtplib.SMTPException):
        return MailDeliveryError(f"Email delivery failed: {exc}")
    if isinstance(exc, ssl.SSLError):
        return MailDeliveryError(f"The TLS connection to {server} failed: {exc.reason or exc}")
    if isinstance(exc, socket.gaierror):
        return MailDeliveryError(f"The mail server host {settings.smtp_host!r} could not be found")
    if isinstance(exc, ConnectionRefusedError):
        return MailDeliveryError(f"Could not connect to the mail server at {server} (connection refused)")
    if isinstance(exc, TimeoutError):
        return MailDeliveryError(f"The mail server at {server} did not answer in {settings.smtp_timeout:g} s")
    if isinstance(exc, OSError):
        return MailDeliveryError(f"Could not reach the mail server at {server}: {exc.strerror or exc}")
    return MailDeliveryError(f"Email delivery failed: {type(exc).__name__}")
