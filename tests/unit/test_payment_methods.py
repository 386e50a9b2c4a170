"""How a payment method reads in the texts people see (the pay page's history, the PDF, Activity)."""

from invoice_crm.models import PaymentMethod


def test_a_method_reads_in_lower_case_in_a_sentence_but_a_name_keeps_its_capital():
    assert PaymentMethod.BANK_TRANSFER.in_text == "bank transfer"
    assert PaymentMethod.CHEQUE.in_text == "cheque"
    assert PaymentMethod.STRIPE.in_text == "online, by Stripe"  # was "(stripe)" on the client's pay page


def test_a_stripe_payment_is_named_the_same_in_a_table_and_in_a_sentence():
    # The receipt said "Card (online)" where the pay page and the PDF said "(Stripe)"; and
    # Checkout may take a bank debit or a wallet as well as a card.
    from invoice_crm.services.documents import receipt_method

    assert PaymentMethod.STRIPE.label == "Online (Stripe)"
    assert receipt_method(PaymentMethod.STRIPE, "pi_123") == "Online (Stripe)"  # Stripe's id means nothing to the client
    assert receipt_method(PaymentMethod.BANK_TRANSFER, "REF-9") == "Bank transfer (REF-9)"
    assert PaymentMethod.STRIPE.label.lower().replace("(stripe)", "").strip() in PaymentMethod.STRIPE.in_text
