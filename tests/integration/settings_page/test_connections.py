"""Settings > Integrations: each "Test connection" against the fake Stripe, Sheets and SMTP
servers, in success and in failure, in plain words and without secrets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from invoice_crm import settings
from invoice_crm.services import connections
from tests.fakes.sheets_fixture import start_fake_sheets


def _set(monkeypatch, **env: str) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings.get_settings.cache_clear()


def test_stripe_accepts_the_key(stripe_api):
    result = connections.check_stripe()
    assert result.ok and result.message == "Connected: Stripe accepted the secret key"
    assert any(r.path == "/v1/balance" for r in stripe_api.requests("GET"))


def test_stripe_refusing_the_key_is_said_plainly(stripe_api, monkeypatch):
    _set(monkeypatch, STRIPE_SECRET_KEY="sk_test_wrong_key_123")
    result = connections.check_stripe()
    assert not result.ok and "refused the API key" in result.message
    assert "sk_test_wrong_key_123" not in result.message


def test_stripe_down_and_stripe_off(stripe_api, monkeypatch):
    stripe_api.fail_next(3, "500")
    down = connections.check_stripe()
    assert not down.ok and "not available" in down.message
    _set(monkeypatch, STRIPE_SECRET_KEY="")
    off = connections.check_stripe()
    assert not off.ok and "Online payment is off" in off.message


def test_webhook_secret(database, monkeypatch):
    _set(monkeypatch, STRIPE_WEBHOOK_SECRET="")
    assert not connections.check_webhook_secret().ok
    _set(monkeypatch, STRIPE_WEBHOOK_SECRET="whsec_abc")
    assert connections.check_webhook_secret().ok


@pytest.fixture
def sheets(database, tmp_path, monkeypatch):
    fake, env = start_fake_sheets(tmp_path, spreadsheet_id="settings-sheet")
    _set(monkeypatch, **env)
    account = json.loads(Path(env["GOOGLE_APPLICATION_CREDENTIALS"]).read_text())["client_email"]
    yield fake, account
    fake.stop()


def test_sheets_success_names_the_service_account(sheets):
    _, account = sheets
    result = connections.check_sheets()
    assert result.ok and account in result.message


def test_sheets_without_access_says_which_address_to_share_with(sheets):
    fake, account = sheets
    fake.fail_next.append(403)
    result = connections.check_sheets()
    assert not result.ok and "No access" in result.message and f"Share the sheet (as Editor) with {account}" in result.message


def test_sheets_wrong_id_and_unreadable_key(sheets, monkeypatch, tmp_path):
    _set(monkeypatch, GOOGLE_SHEETS_ID="no-such-sheet")
    wrong = connections.check_sheets()
    assert not wrong.ok and "Spreadsheet not found" in wrong.message
    _set(monkeypatch, GOOGLE_APPLICATION_CREDENTIALS=str(tmp_path / "missing.json"))
    assert "Cannot read the service-account key file" in connections.check_sheets().message
    _set(monkeypatch, GOOGLE_SHEETS_ID="")
    assert "not configured" in connections.check_sheets().message


def test_smtp_connects_and_logs_in(mail):
    result = connections.check_smtp()
    assert result.ok and "logged in as" in result.message
    assert mail.messages == []  # nothing sent by a connection test


def test_smtp_wrong_password_and_nothing_listening(mail, monkeypatch):
    _set(monkeypatch, SMTP_PASSWORD="not-the-password")
    refused = connections.check_smtp()
    assert not refused.ok and "refused the login in the server settings" in refused.message
    assert "not-the-password" not in refused.message
    _set(monkeypatch, SMTP_PORT="1")
    down = connections.check_smtp()
    assert not down.ok and "Could not connect" in down.message


def test_send_a_test_email(mail):
    result = connections.send_test_email("owner@example.com")
    assert result.ok
    assert [m.message["Subject"] for m in mail.messages_to("owner@example.com")] == ["Invoice CRM test email"]
    mail.reject()
    assert not connections.send_test_email("owner@example.com").ok
