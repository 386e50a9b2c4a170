"""A deleted draft's id is never given to another invoice (migration 0015: AUTOINCREMENT on
SQLite; PostgreSQL's sequence never reused one): a tab still open on the deleted draft
reaches nothing, instead of saving over, deleting or sending the next invoice made."""

from __future__ import annotations

from invoice_crm.services import invoices
from tests.integration.helpers import make_client, make_invoice


def test_the_newest_drafts_id_is_not_given_again_after_it_is_deleted(database):
    client = make_client()
    first = make_invoice(client.id)  # the newest invoice: max(id) + 1 would give its id again
    invoices.delete_draft(first.id)
    second = make_invoice(client.id)
    assert second.id > first.id
