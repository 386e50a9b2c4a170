"""The printable invoice PDF (fpdf2): the freelancer's and the client's details, dates, lines,
the breakdown from the one total function (subtotal, discounts, each tax with its base, total,
paid, credited, balance due), payments and credit notes, notes, status (a PAID or VOID stamp)
and the pay link; and the credit note PDF (``render_credit_note_pdf``).

Every PDF's fonts are chosen in one place, ``services.pdf_fonts``: the core Helvetica when all
the text fits Windows-1252, else DejaVu Sans Condensed (Latin Extended, Greek, Cyrillic) and
IPAexGothic (Japanese) embedded from ``invoice_crm/fonts/``, so names, descriptions and ja_JP dates
(2026年11月27日) print as typed; a character no font has prints as its base letter or "?"
(``pdf_text``) instead of failing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from email.utils import parseaddr

from fpdf import FPDF
from fpdf.fonts import FontFace
from sqlalchemy import select

from invoice_crm.db import read_session
from invoice_crm.domain import tax_shares
from invoice_crm.domain.errors import NotFound
from invoice_crm.domain.lifecycle import OPEN, InvoiceStatus, business_today, credited_in_full, status_label
from invoice_crm.domain.money import format_money
from invoice_crm.domain.numbering import display_number
from invoice_crm.domain.numbers import format_long_date, format_percent
from invoice_crm.models import Client, CreditNote, Invoice, TaxRate
from invoice_crm.services import figures, reports
from invoice_crm.services.business_settings import business_timezone, current_business
from invoice_crm.services.letterhead import draw_letterhead, draw_payment_instructions
from invoice_crm.services.links import pay_url
from invoice_crm.services.pdf_fonts import AppPDF, draw_document, pdf_text, use_font
from invoice_crm.services.queries import line_rows
from invoice_crm.settings import get_settings

INK = (33, 37, 41)
MUTED = (108, 117, 125)
RULE = (222, 226, 230)


def document_date(value: date | None) -> str:
    """A date as the PDFs write it: spelled out as the emails write it (``25 November 2026``
    under en_US, ``25. November 2026``, ``2026年11月27日``; domain.numbers.format_long_date), so one
    invoice's email, PDF and receipt agree; printable by the document's fonts (``pdf_text``:
    call it while drawing); empty for none."""
    return pdf_text(format_long_date(value))


@dataclass(frozen=True)
class _Line:
    description: str
    quantity: Decimal
    unit_price: Decimal
    discount_kind: str = ""
    discount_value: Decimal = Decimal("0")
    tax1_id: int | None = None
    tax1_name: str = ""
    tax1_rate: Decimal | None = None
    tax2_id: int | None = None
    tax2_name: str = ""
    tax2_rate: Decimal | None = None
    tax2_compound: bool = False


@dataclass(frozen=True)
class _Facts:
    number: str
    status: InvoiceStatus
    currency: str
    issue_date: date
    due_date: date | None
    paid_at: date | None
    notes: str
    public_token: str
    client_name: str
    client_company: str
    client_email: str
    client_address: str
    lines: list[_Line]
    breakdown: list[dict] = field(default_factory=list)
    history: list[str] = field(default_factory=list)
    history_title: str = "PAYMENTS AND CREDIT NOTES"
    status_text: str = ""
    registrations: list[str] = field(default_factory=list)
    client_tax_number: str = ""
    # Settled by credit notes with nothing received (lifecycle.credited_in_full): said
    # "Credited", stamped CREDITED, never "paid".
    credited: bool = False


def _load(invoice_id: int | None = None, public_token: str | None = None) -> _Facts:
    with read_session() as session:
        query = select(Invoice, Client).join(Client, Client.id == Invoice.client_id)
        query = query.where(Invoice.id == invoice_id) if invoice_id is not None else query.where(
            Invoice.public_token == public_token
        )
        found = session.execute(query).first()
        if found is None:
            raise NotFound("Invoice not found", field="invoice_id")
        inv, client = found
        record = figures.invoice_record(session, inv)
        lines, totals, payments, notes, refunds = (
            record.lines, record.totals, record.payments, record.credit_notes, record.refunds
        )
        tax_ids = {i for li in lines for i in (li.tax1_id, li.tax2_id) if i is not None}
        registrations = [
            f"{r.name} registration no. {r.registration_number}"
            for r in (session.get(TaxRate, i) for i in sorted(tax_ids))
            if r is not None and r.registration_number
        ]
    # Written before the drawing (pdf_text makes each line printable when it is drawn).
    history = [
        f"Payment {format_money(p.amount, p.currency)} on {format_long_date(p.paid_on)}, {p.method.in_text}"
        + (f", ref. {p.reference}" if p.reference else "")
        for p in payments
    ] + [f"Credit note {n.number} of {format_long_date(n.issue_date)}: {format_money(n.amount, n.currency)}" for n in notes]
    # Refunds are taken off "Paid" by the total function: listed, so the payments less them add up to it.
    numbers = {n.id: n.number for n in notes}
    history += [
        f"Refund {format_money(r.amount, r.currency)} on {format_long_date(r.refunded_on)}, {r.method.in_text}"
        + (f", ref. {r.reference}" if r.reference else "")
        + (f", against credit note {numbers[r.credit_note_id]}" if r.credit_note_id in numbers else "")
        for r in refunds
    ]
    status = InvoiceStatus(inv.status)
    return _Facts(
        number=display_number(inv.number, inv.id),
        status=InvoiceStatus(inv.status),
        currency=inv.currency,
        issue_date=inv.issue_date,
        due_date=inv.due_date,
        paid_at=inv.paid_at,
        notes=inv.notes,
        public_token=inv.public_token,
        client_name=client.name,
        client_company=client.company,
        client_email=client.email,
        client_address=client.address,
        lines=[
            _Line(
                li.description, li.quantity, li.unit_price, li.discount_kind, li.discount_value,
                li.tax1_id, li.tax1_name, li.tax1_rate, li.tax2_id, li.tax2_name, li.tax2_rate, li.tax2_compound,
            )
            for li in lines
        ],
        breakdown=figures.breakdown_rows(totals, settled=figures.settled(status)),
        history=history,
        history_title="PAYMENTS, CREDIT NOTES AND REFUNDS" if refunds else "PAYMENTS AND CREDIT NOTES",
        status_text=status_label(status, totals.paid),
        registrations=registrations,
        client_tax_number=client.tax_number,
        credited=credited_in_full(status, totals.paid),
    )


def pdf_filename(number: str) -> str:
    return f"{re.sub(r'[^A-Za-z0-9._-]+', '-', number).strip('-') or 'invoice'}.pdf"


def render_invoice_pdf(invoice_id: int) -> tuple[str, bytes]:
    """(filename, PDF bytes) of an invoice, as it stands now. ``NotFound`` if there is none."""
    facts = _load(invoice_id=invoice_id)
    return pdf_filename(facts.number), draw_document(lambda: _render(facts))


def render_public_invoice_pdf(public_token: str) -> tuple[str, bytes]:
    """The PDF for the client's pay page: only sent, overdue and paid invoices; a draft is NotFound."""
    facts = _load(public_token=public_token or "-")
    if facts.status is InvoiceStatus.DRAFT:
        raise NotFound("Invoice not found", field="token")
    return pdf_filename(facts.number), draw_document(lambda: _render(facts))


def _address_lines(text: str) -> list[str]:
    """Addresses are typed with newlines, or with a literal "\\n" in an environment variable."""
    return [part.strip() for part in text.replace("\\n", "\n").splitlines() if part.strip()]


FOOTER_LINE = 3.6  # mm, a line of the footer's 8 pt text


class FooteredPDF(AppPDF):
    """An A4 document of the app (invoice, credit note, receipt, statement): the Settings
    footer (or the document's name) and "Page n of N" at the foot of every page."""

    def __init__(self, footer_text: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.footer_text = footer_text
        self.set_margins(18, 18, 18)
        self._footer_rows: int | None = None  # how many lines the footer's text wraps to
        self.set_auto_page_break(auto=True, margin=20)

    def add_page(self, *args, **kwargs) -> None:
        super().add_page(*args, **kwargs)
        if self._footer_rows is None:  # the first page: the footer's lines, and room for them
            use_font(self, size=8)
            self._footer_rows = len(self.multi_cell(
                self._footer_width(), FOOTER_LINE, pdf_text(self.footer_text), dry_run=True, output="LINES",
            )) if self.footer_text.strip() else 0
            self.set_auto_page_break(True, margin=20 + FOOTER_LINE * max(0, self._footer_rows - 1))

    def _footer_width(self) -> float:
        """What is left of the line beside "Page 999 of 999" and a gap."""
        return self.epw - self.get_string_width("Page 999 of 999") - 6

    def footer(self) -> None:
        """The footer's text at the left, wrapped upwards from the foot rather than running
        under the page number or off the page; "Page n of N" at the right of its last line."""
        use_font(self, size=8)
        self.set_text_color(*MUTED)
        if self._footer_rows:
            self.set_y(-14 - FOOTER_LINE * (self._footer_rows - 1))
            self.multi_cell(self._footer_width(), FOOTER_LINE, pdf_text(self.footer_text), new_x="LMARGIN", new_y="NEXT")
        self.set_xy(self.l_margin, -14)
        self.cell(0, FOOTER_LINE, f"Page {self.page_no()} of {{nb}}", align="R")


def _render(facts: _Facts) -> FPDF:
    settings = get_settings()
    profile = current_business()  # the Settings page's values, read now
    business = profile.business_name or parseaddr(settings.mail_from)[0] or ""
    footer = profile.default_footer or f"Invoice {facts.number}" + (f" · {business}" if business else "")
    pdf = FooteredPDF(footer_text=footer)
    pdf.set_title(pdf_text(f"Invoice {facts.number}"))
    pdf.set_author(pdf_text(business))
    pdf.set_creator("Invoice CRM")
    pdf.add_page()
    width = pdf.epw

    # Header: the freelancer on the left, INVOICE and its number on the right.
    top = pdf.get_y()
    draw_letterhead(pdf, profile, width * 0.55, fallback_name=business, fallback_email=parseaddr(settings.mail_from)[1])
    left_bottom = pdf.get_y()
    pdf.set_xy(pdf.l_margin + width * 0.55, top)
    pdf.set_text_color(*INK)
    use_font(pdf, "B", 24)
    pdf.cell(width * 0.45, 10, "INVOICE", align="R", new_x="LEFT", new_y="NEXT")
    use_font(pdf, "B", 12)
    pdf.cell(width * 0.45, 7, pdf_text(facts.number), align="R", new_x="LEFT", new_y="NEXT")
    use_font(pdf, size=9)
    pdf.set_text_color(*MUTED)
    status = facts.status_text
    if facts.credited and facts.paid_at:
        status = f"Credited in full on {document_date(facts.paid_at)}"
    elif facts.status is InvoiceStatus.PAID and facts.paid_at:
        status = f"Paid on {document_date(facts.paid_at)}"
    pdf.cell(width * 0.45, 5, pdf_text(f"Status: {status}"), align="R", new_x="LEFT", new_y="NEXT")
    pdf.set_y(max(left_bottom, pdf.get_y()) + 8)

    # Bill to, and the dates.
    pdf.set_draw_color(*RULE)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + width, pdf.get_y())
    pdf.ln(5)
    block = pdf.get_y()
    _client_block(pdf, "BILL TO", facts.client_name, facts.client_company, facts.client_address,
                  facts.client_email, facts.client_tax_number)
    left_bottom = pdf.get_y()
    pdf.set_y(block)
    dates = [("Issue date", document_date(facts.issue_date)), ("Due date", document_date(facts.due_date) or "-")]
    if facts.paid_at:
        dates.append(("Credited on" if facts.credited else "Paid on", document_date(facts.paid_at)))
    dates.append(("Currency", facts.currency))
    for label, value in dates:
        pdf.set_x(pdf.l_margin + width * 0.55)
        use_font(pdf, size=9)
        pdf.set_text_color(*MUTED)
        pdf.cell(width * 0.2, 5.5, label)
        pdf.set_text_color(*INK)
        use_font(pdf, "B", 9)
        pdf.cell(width * 0.25, 5.5, pdf_text(value), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(max(left_bottom, pdf.get_y()) + 8)

    # Line items, then the total (the one total function).
    use_font(pdf, size=9)
    heading = FontFace(emphasis="BOLD", color=INK, fill_color=(241, 243, 245))
    with pdf.table(
        col_widths=(39, 9, 15, 12, 18, 15),
        text_align=("LEFT", "RIGHT", "RIGHT", "RIGHT", "LEFT", "RIGHT"),
        borders_layout="HORIZONTAL_LINES",
        headings_style=heading,
        line_height=6,
        padding=(1.5, 2),
    ) as table:
        table.row(["Description", "Qty", "Unit price", "Discount", "Tax", "Amount"])
        for row in line_rows(facts.lines, facts.currency):
            table.row([pdf_text(row[key]) for key in ("description", "quantity", "unit_price", "discount", "taxes", "total")])
    _breakdown(pdf, facts.breakdown, facts.currency)
    if facts.registrations:
        use_font(pdf, size=8)
        pdf.set_text_color(*MUTED)
        for line in facts.registrations:
            pdf.multi_cell(0, 4.5, pdf_text(line), align="L", new_x="LMARGIN", new_y="NEXT")
    if facts.history:
        _section(pdf, facts.history_title, space=4)
        for line in facts.history:  # a long reference or note number wraps, never runs off the page
            pdf.multi_cell(0, 4.5, pdf_text(line), align="L", new_x="LMARGIN", new_y="NEXT")

    if facts.notes:
        _section(pdf, "NOTES", space=6)
        pdf.multi_cell(0, 4.5, pdf_text(facts.notes), new_x="LMARGIN", new_y="NEXT")

    pdf.ln(6)
    unpaid = facts.status in OPEN
    if facts.status is InvoiceStatus.VOID:
        use_font(pdf, "B", 10)
        pdf.set_text_color(*INK)
        pdf.cell(0, 6, "This invoice was cancelled (void); nothing is due.", new_x="LMARGIN", new_y="NEXT")
    if unpaid and not settings.stripe_enabled:
        draw_payment_instructions(pdf, profile)
    if unpaid:  # "Pay online" only when online payment is on; else the link only shows the invoice
        link = pay_url(facts.public_token)
        pdf.ln(2)
        pdf.keep_with_next(6 + 2 * 4.5)
        use_font(pdf, "B", 10)
        pdf.set_text_color(*INK)
        pdf.cell(0, 6, "Pay online" if settings.stripe_enabled else "View online", new_x="LMARGIN", new_y="NEXT")
        use_font(pdf, size=9)
        pdf.set_text_color(37, 99, 235)
        pdf.multi_cell(0, 4.5, pdf_text(link), link=link, new_x="LMARGIN", new_y="NEXT")
        if settings.stripe_enabled and profile.payment_lines:
            # Bank details set in Settings are offered beside the card: "shown to clients who
            # pay by bank transfer" (they never reached a client while Stripe was on).
            pdf.ln(3)
            draw_payment_instructions(pdf, profile, title="Or pay by bank transfer")
    elif facts.status is InvoiceStatus.PAID:
        use_font(pdf, "B", 10)
        pdf.set_text_color(*INK)
        said = "Credited in full - nothing to pay." if facts.credited else "Paid in full - thank you."
        pdf.cell(0, 6, said, new_x="LMARGIN", new_y="NEXT")

    if facts.credited:
        _stamp(pdf, "CREDITED")
    elif facts.status in (InvoiceStatus.PAID, InvoiceStatus.DRAFT, InvoiceStatus.VOID):
        _stamp(pdf, facts.status.value)
    return pdf


def _client_block(pdf: FPDF, title: str, name: str, company: str, address: str, email: str, tax_number: str) -> None:
    """The client on the left 55 % of the page (invoice, credit note): name, company, address,
    email and tax number, each wrapping within its column."""
    width = pdf.epw * 0.55
    use_font(pdf, "B", 8)
    pdf.set_text_color(*MUTED)
    pdf.cell(width, 5, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*INK)
    use_font(pdf, "B", 11)
    pdf.multi_cell(width, 5.5, pdf_text(name), new_x="LMARGIN", new_y="NEXT")
    use_font(pdf, size=9)
    client_tax = f"Tax number: {tax_number}" if tax_number else ""
    for line in [company, *_address_lines(address), email, client_tax]:
        if line:
            pdf.multi_cell(width, 4.5, pdf_text(line), new_x="LMARGIN", new_y="NEXT")


def _section(pdf: FPDF, title: str, *, space: float) -> None:
    """A small muted capital heading after ``space`` mm (on the next page with the first lines
    of its text when they do not fit), then the body text style."""
    pdf.ln(space)
    pdf.keep_with_next(5 + 2 * 4.5)
    use_font(pdf, "B", 8)
    pdf.set_text_color(*MUTED)
    pdf.cell(0, 5, title, new_x="LMARGIN", new_y="NEXT")
    use_font(pdf, size=9)
    pdf.set_text_color(*INK)


def _breakdown(pdf: FPDF, rows: list[dict], currency: str) -> None:
    """The one total function's breakdown, right-aligned under the lines."""
    width = pdf.epw
    pdf.ln(3)
    for row in rows:
        strong = row["key"] in ("total", "balance")
        pdf.set_x(pdf.l_margin + width * 0.35)
        use_font(pdf, "B" if strong else "", 11 if strong else 9)
        pdf.set_text_color(*(INK if strong else MUTED))
        label = f"Total ({currency})" if row["key"] == "total" else row["label"]
        pdf.cell(width * 0.4, 6 if strong else 5, pdf_text(label), align="R")
        pdf.set_text_color(*INK)
        pdf.cell(width * 0.25, 6 if strong else 5, pdf_text(row["value"]), align="R", new_x="LMARGIN", new_y="NEXT")


def _stamp(pdf: FPDF, word: str) -> None:
    """A rotated, outlined stamp after the content, on the right (PAID in green, CREDITED in
    violet, DRAFT in grey), as wide as its word needs."""
    colour = {"PAID": (25, 135, 84), "VOID": (220, 53, 69), "CREDITED": (110, 86, 207)}.get(word, (134, 142, 150))
    if pdf.get_y() + 40 > pdf.page_break_trigger:
        pdf.add_page()
    use_font(pdf, "B", 30)
    box = max(50.0, pdf.get_string_width(word) + 8)
    x, y = pdf.l_margin + pdf.epw - 12 - box, pdf.get_y() + 8
    with pdf.rotation(angle=12, x=x + box / 2, y=y + 9):
        pdf.set_draw_color(*colour)
        pdf.set_text_color(*colour)
        pdf.set_line_width(1.2)
        pdf.set_xy(x, y)
        pdf.cell(box, 18, word, border=1, align="C")


def _figure_row(pdf: FPDF, label: str, value: str) -> None:
    width = pdf.epw
    pdf.cell(width * 0.6, 6, pdf_text(label), align="R")
    pdf.cell(width * 0.4, 6, pdf_text(value), align="R", new_x="LMARGIN", new_y="NEXT")


def _credited_lines(pdf: FPDF, credited, lines, currency: str) -> None:
    """Each line credited with its amount (after its discounts; tax in when the invoice's
    prices include it), then the tax it corrects per rate, on its base (domain.credits)."""
    _section(pdf, "LINES CREDITED", space=3)
    heading = "Amount (incl. tax)" if credited.tax_inclusive else "Amount (excl. tax)"
    with pdf.table(col_widths=(90, 35), text_align=("LEFT", "RIGHT"), line_height=6) as table:
        table.row(["Line", heading])
        for line in credited.lines:
            table.row([pdf_text(lines[line.position].description), pdf_text(format_money(line.amount, currency))])
    pdf.ln(2)
    use_font(pdf, size=10)
    word = "incl. " if credited.tax_inclusive else ""
    for tax in credited.taxes:
        _figure_row(pdf, f"{word}{tax.label} on {format_money(tax.base, currency)}", format_money(tax.amount, currency))
    if not credited.taxes:
        _figure_row(pdf, "Tax credited", format_money(Decimal(0), currency))


def render_credit_note_pdf(credit_note_id: int) -> tuple[str, bytes]:
    """(filename, PDF bytes) of a credit note: the letterhead and the client as on the invoice,
    its own number, the invoice it corrects, what it credits and the tax it corrects per rate."""
    with read_session() as session:
        note = session.get(CreditNote, credit_note_id)
        if note is None:
            raise NotFound("Credit note not found", field="credit_note_id")
        invoice = session.get(Invoice, note.invoice_id)
        client = session.get(Client, invoice.client_id)
        refunds = figures.note_refunds(session, note)
        credited = figures.note_figures(session, note)  # by lines: per line and per tax rate
        lines = figures.lines_of(session, note.invoice_id) if credited else []
        parts = {} if credited else reports.note_tax_parts(session, note)  # by amount: its share of each rate
        profile = current_business(session)
    return pdf_filename(note.number), draw_document(
        lambda: _credit_note(note, invoice, client, refunds, credited, lines, parts, profile)
    )


def _tax_parts(pdf: FPDF, parts: tax_shares.Parts, currency: str) -> None:
    """A note by amount: the base and tax it corrects per rate (untaxed last)."""
    shown = [(key, base, tax) for key, (base, tax) in parts.items() if base or tax]
    if not shown:
        return
    shown.sort(key=lambda item: (item[0] == tax_shares.NO_TAX, -(item[0][1] or 0), item[0][0]))
    _section(pdf, "TAX CREDITED", space=3)
    use_font(pdf, size=10)
    for (name, rate), base, tax in shown:
        label = name if rate is None else f"{name} {format_percent(rate)}"
        _figure_row(pdf, f"{label} on {format_money(base, currency)}", format_money(tax, currency))


def _credit_note(note: CreditNote, invoice: Invoice, client: Client | None, refunds, credited, lines, parts, profile) -> FPDF:
    settings = get_settings()
    business = profile.business_name or parseaddr(settings.mail_from)[0] or ""
    footer = profile.default_footer or f"Credit note {note.number}" + (f" · {business}" if business else "")
    pdf = FooteredPDF(footer_text=footer)
    pdf.set_title(pdf_text(f"Credit note {note.number}"))
    pdf.set_author(pdf_text(business))
    pdf.set_creator("Invoice CRM")
    pdf.add_page()
    width = pdf.epw

    # Header as on the invoice: the freelancer on the left, CREDIT NOTE and its number on the right.
    top = pdf.get_y()
    draw_letterhead(pdf, profile, width * 0.55, fallback_name=business, fallback_email=parseaddr(settings.mail_from)[1])
    left_bottom = pdf.get_y()
    pdf.set_xy(pdf.l_margin + width * 0.55, top)
    pdf.set_text_color(*INK)
    use_font(pdf, "B", 22)
    pdf.cell(width * 0.45, 10, "CREDIT NOTE", align="R", new_x="LEFT", new_y="NEXT")
    use_font(pdf, "B", 12)
    pdf.cell(width * 0.45, 7, pdf_text(note.number), align="R", new_x="LEFT", new_y="NEXT")
    pdf.set_y(max(left_bottom, pdf.get_y()) + 8)

    # The client, and the note's facts.
    pdf.set_draw_color(*RULE)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + width, pdf.get_y())
    pdf.ln(5)
    block = pdf.get_y()
    if client is not None:
        _client_block(pdf, "CLIENT", client.name, client.company, client.address, client.email, client.tax_number)
    left_bottom = pdf.get_y()
    pdf.set_y(block)
    for label, value in (
        ("For invoice", display_number(invoice.number, invoice.id)),
        ("Invoice date", document_date(invoice.issue_date)),
        ("Issue date", document_date(note.issue_date)),
        ("Currency", note.currency),
    ):
        pdf.set_x(pdf.l_margin + width * 0.55)
        use_font(pdf, size=9)
        pdf.set_text_color(*MUTED)
        pdf.cell(width * 0.2, 5.5, label)
        pdf.set_text_color(*INK)
        use_font(pdf, "B", 9)
        pdf.cell(width * 0.25, 5.5, pdf_text(value), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(max(left_bottom, pdf.get_y()) + 6)
    _section(pdf, "REASON", space=0)
    pdf.multi_cell(0, 5, pdf_text(note.reason or "-"), align="L", new_x="LMARGIN", new_y="NEXT")
    if credited:
        _credited_lines(pdf, credited, lines, note.currency)
    else:
        if note.lines_text:
            _section(pdf, "LINES CREDITED", space=3)
            for line in note.lines_text.splitlines():
                pdf.multi_cell(0, 5, pdf_text(line), align="L", new_x="LMARGIN", new_y="NEXT")
        _tax_parts(pdf, parts, note.currency)
    pdf.ln(4)
    use_font(pdf, "B", 12)
    pdf.cell(width * 0.6, 8, pdf_text(f"Credit ({note.currency})"), align="R")
    pdf.cell(width * 0.4, 8, pdf_text(format_money(note.amount, note.currency)), align="R", new_x="LMARGIN", new_y="NEXT")
    # What was to refund, the refunds made against it (when, how) and what is left, as of the
    # day the PDF is made: figures.note_refunds, the one place that is worked out.
    use_font(pdf, size=10)
    if note.refund_due > 0:
        _figure_row(pdf, "Overpaid, to refund", format_money(note.refund_due, note.currency))
    if refunds.refunds:
        _section(pdf, "REFUNDS", space=3)
        with pdf.table(col_widths=(30, 25, 45, 25), text_align=("LEFT", "LEFT", "LEFT", "RIGHT"), line_height=6) as table:
            table.row(["Refunded on", "Method", "Reference", "Amount"])
            for refund in refunds.refunds:
                table.row([
                    document_date(refund.refunded_on), pdf_text(refund.method.label), pdf_text(refund.reference),
                    pdf_text(format_money(refund.amount, refund.currency)),
                ])
        pdf.ln(2)
        use_font(pdf, size=10)
        _figure_row(pdf, "Refunded", format_money(refunds.refunded, note.currency))
    if note.refund_due > 0:
        today = business_today(business_timezone())
        _figure_row(pdf, f"Still to refund (as of {document_date(today)})", format_money(refunds.left, note.currency))
    return pdf
