"""The invoice editor's answers: a double-clicked "Add client" adds one client and asks nothing
about itself; the invoice discount's example reads back in the business locale; Save names
every refused field at once, the discounts included. Driven through the app's own event
processing (tests/support/events.py), signed in."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from invoice_crm.db import read_session
from invoice_crm.models import Client, Invoice
from invoice_crm.services import clients as client_service
from tests.integration.owner_events import signed_in
from tests.support.events import EventRunner, form, run, sent_text

NEW = "/invoices/new"


def count(model) -> int:
    with read_session() as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()



def test_a_double_clicked_add_client_adds_one_client_and_asks_nothing_about_it(app):
    from invoice_crm.state.editor import EditorState

    sigma = form(name="Sigma Labs", email="ap@sigma.example", company="")

    async def scenario():
        async with EventRunner(app) as runner:
            tab = await signed_in(runner)
            await runner.send(tab, EditorState.load_new, NEW)
            await runner.send(tab, EditorState.toggle_new_client, NEW)
            first = await runner.send(tab, EditorState.create_client, NEW, form=sigma)
            second = await runner.send(tab, EditorState.create_client, NEW, form=sigma)  # queued behind
            assert "Client Sigma Labs added" in sent_text(first)
            assert "added" not in sent_text(second)
            editor = await runner.state(tab, EditorState)
            assert editor.client_duplicate_of == "" and editor.pending_client == {}  # no question
            with read_session() as session:
                sigma_id = session.execute(select(Client.id).where(Client.name == "Sigma Labs")).scalar_one()
            assert editor.client_id == str(sigma_id)  # the one added, chosen in the editor
            assert not editor.new_client_open and editor.client_errors == {}
            # Opened again, the form is a new intent: the same name is asked about as usual.
            await runner.send(tab, EditorState.toggle_new_client, NEW)
            await runner.send(tab, EditorState.create_client, NEW, form=sigma)
            editor = await runner.state(tab, EditorState)
            assert editor.client_duplicate_of == "Sigma Labs"
            assert runner.server_errors == []

    run(scenario())
    assert count(Client) == 1


@pytest.mark.parametrize("code", ["fr_FR", "de_DE", "en_US"])
def test_the_invoice_discount_example_is_written_as_the_locale_reads_it(app, locale, code):
    from invoice_crm.state.editor import EditorState

    locale(code)
    client = client_service.create_client("Studio Verde")

    async def scenario():
        async with EventRunner(app) as runner:
            tab = await signed_in(runner)
            await runner.send(tab, EditorState.load_new, NEW)
            editor = await runner.state(tab, EditorState)
            example = editor.invoice_discount_placeholder
            assert example == ("10 (percent) or 25.00" if code == "en_US" else "10 (percent) or 25,00")
            # Typed as suggested, it is taken.
            await runner.send(tab, EditorState.set_client, NEW, value=str(client.id))
            await runner.send(tab, EditorState.set_line, NEW, index=0, field="description", value="Design")
            await runner.send(tab, EditorState.set_line, NEW, index=0, field="unit_price", value="100")
            await runner.send(tab, EditorState.set_invoice_discount_kind, NEW, value="amount")
            await runner.send(tab, EditorState.set_invoice_discount_value, NEW, value=example.split(" or ")[1])
            saved = await runner.send(tab, EditorState.save, NEW)
            assert " saved" in sent_text(saved)
            assert (await runner.state(tab, EditorState)).errors == {}
            assert runner.server_errors == []

    run(scenario())
    with read_session() as session:
        invoice = session.execute(select(Invoice)).scalar_one()
        assert (invoice.discount_kind, invoice.discount_value) == ("amount", Decimal("25.00"))


@pytest.mark.parametrize("price", ["100", "abc"])
def test_the_first_save_names_every_refused_field_the_discounts_included(app, price):
    from invoice_crm.state.editor import EditorState

    client = client_service.create_client("Studio Verde")

    async def scenario():
        async with EventRunner(app) as runner:
            tab = await signed_in(runner)
            await runner.send(tab, EditorState.load_new, NEW)
            await runner.send(tab, EditorState.set_client, NEW, value=str(client.id))
            for field, value in (("description", "X"), ("quantity", "abc"), ("unit_price", price)):
                await runner.send(tab, EditorState.set_line, NEW, index=0, field=field, value=value)
            await runner.send(tab, EditorState.set_line_extra, NEW, index=0, field="discount_kind", value="percent")
            await runner.send(tab, EditorState.set_line_extra, NEW, index=0, field="discount_value", value="150")
            await runner.send(tab, EditorState.set_invoice_discount_kind, NEW, value="percent")
            await runner.send(tab, EditorState.set_invoice_discount_value, NEW, value="200")
            await runner.send(tab, EditorState.save, NEW)
            errors = (await runner.state(tab, EditorState)).errors
            expected = {"lines.0.quantity", "lines.0.discount", "discount"} | ({"lines.0.unit_price"} if price == "abc" else set())
            assert set(errors) == expected
            assert errors["lines.0.discount"] == "Discount must be between 0.00 and 100.00"
            # Put right but for a line discount larger than its line: that is named on this Save.
            await runner.send(tab, EditorState.set_line, NEW, index=0, field="quantity", value="1")
            await runner.send(tab, EditorState.set_line, NEW, index=0, field="unit_price", value="100")
            await runner.send(tab, EditorState.set_line_extra, NEW, index=0, field="discount_kind", value="amount")
            await runner.send(tab, EditorState.set_invoice_discount_value, NEW, value="10")
            await runner.send(tab, EditorState.save, NEW)
            errors = (await runner.state(tab, EditorState)).errors
            assert errors == {"lines.0.discount": "A line discount cannot be more than the amount it discounts"}
            assert runner.server_errors == []

    run(scenario())
    assert count(Invoice) == 0


def test_a_discount_typed_with_no_type_is_asked_about_not_dropped(app):
    """Typed 10 and 20 with the type left at "No discount": saved at 100 without a word."""
    from invoice_crm.state.editor import EditorState

    client = client_service.create_client("Studio Gris")

    async def scenario():
        async with EventRunner(app) as runner:
            tab = await signed_in(runner)
            await runner.send(tab, EditorState.load_new, NEW)
            await runner.send(tab, EditorState.set_client, NEW, value=str(client.id))
            await runner.send(tab, EditorState.set_line, NEW, index=0, field="description", value="Design")
            await runner.send(tab, EditorState.set_line, NEW, index=0, field="unit_price", value="100")
            await runner.send(tab, EditorState.set_line_extra, NEW, index=0, field="discount_value", value="10")
            await runner.send(tab, EditorState.set_invoice_discount_value, NEW, value="20")
            refused = await runner.send(tab, EditorState.save, NEW)
            errors = (await runner.state(tab, EditorState)).errors
            assert " saved" not in sent_text(refused)
            assert errors["discount"] == errors["lines.0.discount"] == "Choose Percent or Amount for this discount, or clear it"
            # "No discount" chosen for them: the values go, and it saves.
            await runner.send(tab, EditorState.set_line_extra, NEW, index=0, field="discount_kind", value="")
            await runner.send(tab, EditorState.set_invoice_discount_kind, NEW, value="")
            editor = await runner.state(tab, EditorState)
            assert editor.lines[0]["discount_value"] == "" and editor.invoice_discount_value == ""
            saved = await runner.send(tab, EditorState.save, NEW)
            assert " saved" in sent_text(saved)
            assert runner.server_errors == []

    run(scenario())
    with read_session() as session:
        assert session.execute(select(Invoice.amount)).scalar_one() == Decimal("100.00")


def test_the_editors_new_client_takes_an_address_of_several_lines(app):
    """The inline New client had no address at all, and nothing said where to add one."""
    from invoice_crm.state.editor import EditorState

    async def scenario():
        async with EventRunner(app) as runner:
            tab = await signed_in(runner)
            await runner.send(tab, EditorState.load_new, NEW)
            await runner.send(tab, EditorState.toggle_new_client, NEW)
            added = await runner.send(tab, EditorState.create_client, NEW, form=form(
                name="Atelier Lumière", email="compta@lumiere.example", company="",
                address="12 rue Mercière\n69002 Lyon"))
            assert "added" in sent_text(added)
            assert runner.server_errors == []

    run(scenario())
    with read_session() as session:
        assert session.execute(select(Client.address)).scalar_one() == "12 rue Mercière\n69002 Lyon"


def test_a_tax_rate_changed_in_another_tab_is_not_saved_at_a_total_nobody_saw(app):
    """QA: the editor showed VAT QA 20 % and 120.00; another tab made it 10 %; Save draft
    saved 110.00 without a word. Refused beside the line's taxes, the editor's total is worked
    out again with the new rate, and the next Save saves what is now shown."""
    from invoice_crm.services import tax_rates
    from invoice_crm.state.editor import EditorState

    client = client_service.create_client("Taxed Studio")
    vat = tax_rates.create_tax_rate("VAT QA", "20")

    async def scenario():
        async with EventRunner(app) as runner:
            tab = await signed_in(runner)
            await runner.send(tab, EditorState.load_new, NEW)
            await runner.send(tab, EditorState.set_client, NEW, value=str(client.id))
            await runner.send(tab, EditorState.set_line, NEW, index=0, field="description", value="Design")
            await runner.send(tab, EditorState.set_line, NEW, index=0, field="unit_price", value="100")
            await runner.send(tab, EditorState.set_line_extra, NEW, index=0, field="tax1", value=str(vat.id))
            shown = (await runner.state(tab, EditorState)).total_display
            tax_rates.update_tax_rate(vat.id, "VAT QA", "10")  # in another tab
            refused = sent_text(await runner.send(tab, EditorState.save, NEW))
            editor = await runner.state(tab, EditorState)
            after = (dict(editor.errors), editor.total_display, count(Invoice))
            saved = sent_text(await runner.send(tab, EditorState.save, NEW))
            assert runner.server_errors == []
            return shown, refused, after, saved

    shown, refused, (errors, now_shown, made), saved = run(scenario())
    assert "120.00" in shown and made == 0
    assert "changed in another tab or window: check the total and save again" in refused
    said = errors["lines.0.taxes"].replace("\u00a0", " ").replace("\u202f", " ")
    assert said.startswith("VAT QA is now 10%, changed in another tab or window"), said
    assert "110.00" in now_shown and " saved" in saved
    with read_session() as session:
        assert session.execute(select(Invoice.amount)).scalar_one() == Decimal("110.00")


def test_a_description_too_long_is_said_as_it_is_pasted_and_kept_to_shorten(app):
    """QA (stop 24): 1,061 characters pasted into a line's description said nothing until Save
    draft; now beside the field at once, the text kept, and gone once it is short enough."""
    from invoice_crm.state.editor import EditorState

    pasted = "Workshop notes " * 70  # 1,050 characters

    async def scenario():
        async with EventRunner(app) as runner:
            tab = await signed_in(runner)
            await runner.send(tab, EditorState.load_new, NEW)
            await runner.send(tab, EditorState.set_line, NEW, index=0, field="description", value=pasted)
            editor = await runner.state(tab, EditorState)
            said, kept = dict(editor.errors), editor.lines[0]["description"]
            await runner.send(tab, EditorState.set_line, NEW, index=0, field="description", value=pasted[:500])
            after = dict((await runner.state(tab, EditorState)).errors)
            assert runner.server_errors == []
            return said, kept, after

    said, kept, after = run(scenario())
    assert said == {"lines.0.description": "Description must be at most 500 characters (now 1,049)"}
    assert kept == pasted and after == {}


def test_a_draft_saved_with_a_rate_edited_since_says_so_in_the_editor(app):
    """QA (stop 24): after VAT went from 19 % to 20 % in Settings, a draft's page showed 19 %
    (copied when it was saved) and its editor 20 %, with a higher total and no word of why."""
    from invoice_crm.services import tax_rates
    from invoice_crm.state.editor import EditorState
    from tests.integration.helpers import make_invoice

    vat = tax_rates.create_tax_rate("VAT", "19")
    other = tax_rates.create_tax_rate("Reduced", "7")
    draft = make_invoice(lines=[
        {"description": "Design", "quantity": "1", "unit_price": "100.00", "tax_ids": [vat.id]},
        {"description": "Books", "quantity": "1", "unit_price": "10.00", "tax_ids": [other.id]},
    ])
    path = f"/invoices/{draft.id}/edit"

    async def note() -> str:
        async with EventRunner(app) as runner:
            tab = await signed_in(runner)
            await runner.send(tab, EditorState.load_edit, path)
            assert runner.server_errors == []
            return (await runner.state(tab, EditorState)).tax_rate_note

    assert run(note()) == ""
    tax_rates.update_tax_rate(vat.id, "VAT", "20")
    assert run(note()) == ("Changed in Settings since this draft was saved: VAT 19% → 20%. "
                           "The totals here use today's rates, and saving the draft applies them.")
