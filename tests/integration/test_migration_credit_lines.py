"""Migration 0017 links the credit notes by lines issued before it to their lines (by their one
matching description), so an old note's lines are not offered for credit again."""

from __future__ import annotations

import pytest

from alembic import command
from invoice_crm.domain.errors import ValidationError
from invoice_crm.services import invoices, ledger
from tests.conftest import alembic_config, reset_caches
from tests.integration.helpers import make_invoice


def test_0017_links_earlier_line_notes_by_their_one_matching_description(sqlite_at_head):
    url = sqlite_at_head
    inv = invoices.send_invoice(make_invoice(lines=[
        {"description": "Design", "quantity": "1", "unit_price": "100.00"},
        {"description": "Travel", "quantity": "1", "unit_price": "117.58"},
        {"description": "Hours", "quantity": "1", "unit_price": "10.00"},
        {"description": "Hours", "quantity": "2", "unit_price": "10.00"},
    ]).id)
    note = ledger.issue_credit_note(inv.id, line_positions=[1, 2], reason="Before 0017")
    reset_caches()
    command.downgrade(alembic_config(url), "0016")  # as the note was stored before: its descriptions only
    command.upgrade(alembic_config(url), "head")
    reset_caches()
    shown = ledger.credit_by_lines(inv.id, [])
    # Travel is known again; which "Hours" it was cannot be told, so both stay offered.
    assert shown.credited == [False, True, False, False]
    assert shown.per_line[1] == f"Credited ({note.number})"
    with pytest.raises(ValidationError, match="Already credited: Travel"):
        ledger.issue_credit_note(inv.id, line_positions=[1])
