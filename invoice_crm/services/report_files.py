"""A report (``services.reports.Table``) as a CSV file and as a PDF with the letterhead."""

from __future__ import annotations

from decimal import Decimal

from fpdf import FPDF

from invoice_crm.domain import csv_cells as cell
from invoice_crm.services.business_settings import current_business
from invoice_crm.services.letterhead import draw_letterhead
from invoice_crm.services.pdf_fonts import AppPDF, draw_document, pdf_text, use_font
from invoice_crm.services.reports import Table, cell_text

INK = (33, 37, 41)
MUTED = (108, 117, 125)
RULE = (222, 226, 230)


def csv_bytes(table: Table, *, bom: bool = True) -> bytes:
    def cells(row: list) -> list[str]:
        currency = row[table.currency_column]
        return [cell.money(v, currency) if isinstance(v, Decimal) else cell.text(v) for v in row]

    rows = [cells(r) for r in table.rows] + [cells(r) for r in table.totals]
    return b"".join(cell.csv_lines(table.columns, rows, bom=bom))


HEADER_LINE = 3.6  # mm: one line of a (wrapped) column header
ROW = 5.5  # mm: a row of one line
NAME_LINE = 4.6  # mm: one line of a (wrapped) name in the first column


def _header_lines(pdf: FPDF, name: str, width: float) -> list[str]:
    """A column header in lines that fit ``width`` (its cell margins kept), split at spaces."""
    room = width - 2 * pdf.c_margin
    lines: list[str] = []
    for word in pdf_text(name).split():
        if lines and pdf.get_string_width(f"{lines[-1]} {word}") <= room:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines or [""]


def column_widths(pdf: FPDF, table: Table, size: float, *, first: float) -> list[float]:
    """The first column (the names, wrapped to fit) gets ``first`` of the page's width; the others
    share the rest by what they need: their widest figure and their header on one line, or,
    when that does not fit, their widest header word (the header then wraps), so there is
    always a gap before the next header. Always the page's width: nothing runs off it."""
    cur = table.currency_column
    gap = 2 * pdf.c_margin + 1
    whole, wrapped = [], []
    for i, name in enumerate(table.columns[1:], start=1):
        use_font(pdf, "", size)
        figures = max([pdf.get_string_width(pdf_text(cell_text(r[i], r[cur]))) for r in (*table.rows, *table.totals)] + [1.0])
        use_font(pdf, "B", size)
        header = pdf_text(name)
        whole.append(max(figures, pdf.get_string_width(header)) + gap)
        wrapped.append(max([figures, *(pdf.get_string_width(w) for w in header.split())]) + gap)
    first_width = pdf.epw * first
    rest = pdf.epw - first_width
    needs = whole if sum(whole) <= rest else wrapped
    spare = max(rest - sum(needs), 0.0) / len(needs)
    if spare == 0.0:  # more than fits: shrink each in proportion (the page's width holds)
        return [first_width] + [rest * need / sum(needs) for need in needs]
    return [first_width] + [need + spare for need in needs]


def pdf_bytes(table: Table) -> bytes:
    return draw_document(lambda: _draw(table))


def _draw(table: Table) -> FPDF:
    wide = len(table.columns) > 7
    pdf = AppPDF(orientation="landscape" if wide else "portrait", unit="mm", format="A4")
    pdf.set_margins(14, 14, 14)
    pdf.set_auto_page_break(auto=True, margin=16)
    pdf.set_title(pdf_text(f"{table.title} {table.period}"))
    pdf.set_creator("Invoice CRM")
    pdf.add_page()
    top = pdf.get_y()
    draw_letterhead(pdf, current_business(), pdf.epw * 0.5)
    bottom = pdf.get_y()
    pdf.set_xy(pdf.l_margin + pdf.epw * 0.5, top)
    pdf.set_text_color(*INK)
    use_font(pdf, "B", 18)
    pdf.cell(pdf.epw * 0.5, 9, pdf_text(table.title), align="R", new_x="LEFT", new_y="NEXT")
    use_font(pdf, "", 10)
    pdf.cell(pdf.epw * 0.5, 6, pdf_text(table.period), align="R", new_x="LEFT", new_y="NEXT")
    pdf.set_y(max(bottom, pdf.get_y()) + 6)
    cur = table.currency_column
    size = 7 if wide else 8.5
    widths = column_widths(pdf, table, size, first=0.22 if not wide else 0.14)
    use_font(pdf, "B", size)
    pdf.set_text_color(*MUTED)
    # A header wraps onto a second line rather than run into its neighbour; the row is as tall
    # as its tallest header, each header sitting at the bottom, over its figures.
    lines = [_header_lines(pdf, name, w) for w, name in zip(widths, table.columns, strict=True)]
    tallest = max(len(parts) for parts in lines)
    top = pdf.get_y()
    for i, (w, parts) in enumerate(zip(widths, lines, strict=True)):
        x = pdf.get_x()
        for n, part in enumerate(parts):
            pdf.set_xy(x, top + HEADER_LINE * (tallest - len(parts) + n))
            pdf.cell(w, HEADER_LINE, part, align="L" if i == 0 else "R")
        pdf.set_xy(x + w, top)
    pdf.set_xy(pdf.l_margin, top + HEADER_LINE * tallest + 1.5)
    pdf.set_draw_color(*RULE)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + pdf.epw, pdf.get_y())
    pdf.set_text_color(*INK)

    def row(values: list, bold: bool = False) -> None:
        """One row: the name (first column) wraps within its column, nothing cut; the figures
        sit on its first line, the row as tall as the name."""
        use_font(pdf, "B" if bold else "", size)
        name = pdf_text(cell_text(values[0], values[cur]))
        wrapped = pdf.multi_cell(widths[0], NAME_LINE, name, dry_run=True, output="LINES")
        height = max(ROW, len(wrapped) * NAME_LINE + ROW - NAME_LINE)
        if pdf.get_y() + height > pdf.page_break_trigger:
            pdf.add_page()
        top = pdf.get_y()
        pdf.set_xy(pdf.l_margin, top + (ROW - NAME_LINE) / 2)
        pdf.multi_cell(widths[0], NAME_LINE, name, align="L")
        pdf.set_xy(pdf.l_margin + widths[0], top)
        for w, v in zip(widths[1:], values[1:], strict=True):
            pdf.cell(w, ROW, pdf_text(cell_text(v, values[cur])), align="R")
        pdf.set_xy(pdf.l_margin, top + height)

    for values in table.rows:
        row(values)
    if not table.rows:
        use_font(pdf, "I", size)
        pdf.cell(0, 6, "Nothing in this period.", new_x="LMARGIN", new_y="NEXT")
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + pdf.epw, pdf.get_y())
    for values in table.totals:
        row(values, bold=True)
    if table.note:
        pdf.ln(4)
        use_font(pdf, "", 8)
        pdf.set_text_color(*MUTED)
        pdf.multi_cell(0, 4, pdf_text(table.note))
    return pdf
