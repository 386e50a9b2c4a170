"""Every PDF prints its text as typed: all of Latin Extended, Greek, Cyrillic and Japanese (kana
and kanji), and dates and money under ja_JP as Babel writes them (the core Helvetica turned
2026年11月27日 into "2026?11?27?", a Japanese name into "???" and Łódź into "Lodz"). Read back
with poppler's pdftotext, as a client's PDF reader would show it."""

from __future__ import annotations

import subprocess
from datetime import date, timedelta
from decimal import Decimal

import pytest

from invoice_crm.domain.money import format_money
from invoice_crm.domain.numbers import format_long_date
from invoice_crm.services import business_settings, clients, invoices, ledger, report_files, reports
from invoice_crm.services.documents import render_receipt_pdf, render_statement_pdf
from invoice_crm.services.pdf import render_credit_note_pdf, render_invoice_pdf
from tests.integration.helpers import TODAY, make_invoice

JAPANESE = {"currency": "JPY", "number_format": "INV-{year}-{seq:04d}", "payment_terms_days": "14",
            "locale": "ja_JP", "timezone": "Asia/Tokyo"}
NAME, ADDRESS = "株式会社さくらデザイン", "東京都千代田区丸の内1丁目"
WORK, NOTES = "ウェブサイト制作（トップページ）", "お振込みをお願いいたします。"
ISSUE = TODAY - timedelta(days=3)


def pdftotext(content: bytes) -> str:
    """The text a PDF reader shows (poppler), each run of spaces and line ends one space."""
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=content, capture_output=True, check=True)
    return " ".join(out.stdout.decode("utf-8").split())


def _has(text: str, *expected: str) -> None:
    for want in expected:
        assert want in text, f"{want!r} not in {text!r}"


@pytest.fixture
def japanese(database):
    business_settings.save_invoice_defaults(JAPANESE)
    client = clients.create_client(NAME, "keiri@sakura.example", "さくら商事", ADDRESS)
    inv = make_invoice(client.id, currency="JPY", issue=ISSUE, due=ISSUE + timedelta(days=14), notes=NOTES,
                       lines=[{"description": WORK, "quantity": "2", "unit_price": "55000"}])
    return client, invoices.send_invoice(inv.id)


def test_a_japanese_invoice_prints_the_names_dates_and_yen_as_typed(japanese):
    _client, inv = japanese
    assert format_long_date(ISSUE) == f"{ISSUE.year}年{ISSUE.month}月{ISSUE.day}日"  # Babel's long date
    text = pdftotext(render_invoice_pdf(inv.id)[1])
    _has(text, NAME, "さくら商事", ADDRESS, WORK, NOTES, format_long_date(ISSUE), format_long_date(inv.due_date),
         format_money(Decimal("55000"), "JPY"), format_money(Decimal("110000"), "JPY"), "Total (JPY)", inv.number,
         # English right after Japanese (fpdf2 once drew it with the Japanese font: "eCCO8 LVN8")
         "keiri@sakura.example", "Issue date", "Due date", "Currency JPY", "NOTES", "View online")
    assert "?" not in text.replace("?t=", "")  # nothing reduced to "?" (a pay link's query aside)


@pytest.mark.parametrize("document", ["credit note", "receipt", "statement", "revenue report"])
def test_every_other_pdf_prints_japanese_as_typed(japanese, document):
    client, inv = japanese
    paid_on = ISSUE + timedelta(days=1)
    if document == "credit note":
        note = ledger.issue_credit_note(inv.id, amount="10000", reason="値引き（納期遅延）")
        text = pdftotext(render_credit_note_pdf(note.id)[1])
        _has(text, NAME, "値引き（納期遅延）", format_long_date(note.issue_date), format_money(Decimal("10000"), "JPY"))
    elif document == "receipt":
        ledger.record_payment(inv.id, "50000", paid_on.isoformat(), reference="振込 サクラ")
        text = pdftotext(render_receipt_pdf(inv.id)[1])
        _has(text, NAME, ADDRESS, "振込 サクラ", format_long_date(paid_on), format_money(Decimal("50000"), "JPY"),
             f"Balance due: {format_money(Decimal('60000'), 'JPY')}")
    elif document == "statement":
        ledger.record_payment(inv.id, "50000", paid_on.isoformat())
        text = pdftotext(render_statement_pdf(client.id, ISSUE - timedelta(days=1), TODAY)[1])
        _has(text, NAME, ADDRESS, format_long_date(ISSUE), format_long_date(paid_on),
             format_money(Decimal("110000"), "JPY"), f"Closing balance: {format_money(Decimal('60000'), 'JPY')}")
    else:
        table = reports.revenue(ISSUE - timedelta(days=1), TODAY, by="client")
        text = pdftotext(report_files.pdf_bytes(table))
        _has(text, NAME, format_money(Decimal("110000"), "JPY"))
    assert "?" not in text


LATIN_GREEK_CYRILLIC = {
    "name": "Łukasz Żółćkiewicz",
    "company": "Dvořák a syn s.r.o.",
    "address": "ul. Piotrkowska 3\nŁódź",
    "lines": ["Çeviri: şirket ğ İstanbul", "Σχεδιασμός ιστοσελίδας", "Разработка сайта для «Ёлки»"],
}


@pytest.mark.parametrize("document", ["invoice", "credit note", "receipt", "statement"])
def test_latin_extended_greek_and_cyrillic_print_as_typed(database, document):
    typed = LATIN_GREEK_CYRILLIC
    client = clients.create_client(typed["name"], "lukasz@example.pl", typed["company"], typed["address"])
    lines = [{"description": d, "quantity": "1", "unit_price": "100"} for d in typed["lines"]]
    inv = invoices.send_invoice(make_invoice(client.id, currency="EUR", issue=ISSUE, lines=lines).id)
    if document == "invoice":
        text = pdftotext(render_invoice_pdf(inv.id)[1])
        _has(text, typed["company"], "Łódź", *typed["lines"], format_money(Decimal("300"), "EUR"))
    elif document == "credit note":
        note = ledger.issue_credit_note(inv.id, line_positions=[1, 2], reason="Zwrot — błąd w zamówieniu")
        text = pdftotext(render_credit_note_pdf(note.id)[1])
        _has(text, "Zwrot — błąd w zamówieniu", *typed["lines"][1:], format_money(Decimal("200"), "EUR"))
    elif document == "receipt":
        ledger.record_payment(inv.id, "300", ISSUE.isoformat(), reference="Přelév č. 7")
        text = pdftotext(render_receipt_pdf(inv.id)[1])
        _has(text, typed["company"], "Łódź", "Přelév č. 7", format_money(Decimal("300"), "EUR"))
    else:
        text = pdftotext(render_statement_pdf(client.id, ISSUE - timedelta(days=1), TODAY)[1])
        _has(text, typed["company"], "Łódź", format_money(Decimal("300"), "EUR"))
    _has(text, typed["name"])
    assert "?" not in text.replace("?t=", "")


def test_a_character_no_font_has_never_stops_the_pdf(database):
    """An emoji (in no embedded font) prints as "?"; everything around it as typed."""
    client = clients.create_client("Zoë 🎉 Łukasz 李", "zoe@example.com", "Café 🙂", "")
    inv = make_invoice(client.id, currency="EUR",
                       lines=[{"description": "Traduction — révision «finale» ✅", "quantity": "2", "unit_price": "1234.50"}])
    text = pdftotext(render_invoice_pdf(inv.id)[1])
    _has(text, "Zoë ? Łukasz 李", "Café ?", "Traduction — révision «finale»", "€2,469.00")


def test_a_pdf_windows_1252_prints_whole_keeps_the_core_fonts(database):
    """The common case pays nothing for the embedded fonts: no font file in the PDF."""
    client = clients.create_client("Zoë Ünïcode", "zoe@example.com", "Café € £", "")
    content = render_invoice_pdf(make_invoice(client.id, lines=[{"description": "Révision", "quantity": "1", "unit_price": "9"}]).id)[1]
    assert b"FontFile2" not in content and b"/Helvetica" in content
    _has(pdftotext(content), "Zoë Ünïcode", "Café € £", "Révision")
    business_settings.save_invoice_defaults({**JAPANESE, "currency": "USD"})  # a ja_JP date needs the Japanese font
    content = render_invoice_pdf(make_invoice(client.id, issue=date(2026, 11, 27)).id)[1]
    assert b"FontFile2" in content and len(content) < 80_000  # only the glyphs used are embedded
    _has(pdftotext(content), "2026年11月27日", "Zoë Ünïcode")
