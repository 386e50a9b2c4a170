"""Forms answer every submission: refused fields are named beside their inputs (all at once),
and a second click queued behind the first does nothing visible but the first's result.
Driven through the app's own event processing (tests/support/events.py), signed in."""

from __future__ import annotations

from sqlalchemy import func, select

from invoice_crm.db import read_session
from invoice_crm.models import Client
from invoice_crm.services import auth
from tests.integration.owner_events import OWNER, PASSWORD, signed_in
from tests.support.events import EventRunner, form, run, sent_text


def client_count() -> int:
    with read_session() as session:
        return session.execute(select(func.count()).select_from(Client)).scalar_one()


def test_the_editors_new_client_form_names_its_refused_fields(app):
    from invoice_crm.state.editor import EditorState

    async def scenario():
        async with EventRunner(app) as runner:
            tab = await signed_in(runner)
            await runner.send(tab, EditorState.load_new, "/invoices/new")
            await runner.send(tab, EditorState.toggle_new_client, "/invoices/new")
            await runner.send(tab, EditorState.create_client, "/invoices/new",
                              form=form(name="  ", email="not-an-address", company=""))
            editor = await runner.state(tab, EditorState)
            assert editor.client_errors["name"] == "Name is required"
            assert "Email must look like" in editor.client_errors["email"]
            assert editor.new_client_open and editor.client_duplicate_of == ""
            # Put right, the same form adds the client and the errors go.
            await runner.send(tab, EditorState.create_client, "/invoices/new",
                              form=form(name="Nova Ltd", email="billing@nova.test", company=""))
            editor = await runner.state(tab, EditorState)
            assert editor.client_errors == {} and not editor.new_client_open
            assert runner.server_errors == []

    run(scenario())
    assert client_count() == 1


def test_add_tax_rate_clicked_twice_adds_one_and_shows_only_the_success(app):
    from invoice_crm.services import tax_rates
    from invoice_crm.state.taxes import TaxesState

    async def scenario():
        async with EventRunner(app) as runner:
            tab = await signed_in(runner)
            await runner.send(tab, TaxesState.on_load, "/settings")
            await runner.send(tab, TaxesState.set_name, "/settings", value="VAT")
            await runner.send(tab, TaxesState.set_rate, "/settings", value="20")
            first = await runner.send(tab, TaxesState.save, "/settings")
            second = await runner.send(tab, TaxesState.save, "/settings")  # queued behind the first
            assert "Tax rate VAT saved" in sent_text(first)
            assert "required" not in sent_text(second) and "already" not in sent_text(second)
            taxes = await runner.state(tab, TaxesState)
            assert taxes.errors == {} and taxes.error == ""
            # Typing again is a new intent: an empty name is then refused as usual.
            await runner.send(tab, TaxesState.set_rate, "/settings", value="7")
            await runner.send(tab, TaxesState.save, "/settings")
            assert (await runner.state(tab, TaxesState)).errors == {"tax_name": "Name is required"}
            assert runner.server_errors == []

    run(scenario())
    assert [t.name for t in tax_rates.list_tax_rates()] == ["VAT"]


def test_the_tax_form_names_every_refused_field_at_once(app):
    from invoice_crm.state.taxes import TaxesState

    async def scenario():
        async with EventRunner(app) as runner:
            tab = await signed_in(runner)
            await runner.send(tab, TaxesState.on_load, "/taxes")
            await runner.send(tab, TaxesState.set_rate, "/taxes", value="abc")
            await runner.send(tab, TaxesState.save, "/taxes")
            taxes = await runner.state(tab, TaxesState)
            assert set(taxes.errors) == {"tax_name", "tax_rate"}
            assert taxes.errors["tax_name"] == "Name is required" and "Rate" in taxes.errors["tax_rate"]
            assert taxes.error == ""  # nothing under the Compound checkbox

    run(scenario())


def _password_form(key: int, current: str, new: str, confirm: str) -> dict:
    return form(form_key=str(key), current_password=current, new_password=new, confirm_password=confirm)


def test_change_password_clicked_twice_shows_only_the_success(app):
    from invoice_crm.state.settings import SettingsState

    async def scenario():
        async with EventRunner(app) as runner:
            tab = await signed_in(runner)
            await runner.send(tab, SettingsState.on_load, "/settings")
            key = (await runner.state(tab, SettingsState)).account_key
            submitted = _password_form(key, PASSWORD, "a better password", "a better password")
            first = await runner.send(tab, SettingsState.change_password, "/settings", form=submitted)
            second = await runner.send(tab, SettingsState.change_password, "/settings", form=submitted)
            assert "Password changed" in sent_text(first)
            assert "wrong" not in sent_text(second) and "Password changed" not in sent_text(second)
            shown = await runner.state(tab, SettingsState)
            assert all(message == "" for message in shown.errors.values())
            assert runner.server_errors == []

    run(scenario())
    assert auth.sign_in(OWNER, "a better password")


def test_change_password_names_every_mistake_at_once(app):
    from invoice_crm.state.settings import SettingsState

    async def scenario():
        async with EventRunner(app) as runner:
            tab = await signed_in(runner)
            await runner.send(tab, SettingsState.on_load, "/settings")
            key = (await runner.state(tab, SettingsState)).account_key
            await runner.send(tab, SettingsState.change_password, "/settings",
                              form=_password_form(key, "not my password", "short", "shorter"))
            errors = (await runner.state(tab, SettingsState)).errors
            assert errors["current_password"] == "The current password is wrong"
            assert "at least" in errors["new_password"]
            assert errors["confirm_password"] == "The two new passwords differ"

    run(scenario())
    assert auth.sign_in(OWNER, PASSWORD)  # nothing changed


def test_delete_draft_clicked_twice_shows_only_the_success(app):
    from invoice_crm.state.invoice_page import InvoicePageState
    from tests.integration.helpers import make_invoice

    draft = make_invoice()
    path = f"/invoices/{draft.id}"

    async def scenario():
        async with EventRunner(app) as runner:
            tab = await signed_in(runner)
            await runner.send(tab, InvoicePageState.on_load, path)
            shown = {"invoice_id": str(draft.id)}  # the button names the draft it is drawn for
            # Without opening the question first, nothing is deleted.
            assert "deleted" not in sent_text(await runner.send(tab, InvoicePageState.delete, path, shown=shown))
            await runner.send(tab, InvoicePageState.open_delete, path)
            first = await runner.send(tab, InvoicePageState.delete, path, shown=shown)
            second = await runner.send(tab, InvoicePageState.delete, path, shown=shown)  # queued behind the first
            assert "deleted" in sent_text(first)
            assert "not found" not in sent_text(second).lower()
            assert runner.server_errors == []

    run(scenario())
    from invoice_crm.services import queries

    assert queries.invoice_detail(draft.id) is None


def test_each_client_page_starts_with_the_default_statement_range(app):
    from invoice_crm.state.client_page import ClientPageState
    from tests.integration.helpers import make_client

    first, second = make_client("First", "first@example.test"), make_client("Second", "second@example.test")

    async def scenario():
        async with EventRunner(app) as runner:
            tab = await signed_in(runner)
            await runner.send(tab, ClientPageState.on_load, f"/clients/{first.id}")
            await runner.send(tab, ClientPageState.set_statement_start, f"/clients/{first.id}", value="2026-03-31")
            await runner.send(tab, ClientPageState.set_statement_end, f"/clients/{first.id}", value="2026-01-01")
            await runner.send(tab, ClientPageState.download_statement, f"/clients/{first.id}")
            assert (await runner.state(tab, ClientPageState)).statement_error != ""  # the reversed range
            await runner.send(tab, ClientPageState.on_load, f"/clients/{second.id}")
            page = await runner.state(tab, ClientPageState)
            assert (page.statement_start, page.statement_end, page.statement_error) == ("", "", "")
            assert runner.server_errors == []

    run(scenario())


def test_a_double_clicked_statement_download_gives_one_file_and_shows_it_is_working(app):
    """A long statement takes seconds: the button shows it is working, and the second click of a
    double click, queued behind the first, downloads nothing more (it gave two files)."""
    from invoice_crm.state.client_page import ClientPageState as S
    from tests.integration.helpers import make_client

    client = make_client("Statement", "statement@example.test")
    page = f"/clients/{client.id}"

    async def scenario():
        async with EventRunner(app) as runner:
            tab = await signed_in(runner)
            await runner.send(tab, S.on_load, page)
            first = sent_text(await runner.send(tab, S.download_statement, page))
            second = sent_text(await runner.send(tab, S.download_statement, page))
            busy_then_done = (await runner.state(tab, S)).statement_busy
            assert runner.server_errors == []
            return first, second, busy_then_done

    first, second, busy = run(scenario())
    assert '"statement_busy_rx_state_": true' in first  # the button loading while it is made
    assert first.count("application/pdf") == 1 and "application/pdf" not in second
    assert not busy


def test_a_refused_recurring_form_brings_its_first_field_to_the_middle_of_the_window(app):
    from invoice_crm.state.recurring import RecurringFormState

    async def scenario():
        async with EventRunner(app) as runner:
            tab = await signed_in(runner)
            await runner.send(tab, RecurringFormState.load_new, "/recurring/new")
            sent = sent_text(await runner.send(tab, RecurringFormState.save, "/recurring/new", form=form(client_id="")))
            # Centred (clear of the sticky top bar), not scrollIntoView(true) under it.
            assert "scrollIntoView({block: 'center'})" in sent and "recurring-client_id" in sent
            assert runner.server_errors == []

    run(scenario())


def test_a_refused_delete_client_shows_the_invoice_made_for_them_meanwhile(app):
    """QA: another tab made a draft for a client with no invoices; Delete client here was refused
    by a toast while the page went on saying "No invoices yet" and offering Delete."""
    from invoice_crm.state.client_page import ClientPageState as S
    from tests.integration.helpers import make_client, make_invoice

    client = make_client("Stale Co", "stale@example.test")
    page = f"/clients/{client.id}"

    async def scenario():
        async with EventRunner(app) as runner:
            tab = await signed_in(runner)
            await runner.send(tab, S.on_load, page)
            assert (await runner.state(tab, S)).invoices == []
            make_invoice(client.id)  # in another tab
            await runner.send(tab, S.set_confirm_delete, page, value=True)
            refused = sent_text(await runner.send(tab, S.delete, page))
            state = await runner.state(tab, S)
            assert runner.server_errors == []
            return refused, len(state.invoices), state.confirm_delete

    refused, shown, asking = run(scenario())
    assert "has invoices" in refused and shown == 1 and not asking
