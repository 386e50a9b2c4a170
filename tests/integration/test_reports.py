"""Reports on a real database: the tax report against figures worked out by hand, and the
report totals against the dashboard's and the client page's."""

from datetime import date, timedelta
from decimal import Decimal as D

from sqlalchemy import delete

from invoice_crm.db import write_session
from invoice_crm.domain.money import format_money
from invoice_crm.models import CreditNoteLine, LineItem
from invoice_crm.services import client_accounts, invoices, ledger, queries, report_files, reports, tax_rates
from tests.integration.helpers import make_client, make_invoice

TODAY = date.today()
START, END = TODAY - timedelta(days=40), TODAY


def _sent(client_id, lines, **kw):
    return invoices.send_invoice(make_invoice(client_id, lines=lines, **kw).id)


def _hand_built_books():
    """Two rates, an invoice discount, a partial payment and a credit note (figures in comments)."""
    vat = tax_rates.create_tax_rate("VAT", "20")
    reduced = tax_rates.create_tax_rate("Reduced", "5")
    acme = make_client("Acme", "billing@acme.example")
    globex = make_client("Globex", "ap@globex.example")
    # A: 2 x 100 at 20 % and 1 x 50 at 5 %, 10 % off the invoice: the discount (25.00) splits
    # 20.00 / 5.00, so VAT 20 % on 180.00 = 36.00 and 5 % on 45.00 = 2.25; total 263.25.
    a = _sent(acme.id, [
        {"description": "Design", "quantity": "2", "unit_price": "100.00", "tax_ids": [vat.id]},
        {"description": "Books", "quantity": "1", "unit_price": "50.00", "tax_ids": [reduced.id]},
    ], issue=TODAY - timedelta(days=30), due=TODAY - timedelta(days=16), discount_kind="percent", discount_value="10")
    assert a.amount == D("263.25")
    # 105.30 paid = 40 % of A: cash VAT 72.00 base / 14.40 tax; 5 %: 18.00 / 0.90.
    ledger.record_payment(a.id, "105.30", (TODAY - timedelta(days=20)).isoformat(), "BANK_TRANSFER", "A-1")
    # B: 300.00 at 20 % = 60.00 tax, total 360.00; a credit note of 120.00 (a third) takes
    # 100.00 base / 20.00 tax off; the rest, 240.00, is paid: cash 200.00 base / 40.00 tax.
    b = _sent(globex.id, [{"description": "Audit", "quantity": "1", "unit_price": "300.00", "tax_ids": [vat.id]}],
              issue=TODAY - timedelta(days=25), due=TODAY + timedelta(days=5))
    ledger.issue_credit_note(b.id, amount="120.00", reason="Scope reduced")
    ledger.record_payment(b.id, "", TODAY.isoformat(), "CARD", "B-1")
    # Outside the report: a draft in the period, and an invoice issued before it.
    make_invoice(acme.id, lines=[{"description": "Draft", "quantity": "1", "unit_price": "999.00", "tax_ids": [vat.id]}])
    _sent(globex.id, [{"description": "Old", "quantity": "1", "unit_price": "80.00", "tax_ids": [vat.id]}],
          issue=TODAY - timedelta(days=100), due=TODAY - timedelta(days=70))
    return acme, globex, a, b


def _by_rate(table):
    """By name and rate as the CSV writes it (a Rate cell's plain text)."""
    return {(row[0], str(row[1])): row[2:] for row in table.rows}


def test_the_tax_report_equals_the_figures_worked_out_by_hand(database):
    _hand_built_books()
    table = reports.tax_report(START, END)
    rows = _by_rate(table)
    assert set(rows) == {("VAT", "20"), ("Reduced", "5")}
    # currency, base, tax, credited base, credited tax, net base, net tax, base received, tax received
    assert rows[("VAT", "20")] == ["USD", D("480.00"), D("96.00"), D("100.00"), D("20.00"),
                                   D("380.00"), D("76.00"), D("272.00"), D("54.40")]
    assert rows[("Reduced", "5")] == ["USD", D("45.00"), D("2.25"), D("0.00"), D("0.00"),
                                      D("45.00"), D("2.25"), D("18.00"), D("0.90")]
    assert table.totals == [["Total", "", "USD", D("525.00"), D("98.25"), D("100.00"), D("20.00"),
                             D("425.00"), D("78.25"), D("290.00"), D("55.30")]]


def test_the_ageing_totals_equal_the_dashboard_and_the_client_pages(database):
    acme, globex, _, _ = _hand_built_books()
    table = reports.ageing(TODAY)
    outstanding = reports.ageing_totals(table)
    # A owes 157.95, 16 days past due; the old Globex invoice 96.00, 70 days past due.
    assert outstanding == {"USD": D("253.95")}
    assert queries.dashboard_summary()["outstanding"] == format_money(outstanding["USD"], "USD")
    rows = {row[0]: row for row in table.rows}
    assert rows["Acme"][2:] == [D("0.00"), D("157.95"), D("0.00"), D("0.00"), D("0.00"), D("157.95")]
    assert rows["Globex"][2:] == [D("0.00"), D("0.00"), D("0.00"), D("96.00"), D("0.00"), D("96.00")]
    for client in (acme, globex):
        assert client_accounts.client_account(client.id).outstanding == {"USD": rows[client.name][-1]}
    # As of an earlier date: the invoices issued since are left out, the buckets move.
    earlier = reports.ageing(TODAY - timedelta(days=60))
    assert [r[0] for r in earlier.rows] == ["Globex"] and earlier.rows[0][2:4] == [D("0.00"), D("96.00")]  # 10 days past due then
    # The day before A's payment: A and B owed their whole totals then (B's credit note and
    # payment came later), both not yet due; the old invoice was 49 days past due.
    before = reports.ageing(TODAY - timedelta(days=21))
    rows = {row[0]: row[2:] for row in before.rows}
    assert rows["Acme"] == [D("263.25"), D("0.00"), D("0.00"), D("0.00"), D("0.00"), D("263.25")]
    assert rows["Globex"] == [D("360.00"), D("0.00"), D("96.00"), D("0.00"), D("0.00"), D("456.00")]
    assert reports.ageing_totals(before) == {"USD": D("719.25")}


def test_revenue_per_month_and_per_client_adds_up_to_the_stored_figures(database):
    acme, globex, _, _ = _hand_built_books()
    start = TODAY - timedelta(days=400)
    by_month = reports.revenue(start, TODAY)
    by_client = reports.revenue(start, TODAY, by="client")
    # Invoiced: A + B + the old invoice; credited: B's note; paid: both payments.
    expected = ["Total", "USD", D("263.25") + D("360.00") + D("96.00"), D("120.00"), D("105.30") + D("240.00")]
    assert by_month.totals == [expected] and by_client.totals == [expected]
    clients = {row[0]: row[2:] for row in by_client.rows}
    assert clients["Acme"] == [D("263.25"), D("0.00"), D("105.30")]
    assert clients["Globex"] == [D("456.00"), D("120.00"), D("240.00")]
    # Per client, invoiced - credited - paid is what the client page says is owed.
    for client in (acme, globex):
        invoiced, credited, paid = clients[client.name]
        assert client_accounts.client_account(client.id).outstanding["USD"] == invoiced - credited - paid


def test_each_report_downloads_as_csv_and_pdf(database):
    _hand_built_books()
    table = reports.tax_report(START, END)
    text = report_files.csv_bytes(table).decode("utf-8-sig")
    assert text.splitlines()[0].startswith("Tax,Rate %,Currency,Taxable base,Tax invoiced")
    assert "VAT,20,USD,480.00,96.00,100.00,20.00,380.00,76.00,272.00,54.40" in text
    assert report_files.pdf_bytes(table).startswith(b"%PDF")
    assert report_files.pdf_bytes(reports.ageing(TODAY)).startswith(b"%PDF")


def test_the_tax_pdfs_headers_each_fit_their_column_with_a_gap(database):
    """"Base received" ran into "Tax received (cash)": each header, on one line or wrapped,
    now fits its column (a gap to the next), and the columns together fill the page exactly."""
    from fpdf import FPDF

    _hand_built_books()
    table = reports.tax_report(START, END)
    for huge in (False, True):  # very long figures: the headers wrap rather than overlap
        if huge:
            table.rows = [[r[0], r[1], r[2], *[D("123456789012.00")] * (len(r) - 3)] for r in table.rows]
        pdf = FPDF(orientation="landscape", unit="mm", format="A4")
        widths = report_files.column_widths(pdf, table, 7, first=0.14)
        assert abs(sum(widths) - pdf.epw) < 0.01
        pdf.set_font("Helvetica", "B", 7)
        for w, name in zip(widths[1:], table.columns[1:], strict=True):
            lines = report_files._header_lines(pdf, name, w)
            assert " ".join(lines) == name
            assert all(pdf.get_string_width(line) + 2 * pdf.c_margin <= w for line in lines), (name, w)
        assert report_files.pdf_bytes(table).startswith(b"%PDF")


def test_the_tax_pdf_reads_with_a_space_between_its_headers(database):
    from io import BytesIO

    from pypdf import PdfReader

    _hand_built_books()
    pdf = PdfReader(BytesIO(report_files.pdf_bytes(reports.tax_report(START, END))))
    text = "\n".join(page.extract_text(extraction_mode="layout") for page in pdf.pages)
    assert "Base received" in text and "receivedTax" not in text


def _rows_of(table, currency="USD"):
    """{name: (credited base, credited tax, net base, net tax, base received, tax received)}."""
    return {row[0]: tuple(row[5:]) for row in table.rows if row[2] == currency}


def test_a_credit_note_by_lines_credits_the_rates_of_those_lines_only(database):
    """QA7 D: crediting the untaxed Travel line took VAT off the tax report (its pro-rata share of
    the invoice) and only part of Travel off "No tax"."""
    vat = tax_rates.create_tax_rate("VAT", "20")
    reduced = tax_rates.create_tax_rate("Reduced", "5.5")
    inv = _sent(make_client().id, [
        {"description": "Workshop", "quantity": "2", "unit_price": "450.00", "tax_ids": [vat.id]},
        {"description": "Travel", "quantity": "1", "unit_price": "123.45"},
        {"description": "Materials", "quantity": "7", "unit_price": "3.99", "tax_ids": [reduced.id]},
    ], discount_kind="amount", discount_value="50.00")
    travel = ledger.issue_credit_note(inv.id, line_positions=[1], reason="No travel")
    materials = ledger.issue_credit_note(inv.id, line_positions=[2], reason="Not delivered")
    rows = _rows_of(reports.tax_report(START, END))
    # Travel 123.45 less its share of the 50.00 off (5.87): 117.58, no tax; Materials 27.93 less
    # 1.33: 26.60 at 5.5 % = 1.46 (the credit note: 28.06).
    assert travel.amount == D("117.58") and materials.amount == D("28.06")
    assert rows["No tax"][:2] == (D("117.58"), D("0.00"))
    assert rows["Reduced"][:2] == (D("26.60"), D("1.46"))
    assert rows["VAT"][:2] == (D("0.00"), D("0.00"))
    assert rows["Reduced"][2:4] == (D("0.00"), D("0.00"))  # all of Materials credited


def test_a_credit_note_by_lines_finds_its_line_among_lines_of_the_same_name(database):
    vat = tax_rates.create_tax_rate("VAT", "20")
    inv = _sent(make_client().id, [
        {"description": "Hosting\nmonthly", "quantity": "1", "unit_price": "100.00", "tax_ids": [vat.id]},
        {"description": "Hosting\nmonthly", "quantity": "1", "unit_price": "40.00"},
    ])
    note = ledger.issue_credit_note(inv.id, line_positions=[1], reason="Not used")
    assert note.amount == D("40.00")
    rows = _rows_of(reports.tax_report(START, END))
    assert rows["No tax"][:2] == (D("40.00"), D("0.00")) and rows["VAT"][:2] == (D("0.00"), D("0.00"))


def _same_name_at_two_rates(extra=()):
    """Consulting 100.00 at 21 % (121.00 with its tax) and Consulting 121.00 at 0 %: crediting
    either line credits 121.00, so neither the text nor the amount tells the lines apart."""
    vat = tax_rates.create_tax_rate("VAT", "21")
    zero = tax_rates.create_tax_rate("Zero-rated", "0")
    return _sent(make_client().id, [
        {"description": "Consulting", "quantity": "1", "unit_price": "100.00", "tax_ids": [vat.id]},
        {"description": "Consulting", "quantity": "1", "unit_price": "121.00", "tax_ids": [zero.id]},
        *extra,
    ])


def test_a_credit_note_by_lines_credits_the_rate_of_the_line_it_credited(database):
    """The tax report reads which lines a note credited (credit_note_line), not its text: the
    second of two lines of one description, at another rate, is credited at that rate."""
    inv = _same_name_at_two_rates()
    note = ledger.issue_credit_note(inv.id, line_positions=[1], reason="Not used")
    assert note.amount == D("121.00")
    rows = _rows_of(reports.tax_report(START, END))
    assert rows["Zero-rated"][:2] == (D("121.00"), D("0.00"))
    assert rows["VAT"][:4] == (D("0.00"), D("0.00"), D("100.00"), D("21.00"))
    ledger.issue_credit_note(inv.id, line_positions=[0], reason="Not done either")
    rows = _rows_of(reports.tax_report(START, END))
    assert rows["VAT"][:4] == (D("100.00"), D("21.00"), D("0.00"), D("0.00"))
    assert rows["Zero-rated"][:4] == (D("121.00"), D("0.00"), D("0.00"), D("0.00"))


def test_a_note_from_before_its_lines_were_recorded_still_reads_its_text(database):
    """A note by lines issued before migration 0017 and left unlinked by it (its description
    matches two lines) keeps the text reading: the first line that reads as it."""
    inv = _same_name_at_two_rates()
    note = ledger.issue_credit_note(inv.id, line_positions=[1], reason="Before 0017")
    with write_session() as session:
        session.execute(delete(CreditNoteLine).where(CreditNoteLine.credit_note_id == note.id))
    rows = _rows_of(reports.tax_report(START, END))
    assert rows["VAT"][:2] == (D("100.00"), D("21.00"))  # the text cannot say which: the first
    assert rows["Zero-rated"][:2] == (D("0.00"), D("0.00"))


def test_a_note_0017_linked_in_part_reads_its_text_around_the_line_it_linked(database):
    """0017 links an old note's line whose description is unique (Travel) and not the one two
    lines share (Consulting): the note still credits both of its lines, not Travel alone."""
    inv = _same_name_at_two_rates(extra=[{"description": "Travel", "quantity": "1", "unit_price": "50.00"}])
    note = ledger.issue_credit_note(inv.id, line_positions=[1, 2], reason="Before 0017")
    assert note.lines_text == "Consulting\nTravel"
    with write_session() as session:
        [consulting] = [li for li in session.query(LineItem).filter(LineItem.invoice_id == inv.id) if li.position == 1]
        session.execute(delete(CreditNoteLine).where(CreditNoteLine.line_item_id == consulting.id))
    rows = _rows_of(reports.tax_report(START, END))
    assert rows["No tax"][:2] == (D("50.00"), D("0.00"))  # Travel, the line 0017 linked
    assert rows["VAT"][:2] == (D("100.00"), D("21.00"))  # the text cannot say which Consulting: the first


def test_a_credit_note_by_amount_keeps_its_share_of_each_rate(database):
    vat = tax_rates.create_tax_rate("VAT", "20")
    inv = _sent(make_client().id, [
        {"description": "Licence", "quantity": "1", "unit_price": "100.00", "tax_ids": [vat.id]},
        {"description": "Travel", "quantity": "1", "unit_price": "80.00"},
    ])
    ledger.issue_credit_note(inv.id, amount="50.00", reason="Goodwill")  # a quarter of 200.00
    rows = _rows_of(reports.tax_report(START, END))
    assert rows["VAT"][:2] == (D("25.00"), D("5.00")) and rows["No tax"][:2] == (D("20.00"), D("0.00"))


def test_an_invoice_settled_in_full_received_exactly_its_net_tax(database):
    """QA7 A: GST 5 % net tax 4.40 was received as 4.39, each payment and the refund rounded on
    its own (1.74 + 0.87 + 2.13 - 0.35)."""
    vat = tax_rates.create_tax_rate("VAT", "20")
    reduced = tax_rates.create_tax_rate("Reduced", "5.5")
    gst = tax_rates.create_tax_rate("GST", "5")
    qst = tax_rates.create_tax_rate("QST", "9.975", compound=True)
    inv = _sent(make_client().id, [
        {"description": "Design", "quantity": "1.5", "unit_price": "85.00", "tax_ids": [vat.id],
         "discount_kind": "percent", "discount_value": "10"},
        {"description": "Hosting", "quantity": "0.333", "unit_price": "100.00", "tax_ids": [reduced.id],
         "discount_kind": "amount", "discount_value": "1.00"},
        {"description": "Consulting", "quantity": "3", "unit_price": "33.33", "tax_ids": [gst.id, qst.id]},
    ], discount_kind="percent", discount_value="5", issue=TODAY - timedelta(days=5))
    assert inv.amount == D("272.88")
    for amount in ("100.00", "50.25", "122.63"):
        ledger.record_payment(inv.id, amount, (TODAY - timedelta(days=3)).isoformat(), "BANK_TRANSFER", "")
    note = ledger.issue_credit_note(inv.id, amount="20.00", reason="Goodwill")
    ledger.record_refund(note.id, "20.00", TODAY.isoformat(), "BANK_TRANSFER", "R-1")
    table = reports.tax_report(START, END)
    assert _rows_of(table)["GST"][2:] == (D("88.03"), D("4.40"), D("88.03"), D("4.40"))
    for _, net_base, net_tax, base_in, tax_in in (r[1:] for r in _rows_of(table).values()):
        assert (base_in, tax_in) == (net_base, net_tax)


def test_the_tax_report_reads_more_lines_than_one_batch(database):
    """The issued lines are read in batches of 500: a period with more (a month of a busy
    freelancer) raised "identity map is no longer valid" and Reports never showed."""
    vat = tax_rates.create_tax_rate("VAT", "20")
    client = make_client("Busy", "busy@example.test")
    lines = [{"description": f"Task {n}", "quantity": "1", "unit_price": "10.00", "tax_ids": [vat.id]} for n in range(120)]
    for _ in range(5):  # 600 lines
        _sent(client.id, lines, issue=TODAY - timedelta(days=3), due=TODAY + timedelta(days=11))
    rows = _by_rate(reports.tax_report(START, END))
    assert rows[("VAT", "20")][:3] == ["USD", D("6000.00"), D("1200.00")]


def test_the_shares_of_each_note_and_payment_add_up_to_the_money_in_yen(database):
    """QA9 1: ￥605,148 at 10 %, 8 % and untaxed, 5 % off the invoice; the ￥50,000 note of a
    refund split into 41,864 + 4,186 + 3,949 = ￥49,999, each base and tax rounded on its own, so
    the tax report credited ￥63,797 of notes worth ￥63,798 and received ￥541,351 of ￥541,350."""
    consumption = tax_rates.create_tax_rate("消費税", "10")
    reduced = tax_rates.create_tax_rate("軽減税率", "8")
    inv = _sent(make_client().id, [
        {"description": "Top page", "quantity": "1", "unit_price": "110000", "tax_ids": [consumption.id]},
        {"description": "Pages", "quantity": "12", "unit_price": "35000", "tax_ids": [consumption.id]},
        {"description": "Meeting food", "quantity": "3", "unit_price": "1234", "tax_ids": [reduced.id]},
        {"description": "Support", "quantity": "1.5", "unit_price": "33333"},
    ], currency="JPY", discount_kind="percent", discount_value="5", issue=TODAY - timedelta(days=10))
    assert inv.amount == D("605148")
    ledger.record_payment(inv.id, "100000", (TODAY - timedelta(days=5)).isoformat(), "BANK_TRANSFER", "")
    by_lines = ledger.issue_credit_note(inv.id, line_positions=[2], reason="Not ours")
    assert by_lines.amount == D("3798")
    ledger.issue_credit_note(inv.id, amount="10000", reason="Goodwill")
    ledger.record_payment(inv.id, "", TODAY.isoformat(), "CARD", "")  # the rest: ￥491,350
    note = ledger.issue_credit_note(inv.id, amount="50000", reason="Refund")
    ledger.record_refund(note.id, "50000", TODAY.isoformat(), "CARD", "re_1")
    revenue = reports.revenue(START, END)
    assert revenue.totals == [["Total", "JPY", D("605148"), D("63798"), D("541350")]]
    table = reports.tax_report(START, END)
    rows = _rows_of(table, "JPY")
    credited = sum((base + tax for base, tax, *_ in rows.values()), D(0))
    received = sum((r[4] + r[5] for r in rows.values()), D(0))
    assert (credited, received) == (D("63798"), D("541350"))


def test_money_held_to_refund_is_not_tax_received(database):
    """QA (stop 24): €418.00 paid on an invoice a credit note then took down to €269.91 was
    spread over what was left at 155 %: "tax received" €34.29 on an invoice carrying €22.14 of
    VAT. The €148.09 to refund is not income; its refund takes nothing off either."""
    vat = tax_rates.create_tax_rate("VAT", "19")
    inv = _sent(make_client().id, [
        {"description": "Design", "quantity": "2.5", "unit_price": "120.40", "tax_ids": [vat.id]},
        {"description": "Hosting", "quantity": "12", "unit_price": "9.99", "tax_ids": [vat.id]},
        {"description": "Consulting", "quantity": "0.75", "unit_price": "200.00",
         "discount_kind": "percent", "discount_value": "10"},
    ], currency="EUR", discount_kind="amount", discount_value="15.50", issue=TODAY - timedelta(days=3))
    assert inv.amount == D("618.12")
    ledger.record_payment(inv.id, "418.00", TODAY.isoformat(), "BANK_TRANSFER", "")
    note = ledger.issue_credit_note(inv.id, line_positions=[0], reason="Design dropped")
    assert note.amount == D("348.21")
    rows = _rows_of(reports.tax_report(START, END), "EUR")
    net = {name: (r[2], r[3]) for name, r in rows.items()}
    received = {name: (r[4], r[5]) for name, r in rows.items()}
    assert received == net, rows  # exactly what the €269.91 left carries, per rate
    assert net["VAT"][1] == D("22.14")
    assert sum((b + t for b, t in received.values()), D(0)) == D("269.91")

    ledger.record_refund(note.id, "148.09", TODAY.isoformat(), "BANK_TRANSFER", "R-1")
    assert _rows_of(reports.tax_report(START, END), "EUR") == rows  # the refund gave back what was held
