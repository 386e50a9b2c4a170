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


def test_a_next_the_browser_would_read_as_another_site_falls_back_to_the_dashboard(database):
    """QA: /login?next=%2F%09%2Fevil.example%2Fx passed the check ("/", a tab, "/evil…"), the
    browser dropped the tab and refused "//evil.example", and the owner stayed on the sign-in
    page after a correct password."""
    from invoice_crm.invoice_crm import app
    from invoice_crm.state.auth import AuthState

    auth.create_user(OWNER, PASSWORD)

    async def scenario(target: str) -> str:
        async with EventRunner(app) as runner:
            updates = await runner.send("t", AuthState.sign_in, f"/login?next={target}",
                                        form=form(email=OWNER, password=PASSWORD))
            return str([e.payload for u in updates for e in (getattr(u, "events", None) or [])])

    for target in (
        "%2F%09%2Fevil.example%2Fx", "%2F%0A%2Fevil.example%2Fx", "%2F%0D%2Fevil.example%2Fx",
        "%2F%20%2Fevil.example", "%09%2F%2Fevil.example", "%2Fa%5Cb",
        "https:%2F%2Fevil.example%2F", "%2F%2Fevil.example", "%2F%E2%80%AE%2Fevil.example",
    ):
        sent = run(scenario(target))
        assert "'path': '/'" in sent and "evil.example" not in sent, (target, sent)
    assert "'path': '/reports?start=2025-01-01'" in run(scenario("%2Freports%3Fstart%3D2025-01-01"))
