"""The owner's account on the Settings page: change the password, sign out other sessions.

Uses the sign-in module's hasher and token hashing (``services.auth``), so a password set
here is checked exactly like one set at sign-up. Ending a session deletes its row: the next
event from that browser finds no session and goes to the sign-in page.
"""

from __future__ import annotations

from sqlalchemy import delete, select

from invoice_crm.db import write_session
from invoice_crm.domain.errors import FieldErrors, ValidationError
from invoice_crm.models import User, UserSession
from invoice_crm.services import auth


def _user_of(session, token: str) -> tuple[User, int]:
    row = session.execute(
        select(User, UserSession.id)
        .join(UserSession, UserSession.user_id == User.id)
        .where(UserSession.token_hash == auth._token_hash(token or ""))
    ).first()
    if row is None:
        raise ValidationError("Your session has ended; sign in again", field="session")
    return row[0], row[1]


def _end_other_sessions(session, user_id: int, keep_session_id: int) -> int:
    result = session.execute(
        delete(UserSession).where(UserSession.user_id == user_id, UserSession.id != keep_session_id)
    )
    return result.rowcount or 0


# The Settings page's field names for the errors of auth.change_password.
_FIELDS = {"current": "current_password", "new": "new_password"}


def change_password(token: str, current: str, new: str, confirm: str, address: str = "") -> int:
    """Check the current password, store the new one and end every other session
    (auth.change_password: hashing outside the transaction). Returns how many other sessions
    were ended. Every mistake of the form is named at once (FieldErrors). The current-password
    check is throttled as sign-in is, for the browser's ``address`` and for the account."""
    errors: dict[str, str] = {}
    try:
        auth.check_password_rules(new, field="new_password")
    except ValidationError as err:
        errors["new_password"] = err.message
    else:
        if current == new:
            errors["new_password"] = "The new password is the same as the current one"
    if new != confirm:
        errors["confirm_password"] = "The two new passwords differ"
    if errors:
        # Checked only now: otherwise auth.change_password checks it (one hash, not two).
        if wrong := auth.current_password_error(token, current, address):
            errors = {"current_password": wrong, **errors}
        raise FieldErrors(errors)
    try:
        return auth.change_password(token, current, new, address)
    except ValidationError as err:
        raise ValidationError(err.message, field=_FIELDS.get(err.field, err.field)) from None


def sign_out_other_sessions(token: str) -> int:
    """End every session of this user but the one holding ``token``; returns how many."""
    with write_session() as session:
        user, session_id = _user_of(session, token)
        ended = _end_other_sessions(session, user.id, session_id)
    auth.forget_sessions()
    return ended
