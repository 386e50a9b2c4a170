"""Every event handler of every state class, called through the app's event processing:
anonymously and after sign-out nothing comes back and nothing changes (the public list is
the only exception), and wrong argument types and sizes never make a server error."""

from __future__ import annotations

import importlib
import inspect
import logging
import pkgutil
import typing

import pytest
import reflex as rx
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import text

from invoice_crm import state as state_package
from invoice_crm.db import read_session
from invoice_crm.services import auth
from invoice_crm.services import invoices as invoice_service
from invoice_crm.state.guard import PUBLIC_HANDLERS, is_public
from tests.integration.helpers import make_client, make_invoice
from tests.support.events import EventRunner, deltas, describe_errors, form, run, sent_text

OWNER, PASSWORD = "owner@example.com", "correct horse"
SECRET_EMAIL, SECRET_NOTE = "secret-client@example.com", "SECRET-NOTE-4242"


def app_state_classes() -> list[type[rx.State]]:
    for module in pkgutil.iter_modules(state_package.__path__):
        importlib.import_module(f"{state_package.__name__}.{module.name}")
    found, todo = [], [rx.State]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith(state_package.__name__ + ".") and not sub._mixin:
                found.append(sub)
    return sorted(set(found), key=lambda c: c.__name__)


def all_handlers() -> list[tuple[type[rx.State], str]]:
    return [
        (cls, name)
        for cls in app_state_classes()
        for name in sorted(cls.event_handlers)
    ]


PATHS = {
    "DashboardState": "/", "SheetsState": "/", "EditorState": "/invoices/1/edit",
    "InvoicePageState": "/invoices/1", "DeliveryState": "/invoices/1", "ClientsState": "/clients",
    "ProjectsState": "/projects", "LeadsState": "/leads", "ClientPickerState": "/projects",
    "DirectoryState": "/clients", "AuthState": "/login", "PayState": "/pay/none",
    "ClientPageState": "/clients/1", "SettingsState": "/settings",
}


def path_of(cls) -> str:
    """The page a state's events come from; a state not listed here is sent from `/`."""
    return PATHS.get(cls.__name__, "/")


def plausible(hint) -> typing.Any:
    hint = typing.get_args(hint)[0] if typing.get_origin(hint) is typing.Annotated else hint
    if hint is int:
        return 1
    if hint is typing.Any:
        return "1"
    if hint is bool:
        return True
    if hint is dict or typing.get_origin(hint) is dict:
        return form(name="Mallory", email="m@example.com", id="1", client_id="1", status="WON",
                    password="x" * 10, confirm="x" * 10, setup_code="nope")
    return "1"


def plausible_args(cls, name) -> dict:
    fn = cls.event_handlers[name].fn
    hints = typing.get_type_hints(fn, include_extras=True)
    params = list(inspect.signature(fn).parameters.values())[1:]
    return {p.name: plausible(hints.get(p.name, str)) for p in params}


def database_snapshot() -> dict:
    with read_session() as session:
        tables = sa_inspect(session.get_bind()).get_table_names()
        return {t: sorted(map(repr, session.execute(text(f'SELECT * FROM "{t}"')).all())) for t in tables}


@pytest.fixture
def seeded(database):
    auth.create_user(OWNER, PASSWORD)
    client = make_client("Secret Client", SECRET_EMAIL)
    invoice = make_invoice(client.id, notes=SECRET_NOTE)
    invoice_service.send_invoice(invoice.id, OWNER)
    return invoice


@pytest.fixture
def app():
    from invoice_crm.invoice_crm import app

    return app


def test_the_public_list_is_short_and_named():
    public = [(c.__name__, n) for c, n in all_handlers() if is_public(c, n)]
    assert sorted(public) == sorted(
        (c, n) for c, n in PUBLIC_HANDLERS if any(cls.__name__ == c for cls, _ in all_handlers())
    )
    # Everything that reads or changes the freelancer's data is behind the session.
    assert len(all_handlers()) > 40 and len(public) <= 10


def test_every_handler_refuses_an_anonymous_tab(seeded, app):
    async def scenario():
        before = database_snapshot()
        async with EventRunner(app) as runner:
            for cls, name in all_handlers():
                if is_public(cls, name):
                    continue
                token = f"anon-{cls.__name__}-{name}"
                updates = await runner.send(
                    token, cls.event_handlers[name], path_of(cls), **plausible_args(cls, name)
                )
                assert deltas(updates) == [], f"{cls.__name__}.{name} sent data to an anonymous tab"
                assert SECRET_EMAIL not in sent_text(updates) and SECRET_NOTE not in sent_text(updates)
                assert "/login" in sent_text(updates), f"{cls.__name__}.{name} did not send to sign-in"
            assert runner.server_errors == []
        assert database_snapshot() == before

    run(scenario())


def test_every_handler_refuses_a_tab_after_sign_out(seeded, app):
    async def scenario():
        async with EventRunner(app) as runner:
            token = "tab"
            from invoice_crm.state.auth import AuthState
            from invoice_crm.state.send_dialog import DeliveryState

            await runner.send(token, AuthState.sign_in, "/login", form=form(email=OWNER, password=PASSWORD))
            shown = await runner.send(token, DeliveryState.on_load, f"/invoices/{seeded.id}")
            assert SECRET_EMAIL in sent_text(shown)  # signed in, the page shows the invoice
            await runner.send(token, AuthState.sign_out, f"/invoices/{seeded.id}")
            before = database_snapshot()
            for cls, name in all_handlers():
                if is_public(cls, name):
                    continue
                updates = await runner.send(token, cls.event_handlers[name], path_of(cls).replace("/1", f"/{seeded.id}"),
                                            **plausible_args(cls, name))
                assert deltas(updates) == [], f"{cls.__name__}.{name} sent data after sign-out"
                assert SECRET_EMAIL not in sent_text(updates) and SECRET_NOTE not in sent_text(updates)
            assert database_snapshot() == before
            assert runner.server_errors == []

    run(scenario())


def test_watch_delivery_after_sign_out_sends_nothing(seeded, app):
    """The known leak: the send dialog's polling kept sending the invoice after sign-out."""
    from invoice_crm.state.auth import AuthState
    from invoice_crm.state.send_dialog import DeliveryState

    async def scenario():
        async with EventRunner(app) as runner:
            await runner.send("t", AuthState.sign_in, "/login", form=form(email=OWNER, password=PASSWORD))
            await runner.send("t", DeliveryState.on_load, f"/invoices/{seeded.id}")
            await runner.send("t", AuthState.sign_out, f"/invoices/{seeded.id}")
            updates = await runner.send("t", DeliveryState.watch_delivery, f"/invoices/{seeded.id}")
            assert SECRET_EMAIL not in sent_text(updates) and SECRET_NOTE not in sent_text(updates)
            assert deltas(updates) == []

    run(scenario())


WRONG_VALUES = [None, [], ["a", "b"], {}, {"a": [1, 2]}, "abc", "", "FOO", "-1", "99999999999", 10**12, 10**9, -5,
                2**31 - 1, "1e5", "0x10", "\x00\u202e", {"id": "abc"}, {"email": ["a", "b"]},
                {"__reflex_form_data__": "junk"}, {"__reflex_form_data__": [[1]]},
                {"__reflex_form_data__": [["email", ["a"]]]}, {"__reflex_form_data__": [["x" * 200, "y"]]},
                0, 1.5, True, "x" * 100_000, {"k" * 10: "v" * 100_000}, {str(i): "v" for i in range(500)}]


def test_fuzzed_arguments_never_make_a_server_error(seeded, app, caplog):
    from invoice_crm.state.auth import AuthState

    async def scenario():
        async with EventRunner(app) as runner:
            await runner.send("f", AuthState.sign_in, "/login", form=form(email=OWNER, password=PASSWORD))
            sent = 0
            for cls, name in all_handlers():
                if (cls.__name__, name) in {("AuthState", "sign_out"), ("AuthState", "sign_in"), ("AuthState", "create_owner")}:
                    continue
                handler = cls.event_handlers[name]
                path = path_of(cls).replace("/1", f"/{seeded.id}")
                params = list(inspect.signature(handler.fn).parameters)[1:]
                base = plausible_args(cls, name)
                cases = [dict(base, **{p: v}) for p in params for v in WRONG_VALUES]
                cases += [{}, dict(base, extra="x")] if params else [{"extra": 1}]
                for payload in cases:
                    await runner.send("f", handler, path, timeout=5, **payload)
                    sent += 1
            assert sent > 500
            assert runner.server_errors == [], describe_errors(runner.server_errors)

    with caplog.at_level(logging.ERROR):
        run(scenario())
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


def test_sign_in_form_throttles_by_the_tabs_address(seeded, app, monkeypatch):
    """Through the login form's handler: the address is the one Reflex saw for the tab."""
    from datetime import timedelta

    from invoice_crm.state.auth import AuthState

    # The first wait is 2 s (tests/integration/test_auth.py); a busy machine may take longer
    # between two events, so here every wait is a minute: the rule, not the clock, is tested.
    monkeypatch.setattr(auth, "_lock_for", lambda failures, free: timedelta(minutes=1 if failures >= free else 0))

    async def scenario():
        async with EventRunner(app) as runner:
            for _ in range(auth.PAIR_FREE):
                await runner.send("attacker", AuthState.sign_in, "/login", ip="203.0.113.9",
                                  form=form(email=OWNER, password="guess"))
            await runner.send("attacker", AuthState.sign_in, "/login", ip="203.0.113.9",
                              form=form(email=OWNER, password=PASSWORD))
            attacker = await runner.state("attacker", AuthState)
            assert attacker.login_error.startswith("Too many attempts") and not attacker.auth_token
            await runner.send("owner", AuthState.sign_in, "/login", ip="198.51.100.7",
                              form=form(email=OWNER, password=PASSWORD))
            owner = await runner.state("owner", AuthState)
            assert owner.login_error == "" and auth.user_for_token(owner.auth_token) == OWNER
            # An unknown email from a third address reads exactly like the owner's.
            for _ in range(auth.PAIR_FREE + 1):
                await runner.send("probe", AuthState.sign_in, "/login", ip="192.0.2.50",
                                  form=form(email="nobody@example.com", password="guess"))
            probe = await runner.state("probe", AuthState)
            assert probe.login_error.split(" in ")[0] == attacker.login_error.split(" in ")[0]

    run(scenario())


def test_the_create_owner_form_needs_the_set_up_code(database, app):
    """Whoever reaches /login first cannot make the owner account without the printed code."""
    from invoice_crm.state.auth import AuthState

    code = auth.new_setup_code()

    async def scenario():
        async with EventRunner(app) as runner:
            await runner.send("first", AuthState.load_login_page, "/login")
            assert (await runner.state("first", AuthState)).has_owner is False
            fields = {"email": OWNER, "password": PASSWORD, "confirm": PASSWORD}
            await runner.send("first", AuthState.create_owner, "/login", form=form(**fields, setup_code="WRONG-CODE"))
            tab = await runner.state("first", AuthState)
            assert "set-up code is wrong" in tab.login_error and not auth.has_users()
            await runner.send("owner", AuthState.create_owner, "/login", form=form(**fields, setup_code=code))
            tab = await runner.state("owner", AuthState)
            assert tab.login_error == "" and auth.user_for_token(tab.auth_token) == OWNER

    run(scenario())


def test_every_handler_argument_is_annotated():
    """The guard checks arguments against annotations: an unannotated one would be refused."""
    missing = [
        f"{cls.__name__}.{name}({p})"
        for cls, name in all_handlers()
        for p in list(inspect.signature(cls.event_handlers[name].fn).parameters)[1:]
        if p not in typing.get_type_hints(cls.event_handlers[name].fn)
    ]
    assert missing == []


def test_changing_the_password_signs_out_the_other_tabs(seeded, app):
    from invoice_crm.state.auth import AuthState
    from invoice_crm.state.send_dialog import DeliveryState
    from invoice_crm.state.settings import SettingsState

    async def scenario():
        async with EventRunner(app) as runner:
            for tab in ("here", "elsewhere"):
                await runner.send(tab, AuthState.sign_in, "/login", form=form(email=OWNER, password=PASSWORD))
            await runner.send("here", SettingsState.load_account, "/account")
            key = str((await runner.state("here", SettingsState)).account_key)
            await runner.send("here", SettingsState.change_password, "/account",
                              form=form(current_password=PASSWORD, new_password="new-password-9",
                                        confirm_password="new-password-9", form_key=key))
            assert not any((await runner.state("here", SettingsState)).errors.values())
            elsewhere = await runner.send("elsewhere", DeliveryState.on_load, f"/invoices/{seeded.id}")
            assert deltas(elsewhere) == [] and "/login" in sent_text(elsewhere)
            here = await runner.send("here", DeliveryState.on_load, f"/invoices/{seeded.id}")
            assert SECRET_EMAIL in sent_text(here)

    run(scenario())


@pytest.mark.parametrize("page, module, state", [
    ("/reports?start=2025-01-01&end=2025-03-31", "reports", "ReportsState"),
    ("/?q=bulk&status=OVERDUE&page=2", "dashboard", "DashboardState"),
])
def test_signing_in_comes_back_to_the_address_with_its_query(seeded, app, page, module, state):
    """A bookmarked list whose session had ended: /login?next= kept the path but not its query
    (the report's dates, the dashboard's search and filter were lost), and "/" with a query
    had no next at all."""
    from urllib.parse import parse_qs, urlsplit

    from invoice_crm.state.auth import AuthState

    async def scenario():
        async with EventRunner(app) as runner:
            on_load = getattr(importlib.import_module(f"invoice_crm.state.{module}"), state).on_load
            refused = sent_text(await runner.send("t", on_load, page))
            login = next(word for word in refused.replace('"', " ").split() if word.startswith("/login?next="))
            back = await runner.send("t", AuthState.sign_in, login, form=form(email=OWNER, password=PASSWORD))
            return login, sent_text(back)

    login, back = run(scenario())
    assert parse_qs(urlsplit(login).query)["next"] == [page]
    assert page in back


def test_next_never_leads_to_another_site(seeded, app):
    from invoice_crm.state.auth import AuthState

    async def scenario(target):
        async with EventRunner(app) as runner:
            updates = await runner.send("t", AuthState.sign_in, f"/login?next={target}",
                                        form=form(email=OWNER, password=PASSWORD))
            # Where the browser is sent: the events' payloads (the delta carries the page's own URL).
            return str([e.payload for u in updates for e in (getattr(u, "events", None) or [])])

    for target in ("//evil.example/x", "/%5Cevil.example/x", "https://evil.example/"):
        sent = run(scenario(target))
        assert "'path': '/'" in sent and "evil.example" not in sent, (target, sent)
