"""Short-lived download tickets: how a signed-in browser fetches a streamed export over plain
HTTP, without its session token ever travelling in a URL.

The session token lives in the browser's storage and is checked on every event. The event
that starts an export (checked like every other) asks for a ticket: what to export, for which
session, until when, signed with HMAC-SHA256 under a random key kept in the database (so every
worker checks it alike). The download endpoint accepts a ticket only while it is unexpired,
its signature holds and its session still exists: signing out ends every ticket at once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from invoice_crm.db import read_session, write_session
from invoice_crm.db_types import utcnow
from invoice_crm.domain.errors import DomainError
from invoice_crm.models import AppFlag, UserSession

KEY_FLAG = "export_ticket_key"
LIFETIME = timedelta(minutes=5)
MAX_TICKET = 4096


class TicketRefused(DomainError):
    pass


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _key() -> bytes:
    with read_session() as session:
        row = session.get(AppFlag, KEY_FLAG)
        if row is not None:
            return bytes.fromhex(row.value)
    try:
        with write_session() as session:
            session.add(AppFlag(name=KEY_FLAG, value=secrets.token_hex(32)))
    except IntegrityError:
        pass  # another worker made it first: use theirs
    with read_session() as session:
        return bytes.fromhex(session.get(AppFlag, KEY_FLAG).value)


def _session_id(token: str) -> int | None:
    token_hash = hashlib.sha256(token.encode()).hexdigest()
    with read_session() as session:
        return session.execute(
            select(UserSession.id).where(UserSession.token_hash == token_hash, UserSession.expires_at > utcnow())
        ).scalar_one_or_none()


def issue(session_token: str, kind: str, params: dict[str, str]) -> str:
    """A ticket for one export by the signed-in browser holding ``session_token``."""
    sid = _session_id(session_token or "")
    if sid is None:
        raise TicketRefused("Please sign in again")
    expires = int((utcnow() + LIFETIME).timestamp())
    payload = _b64(json.dumps({"k": kind, "p": params, "s": sid, "e": expires}, separators=(",", ":")).encode())
    return payload + "." + _b64(hmac.new(_key(), payload.encode(), hashlib.sha256).digest())


def redeem(ticket: str, kind: str) -> dict[str, str]:
    """The export's parameters, if ``ticket`` is a valid one for ``kind``; else TicketRefused."""
    payload, _, signature = (ticket or "")[:MAX_TICKET].partition(".")
    expected = _b64(hmac.new(_key(), payload.encode(), hashlib.sha256).digest())
    if not payload or not hmac.compare_digest(signature.encode(), expected.encode()):
        raise TicketRefused("This download link is not valid")
    data = json.loads(_unb64(payload))
    if data.get("k") != kind or int(data.get("e", 0)) < utcnow().timestamp():
        raise TicketRefused("This download link has expired: start the export again")
    with read_session() as session:
        alive = session.execute(
            select(UserSession.id).where(UserSession.id == int(data["s"]), UserSession.expires_at > utcnow())
        ).first()
    if alive is None:
        raise TicketRefused("Please sign in again")
    return {str(k): str(v) for k, v in dict(data.get("p") or {}).items()}
