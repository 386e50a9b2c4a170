"""How a payment method reads in the texts people see (the pay page's history, the PDF, Activity)."""

from invoice_crm.models import PaymentMethod


def test_a_method_reads_in_lower_case_in_a_sentence_but_a_name_keeps_its_capital():
    assert PaymentMethod.BANK_TRANSFER.in_text == "bank transfer"
    assert PaymentMethod.CHEQUE.in_text == "cheque"
    assert PaymentMethod.STRIPE.in_text == "Stripe"  # was "(stripe)" on the client's pay page
