"""Sign-in: argon2-hashed passwords, slowed-down guessing, server-side sessions."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select

from invoice_crm.db import read_session, write_session
from invoice_crm.db_types import utcnow
from invoice_crm.domain.errors import ValidationError
from invoice_crm.models import User, UserSession
from invoice_crm.services.clients import clean_email

SESSION_LIFETIME = timedelta(days=14)
FREE_ATTEMPTS = 3
MAX_LOCK = timedelta(minutes=15)
MIN_PASSWORD = 8

_hasher = PasswordHasher()


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def has_users() -> bool:
    with read_session() as session:
        return bool(session.execute(select(func.count()).select_from(User)).scalar())


def create_user(email: str, password: str, *, only_if_first: bool = False) -> User:
    email = clean_email(email, required=True).lower()
    if len(password or "") < MIN_PASSWORD:
        raise ValidationError(f"Password must be at least {MIN_PASSWORD} characters", field="password")
    with write_session() as session:
        if only_if_first and session.execute(select(func.count()).select_from(User)).scalar():
            raise ValidationError("The owner account already exists; sign in instead", field="email")
        if session.execute(select(User).where(User.email == email)).scalar():
            raise ValidationError("An account with this email already exists", field="email")
        user = User(email=email, password_hash=_hasher.hash(password))
        session.add(user)
        session.flush()
        return user


def ensure_user(email: str, password: str) -> None:
    """Make sure this account exists with this password (ADMIN_EMAIL / ADMIN_PASSWORD)."""
    email = email.strip().lower()
    with write_session() as session:
        user = session.execute(select(User).where(User.email == email)).scalar()
        if user is None:
            session.add(User(email=email, password_hash=_hasher.hash(password)))
            return
        try:
            _hasher.verify(user.password_hash, password)
        except (VerificationError, InvalidHashError):
            user.password_hash = _hasher.hash(password)


def _lock_for(failures: int) -> timedelta:
    """No delay for the first few mistakes, then 2, 4, 8 ... seconds, up to 15 minutes."""
    if failures < FREE_ATTEMPTS:
        return timedelta(0)
    return min(timedelta(seconds=2 ** (failures - FREE_ATTEMPTS + 1)), MAX_LOCK)


def sign_in(email: str, password: str) -> str:
    """Return a new session token, or raise ValidationError with a readable reason."""
    email = (email or "").strip().lower()
    now = utcnow()
    with write_session() as session:
        user = session.execute(select(User).where(User.email == email)).scalar()
        if user is None:
            _hasher.hash(password or "x")  # same cost as a real check: no user enumeration by timing
            raise ValidationError("Email or password is wrong", field="password")
        if user.locked_until and user.locked_until > now:
            wait = int((user.locked_until - now).total_seconds()) + 1
            raise ValidationError(
                f"Too many wrong passwords. Try again in {wait} seconds", field="password"
            )
        try:
            _hasher.verify(user.password_hash, password or "")
        except (VerificationError, InvalidHashError):
            user.failed_logins += 1
            delay = _lock_for(user.failed_logins)
            user.locked_until = now + delay if delay else None
            failure = ValidationError("Email or password is wrong", field="password")
        else:
            user.failed_logins = 0
            user.locked_until = None
            token = secrets.token_urlsafe(32)
            session.add(
                UserSession(
                    token_hash=_token_hash(token), user_id=user.id, expires_at=now + SESSION_LIFETIME
                )
            )
            return token
    raise failure


def user_for_token(token: str | None) -> str | None:
    """The signed-in user's email for a session token, or None when it is not valid."""
    if not token:
        return None
    with read_session() as session:
        row = session.execute(
            select(User.email)
            .join(UserSession, UserSession.user_id == User.id)
            .where(UserSession.token_hash == _token_hash(token), UserSession.expires_at > utcnow())
        ).first()
        return row[0] if row else None


def sign_out(token: str | None) -> None:
    if not token:
        return
    with write_session() as session:
        session.execute(delete(UserSession).where(UserSession.token_hash == _token_hash(token)))
