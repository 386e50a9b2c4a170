"""What users type is stored only when it says what it shows: one address per email field,
no control characters or text-direction overrides, no field that becomes another header."""

import re

import pytest

from invoice_crm.domain.email_text import clean_subject
from invoice_crm.domain.emails import clean_email
from invoice_crm.domain.errors import ValidationError
from invoice_crm.domain.text import clean_text
from invoice_crm.integrations.mailer import MailDeliveryError, OutgoingEmail, send_email
from invoice_crm.settings import Settings


@pytest.mark.parametrize(
    "address",
    [
        "x@y.zz,root",
        "a@b.com, c@d.com",
        "<script>@x.com",
        "a@b.c.",
        "a@b.com\r\nBcc: victim@example.com",
        "Name <a@b.com>",
        '"quoted"@example.com',
        "a@[127.0.0.1]",
        "a@b.com;c@d.com",
        "plainaddress",
        "a\u202e@b.com",
    ],
)
def test_an_email_field_is_exactly_one_address(address):
    with pytest.raises(ValidationError) as err:
        clean_email(address, field="email")
    assert err.value.field == "email"


@pytest.mark.parametrize("address", ["billing@acme.example", "jane.doe+invoices@example.co.uk", "  x@example.com "])
def test_ordinary_addresses_pass(address):
    assert clean_email(address) == address.strip()


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ("Acme\x00 Ltd", "U+0000"),
        ("Acme \x1b[31mRed", "U+001B"),
        ("Invoice \u202egnp.exe", "U+202E"),
        ("Left\u2066isolate", "U+2066"),
        ("bell\x07", "U+0007"),
        ("del\x7f", "U+007F"),
        ("c1\x85next", "U+0085"),
    ],
)
def test_control_and_bidi_characters_are_refused_and_named(text, what):
    for multiline in (False, True):
        with pytest.raises(ValidationError, match=re.escape(what)) as err:
            clean_text(text, field="name", label="Name", max_length=200, required=True, multiline=multiline)
        assert err.value.field == "name"


def test_single_line_fields_refuse_newlines_and_multi_line_fields_keep_them():
    with pytest.raises(ValidationError, match="single line"):
        clean_text("Acme\nBcc: x", field="name", label="Name", max_length=200, required=True, multiline=False)
    notes = clean_text("Line one\r\nLine two\twith tab", field="notes", label="Notes", max_length=500, required=False)
    assert notes == "Line one\nLine two\twith tab"
    assert clean_text("Café Zürich — 東京 🎉", field="name", label="Name", max_length=200, required=True,
                      multiline=False) == "Café Zürich — 東京 🎉"


def test_services_refuse_them_in_names_descriptions_and_notes(database):
    from invoice_crm.services import clients
    from tests.integration.helpers import make_client, make_invoice

    with pytest.raises(ValidationError, match=r"U\+202E"):
        clients.create_client("Evil\u202eCorp", "a@example.com")
    client = make_client()
    with pytest.raises(ValidationError, match=r"U\+0000"):
        make_invoice(client.id, lines=[{"description": "Work\x00", "quantity": "1", "unit_price": "5"}])
    with pytest.raises(ValidationError, match=r"U\+001B"):
        make_invoice(client.id, notes="Pay now\x1b[2J")
    with pytest.raises(ValidationError, match=r"U\+202E"):
        clients.create_project(client.id, "Proj\u202e")


def test_subject_is_one_header():
    with pytest.raises(ValidationError, match="single line"):
        clean_subject("Invoice 1\r\nBcc: everyone@example.com")


def _settings() -> Settings:
    return Settings(_env_file=None, smtp_host="127.0.0.1", smtp_port=1, mail_from="Me <me@example.com>")


@pytest.mark.parametrize(
    ("recipient", "subject"),
    [("a@b.com\r\nBcc: x@y.com", "Invoice"), ("a@b.com,root", "Invoice"), ("a@b.com", "Hi\nBcc: x@y.com")],
)
def test_the_mailer_never_builds_extra_recipients_or_headers(recipient, subject):
    """Even a row queued before these checks is refused by the mailer, before any connection."""
    email = OutgoingEmail(recipient=recipient, subject=subject, body="Hello", message_id="<1@example.com>")
    with pytest.raises(MailDeliveryError, match="cannot be sent as written") as err:
        send_email(email, _settings())
    assert err.value.permanent
