"""The recurring profile form and page driven through the app's own event processing
(tests/support/events.py), signed in: every refused field at once, and a second click
queued behind the first shows nothing of its own."""

from __future__ import annotations

import pytest

from invoice_crm.services import auth
from tests.support.events import EventRunner, form, run

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


def profile_form(**changes: str) -> dict:
    fields = {
        "client_id": "", "project_id": "", "currency": "EUR", "frequency": "monthly", "every": "1",
        "day_of_month": "", "start_date": "2027-01-01", "end_date": "", "occurrences": "",
        "payment_terms_days": "14", "catch_up": "each", "delivery": "draft", "notes": "",
        "line-0-description": "Retainer", "line-0-quantity": "1", "line-0-unit_price": "100",
        "line-0-tax": "", "line-0-discount": "",
    }
    return form(**(fields | changes))


def test_the_profile_form_shows_every_refused_field_on_the_first_save(app):
    from invoice_crm.state.recurring import RecurringFormState

    async def scenario():
        async with EventRunner(app) as runner:
            tab = await signed_in(runner)
            await runner.send(tab, RecurringFormState.load_new, "/recurring/new")
            await runner.send(tab, RecurringFormState.save, "/recurring/new", form=profile_form(**{
                "line-0-quantity": "0", "line-0-unit_price": "1,5", "line-0-discount": "150", "every": "0",
                "day_of_month": "32", "start_date": "2027-03-01", "end_date": "2027-01-01", "occurrences": "-3",
                "payment_terms_days": "abc", "currency": "XYZ",
            }))
            state = await runner.state(tab, RecurringFormState)
            assert set(state.errors) == {
                "client_id", "lines.0.quantity", "lines.0.unit_price", "lines.0.discount", "every",
                "day_of_month", "end_date", "occurrences", "payment_terms_days", "currency",
            }
            assert state.errors["occurrences"] == "Number of invoices must be 1 or more"
            assert runner.server_errors == []

    run(scenario())
