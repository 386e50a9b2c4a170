"""Change password (/account and Settings → Account) through the app's own events: the
current-password check is throttled per browser address and per account, as sign-in is, and
the answers count sessions in words ("1 other session", "36 other sessions")."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from invoice_crm.db import write_session
from invoice_crm.db_types import utcnow
from invoice_crm.models import SignInThrottle
from invoice_crm.services import auth
from invoice_crm.services.rate_limits import try_again_in
from tests.integration.owner_events import OWNER, PASSWORD, signed_in
from tests.support.events import EventRunner, form, run, sent_text

NEW = "another-long-pass-1"


def _form(key: int, current: str) -> dict:
    return form(form_key=str(key), current_password=current, new_password=NEW, confirm_password=NEW)


def test_guessing_the_current_password_is_throttled_like_sign_in(app):
    from invoice_crm.state.settings import SettingsState

    async def scenario():
        async with EventRunner(app) as runner:
            tab = await signed_in(runner)
            await runner.send(tab, SettingsState.load_account, "/account")
            key = (await runner.state(tab, SettingsState)).account_key
            answers = []
            for attempt in range(auth.PAIR_FREE + 2):
                if attempt == auth.PAIR_FREE:  # locked now: for a while, whatever the machine's speed
                    with write_session() as s:
                        s.execute(update(SignInThrottle).where(SignInThrottle.locked_until.is_not(None))
                                  .values(locked_until=utcnow() + timedelta(seconds=30)))
                guess = PASSWORD if attempt == auth.PAIR_FREE + 1 else "a wrong guess"
                await runner.send(tab, SettingsState.change_password, "/account", ip="203.0.113.9", form=_form(key, guess))
                answers.append((await runner.state(tab, SettingsState)).errors["current_password"])
            assert runner.server_errors == []
            return answers

    answers = run(scenario())
    assert answers[: auth.PAIR_FREE] == ["The current password is wrong"] * auth.PAIR_FREE
    for throttled in answers[auth.PAIR_FREE:]:  # even the right password, while locked
        assert throttled.startswith("Too many attempts from your address. Try again in ") and throttled.endswith(" seconds.")
    assert auth.sign_in(OWNER, PASSWORD, "198.51.100.7")  # nothing changed


def test_throttle_and_session_counts_are_said_in_words():
    assert try_again_in(1) == "Try again in 1 second."
    assert try_again_in(29) == "Try again in 29 seconds."


def test_signing_out_other_sessions_counts_them_in_words(app):
    from invoice_crm.state.settings import SettingsState

    async def scenario() -> list[str]:
        async with EventRunner(app) as runner:
            tab = await signed_in(runner)
            await runner.send(tab, SettingsState.load_account, "/account")
            said = []
            for others in (1, 2):
                for _ in range(others):
                    auth.sign_in(OWNER, PASSWORD, "198.51.100.7")
                said.append(sent_text(await runner.send(tab, SettingsState.sign_out_others, "/account")))
            return said

    one, two = run(scenario())
    assert "Signed out 1 other session" in one and "Signed out 1 other sessions" not in one
    assert "Signed out 2 other sessions" in two and "(s)" not in one + two
