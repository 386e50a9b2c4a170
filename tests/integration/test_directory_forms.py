"""/projects and /leads: a refused create keeps what was typed and names each refused field
beside its input, all at once; a rename answers Enter and a refusal. Driven through the app's
own event processing (tests/support/events.py), signed in."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from invoice_crm.db import read_session
from invoice_crm.models import Lead, Project
from invoice_crm.services import auth
from invoice_crm.services import clients as client_service
from tests.support.events import EventRunner, form, run, sent_text

OWNER, PASSWORD = "owner@example.com", "correct horse"


@pytest.fixture
def app(database):
    from invoice_crm.invoice_crm import app

    auth.create_user(OWNER, PASSWORD)
    return app


async def signed_in(runner: EventRunner, token: str = "t") -> str:
    from invoice_crm.state.auth import AuthState

    await runner.send(token, AuthState.sign_in, "/login", form=form(email=OWNER, password=PASSWORD))
    return token


def count(model) -> int:
    with read_session() as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


@pytest.mark.parametrize(
    ("page", "state_name", "field", "label", "form_id"),
    [
        ("/leads", "LeadsState", "title", "Lead title", "add-lead-form"),
        ("/projects", "ProjectsState", "name", "Project name", "add-project-form"),
    ],
)
def test_a_refused_create_keeps_the_form_and_names_each_field(app, page, state_name, field, label, form_id):
    from invoice_crm.state import directory

    state_cls = getattr(directory, state_name)
    client = client_service.create_client("Studio Verde")

    async def scenario():
        async with EventRunner(app) as runner:
            tab = await signed_in(runner)
            await runner.send(tab, state_cls.on_load, page)
            # Too long, with a client chosen: the error is the title's/name's, the client stays.
            await runner.send(tab, state_cls.set_new_client_id, page, value=str(client.id))
            refused = await runner.send(tab, state_cls.create, page, form=form(**{field: "x" * 201}))
            state = await runner.state(tab, state_cls)
            assert state.errors == {field: f"{label} must be at most 200 characters"}
            assert state.new_client_id == str(client.id)
            assert f"getElementById('{form_id}')" not in sent_text(refused)  # the typed text stays
            # No client and no title: both named at once, each beside its own field.
            await runner.send(tab, state_cls.set_new_client_id, page, value="")
            await runner.send(tab, state_cls.create, page, form=form(**{field: "  "}))
            state = await runner.state(tab, state_cls)
            assert state.errors == {"client_id": "Choose a client", field: f"{label} is required"}
            # Put right, it is added, the errors go and the form is emptied (client too).
            await runner.send(tab, state_cls.set_new_client_id, page, value=str(client.id))
            added = await runner.send(tab, state_cls.create, page, form=form(**{field: "Brand refresh"}))
            state = await runner.state(tab, state_cls)
            assert state.errors == {} and state.new_client_id == ""
            assert f"getElementById('{form_id}')?.reset()" in sent_text(added)
            assert runner.server_errors == []

    run(scenario())
    assert count(Lead if field == "title" else Project) == 1
