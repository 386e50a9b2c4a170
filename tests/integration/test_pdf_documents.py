"""QA9 2, 3, 4, 8: the credit note's seller and client as on the invoice, a note by amount's
tax per rate, and lines that wrap rather than run off the page (pdftotext)."""

from __future__ import annotations

import subprocess
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import update

from invoice_crm import settings
from invoice_crm.db import write_session
from invoice_crm.domain.lifecycle import business_today
from invoice_crm.domain.money import format_money
from invoice_crm.domain.numbers import format_percent
from invoice_crm.models import CreditNote
from invoice_crm.services import (
    business_settings,
    clients,
    invoices,
    ledger,
    report_files,
    reports,
    tax_rates,
)
from invoice_crm.services.pdf import render_credit_note_pdf, render_invoice_pdf
from tests.integration.helpers import TODAY, make_invoice
from tests.integration.test_pdf_scripts import JAPANESE, _has, pdftotext

ISSUE = TODAY - timedelta(days=3)
PROFILE = {"business_name": "Northwind Studio", "address": "Hauptstrasse 5\n10115 Berlin", "country": "DE",
           "email": "hello@northwind.example", "tax_number": "DE 136695976"}
LONG_NAME = "東京国際コンサルティングサービス株式会社 経理部 御中 山本 一郎様"
LONG_REFERENCE = "振込 カ）トウキョウコクサイコンサルティングサービス ケイリブ ヤマモト イチロウ 請求書番号INV-2026-0017 分割払い第1回"


def _flat(text: str) -> str:
    """pdftotext's text without spaces: a wrapped line reads as one."""
    return "".join(text.split())


def test_a_credit_note_has_the_settings_letterhead_and_the_client_as_the_invoice(database, monkeypatch):
    monkeypatch.setenv("BUSINESS_NAME", "Jane Doe Design")
    settings.get_settings.cache_clear()
    profile = business_settings.save_profile(PROFILE)
    client = clients.create_client("Łukasz Żółć", "lukasz@example.pl", "Dvořák s.r.o.", "ul. Piotrkowska 3\n90-001 Łódź",
                                   "PL5260250274")
    inv = invoices.send_invoice(make_invoice(client.id, currency="EUR", issue=ISSUE).id)
    note = ledger.issue_credit_note(inv.id, amount="10", reason="Goodwill")
    text = pdftotext(render_credit_note_pdf(note.id)[1])
    _has(text, "Northwind Studio", "Hauptstrasse 5", "10115 Berlin", "hello@northwind.example", profile.tax_line,
         "Łukasz Żółć", "Dvořák s.r.o.", "ul. Piotrkowska 3", "90-001 Łódź", f"Tax number: {client.tax_number}",
         f"Credit note {note.number} · Northwind Studio", inv.number, note.number)
    assert "Jane Doe Design" not in text
    business_settings.save_invoice_defaults({"currency": "EUR", "number_format": "INV-{year}-{seq:04d}", "payment_terms_days": "14",
                                             "default_footer": "Northwind Studio · IBAN DE89"})
    _has(pdftotext(render_credit_note_pdf(note.id)[1]), "Northwind Studio · IBAN DE89")


def test_a_credit_note_by_amount_prints_the_tax_report_split_per_rate(database):
    business_settings.save_invoice_defaults(JAPANESE)
    standard = tax_rates.create_tax_rate("消費税", "10")
    reduced = tax_rates.create_tax_rate("軽減税率", "8")
    client = clients.create_client("さくら 太郎", "taro@sakura.example")
    inv = invoices.send_invoice(make_invoice(client.id, currency="JPY", issue=ISSUE, lines=[
        {"description": "デザイン", "quantity": "3", "unit_price": "50000", "tax_ids": [standard.id]},
        {"description": "お弁当", "quantity": "7", "unit_price": "1234", "tax_ids": [reduced.id]},
        {"description": "交通費", "quantity": "1", "unit_price": "9870"},
    ]).id)
    ledger.issue_credit_note(inv.id, line_positions=[1], reason="返品")  # the 8 % line: the split after it
    note = ledger.issue_credit_note(inv.id, amount="10000", reason="値引き")
    text = pdftotext(render_credit_note_pdf(note.id)[1])
    # Up to the business's today (Tokyo's, a day ahead of UTC's in the evening): the note's date.
    today_in_tokyo = business_today(business_settings.business_timezone())
    rows = [r for r in reports.tax_report(ISSUE, today_in_tokyo).rows if r[2] == "JPY"]
    # The report's credited columns hold both notes; the by-lines note took only the 8 % line.
    shown = 0
    for name, rate, _cur, _base, _tax, base, tax, *_ in rows:
        if name == "軽減税率":
            continue
        label = "No tax" if name == "No tax" else f"{name} {format_percent(rate.value)}"
        _has(text, f"{label} on {format_money(base, 'JPY')} {format_money(tax, 'JPY')}")
        shown += base + tax
    assert shown == Decimal("10000")
    _has(text, "TAX CREDITED")


def test_long_history_lines_on_the_invoice_wrap_whole(database):
    business_settings.save_invoice_defaults(JAPANESE)
    client = clients.create_client("さくら 太郎", "taro@sakura.example")
    inv = invoices.send_invoice(make_invoice(client.id, currency="JPY", issue=ISSUE, lines=[
        {"description": "デザイン", "quantity": "1", "unit_price": "100000"}]).id)
    ledger.record_payment(inv.id, "100000", ISSUE.isoformat(), reference=LONG_REFERENCE)
    note = ledger.issue_credit_note(inv.id, amount="20000", reason="値引き")
    ledger.record_refund(note.id, "20000", TODAY.isoformat(), reference="re_fake_3QxYzAbCdEfGhIjKlMnOpQrS_refund")
    text = _flat(pdftotext(render_invoice_pdf(inv.id)[1]))
    assert _flat(LONG_REFERENCE) in text
    assert _flat(f"re_fake_3QxYzAbCdEfGhIjKlMnOpQrS_refund, against credit note {note.number}") in text


def test_a_long_credit_note_line_wraps_whole(database):
    client = clients.create_client("Acme", "billing@acme.example")
    inv = invoices.send_invoice(make_invoice(client.id, issue=ISSUE).id)
    note = ledger.issue_credit_note(inv.id, amount="10")
    long_line = ("Consulting for the redesign of the customer portal including the accessibility review, "
                 "the keyboard navigation audit and the final report CN-2026-0009")
    with write_session() as session:  # a note from before its lines were recorded: only its text
        session.execute(update(CreditNote).where(CreditNote.id == note.id).values(lines_text=long_line))
    assert _flat(long_line) in _flat(pdftotext(render_credit_note_pdf(note.id)[1]))


def test_the_ageing_pdf_wraps_a_long_client_name_whole(database):
    business_settings.save_invoice_defaults(JAPANESE)
    client = clients.create_client(LONG_NAME, "keiri@tokyo.example")
    invoices.send_invoice(make_invoice(client.id, currency="JPY", issue=ISSUE, lines=[
        {"description": "デザイン", "quantity": "1", "unit_price": "605148"}]).id)
    content = report_files.pdf_bytes(reports.ageing(TODAY))
    _has(pdftotext(content), format_money(Decimal("605148"), "JPY"))
    # The Client column alone (its left 150 pt of the landscape page): the name whole in it.
    column = subprocess.run(["pdftotext", "-enc", "UTF-8", "-x", "0", "-y", "0", "-W", "150", "-H", "600", "-", "-"],
                            input=content, capture_output=True, check=True).stdout.decode("utf-8")
    assert _flat(LONG_NAME) in _flat(column)
