"""The sign-in page's answer to a click survives the page loading again right after (a socket
that reconnects runs its on_load again); a later visit starts without an old error."""

from __future__ import annotations

from invoice_crm.services import auth
from tests.support.events import EventRunner, form, run

OWNER, PASSWORD = "owner@example.com", "correct horse"


def test_a_wrong_password_answer_survives_a_reconnect_but_not_a_later_visit(database, monkeypatch):
    from invoice_crm.invoice_crm import app
    from invoice_crm.state import auth as auth_state
    from invoice_crm.state.auth import AuthState

    auth.create_user(OWNER, PASSWORD)

    async def scenario():
        async with EventRunner(app) as runner:
            await runner.send("t", AuthState.load_login_page, "/login")
            await runner.send("t", AuthState.sign_in, "/login", form=form(email=OWNER, password="wrong password"))
            assert (await runner.state("t", AuthState)).login_error == "Email or password is wrong"

            await runner.send("t", AuthState.load_login_page, "/login")  # the socket reconnected
            assert (await runner.state("t", AuthState)).login_error == "Email or password is wrong"

            monkeypatch.setattr(auth_state, "KEEP_LOGIN_ERROR_SECONDS", 0.0)  # ... much later
            await runner.send("t", AuthState.load_login_page, "/login")
            assert (await runner.state("t", AuthState)).login_error == ""
            assert runner.server_errors == []

    run(scenario())
