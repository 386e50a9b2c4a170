import pytest

from invoice_crm.domain.errors import ValidationError
from invoice_crm.services import auth


def test_owner_account_sign_in_and_out(database):
    assert not auth.has_users()
    auth.create_user("Owner@Example.com", "correct horse", only_if_first=True)
    with pytest.raises(ValidationError, match="already exists"):
        auth.create_user("other@example.com", "whatever123", only_if_first=True)
    token = auth.sign_in("owner@example.com", "correct horse")
    assert auth.user_for_token(token) == "owner@example.com"
    assert auth.user_for_token("forged") is None
    auth.sign_out(token)
    assert auth.user_for_token(token) is None


def test_password_is_hashed(database):
    from sqlalchemy import select

    from invoice_crm.db import read_session
    from invoice_crm.models import User

    auth.create_user("a@example.com", "s3cret-pass")
    with read_session() as s:
        stored = s.execute(select(User.password_hash)).scalar()
    assert "s3cret-pass" not in stored and stored.startswith("$argon2")


def test_repeated_wrong_passwords_are_slowed_down(database):
    auth.create_user("a@example.com", "right-password")
    for _ in range(auth.FREE_ATTEMPTS):
        with pytest.raises(ValidationError, match="wrong"):
            auth.sign_in("a@example.com", "nope")
    # Now locked for a while: even the right password waits.
    with pytest.raises(ValidationError, match="Try again in"):
        auth.sign_in("a@example.com", "right-password")


def test_ensure_user_creates_or_resets(database):
    auth.ensure_user("admin@example.com", "first-pass")
    auth.ensure_user("admin@example.com", "second-pass")
    assert auth.user_for_token(auth.sign_in("admin@example.com", "second-pass")) == "admin@example.com"
