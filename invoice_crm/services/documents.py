"""The client's other documents: a payment receipt (after Stripe or a payment recorded by
hand) and a client statement over a date range. Both carry the business's letterhead."""

from __future__ import annotations

from datetime import date

from fpdf import FPDF
from sqlalchemy import select

from invoice_crm.db import read_session
from invoice_crm.domain.errors import NotFound
from invoice_crm.domain.lifecycle import OPEN, InvoiceStatus
from invoice_crm.domain.money import format_money
from invoice_crm.models import Client, Invoice, Payment, PaymentMethod, Refund
from invoice_crm.services.business_settings import Business, current_business
from invoice_crm.services.client_accounts import statement
from invoice_crm.services.letterhead import draw_letterhead
from invoice_crm.services.pdf import FooteredPDF, document_date, pdf_filename
from invoice_crm.services.pdf_fonts import draw_document, pdf_text, use_font

INK = (33, 37, 41)
MUTED = (108, 117, 125)


def _new_pdf(title: str, business: Business) -> FPDF:
    """A receipt or a statement, with the foot every PDF of the app has: the Settings footer
    ("Printed at the foot of every PDF"), else the document's name, and its page numbers."""
    footer = business.default_footer or title + (f" · {business.business_name}" if business.business_name else "")
    pdf = FooteredPDF(footer_text=footer)
    pdf.set_title(pdf_text(title))
    pdf.set_creator("Invoice CRM")
    pdf.add_page()
    return pdf


def _heading(pdf: FPDF, word: str, subtitle: str, top: float) -> float:
    """The document's name on the right of the letterhead; returns the letterhead's bottom."""
    bottom = pdf.get_y()
    pdf.set_xy(pdf.l_margin + pdf.epw * 0.55, top)
    pdf.set_text_color(*INK)
    use_font(pdf, "B", 22)
    pdf.cell(pdf.epw * 0.45, 10, word, align="R", new_x="LEFT", new_y="NEXT")
    use_font(pdf, "B", 11)
    pdf.cell(pdf.epw * 0.45, 7, pdf_text(subtitle), align="R", new_x="LEFT", new_y="NEXT")
    pdf.set_y(max(bottom, pdf.get_y()) + 8)
    return pdf.get_y()


def _client_block(pdf: FPDF, label: str, client: Client) -> None:
    use_font(pdf, "B", 8)
    pdf.set_text_color(*MUTED)
    pdf.cell(0, 5, label, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*INK)
    use_font(pdf, "B", 11)
    pdf.multi_cell(0, 5.5, pdf_text(client.name), new_x="LMARGIN", new_y="NEXT")
    use_font(pdf, size=9)
    tax = f"Tax number: {client.tax_number}" if client.tax_number else ""
    for line in [client.company, *client.address.splitlines(), client.email, tax]:
        if line.strip():
            pdf.multi_cell(0, 4.5, pdf_text(line.strip()), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(5)


# --- Receipt ------------------------------------------------------------------------------

def has_receipt(invoice: Invoice) -> bool:
    """Money came in and was kept: a paid invoice, or an open one with payments (a receipt for
    what was received so far, with the balance still due). One settled by credit notes alone
    (or whose payments were all refunded) received nothing: no receipt."""
    status = InvoiceStatus(invoice.status)
    return status in (*OPEN, InvoiceStatus.PAID) and (invoice.amount_paid or 0) > 0


def _receipt_facts(session, query) -> tuple[Invoice, Client, list[Payment], list[Refund]]:
    found = session.execute(query).first()
    if found is None or not has_receipt(found[0]):
        raise NotFound("There is no receipt: nothing has been paid on this invoice", field="invoice")
    invoice, client = found
    payments = session.execute(
        select(Payment)
        .where(Payment.invoice_id == invoice.id, Payment.removed_at.is_(None))
        .order_by(Payment.paid_on, Payment.id)
    ).scalars().all()
    refunds = session.execute(
        select(Refund).where(Refund.invoice_id == invoice.id).order_by(Refund.refunded_on, Refund.id)
    ).scalars().all()
    return invoice, client, list(payments), list(refunds)


def receipt_method(method: PaymentMethod, reference: str = "") -> str:
    """How money came in (or went back), as the receipt's Method column says it: the method
    recorded, as the invoice page labels it ("Bank transfer"), with its reference; a Stripe
    payment is "Online (Stripe)", without its reference (Stripe's id, nothing the client knows)."""
    if method is PaymentMethod.STRIPE:
        return method.label
    said = "Recorded by the sender" if method is PaymentMethod.MANUAL else method.label
    return said + (f" ({reference})" if reference else "")


def _receipt(invoice: Invoice, client: Client, payments: list[Payment], refunds: list[Refund]) -> tuple[str, bytes]:
    return "receipt-" + pdf_filename(invoice.number), draw_document(lambda: _draw_receipt(invoice, client, payments, refunds))


def _draw_receipt(invoice: Invoice, client: Client, payments: list[Payment], refunds: list[Refund]) -> FPDF:
    business = current_business()
    received = format_money(invoice.amount_paid, invoice.currency)
    settled = InvoiceStatus(invoice.status) is InvoiceStatus.PAID
    pdf = _new_pdf(f"Receipt for invoice {invoice.number}", business)
    top = pdf.get_y()
    draw_letterhead(pdf, business, pdf.epw * 0.55)
    _heading(pdf, "RECEIPT", f"Invoice {invoice.number}", top)
    _client_block(pdf, "RECEIVED FROM", client)
    use_font(pdf, size=10)
    pdf.set_text_color(*INK)
    net = " net of refunds" if refunds else ""
    said = (
        f"Received with thanks: {received}{net} in payment of invoice {invoice.number}, paid on {document_date(invoice.paid_at)}."
        if settled else
        f"Received with thanks: {received}{net} towards invoice {invoice.number} "
        f"({format_money(invoice.amount, invoice.currency)})."
    )
    pdf.multi_cell(0, 6, pdf_text(said), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    # The payments less the refunds are what the total function counts as paid (the invoice's
    # stored amount_paid, printed as "Total paid"), so the rows add up to it.
    with pdf.table(col_widths=(30, 30, 40), text_align=("LEFT", "LEFT", "RIGHT"), line_height=6) as table:
        table.row(["Date", "Method", "Amount"])
        for payment in payments:
            table.row([
                document_date(payment.paid_on), pdf_text(receipt_method(payment.method, payment.reference)),
                pdf_text(format_money(payment.amount, payment.currency)),
            ])
        for refund in refunds:
            how = "Refunded: " + receipt_method(refund.method, refund.reference)
            table.row([document_date(refund.refunded_on), pdf_text(how), pdf_text("-" + format_money(refund.amount, refund.currency))])
    pdf.ln(4)
    use_font(pdf, "B", 11)
    pdf.cell(0, 7, pdf_text(f"Total paid: {received}"), align="R", new_x="LMARGIN", new_y="NEXT")
    if invoice.balance_due > 0:
        pdf.cell(0, 7, pdf_text(f"Balance due: {format_money(invoice.balance_due, invoice.currency)}"), align="R",
                 new_x="LMARGIN", new_y="NEXT")
    return pdf


def _paid_invoice_query():
    return select(Invoice, Client).join(Client, Client.id == Invoice.client_id)


def render_receipt_pdf(invoice_id: int) -> tuple[str, bytes]:
    with read_session() as session:
        facts = _receipt_facts(session, _paid_invoice_query().where(Invoice.id == invoice_id))
    return _receipt(*facts)


def render_public_receipt_pdf(public_token: str) -> tuple[str, bytes]:
    """The receipt through the pay link: only for a paid invoice."""
    with read_session() as session:
        facts = _receipt_facts(session, _paid_invoice_query().where(Invoice.public_token == (public_token or "-")))
    return _receipt(*facts)


# --- Statement ----------------------------------------------------------------------------

def render_statement_pdf(client_id: int, start: date | None = None, end: date | None = None) -> tuple[str, bytes]:
    """The client's statement: opening balance, invoices, payments, credit notes, closing balance."""
    st = statement(client_id, start, end)
    return pdf_filename(f"statement-{st.client.name}-{st.end.isoformat()}"), draw_document(lambda: _draw_statement(st))


def _draw_statement(st) -> FPDF:
    business = current_business()
    pdf = _new_pdf(f"Statement for {st.client.name}", business)
    top = pdf.get_y()
    draw_letterhead(pdf, business, pdf.epw * 0.55)
    _heading(pdf, "STATEMENT", f"{document_date(st.start)} to {document_date(st.end)}", top)
    _client_block(pdf, "STATEMENT FOR", st.client)

    def money(value) -> str:
        return pdf_text(format_money(value, st.currency)) if value else ""

    use_font(pdf, size=9)
    pdf.set_text_color(*INK)
    with pdf.table(col_widths=(22, 18, 30, 15, 15, 17), text_align=("LEFT", "LEFT", "LEFT", "RIGHT", "RIGHT", "RIGHT"),
                   line_height=6) as table:
        table.row(["Date", "Type", "Reference", "Charges", "Credits", "Balance"])
        running = st.opening
        table.row([document_date(st.start), "Opening balance", "", "", "", pdf_text(format_money(running, st.currency))])
        for entry in st.entries:
            running += entry.charge - entry.credit
            table.row([document_date(entry.day), entry.kind, pdf_text(entry.reference), money(entry.charge),
                       money(entry.credit), pdf_text(format_money(running, st.currency))])
    pdf.ln(4)
    use_font(pdf, "B", 11)
    pdf.cell(0, 7, pdf_text(f"Opening balance: {format_money(st.opening, st.currency)}"), align="R",
             new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 7, pdf_text(f"Closing balance: {format_money(st.closing, st.currency)}"), align="R",
             new_x="LMARGIN", new_y="NEXT")
    return pdf
