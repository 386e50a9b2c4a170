"""Email addresses, checked with email-validator: one field is exactly one mailbox, never a
list (``a@x.com,root``), a display name, or anything that could become another header."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email

from invoice_crm.domain.errors import ValidationError
from invoice_crm.domain.text import clean_text

MAX_EMAIL = 254


def clean_email(raw: object, *, field: str = "email", required: bool = False, label: str = "Email") -> str:
    email = clean_text(raw, field=field, label=label, max_length=MAX_EMAIL, required=required, multiline=False)
    if not email:
        return ""
    try:
        checked = validate_email(
            email, check_deliverability=False, allow_quoted_local=False, allow_domain_literal=False,
            allow_display_name=False,
            # Also accept the reserved .test domain (RFC 2606; the tests' addresses): it is
            # never a real client's, and deliverability is not checked here anyway.
            test_environment=True,
        )
    except EmailNotValidError:
        raise ValidationError(f"{label} must look like name@example.com (one address)", field=field) from None
    return checked.normalized
