"""Settings > Integrations: is each outside service configured, and does it answer?

Each check makes one cheap, real request with the configured secrets and returns a
``Check`` in plain words; secrets themselves never appear (they stay in the environment).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import stripe

from invoice_crm.domain.errors import IntegrationError
from invoice_crm.integrations import mailer, stripe_gateway
from invoice_crm.integrations.google_sheets import GoogleSheetsClient, SheetsConfig, SheetsError
from invoice_crm.services import email_sender
from invoice_crm.settings import get_settings


@dataclass(frozen=True)
class Check:
    ok: bool
    message: str


@dataclass(frozen=True)
class Status:
    name: str
    configured: bool
    summary: str  # what is set (never the secret itself)
    where: str  # which environment variables to set


def statuses() -> list[Status]:
    s = get_settings()
    webhook = s.stripe_webhook_secret.get_secret_value()
    return [
        Status(
            "Stripe", s.stripe_enabled,
            "Online payment is on (secret key set)" if s.stripe_enabled else "Online payment is off",
            "STRIPE_SECRET_KEY",
        ),
        Status(
            "Stripe webhook", bool(webhook),
            ("Signing secret set; add the endpoint " + s.app_url + "/api/stripe/webhook in Stripe")
            if webhook else "Not set: Stripe's webhook calls are refused",
            "STRIPE_WEBHOOK_SECRET",
        ),
        Status(
            "Google Sheets", s.sheets_enabled,
            f"Mirroring into sheet {s.google_sheets_id}, tab {s.google_sheets_tab}" if s.sheets_enabled else "Sync is off",
            "GOOGLE_SHEETS_ID, GOOGLE_APPLICATION_CREDENTIALS, GOOGLE_SHEETS_TAB",
        ),
        Status(
            "Email (SMTP)", s.email_enabled,
            f"Sending through {s.smtp_host}:{s.smtp_port} as {s.mail_from}" if s.email_enabled else "Email is off",
            "SMTP_HOST, SMTP_PORT, SMTP_USERNAME, SMTP_PASSWORD, MAIL_FROM",
        ),
    ]


def check_stripe() -> Check:
    """Retrieve the account's balance: the cheapest call that proves the key works."""
    try:
        client = stripe_gateway.client()
    except IntegrationError as err:
        return Check(False, err.message)
    try:
        client.v1.balance.retrieve()
    except stripe.StripeError as err:
        return Check(False, stripe_gateway._integration_error(err, "connection test").message)
    return Check(True, "Connected: Stripe accepted the secret key")


def check_webhook_secret() -> Check:
    secret = get_settings().stripe_webhook_secret.get_secret_value()
    if not secret:
        return Check(False, "STRIPE_WEBHOOK_SECRET is not set: Stripe's webhook calls are refused")
    if not secret.startswith("whsec_"):
        return Check(False, "STRIPE_WEBHOOK_SECRET does not look like a Stripe signing secret (whsec_…)")
    return Check(True, "The webhook signing secret is set; Stripe's signed calls will be accepted")


def service_account_email(path: str) -> str:
    try:
        with open(path, encoding="utf-8") as key_file:
            return str(json.load(key_file).get("client_email", ""))
    except (OSError, ValueError, AttributeError):
        return ""


def check_sheets() -> Check:
    """Read column A of the tab with the service account: proves key, sharing and tab."""
    s = get_settings()
    if not s.sheets_enabled:
        return Check(False, "Google Sheets is not configured: set GOOGLE_SHEETS_ID and GOOGLE_APPLICATION_CREDENTIALS")
    account = service_account_email(s.google_application_credentials)
    share = f" Share the sheet (as Editor) with {account}." if account else ""
    client = GoogleSheetsClient(
        SheetsConfig(
            spreadsheet_id=s.google_sheets_id, tab=s.google_sheets_tab,
            credentials_file=s.google_application_credentials, api_endpoint=s.google_sheets_api_endpoint,
            timeout_seconds=min(s.sheets_timeout_seconds, 15.0),
        )
    )
    try:
        client.read_column_a()
    except SheetsError as err:
        return Check(False, err.message + "." + share)
    return Check(True, f"Connected: {account or 'the service account'} can open the sheet and its tab '{s.google_sheets_tab}'")


def check_smtp() -> Check:
    """Connect (with TLS as configured) and log in, without sending anything."""
    s = get_settings()
    if not s.email_enabled:
        return Check(False, "Email is not configured: set SMTP_HOST and MAIL_FROM")
    try:
        with mailer._connect(s) as server:
            if s.smtp_username:
                server.login(s.smtp_username, s.smtp_password.get_secret_value())
            server.noop()
    except Exception as exc:  # every smtplib/socket/ssl failure becomes one readable reason
        return Check(False, mailer.describe_failure(exc, s).message)
    who = f" and logged in as {s.smtp_username}" if s.smtp_username else ""
    return Check(True, f"Connected to {s.smtp_host}:{s.smtp_port}{who}")


def send_test_email(recipient: str) -> Check:
    s = get_settings()
    email = mailer.OutgoingEmail(
        recipient=recipient,
        subject="Invoice CRM test email",
        body="This is a test email from Invoice CRM's Settings page. Email delivery works.",
        message_id=mailer.new_message_id(s),
        **email_sender.sender_fields(),
    )
    try:
        mailer.send_email(email, s)
    except mailer.MailDeliveryError as err:
        return Check(False, err.message)
    return Check(True, f"Test email sent to {recipient}")
