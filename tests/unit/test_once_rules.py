"""Pure rules behind numbering at send, the sheet's draft rows and leads."""

from datetime import date
from decimal import Decimal

from invoice_crm.domain.leads import LeadStatus, status_with_invoices
from invoice_crm.domain.lifecycle import InvoiceStatus
from invoice_crm.domain.numbering import display_number, draft_reference
from invoice_crm.domain.sheet_rows import HEADER, SheetInvoice, plan_writes


def _sheet_invoice(number: str, previous: str = "", hint: int | None = None) -> SheetInvoice:
    return SheetInvoice(
        invoice_id=12, number=number, client="Acme", amount=Decimal("10.00"), status=InvoiceStatus.SENT,
        due_date=date(2026, 1, 31), paid_date=None, row_hint=hint, previous=previous,
    )


def test_a_draft_is_called_by_its_reference_until_it_is_numbered():
    assert draft_reference(12) == "D-0012"
    assert display_number(None, 12) == "Draft D-0012"
    assert display_number("INV-2026-0003", 12) == "INV-2026-0003"


def test_a_sent_draft_renames_its_row_instead_of_adding_one():
    column_a = [HEADER[0], "INV-2026-0001", "Draft D-0012", "Draft D-0013"]
    plan = plan_writes(column_a, [_sheet_invoice("INV-2026-0002", previous="Draft D-0012", hint=3)])
    assert plan.appends == []
    assert plan.updates == [(3, ["INV-2026-0002", "Acme", "10.00", "Sent", "2026-01-31", ""])]


def test_the_number_wins_over_the_draft_row_once_it_is_in_the_sheet():
    column_a = [HEADER[0], "Draft D-0012", "INV-2026-0002"]
    plan = plan_writes(column_a, [_sheet_invoice("INV-2026-0002", previous="Draft D-0012")])
    assert [row for row, _ in plan.updates] == [3]


def test_a_lead_with_open_work_is_never_shown_paid():
    assert status_with_invoices(LeadStatus.PAID, 1) is LeadStatus.INVOICED
    assert status_with_invoices(LeadStatus.PAID, 0) is LeadStatus.PAID
    assert status_with_invoices(LeadStatus.WON, 2) is LeadStatus.WON
