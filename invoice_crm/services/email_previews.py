"""The live preview of Settings -> Email's templates: each subject and message filled with sample
values, as ``business_settings.branded`` fills them when an email goes out. An empty field is
not a blank email: the built-in text is sent, so the preview shows that text, and says so."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from invoice_crm.domain import business as rules
from invoice_crm.domain import email_text
from invoice_crm.domain.lifecycle import InvoiceStatus, countdown
from invoice_crm.domain.money import format_money
from invoice_crm.domain.totals import LineSpec, compute_totals
from invoice_crm.services import figures
from invoice_crm.services.business_settings import Business, current_business, signature

SAMPLE_DUE = date(2026, 3, 14)
SAMPLE_PRICE = Decimal("1250.00")  # one line, no tax: the sample invoice's total
SAMPLE_FACTS = {
    "number": "INV-2026-0042",
    "client_name": "Acme Ltd",
    "due_date": SAMPLE_DUE,
    "pay_link": "https://example.com/pay/…",
    "paid_on": date(2026, 3, 10),
}


@dataclass(frozen=True)
class FieldPreview:
    text: str
    built_in: bool = False  # the field is empty: this is the built-in text


def _facts(business: Business) -> dict:
    """The sample invoice's facts as an email names them: its amount and the figures under it
    (``summary``) in the default currency and the business locale, worked out and written as a
    real invoice's are (``delivery.template_facts``)."""
    totals = compute_totals([LineSpec(Decimal(1), SAMPLE_PRICE)], currency=business.currency)
    summary = "\n".join(f"{row['label']}: {row['value']}" for row in figures.breakdown_rows(totals))
    return {
        **SAMPLE_FACTS, "amount": format_money(totals.total, business.currency), "summary": summary,
        "business_name": business.business_name,
    }


def built_in_email(kind: str, facts: dict) -> tuple[str, str]:
    """The built-in (subject, message) of an ``invoice``, ``reminder`` or ``receipt`` email."""
    if kind == "receipt":
        return email_text.receipt_email(
            number=facts["number"], client_name=facts["client_name"], amount=facts["amount"],
            paid_on=facts["paid_on"], business_name=facts["business_name"],
            paid_in_full=True,  # the sample invoice's one payment of its total
        )
    common = {k: facts[k] for k in ("number", "client_name", "amount", "due_date", "pay_link", "business_name")}
    if kind == "reminder":
        when = countdown(InvoiceStatus.SENT, facts["due_date"], facts["due_date"] - timedelta(days=3))
        return email_text.reminder_email(**common, countdown=when, summary=facts["summary"])
    return email_text.invoice_email(**common, summary=facts["summary"])


def preview_template(text: str, field_name: str = "template", business: Business | None = None) -> str:
    """The template filled with sample values, or the reason it cannot be used."""
    rules.check_template(text, field=field_name)
    facts = _facts(business or current_business())
    values = {k: (email_text.long_date(v) if isinstance(v, date) else str(v)) for k, v in facts.items()}
    return rules.render_template(text, values)


def preview_field(name: str, text: str, business: Business | None = None) -> FieldPreview:
    """What the email field ``name`` (``invoice_subject``, ``receipt_body`` …) holding ``text``
    puts in the email: the filled template, or, when it is empty, the built-in text.
    ``business``: the settings already read (Settings shows six previews at once), else read."""
    business = business or current_business()
    kind, _, part = name.partition("_")
    text = text.strip()  # saved trimmed: only spaces is empty
    if text:
        rendered = preview_template(text, name, business)
        return FieldPreview(rendered.strip() if part == "subject" else _signed(rendered, business))
    subject, body = built_in_email(kind, _facts(business))
    return FieldPreview(subject if part == "subject" else _signed(body, business), built_in=True)


def _signed(body: str, business: Business) -> str:
    """A message as it goes out: the business's signature below it (``branded``)."""
    sign = signature(business)
    return f"{body.rstrip()}\n\n{sign}" if sign and sign not in body else body
