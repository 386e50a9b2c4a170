"""The session check is read once per moment, not on every event (services/auth.py), and
ending a session takes effect at once: sign-out, a password change, "sign out other sessions"."""

import pytest

from invoice_crm.services import account, auth
from tests.integration.helpers import statements_run

OWNER, PASSWORD = "owner@example.com", "correct horse"


@pytest.fixture
def owner(database):
    auth.create_user(OWNER, PASSWORD)
    auth.forget_sessions()
    return OWNER


def _session_reads(fn) -> int:
    return statements_run(fn, "user_session")[1]


def test_a_burst_of_events_reads_the_session_once(owner):
    token = auth.sign_in(OWNER, PASSWORD)
    reads = _session_reads(lambda: [auth.user_for_token(token) for _ in range(5)])
    assert reads == 1
    assert auth.user_for_token(token) == OWNER


def test_forged_tokens_are_never_remembered(owner):
    assert _session_reads(lambda: [auth.user_for_token("forged-token") for _ in range(3)]) == 3


def test_sign_out_takes_effect_at_once(owner):
    token = auth.sign_in(OWNER, PASSWORD)
    assert auth.user_for_token(token) == OWNER  # checked just now, remembered
    auth.sign_out(token)
    assert auth.user_for_token(token) is None


def test_a_password_change_ends_the_other_sessions_at_once(owner):
    mine, other = auth.sign_in(OWNER, PASSWORD), auth.sign_in(OWNER, PASSWORD)
    assert auth.user_for_token(other) == OWNER
    account.change_password(mine, PASSWORD, "a new password", "a new password")
    assert auth.user_for_token(other) is None
    assert auth.user_for_token(mine) == OWNER


def test_signing_out_the_other_sessions_takes_effect_at_once(owner):
    mine, other = auth.sign_in(OWNER, PASSWORD), auth.sign_in(OWNER, PASSWORD)
    assert auth.user_for_token(other) == OWNER
    assert account.sign_out_other_sessions(mine) == 1
    assert auth.user_for_token(other) is None
    assert auth.user_for_token(mine) == OWNER


def test_a_new_admin_password_at_start_up_ends_sessions_at_once(database):
    auth.ensure_user("admin@example.com", "first-pass")
    token = auth.sign_in("admin@example.com", "first-pass")
    assert auth.user_for_token(token) == "admin@example.com"
    auth.ensure_user("admin@example.com", "second-pass")
    assert auth.user_for_token(token) is None
