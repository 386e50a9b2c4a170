"""Importing clients and past invoices from CSV on a real database (services/imports.py)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from sqlalchemy import func, select

from invoice_crm.db import read_session
from invoice_crm.domain.errors import ValidationError
from invoice_crm.domain.lifecycle import InvoiceStatus
from invoice_crm.models import Client, Invoice, LineItem, Payment
from invoice_crm.services import figures, imports, invoices
from tests.integration.helpers import make_invoice

TODAY = date.today()
YEAR = TODAY.year
PAST = TODAY - timedelta(days=60)  # issue date of the imported invoices
CLIENTS_CSV = (
    b"Name,Email,Company,Address,Tax number\n"
    b"Ada Lovelace,ada@example.com,Engines Ltd,London,GB1\n"
    b"Grace Hopper,grace@example.com,,,\n"
    b"Alan Turing,,Bletchley,,\n"
)


def _invoices_csv(*rows: str) -> bytes:
    header = ("Invoice number,Client name,Client email,Issue date,Due date,Currency,Description,Quantity,"
              "Unit price,Tax name,Tax rate (%),Payment amount,Payment date,Payment method,Payment reference")
    return "\n".join([header, *rows]).encode()


def _row(number, description="Work", qty="1", price="100.00", tax="", pay="", paid_on="",
         client="Ada Lovelace", email="ada@example.com", issue=None, due=None):
    issue = issue or PAST
    due = due or issue + timedelta(days=30)
    tax_name, tax_rate = ("VAT", tax) if tax else ("", "")
    return (f"{number},{client},{email},{issue.isoformat()},{due.isoformat()},USD,{description},{qty},"
            f"\"{price}\",{tax_name},{tax_rate},\"{pay}\",{paid_on},{'Bank transfer' if pay else ''},")


INVOICES_CSV = _invoices_csv(
    # paid in full (two lines, one with tax, one payment)
    _row(f"INV-{YEAR}-0041", "Design", "10", "80.00", tax="20"),
    _row(f"INV-{YEAR}-0041", "Hosting", "1", "25.00", pay="985.00", paid_on=(PAST + timedelta(days=5)).isoformat()),
    # partly paid, past due: overdue
    _row(f"INV-{YEAR}-0042", "Consulting", "4", "120.00", pay="200.00", paid_on=(PAST + timedelta(days=3)).isoformat(),
         client="Grace Hopper", email="grace@example.com"),
    # not paid, not yet due: sent
    _row(f"INV-{YEAR}-0050", "Retainer", "1", "1,500.00", client="Alan Turing", email="",
         issue=TODAY - timedelta(days=2), due=TODAY + timedelta(days=28)),
)


def _mapping(kind: str, content: bytes) -> dict[str, str]:
    return imports.read(kind, content)[1]


def _import(kind: str, content: bytes, *, only_valid: bool = False):
    return imports.run_import(kind, content, _mapping(kind, content), only_valid=only_valid)


def _count(model) -> int:
    with read_session() as s:
        return s.execute(select(func.count()).select_from(model)).scalar_one()


def test_reimporting_the_same_clients_file_creates_no_duplicates(database):
    first = _import("clients", CLIENTS_CSV)
    assert (first.created, first.skipped, first.rejected_rows) == (3, 0, 0)
    again = _import("clients", CLIENTS_CSV)
    assert (again.created, again.skipped) == (0, 3)
    assert _count(Client) == 3
    with read_session() as s:
        ada = s.execute(select(Client).where(Client.email == "ada@example.com")).scalar_one()
    assert (ada.name, ada.company, ada.address, ada.tax_number) == ("Ada Lovelace", "Engines Ltd", "London", "GB1")


def test_a_client_already_in_the_app_is_not_imported_again(database):
    from tests.integration.helpers import make_client

    make_client("Grace H.", "Grace@Example.com")
    result = _import("clients", CLIENTS_CSV)
    assert (result.created, result.skipped) == (2, 1)
    assert _count(Client) == 3


def test_a_bad_row_blocks_an_all_or_nothing_import(database):
    bad = CLIENTS_CSV + b",nobody@example.com,,,\nEve,not-an-email,,,\n"
    mapping = _mapping("clients", bad)
    checked = imports.preview("clients", bad, mapping)
    assert [(e.row, e.field) for e in checked.errors] == [(5, "Name"), (6, "Email")]
    assert "required" in checked.errors[0].message and "name@example.com" in checked.errors[1].message
    with pytest.raises(ValidationError, match="Nothing imported: 2 rows have errors"):
        imports.run_import("clients", bad, mapping, only_valid=False)
    assert _count(Client) == 0

    result = imports.run_import("clients", bad, mapping, only_valid=True)
    assert (result.created, result.rejected_rows) == (3, 2)
    assert _count(Client) == 3
    lines = result.rejected_csv.splitlines()
    assert lines[0] == "Row,Errors,Name,Email,Company,Address,Tax number"
    assert lines[1].startswith("5,Name: Name is required,,nobody@example.com")
    assert lines[2].startswith("6,Email: Email must look like")


def test_a_refused_row_is_named_by_its_row_in_the_file_blank_lines_counted(database):
    """A spreadsheet counts a blank line as a row: the preview and the rejected rows name the
    row a user opens the file at, not one less for every blank line above it."""
    bad = CLIENTS_CSV.rstrip(b"\n") + b"\n\n\nEve,not-an-email,,,\n"
    lines_before_eve = bad.decode().split("\n").index("Eve,not-an-email,,,")
    checked = imports.preview("clients", bad, _mapping("clients", bad))
    assert [(e.row, e.field) for e in checked.errors] == [(lines_before_eve + 1, "Email")]
    result = imports.run_import("clients", bad, _mapping("clients", bad), only_valid=True)
    assert result.rejected_csv.splitlines()[1].startswith(f"{lines_before_eve + 1},Email: Email must look like")


def test_a_bad_invoice_row_blocks_the_whole_file(database):
    bad = _invoices_csv(
        _row(f"INV-{YEAR}-0041", price="100.00"),
        _row(f"INV-{YEAR}-0042", qty="lots"),
    )
    with pytest.raises(ValidationError, match="Nothing imported: 1 row has errors"):
        _import("invoices", bad)
    assert _count(Invoice) == 0 and _count(Client) == 0
    checked = imports.preview("invoices", bad, _mapping("invoices", bad))
    assert [(e.row, e.field) for e in checked.errors] == [(3, "Quantity")]


def test_every_problem_of_a_row_is_listed_not_only_the_first(database):
    """One upload shows all there is to put right in a row: a bad email, a due date before the
    issue date and an unreadable price, each under its column."""
    bad = _invoices_csv(
        _row(f"INV-{YEAR}-0041", price="abc", email="not-an-email", due=PAST - timedelta(days=1)),
        _row(f"INV-{YEAR}-0042", qty="lots", pay="10.00", paid_on=(TODAY + timedelta(days=5)).isoformat()),
    )
    checked = imports.preview("invoices", bad, _mapping("invoices", bad))
    assert [(e.row, e.field) for e in checked.errors] == [
        (2, "Client email"), (2, "Due date"), (2, "Unit price"), (3, "Quantity"), (3, "Payment date"),
    ]
    clients_bad = b"Name,Email\n,not-an-email\n"
    checked = imports.preview("clients", clients_bad, _mapping("clients", clients_bad))
    assert [(e.row, e.field) for e in checked.errors] == [(2, "Name"), (2, "Email")]


def test_imported_invoices_keep_their_numbers_and_totals_from_the_total_function(database):
    result = _import("invoices", INVOICES_CSV)
    assert (result.created, result.rejected_rows) == (3, 0)
    with read_session() as s:
        rows = {i.number: i for i in s.execute(select(Invoice)).scalars()}
        assert set(rows) == {f"INV-{YEAR}-0041", f"INV-{YEAR}-0042", f"INV-{YEAR}-0050"}
        for inv in rows.values():
            assert inv.imported
            lines = s.execute(select(LineItem).where(LineItem.invoice_id == inv.id)).scalars().all()
            totals = figures.compute(inv, lines, *figures.money_in(s, inv.id))
            assert (inv.amount, inv.tax_total, inv.amount_paid, inv.balance_due) == (
                totals.total, totals.tax_total, totals.paid, totals.balance_due)
        paid, partly, open_ = rows[f"INV-{YEAR}-0041"], rows[f"INV-{YEAR}-0042"], rows[f"INV-{YEAR}-0050"]
        # 10 x 80 + 20% VAT = 960, + 25 hosting = 985
        assert (paid.amount, paid.tax_total, paid.balance_due) == (D("985.00"), D("160.00"), D("0.00"))
        assert paid.status is InvoiceStatus.PAID and paid.paid_at == PAST + timedelta(days=5)
        assert (partly.amount, partly.amount_paid, partly.balance_due) == (D("480.00"), D("200.00"), D("280.00"))
        assert partly.status is InvoiceStatus.OVERDUE
        assert open_.amount == D("1500.00") and open_.status is InvoiceStatus.SENT
        assert s.execute(select(func.count()).select_from(Payment)).scalar_one() == 2
        assert s.execute(select(func.count()).select_from(Client)).scalar_one() == 3


def test_reimporting_the_same_invoices_file_creates_no_duplicates(database):
    _import("invoices", INVOICES_CSV)
    again = _import("invoices", INVOICES_CSV)
    assert (again.created, again.skipped, again.rejected_rows) == (0, 3, 0)
    assert (_count(Invoice), _count(LineItem), _count(Payment), _count(Client)) == (3, 4, 2, 3)


def test_the_same_number_with_other_content_is_refused(database):
    _import("invoices", INVOICES_CSV)
    changed = _invoices_csv(_row(f"INV-{YEAR}-0041", "Design", "10", "90.00"))
    checked = imports.preview("invoices", changed, _mapping("invoices", changed))
    assert [(e.row, e.field) for e in checked.errors] == [(2, "Invoice number")]
    assert "imported before with other content" in checked.errors[0].message


def test_the_next_sent_invoice_continues_after_the_highest_imported_number(database):
    sent = invoices.send_invoice(make_invoice().id)
    assert sent.number == f"INV-{YEAR}-0001"
    _import("invoices", INVOICES_CSV)
    draft = make_invoice()
    assert invoices.send_invoice(draft.id).number == f"INV-{YEAR}-0051"


def test_an_imported_number_of_another_format_leaves_the_numbering_alone(database):
    _import("invoices", _invoices_csv(_row("2019/77")))
    assert invoices.send_invoice(make_invoice().id).number == f"INV-{YEAR}-0001"


def test_payments_beyond_the_total_and_conflicting_rows_are_reported(database):
    bad = _invoices_csv(
        _row("A-1", price="100.00", pay="150.00", paid_on=(PAST + timedelta(days=1)).isoformat()),
        _row("A-2", price="100.00"),
        _row("A-2", price="50.00", client="Somebody Else", email="else@example.com"),
        _row("A-3", price="100.00", pay="10.00", paid_on=(TODAY + timedelta(days=1)).isoformat()),
    )
    checked = imports.preview("invoices", bad, _mapping("invoices", bad))
    found = {(e.row, e.field) for e in checked.errors}
    assert (2, "Payment amount") in found
    [over] = [e.message for e in checked.errors if e.field == "Payment amount"]
    assert over == "Payments of invoice A-1 add up to $150.00, more than its total $100.00"  # written as money
    assert (4, "Client name") in found and (3, "Invoice number") in found  # A-2 rejected as a whole
    assert (5, "Payment date") in found
    result = _import("invoices", bad, only_valid=True)
    assert (result.created, result.rejected_rows) == (0, 4)


def test_progress_is_reported_for_every_item(database):
    calls = []
    imports.run_import("invoices", INVOICES_CSV, _mapping("invoices", INVOICES_CSV), only_valid=False,
                       progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 3), (2, 3), (3, 3)]


def test_invoices_find_their_clients_by_email_or_name(database):
    _import("clients", CLIENTS_CSV)
    _import("invoices", INVOICES_CSV)
    assert _count(Client) == 3  # Ada and Grace by email, Alan (no email) by name
    with read_session() as s:
        alan = s.execute(select(Client).where(Client.name == "Alan Turing")).scalar_one()
        assert s.execute(select(Invoice.number).where(Invoice.client_id == alan.id)).scalar_one() == f"INV-{YEAR}-0050"
