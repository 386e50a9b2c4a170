"""The business's letterhead on every PDF (invoice, receipt, statement): logo, name,
address, contact details and tax number; and the bank details block for clients who
pay by transfer. Values come from ``business_settings.current_business()``."""

from __future__ import annotations

import io
import logging

from fpdf import FPDF

from invoice_crm.services.business_settings import Business
from invoice_crm.services.pdf_fonts import pdf_text, use_font

log = logging.getLogger(__name__)
INK = (33, 37, 41)
MUTED = (108, 117, 125)


def _hex_rgb(colour: str) -> tuple[int, int, int]:
    colour = colour.lstrip("#")
    try:
        return int(colour[0:2], 16), int(colour[2:4], 16), int(colour[4:6], 16)
    except (ValueError, IndexError):
        return INK


def draw_letterhead(pdf: FPDF, business: Business, width: float, *, fallback_name: str = "", fallback_email: str = "") -> None:
    """Logo (at most 18 mm high), name in the brand colour, then address, contacts, tax number."""
    if business.logo:
        try:
            pdf.image(io.BytesIO(business.logo), x=pdf.l_margin, y=pdf.get_y(), h=18, keep_aspect_ratio=True)
            pdf.set_y(pdf.get_y() + 20)
        except Exception:  # a logo fpdf2 cannot draw must not stop the invoice
            log.warning("The logo could not be drawn on the PDF", exc_info=True)
    pdf.set_text_color(*_hex_rgb(business.brand_color) if business.logo or business.version else INK)
    use_font(pdf, "B", 15)
    pdf.multi_cell(width, 7, pdf_text(business.business_name or fallback_name or " "), new_x="LMARGIN", new_y="NEXT")
    use_font(pdf, size=9)
    pdf.set_text_color(*MUTED)
    lines = [*business.address_lines, business.email or fallback_email, business.phone, business.website, business.tax_line]
    for line in lines:
        if line:
            pdf.multi_cell(width, 4.5, pdf_text(line), new_x="LMARGIN", new_y="NEXT")


def draw_payment_instructions(pdf: FPDF, business: Business, title: str = "How to pay") -> None:
    """How to pay by hand: the IBAN/BIC and the free text from Settings (alone when online
    payment is off; under the pay link, as another way, when it is on)."""
    lines = business.payment_lines
    pdf.keep_with_next(6 + 4.5 * min(3, max(1, len(lines))))  # the heading with its first lines
    use_font(pdf, "B", 10)
    pdf.set_text_color(*INK)
    pdf.cell(0, 6, title, new_x="LMARGIN", new_y="NEXT")
    use_font(pdf, size=9)
    for line in lines or ["Please pay as agreed with the sender."]:
        pdf.multi_cell(0, 4.5, pdf_text(line), new_x="LMARGIN", new_y="NEXT")
