"""How a payment method is named, wherever a person reads it: one label per method ("Bank
transfer", "Online (Stripe)") in a table's Method column, a receipt, a CSV, and the same words
inside a sentence ("Payment $100.00, online (Stripe)"), made from that label."""

from __future__ import annotations

# Checkout may take a card, a bank debit or a wallet: "Online (Stripe)", never "Card".
_LABELS = {"STRIPE": "Online (Stripe)"}


def method_label(code: str) -> str:
    """The label of a method code (``PaymentMethod``'s value): ``BANK_TRANSFER`` -> "Bank
    transfer", ``STRIPE`` -> "Online (Stripe)"."""
    code = str(code or "").strip().upper()
    return _LABELS.get(code) or code.replace("_", " ").capitalize()


def in_sentence(code: str) -> str:
    """The label as a sentence carries it after a comma: its first letter in lower case, a
    name in it kept ("bank transfer", "online (Stripe)")."""
    label = method_label(code)
    return label[:1].lower() + label[1:]
