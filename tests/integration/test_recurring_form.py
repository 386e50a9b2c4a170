"""The recurring profile form and page driven through the app's own event processing
(tests/support/events.py), signed in: every refused field at once, and a second click
queued behind the first shows nothing of its own."""

from __future__ import annotations

from datetime import date

from invoice_crm.services import recurring, recurring_views
from tests.integration.helpers import make_client
from tests.integration.owner_events import signed_in
from tests.support.events import EventRunner, form, run, sent_text

LINES = [{"description": "Retainer", "quantity": "1", "unit_price": "1000.00"}]




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


def test_save_pause_and_resume_clicked_twice_show_their_success_once(app):
    from invoice_crm.state.recurring import RecurringDetailState, RecurringFormState

    client = make_client()

    async def scenario():
        async with EventRunner(app) as runner:
            tab = await signed_in(runner)
            await runner.send(tab, RecurringFormState.load_new, "/recurring/new")
            filled = profile_form(client_id=str(client.id))
            first = await runner.send(tab, RecurringFormState.save, "/recurring/new", form=filled)
            second = await runner.send(tab, RecurringFormState.save, "/recurring/new", form=filled)  # queued
            assert "Recurring profile saved" in sent_text(first)
            assert "saved" not in sent_text(second) and "redirect" not in sent_text(second).lower()
            [profile] = recurring_views.list_profiles()
            page = f"/recurring/{profile['id']}"
            await runner.send(tab, RecurringDetailState.on_load, page)
            for action, said in (("pause", "Profile paused"), ("resume", "Profile resumed")):
                first = await runner.send(tab, RecurringDetailState.change_status, page, action=action)
                second = await runner.send(tab, RecurringDetailState.change_status, page, action=action)
                assert said in sent_text(first), action
                assert said not in sent_text(second), action
            # Stop goes through its question: confirmed twice (a queued click), it stops once.
            await runner.send(tab, RecurringDetailState.open_stop, page)
            first = await runner.send(tab, RecurringDetailState.confirm_stop, page)
            second = await runner.send(tab, RecurringDetailState.confirm_stop, page)
            assert "Profile stopped" in sent_text(first)
            assert "Profile stopped" not in sent_text(second) and "stopped for good" not in sent_text(second)
            assert runner.server_errors == []

    run(scenario())
    assert len(recurring_views.list_profiles()) == 1


def test_a_paused_profile_does_not_show_a_next_issue_date_as_if_coming(app):
    from invoice_crm.state.recurring import RecurringDetailState

    client = make_client()
    data = recurring.ProfileInput(client_id=client.id, start_date=date(2027, 1, 10), lines=LINES)
    profile = recurring.save_profile(data, today=date(2026, 11, 26))
    recurring.pause_profile(profile.id)
    assert recurring_views.profile_view(profile.id)["next_issue"] == "None while paused"
    assert recurring_views.list_profiles()[0]["next_issue"] == "None while paused"

    async def scenario():
        async with EventRunner(app) as runner:
            tab = await signed_in(runner)
            page = f"/recurring/{profile.id}"
            await runner.send(tab, RecurringDetailState.on_load, page)
            assert (await runner.state(tab, RecurringDetailState)).profile["next_issue"] == "None while paused"
            await runner.send(tab, RecurringDetailState.change_status, page, action="resume")
            shown = (await runner.state(tab, RecurringDetailState)).profile["next_issue"]
            assert shown != "None while paused" and shown != "—"

    run(scenario())


def test_a_line_number_shows_as_billed_once_left_as_in_the_invoice_editor(app, locale):
    """QA13: under de_DE, Unit price 1234,5 stayed 1234,5 after leaving the field; the editor
    shows 1.234,50. The form's inputs are not controlled: the answer sets the input's text."""
    from invoice_crm.state.recurring import RecurringFormState

    locale("de_DE")

    async def scenario():
        async with EventRunner(app) as runner:
            tab = await signed_in(runner)
            await runner.send(tab, RecurringFormState.load_new, "/recurring/new")

            async def leave(field: str, value: str) -> str:
                return sent_text(await runner.send(tab, RecurringFormState.leave_line_field, "/recurring/new",
                                                   index="0", field=field, value=value))

            price = await leave("unit_price", "1234,5")
            assert "recurring-line-0-unit_price" in price and "1.234,50" in price
            assert "12,50" in await leave("discount", "12,5")
            assert "2,5" in await leave("quantity", "2,50")
            assert "document.getElementById" not in await leave("discount", "12,345")  # refused on Save, kept as typed
            assert "document.getElementById" not in await leave("unit_price", "1.234,50")  # already as billed
            assert "document.getElementById" not in await leave("description", "1234,5")
            await runner.send(tab, RecurringFormState.leave_currency, "/recurring/new", value="jpy")
            assert "1.234" in await leave("unit_price", "1234") and "1.234,00" not in await leave("unit_price", "1234")
            assert runner.server_errors == []

    run(scenario())
