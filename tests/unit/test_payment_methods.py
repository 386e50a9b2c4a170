"""How a payment method reads in the texts people see (the invoice page, the receipt, CSVs, the
pay page's history, the PDF, Activity): one label, the same words in a sentence."""

import pytest

from invoice_crm.domain.payment_methods import in_sentence, method_label
from invoice_crm.models import PaymentMethod


def test_a_method_reads_in_lower_case_in_a_sentence_but_a_name_keeps_its_capital():
    assert PaymentMethod.BANK_TRANSFER.in_text == "bank transfer"
    assert PaymentMethod.CHEQUE.in_text == "cheque"
    assert PaymentMethod.STRIPE.in_text == "online (Stripe)"  # was "(stripe)" on the client's pay page


@pytest.mark.parametrize("method", list(PaymentMethod))
def test_a_sentence_says_the_same_words_as_the_label(method):
    """QA: "Online (Stripe)" / "Cash" in tables and on the receipt, but "(online, by Stripe)" /
    "(cash)" on the pay page, the PDF and credit-note refunds. One label, generated into both."""
    assert method.label == method_label(method.value)
    assert method.in_text == in_sentence(method.value)
    assert method.in_text.lower() == method.label.lower() and method.in_text[1:] == method.label[1:]


def test_a_stripe_payment_is_named_the_same_in_a_table_and_in_a_sentence():
    # The receipt said "Card (online)" where the pay page and the PDF said "(Stripe)"; and
    # Checkout may take a bank debit or a wallet as well as a card.
    from invoice_crm.services.documents import receipt_method

    assert PaymentMethod.STRIPE.label == "Online (Stripe)"
    assert receipt_method(PaymentMethod.STRIPE, "pi_123") == "Online (Stripe)"  # Stripe's id means nothing to the client
    assert receipt_method(PaymentMethod.BANK_TRANSFER, "REF-9") == "Bank transfer (REF-9)"
