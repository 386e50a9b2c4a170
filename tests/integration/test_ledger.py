"""Partial payments, removal, void, credit notes and refunds on a real database."""

import re
from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from sqlalchemy import select

from invoice_crm.db import read_session
from invoice_crm.domain.errors import DomainError, ValidationError
from invoice_crm.domain.lifecycle import InvoiceStatus
from invoice_crm.models import CreditNote, Invoice, InvoiceEvent, Payment
from invoice_crm.services import invoices, ledger, queries, tax_rates
from tests.integration.helpers import make_invoice

TODAY = date.today()


def _sent(lines=None, **kw):
    inv = make_invoice(lines=lines or [{"description": "Work", "quantity": "1", "unit_price": "100.00"}], **kw)
    return invoices.send_invoice(inv.id)


def _inv(invoice_id: int) -> Invoice:
    with read_session() as s:
        return s.get(Invoice, invoice_id)


def test_partial_payments_keep_it_open_then_paid_on_the_last_payment_date(database):
    inv = _sent(issue=TODAY - timedelta(days=10))
    ledger.record_payment(inv.id, "30.00", (TODAY - timedelta(days=3)).isoformat(), "CASH", "R1")
    stored = _inv(inv.id)
    assert stored.status is InvoiceStatus.SENT and stored.balance_due == D("70.00") and stored.amount_paid == D("30.00")
    assert queries.badge_of(stored.status, stored.amount_paid) == "PARTIAL"
    ledger.record_payment(inv.id, "", (TODAY - timedelta(days=1)).isoformat(), "CHEQUE", "R2")  # blank: the balance
    stored = _inv(inv.id)
    assert stored.status is InvoiceStatus.PAID and stored.balance_due == 0
    assert stored.paid_at == TODAY - timedelta(days=1)


def test_an_overpayment_is_refused(database):
    inv = _sent()
    ledger.record_payment(inv.id, "60.00")
    with pytest.raises(ValidationError, match="more than the balance due"):
        ledger.record_payment(inv.id, "40.01")
    assert _inv(inv.id).balance_due == D("40.00")
    with read_session() as s:
        assert len(s.execute(select(Payment)).scalars().all()) == 1


def test_removing_a_manual_payment_restores_the_balance_and_reopens(database):
    inv = _sent(due=TODAY - timedelta(days=1), issue=TODAY - timedelta(days=10))
    invoices.sweep_overdue()
    ledger.record_payment(inv.id, "100.00")
    assert _inv(inv.id).status is InvoiceStatus.PAID
    with read_session() as s:
        payment = s.execute(select(Payment)).scalar_one()
    with pytest.raises(ValidationError):
        ledger.remove_payment(payment.id, "")  # a reason is required
    ledger.remove_payment(payment.id, "Bounced cheque")
    stored = _inv(inv.id)
    assert stored.balance_due == D("100.00") and stored.amount_paid == 0
    assert stored.status is InvoiceStatus.OVERDUE and stored.paid_at is None  # overdue on the balance
    with read_session() as s:
        kept = s.get(Payment, payment.id)
        kinds = s.execute(select(InvoiceEvent.kind).where(InvoiceEvent.invoice_id == inv.id)).scalars().all()
    assert kept.removed_at is not None and kept.removed_reason == "Bounced cheque"  # kept for the record
    assert "payment_removed" in kinds


def test_outstanding_is_the_sum_of_balances_and_void_leaves_it(database):
    a = _sent()
    b = _sent()
    ledger.record_payment(a.id, "25.00")
    assert queries.dashboard_summary()["outstanding"] == "$175.00"
    with pytest.raises(DomainError):
        ledger.void_invoice(a.id, "Wrong client")  # it has a payment
    ledger.void_invoice(b.id, "Wrong client")
    stored = _inv(b.id)
    assert stored.status is InvoiceStatus.VOID and stored.void_reason == "Wrong client" and stored.number == b.number
    assert queries.dashboard_summary()["outstanding"] == "$75.00"
    assert invoices.sweep_overdue(TODAY + timedelta(days=60)) == 1  # only a; the void one stays void
    assert _inv(b.id).status is InvoiceStatus.VOID


def test_void_and_duplicate_makes_a_draft_with_the_same_lines(database):
    inv = _sent(lines=[{"description": "Design", "quantity": "2", "unit_price": "40.00"}])
    copy = ledger.void_and_duplicate(inv.id, "Re-issue with new terms")
    assert _inv(inv.id).status is InvoiceStatus.VOID
    assert copy.status is InvoiceStatus.DRAFT and copy.amount == D("80.00") and copy.number != inv.number


def test_taxes_and_discounts_are_stored_and_totalled_by_the_one_function(database):
    vat = tax_rates.create_tax_rate("VAT", "20")
    inv = make_invoice(
        lines=[{"description": "Hours", "quantity": "3", "unit_price": "19.99", "tax_ids": [vat.id]}],
        discount_kind="percent", discount_value="10",
    )
    assert inv.amount == D("64.76") and inv.tax_total == D("10.79")
    tax_rates.update_tax_rate(vat.id, "VAT", "25")  # the line keeps the rate it was made with
    sent = invoices.send_invoice(inv.id)
    assert sent.amount == D("64.76")


def test_credit_notes_are_numbered_capped_and_reduce_the_balance(database, monkeypatch):
    inv = _sent(lines=[
        {"description": "A", "quantity": "1", "unit_price": "60.00"},
        {"description": "B", "quantity": "1", "unit_price": "40.00"},
    ])
    first = ledger.issue_credit_note(inv.id, line_positions=[1], reason="B not delivered")
    assert first.amount == D("40.00") and first.number == f"CN-{TODAY.year}-0001"
    assert _inv(inv.id).balance_due == D("60.00")
    with pytest.raises(ValidationError, match="more than what is left to credit"):
        ledger.issue_credit_note(inv.id, amount="60.01")
    second = ledger.issue_credit_note(inv.id, amount="10.00")
    assert second.number == f"CN-{TODAY.year}-0002"
    assert _inv(inv.id).balance_due == D("50.00")


def test_a_credit_note_on_a_paid_invoice_records_an_amount_to_refund(database):
    inv = _sent()
    ledger.record_payment(inv.id, "100.00")
    note = ledger.issue_credit_note(inv.id, amount="30.00", reason="Discount agreed later")
    assert note.refund_due == D("30.00")
    assert _inv(inv.id).status is InvoiceStatus.PAID
    with pytest.raises(ValidationError):
        ledger.record_refund(note.id, "30.01")
    ledger.record_refund(note.id, "", TODAY.isoformat(), "BANK_TRANSFER", "REF-9")
    stored = _inv(inv.id)
    assert stored.amount_paid == D("70.00") and stored.amount_credited == D("30.00") and stored.balance_due == 0
    with read_session() as s:
        assert s.execute(select(CreditNote)).scalar_one().number == note.number


def test_a_refund_by_hand_is_listed_on_the_receipt_and_the_invoice_pdf_so_they_add_up(database):
    from invoice_crm.services.documents import render_receipt_pdf
    from invoice_crm.services.pdf import render_invoice_pdf
    from tests.integration.email_helpers import pdf_text

    inv = _sent()
    ledger.record_payment(inv.id, "100.00", TODAY, method="BANK_TRANSFER", reference="BT-1")
    note = ledger.issue_credit_note(inv.id, amount="30.00", reason="Discount agreed later")
    ledger.record_refund(note.id, "10.00", TODAY.isoformat(), "CHEQUE", "CHQ-5")
    receipt = " ".join(pdf_text(render_receipt_pdf(inv.id)[1]).split())
    assert "Bank transfer (BT-1) $100.00" in receipt and "Refunded: Cheque (CHQ-5) -$10.00" in receipt
    assert "Total paid: $90.00" in receipt
    invoice = " ".join(pdf_text(render_invoice_pdf(inv.id)[1]).split())
    assert "Payment $100.00" in invoice and "Paid -$90.00" in invoice and "Credited -$30.00" in invoice
    assert f"Refund $10.00 on {TODAY.day} {TODAY:%B} {TODAY.year}, cheque, ref. CHQ-5, against credit note {note.number}" in invoice


def test_a_credit_note_and_its_activity_say_what_is_refunded_and_still_to_refund_as_it_stands(database):
    from invoice_crm.services.pdf import render_credit_note_pdf
    from tests.integration.email_helpers import events, pdf_text

    def text_of(pdf: tuple[str, bytes]) -> str:
        return " ".join(pdf_text(pdf[1]).split())

    inv = _sent()
    ledger.record_payment(inv.id, "100.00", TODAY, method="BANK_TRANSFER", reference="BT-1")
    note = ledger.issue_credit_note(inv.id, amount="30.00", reason="Discount agreed later")
    before = text_of(render_credit_note_pdf(note.id))
    assert "Overpaid, to refund $30.00" in before and re.search(r"Still to refund \(as of [^)]+\) \$30\.00", before)
    ledger.record_refund(note.id, "10.00", TODAY.isoformat(), "CHEQUE", "CHQ-5")
    after = text_of(render_credit_note_pdf(note.id))
    assert "Overpaid, to refund $30.00" in after and "Cheque CHQ-5 $10.00" in after and "Refunded $10.00" in after
    assert re.search(r"Still to refund \(as of [^)]+\) \$20\.00", after)
    said = [details for kind, details in events(inv.id) if kind in ("credit_note", "refund")]
    assert said[0] == f"Credit note {note.number} for $30.00: Discount agreed later; $30.00 overpaid, to be refunded"
    assert said[1].endswith(f", cheque, reference CHQ-5 against {note.number}; $20.00 still to refund")
    ledger.record_refund(note.id, "", TODAY.isoformat(), "BANK_TRANSFER")
    assert events(inv.id)[-1][1].endswith(f", bank transfer against {note.number}; nothing left to refund")


def test_the_email_and_the_pdf_carry_the_breakdown_and_the_balance(database):
    from invoice_crm.services.delivery import compose_invoice_email, compose_reminder
    from invoice_crm.services.pdf import render_credit_note_pdf, render_invoice_pdf
    from tests.integration.email_helpers import pdf_text

    gst = tax_rates.create_tax_rate("GST", "5", "123456789RT0001")
    qst = tax_rates.create_tax_rate("QST", "9.975", compound=True)
    inv = _sent(lines=[{"description": "Consulting", "quantity": "1", "unit_price": "100.00", "tax_ids": [gst.id, qst.id]}])
    body = compose_invoice_email(inv.id).body
    assert "GST 5% on $100.00: $5.00" in body and "QST 9.975% on $105.00: $10.47" in body
    assert "Total: $115.47" in body
    ledger.record_payment(inv.id, "15.47", method="CHEQUE", reference="CHQ-1")
    reminder = compose_reminder(inv.id)
    assert "$100.00" in reminder.subject and "Balance due: $100.00" in reminder.body
    text = pdf_text(render_invoice_pdf(inv.id)[1])
    assert "QST 9.975% on $105.00" in text and "Balance due" in text and "$100.00" in text
    assert "GST registration no. 123456789RT0001" in text and "Payment $15.47" in text and ", cheque" in text
    note = ledger.issue_credit_note(inv.id, amount="10.00", reason="Goodwill")
    filename, data = render_credit_note_pdf(note.id)
    text = pdf_text(data)
    assert filename == f"{note.number}.pdf" and note.number in text and inv.number in text and "$10.00" in text


def test_paid_figures_follow_a_removed_payment(database):
    inv = _sent()
    ledger.record_payment(inv.id, "100.00")
    assert queries.dashboard_summary()["paid_30d"] == "$100.00"
    with read_session() as s:
        payment = s.execute(select(Payment)).scalar_one()
    ledger.remove_payment(payment.id, "Recorded twice")
    summary = queries.dashboard_summary()
    assert summary["paid_30d"] == "$0.00" and summary["outstanding"] == "$100.00"


def test_a_yen_invoice_takes_only_whole_yen_prices_and_payments(database):
    """999.50 + 0.50 JPY would show lines of 1,000 in all and bill 1,001 (each line rounded to
    the yen): such prices are refused beside their field, and so are payments, credit notes
    and refunds of a fraction of a yen; whole amounts typed with .00 are kept."""
    with pytest.raises(ValidationError) as refused:
        make_invoice(currency="JPY", lines=[{"description": "Design", "quantity": "1", "unit_price": "999.50"},
                                            {"description": "Extra", "quantity": "1", "unit_price": "0.50"}])
    assert refused.value.field == "lines.0.unit_price" and "whole number in JPY" in refused.value.message
    inv = invoices.send_invoice(make_invoice(currency="JPY", lines=[
        {"description": "Design", "quantity": "1", "unit_price": "1,000.00"},
        {"description": "Extra", "quantity": "3", "unit_price": "333"}]).id)
    assert inv.amount == D("1999")
    for amount in ("0.5", "100.25"):
        with pytest.raises(ValidationError) as refused:
            ledger.record_payment(inv.id, amount, date.today())
        assert refused.value.field == "amount" and "whole number in JPY" in refused.value.message
        with pytest.raises(ValidationError) as refused:
            ledger.issue_credit_note(inv.id, amount=amount, reason="Goodwill")
        assert refused.value.field == "credit_amount" and "whole number in JPY" in refused.value.message
    paid = ledger.record_payment(inv.id, "999", date.today())
    assert paid.balance_due == D("1000")
    note = ledger.issue_credit_note(inv.id, amount="100", reason="Goodwill")
    with pytest.raises(ValidationError) as refused:
        ledger.record_refund(note.id, "50.5", date.today().isoformat())
    assert refused.value.field == "refund_amount" and "whole number in JPY" in refused.value.message


def test_a_line_is_credited_once_even_from_a_stale_dialog(database):
    vat = tax_rates.create_tax_rate("VAT", "20")
    inv = _sent(lines=[
        {"description": "Design", "quantity": "1", "unit_price": "0.12", "tax_ids": [vat.id]},
        {"description": "Travel", "quantity": "1", "unit_price": "0.12", "tax_ids": [vat.id]},
    ])
    assert inv.amount == D("0.29")
    stale = ledger.credit_by_lines(inv.id, [1])  # a second tab's dialog, opened before the note
    first = ledger.issue_credit_note(inv.id, line_positions=[1], reason="Travel not billable")
    assert first.amount == D("0.14") and stale.total == "$0.14"
    shown = ledger.credit_by_lines(inv.id, [1])
    assert shown.per_line == ["$0.15", f"Credited ({first.number})"] and shown.credited == [False, True]
    assert shown.total == ""  # a credited line ticked in a stale dialog adds nothing
    with pytest.raises(ValidationError, match=f"Already credited: Travel \\({first.number}\\)") as refused:
        ledger.issue_credit_note(inv.id, line_positions=[1])  # the stale tab's Issue
    assert refused.value.field == "credit_lines"
    with pytest.raises(ValidationError, match="Already credited"):
        ledger.issue_credit_note(inv.id, line_positions=[0, 1])
    second = ledger.issue_credit_note(inv.id, line_positions=[0])
    assert second.amount == D("0.15")  # the rest of the invoice: the two notes make its total
    stored = _inv(inv.id)
    assert stored.amount_credited == D("0.29") and stored.balance_due == 0 and stored.status is InvoiceStatus.PAID


def test_a_credit_note_pdf_prints_each_line_credited_and_the_tax_it_corrects_per_rate(database):
    from invoice_crm.services.pdf import render_credit_note_pdf
    from tests.integration.email_helpers import pdf_text

    vat = tax_rates.create_tax_rate("VAT", "20")
    reduced = tax_rates.create_tax_rate("Reduced", "5.5")
    inv = _sent(lines=[
        {"description": "Design", "quantity": "1", "unit_price": "100.00", "tax_ids": [vat.id]},
        {"description": "Kleinteile", "quantity": "1", "unit_price": "33.10", "tax_ids": [reduced.id]},
        {"description": "Travel", "quantity": "1", "unit_price": "117.58"},
    ])
    note = ledger.issue_credit_note(inv.id, line_positions=[1, 2], reason="Returned")
    assert note.amount == D("152.50")  # 33.10 + 1.82 + 117.58
    text = " ".join(pdf_text(render_credit_note_pdf(note.id)[1]).split())
    assert "Line Amount (excl. tax) Kleinteile $33.10 Travel $117.58" in text
    assert "Reduced 5.5% on $33.10 $1.82" in text and "VAT" not in text  # only the rates of its lines
    assert "Credit (USD) $152.50" in text


def test_a_removed_payment_leaves_its_credit_note_nothing_to_refund(app):
    """QA: pay 100, credit 50 (to refund 50), remove the payment: the client paid nothing, so
    nothing is refunded and Paid never goes below zero: the refund, the PDF and the page agree."""
    from invoice_crm.services.pdf import render_credit_note_pdf
    from tests.integration.email_helpers import pdf_text
    from tests.integration.owner_events import invoice_page
    from tests.support.events import EventRunner, run

    inv = _sent()
    ledger.record_payment(inv.id, "100.00")
    note = ledger.issue_credit_note(inv.id, amount="50.00", reason="Half the work")
    assert note.refund_due == D("50.00")
    with read_session() as s:
        payment_id = s.execute(select(Payment.id).where(Payment.invoice_id == inv.id)).scalar_one()
    ledger.remove_payment(payment_id, "Entered by mistake")
    stored = _inv(inv.id)
    assert (stored.status, stored.balance_due, stored.amount_paid) == (InvoiceStatus.SENT, D("50.00"), 0)

    with pytest.raises(ValidationError, match=re.escape("at most $0.00")):
        ledger.record_refund(note.id, "50.00")
    with pytest.raises(ValidationError):
        ledger.record_refund(note.id, "")  # blank: what is left, which is nothing
    assert _inv(inv.id).amount_paid == 0
    text = " ".join(pdf_text(render_credit_note_pdf(note.id)[1]).split())
    assert re.search(r"Still to refund \(as of [^)]*\) \$0\.00", text), text

    async def scenario():
        async with EventRunner(app) as runner:
            page = await invoice_page(runner, inv.id)
            assert [n["refund_left"] for n in page.credit_notes] == [""]  # no "Record refund of …"

    run(scenario())


def test_a_refund_is_never_more_than_the_invoice_is_overpaid_now(database):
    """QA's longer case: 33.33 + 33.33 + 33.34; pay 40 and 60; credit the first two lines
    (66.66 to refund); refund 30; remove the 40: the invoice is owed 3.34 again (60 - 30 paid,
    66.66 credited), so nothing more is given back, though the note alone has 36.66 left."""
    inv = _sent(lines=[
        {"description": "A", "quantity": "1", "unit_price": "33.33"},
        {"description": "B", "quantity": "1", "unit_price": "33.33"},
        {"description": "C", "quantity": "1", "unit_price": "33.34"},
    ])
    ledger.record_payment(inv.id, "40.00", method="CASH")
    ledger.record_payment(inv.id, "60.00", method="CASH")
    note = ledger.issue_credit_note(inv.id, line_positions=[0, 1], reason="Not delivered")
    assert note.refund_due == D("66.66")
    ledger.record_refund(note.id, "30.00")
    with read_session() as s:
        forty = s.execute(select(Payment.id).where(Payment.invoice_id == inv.id, Payment.amount == D("40.00"))).scalar_one()
    ledger.remove_payment(forty, "Bounced")
    assert _inv(inv.id).balance_due == D("3.34")
    with pytest.raises(ValidationError, match=re.escape("at most $0.00")):
        ledger.record_refund(note.id, "36.66")
    stored = _inv(inv.id)
    assert stored.amount_paid == D("30.00") and stored.balance_due == D("3.34")


def test_a_payment_refunds_were_taken_from_cannot_be_removed(database):
    """Pay 100, credit 100, refund 100: removing the payment would leave a refund of money that
    never came in (Paid -100, the invoice owed again): refused, nothing changed."""
    inv = _sent()
    ledger.record_payment(inv.id, "100.00")
    note = ledger.issue_credit_note(inv.id, amount="100.00", reason="Cancelled")
    ledger.record_refund(note.id, "100.00")
    with read_session() as s:
        payment_id = s.execute(select(Payment.id).where(Payment.invoice_id == inv.id)).scalar_one()
    with pytest.raises(ValidationError, match=re.escape("would then be $100.00 more than was paid")):
        ledger.remove_payment(payment_id, "Entered by mistake")
    stored = _inv(inv.id)
    assert (stored.amount_paid, stored.balance_due, stored.status) == (0, 0, InvoiceStatus.PAID)
    with read_session() as s:
        assert s.get(Payment, payment_id).removed_at is None


def test_an_invoice_with_a_credit_note_is_not_voided(app):
    """QA: 100.00 sent, credit note 30.00, then Void: the statement counted the note of a void
    invoice (closing at -30.00). Voiding is refused and not offered; crediting the rest is."""
    from tests.integration.owner_events import invoice_page
    from tests.support.events import EventRunner, run

    inv = _sent()
    ledger.issue_credit_note(inv.id, amount="30.00", reason="Less work")
    with pytest.raises(DomainError, match="credit notes cannot be voided"):
        ledger.void_invoice(inv.id, "Cancelled")
    with pytest.raises(DomainError, match="credit notes cannot be voided"):
        ledger.void_and_duplicate(inv.id, "Cancelled")
    assert _inv(inv.id).status is InvoiceStatus.SENT

    async def scenario():
        async with EventRunner(app) as runner:
            page = await invoice_page(runner, inv.id)
            assert page.can_credit and not page.can_void

    run(scenario())
    ledger.issue_credit_note(inv.id, amount="70.00", reason="Cancelled")
    assert _inv(inv.id).balance_due == 0
