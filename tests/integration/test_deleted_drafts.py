"""A deleted draft's id is never given to another invoice (migration 0015: AUTOINCREMENT on
SQLite; PostgreSQL's sequence never reused one): a tab still open on the deleted draft
reaches nothing, instead of saving over, deleting or sending the next invoice made."""

from __future__ import annotations

import pytest

from invoice_crm.db import read_session
from invoice_crm.domain.errors import Conflict, NotFound
from invoice_crm.domain.lifecycle import InvoiceStatus
from invoice_crm.models import Invoice, LineItem
from invoice_crm.services import auth, invoices
from tests.integration.helpers import draft_input, make_client, make_invoice
from tests.support.events import EventRunner, form, run, sent_text

OWNER, PASSWORD = "owner@example.com", "correct horse"
STALE = [{"description": "Typed in the stale tab", "quantity": "1", "unit_price": "999.00"}]


def _stored(invoice_id: int) -> tuple[Invoice, list[str]]:
    with read_session() as s:
        invoice = s.get(Invoice, invoice_id)
        lines = [li.description for li in s.query(LineItem).filter(LineItem.invoice_id == invoice_id)]
        return invoice, lines


def test_the_newest_drafts_id_is_not_given_again_after_it_is_deleted(database):
    client = make_client()
    first = make_invoice(client.id)  # the newest invoice: max(id) + 1 would give its id again
    invoices.delete_draft(first.id)
    second = make_invoice(client.id)
    assert second.id > first.id


def test_a_tab_still_open_on_a_deleted_draft_reaches_nothing(database):
    client = make_client()
    stale = make_invoice(client.id)  # loaded in tab A at version 1
    invoices.delete_draft(stale.id)  # tab B deletes it...
    new = make_invoice(client.id, lines=[{"description": "Unrelated work", "quantity": "1", "unit_price": "10.00"}])
    # ... and makes a new invoice, also at version 1. Tab A saves, deletes or sends:
    with pytest.raises(Conflict, match="This draft was deleted in another tab or window") as err:
        invoices.update_draft(stale.id, draft_input(client.id, lines=STALE), expected_version=stale.version)
    assert err.value.field == "version"
    with pytest.raises(NotFound, match="Invoice not found"):
        invoices.delete_draft(stale.id)
    with pytest.raises(NotFound, match="Invoice not found"):
        invoices.send_invoice(stale.id)
    invoice, lines = _stored(new.id)
    assert (invoice.status, invoice.version, str(invoice.amount)) == (InvoiceStatus.DRAFT, 1, "10.00")
    assert lines == ["Unrelated work"]


def test_the_editor_says_the_draft_was_deleted_and_keeps_what_was_typed(database):
    from invoice_crm.invoice_crm import app
    from invoice_crm.state.auth import AuthState
    from invoice_crm.state.editor import EditorState

    auth.create_user(OWNER, PASSWORD)
    client = make_client()
    stale = make_invoice(client.id)
    path = f"/invoices/{stale.id}/edit"
    created: list[Invoice] = []

    async def scenario():
        async with EventRunner(app) as runner:
            await runner.send("a", AuthState.sign_in, "/login", form=form(email=OWNER, password=PASSWORD))
            await runner.send("a", EditorState.load_edit, path)
            await runner.send("a", EditorState.set_line, path, index=0, field="description", value="Typed in tab A")
            invoices.delete_draft(stale.id)  # in another tab
            created.append(make_invoice(client.id, lines=[{"description": "Unrelated work", "quantity": "1", "unit_price": "10.00"}]))
            updates = await runner.send("a", EditorState.save, path)
            editor = await runner.state("a", EditorState)
            assert "This draft was deleted in another tab or window" in sent_text(updates)
            assert editor.conflict == "This draft was deleted in another tab or window."
            assert not editor.saving and editor.lines[0]["description"] == "Typed in tab A"
            assert runner.server_errors == []

    run(scenario())
    invoice, lines = _stored(created[0].id)
    assert invoice.version == 1 and lines == ["Unrelated work"]
