"""QA (stop 24): a long business name ran the invoice's footer under "Page 1 of 2" and off the
page; "How to pay" was left alone at the foot of a page, its text on the next; a wrapped name
was justified. Read from the PDF's word boxes (pdftotext -bbox), as a reader's eye would."""

from __future__ import annotations

import html
import itertools
import re
import subprocess
from dataclasses import dataclass

from invoice_crm.services import business_settings, invoices
from invoice_crm.services.pdf import render_invoice_pdf
from tests.integration.helpers import make_client, make_invoice
from tests.integration.test_pdf_documents import PROFILE

LONG_NAME = ("Nordwind Atelier für Gestaltung, Entwicklung und sehr lange Firmennamen GmbH & Co. KG — "
             "Niederlassung Berlin-Charlottenburg-Wilmersdorf Abteilung Rechnungswesen")


@dataclass(frozen=True)
class Word:
    page: int
    text: str
    x0: float
    y0: float
    x1: float
    y1: float


def _pages(content: bytes) -> tuple[float, list[Word]]:
    out = subprocess.run(["pdftotext", "-bbox", "-enc", "UTF-8", "-", "-"], input=content,
                         capture_output=True, check=True).stdout.decode()
    width = float(re.search(r'<page width="([\d.]+)"', out).group(1))
    words = []
    for number, page in enumerate(out.split("<page ")[1:], start=1):
        for x0, y0, x1, y1, text in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', page
        ):
            words.append(Word(number, html.unescape(text), float(x0), float(y0), float(x1), float(y1)))
    return width, words


def _overlap(a: Word, b: Word) -> bool:
    return a.page == b.page and a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


def _invoice_with_lines(count: int):
    lines = [{"description": f"Work package {n}", "quantity": "1", "unit_price": "100.00"} for n in range(count)]
    return invoices.send_invoice(make_invoice(make_client().id, currency="EUR", lines=lines).id)


def test_a_long_footer_wraps_beside_the_page_number_and_stays_on_the_page(database):
    business_settings.save_profile({**PROFILE, "business_name": LONG_NAME})
    inv = _invoice_with_lines(30)  # two pages
    width, words = _pages(render_invoice_pdf(inv.id)[1])
    pages = {w.page for w in words}
    assert len(pages) >= 2
    for page in pages:
        label = [w for w in words if w.page == page and w.text == "Page"]
        assert label, f"page {page} has no page number"
        number = max(label, key=lambda w: w.y0)  # the foot's, not a word of the text
        foot = [w for w in words if w.page == page and w.y0 >= number.y0 - 40 and w.y0 > 700]
        assert all(w.x1 <= width - 18 for w in foot), [w for w in foot if w.x1 > width - 18]
        beside = [w for w in foot if w is not number and _overlap(w, number)]
        assert beside == []
        said = " ".join(w.text for w in sorted(foot, key=lambda w: (round(w.y0), w.x0)) if w.text not in ("Page", "of")
                        and not w.text.isdigit())
        assert said.replace(" ", "") == f"Invoice{inv.number}·{LONG_NAME}".replace(" ", ""), said


def test_a_heading_keeps_its_first_lines_on_its_page(database):
    business_settings.save_profile(PROFILE)
    for count in range(40, 50):  # the heading falls near the second page's foot for some count
        inv = _invoice_with_lines(count)
        _, words = _pages(render_invoice_pdf(inv.id)[1])
        heads = [w for w in words if w.text == "How" and any(
            n.text == "to" and n.page == w.page and abs(n.y0 - w.y0) < 1 for n in words)]
        assert len(heads) == 1
        head = heads[0]
        body = [w for w in words if w.y0 < 780]  # not the footer's words (A4: 842 pt high)
        after = [w for w in body if (w.page, w.y0) > (head.page, head.y0 + 1)]
        assert after and after[0].page == head.page, f"{count} lines: 'How to pay' alone at the foot of page {head.page}"


def test_a_wrapped_business_name_is_set_as_typed_not_justified(database):
    business_settings.save_profile({**PROFILE, "business_name": LONG_NAME})
    inv = _invoice_with_lines(1)
    _, words = _pages(render_invoice_pdf(inv.id)[1])
    first = min(w.y0 for w in words if w.text == "Nordwind")
    # The letterhead's first line: the left 55 % of the page ("INVOICE" is at the right).
    line = sorted((w for w in words if w.page == 1 and abs(w.y0 - first) < 1 and w.x1 < 330), key=lambda w: w.x0)
    gaps = [b.x0 - a.x1 for a, b in itertools.pairwise(line)]
    assert len(line) > 3 and max(gaps) < 5, gaps  # a space of 15 pt text: ~4.2 pt
