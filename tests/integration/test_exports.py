"""CSV exports on a real database: the list exactly as the dashboard shows it, formula text
neutralised, payments and refunds, line items, memory that does not grow with the rows, and
the streamed download endpoint that only the signed-in owner's ticket opens."""

from __future__ import annotations

import csv
import io
import tracemalloc
import urllib.error
import urllib.request
from datetime import date, timedelta
from decimal import Decimal as D
from email.message import Message

import pytest

from bench.seed import seed
from invoice_crm.db import get_engine
from invoice_crm.services import (
    auth,
    clients,
    export_tickets,
    exports,
    invoices,
    ledger,
    queries,
    report_files,
    reports,
    tax_rates,
)
from tests.integration.app_server import serve_api
from tests.integration.helpers import make_client, make_invoice

TODAY = date.today()


def _rows(export: exports.Export) -> list[list[str]]:
    data = b"".join(export.chunks)
    assert data.startswith(b"\xef\xbb\xbf")  # BOM by default
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def _dashboard_numbers(q: queries.InvoiceQuery) -> list[str]:
    """Every row of the list, page after page, as the dashboard shows them."""
    numbers, page = [], 1
    while True:
        rows, total = queries.list_invoices(queries.InvoiceQuery(**{**q.__dict__, "page": page}))
        numbers += [r["number"] for r in rows]
        if page * q.page_size >= total:
            return numbers
        page += 1


@pytest.mark.parametrize("params", [
    {},
    {"sort": "due_date", "dir": "asc"},
    {"sort": "amount", "dir": "desc"},
    {"sort": "number", "dir": "asc"},
    {"status": "overdue", "sort": "due_date", "dir": "desc"},
    {"q": "Client 0000"},
])
def test_the_invoice_export_is_the_list_as_filtered_and_sorted_on_screen(database, params):
    seed(get_engine(), 300, TODAY)
    query = exports.invoice_query(params)
    rows = _rows(exports.invoices_csv(query))
    assert rows[0][:4] == ["Number", "Client", "Project", "Status"]
    expected = _dashboard_numbers(queries.InvoiceQuery(**{**query.__dict__, "page_size": 40}))
    assert expected and [r[0] for r in rows[1:]] == expected
    _, total = queries.list_invoices(query)
    assert len(rows) - 1 == total


def test_money_is_plain_with_its_currency_and_dates_iso(database):
    client = make_client("Acme GmbH", "ap@acme.example")
    inv = invoices.send_invoice(make_invoice(
        client.id, currency="EUR", issue=TODAY - timedelta(days=3), due=TODAY + timedelta(days=11),
        lines=[{"description": "Work", "quantity": "1", "unit_price": "1234.5"}],
    ).id)
    ledger.record_payment(inv.id, "234.50", TODAY.isoformat(), "CASH", "")
    header, row = _rows(exports.invoices_csv(queries.InvoiceQuery()))
    record = dict(zip(header, row, strict=True))
    assert record["Currency"] == "EUR" and record["Total"] == "1234.50" and record["Paid"] == "234.50"
    assert record["Balance due"] == "1000.00" and record["Issue date"] == (TODAY - timedelta(days=3)).isoformat()
    plain = b"".join(exports.invoices_csv(queries.InvoiceQuery(), bom=False).chunks)
    assert plain.startswith(b"Number,")


def test_text_a_spreadsheet_would_run_is_neutralised(database):
    for name in ("=HYPERLINK(\"http://evil.example\")", "+31 20 555", "-2+3", "@SUM(A1:A9)"):
        client = make_client(name, "")
        invoices.send_invoice(make_invoice(
            client.id, lines=[{"description": "=cmd|' /C calc'!A0", "quantity": "1", "unit_price": "10"}]).id)
    clients.create_client("Plain Client", "")
    names = [r[0] for r in _rows(exports.clients_csv())[1:]]
    assert sorted(names) == sorted(["'=HYPERLINK(\"http://evil.example\")", "'+31 20 555", "'-2+3", "'@SUM(A1:A9)", "Plain Client"])
    assert {r[1] for r in _rows(exports.invoices_csv(queries.InvoiceQuery()))[1:]} == set(names) - {"Plain Client"}
    lines = _rows(exports.lines_csv(TODAY - timedelta(days=1), TODAY))
    assert {r[6] for r in lines[1:]} == {"'=cmd|' /C calc'!A0"}


def test_payments_and_refunds_over_a_range_and_line_items_with_their_discounts(database):
    vat = tax_rates.create_tax_rate("VAT", "20")
    client = make_client()
    inv = invoices.send_invoice(make_invoice(
        client.id, issue=TODAY - timedelta(days=10), discount_kind="amount", discount_value="10",
        lines=[{"description": "Design", "quantity": "2", "unit_price": "50", "tax_ids": [vat.id]},
               {"description": "Hosting", "quantity": "1", "unit_price": "100"}],
    ).id)
    ledger.record_payment(inv.id, "", (TODAY - timedelta(days=5)).isoformat(), "BANK_TRANSFER", "T-1")
    note = ledger.issue_credit_note(inv.id, amount="20.00", reason="Late")
    ledger.record_refund(note.id, "20.00", TODAY.isoformat(), "BANK_TRANSFER", "R-1")
    rows = _rows(exports.payments_csv(TODAY - timedelta(days=30), TODAY))
    assert rows[0] == list(exports.PAYMENT_HEADER)
    assert [(r[0], r[1], r[5], r[7]) for r in rows[1:]] == [
        ((TODAY - timedelta(days=5)).isoformat(), "Payment", "T-1", str(inv.amount)),
        (TODAY.isoformat(), "Refund", "R-1", "-20.00"),
    ]
    assert len(_rows(exports.payments_csv(TODAY - timedelta(days=4), TODAY - timedelta(days=1)))) == 1  # header only
    lines = _rows(exports.lines_csv(TODAY - timedelta(days=30), TODAY))
    by_desc = {r[6]: dict(zip(lines[0], r, strict=True)) for r in lines[1:]}
    # The 10.00 off the invoice splits 5.00 / 5.00 over the two 100.00 lines.
    assert by_desc["Design"]["Amount"] == "100.00" and by_desc["Design"]["Discounts"] == "5.00"
    assert by_desc["Design"]["Net"] == "95.00" and by_desc["Design"]["Tax 1 rate"] == "20"
    assert by_desc["Hosting"]["Net"] == "95.00" and by_desc["Hosting"]["Tax 1"] == ""


def _peak_while_exporting(query: queries.InvoiceQuery) -> tuple[int, int]:
    """(peak bytes traced while the export is consumed, bytes produced)."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    size = 0
    for chunk in exports.invoices_csv(query).chunks:
        size += len(chunk)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak, size


def test_memory_does_not_grow_with_the_number_of_rows(database):
    """The benchmark measures 100,000 rows; here: 8,000 rows need no more memory than ~900."""
    seed(get_engine(), 8_000, TODAY)
    few = queries.InvoiceQuery(status="OVERDUE", sort="number")  # ~1 % of the older invoices + recent ones
    many = queries.InvoiceQuery(sort="number")
    _peak_while_exporting(few)  # warm-up: compiled statements, caches
    few_peak, few_size = _peak_while_exporting(few)
    many_peak, many_size = _peak_while_exporting(many)
    assert many_size > 5 * few_size
    # Memory held stays that of one batch (plus the fixed machinery), however many rows follow.
    assert many_peak < few_peak * 1.5 + 256 * 1024


@pytest.fixture
def served(database, tmp_path):
    with serve_api({"DATABASE_URL": database, "APP_URL": "http://app.test"}, tmp_path / "api.log") as url:
        yield url


def _get(url: str) -> tuple[int, Message, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read()


def test_the_download_endpoint_streams_for_the_owner_only(served):
    auth.create_user("owner@example.com", "correct horse battery")
    token = auth.sign_in("owner@example.com", "correct horse battery")
    seed(get_engine(), 1_200, TODAY)
    status, _, body = _get(f"{served}/api/exports/invoices.csv")
    assert status == 403 and b"Number" not in body
    forged = export_tickets.issue(token, "clients", {})[:-3] + "abc"
    assert _get(f"{served}/api/exports/clients.csv?ticket={forged}")[0] == 403
    ticket = export_tickets.issue(token, "invoices", {"sort": "amount", "dir": "desc", "bom": "0"})
    assert _get(f"{served}/api/exports/clients.csv?ticket={ticket}")[0] == 403  # a ticket for another export
    status, headers, body = _get(f"{served}/api/exports/invoices.csv?ticket={ticket}")
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    assert "attachment" in headers["Content-Disposition"] and headers["Cache-Control"] == "no-store"
    assert headers.get("Content-Length") is None  # streamed, not built first
    rows = list(csv.reader(io.StringIO(body.decode("utf-8"))))
    assert rows[0][0] == "Number" and len(rows) == 1_201
    amounts = [D(r[8]) for r in rows[1:]]
    assert amounts == sorted(amounts, reverse=True)
    with pytest.raises(export_tickets.TicketRefused):
        export_tickets.issue("not-a-session", "invoices", {})
    auth.sign_out(token)  # signing out ends the tickets already given
    assert _get(f"{served}/api/exports/invoices.csv?ticket={ticket}")[0] == 403


def test_line_items_give_the_net_before_tax_and_only_issued_invoices(database):
    """QA7 F: a 2 x 59.00 line with 20 % in the price read Net 118.00 (the gross) and no tax; the
    lines of a draft and of a void invoice were listed although Revenue leaves them out."""
    vat = tax_rates.create_tax_rate("VAT", "20")
    client = make_client()
    inclusive = invoices.send_invoice(make_invoice(client.id, tax_inclusive=True, lines=[
        {"description": "Licence", "quantity": "2", "unit_price": "59.00", "tax_ids": [vat.id]}]).id)
    exclusive = invoices.send_invoice(make_invoice(client.id, lines=[
        {"description": "Design", "quantity": "1", "unit_price": "33.33", "tax_ids": [vat.id]},
        {"description": "Review", "quantity": "1", "unit_price": "33.33", "tax_ids": [vat.id]},
        {"description": "Travel", "quantity": "1", "unit_price": "10.00"}]).id)
    make_invoice(client.id, lines=[{"description": "Drafted", "quantity": "1", "unit_price": "500"}])
    voided = invoices.send_invoice(make_invoice(client.id, lines=[
        {"description": "Voided", "quantity": "1", "unit_price": "500"}]).id)
    ledger.void_invoice(voided.id, "Sent by mistake")
    header, *rows = _rows(exports.lines_csv(TODAY - timedelta(days=1), TODAY))
    by_desc = {r[6]: dict(zip(header, r, strict=True)) for r in rows}
    assert set(by_desc) == {"Licence", "Design", "Review", "Travel"}
    licence = by_desc["Licence"]
    assert (licence["Amount"], licence["Net"], licence["Tax 1 amount"], licence["Total"]) == (
        "118.00", "98.33", "19.67", "118.00")
    assert inclusive.amount == D("118.00")
    # 66.66 at 20 % is 13.33 on the invoice (rounded once): the lines share it 6.67 / 6.66.
    assert [by_desc[d]["Tax 1 amount"] for d in ("Design", "Review")] == ["6.67", "6.66"]
    assert (by_desc["Travel"]["Tax 1 amount"], by_desc["Travel"]["Total"]) == ("", "10.00")
    for inv in (inclusive, exclusive):
        lines = [r for r in by_desc.values() if r["Invoice"] == inv.number]
        assert sum(D(r["Total"]) for r in lines) == inv.amount
        assert sum(D(r["Tax 1 amount"] or 0) for r in lines) == inv.tax_total


def test_yen_amounts_are_written_in_whole_yen(database):
    """QA7: JPY amounts read 4520.00 in the CSVs; the yen has no minor unit."""
    inv = invoices.send_invoice(make_invoice(make_client().id, currency="JPY", lines=[
        {"description": "Translation", "quantity": "3", "unit_price": "1234"}]).id)
    ledger.record_payment(inv.id, "", TODAY.isoformat(), "BANK_TRANSFER", "Y-1")
    header, row = _rows(exports.invoices_csv(queries.InvoiceQuery()))
    record = dict(zip(header, row, strict=True))
    assert (record["Total"], record["Paid"], record["Balance due"]) == ("3702", "3702", "0")
    assert _rows(exports.payments_csv(TODAY, TODAY))[1][7] == "3702"
    line = dict(zip(*_rows(exports.lines_csv(TODAY, TODAY)), strict=True))
    assert (line["Unit price"], line["Net"], line["Total"]) == ("1234", "3702", "3702")
    text = report_files.csv_bytes(reports.revenue(TODAY, TODAY)).decode("utf-8-sig")
    assert ",JPY,3702,0,3702" in text
