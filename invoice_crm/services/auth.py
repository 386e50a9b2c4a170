"""Sign-in: argon2-hashed passwords, throttled guessing, server-side sessions, the set-up code.

Throttling is per client address and per (client address, email), never per account alone:
guesses from one address slow that address down, and the owner signing in from another one
is not held up. An unknown email gets the same answer and costs the same (a dummy hash is
verified) as a known one. Hashing happens outside any transaction; the transactions that
follow are short.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select

from invoice_crm.db import insert_missing, read_session, write_session
from invoice_crm.db_types import utcnow
from invoice_crm.domain.errors import ValidationError
from invoice_crm.models import SetupCode, SignInThrottle, User, UserSession
from invoice_crm.services.clients import clean_email
from invoice_crm.services.rate_limits import try_again_in
from invoice_crm.settings import get_settings

SESSION_LIFETIME = timedelta(days=14)
MIN_PASSWORD = 8
MAX_PASSWORD = 1024  # argon2 hashes anything, but a megabyte password is only a cost
# Per (address, email): a few free mistakes, then 2, 4, 8 ... seconds. Per address: more
# room (several people behind one office address), same doubling. Both at most 15 minutes.
PAIR_FREE, ADDRESS_FREE = 3, 20
MAX_LOCK = timedelta(minutes=15)
THROTTLE_MEMORY = timedelta(days=1)  # failures older than this are forgotten
WRONG = "Email or password is wrong"

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


@functools.lru_cache(maxsize=1024)  # every event of a tab hashes the same token
def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_password_rules(password: str, *, field: str = "password") -> str:
    if len(password or "") < MIN_PASSWORD:
        raise ValidationError(f"Password must be at least {MIN_PASSWORD} characters", field=field)
    if len(password) > MAX_PASSWORD:
        raise ValidationError(f"Password must be at most {MAX_PASSWORD} characters", field=field)
    return password


def has_users() -> bool:
    with read_session() as session:
        return bool(session.execute(select(func.count()).select_from(User)).scalar())


# --- throttling -------------------------------------------------------------------------

def _keys(address: str, email: str) -> tuple[str, str]:
    address = (address or "unknown")[:100]
    return f"addr:{address}", f"pair:{address}|{email[:254]}"


def _limits(address: str, email: str, *, account: bool = False) -> dict[str, int]:
    """Each throttle key of an attempt and its free mistakes. A signed-in session checking
    its password (``account``) is also counted per account, whatever the address: a copied
    session token tried from many addresses is slowed down all the same."""
    limits = dict(zip(_keys(address, email), (ADDRESS_FREE, PAIR_FREE), strict=True))
    if account:
        limits[f"account:{email[:254]}"] = PAIR_FREE
    return limits


def _lock_for(failures: int, free: int) -> timedelta:
    if failures < free:
        return timedelta(0)
    return min(timedelta(seconds=2 ** min(failures - free + 1, 20)), MAX_LOCK)


def _wait_seconds(address: str, email: str, now: datetime, *, account: bool = False) -> int:
    """Seconds this address must wait before trying this email again (0: go ahead)."""
    with read_session() as session:
        rows = session.execute(
            select(SignInThrottle.locked_until).where(
                SignInThrottle.key.in_(list(_limits(address, email, account=account)))
            )
        ).scalars()
        waits = [(until - now).total_seconds() for until in rows if until and until > now]
    return int(max(waits)) + 1 if waits else 0


def _throttled(wait: int) -> ValidationError:
    # The same words whatever the email: they never tell whether an account exists.
    return ValidationError(f"Too many attempts from your address. {try_again_in(wait)}", field="password")


def _record_failure(session, address: str, email: str, now: datetime, *, account: bool = False) -> None:
    """One more failure of the address and of the address with this email (and of the
    account, for ``account``). Failures on several workers at once each count: the rows are
    made if missing, then locked."""
    free = _limits(address, email, account=account)
    insert_missing(session, SignInThrottle, [{"key": key, "failures": 0, "updated_at": now} for key in free], "key")
    rows = session.execute(
        select(SignInThrottle).where(SignInThrottle.key.in_(free)).order_by(SignInThrottle.key).with_for_update()
    ).scalars()
    for row in rows:
        row.failures += 1
        delay = _lock_for(row.failures, free[row.key])
        row.locked_until = now + delay if delay else None
        row.updated_at = now


def _forget_failures(session, address: str, email: str, now: datetime, *, account: bool = False) -> None:
    session.execute(delete(SignInThrottle).where(SignInThrottle.key.in_(list(_limits(address, email, account=account)))))
    session.execute(delete(SignInThrottle).where(SignInThrottle.updated_at < now - THROTTLE_MEMORY))


# --- sign-in ----------------------------------------------------------------------------

@dataclass(frozen=True)
class _Account:
    id: int | None
    password_hash: str


def _account(email: str) -> _Account:
    with read_session() as session:
        row = session.execute(select(User.id, User.password_hash).where(User.email == email)).first()
    return _Account(row[0], row[1]) if row else _Account(None, _DUMMY_HASH)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def sign_in(email: str, password: str, address: str = "") -> str:
    """Return a new session token, or raise ValidationError with a readable reason."""
    email = str(email or "").strip().lower()[:254]
    password = str(password or "")[:MAX_PASSWORD]
    now = utcnow()
    wait = _wait_seconds(address, email, now)
    if wait:
        raise _throttled(wait)
    account = _account(email)
    # Verified outside any transaction; an unknown email verifies a dummy hash: same cost.
    ok = _verify(account.password_hash, password) and account.id is not None
    with write_session() as session:
        if not ok:
            _record_failure(session, address, email, now)
        else:
            _forget_failures(session, address, email, now)
            return _new_session(session, account.id, now)
    raise ValidationError(WRONG, field="password")


def _new_session(session, user_id: int, now: datetime) -> str:
    session.execute(delete(UserSession).where(UserSession.expires_at <= now))  # prune expired
    token = secrets.token_urlsafe(32)
    session.add(UserSession(token_hash=_token_hash(token), user_id=user_id, expires_at=now + SESSION_LIFETIME))
    return token


# The session check runs for every event (the guard, then the handler): a valid session is
# remembered for a moment, in this process, so one event (and a burst of them) reads it once.
# Ending sessions here (sign-out, password change, "sign out other sessions", ADMIN_PASSWORD
# changed) forgets them at once; another worker process notices within SESSION_CHECK_SECONDS.
# Only valid sessions are remembered, never past their expiry.
SESSION_CHECK_SECONDS = 2.0
_checked: dict[tuple[str, str], tuple[str, float]] = {}  # (database, token hash) -> (email, until)
_checked_lock = threading.Lock()


def forget_sessions() -> None:
    """Forget every remembered session check (after sessions were ended)."""
    with _checked_lock:
        _checked.clear()


def _remembered(token: str) -> tuple[tuple[str, str], str | None]:
    key = (get_settings().database_url, _token_hash(token))
    with _checked_lock:
        hit = _checked.get(key)
    return key, hit[0] if hit is not None and hit[1] > time.monotonic() else None


def remembered_user(token: str | None) -> str | None:
    """The user of a session checked within SESSION_CHECK_SECONDS, without reading the
    database; None means "not known" (call user_for_token), never "signed in"."""
    if not token or not isinstance(token, str) or len(token) > 200:
        return None
    return _remembered(token)[1]


def user_for_token(token: str | None) -> str | None:
    """The signed-in user's email for a session token, or None when it is not valid."""
    if not token or not isinstance(token, str) or len(token) > 200:
        return None
    key, email = _remembered(token)
    if email is not None:
        return email
    now = time.monotonic()
    at = utcnow()
    with read_session() as session:
        row = session.execute(
            select(User.email, UserSession.expires_at)
            .join(UserSession, UserSession.user_id == User.id)
            .where(UserSession.token_hash == key[1], UserSession.expires_at > at)
        ).first()
    if row is None:
        with _checked_lock:
            _checked.pop(key, None)
        return None
    email, expires_at = row
    left = (expires_at - at).total_seconds()
    with _checked_lock:
        if len(_checked) > 10_000:  # stale entries of tokens no longer used
            _checked.clear()
        _checked[key] = (email, now + min(SESSION_CHECK_SECONDS, left))
    return email


def sign_out(token: str | None) -> None:
    if not token:
        return
    with write_session() as session:
        session.execute(delete(UserSession).where(UserSession.token_hash == _token_hash(token)))
    forget_sessions()


def prune_expired_sessions() -> int:
    now = utcnow()
    with write_session() as session:
        gone = session.execute(delete(UserSession).where(UserSession.expires_at <= now)).rowcount
        session.execute(delete(SignInThrottle).where(SignInThrottle.updated_at < now - THROTTLE_MEMORY))
    return gone or 0


# --- accounts and passwords -------------------------------------------------------------

def create_user(email: str, password: str, *, only_if_first: bool = False) -> User:
    email = clean_email(email, required=True).lower()
    password_hash = _hasher.hash(check_password_rules(password))  # before the transaction
    with write_session() as session:
        if only_if_first and session.execute(select(func.count()).select_from(User)).scalar():
            raise ValidationError("The owner account already exists; sign in instead", field="email")
        if session.execute(select(User).where(User.email == email)).scalar():
            raise ValidationError("An account with this email already exists", field="email")
        user = User(email=email, password_hash=password_hash)
        session.add(user)
        session.flush()
        return user


def ensure_user(email: str, password: str) -> None:
    """Make sure this account exists with this password (ADMIN_EMAIL / ADMIN_PASSWORD).
    A changed password ends every session of the account."""
    email = clean_email(email, field="ADMIN_EMAIL", required=True).lower()
    check_password_rules(password, field="ADMIN_PASSWORD")
    account = _account(email)
    if account.id is not None and _verify(account.password_hash, password):
        return
    new_hash = _hasher.hash(password)
    with write_session() as session:
        user = session.execute(select(User).where(User.email == email)).scalar()
        if user is None:
            session.add(User(email=email, password_hash=new_hash))
            return
        user.password_hash = new_hash
        session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    forget_sessions()


def _check_current_password(token: str, current: str, address: str) -> tuple[_Account, str]:
    """The signed-in account and '' when ``current`` is its password, else the reason. Throttled
    as sign-in is (per address, per address and account) and per account: a session left
    open or a copied session token must not become a way to guess the password."""
    email = user_for_token(token)
    if email is None:
        return _Account(None, _DUMMY_HASH), "Sign in again to change the password"
    now = utcnow()
    if wait := _wait_seconds(address, email, now, account=True):
        return _Account(None, _DUMMY_HASH), _throttled(wait).message
    account = _account(email)
    ok = _verify(account.password_hash, str(current or "")[:MAX_PASSWORD])  # outside any transaction
    with write_session() as session:
        if ok:
            _forget_failures(session, address, email, now, account=True)
        else:
            _record_failure(session, address, email, now, account=True)
    return account, "" if ok else "The current password is wrong"


def current_password_error(token: str, current: str, address: str = "") -> str:
    """Why ``current`` is not the signed-in user's password ('' when it is), for a form that
    names this mistake together with its others."""
    return _check_current_password(token, current, address)[1]


def change_password(token: str, current: str, new: str, address: str = "") -> int:
    """The signed-in user's new password; every other session of the account ends.
    Returns how many other sessions were ended. Hashing happens outside the transaction."""
    account, wrong = _check_current_password(token, current, address)
    if wrong:
        raise ValidationError(wrong, field="current")
    new_hash = _hasher.hash(check_password_rules(new, field="new"))
    with write_session() as session:
        session.get(User, account.id).password_hash = new_hash
        ended = session.execute(
            delete(UserSession).where(
                UserSession.user_id == account.id, UserSession.token_hash != _token_hash(token)
            )
        ).rowcount or 0
    forget_sessions()
    return ended


# --- the set-up code (first run without ADMIN_EMAIL / ADMIN_PASSWORD) ---------------------

SETUP_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read from a console


def _code_hash(code: str) -> str:
    normal = "".join(ch for ch in str(code or "").upper() if ch.isalnum())[:64]
    return hashlib.sha256(normal.encode()).hexdigest()


def new_setup_code() -> str:
    """A fresh code (about 80 bits) replacing any earlier one; only its hash is stored."""
    raw = "".join(secrets.choice(SETUP_ALPHABET) for _ in range(16))
    code = "-".join(raw[i : i + 4] for i in range(0, 16, 4))
    with write_session() as session:
        session.execute(delete(SetupCode))
        session.add(SetupCode(id=1, code_hash=_code_hash(code)))
    return code


def create_owner(email: str, password: str, setup_code: str, address: str = "") -> User:
    """The first account, for whoever holds the set-up code printed at start-up."""
    now = utcnow()
    wait = _wait_seconds(address, "setup", now)
    if wait:
        raise _throttled(wait)
    with read_session() as session:
        stored = session.get(SetupCode, 1)
    if stored is None or not hmac.compare_digest(stored.code_hash, _code_hash(setup_code)):
        with write_session() as session:
            _record_failure(session, address, "setup", now)
        raise ValidationError(
            "The set-up code is wrong. Use the one printed in the app's console at start-up",
            field="setup_code",
        )
    user = create_user(email, password, only_if_first=True)
    with write_session() as session:
        session.execute(delete(SetupCode))
        _forget_failures(session, address, "setup", now)
    return user
